-- collab schema, version 1. Never edit this file once shipped: add 0002_*.sql instead.
-- Times are milliseconds since the Unix epoch; lengths count Unicode scalar values.

-- Applied migrations. The migrator reads it before anything else.
CREATE TABLE schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    applied_at INTEGER NOT NULL
);

-- One row per document that has at least one op, kept current by every append so
-- `collab docs` needs no scan of the op log.
CREATE TABLE documents (
    id           TEXT    PRIMARY KEY NOT NULL,
    version      INTEGER NOT NULL,          -- number of ops stored
    length       INTEGER NOT NULL,          -- text length at `version`
    author_count INTEGER NOT NULL,          -- distinct `user`s in its ops
    created_at   INTEGER NOT NULL,          -- ts of its first op
    updated_at   INTEGER NOT NULL           -- ts of its latest op
) WITHOUT ROWID;

-- Who has written to a document (for author_count; first_version for blame-style reads).
CREATE TABLE document_authors (
    doc           TEXT    NOT NULL,
    user          TEXT    NOT NULL,
    first_version INTEGER NOT NULL,
    PRIMARY KEY (doc, user)
) WITHOUT ROWID;

-- The op log. The op stored as `version` takes the document from `version` to `version + 1`.
-- Most rows are one keystroke, so WITHOUT ROWID: one b-tree keyed by (doc, version).
CREATE TABLE ops (
    doc       TEXT    NOT NULL,
    version   INTEGER NOT NULL,
    client_id TEXT    NOT NULL,
    seq       INTEGER NOT NULL,
    user      TEXT    NOT NULL,             -- the author's token `sub`
    ts        INTEGER NOT NULL,             -- commit time
    length    INTEGER NOT NULL,             -- text length after this op
    op        TEXT    NOT NULL,             -- normalized op JSON, exactly as sent to clients
    deleted   TEXT    NOT NULL,             -- JSON array: the text each delete removed, in order
    PRIMARY KEY (doc, version),
    UNIQUE (doc, client_id, seq)            -- exactly-once: a resubmitted op is found, not re-applied
) WITHOUT ROWID;

-- `export --at TIME`, `history --since`.
CREATE INDEX ops_by_time ON ops (doc, ts);
-- `history --user`.
CREATE INDEX ops_by_user ON ops (doc, user, version);

-- Full texts every N ops. checksum is "fnv1a64:" + 16 lowercase hex digits of the 64-bit
-- FNV-1a hash of the text's UTF-8 bytes (`collab verify` recomputes it after a replay).
-- A rowid table: texts run up to the document size limit.
CREATE TABLE snapshots (
    doc        TEXT    NOT NULL,
    version    INTEGER NOT NULL,
    text       TEXT    NOT NULL,
    length     INTEGER NOT NULL,
    checksum   TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (doc, version)
);
