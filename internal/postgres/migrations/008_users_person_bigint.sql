-- users.person_id was created INTEGER while people.id, which it references,
-- is BIGINT like every other key (SQLite's INTEGER is 64 bits already).
ALTER TABLE users ALTER COLUMN person_id TYPE BIGINT;
