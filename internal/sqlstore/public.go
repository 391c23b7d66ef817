package sqlstore

import (
	"context"
	"database/sql"
	"maps"
	"strconv"

	"steward.city/steward/internal/civic"
)

// The public portal's rule (civic.PublicReader), in one place: every public
// read and the archive search's Public filter use these conditions on a
// version v, so that no page, feed or count can show more than they allow.

// covertMatch is true when the handle or id in column col names a covert
// profile's username: compared without a leading '@' or case, and also as
// the local part of a handle on an instance ("@name@host"). It may match
// more than the profile (a '_' in a username matches any character), never
// less.
func covertMatch(col string) string {
	u := `LOWER(LTRIM(cp.username, '@'))`
	c := `LOWER(LTRIM(` + col + `, '@'))`
	return `(` + c + ` = ` + u + ` OR ` + c + ` LIKE ` + u + ` || '@%')`
}

// publicAccounts selects the archive accounts the portal may show: those
// of a registered official account that is active, suspended or retired,
// and that no covert profile's username names.
const publicAccountIDs = `SELECT pa.id FROM archive_accounts pa WHERE ` + publicAccountOfficial

// publicAccountOfficial is true of an archive account pa that a
// registered official account names.
const publicAccountOfficial = `EXISTS (SELECT 1 FROM accounts o
	WHERE o.platform = pa.platform AND LOWER(o.handle) = LOWER(pa.handle) AND o.status IN ('active', 'suspended', 'retired'))`

// publicAccountNotCovert is true of an archive account pa that no covert
// profile's username names.
var publicAccountNotCovert = `NOT EXISTS (SELECT 1 FROM covert_profiles cp WHERE ` + covertMatch("pa.handle") + `)`

var publicAccountCond = publicAccountIDs + ` AND ` + publicAccountNotCovert

// publicShown is true of a version v that the portal may show at all
// (content or a notice that it is withheld). A disposed comment, reply or
// message is not: disposition erased its author, so the covert rule can no
// longer be applied to it, and it may have been a covert profile's.
var publicShown = `(v.account_id IN (` + publicAccountCond + `) AND ` + publicAuthorShown + `)`

// publicShownRow is publicShown with the account checked for v alone
// rather than listed: for a few versions, where listing every public
// account costs more than the versions (the search's page check).
var publicShownRow = `(EXISTS (SELECT 1 FROM archive_accounts pa WHERE pa.id = v.account_id AND ` + publicAccountOfficial + ` AND ` + publicAccountNotCovert + `) AND ` +
	publicAuthorShown + `)`

// publicAuthorShown is publicShown's condition on v's author and disposal.
var publicAuthorShown = `NOT EXISTS (SELECT 1 FROM covert_profiles cp WHERE ` + covertMatch("v.author_handle") + ` OR ` + covertMatch("v.author_id") +
	`) AND NOT (v.disposed_at IS NOT NULL AND v.kind IN ('comment', 'reply', 'message'))`

// publicClass is the classification in force of version v: the clerk's
// newest, else the default rules.
const publicClass = `COALESCE((SELECT c.class FROM archive_classifications c WHERE c.version_id = v.id ORDER BY c.id DESC LIMIT 1),
	CASE WHEN v.kind = 'message' THEN 'private'
	WHEN EXISTS (SELECT 1 FROM moderation_decisions d WHERE d.item_id = v.item_id AND d.status = 'final' AND d.code = 'private_info' AND d.action IN ('hide', 'remove')) THEN 'private'
	ELSE 'public' END)`

// publicVersion is true of a version whose content the portal shows.
var publicVersion = `(` + publicShown + ` AND ` + publicClass + ` = 'public')`

