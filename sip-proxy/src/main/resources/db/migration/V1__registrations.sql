-- Registrar bindings: one row per contact of one line (address of record) of one device.
-- Portable SQL (SQLite now, PostgreSQL later): instants are epoch milliseconds in BIGINT.
CREATE TABLE registration_binding (
    device_name       VARCHAR(128)  NOT NULL,
    address_of_record VARCHAR(128)  NOT NULL,
    contact_uri       VARCHAR(1024) NOT NULL,
    instance_id       VARCHAR(256),
    source_address    VARCHAR(64)   NOT NULL,
    source_port       INTEGER       NOT NULL,
    transport         VARCHAR(8)    NOT NULL,
    call_id           VARCHAR(256)  NOT NULL,
    cseq              BIGINT        NOT NULL,
    registered_at     BIGINT        NOT NULL,
    expires_at        BIGINT        NOT NULL,
    user_agent        VARCHAR(256),
    PRIMARY KEY (device_name, address_of_record, contact_uri)
);

-- routing: a call to a directory number
CREATE INDEX registration_binding_by_aor ON registration_binding (address_of_record, expires_at);
-- recognising a registered device's later requests by the socket they come from
CREATE INDEX registration_binding_by_source ON registration_binding (source_address, source_port, transport);
-- purging
CREATE INDEX registration_binding_by_expiry ON registration_binding (expires_at);
