-- collab schema for PostgreSQL, version 2: join generations per client id, across nodes.
-- A connection's join takes the next generation of its (doc, client_id); a node closes its
-- own connection of that client id (close code 4000) when another node announces a newer
-- generation, so a late announcement never closes the newer connection.
CREATE TABLE client_joins (
    doc        TEXT    NOT NULL,
    client_id  TEXT    NOT NULL,
    generation BIGINT  NOT NULL,
    PRIMARY KEY (doc, client_id)
);