// PublicAccounts lists the official accounts the portal shows.
func (r *reader) PublicAccounts(ctx context.Context) (_ []*civic.PublicAccount, err error) {
	defer civic.Wrap(&err, "public accounts")
	// Each account's archive account (the lowest id of the same platform
	// and handle in any case) is matched here rather than by a subquery per
	// account, which scanned the archive accounts of the platform for each
	// (half the portal's search page at 200 accounts). The engine lowers
	// both handles, as everywhere else the rule compares them.
	rows, err := r.query(ctx, `SELECT pa.id, pa.platform, LOWER(pa.handle) FROM archive_accounts pa
		WHERE EXISTS (SELECT 1 FROM accounts o WHERE o.platform = pa.platform AND LOWER(o.handle) = LOWER(pa.handle)) ORDER BY pa.id`)
	if err != nil {
		return nil, err
	}
	archived := map[[2]string]int64{}
	for rows.Next() {
		var id int64
		var k [2]string
		if err := rows.Scan(&id, &k[0], &k[1]); err != nil {
			rows.Close()
			return nil, err
		}
		if _, ok := archived[k]; !ok {
			archived[k] = id
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = r.query(ctx, `SELECT o.id, LOWER(o.handle), o.platform, o.handle, o.display_name, o.url, d.name, o.status, o.ended_at
		FROM accounts o JOIN departments d ON d.id = o.department_id
		WHERE o.status IN ('active', 'suspended', 'retired') AND NOT EXISTS (SELECT 1 FROM covert_profiles cp WHERE `+covertMatch("o.handle")+`)
		ORDER BY o.display_name, o.id`)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(row interface{ Scan(...any) error }) (*civic.PublicAccount, error) {
		var a civic.PublicAccount
		var lower string
		var ended sql.NullTime
		if err := row.Scan(&a.ID, &lower, &a.Platform, &a.Handle, &a.DisplayName, &a.URL, &a.Department, &a.Status, &ended); err != nil {
			return nil, err
		}
		a.ArchiveID = archived[[2]string{a.Platform, lower}]
		a.EndedAt = nullTime(ended)
		return &a, nil
	})
}

// PublicAccountsOf returns the official accounts of archiveIDs that the
// portal shows, by archive account id; see civic.PublicReader.
func (r *reader) PublicAccountsOf(ctx context.Context, archiveIDs []int64) (_ map[int64]*civic.PublicAccount, err error) {
	defer civic.Wrap(&err, "public accounts")
	leave, err := r.turn(ctx)
	if err != nil {
		return nil, err
	}
	defer leave()
	out := map[int64]*civic.PublicAccount{}
	// The archive accounts asked for come first (CROSS JOIN keeps SQLite
	// from choosing otherwise): with twenty of them, SQLite read every
	// official account and scanned each one's platform instead, 1.2 ms
	// against 0.1 ms at 200 accounts.
	for lo := 0; lo < len(archiveIDs); lo += batchRows {
		part := archiveIDs[lo:min(lo+batchRows, len(archiveIDs))]
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = id
		}
		rows, err := r.query(ctx, `SELECT pa.id, o.id, o.platform, o.handle, o.display_name, o.url, d.name, o.status, o.ended_at
			FROM archive_accounts pa CROSS JOIN accounts o JOIN departments d ON d.id = o.department_id
			WHERE pa.id IN (`+placeholders(len(part))+`) AND o.platform = pa.platform AND LOWER(o.handle) = LOWER(pa.handle)
			AND o.status IN ('active', 'suspended', 'retired')
			AND NOT EXISTS (SELECT 1 FROM covert_profiles cp WHERE `+covertMatch("o.handle")+`)
			ORDER BY o.display_name, o.id`, args...)
		if err != nil {
			return nil, err
		}
		as, err := collect(rows, func(row interface{ Scan(...any) error }) (*civic.PublicAccount, error) {
			var a civic.PublicAccount
			var ended sql.NullTime
			if err := row.Scan(&a.ArchiveID, &a.ID, &a.Platform, &a.Handle, &a.DisplayName, &a.URL, &a.Department, &a.Status, &ended); err != nil {
				return nil, err
			}
			a.EndedAt = nullTime(ended)
			return &a, nil
		})
		if err != nil {
			return nil, err
		}
		for _, a := range as {
			if out[a.ArchiveID] == nil { // the first by display name, as PublicAccounts lists them
				out[a.ArchiveID] = a
			}
		}
	}
	return out, nil
}

