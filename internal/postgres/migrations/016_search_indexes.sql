-- The public portal's rule (sqlstore/public.go) asks, for every version a
-- public search or count reads, whether a final moderation decision on its
-- item made it private and whether a records request redacted it. Without
-- these indexes each question scanned the whole table once per version.
CREATE INDEX moderation_decisions_item ON moderation_decisions (item_id);
CREATE INDEX records_redactions_version ON records_redactions (version_id);
