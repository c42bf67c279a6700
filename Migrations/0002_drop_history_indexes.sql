-- collab schema, version 2: the op log's write path keeps only its primary key and the
-- exactly-once UNIQUE (doc, client_id, seq) index.
--
-- `ops_by_time` and `ops_by_user` served only the offline readers (`export --at`,
-- `history --since/--user`), yet every group commit wrote a leaf page of each for every
-- document it touched (about half the pages of a commit of many documents). Those readers
-- now use the primary key: a binary search over versions by `ts` (commit times are
-- non-decreasing within a document) and a scan of the document's version range.
DROP INDEX IF EXISTS ops_by_time;
DROP INDEX IF EXISTS ops_by_user;
