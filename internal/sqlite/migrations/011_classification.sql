-- The public records portal (REC-7): the classification of archived
-- versions under the Minnesota Government Data Practices Act. A version
-- without a row here has its default classification (docs/public.md),
-- computed from what is true of it when it is read: a direct message is
-- private, a comment removed for private information is private, anything
-- else on an official account is public. A row is a clerk's decision with
-- its statute and reason; the newest row of a version is in force, and the
-- older ones are its history. The version itself is never changed.
CREATE TABLE archive_classifications (
	id INTEGER PRIMARY KEY,
	item_id INTEGER NOT NULL REFERENCES archive_items (id),
	version_id INTEGER NOT NULL REFERENCES archive_versions (id),
	class TEXT NOT NULL CHECK (class IN ('public', 'private', 'nonpublic')),
	statute TEXT NOT NULL,
	reason TEXT NOT NULL,
	set_by TEXT NOT NULL,
	set_at TIMESTAMP NOT NULL,
	CHECK (class = 'public' OR statute <> '')
);
CREATE INDEX archive_classifications_version ON archive_classifications (version_id, id);
CREATE INDEX archive_classifications_item ON archive_classifications (item_id, id);
