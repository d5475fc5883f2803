-- The cluster node that holds each binding (server.nodeName); null for rows written before it.
-- Portable: the same statement on SQLite and PostgreSQL.
ALTER TABLE registration_binding ADD COLUMN node_name VARCHAR(64);
