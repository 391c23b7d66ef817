-- Covert access needs two people (a SIC commander proposes, the covert
-- approver approves), and sign-in throttling remembers known devices.

CREATE TABLE covert_access (
	id INTEGER PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users (id),
	kind TEXT NOT NULL CHECK (kind IN ('commander', 'maintainer')),
	status TEXT NOT NULL CHECK (status IN ('proposed', 'approved', 'refused', 'withdrawn', 'revoked')),
	reason TEXT NOT NULL,
	proposed_by INTEGER REFERENCES users (id),
	proposed_at TIMESTAMP NOT NULL,
	decided_by INTEGER REFERENCES users (id),
	decided_at TIMESTAMP,
	decision_note TEXT NOT NULL DEFAULT '',
	revoked_by INTEGER REFERENCES users (id),
	revoked_at TIMESTAMP,
	revoke_reason TEXT NOT NULL DEFAULT '',
	-- Nobody proposes access for themselves; nobody approves their own
	-- proposal or access for themselves.
	CHECK (proposed_by IS NULL OR proposed_by <> user_id),
	CHECK (decided_by IS NULL OR decided_by <> user_id),
	CHECK (decided_by IS NULL OR proposed_by IS NULL OR decided_by <> proposed_by OR status = 'withdrawn')
);
-- At most one open proposal or grant of each kind per user.
CREATE UNIQUE INDEX covert_access_open ON covert_access (user_id, kind) WHERE status IN ('proposed', 'approved');
CREATE INDEX covert_access_user ON covert_access (user_id);

-- Access held before this migration is recorded as approved, without a
-- proposer or an approver.
INSERT INTO covert_access (user_id, kind, status, reason, proposed_at, decided_at)
SELECT DISTINCT u.id, 'commander', 'approved', 'held before covert access needed two people (migration 007)', u.created_at, u.created_at
FROM users u JOIN user_roles r ON r.user_id = u.id WHERE r.role = 'sic_commander';
INSERT INTO covert_access (user_id, kind, status, reason, proposed_at, decided_at)
SELECT u.id, 'maintainer', 'approved', 'maintained a covert profile before covert access needed two people (migration 007)', u.created_at, u.created_at
FROM users u WHERE u.id IN (SELECT maintainer_id FROM covert_profiles);

CREATE TABLE sign_in_devices (
	hash BLOB PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users (id),
	created_at TIMESTAMP NOT NULL,
	expires_at TIMESTAMP NOT NULL
);
CREATE INDEX sign_in_devices_expires ON sign_in_devices (expires_at);
