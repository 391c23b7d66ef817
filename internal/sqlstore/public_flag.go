package sqlstore

import (
	"context"
	"fmt"
	"strconv"

	"steward.city/steward/internal/civic"
)

// The public search reads the portal's rule from a table, archive_public:
// the ids of the versions publicFindable holds for, kept exact in the same
// transaction as every write to an input of the rule (refreshPublic), and
// filled for an existing database by migration 017. A search is then the
// full-text index and one primary-key lookup per match, instead of the
// rule's subqueries per match. The rule stays the authority: every page
// found through the table is checked by it again (publicRecheck), so that
// a row the table holds wrongly can hide a version but never show it;
// CheckPublic compares the two for every version (steward verify).

// publicFindable is true of a version the public search may find: one the
// portal shows with its content and without a redacted span (a match would
// tell what the gap holds).
var publicFindable = `(` + publicVersion + ` AND ` + publicUnredacted + `)`

// publicFindableRow is publicFindable for a few versions (publicShownRow).
var publicFindableRow = `(` + publicShownRow + ` AND ` + publicClass + ` = 'public' AND ` + publicUnredacted + `)`

const publicUnredacted = `NOT EXISTS (SELECT 1 FROM records_redactions rr WHERE rr.version_id = v.id)`

// publicFlagged is the search's condition on a version v: the table holds it.
const publicFlagged = `EXISTS (SELECT 1 FROM archive_public ap WHERE ap.version_id = v.id)`

// publicFlaggedPG is publicFlagged for PostgreSQL: OFFSET 0 keeps the
// EXISTS a lookup per version. As a semi-join, the planner merged the
// versions of an id window with archive_public read from its first row
// (0.5 s at 1M to count a common word's newest 1,001, against 2 ms).
const publicFlaggedPG = `EXISTS (SELECT 1 FROM archive_public ap WHERE ap.version_id = v.id OFFSET 0)`

// refreshPublic recomputes archive_public for the versions that scope, a
// condition on archive_versions v with its arguments, selects. Every write
// to an input of the rule calls it in its transaction, before its audit
// event.
func (t *tx) refreshPublic(ctx context.Context, scope string, args ...any) error {
	if _, err := t.exec(ctx, `DELETE FROM archive_public WHERE version_id IN (SELECT v.id FROM archive_versions v WHERE `+scope+`)`, args...); err != nil {
		return fmt.Errorf("public flag: %w", err)
	}
	if _, err := t.exec(ctx, `INSERT INTO archive_public (version_id) SELECT v.id FROM archive_versions v WHERE (`+scope+`) AND `+publicFindable, args...); err != nil {
		return fmt.Errorf("public flag: %w", err)
	}
	return nil
}

// refreshPublicVersion recomputes the flag of one version.
func (t *tx) refreshPublicVersion(ctx context.Context, id int64) error {
	return t.refreshPublic(ctx, `v.id = ?`, id)
}

// refreshPublicItem recomputes the flag of every version of an item.
func (t *tx) refreshPublicItem(ctx context.Context, itemID int64) error {
	return t.refreshPublic(ctx, `v.item_id = ?`, itemID)
}

// refreshPublicHandle recomputes the flag of the versions of the archive
// accounts an official account with this platform and handle names.
func (t *tx) refreshPublicHandle(ctx context.Context, platform, handle string) error {
	return t.refreshPublic(ctx, `v.account_id IN (SELECT pa.id FROM archive_accounts pa WHERE pa.platform = ? AND LOWER(pa.handle) = LOWER(?))`, platform, handle)
}

// refreshPublicCovert recomputes the flag of every version a covert
// profile's username may name, as author or as the account's handle: a
// scan of the versions, for a rare change.
func (t *tx) refreshPublicCovert(ctx context.Context, profileID int64) error {
	return t.refreshPublic(ctx, `EXISTS (SELECT 1 FROM covert_profiles cp WHERE cp.id = ? AND (`+covertMatch("v.author_handle")+` OR `+covertMatch("v.author_id")+
		` OR EXISTS (SELECT 1 FROM archive_accounts pa WHERE pa.id = v.account_id AND `+covertMatch("pa.handle")+`)))`, profileID)
}

// RebuildPublic recomputes archive_public for every version, in one
// transaction: for a database whose rule inputs were written around the
// store (the search bench registers its accounts by SQL).
func (s *Store) RebuildPublic(ctx context.Context) error {
	return s.Update(ctx, civic.Actor{Label: "steward"}, func(ctx2 civic.Tx) error {
		t := ctx2.(*tx)
		if _, err := t.exec(ctx, `DELETE FROM archive_public`); err != nil {
			return err
		}
		_, err := t.exec(ctx, `INSERT INTO archive_public (version_id) SELECT v.id FROM archive_versions v WHERE `+publicFindable)
		return err
	})
}

// PublicFlagMismatch is a version whose row in archive_public disagrees
// with the portal's rule: Shown when the table holds a version the rule
// withholds (the search would count it; pages drop it), else the table
// lacks a version the rule shows (the search misses it).
type PublicFlagMismatch struct {
	VersionID int64
	Shown     bool
}

func (m PublicFlagMismatch) String() string {
	if m.Shown {
		return "version " + strconv.FormatInt(m.VersionID, 10) + " is marked public but the portal's rule withholds it"
	}
	return "version " + strconv.FormatInt(m.VersionID, 10) + " is public by the portal's rule but not marked public"
}

// CheckPublic compares archive_public with the portal's rule for every
// version, and returns up to limit disagreements, by version id.
func (r *reader) CheckPublic(ctx context.Context, limit int) (_ []PublicFlagMismatch, err error) {
	defer civic.Wrap(&err, "check public flags")
	rows, err := r.query(ctx, `SELECT id, shown FROM (
		SELECT v.id, 0 AS shown FROM archive_versions v WHERE `+publicFindable+` AND NOT `+publicFlagged+`
		UNION ALL SELECT ap.version_id, 1 FROM archive_public ap WHERE NOT EXISTS (SELECT 1 FROM archive_versions v WHERE v.id = ap.version_id AND `+publicFindable+`)
	) m ORDER BY id LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	ms, err := collect(rows, func(row interface{ Scan(...any) error }) (*PublicFlagMismatch, error) {
		var m PublicFlagMismatch
		var shown int
		err := row.Scan(&m.VersionID, &shown)
		m.Shown = shown == 1
		return &m, err
	})
	out := make([]PublicFlagMismatch, len(ms))
	for i, m := range ms {
		out[i] = *m
	}
	return out, err
}

// publicRecheck keeps of vs, found through archive_public, the versions
// the portal's rule finds, in order. A version dropped here means the
// table was wrong (written around the store); steward verify lists it.
func (r *reader) publicRecheck(ctx context.Context, vs []*civic.Version) ([]*civic.Version, error) {
	if len(vs) == 0 {
		return vs, nil
	}
	args := make([]any, len(vs))
	for i, v := range vs {
		args[i] = v.ID
	}
	rows, err := r.query(ctx, `SELECT v.id FROM archive_versions v WHERE v.id IN (`+placeholders(len(vs))+`) AND `+publicFindableRow, args...)
	if err != nil {
		return nil, err
	}
	ok, err := collect(rows, func(row interface{ Scan(...any) error }) (*int64, error) {
		var id int64
		return &id, row.Scan(&id)
	})
	if err != nil {
		return nil, err
	}
	keep := make(map[int64]bool, len(ok))
	for _, id := range ok {
		keep[*id] = true
	}
	out := vs[:0:0]
	for _, v := range vs {
		if keep[v.ID] {
			out = append(out, v)
		}
	}
	return out, nil
}
