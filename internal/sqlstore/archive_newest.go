package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"time"

	"steward.city/steward/internal/civic"
)

// Newest first, a search orders its matches by item time (v.at), newest
// first, and by version id, highest first, among versions of the same time:
// the order every page and export has always used. Finding the first page
// of a word nearly every version contains that way meant finding, and
// sorting, every match. newestIDs instead reads the matches of the newest
// days first: ids are given in capture order, and archive_days keeps, for
// each day of item time, the lowest id of a version of that day. Every
// version whose time falls on one of the newest k days (on or after the
// oldest of them, since) therefore has an id of at least the lowest of
// those days' lowest ids (lo). The window is the matches with id >= lo and
// time >= since: it holds every match of time >= since, so its newest
// first order is the full order's beginning, and a page that fits in it is
// exact. When it does not, the window grows; the last resort is the full
// query, as it always was.
//
// On SQLite the first window, the newest day, walks the time index newest
// first and keeps the versions whose ids the full-text index matched in
// the window (an IN list of the rowids >= lo), reading no version row to
// sort: a common word's page ends after a few dozen index entries. The
// later windows are sized to hold the page at the density of matches seen
// and sort their matches, which costs what they hold rather than every
// version of their days.

// newestIDs returns the ids of the page of q (offset, limit) newest first;
// few says that the matches are few enough to sort in one query.
func (r *reader) newestIDs(ctx context.Context, q *civic.ArchiveQuery, s searchQuery, limit int, few bool) ([]int64, error) {
	offset := max(q.Offset, 0)
	sqlite := r.d.Name == "sqlite"
	// Without words both engines walk the time index and stop after the
	// page (on PostgreSQL an account's through its (account_id, at)
	// index); an item's versions are few. Windows only help a match.
	words := len(q.Terms) > 0 || len(q.AnyOf) > 0
	windowed := words && !few && q.ItemID == 0 && (sqlite || q.Account == "")
	first, last := s.firstDay, s.lastDay
	if first == "" {
		first, last = dayRange(time.Time{}, time.Time{})
	}
	need := offset + limit
	for k := 1; windowed; {
		lo, since, all, err := r.newestDays(ctx, first, last, k)
		if err != nil {
			return nil, err
		}
		if all {
			break
		}
		var text string
		var args []any
		switch {
		case sqlite && k == 1:
			// The newest day: walk the time index, which stops after
			// the page when the words are common.
			in := `SELECT rowid FROM archive_fts WHERE archive_fts MATCH ? AND rowid >= ?`
			args = []any{s.match, max(lo, s.rowLo)}
			if s.rowHi > 0 {
				in += ` AND rowid <= ?`
				args = append(args, s.rowHi)
			}
			text = `SELECT v.id FROM archive_versions v INDEXED BY archive_versions_at WHERE v.id IN (` + in + `) AND v.at >= ?`
			args = append(args, dbTime(since))
		case sqlite:
			// Wider windows, sized to the matches seen: sort the
			// window's matches, as the full query sorts all of them.
			text = `SELECT v.id FROM archive_fts f CROSS JOIN archive_versions v WHERE archive_fts MATCH ? AND v.id = f.rowid AND f.rowid >= ? AND v.at >= ?`
			args = []any{s.match, max(lo, s.rowLo), dbTime(since)}
			if s.rowHi > 0 {
				text += ` AND f.rowid <= ?`
				args = append(args, s.rowHi)
			}
		default:
			text = `SELECT v.id FROM archive_versions v WHERE v.id >= ? AND v.at >= ?`
			args = []any{lo, dbTime(since)}
		}
		for _, c := range s.vconds {
			text += " AND " + c
		}
		args = append(args, s.vargs...)
		ids, err := r.pageIDs(ctx, text, args, offset, limit)
		if err != nil {
			return nil, err
		}
		if len(ids) == limit {
			return ids, nil
		}
		// Grow the window to about one and a half times the days that
		// would hold the page at the density of matches seen so far.
		if seen := offset + len(ids); len(ids) == 0 {
			k *= 8
		} else {
			k = max(2*k, int(math.Ceil(float64(k)*1.5*float64(need)/float64(seen))))
		}
	}
	return r.pageIDs(ctx, `SELECT v.id FROM `+s.from+s.where, s.args, offset, limit)
}

// newestDays returns the window of the newest k days from first to last
// (archive_days): the lowest id of a version of those days and the first
// instant of the oldest of them; all is true when the days from first to
// last are k or fewer (a window would be the whole range).
func (r *reader) newestDays(ctx context.Context, first, last string, k int) (lo int64, since time.Time, all bool, err error) {
	var l sql.NullInt64
	var oldest sql.NullString
	var days int
	err = r.queryRow(ctx, `SELECT MIN(min_id), MIN(day), COUNT(*) FROM (SELECT day, min_id FROM archive_days
		WHERE day >= ? AND day <= ? ORDER BY day DESC LIMIT ?) d`, first, last, k).Scan(&l, &oldest, &days)
	if err != nil {
		return 0, time.Time{}, false, err
	}
	if days < k || !l.Valid {
		return 0, time.Time{}, true, nil
	}
	since, err = time.Parse("2006-01-02", oldest.String)
	if err != nil {
		return 0, time.Time{}, false, fmt.Errorf("archive_days: day %q: %w", oldest.String, err)
	}
	return l.Int64, since, false, nil
}

// pageIDs returns the ids of query's rows (v.id) newest first, from
// offset, at most limit. The time orders the rows but is not read back:
// parsing it was a tenth of a common word's search.
func (r *reader) pageIDs(ctx context.Context, query string, args []any, offset, limit int) ([]int64, error) {
	return r.queryIDs(ctx, fmt.Sprintf(`%s ORDER BY v.at DESC, v.id DESC LIMIT %d OFFSET %d`, query, limit, offset), args...)
}

// queryIDs returns the ids query's rows give, in their order.
func (r *reader) queryIDs(ctx context.Context, query string, args ...any) ([]int64, error) {
	rows, err := r.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// versionsByID returns the versions of s's page with the given ids, in
// that order: for the portal (s.public) without their payload, and only
// those the portal's rule shows (publicFindableRow), so that a row
// archive_public holds wrongly can hide a version, never show it.
func (r *reader) versionsByID(ctx context.Context, s searchQuery, ids []int64) ([]*civic.Version, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	where := ` WHERE v.id IN (` + placeholders(len(ids)) + `)`
	if s.public {
		where += ` AND ` + publicFindableRow
	}
	rows, err := r.query(ctx, `SELECT `+s.columns()+` FROM archive_versions v`+versionJoins+where, args...)
	if err != nil {
		return nil, err
	}
	vs, err := collect(rows, func(row interface{ Scan(...any) error }) (*civic.Version, error) { return scanVersion(row) })
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]*civic.Version, len(vs))
	for _, v := range vs {
		byID[v.ID] = v
	}
	out := make([]*civic.Version, 0, len(ids))
	for _, id := range ids {
		if v := byID[id]; v != nil {
			out = append(out, v)
		}
	}
	return out, nil
}
