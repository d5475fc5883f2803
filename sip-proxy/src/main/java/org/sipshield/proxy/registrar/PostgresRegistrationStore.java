package org.sipshield.proxy.registrar;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.function.Consumer;
import org.flywaydb.core.Flyway;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.sipshield.config.DatabaseSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bindings in a PostgreSQL database shared by every node of a cluster ({@code database.url}),
 * migrated by the same Flyway migrations as the SQLite file.
 *
 * <p>Each commit also sends {@code NOTIFY sipshield_bindings} naming the node and the lines it
 * wrote; PostgreSQL delivers it only once the transaction commits, so a node that hears it and
 * re-reads the line sees what was committed. Every node LISTENs on one connection of its own (a
 * LISTEN belongs to its session, so not a pooled one) and updates its in-memory index: reads stay
 * in memory, and another node's REGISTER is visible here within a round trip of its commit. A
 * notification sent while the listening connection is down is lost, so each (re)connect is
 * followed by a full reload.
 */
public final class PostgresRegistrationStore implements RegistrationStore {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresRegistrationStore.class);
    static final String CHANNEL = "sipshield_bindings";
    private static final int POOL_SIZE = 4;
    private static final long RECONNECT_MILLIS = 1_000;

    private final DatabaseSettings settings;
    private final String password;
    private final String nodeName;
    private final Clock clock;
    private final HikariDataSource pool;
    private volatile boolean closed;
    private Thread listener;

    private PostgresRegistrationStore(DatabaseSettings settings, String password, String nodeName, Clock clock,
            HikariDataSource pool) {
        this.settings = settings;
        this.password = password;
        this.nodeName = nodeName;
        this.clock = clock;
        this.pool = pool;
    }

    /** Connects and migrates; the password, if any, is read from its file and never logged. */
    public static PostgresRegistrationStore open(DatabaseSettings settings, String nodeName, Clock clock) {
        String password = null;
        HikariDataSource pool = null;
        try {
            if (settings.passwordFile() != null) {
                password = Files.readString(settings.passwordFile(), StandardCharsets.UTF_8).strip();
            }
            HikariConfig config = new HikariConfig();
            config.setPoolName("sipshield-registrations");
            config.setJdbcUrl(settings.url());
            config.setUsername(settings.user());
            config.setPassword(password);
            config.setMaximumPoolSize(POOL_SIZE);
            // a REGISTER waits at most this for a connection, then gets 503 rather than hanging
            config.setConnectionTimeout(5_000);
            pool = new HikariDataSource(config);
            Flyway.configure().dataSource(pool).locations("classpath:db/migration").load().migrate();
            return new PostgresRegistrationStore(settings, password, nodeName, clock, pool);
        } catch (IOException | RuntimeException e) {
            if (pool != null) {
                pool.close();
            }
            String why = e instanceof IOException ? "cannot read database.passwordFile " + settings.passwordFile()
                    : e.getMessage();
            throw new RegistrationStoreException("cannot open the registration database " + settings.url() + ": " + why, e);
        }
    }

    @Override
    public java.sql.Connection newConnection() throws java.sql.SQLException {
        return pool.getConnection();
    }

    @Override
    public boolean reachable() {
        try (Connection connection = pool.getConnection()) {
            return connection.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    @Override
    public List<Binding> bindings(String deviceName, String addressOfRecord, Instant now) {
        return query(BindingRows.SELECT + "device_name = ? AND address_of_record = ? AND expires_at > ?"
                + " ORDER BY registered_at, contact_uri", deviceName, addressOfRecord, now.toEpochMilli());
    }

    @Override
    public void replaceBindings(String deviceName, String addressOfRecord, List<Binding> bindings) {
        replaceLines(List.of(new LineBindings(deviceName, addressOfRecord, bindings)));
    }

    @Override
    public void replaceLines(List<LineBindings> lines) {
        BindingRows.checkLines(lines);
        try (Connection connection = pool.getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement delete = connection.prepareStatement(BindingRows.DELETE_LINE);
                    PreparedStatement insert = connection.prepareStatement(BindingRows.INSERT);
                    PreparedStatement notify = connection.prepareStatement("SELECT pg_notify(?, ?)")) {
                for (LineBindings line : lines) {
                    delete.setString(1, line.deviceName());
                    delete.setString(2, line.addressOfRecord());
                    delete.addBatch();
                    for (Binding binding : line.bindings()) {
                        BindingRows.bind(insert, binding, nodeName);
                        insert.addBatch();
                    }
                    notify.setString(1, CHANNEL);
                    notify.setString(2, nodeName + '\n' + line.deviceName() + '\n' + line.addressOfRecord());
                    notify.addBatch();
                }
                delete.executeBatch();
                insert.executeBatch();
                notify.executeBatch();
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new RegistrationStoreException("cannot store the bindings of " + lines.size() + " line(s): "
                    + e.getMessage(), e);
        }
    }

    @Override
    public List<Binding> allActive(Instant now) {
        return query(BindingRows.SELECT + "expires_at > ? ORDER BY device_name, address_of_record, registered_at,"
                + " contact_uri", now.toEpochMilli());
    }

    @Override
    public List<Binding> bindingsForAddressOfRecord(String addressOfRecord, Instant now) {
        return query(BindingRows.SELECT + "address_of_record = ? AND expires_at > ? ORDER BY registered_at DESC,"
                + " contact_uri", addressOfRecord, now.toEpochMilli());
    }

    @Override
    public List<Binding> bindingsOfDevice(String deviceName, Instant now) {
        return query(BindingRows.SELECT + "device_name = ? AND expires_at > ? ORDER BY registered_at DESC, contact_uri",
                deviceName, now.toEpochMilli());
    }

    @Override
    public List<Binding> bindingsFrom(SourceAddress source, Instant now) {
        return query(BindingRows.SELECT + "source_address = ? AND source_port = ? AND transport = ? AND expires_at > ?"
                + " ORDER BY registered_at DESC, contact_uri",
                source.host(), source.port(), source.transport().name(), now.toEpochMilli());
    }

    @Override
    public int purgeExpired(Instant now) {
        try (Connection connection = pool.getConnection();
                PreparedStatement delete = connection.prepareStatement(
                        "DELETE FROM registration_binding WHERE expires_at <= ?")) {
            delete.setLong(1, now.toEpochMilli());
            return delete.executeUpdate();
        } catch (SQLException e) {
            throw new RegistrationStoreException("cannot purge expired bindings: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void followOtherNodes(Consumer<LineBindings> changed, Consumer<List<Binding>> resync) {
        if (listener != null) {
            throw new IllegalStateException("already followed");
        }
        listener = new Thread(() -> listen(changed, resync), "sipshield-registrations-listener");
        listener.setDaemon(true);
        listener.start();
    }

    private void listen(Consumer<LineBindings> changed, Consumer<List<Binding>> resync) {
        boolean wasDown = false;
        boolean following = false;
        while (!closed) {
            try (Connection connection = listeningConnection()) {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("LISTEN " + CHANNEL);
                }
                // whatever was committed before the LISTEN took effect was not notified to us
                List<Binding> active = allActive(clock.instant());
                resync.accept(active);
                if (wasDown) {
                    LOG.info("following other nodes' registrations again (reloaded)");
                    wasDown = false;
                } else if (!following) {
                    LOG.info("following other nodes' registrations ({} active binding(s) loaded)", active.size());
                }
                following = true;
                PGConnection notifications = connection.unwrap(PGConnection.class);
                while (!closed) {
                    PGNotification[] received = notifications.getNotifications(500);
                    if (received == null) {
                        continue;
                    }
                    for (PGNotification notification : received) {
                        String[] parts = notification.getParameter().split("\n", 3);
                        if (parts.length == 3 && !parts[0].equals(nodeName)) {
                            changed.accept(new LineBindings(parts[1], parts[2],
                                    bindings(parts[1], parts[2], clock.instant())));
                        }
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (closed) {
                    return;
                }
                if (!wasDown) {
                    LOG.warn("not following other nodes' registrations ({}); retrying", e.getMessage());
                    wasDown = true;
                }
                try {
                    Thread.sleep(RECONNECT_MILLIS);
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    private Connection listeningConnection() throws SQLException {
        Properties properties = new Properties();
        if (settings.user() != null) {
            properties.setProperty("user", settings.user());
        }
        if (password != null) {
            properties.setProperty("password", password);
        }
        properties.setProperty("ApplicationName", "sipshield " + nodeName + " listener");
        return DriverManager.getConnection(settings.url(), properties);
    }

    @Override
    public void close() {
        closed = true;
        Thread following;
        synchronized (this) {
            following = listener;
        }
        if (following != null) {
            try {
                following.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        pool.close();
    }

    private List<Binding> query(String sql, Object... parameters) {
        try (Connection connection = pool.getConnection()) {
            return BindingRows.query(connection, sql, parameters);
        } catch (SQLException e) {
            throw new RegistrationStoreException("cannot read bindings: " + e.getMessage(), e);
        }
    }
}