// PublicClasses returns the classification in force of each version of
// ids that the portal may show.
func (r *reader) PublicClasses(ctx context.Context, ids []int64) (_ map[int64]*civic.Classification, err error) {
	defer civic.Wrap(&err, "public classifications")
	out := map[int64]*civic.Classification{}
	for lo := 0; lo < len(ids); lo += batchRows {
		part := ids[lo:min(lo+batchRows, len(ids))]
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = id
		}
		rows, err := r.query(ctx, `SELECT v.id, v.item_id, v.kind, `+publicClass+`,
			COALESCE((SELECT c.id FROM archive_classifications c WHERE c.version_id = v.id ORDER BY c.id DESC LIMIT 1), 0)
			FROM archive_versions v WHERE v.id IN (`+placeholders(len(part))+`) AND `+publicShown, args...)
		if err != nil {
			return nil, err
		}
		var rowIDs []int64
		err = func() error {
			defer rows.Close()
			for rows.Next() {
				var c civic.Classification
				var kind civic.ItemKind
				var rowID int64
				if err := rows.Scan(&c.VersionID, &c.ItemID, &kind, &c.Class, &rowID); err != nil {
					return err
				}
				if rowID != 0 {
					c.ID = rowID
					rowIDs = append(rowIDs, rowID)
				} else {
					c.Default, c.SetBy = true, "steward"
					switch {
					case c.Class == civic.ClassPublic:
						c.Reason = civic.ReasonDefaultPublic
					case kind == civic.ItemMessage:
						c.Statute, c.Reason = civic.DefaultPrivateStatute, civic.ReasonDirectMessage
					default:
						c.Statute, c.Reason = civic.DefaultPrivateStatute, civic.ReasonPrivateInfo
					}
				}
				out[c.VersionID] = &c
			}
			return rows.Err()
		}()
		if err != nil {
			return nil, err
		}
		if len(rowIDs) == 0 {
			continue
		}
		args = args[:0]
		for _, id := range rowIDs {
			args = append(args, id)
		}
		rs, err := r.query(ctx, `SELECT `+classColumns+` FROM archive_classifications c WHERE c.id IN (`+placeholders(len(rowIDs))+`)`, args...)
		if err != nil {
			return nil, err
		}
		cs, err := collect(rs, scanClassification)
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			out[c.VersionID] = c
		}
	}
	return out, nil
}

const classColumns = `c.id, c.item_id, c.version_id, c.class, c.statute, c.reason, c.set_by, c.set_at`

func scanClassification(row interface{ Scan(...any) error }) (*civic.Classification, error) {
	var c civic.Classification
	if err := row.Scan(&c.ID, &c.ItemID, &c.VersionID, &c.Class, &c.Statute, &c.Reason, &c.SetBy, &c.SetAt); err != nil {
		return nil, err
	}
	c.SetAt = c.SetAt.UTC()
	return &c, nil
}

// Classifications lists the clerk's classifications of an item, oldest first.
func (r *reader) Classifications(ctx context.Context, itemID int64) (_ []*civic.Classification, err error) {
	defer civic.Wrap(&err, "classifications")
	rows, err := r.query(ctx, `SELECT `+classColumns+` FROM archive_classifications c WHERE c.item_id = ? ORDER BY c.id`, itemID)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanClassification)
}

