package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"steward.city/steward/internal/civic"
)

// SearchArchive returns one page of versions matching q.
//
// The full-text match is engine-specific. On SQLite the query drives from
// the FTS5 table (FROM archive_fts CROSS JOIN archive_versions), and a date
// range becomes a range of rowids through archive_days, so that SQLite never
// walks the date index re-running the match per row. On PostgreSQL the
// tsvector column and its GIN index need no rewrite.
func (r *reader) SearchArchive(ctx context.Context, q *civic.ArchiveQuery) (_ []*civic.Version, err error) {
	defer civic.Wrap(&err, "search archive")
	sqlite := r.d.Name == "sqlite"
	from := `archive_versions v`
	idCol := "v.id"
	var where, rankArgs []any
	var conds []string
	add := func(cond string, args ...any) {
		conds = append(conds, cond)
		where = append(where, args...)
	}
	rank := ""
	if len(q.Terms) > 0 {
		if sqlite {
			match := ftsMatch(q.Terms)
			if q.Account != "" {
				var id int64
				err := r.queryRow(ctx, `SELECT id FROM archive_accounts WHERE ref = ?`, q.Account).Scan(&id)
				if errors.Is(err, sql.ErrNoRows) {
					return nil, nil
				} else if err != nil {
					return nil, err
				}
				match += " acct:" + ftsAccount(id)
			}
			from = `archive_fts f CROSS JOIN archive_versions v`
			idCol = "f.rowid"
			add("archive_fts MATCH ?", match)
			add("v.id = f.rowid")
			rank = "f.rank"
		} else {
			tsq := strings.TrimSuffix(strings.Repeat("phraseto_tsquery('simple', ?) && ", len(q.Terms)), " && ")
			args := make([]any, len(q.Terms))
			for i, t := range q.Terms {
				args[i] = t
			}
			add("v.tsv @@ ("+tsq+")", args...)
			rank = "ts_rank(v.tsv, " + tsq + ") DESC"
			rankArgs = args
		}
	}
	if !q.From.IsZero() || !q.Until.IsZero() {
		lo, hi, ok, err := r.idRange(ctx, q.From, q.Until)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, nil
		}
		add(idCol+" BETWEEN ? AND ?", lo, hi)
		if !q.From.IsZero() {
			add("v.at >= ?", dbTime(q.From))
		}
		if !q.Until.IsZero() {
			add("v.at < ?", dbTime(q.Until))
		}
	}
	fc, fa := archiveFilters(q)
	conds, where = append(conds, fc...), append(where, fa...)
	order := "v.at DESC, v.id DESC"
	args := where
	if q.Relevance && rank != "" {
		order = rank + ", v.id DESC"
		args = append(args, rankArgs...)
	}
	limit := q.Limit
	switch {
	case limit == 0:
		limit = 50
	case limit < 0 || limit > civic.MaxArchiveLimit+1:
		return nil, civic.Invalid("limit", "limit must be between 1 and %d", civic.MaxArchiveLimit)
	}
	sqlText := `SELECT ` + versionColumns + ` FROM ` + from + versionJoins
	if len(conds) > 0 {
		sqlText += ` WHERE ` + strings.Join(conds, " AND ")
	}
	sqlText += fmt.Sprintf(` ORDER BY %s LIMIT %d OFFSET %d`, order, limit, max(q.Offset, 0))
	rows, err := r.query(ctx, sqlText, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(row interface{ Scan(...any) error }) (*civic.Version, error) { return scanVersion(row) })
}

// archiveFilters returns the conditions of q other than its terms and its
// time range, on archive_versions v and the tables it refers to (accounts,
// holds), never on the search or date indexes.
func archiveFilters(q *civic.ArchiveQuery) (conds []string, args []any) {
	add := func(cond string, a ...any) {
		conds = append(conds, cond)
		args = append(args, a...)
	}
	if q.ItemID != 0 {
		add("v.item_id = ?", q.ItemID)
	}
	if q.Account != "" {
		add("v.account_id = (SELECT id FROM archive_accounts WHERE ref = ?)", q.Account)
	}
	if q.DepartmentID != 0 {
		add("v.account_id IN (SELECT id FROM archive_accounts WHERE department_id = ?)", q.DepartmentID)
	}
	if q.Platform != "" {
		add("v.account_id IN (SELECT id FROM archive_accounts WHERE platform = ?)", q.Platform)
	}
	if q.Kind != "" {
		add("v.kind = ?", string(q.Kind))
	}
	if q.Author != "" {
		add("(v.author_id = ? OR v.author_handle = ?)", q.Author, q.Author)
	}
	if q.State != "" {
		add("v.state = ?", string(q.State))
	}
	if q.Removed != nil {
		if *q.Removed {
			add("v.state IN ('hidden', 'deleted')")
		} else {
			add("v.state NOT IN ('hidden', 'deleted')")
		}
	}
	if q.Held != nil {
		held := `EXISTS (SELECT 1 FROM archive_hold_items hi JOIN archive_holds h ON h.id = hi.hold_id WHERE hi.item_id = v.item_id AND h.released_at IS NULL)`
		if !*q.Held {
			held = "NOT " + held
		}
		add(held)
	}
	return conds, args
}

// ftsMatch returns an FTS5 query requiring every term, each as a phrase,
// in the text column.
func ftsMatch(terms []string) string {
	parts := make([]string, len(terms))
	for i, t := range terms {
		parts[i] = `text:"` + strings.ReplaceAll(t, `"`, `""`) + `"`
	}
	return strings.Join(parts, " ")
}

// ftsAccount is the token of an account in the full-text index's acct column.
func ftsAccount(id int64) string { return "a" + strconv.FormatInt(id, 10) }

// idRange returns the range of version ids whose item time may fall in
// [from, until), from the per-day ranges kept at ingest; ok is false when no
// version falls on those days.
func (r *reader) idRange(ctx context.Context, from, until time.Time) (lo, hi int64, ok bool, err error) {
	first, last := "0000-00-00", "9999-99-99"
	if !from.IsZero() {
		first = from.UTC().Format("2006-01-02")
	}
	if !until.IsZero() {
		last = until.UTC().Add(-time.Microsecond).Format("2006-01-02")
	}
	var l, h sql.NullInt64
	if err := r.queryRow(ctx, `SELECT MIN(min_id), MAX(max_id) FROM archive_days WHERE day >= ? AND day <= ?`, first, last).Scan(&l, &h); err != nil {
		return 0, 0, false, err
	}
	return l.Int64, h.Int64, l.Valid, nil
}
