-- Search finds a word's other forms ("potholes" finds "pothole"): the
-- tsvector column moves from the 'simple' configuration to steward_search,
-- which is 'simple' (the same parser, words lower-cased, diacritics kept)
-- with its word tokens stemmed by Snowball's English stemmer. The stemmer
-- has no stop-word list, so that no word is dropped that SQLite keeps.
-- SQLite's 009 makes the same change to its full-text table (porter).
CREATE TEXT SEARCH DICTIONARY steward_search_stem (TEMPLATE = snowball, Language = english);
CREATE TEXT SEARCH CONFIGURATION steward_search (COPY = simple);
ALTER TEXT SEARCH CONFIGURATION steward_search
	ALTER MAPPING FOR asciiword, word, numword, asciihword, hword, numhword, hword_asciipart, hword_part, hword_numpart
	WITH steward_search_stem;
DROP INDEX archive_versions_tsv;
ALTER TABLE archive_versions DROP COLUMN tsv;
ALTER TABLE archive_versions ADD COLUMN tsv tsvector GENERATED ALWAYS AS (to_tsvector('steward_search', text)) STORED;
CREATE INDEX archive_versions_tsv ON archive_versions USING GIN (tsv);
