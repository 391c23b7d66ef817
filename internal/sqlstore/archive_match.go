package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"regexp"
	"strings"

	"steward.city/steward/internal/civic"
)

// MatchArchive calls fn with each item that has a version matching q; see
// civic.ArchiveReader. The versions table is read directly: the time range
// through its own index on at, the words through the engine's own matcher
// run on each candidate's text (PostgreSQL: to_tsvector of the text with SearchConfig, not
// the stored tsvector column; SQLite: a temporary full-text table filled
// from the candidates with the archive index's tokenizer), so that a
// search index or date index edited behind Steward's back changes nothing.
func (r *reader) MatchArchive(ctx context.Context, q *civic.ArchiveQuery, upTo int64, fn func(itemID int64) error) (err error) {
	defer civic.Wrap(&err, "match archive")
	conds, args := archiveFilters(q, false)
	if !q.From.IsZero() {
		conds, args = append(conds, "v.at >= ?"), append(args, dbTime(q.From))
	}
	if !q.Until.IsZero() {
		conds, args = append(conds, "v.at < ?"), append(args, dbTime(q.Until))
	}
	if upTo > 0 {
		conds, args = append(conds, "v.id <= ?"), append(args, upTo)
	}
	words := len(q.Terms) > 0 || len(q.AnyOf) > 0
	if words && r.d.Name != "sqlite" {
		tsq, targs := tsQuery(q.Terms, q.AnyOf)
		conds = append(conds, "to_tsvector('"+SearchConfig+"', v.text) @@ "+tsq)
		args = append(args, targs...)
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	if !words || r.d.Name != "sqlite" {
		return r.eachID(ctx, r.db, `SELECT DISTINCT v.item_id FROM archive_versions v`+where, args, fn)
	}
	// SQLite has no tokenizer callable from SQL: match the candidates in a
	// temporary full-text table on one connection, dropped after.
	db, done, err := r.conn(ctx)
	if err != nil {
		return err
	}
	defer done()
	tok, err := r.ftsTokenizer(ctx)
	if err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, `DROP TABLE IF EXISTS temp.match_text`); err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, `CREATE VIRTUAL TABLE temp.match_text USING fts5 (text, content = '', tokenize = '`+tok+`')`); err != nil {
		return err
	}
	defer db.ExecContext(context.WithoutCancel(ctx), `DROP TABLE IF EXISTS temp.match_text`)
	if _, err := db.ExecContext(ctx, r.bind(`INSERT INTO temp.match_text (rowid, text) SELECT v.id, v.text FROM archive_versions v`+where), args...); err != nil {
		return err
	}
	// CROSS JOIN: drive from the full-text table, not from the versions
	// re-running the match for each one.
	return r.eachID(ctx, db, `SELECT DISTINCT v.item_id FROM temp.match_text m CROSS JOIN archive_versions v ON v.id = m.rowid WHERE match_text MATCH ?`,
		[]any{ftsMatch(q.Terms, q.AnyOf)}, fn)
}

// eachID runs a query of one integer column and calls fn for each row,
// after reading them all (fn may query the store).
func (r *reader) eachID(ctx context.Context, db querier, q string, args []any, fn func(int64) error) error {
	rows, err := db.QueryContext(ctx, r.bind(q), args...)
	if err != nil {
		return err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	for _, id := range ids {
		if err := fn(id); err != nil {
			return err
		}
	}
	return nil
}

// conn returns one connection for statements that must share it (temporary
// tables): a connection of the pool, or the transaction itself.
func (r *reader) conn(ctx context.Context) (querier, func(), error) {
	var db *sql.DB
	switch q := r.db.(type) {
	case *sql.DB:
		db = q
	case *preparedPool:
		db = q.db
	default:
		return r.db, func() {}, nil
	}
	c, err := db.Conn(ctx)
	if err != nil {
		return nil, nil, err
	}
	return c, func() { c.Close() }, nil
}

var tokenizeRE = regexp.MustCompile(`tokenize\s*=\s*'([^']*)'`)

// ftsTokenizer returns the tokenizer the archive's full-text table was
// created with, so that a temporary table splits text the same way.
func (r *reader) ftsTokenizer(ctx context.Context) (string, error) {
	var create string
	if err := r.queryRow(ctx, `SELECT sql FROM sqlite_master WHERE name = 'archive_fts'`).Scan(&create); err != nil {
		return "", err
	}
	m := tokenizeRE.FindStringSubmatch(create)
	if m == nil {
		return "", errors.New("the full-text table names no tokenizer")
	}
	return m[1], nil
}
