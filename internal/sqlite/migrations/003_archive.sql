-- The archive (REC-1..5): accounts as the archive knows them, items, their
-- immutable versions, the full-text index, the Merkle log and its signed
-- checkpoints, legal holds and disposition runs.
CREATE TABLE archive_accounts (
	id INTEGER PRIMARY KEY,
	ref TEXT NOT NULL UNIQUE,
	platform TEXT NOT NULL,
	handle TEXT NOT NULL,
	department_id INTEGER REFERENCES departments (id),
	created_at TIMESTAMP NOT NULL,
	UNIQUE (platform, handle)
);

CREATE TABLE archive_items (
	id INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES archive_accounts (id),
	platform_id TEXT NOT NULL,
	kind TEXT NOT NULL,
	parent_id TEXT NOT NULL,
	thread_id TEXT NOT NULL,
	tags TEXT NOT NULL,
	first_captured TIMESTAMP NOT NULL,
	last_captured TIMESTAMP NOT NULL,
	state TEXT NOT NULL,
	versions INTEGER NOT NULL,
	disposed_at TIMESTAMP,
	UNIQUE (account_id, platform_id)
);
CREATE INDEX archive_items_thread ON archive_items (account_id, thread_id);

-- Versions are written once; only disposition replaces their content by a
-- tombstone, keeping hash. id is the Merkle log index plus one, so ids are
-- in capture (ingest) order.
CREATE TABLE archive_versions (
	id INTEGER PRIMARY KEY,
	item_id INTEGER NOT NULL REFERENCES archive_items (id),
	account_id INTEGER NOT NULL,
	kind TEXT NOT NULL,
	parent_id TEXT NOT NULL,
	thread_id TEXT NOT NULL,
	captured_at TIMESTAMP NOT NULL,
	platform_time TIMESTAMP,
	at TIMESTAMP NOT NULL,
	author_id TEXT NOT NULL,
	author_handle TEXT NOT NULL,
	author_name TEXT NOT NULL,
	text TEXT NOT NULL,
	media TEXT NOT NULL,
	state TEXT NOT NULL,
	tags TEXT NOT NULL,
	raw BLOB NOT NULL,
	hash TEXT NOT NULL,
	disposed_at TIMESTAMP,
	disposition_run INTEGER
);
-- A version's hash covers its item (account and platform id) and capture
-- time, so this index is unique exactly where the hash is, and ingest finds
-- stored versions through it. Keyed by item first, new entries land near
-- the end of the index; an index on the hash alone takes them at random
-- places, and at a million versions every batch rewrote thousands of its
-- pages.
CREATE UNIQUE INDEX archive_versions_item ON archive_versions (item_id, captured_at, hash);
CREATE INDEX archive_versions_at ON archive_versions (at);

-- The full-text index, rowid = version id; searches drive from it. acct
-- holds one token, "a" and the account id, so that an account filter is
-- one more term of the match instead of a lookup per matching row.
CREATE VIRTUAL TABLE archive_fts USING fts5 (text, acct, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 0');

-- For each day of item time, the range of version ids with that time: a
-- date range becomes a rowid range for the full-text search.
CREATE TABLE archive_days (
	day TEXT PRIMARY KEY,
	min_id INTEGER NOT NULL,
	max_id INTEGER NOT NULL
) WITHOUT ROWID;

-- The Merkle tree (RFC 6962): every node of a complete subtree, by level
-- and index; level 0 holds the leaf hashes.
CREATE TABLE archive_log_nodes (
	level INTEGER NOT NULL,
	idx INTEGER NOT NULL,
	hash BLOB NOT NULL,
	PRIMARY KEY (level, idx)
) WITHOUT ROWID;

-- The log head: its size and the frontier (roots of the complete subtrees).
CREATE TABLE archive_log_head (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	size INTEGER NOT NULL,
	root BLOB NOT NULL,
	frontier BLOB NOT NULL
);
INSERT INTO archive_log_head (id, size, root, frontier) VALUES (1, 0, X'', X'');

CREATE TABLE archive_checkpoints (
	id INTEGER PRIMARY KEY,
	size INTEGER NOT NULL,
	root_hash TEXT NOT NULL,
	time TIMESTAMP NOT NULL,
	note TEXT NOT NULL
);

CREATE TABLE archive_holds (
	id INTEGER PRIMARY KEY,
	matter TEXT NOT NULL,
	accounts TEXT NOT NULL,
	from_time TIMESTAMP,
	until_time TIMESTAMP,
	query TEXT NOT NULL,
	placed_by TEXT NOT NULL,
	placed_at TIMESTAMP NOT NULL,
	released_by TEXT NOT NULL DEFAULT '',
	released_at TIMESTAMP,
	release_reason TEXT NOT NULL DEFAULT ''
);

CREATE TABLE archive_hold_items (
	hold_id INTEGER NOT NULL REFERENCES archive_holds (id),
	item_id INTEGER NOT NULL REFERENCES archive_items (id),
	PRIMARY KEY (hold_id, item_id)
) WITHOUT ROWID;
CREATE INDEX archive_hold_items_item ON archive_hold_items (item_id);

CREATE TABLE archive_disposition_runs (
	id INTEGER PRIMARY KEY,
	status TEXT NOT NULL,
	as_of TIMESTAMP NOT NULL,
	created_by TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL,
	approved_by TEXT NOT NULL DEFAULT '',
	approved_at TIMESTAMP,
	items INTEGER NOT NULL,
	disposed INTEGER NOT NULL DEFAULT 0,
	skipped INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE archive_disposition_entries (
	run_id INTEGER NOT NULL REFERENCES archive_disposition_runs (id),
	item_id INTEGER NOT NULL REFERENCES archive_items (id),
	account TEXT NOT NULL,
	kind TEXT NOT NULL,
	platform_id TEXT NOT NULL,
	first_captured TIMESTAMP NOT NULL,
	last_captured TIMESTAMP NOT NULL,
	versions INTEGER NOT NULL,
	class TEXT NOT NULL,
	eligible_at TIMESTAMP NOT NULL,
	disposed_at TIMESTAMP,
	skipped TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (run_id, item_id)
);
