-- collab schema, version 4: history users act on.
--
-- Named versions: a name per (doc, version) chosen by an editor ("draft sent to Bob"), unique
-- per document. Compaction keeps a snapshot at every named version it folds away, so
-- `?name=` still reads one.
CREATE TABLE named_versions (
    doc        TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    version    INTEGER NOT NULL,
    user       TEXT    NOT NULL,            -- the token `sub` that named it
    created_at INTEGER NOT NULL,            -- ms since the epoch
    PRIMARY KEY (doc, name)
) WITHOUT ROWID;

-- The compaction horizon: ops below it were folded into the snapshot at it and are gone;
-- reading a version below it answers version_gone. 0: nothing compacted.
ALTER TABLE documents ADD COLUMN horizon INTEGER NOT NULL DEFAULT 0;
