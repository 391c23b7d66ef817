-- Records requests (REC-2) and the redactions of their productions (REC-6).
CREATE TABLE records_requests (
	id INTEGER PRIMARY KEY,
	requester TEXT NOT NULL,
	contact TEXT NOT NULL,
	received_on TIMESTAMP NOT NULL,
	subject BOOLEAN NOT NULL,
	kind TEXT NOT NULL,
	description TEXT NOT NULL,
	scope TEXT NOT NULL,
	status TEXT NOT NULL,
	due_on TIMESTAMP,
	notes TEXT NOT NULL,
	pages INTEGER NOT NULL,
	actual_cost_cents INTEGER NOT NULL,
	fee_cents INTEGER NOT NULL,
	fulfilled_on TIMESTAMP,
	created_by TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL
);
CREATE INDEX records_requests_open ON records_requests (status, due_on);

-- A redaction hides a span of one version's text in one request's export.
-- The version itself never changes.
CREATE TABLE records_redactions (
	id INTEGER PRIMARY KEY,
	request_id INTEGER NOT NULL REFERENCES records_requests (id),
	version_id INTEGER NOT NULL REFERENCES archive_versions (id),
	start_byte INTEGER NOT NULL,
	end_byte INTEGER NOT NULL,
	reason TEXT NOT NULL,
	created_by TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL
);
CREATE INDEX records_redactions_request ON records_redactions (request_id, version_id);
