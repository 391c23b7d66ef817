-- Forgotten passwords: a reset link's secret is kept only as its SHA-256,
-- expires after an hour and is used once (used_at).
CREATE TABLE password_resets (
	hash BLOB NOT NULL PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users (id),
	created_at TIMESTAMP NOT NULL,
	expires_at TIMESTAMP NOT NULL,
	used_at TIMESTAMP
);
CREATE INDEX password_resets_user ON password_resets (user_id);

-- Personal accounts a covered person declares (CND-2): Steward never
-- captures or monitors them, and refuses to register one as official.
-- Only the platform and handle are kept, to recognise it.
CREATE TABLE personal_accounts (
	id INTEGER PRIMARY KEY,
	person_id INTEGER NOT NULL REFERENCES people (id),
	platform TEXT NOT NULL,
	handle TEXT NOT NULL,
	declared_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX personal_accounts_handle ON personal_accounts (platform, handle);
