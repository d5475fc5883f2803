package org.sipshield.proxy.registrar;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * Bindings in the embedded SQLite file {@code <dataDirectory>/sipshield.db}, its schema created and
 * upgraded by the Flyway migrations in {@code db/migration}.
 *
 * <p>One connection, used under this object's lock: SQLite serialises writers anyway, and
 * registrations are signalling-rate traffic. WAL lets other processes (backups, an operator's
 * sqlite3 shell) read while we write; synchronous=FULL because a 200 OK promises the binding
 * survives a power cut, not only a crash of the JVM.
 */
public final class SqliteRegistrationStore implements RegistrationStore {
    public static final String FILE_NAME = "sipshield.db";
    static final int BUSY_TIMEOUT_MILLIS = 5_000;

    private static final String SELECT = BindingRows.SELECT;

    private final Path file;
    private final Connection connection;
    private final String nodeName;

    private SqliteRegistrationStore(Path file, Connection connection, String nodeName) {
        this.file = file;
        this.connection = connection;
        this.nodeName = nodeName;
    }

    /** Opens the database without naming the node (tools and tests that only read it). */
    public static SqliteRegistrationStore open(Path dataDirectory) {
        return open(dataDirectory, null);
    }

    /** Opens (creating and migrating as needed) the database in the proxy's data directory. */
    public static SqliteRegistrationStore open(Path dataDirectory, String nodeName) {
        Path file = dataDirectory.resolve(FILE_NAME);
        try {
            Files.createDirectories(dataDirectory);
            SQLiteDataSource dataSource = dataSource(file);
            Flyway.configure()
                    .dataSource(dataSource)
                    .locations("classpath:db/migration")
                    .load()
                    .migrate();
            Connection connection = dataSource.getConnection();
            return new SqliteRegistrationStore(file, connection, nodeName);
        } catch (IOException | SQLException | FlywayException e) {
            throw new RegistrationStoreException("cannot open the registration database " + file + ": "
                    + e.getMessage(), e);
        }
    }

    private static SQLiteDataSource dataSource(Path file) {
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        config.setBusyTimeout(BUSY_TIMEOUT_MILLIS);
        config.enforceForeignKeys(true);
        SQLiteDataSource dataSource = new SQLiteDataSource(config);
        dataSource.setUrl("jdbc:sqlite:" + file.toAbsolutePath());
        return dataSource;
    }

    public Path file() {
        return file;
    }

    @Override
    public Connection newConnection() throws SQLException {
        return dataSource(file).getConnection();
    }

    /** Whether the database answers a query now (readiness): a lost file or a broken connection does not. */
    @Override
    public synchronized boolean reachable() {
        try (var statement = connection.createStatement();
                var rows = statement.executeQuery("SELECT count(*) FROM registration_binding WHERE 0")) {
            return rows.next();
        } catch (SQLException e) {
            return false;
        }
    }

    @Override
    public synchronized List<Binding> bindings(String deviceName, String addressOfRecord, Instant now) {
        return query(SELECT + "device_name = ? AND address_of_record = ? AND expires_at > ?"
                + " ORDER BY registered_at, contact_uri", deviceName, addressOfRecord, now.toEpochMilli());
    }

    @Override
    public void replaceBindings(String deviceName, String addressOfRecord, List<Binding> bindings) {
        replaceLines(List.of(new LineBindings(deviceName, addressOfRecord, bindings)));
    }

    @Override
    public synchronized void replaceLines(List<LineBindings> lines) {
        BindingRows.checkLines(lines);
        String what = lines.size() == 1 ? lines.get(0).deviceName() + "/" + lines.get(0).addressOfRecord()
                : lines.size() + " lines";
        try {
            connection.setAutoCommit(false);
            try (PreparedStatement delete = connection.prepareStatement(BindingRows.DELETE_LINE);
                    PreparedStatement insert = connection.prepareStatement(
                            BindingRows.INSERT)) {
                for (LineBindings line : lines) {
                    delete.setString(1, line.deviceName());
                    delete.setString(2, line.addressOfRecord());
                    delete.executeUpdate();
                    for (Binding binding : line.bindings()) {
                        BindingRows.bind(insert, binding, nodeName);
                        insert.executeUpdate();
                    }
                }
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new RegistrationStoreException("cannot store the bindings of " + what + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized List<Binding> allActive(Instant now) {
        return query(SELECT + "expires_at > ? ORDER BY device_name, address_of_record, registered_at, contact_uri",
                now.toEpochMilli());
    }

    @Override
    public synchronized List<Binding> bindingsForAddressOfRecord(String addressOfRecord, Instant now) {
        return query(SELECT + "address_of_record = ? AND expires_at > ? ORDER BY registered_at DESC, contact_uri",
                addressOfRecord, now.toEpochMilli());
    }

    @Override
    public synchronized List<Binding> bindingsOfDevice(String deviceName, Instant now) {
        return query(SELECT + "device_name = ? AND expires_at > ? ORDER BY registered_at DESC, contact_uri",
                deviceName, now.toEpochMilli());
    }

    @Override
    public synchronized List<Binding> bindingsFrom(SourceAddress source, Instant now) {
        return query(SELECT + "source_address = ? AND source_port = ? AND transport = ? AND expires_at > ?"
                + " ORDER BY registered_at DESC, contact_uri",
                source.host(), source.port(), source.transport().name(), now.toEpochMilli());
    }

    @Override
    public synchronized int purgeExpired(Instant now) {
        try (PreparedStatement delete = connection.prepareStatement(
                "DELETE FROM registration_binding WHERE expires_at <= ?")) {
            delete.setLong(1, now.toEpochMilli());
            return delete.executeUpdate();
        } catch (SQLException e) {
            throw new RegistrationStoreException("cannot purge expired bindings: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            throw new RegistrationStoreException("cannot close the registration database " + file, e);
        }
    }

    private List<Binding> query(String sql, Object... parameters) {
        return BindingRows.query(connection, sql, parameters);
    }
}
