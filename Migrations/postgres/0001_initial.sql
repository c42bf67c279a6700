-- collab schema for PostgreSQL, version 1: the whole schema of SQLite's 0001..0004 in
-- PostgreSQL's dialect. Never edit this file once shipped: add 0002_*.sql instead.
-- Times are milliseconds since the Unix epoch; lengths count Unicode scalar values.
-- `user` is reserved in PostgreSQL, so the author's token `sub` is in columns named `author`.

-- Applied migrations. PostgresMigrator reads it under an advisory lock before anything else.
CREATE TABLE schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    applied_at BIGINT  NOT NULL
);

-- One row per document that has at least one op, kept current by every append. Appenders
-- lock it (SELECT ... FOR UPDATE), which orders writers of one document across nodes.
CREATE TABLE documents (
    id           TEXT    PRIMARY KEY,
    version      BIGINT  NOT NULL,          -- number of ops stored
    length       BIGINT  NOT NULL,          -- text length at `version`
    author_count BIGINT  NOT NULL,          -- distinct authors in its ops
    created_at   BIGINT  NOT NULL,          -- ts of its first op
    updated_at   BIGINT  NOT NULL,          -- ts of its latest op
    horizon      BIGINT  NOT NULL DEFAULT 0 -- ops below it were compacted away
);

-- Who has written to a document (for author_count).
CREATE TABLE document_authors (
    doc           TEXT    NOT NULL,
    author        TEXT    NOT NULL,
    first_version BIGINT  NOT NULL,
    PRIMARY KEY (doc, author)
);

-- The op log. The op stored as `version` takes the document from `version` to `version + 1`;
-- the primary key is what decides, across nodes, who got a version.
CREATE TABLE ops (
    doc       TEXT    NOT NULL,
    version   BIGINT  NOT NULL,
    client_id TEXT    NOT NULL,
    seq       BIGINT  NOT NULL,
    author    TEXT    NOT NULL,             -- the author's token `sub`
    ts        BIGINT  NOT NULL,             -- commit time
    length    BIGINT  NOT NULL,             -- text length after this op
    op        TEXT    NOT NULL,             -- normalized op JSON, exactly as sent to clients
    deleted   TEXT    NOT NULL,             -- JSON array: the text each delete removed, in order
    PRIMARY KEY (doc, version)
);

-- Exactly-once bookkeeping, one row per client (see SQLite's 0003_clients_table.sql).
CREATE TABLE clients (
    doc             TEXT    NOT NULL,
    client_id       TEXT    NOT NULL,
    author          TEXT    NOT NULL,       -- the `sub` of its first op: the client id's owner
    first_version   BIGINT  NOT NULL,       -- version of its first op
    highest_seq     BIGINT  NOT NULL,       -- its highest stored seq
    highest_version BIGINT  NOT NULL,       -- version of the op stored with `highest_seq`
    PRIMARY KEY (doc, client_id)
);

-- Full texts every N ops; checksum as in SQLite's schema ("fnv1a64:" + 16 hex digits).
CREATE TABLE snapshots (
    doc        TEXT    NOT NULL,
    version    BIGINT  NOT NULL,
    text       TEXT    NOT NULL,
    length     BIGINT  NOT NULL,
    checksum   TEXT    NOT NULL,
    created_at BIGINT  NOT NULL,
    PRIMARY KEY (doc, version)
);

-- Named versions, unique per document.
CREATE TABLE named_versions (
    doc        TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    version    BIGINT  NOT NULL,
    author     TEXT    NOT NULL,            -- the token `sub` that named it
    created_at BIGINT  NOT NULL,
    PRIMARY KEY (doc, name)
);
