-- Call records: one row per call, written as it ends; deleted after server.callRecordDays.
-- No SDP, keys or credentials: only how each leg was carried and protected, and how the call went.
-- Portable SQL: the same migration runs on SQLite and on a cluster's PostgreSQL (no AUTOINCREMENT).
CREATE TABLE call_record (
    call_id            VARCHAR(256) NOT NULL,
    caller             VARCHAR(256) NOT NULL,
    callee             VARCHAR(256) NOT NULL,
    setup_at           BIGINT       NOT NULL,
    answered_at        BIGINT,
    ended_at           BIGINT       NOT NULL,
    final_code         INTEGER      NOT NULL,
    ended_by           VARCHAR(16)  NOT NULL,
    security           VARCHAR(32)  NOT NULL,
    leg_a_transport    VARCHAR(8),
    leg_a_tls_suite    VARCHAR(128),
    leg_a_srtp_suite   VARCHAR(64),
    leg_a_security     VARCHAR(32)  NOT NULL,
    leg_b_transport    VARCHAR(8),
    leg_b_tls_suite    VARCHAR(128),
    leg_b_srtp_suite   VARCHAR(64),
    leg_b_security     VARCHAR(32)  NOT NULL,
    record_json        TEXT         NOT NULL
);

-- purging by age, and an operator's queries by time
CREATE INDEX call_record_by_end ON call_record (ended_at);
