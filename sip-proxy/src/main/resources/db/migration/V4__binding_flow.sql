-- The listening socket each binding's REGISTER came in on (with node_name and the source columns,
-- the flow of RFC 5626: a TCP or TLS phone is reached over that connection, on that node only).
-- Null for rows written before it. Portable: the same statements on SQLite and PostgreSQL.
ALTER TABLE registration_binding ADD COLUMN local_address VARCHAR(64);
ALTER TABLE registration_binding ADD COLUMN local_port INTEGER;
