// The SQLite store (op log, snapshots, migrations) lands with the server issue.
