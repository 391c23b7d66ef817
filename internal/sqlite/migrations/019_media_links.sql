-- Public links to the files of a post, for a network that fetches a post's
-- files from a public address instead of taking their bytes (Instagram):
-- a random token, kept only as its SHA-256, serves one file without
-- sign-in until expires_at (GET /media/out/{token}). A row is never
-- removed: it says which file was made public, for which publication, and
-- for how long.
CREATE TABLE media_links (
	token_sha256 TEXT NOT NULL PRIMARY KEY,
	sha256 TEXT NOT NULL,
	content_type TEXT NOT NULL,
	file TEXT NOT NULL,
	size INTEGER NOT NULL,
	publication_id INTEGER NOT NULL REFERENCES publications (id),
	created_at TIMESTAMP NOT NULL,
	expires_at TIMESTAMP NOT NULL
);
CREATE INDEX media_links_publication ON media_links (publication_id);
