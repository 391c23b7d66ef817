-- Publishing through Steward (PUB-1, PUB-3, PUB-5, PUB-7): drafts for one
-- or several accounts, every revision kept with its screen, reviews, each
-- account's approval rule, and publications (the intent stored before the
-- platform is called, then its platform id and authority record).
CREATE TABLE drafts (
	id INTEGER PRIMARY KEY,
	author_id INTEGER NOT NULL REFERENCES users (id),
	status TEXT NOT NULL,
	revision INTEGER NOT NULL,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL
);
CREATE INDEX drafts_status ON drafts (status);

CREATE TABLE draft_accounts (
	draft_id INTEGER NOT NULL REFERENCES drafts (id),
	account_id INTEGER NOT NULL REFERENCES accounts (id),
	grant_id INTEGER NOT NULL REFERENCES posters (id),
	PRIMARY KEY (draft_id, account_id)
);

CREATE TABLE draft_revisions (
	draft_id INTEGER NOT NULL REFERENCES drafts (id),
	number INTEGER NOT NULL,
	author_id INTEGER NOT NULL REFERENCES users (id),
	body TEXT NOT NULL,
	media TEXT NOT NULL,
	links TEXT NOT NULL,
	category TEXT NOT NULL,
	scheduled_at TIMESTAMP,
	screen TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL,
	PRIMARY KEY (draft_id, number)
);

CREATE TABLE draft_reviews (
	id INTEGER PRIMARY KEY,
	draft_id INTEGER NOT NULL REFERENCES drafts (id),
	revision INTEGER NOT NULL,
	reviewer_id INTEGER NOT NULL REFERENCES users (id),
	decision TEXT NOT NULL CHECK (decision IN ('approve', 'changes', 'refuse', 'confirm')),
	comment TEXT NOT NULL,
	override TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL
);
CREATE INDEX draft_reviews_draft ON draft_reviews (draft_id);

CREATE TABLE publish_rules (
	account_id INTEGER PRIMARY KEY REFERENCES accounts (id),
	approver TEXT NOT NULL CHECK (approver IN ('director', 'communications', 'none')),
	approvals INTEGER NOT NULL,
	realtime_roles TEXT NOT NULL
);

CREATE TABLE publications (
	id INTEGER PRIMARY KEY,
	draft_id INTEGER NOT NULL REFERENCES drafts (id),
	revision INTEGER NOT NULL,
	account_id INTEGER NOT NULL REFERENCES accounts (id),
	connection_id INTEGER NOT NULL,
	idempotency_key TEXT NOT NULL UNIQUE,
	status TEXT NOT NULL CHECK (status IN ('intent', 'published', 'failed')),
	platform TEXT NOT NULL,
	platform_id TEXT NOT NULL,
	url TEXT NOT NULL,
	error TEXT NOT NULL,
	authority TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL,
	published_at TIMESTAMP,
	UNIQUE (draft_id, account_id)
);
CREATE INDEX publications_platform_id ON publications (platform, platform_id);
