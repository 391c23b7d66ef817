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
// of a word nearly every version contains that way means finding, and
// sorting, every match. newestIDs instead reads the matches in windows of
// the newest days: ids are given in capture order, and archive_days keeps,
// for each day of item time, the lowest id of a version of that day. Every
// version whose time falls on one of the newest k days therefore has an id
// of at least the lowest of those days' lowest ids (lo), so a page read
// from the versions with id >= lo is exact when its last row's time is on
// or after the oldest of those k days: any match left out (id < lo) is of
// an older day. Otherwise the window grows and, at worst, covers every day,
// which is the old query.

// newestIDs returns the ids of the page of q (offset, limit) newest first.
func (r *reader) newestIDs(ctx context.Context, q *civic.ArchiveQuery, s searchQuery, limit int) ([]int64, error) {
	offset := max(q.Offset, 0)
	// PostgreSQL reads an account's newest versions from its (account_id,
	// at) index and stops after the page; an item's versions are few on
	// either engine. Windows would only add queries there.
	windowed := q.ItemID == 0 && !(r.d.Name != "sqlite" && q.Account != "")
	first, last := s.firstDay, s.lastDay
	if first == "" {
		first, last = dayRange(time.Time{}, time.Time{})
	}
	need := offset + limit
	for k := 1; windowed; {
		var lo sql.NullInt64
		var oldest sql.NullString
		var days int
		err := r.queryRow(ctx, `SELECT MIN(min_id), MIN(day), COUNT(*) FROM (SELECT day, min_id FROM archive_days
			WHERE day >= ? AND day <= ? ORDER BY day DESC LIMIT ?) d`, first, last, k).Scan(&lo, &oldest, &days)
		if err != nil {
			return nil, err
		}
		if days < k || !lo.Valid {
			// The window holds every day of the range: read them all.
			break
		}
		since, err := time.Parse("2006-01-02", oldest.String)
		if err != nil {
			return nil, fmt.Errorf("archive_days: day %q: %w", oldest.String, err)
		}
		ids, lastAt, err := r.pageIDs(ctx, s, s.idCol+" >= ?", []any{lo.Int64}, offset, limit)
		if err != nil {
			return nil, err
		}
		if len(ids) == limit && !lastAt.Before(since) {
			return ids, nil
		}
		// Grow the window to about one and a half times the days that
		// would hold the page at the density of matches seen so far.
		seen := offset + len(ids)
		switch {
		case len(ids) == limit:
			k *= 2 // versions captured out of order: the page is not sure yet
		case len(ids) == 0:
			k *= 8
		default:
			k = max(2*k, int(math.Ceil(float64(k)*1.5*float64(need)/float64(seen))))
		}
	}
	ids, _, err := r.pageIDs(ctx, s, "", nil, offset, limit)
	return ids, err
}

// pageIDs returns the ids of s's matches newest first, with the extra
// condition cond if any, from offset, at most limit, and the time of the
// last of them.
func (r *reader) pageIDs(ctx context.Context, s searchQuery, cond string, condArgs []any, offset, limit int) ([]int64, time.Time, error) {
	where, args := s.where, s.args
	if cond != "" {
		if where == "" {
			where = " WHERE " + cond
		} else {
			where += " AND " + cond
		}
		args = append(append([]any(nil), args...), condArgs...)
	}
	rows, err := r.query(ctx, fmt.Sprintf(`SELECT v.id, v.at FROM %s%s ORDER BY v.at DESC, v.id DESC LIMIT %d OFFSET %d`, s.from, where, limit, offset), args...)
	if err != nil {
		return nil, time.Time{}, err
	}
	defer rows.Close()
	var ids []int64
	var at time.Time
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id, &at); err != nil {
			return nil, time.Time{}, err
		}
		ids = append(ids, id)
	}
	return ids, at, rows.Err()
}

// versionsByID returns the versions with the given ids, in that order.
func (r *reader) versionsByID(ctx context.Context, ids []int64) ([]*civic.Version, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := r.query(ctx, `SELECT `+versionColumns+` FROM archive_versions v`+versionJoins+` WHERE v.id IN (`+placeholders(len(ids))+`)`, args...)
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
