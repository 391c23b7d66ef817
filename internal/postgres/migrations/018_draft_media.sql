-- The files staff upload for their drafts' attachments (issue 14): the
-- bytes are in the blob store by SHA-256; a row says who uploaded them, as
-- what kind and type, so that a draft names only files its author sent,
-- and so that nothing deletes a file a draft or a publication uses
-- (blob.Keep asks here before any Delete). A row is never removed.
CREATE TABLE media_uploads (
	sha256 TEXT NOT NULL,
	user_id BIGINT NOT NULL REFERENCES users (id),
	file TEXT NOT NULL,
	kind TEXT NOT NULL,
	content_type TEXT NOT NULL,
	size BIGINT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (sha256, user_id)
);
