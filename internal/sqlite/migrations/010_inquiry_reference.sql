-- Public inquiries need not match a recorded removal (an unmatched one has
-- no form_id until Communications links it), keep what the resident said
-- about the comment, and carry a reference number per year (INQ-2026-0007):
-- ref_year and ref_seq, counted in moderation_inquiry_years. SQLite cannot
-- drop NOT NULL in place, so the table is rebuilt; no table references it.
CREATE TABLE moderation_inquiries_new (
	id INTEGER PRIMARY KEY,
	form_id INTEGER REFERENCES moderation_forms (id),
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
	email_error TEXT NOT NULL,
	account TEXT NOT NULL DEFAULT '',
	screen_name TEXT NOT NULL DEFAULT '',
	posted_on TEXT NOT NULL DEFAULT '',
	ref_year INTEGER NOT NULL,
	ref_seq INTEGER NOT NULL
);
INSERT INTO moderation_inquiries_new (id, form_id, name, contact, question, received_at, due_at, response, outcome, answered_at, answered_by,
	emailed_at, email_error, ref_year, ref_seq)
SELECT i.id, i.form_id, i.name, i.contact, i.question, i.received_at, i.due_at, i.response, i.outcome, i.answered_at, i.answered_by,
	i.emailed_at, i.email_error, CAST(substr(i.received_at, 1, 4) AS INTEGER),
	(SELECT count(*) FROM moderation_inquiries o WHERE substr(o.received_at, 1, 4) = substr(i.received_at, 1, 4) AND o.id <= i.id)
FROM moderation_inquiries i;
DROP TABLE moderation_inquiries;
ALTER TABLE moderation_inquiries_new RENAME TO moderation_inquiries;
CREATE UNIQUE INDEX moderation_inquiries_reference ON moderation_inquiries (ref_year, ref_seq);

-- The last reference number given out each year.
CREATE TABLE moderation_inquiry_years (
	year INTEGER PRIMARY KEY,
	last INTEGER NOT NULL
);
INSERT INTO moderation_inquiry_years (year, last) SELECT ref_year, max(ref_seq) FROM moderation_inquiries GROUP BY ref_year;
