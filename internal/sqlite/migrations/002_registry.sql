-- The registry: official accounts and their approval chains, authorized
-- posters, credentials in custody, covert profiles and notifications.
CREATE TABLE accounts (
	id INTEGER PRIMARY KEY,
	department_id INTEGER NOT NULL REFERENCES departments (id),
	platform TEXT NOT NULL,
	handle TEXT NOT NULL,
	display_name TEXT NOT NULL,
	url TEXT NOT NULL DEFAULT '',
	purpose TEXT NOT NULL,
	audience TEXT NOT NULL,
	categories TEXT NOT NULL,
	website_url TEXT NOT NULL,
	profile_text TEXT NOT NULL,
	status TEXT NOT NULL,
	status_reason TEXT NOT NULL DEFAULT '',
	official_id INTEGER REFERENCES people (id),
	requested_by INTEGER NOT NULL REFERENCES users (id),
	requested_at TIMESTAMP NOT NULL,
	approved_at TIMESTAMP,
	activated_at TIMESTAMP,
	ended_at TIMESTAMP,
	updated_at TIMESTAMP NOT NULL,
	profile_website TEXT NOT NULL DEFAULT '',
	profile_emergency TEXT NOT NULL DEFAULT '',
	profile_disclaimer TEXT NOT NULL DEFAULT '',
	profile_checked_at TIMESTAMP
);
CREATE INDEX accounts_department ON accounts (department_id);
CREATE INDEX accounts_status ON accounts (status);

CREATE TABLE account_admins (
	account_id INTEGER NOT NULL REFERENCES accounts (id),
	person_id INTEGER NOT NULL REFERENCES people (id),
	PRIMARY KEY (account_id, person_id)
);

CREATE TABLE account_approvals (
	id INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES accounts (id),
	step INTEGER NOT NULL,
	label TEXT NOT NULL,
	approver_id INTEGER NOT NULL REFERENCES users (id),
	decision TEXT NOT NULL,
	comment TEXT NOT NULL,
	decided_at TIMESTAMP NOT NULL,
	UNIQUE (account_id, step)
);

CREATE TABLE approval_chains (
	department_id INTEGER NOT NULL REFERENCES departments (id),
	position INTEGER NOT NULL,
	label TEXT NOT NULL,
	role TEXT NOT NULL,
	role_department_id INTEGER REFERENCES departments (id),
	user_id INTEGER REFERENCES users (id),
	PRIMARY KEY (department_id, position)
);

CREATE TABLE posters (
	id INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES accounts (id),
	user_id INTEGER NOT NULL REFERENCES users (id),
	reason TEXT NOT NULL,
	status TEXT NOT NULL,
	requested_at TIMESTAMP NOT NULL,
	decided_by INTEGER REFERENCES users (id),
	decided_at TIMESTAMP,
	expires_at TIMESTAMP,
	certified_at TIMESTAMP,
	revoked_at TIMESTAMP,
	note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX posters_account ON posters (account_id);
CREATE INDEX posters_user ON posters (user_id);

CREATE TABLE covert_profiles (
	id INTEGER PRIMARY KEY,
	site_name TEXT NOT NULL,
	site_url TEXT NOT NULL,
	username TEXT NOT NULL,
	screen_name TEXT NOT NULL,
	maintainer_id INTEGER NOT NULL REFERENCES users (id),
	purpose TEXT NOT NULL,
	registered_on TIMESTAMP NOT NULL,
	next_audit_on TIMESTAMP NOT NULL,
	status TEXT NOT NULL,
	ended_on TIMESTAMP,
	end_reason TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL
);

CREATE TABLE covert_audits (
	id INTEGER PRIMARY KEY,
	profile_id INTEGER NOT NULL REFERENCES covert_profiles (id),
	auditor_id INTEGER NOT NULL REFERENCES users (id),
	audited_at TIMESTAMP NOT NULL,
	still_active BOOLEAN NOT NULL,
	still_needed BOOLEAN NOT NULL,
	note TEXT NOT NULL
);

CREATE TABLE credentials (
	id INTEGER PRIMARY KEY,
	account_id INTEGER REFERENCES accounts (id),
	covert_id INTEGER REFERENCES covert_profiles (id),
	kind TEXT NOT NULL,
	key_id TEXT NOT NULL,
	wrapped_key BLOB NOT NULL,
	ciphertext BLOB NOT NULL,
	stored_by INTEGER NOT NULL,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL,
	rotation_needed_at TIMESTAMP,
	rotation_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX credentials_account ON credentials (account_id);
CREATE INDEX credentials_covert ON credentials (covert_id);

CREATE TABLE vault_check (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	key_id TEXT NOT NULL,
	wrapped_key BLOB NOT NULL,
	ciphertext BLOB NOT NULL
);

CREATE TABLE notifications (
	id INTEGER PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users (id),
	kind TEXT NOT NULL,
	message TEXT NOT NULL,
	link TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL,
	read_at TIMESTAMP
);
CREATE INDEX notifications_user ON notifications (user_id, id);

CREATE TABLE contracts (
	id INTEGER PRIMARY KEY,
	platform TEXT NOT NULL,
	title TEXT NOT NULL,
	version TEXT NOT NULL,
	url TEXT NOT NULL,
	accepted_by TEXT NOT NULL,
	authority TEXT NOT NULL,
	accepted_on TIMESTAMP NOT NULL,
	review_on TIMESTAMP NOT NULL,
	account_ids TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL
);

CREATE TABLE follows (
	id INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES accounts (id),
	handle TEXT NOT NULL,
	name TEXT NOT NULL,
	kind TEXT NOT NULL,
	note TEXT NOT NULL,
	recorded_at TIMESTAMP NOT NULL,
	UNIQUE (account_id, handle)
);

CREATE TABLE policy_versions (
	id INTEGER PRIMARY KEY,
	slug TEXT NOT NULL,
	title TEXT NOT NULL,
	version TEXT NOT NULL,
	url TEXT NOT NULL,
	published_at TIMESTAMP NOT NULL,
	UNIQUE (slug, version)
);

CREATE TABLE acknowledgements (
	policy_version_id INTEGER NOT NULL REFERENCES policy_versions (id),
	person_id INTEGER NOT NULL REFERENCES people (id),
	acknowledged_at TIMESTAMP NOT NULL,
	PRIMARY KEY (policy_version_id, person_id)
);

CREATE TABLE conduct_cases (
	id INTEGER PRIMARY KEY,
	person_id INTEGER NOT NULL REFERENCES people (id),
	summary TEXT NOT NULL,
	status TEXT NOT NULL,
	outcome TEXT NOT NULL DEFAULT '',
	opened_by INTEGER NOT NULL REFERENCES users (id),
	opened_at TIMESTAMP NOT NULL,
	closed_at TIMESTAMP
);

CREATE TABLE conduct_entries (
	id INTEGER PRIMARY KEY,
	case_id INTEGER NOT NULL REFERENCES conduct_cases (id),
	kind TEXT NOT NULL,
	ref TEXT NOT NULL,
	text TEXT NOT NULL,
	added_by INTEGER NOT NULL REFERENCES users (id),
	added_at TIMESTAMP NOT NULL
);
CREATE INDEX conduct_entries_case ON conduct_entries (case_id);
