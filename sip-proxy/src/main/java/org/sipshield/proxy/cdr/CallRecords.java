package org.sipshield.proxy.cdr;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.sipshield.proxy.b2bua.CallView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One record per call, as it ends: a JSON line on the {@code sipshield.cdr} logger at once, and a
 * row in the proxy's SQLite database (table call_record, created by the registrar's Flyway
 * migrations) written by a thread of its own: a call ends on a SIP thread under the call's lock,
 * which must not wait for a disk. Records hold a {@link CallView}: no SDP, no keys, no credentials.
 */
public final class CallRecords implements AutoCloseable {
    private static final Logger CDR = LoggerFactory.getLogger("sipshield.cdr");
    private static final Logger LOG = LoggerFactory.getLogger(CallRecords.class);
    private static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new SimpleModule().addSerializer(Instant.class, ToStringSerializer.instance));
    private static final String INSERT = "INSERT INTO call_record (call_id, caller, callee, setup_at, answered_at,"
            + " ended_at, final_code, ended_by, security, leg_a_transport, leg_a_tls_suite, leg_a_srtp_suite,"
            + " leg_a_security, leg_b_transport, leg_b_tls_suite, leg_b_srtp_suite, leg_b_security, record_json)"
            + " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

    private final Connection connection;
    private final ExecutorService writer = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "sipshield-cdr");
        thread.setDaemon(true);
        return thread;
    });

    private CallRecords(Connection connection) {
        this.connection = connection;
    }

    /**
     * On the registration store's database (SQLite's file or the cluster's PostgreSQL), whose
     * migrations create the call_record table.
     */
    public static CallRecords open(org.sipshield.proxy.registrar.RegistrationStore store) throws java.io.IOException {
        try {
            return new CallRecords(store.newConnection());
        } catch (SQLException e) {
            throw new java.io.IOException("cannot open the call records: " + e.getMessage(), e);
        }
    }

    /** The hook the B2BUA calls as each call ends. */
    public void record(CallView call) {
        String json;
        try {
            json = JSON.writeValueAsString(call);
        } catch (JsonProcessingException e) {
            LOG.warn("call {}: no call record: {}", call.id(), e.toString());
            return;
        }
        CDR.info(json);
        try {
            writer.execute(() -> insert(call, json));
        } catch (RejectedExecutionException e) {
            LOG.warn("call {}: record not stored, the proxy is stopping (it is in the sipshield.cdr log)", call.id());
        }
    }

    private synchronized void insert(CallView call, String json) {
        try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
            insert.setString(1, call.callId());
            insert.setString(2, call.caller());
            insert.setString(3, call.callee());
            insert.setLong(4, call.setup().toEpochMilli());
            if (call.answered() == null) {
                insert.setNull(5, Types.BIGINT);
            } else {
                insert.setLong(5, call.answered().toEpochMilli());
            }
            insert.setLong(6, (call.ended() == null ? Instant.now() : call.ended()).toEpochMilli());
            insert.setInt(7, call.finalCode());
            insert.setString(8, call.endedBy() == null ? "sipshield" : call.endedBy());
            insert.setString(9, call.security());
            leg(insert, 10, call.legA());
            leg(insert, 14, call.legB());
            insert.setString(18, json);
            insert.executeUpdate();
        } catch (SQLException e) {
            LOG.warn("call {}: record not stored in the database (it is in the sipshield.cdr log): {}", call.id(),
                    e.getMessage());
        }
    }

    private static void leg(PreparedStatement insert, int first, CallView.Leg leg) throws SQLException {
        insert.setString(first, leg.transport());
        insert.setString(first + 1, leg.tlsSuite());
        insert.setString(first + 2, leg.srtpSuite());
        insert.setString(first + 3, leg.security());
    }

    /** Housekeeping: deletes records of calls that ended before cutoff; how many. */
    public synchronized int purgeEndedBefore(Instant cutoff) {
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM call_record WHERE ended_at < ?")) {
            delete.setLong(1, cutoff.toEpochMilli());
            return delete.executeUpdate();
        } catch (SQLException e) {
            LOG.warn("purging old call records: {}", e.getMessage());
            return 0;
        }
    }

    /** Stores what is queued (the calls a stop ended), then closes the connection. */
    @Override
    public void close() {
        writer.shutdown();
        try {
            writer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            try {
                connection.close();
            } catch (SQLException e) {
                LOG.debug("closing the call record database: {}", e.getMessage());
            }
        }
    }
}