// PublicPosts returns a page of an archive account's posts the portal may
// show, newest first, and how many there are.
func (r *reader) PublicPosts(ctx context.Context, archiveAccountID int64, offset, limit int) (_ []*civic.ArchiveItem, total int, err error) {
	defer civic.Wrap(&err, "public posts")
	if limit < 1 || limit > civic.MaxArchiveLimit+1 || offset < 0 {
		return nil, 0, civic.Invalid("page", "the page is out of range")
	}
	// The account's rule is checked once; each post's only by its
	// authors, as every version of an item has the same account.
	where := ` WHERE i.account_id = ? AND i.kind = 'post' AND ? IN (` + publicAccountCond + `)
		AND NOT EXISTS (SELECT 1 FROM archive_versions v WHERE v.item_id = i.id AND EXISTS (SELECT 1 FROM covert_profiles cp WHERE ` +
		covertMatch("v.author_handle") + ` OR ` + covertMatch("v.author_id") + `))`
	if err := r.queryRow(ctx, `SELECT COUNT(*) FROM archive_items i`+where, archiveAccountID, archiveAccountID).Scan(&total); err != nil {
		return nil, 0, err
	}
	// The page's ids first, so that the columns (the latest text of each)
	// are read for the page only, not for every post sorted.
	rows, err := r.query(ctx, `SELECT `+itemColumns+itemFrom+` WHERE i.id IN (SELECT i.id FROM archive_items i`+where+
		` ORDER BY i.first_captured DESC, i.id DESC LIMIT ? OFFSET ?) ORDER BY i.first_captured DESC, i.id DESC`, archiveAccountID, archiveAccountID, limit, offset)
	if err != nil {
		return nil, 0, err
	}
	items, err := collect(rows, scanItem)
	return items, total, err
}

// PublicThreads returns the items of the threads started by threadIDs in
// one archive account, oldest first, without messages.
func (r *reader) PublicThreads(ctx context.Context, archiveAccountID int64, threadIDs []string) (_ []*civic.ArchiveItem, err error) {
	defer civic.Wrap(&err, "public threads")
	var out []*civic.ArchiveItem
	for lo := 0; lo < len(threadIDs); lo += batchRows {
		part := threadIDs[lo:min(lo+batchRows, len(threadIDs))]
		args := []any{archiveAccountID}
		for _, id := range part {
			args = append(args, id)
		}
		// Two index lookups (account and thread; account and platform id)
		// rather than an OR the planner would scan the account for.
		rows, err := r.query(ctx, `SELECT `+itemColumns+itemFrom+` WHERE i.id IN (
			SELECT t.id FROM archive_items t WHERE t.account_id = ? AND t.thread_id IN (`+placeholders(len(part))+`)
			UNION SELECT t.id FROM archive_items t WHERE t.account_id = ? AND t.platform_id IN (`+placeholders(len(part))+`))
			AND i.kind <> 'message' ORDER BY i.first_captured, i.id`, append(append(args, archiveAccountID), args[1:]...)...)
		if err != nil {
			return nil, err
		}
		items, err := collect(rows, scanItem)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
	}
	return out, nil
}

// PublicRemovals returns the hide or removal in force on each of itemIDs.
func (r *reader) PublicRemovals(ctx context.Context, itemIDs []int64) (_ map[int64]*civic.PublicRemoval, err error) {
	defer civic.Wrap(&err, "public removals")
	out := map[int64]*civic.PublicRemoval{}
	for lo := 0; lo < len(itemIDs); lo += batchRows {
		part := itemIDs[lo:min(lo+batchRows, len(itemIDs))]
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = id
		}
		rows, err := r.query(ctx, `SELECT d.item_id, d.action, d.code, d.decided_at, d.final_at, COALESCE(f.id, 0)
			FROM moderation_decisions d LEFT JOIN moderation_forms f ON f.decision_id = d.id
			WHERE d.item_id IN (`+placeholders(len(part))+`) AND d.status = 'final' AND d.action IN ('hide', 'remove') ORDER BY d.id`, args...)
		if err != nil {
			return nil, err
		}
		rs, err := collect(rows, func(row interface{ Scan(...any) error }) (*civic.PublicRemoval, error) {
			var p civic.PublicRemoval
			var final sql.NullTime
			if err := row.Scan(&p.ItemID, &p.Action, &p.Code, &p.RemovedAt, &final, &p.FormID); err != nil {
				return nil, err
			}
			if final.Valid {
				p.RemovedAt = final.Time
			}
			p.RemovedAt = p.RemovedAt.UTC()
			return &p, nil
		})
		if err != nil {
			return nil, err
		}
		for _, p := range rs {
			out[p.ItemID] = p
		}
	}
	return out, nil
}

