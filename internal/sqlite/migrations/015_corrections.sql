-- Corrections and deletions of published posts (PUB-4): a draft is a post,
-- a correction of a published post, or a request to delete one; either
-- names the publication it corrects or deletes. A publication records what
-- it did (post, edit, reply or delete) and the exact text it sent, so that
-- a retry and capture can tell Steward's own edit from an edit made
-- elsewhere.
ALTER TABLE drafts ADD COLUMN kind TEXT NOT NULL DEFAULT 'post' CHECK (kind IN ('post', 'correction', 'deletion'));
ALTER TABLE drafts ADD COLUMN corrects_id INTEGER REFERENCES publications (id);
CREATE INDEX drafts_corrects ON drafts (corrects_id);

ALTER TABLE publications ADD COLUMN kind TEXT NOT NULL DEFAULT 'post' CHECK (kind IN ('post', 'edit', 'reply', 'delete'));
ALTER TABLE publications ADD COLUMN corrects_id INTEGER REFERENCES publications (id);
ALTER TABLE publications ADD COLUMN body TEXT NOT NULL DEFAULT '';
CREATE INDEX publications_corrects ON publications (corrects_id);
