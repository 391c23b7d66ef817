-- Public inquiries need not match a recorded removal (an unmatched one has
-- no form_id until Communications links it), keep what the resident said
-- about the comment, and carry a reference number per year (INQ-2026-0007):
-- ref_year and ref_seq, counted in moderation_inquiry_years.
ALTER TABLE moderation_inquiries ALTER COLUMN form_id DROP NOT NULL;
ALTER TABLE moderation_inquiries ADD COLUMN account TEXT NOT NULL DEFAULT '';
ALTER TABLE moderation_inquiries ADD COLUMN screen_name TEXT NOT NULL DEFAULT '';
ALTER TABLE moderation_inquiries ADD COLUMN posted_on TEXT NOT NULL DEFAULT '';
ALTER TABLE moderation_inquiries ADD COLUMN ref_year BIGINT NOT NULL DEFAULT 0;
ALTER TABLE moderation_inquiries ADD COLUMN ref_seq BIGINT NOT NULL DEFAULT 0;
UPDATE moderation_inquiries i SET ref_year = EXTRACT(YEAR FROM i.received_at AT TIME ZONE 'UTC')::BIGINT,
	ref_seq = (SELECT count(*) FROM moderation_inquiries o
		WHERE EXTRACT(YEAR FROM o.received_at AT TIME ZONE 'UTC') = EXTRACT(YEAR FROM i.received_at AT TIME ZONE 'UTC') AND o.id <= i.id);
ALTER TABLE moderation_inquiries ALTER COLUMN ref_year DROP DEFAULT;
ALTER TABLE moderation_inquiries ALTER COLUMN ref_seq DROP DEFAULT;
CREATE UNIQUE INDEX moderation_inquiries_reference ON moderation_inquiries (ref_year, ref_seq);

-- The last reference number given out each year.
CREATE TABLE moderation_inquiry_years (
	year BIGINT PRIMARY KEY,
	last BIGINT NOT NULL
);
INSERT INTO moderation_inquiry_years (year, last) SELECT ref_year, max(ref_seq) FROM moderation_inquiries GROUP BY ref_year;
