-- The public search's answer of the portal's rule (sqlstore/public.go) per
-- version: the ids of the versions the portal shows with their content and
-- without a redacted span. The store keeps it exact in the transaction of
-- every write to an input of the rule (sqlstore/public_flag.go); pages found
-- through it are checked by the rule again, and steward verify compares the
-- two. Filled here for the versions already archived, by the same rule.
CREATE TABLE archive_public (version_id INTEGER PRIMARY KEY);
-- The rule finds the official account of an archive account by platform
-- and handle in any case: without this index, by a scan of the accounts.
CREATE INDEX accounts_platform_handle_ci ON accounts (platform, LOWER(handle));
INSERT INTO archive_public (version_id) SELECT v.id FROM archive_versions v WHERE
(((v.account_id IN (SELECT pa.id FROM archive_accounts pa WHERE EXISTS (SELECT 1 FROM accounts o
	WHERE o.platform = pa.platform AND LOWER(o.handle) = LOWER(pa.handle) AND o.status IN ('active', 'suspended', 'retired')) AND NOT EXISTS (SELECT 1 FROM covert_profiles cp WHERE (LOWER(LTRIM(pa.handle, '@')) = LOWER(LTRIM(cp.username, '@')) OR LOWER(LTRIM(pa.handle, '@')) LIKE LOWER(LTRIM(cp.username, '@')) || '@%'))) AND NOT EXISTS (SELECT 1 FROM covert_profiles cp WHERE (LOWER(LTRIM(v.author_handle, '@')) = LOWER(LTRIM(cp.username, '@')) OR LOWER(LTRIM(v.author_handle, '@')) LIKE LOWER(LTRIM(cp.username, '@')) || '@%') OR (LOWER(LTRIM(v.author_id, '@')) = LOWER(LTRIM(cp.username, '@')) OR LOWER(LTRIM(v.author_id, '@')) LIKE LOWER(LTRIM(cp.username, '@')) || '@%')) AND NOT (v.disposed_at IS NOT NULL AND v.kind IN ('comment', 'reply', 'message'))) AND COALESCE((SELECT c.class FROM archive_classifications c WHERE c.version_id = v.id ORDER BY c.id DESC LIMIT 1),
	CASE WHEN v.kind = 'message' THEN 'private'
	WHEN EXISTS (SELECT 1 FROM moderation_decisions d WHERE d.item_id = v.item_id AND d.status = 'final' AND d.code = 'private_info' AND d.action IN ('hide', 'remove')) THEN 'private'
	ELSE 'public' END) = 'public') AND NOT EXISTS (SELECT 1 FROM records_redactions rr WHERE rr.version_id = v.id));
