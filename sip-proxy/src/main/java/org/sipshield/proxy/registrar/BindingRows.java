package org.sipshield.proxy.registrar;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.sipshield.config.Transport;

/** The registration_binding table's columns and their mapping to {@link Binding}, the same on every engine. */
final class BindingRows {
    static final String COLUMNS = "device_name, address_of_record, contact_uri, instance_id, source_address,"
            + " source_port, transport, call_id, cseq, registered_at, expires_at, user_agent, node_name,"
            + " local_address, local_port";
    static final String SELECT = "SELECT " + COLUMNS + " FROM registration_binding WHERE ";
    static final String INSERT = "INSERT INTO registration_binding (" + COLUMNS + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
    static final String DELETE_LINE = "DELETE FROM registration_binding WHERE device_name = ? AND address_of_record = ?";

    private BindingRows() {}

    static List<Binding> query(Connection connection, String sql, Object... parameters) {
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

    /** Checks that every binding belongs to the line it is given for. */
    static void checkLines(List<RegistrationStore.LineBindings> lines) {
        for (RegistrationStore.LineBindings line : lines) {
            for (Binding binding : line.bindings()) {
                if (!binding.deviceName().equals(line.deviceName())
                        || !binding.addressOfRecord().equals(line.addressOfRecord())) {
                    throw new IllegalArgumentException("binding of " + binding.deviceName() + "/"
                            + binding.addressOfRecord() + " given for " + line.deviceName() + "/" + line.addressOfRecord());
                }
            }
        }
    }

    /** nodeName: the writing node's, recorded for a binding that has no flow (rows written before flows). */
    static void bind(PreparedStatement insert, Binding binding, String nodeName) throws SQLException {
        Flow flow = binding.flow();
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
        setNullable(insert, 13, flow == null ? nodeName : flow.nodeName());
        setNullable(insert, 14, flow == null || flow.localAddress() == null ? null : flow.localAddress().getHostAddress());
        if (flow == null || flow.localPort() == 0) {
            insert.setNull(15, Types.INTEGER);
        } else {
            insert.setInt(15, flow.localPort());
        }
    }

    private static void setNullable(PreparedStatement statement, int index, String value) throws SQLException {
        if (value == null) {
            statement.setNull(index, Types.VARCHAR);
        } else {
            statement.setString(index, value);
        }
    }

    static Binding binding(ResultSet row) throws SQLException {
        return new Binding(row.getString("device_name"), row.getString("address_of_record"),
                row.getString("contact_uri"), row.getString("instance_id"),
                new SourceAddress(literalAddress(row.getString("source_address")), row.getInt("source_port"),
                        Transport.valueOf(row.getString("transport"))),
                row.getString("call_id"), row.getLong("cseq"),
                Instant.ofEpochMilli(row.getLong("registered_at")), Instant.ofEpochMilli(row.getLong("expires_at")),
                row.getString("user_agent"), flow(row));
    }

    private static Flow flow(ResultSet row) throws SQLException {
        String nodeName = row.getString("node_name");
        if (nodeName == null) {
            return null;
        }
        String localAddress = row.getString("local_address");
        return new Flow(nodeName, localAddress == null ? null : literalAddress(localAddress), row.getInt("local_port"));
    }

    /** Stored addresses are literals we wrote ourselves: parsing them never touches DNS. */
    private static InetAddress literalAddress(String literal) throws SQLException {
        if (!literal.contains(":") && !literal.matches("[0-9.]+")) {
            throw new SQLException("stored address is not an IP literal: " + literal);
        }
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new SQLException("stored address is not an IP literal: " + literal, e);
        }
    }
}
