package org.sipshield.proxy.registrar;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.sipshield.config.Transport;
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

    private static final String COLUMNS = "device_name, address_of_record, contact_uri, instance_id, source_address,"
            + " source_port, transport, call_id, cseq, registered_at, expires_at, user_agent";
    private static final String SELECT = "SELECT " + COLUMNS + " FROM registration_binding WHERE ";

    private final Path file;
    private final Connection connection;

    private SqliteRegistrationStore(Path file, Connection connection) {
        this.file = file;
        this.connection = connection;
    }

    /** Opens (creating and migrating as needed) the database in the proxy's data directory. */
    public static SqliteRegistrationStore open(Path dataDirectory) {
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
            return new SqliteRegistrationStore(file, connection);
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

    /** Whether the database answers a query now (readiness): a lost file or a broken connection does not. */
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
        for (LineBindings line : lines) {
            for (Binding binding : line.bindings()) {
                if (!binding.deviceName().equals(line.deviceName())
                        || !binding.addressOfRecord().equals(line.addressOfRecord())) {
                    throw new IllegalArgumentException("binding of " + binding.deviceName() + "/"
                            + binding.addressOfRecord() + " given for " + line.deviceName() + "/" + line.addressOfRecord());
                }
            }
        }
        String what = lines.size() == 1 ? lines.get(0).deviceName() + "/" + lines.get(0).addressOfRecord()
                : lines.size() + " lines";
        try {
            connection.setAutoCommit(false);
            try (PreparedStatement delete = connection.prepareStatement(
                    "DELETE FROM registration_binding WHERE device_name = ? AND address_of_record = ?");
                    PreparedStatement insert = connection.prepareStatement(
                            "INSERT INTO registration_binding (" + COLUMNS + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?)")) {
                for (LineBindings line : lines) {
                    delete.setString(1, line.deviceName());
                    delete.setString(2, line.addressOfRecord());
                    delete.executeUpdate();
                    for (Binding binding : line.bindings()) {
                        bind(insert, binding);
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
        try (PreparedStatement select = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                select.setObject(i + 1, parameters[i]);
            }
            List<Binding> bindings = new ArrayList<>();
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    bindings.add(binding(rows));
                }
            }
            return List.copyOf(bindings);
        } catch (SQLException e) {
            throw new RegistrationStoreException("cannot read bindings: " + e.getMessage(), e);
        }
    }

    private static void bind(PreparedStatement insert, Binding binding) throws SQLException {
        insert.setString(1, binding.deviceName());
        insert.setString(2, binding.addressOfRecord());
        insert.setString(3, binding.contactUri());
        setNullable(insert, 4, binding.instanceId());
        insert.setString(5, binding.source().host());
        insert.setInt(6, binding.source().port());
        insert.setString(7, binding.source().transport().name());
        insert.setString(8, binding.callId());
        insert.setLong(9, binding.cseq());
        insert.setLong(10, binding.registeredAt().toEpochMilli());
        insert.setLong(11, binding.expiresAt().toEpochMilli());
        setNullable(insert, 12, binding.userAgent());
    }

    private static void setNullable(PreparedStatement statement, int index, String value) throws SQLException {
        if (value == null) {
            statement.setNull(index, Types.VARCHAR);
        } else {
            statement.setString(index, value);
        }
    }

    private static Binding binding(ResultSet row) throws SQLException {
        return new Binding(row.getString("device_name"), row.getString("address_of_record"),
                row.getString("contact_uri"), row.getString("instance_id"),
                new SourceAddress(literalAddress(row.getString("source_address")), row.getInt("source_port"),
                        Transport.valueOf(row.getString("transport"))),
                row.getString("call_id"), row.getLong("cseq"),
                Instant.ofEpochMilli(row.getLong("registered_at")), Instant.ofEpochMilli(row.getLong("expires_at")),
                row.getString("user_agent"));
    }

    /** Stored addresses are literals we wrote ourselves: parsing them never touches DNS. */
    private static InetAddress literalAddress(String literal) throws SQLException {
        if (!literal.contains(":") && !literal.matches("[0-9.]+")) {
            throw new SQLException("stored source address is not an IP literal: " + literal);
        }
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new SQLException("stored source address is not an IP literal: " + literal, e);
        }
    }
}
