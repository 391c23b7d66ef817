-- Capture (REC-1, MOD-4, PUB-5, ACC-3, ACC-7): each official account's
-- connection to its platform, where capture stands, what each pass did, and
-- the flags it raised for a person to look at.
CREATE TABLE capture_connections (
	id INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL UNIQUE REFERENCES accounts (id),
	platform TEXT NOT NULL,
	base_url TEXT NOT NULL,
	remote_id TEXT NOT NULL,
	handle TEXT NOT NULL,
	credential_id INTEGER REFERENCES credentials (id),
	interval_seconds INTEGER NOT NULL,
	status TEXT NOT NULL,
	last_error TEXT NOT NULL DEFAULT '',
	error_kind TEXT NOT NULL DEFAULT '',
	failures INTEGER NOT NULL DEFAULT 0,
	last_run TIMESTAMP,
	last_success TIMESTAMP,
	next_run TIMESTAMP NOT NULL,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL,
	UNIQUE (platform, handle)
);
CREATE INDEX capture_connections_next ON capture_connections (status, next_run);

CREATE TABLE capture_cursors (
	connection_id INTEGER NOT NULL REFERENCES capture_connections (id),
	stream TEXT NOT NULL,
	next_cursor TEXT NOT NULL,
	updated_at TIMESTAMP NOT NULL,
	PRIMARY KEY (connection_id, stream)
);

CREATE TABLE capture_runs (
	id INTEGER PRIMARY KEY,
	connection_id INTEGER NOT NULL REFERENCES capture_connections (id),
	started_at TIMESTAMP NOT NULL,
	finished_at TIMESTAMP NOT NULL,
	pages INTEGER NOT NULL,
	stored INTEGER NOT NULL,
	edits INTEGER NOT NULL,
	deletions INTEGER NOT NULL,
	flags INTEGER NOT NULL,
	error TEXT NOT NULL,
	error_kind TEXT NOT NULL,
	retry_at TIMESTAMP
);
CREATE INDEX capture_runs_connection ON capture_runs (connection_id, id);

CREATE TABLE capture_flags (
	id INTEGER PRIMARY KEY,
	connection_id INTEGER NOT NULL REFERENCES capture_connections (id),
	account_id INTEGER NOT NULL REFERENCES accounts (id),
	kind TEXT NOT NULL,
	subject TEXT NOT NULL,
	detail TEXT NOT NULL,
	item_id INTEGER,
	raised_at TIMESTAMP NOT NULL,
	resolved_at TIMESTAMP,
	resolved_by TEXT NOT NULL DEFAULT '',
	resolution TEXT NOT NULL DEFAULT '',
	UNIQUE (connection_id, kind, subject)
);
CREATE INDEX capture_flags_open ON capture_flags (resolved_at, id);
