-- collab schema, version 3: exactly-once bookkeeping is one row per client, not an index
-- entry per op.
--
-- The UNIQUE (doc, client_id, seq) index of the op log took a leaf page of its own for every
-- document in every group commit, as many pages as the op log itself; a commit of many
-- documents wrote twice the pages it needed. A client's seq only grows (the server answers a
-- seq below the highest stored with bad_message), so what exactly-once needs is each client's
-- highest seq and where it was stored, kept in `clients` by the same transaction that stores
-- the op. Older seqs are found in the op log by walking back from `highest_version`.

CREATE TABLE clients (
    doc             TEXT    NOT NULL,
    client_id       TEXT    NOT NULL,
    user            TEXT    NOT NULL,       -- the `sub` of its first op: the client id's owner
    first_version   INTEGER NOT NULL,       -- version of its first op
    highest_seq     INTEGER NOT NULL,       -- its highest stored seq
    highest_version INTEGER NOT NULL,       -- version of the op stored with `highest_seq`
    PRIMARY KEY (doc, client_id)
) WITHOUT ROWID;

INSERT INTO clients (doc, client_id, user, first_version, highest_seq, highest_version)
SELECT doc, client_id,
       (SELECT o.user FROM ops o WHERE o.doc = g.doc AND o.client_id = g.client_id ORDER BY o.seq LIMIT 1),
       first_version, highest_seq,
       (SELECT o.version FROM ops o WHERE o.doc = g.doc AND o.client_id = g.client_id AND o.seq = g.highest_seq)
FROM (SELECT doc, client_id, MIN(version) AS first_version, MAX(seq) AS highest_seq
      FROM ops GROUP BY doc, client_id) AS g;

-- The op log again, keyed by (doc, version) alone: SQLite cannot drop a table constraint.
CREATE TABLE ops_v3 (
    doc       TEXT    NOT NULL,
    version   INTEGER NOT NULL,
    client_id TEXT    NOT NULL,
    seq       INTEGER NOT NULL,
    user      TEXT    NOT NULL,             -- the author's token `sub`
    ts        INTEGER NOT NULL,             -- commit time
    length    INTEGER NOT NULL,             -- text length after this op
    op        TEXT    NOT NULL,             -- normalized op JSON, exactly as sent to clients
    deleted   TEXT    NOT NULL,             -- JSON array: the text each delete removed, in order
    PRIMARY KEY (doc, version)
) WITHOUT ROWID;
INSERT INTO ops_v3 SELECT doc, version, client_id, seq, user, ts, length, op, deleted FROM ops;
DROP TABLE ops;
ALTER TABLE ops_v3 RENAME TO ops;
