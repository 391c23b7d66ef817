-- Moderation: reason codes, queue, decisions, tracking forms, inquiries (MOD-1..7).

-- What a city changed of the policy's reason codes; the clause stays fixed.
CREATE TABLE moderation_codes (
	code TEXT PRIMARY KEY,
	label TEXT NOT NULL,
	description TEXT NOT NULL,
	second_review BOOLEAN NOT NULL,
	updated_by TEXT NOT NULL,
	updated_at TIMESTAMP NOT NULL
);

-- Accounts whose platform holds comments until they are reviewed.
CREATE TABLE moderation_holds (
	account_id INTEGER PRIMARY KEY REFERENCES archive_accounts (id),
	mode TEXT NOT NULL,
	updated_by TEXT NOT NULL,
	updated_at TIMESTAMP NOT NULL
);

-- The review queue: one entry per screened comment version that needs a person.
CREATE TABLE moderation_reviews (
	id INTEGER PRIMARY KEY,
	item_id INTEGER NOT NULL REFERENCES archive_items (id),
	version_id INTEGER NOT NULL REFERENCES archive_versions (id),
	account_id INTEGER NOT NULL REFERENCES archive_accounts (id),
	labels TEXT NOT NULL,
	scores TEXT NOT NULL,
	evidence TEXT NOT NULL,
	held BOOLEAN NOT NULL,
	source TEXT NOT NULL,
	posted_at TIMESTAMP,
	captured_at TIMESTAMP NOT NULL,
	queued_at TIMESTAMP NOT NULL,
	status TEXT NOT NULL,
	reviewed_at TIMESTAMP,
	closed_at TIMESTAMP,
	close_reason TEXT NOT NULL
);
CREATE INDEX moderation_reviews_status ON moderation_reviews (status, queued_at);
CREATE INDEX moderation_reviews_item ON moderation_reviews (item_id, status);

-- Keep, hide or remove, with a reason code; never edit, never block.
CREATE TABLE moderation_decisions (
	id INTEGER PRIMARY KEY,
	review_id INTEGER NOT NULL REFERENCES moderation_reviews (id),
	item_id INTEGER NOT NULL REFERENCES archive_items (id),
	action TEXT NOT NULL,
	code TEXT NOT NULL,
	note TEXT NOT NULL,
	names_official TEXT NOT NULL,
	needs_second BOOLEAN NOT NULL,
	status TEXT NOT NULL,
	decided_by_id INTEGER NOT NULL,
	decided_by TEXT NOT NULL,
	decided_at TIMESTAMP NOT NULL,
	second_by_id INTEGER NOT NULL,
	second_by TEXT NOT NULL,
	second_at TIMESTAMP,
	second_note TEXT NOT NULL,
	final_at TIMESTAMP,
	carry_status TEXT NOT NULL,
	carried_out_at TIMESTAMP,
	carry_error TEXT NOT NULL,
	reversed_at TIMESTAMP,
	reversed_by TEXT NOT NULL,
	inquiry_id INTEGER NOT NULL
);
CREATE INDEX moderation_decisions_review ON moderation_decisions (review_id);

-- The Removed Comments Tracking Form; disposed of after a year, keeping its hash.
CREATE TABLE moderation_forms (
	id INTEGER PRIMARY KEY,
	decision_id INTEGER NOT NULL UNIQUE REFERENCES moderation_decisions (id),
	item_id INTEGER NOT NULL REFERENCES archive_items (id),
	site TEXT NOT NULL,
	posted_at TIMESTAMP,
	screen_name TEXT NOT NULL,
	comment TEXT NOT NULL,
	reason TEXT NOT NULL,
	removed_at TIMESTAMP NOT NULL,
	removed_by TEXT NOT NULL,
	other TEXT NOT NULL,
	received_at TIMESTAMP NOT NULL,
	code TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL,
	content_hash TEXT NOT NULL,
	disposed_at TIMESTAMP,
	disposal_id INTEGER NOT NULL
);

-- Written questions from the public about removed comments.
CREATE TABLE moderation_inquiries (
	id INTEGER PRIMARY KEY,
	form_id INTEGER NOT NULL REFERENCES moderation_forms (id),
	name TEXT NOT NULL,
	contact TEXT NOT NULL,
	question TEXT NOT NULL,
	received_at TIMESTAMP NOT NULL,
	due_at TIMESTAMP NOT NULL,
	response TEXT NOT NULL,
	outcome TEXT NOT NULL,
	answered_at TIMESTAMP,
	answered_by TEXT NOT NULL,
	emailed_at TIMESTAMP,
	email_error TEXT NOT NULL
);

-- Staff reports of inappropriate content.
CREATE TABLE moderation_reports (
	id INTEGER PRIMARY KEY,
	item_id INTEGER NOT NULL,
	link TEXT NOT NULL,
	note TEXT NOT NULL,
	recipient TEXT NOT NULL,
	department_id INTEGER NOT NULL,
	reporter_id INTEGER NOT NULL,
	reported_by TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL,
	review_id INTEGER NOT NULL,
	status TEXT NOT NULL,
	closed_by TEXT NOT NULL,
	closed_at TIMESTAMP
);

-- Disposition records of tracking forms.
CREATE TABLE moderation_disposals (
	id INTEGER PRIMARY KEY,
	status TEXT NOT NULL,
	as_of TIMESTAMP NOT NULL,
	form_ids TEXT NOT NULL,
	created_by TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL,
	approved_by TEXT NOT NULL,
	approved_at TIMESTAMP,
	disposed INTEGER NOT NULL
);
