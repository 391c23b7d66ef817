-- Search finds a word's other forms ("potholes" finds "pothole"): the
-- full-text table is rebuilt with the porter tokenizer (the Porter stemmer)
-- around unicode61, diacritics still kept, and refilled from the versions
-- whose content has not been disposed of, as ingest fills it.
-- PostgreSQL's 009 makes the same change to its tsvector column.
DROP TABLE archive_fts;
CREATE VIRTUAL TABLE archive_fts USING fts5 (text, acct, content = '', contentless_delete = 1, tokenize = 'porter unicode61 remove_diacritics 0');
INSERT INTO archive_fts (rowid, text, acct) SELECT id, text, 'a' || account_id FROM archive_versions WHERE disposed_at IS NULL ORDER BY id;
