package org.sipshield.config;

import java.nio.file.Path;

/**
 * Where the registrar keeps its bindings. Absent ({@code url} null): the embedded SQLite file in
 * the data directory, nothing to install for one node. A PostgreSQL URL: a database shared by every
 * node of a cluster.
 *
 * @param url          a {@code jdbc:postgresql://host[:port]/database} URL without credentials, or null
 * @param user         the role to connect as, or null for the driver's default
 * @param passwordFile a file holding the password (one line), or null; kept out of the URL and the
 *                     YAML so that neither logs nor a copied configuration carry it
 */
public record DatabaseSettings(String url, String user, Path passwordFile) {
    public static final String POSTGRESQL_PREFIX = "jdbc:postgresql://";

    public static DatabaseSettings embedded() {
        return new DatabaseSettings(null, null, null);
    }

    public boolean isShared() {
        return url != null;
    }
}
