package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"slices"

	"steward.city/steward/internal/civic"
)

// ArchiveDays lists the date index by day.
func (r *reader) ArchiveDays(ctx context.Context) ([]civic.DayRange, error) {
	rows, err := r.query(ctx, `SELECT day, min_id, max_id FROM archive_days ORDER BY day`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []civic.DayRange
	for rows.Next() {
		var d civic.DayRange
		if err := rows.Scan(&d.Day, &d.MinID, &d.MaxID); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// DigestFunction names the aggregate SQL function, registered by the
// SQLite engine package, that returns an order-independent keyed digest of
// its rows.
const DigestFunction = "steward_digest"

// CompareSearchIndex compares the full-text index with the versions' text;
// see civic.ArchiveReader.
//
// PostgreSQL: the stored tsvector column against to_tsvector of the text,
// row by row. SQLite: the index cannot be read back as text (it is
// contentless), so a temporary index is built from the versions table with
// the same tokenizer, and the two indexes' entries (term, version, column,
// position) are compared: first by a keyed digest of each whole index
// (DigestFunction, computed inside SQLite), then, only if the digests
// differ, by merging the entries, which fts5vocab lists in the same order,
// to name the versions. Every entry edited, removed or added is seen, even
// one that keeps each word's count.
func (r *reader) CompareSearchIndex(ctx context.Context, limit int, fn func(versionID int64, problem string) error) (err error) {
	defer civic.Wrap(&err, "compare the search index")
	if r.d.Name != "sqlite" {
		return r.eachProblem(ctx, `SELECT id FROM archive_versions WHERE tsv IS DISTINCT FROM to_tsvector('`+SearchConfig+`', text) ORDER BY id LIMIT ?`, limit,
			"its full-text entry (tsv) is not the text's: the search does not find it by its words", fn)
	}
	db, done, err := r.conn(ctx)
	if err != nil {
		return err
	}
	defer done()
	tok, err := r.ftsTokenizer(ctx)
	if err != nil {
		return err
	}
	drop := func(ctx context.Context) {
		for _, t := range []string{"check_real", "check_want", "check_fts"} {
			db.ExecContext(ctx, `DROP TABLE IF EXISTS temp.`+t)
		}
	}
	drop(ctx)
	defer drop(context.WithoutCancel(ctx))
	for _, q := range []string{
		`CREATE VIRTUAL TABLE temp.check_fts USING fts5 (text, acct, content = '', tokenize = '` + tok + `')`,
		`INSERT INTO temp.check_fts (rowid, text, acct) SELECT id, text, 'a' || account_id FROM archive_versions WHERE disposed_at IS NULL ORDER BY id`,
		`CREATE VIRTUAL TABLE temp.check_real USING fts5vocab(main, archive_fts, instance)`,
		`CREATE VIRTUAL TABLE temp.check_want USING fts5vocab(temp, check_fts, instance)`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	// First the two digests (in SQLite, one aggregate each, with the key
	// the engine package draws at start): equal, the indexes hold the same
	// entries. Only when they differ are the entries handed to Go, to name
	// the versions.
	var counts, digests [2]int64
	for i, t := range []string{"check_real", "check_want"} {
		if err := db.QueryRowContext(ctx, `SELECT count(*), COALESCE(`+DigestFunction+`(term, doc, col, "offset"), 0) FROM temp.`+t).Scan(&counts[i], &digests[i]); err != nil {
			return err
		}
	}
	if counts[0] == counts[1] && digests[0] == digests[1] {
		return nil
	}
	real, err := db.QueryContext(ctx, `SELECT term, doc, col = 'acct', "offset" FROM temp.check_real`)
	if err != nil {
		return err
	}
	defer real.Close()
	want, err := db.QueryContext(ctx, `SELECT term, doc, col = 'acct', "offset" FROM temp.check_want`)
	if err != nil {
		return err
	}
	defer want.Close()
	type entry struct {
		term          sql.RawBytes
		doc, col, off int64
		ok            bool
	}
	next := func(rows *sql.Rows, e *entry) error {
		if e.ok = rows.Next(); !e.ok {
			return rows.Err()
		}
		return rows.Scan(&e.term, &e.doc, &e.col, &e.off)
	}
	compare := func(a, b *entry) int {
		if c := bytes.Compare(a.term, b.term); c != 0 {
			return c
		}
		for _, d := range [][2]int64{{a.doc, b.doc}, {a.col, b.col}, {a.off, b.off}} {
			if d[0] != d[1] {
				return int(min(max(d[0]-d[1], -1), 1))
			}
		}
		return 0
	}
	problems := map[int64]string{}
	var g, w entry
	if err := next(real, &g); err != nil {
		return err
	}
	if err := next(want, &w); err != nil {
		return err
	}
	for (g.ok || w.ok) && len(problems) < limit {
		c := 0
		switch {
		case !w.ok:
			c = -1
		case !g.ok:
			c = 1
		default:
			c = compare(&g, &w)
		}
		switch {
		case c < 0:
			if _, seen := problems[g.doc]; !seen {
				problems[g.doc] = "its full-text entry holds words its text does not (an entry edited or added behind Steward's back)"
			}
			err = next(real, &g)
		case c > 0:
			if _, seen := problems[w.doc]; !seen {
				problems[w.doc] = "its full-text entry lacks words of its text (an entry edited or removed behind Steward's back): the search does not find it by them"
			}
			err = next(want, &w)
		default:
			if err = next(real, &g); err == nil {
				err = next(want, &w)
			}
		}
		if err != nil {
			return err
		}
	}
	ids := make([]int64, 0, len(problems))
	for id := range problems {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		if err := fn(id, problems[id]); err != nil {
			return err
		}
	}
	return nil
}

func (r *reader) eachProblem(ctx context.Context, q string, limit int, problem string, fn func(int64, string) error) error {
	return r.eachID(ctx, r.db, q, []any{limit}, func(id int64) error { return fn(id, problem) })
}