// Classify stores a clerk's classifications, one audit event per item.
func (t *tx) Classify(ctx context.Context, cs []*civic.Classification) error {
	byItem := map[int64][]*civic.Classification{}
	var items []int64
	for _, c := range cs {
		if err := c.Validate(); err != nil {
			return err
		}
		var itemID int64
		if err := t.queryRow(ctx, `SELECT item_id FROM archive_versions WHERE id = ?`, c.VersionID).Scan(&itemID); err != nil {
			return notFound(err, "version")
		}
		if c.ItemID != 0 && c.ItemID != itemID {
			return civic.Invalid("version_id", "version %d is not a version of item %d", c.VersionID, c.ItemID)
		}
		c.ItemID, c.SetBy, c.SetAt, c.Default = itemID, t.actor.Label, t.Now(), false
		if err := t.queryRow(ctx, `INSERT INTO archive_classifications (item_id, version_id, class, statute, reason, set_by, set_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			c.ItemID, c.VersionID, string(c.Class), c.Statute, c.Reason, c.SetBy, dbTime(c.SetAt)).Scan(&c.ID); err != nil {
			return err
		}
		if err := t.refreshPublicVersion(ctx, c.VersionID); err != nil {
			return err
		}
		if _, ok := byItem[itemID]; !ok {
			items = append(items, itemID)
		}
		byItem[itemID] = append(byItem[itemID], c)
	}
	for _, id := range items {
		if err := t.Record(ctx, civic.Change{Action: "archive.classify", ObjectType: "archive_item", ObjectID: strconv.FormatInt(id, 10), After: byItem[id]}); err != nil {
			return err
		}
	}
	return nil
}

// PublicRedactions returns the redacted spans of each of ids, by start.
func (r *reader) PublicRedactions(ctx context.Context, ids []int64) (_ map[int64][]*civic.Redaction, err error) {
	defer civic.Wrap(&err, "public redactions")
	out := map[int64][]*civic.Redaction{}
	for lo := 0; lo < len(ids); lo += batchRows {
		part := ids[lo:min(lo+batchRows, len(ids))]
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = id
		}
		rows, err := r.query(ctx, `SELECT id, request_id, version_id, start_byte, end_byte, reason, created_by, created_at FROM records_redactions
			WHERE version_id IN (`+placeholders(len(part))+`) ORDER BY version_id, start_byte, id`, args...)
		if err != nil {
			return nil, err
		}
		rs, err := collect(rows, func(row interface{ Scan(...any) error }) (*civic.Redaction, error) {
			var d civic.Redaction
			err := row.Scan(&d.ID, &d.RequestID, &d.VersionID, &d.Start, &d.End, &d.Reason, &d.CreatedBy, &d.CreatedAt)
			return &d, err
		})
		if err != nil {
			return nil, err
		}
		for _, d := range rs {
			out[d.VersionID] = append(out[d.VersionID], d)
		}
	}
	return out, nil
}

// PublicSuperseded returns which of ids have a later version of their
// item; see civic.PublicReader. Each is one lookup in the item's versions
// (archive_versions_item).
func (r *reader) PublicSuperseded(ctx context.Context, ids []int64) (_ map[int64]bool, err error) {
	defer civic.Wrap(&err, "later versions")
	out := map[int64]bool{}
	if len(ids) == 0 {
		return out, nil
	}
	leave, err := r.turn(ctx)
	if err != nil {
		return nil, err
	}
	defer leave()
	for lo := 0; lo < len(ids); lo += batchRows {
		part := ids[lo:min(lo+batchRows, len(ids))]
		rows, err := r.query(ctx, `SELECT v.id FROM archive_versions v WHERE v.id IN (`+placeholders(len(part))+`)
			AND EXISTS (SELECT 1 FROM archive_versions w WHERE w.item_id = v.item_id
				AND (w.captured_at > v.captured_at OR (w.captured_at = v.captured_at AND w.id > v.id)))`, int64Args(part)...)
		if err != nil {
			return nil, err
		}
		later, err := scanIDs(rows)
		if err != nil {
			return nil, err
		}
		maps.Copy(out, later)
	}
	return out, nil
}
