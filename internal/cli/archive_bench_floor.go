package cli

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/sqlite"
	"steward.city/steward/internal/sqlstore"
)

// The full-text floor (issue 16): the generated records' rows, 5,000 per
// transaction, inserted plainly into a table whose text has a full-text
// index built as the archive's is. It is what any ingest of the same rows
// costs on this machine and setting; the archive adds items, duplicate
// checks, the Merkle log, the day ranges and the audit event.
//
// SQLite: a rowid table of the version's columns the records carry, and a
// contentless FTS5 table on (text, acct) with the archive's tokenizer,
// filled per transaction by one INSERT … SELECT of the rows just written,
// as ingest fills archive_fts. It runs in its own database file in a new
// folder, opened with the same settings, so that the ingest that follows
// starts on an empty file as it would without --floor.
//
// PostgreSQL: the same columns with a stored tsvector of the text
// (to_tsvector with the archive's search configuration) and a GIN index on
// it, in the bench's schema, dropped after.
const (
	floorSQLite = `CREATE TABLE bench_fts_floor (
	id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL, platform_id TEXT NOT NULL, kind TEXT NOT NULL,
	parent_id TEXT NOT NULL, thread_id TEXT NOT NULL, captured_at TIMESTAMP NOT NULL, platform_time TIMESTAMP,
	author_id TEXT NOT NULL, author_handle TEXT NOT NULL, author_name TEXT NOT NULL, text TEXT NOT NULL,
	state TEXT NOT NULL, raw BLOB NOT NULL);
CREATE VIRTUAL TABLE bench_fts_floor_fts USING fts5 (text, acct, content = '', contentless_delete = 1, tokenize = 'porter unicode61 remove_diacritics 0')`
	floorPostgres = `CREATE TABLE bench_fts_floor (
	id BIGINT PRIMARY KEY, account_id BIGINT NOT NULL, platform_id TEXT NOT NULL, kind TEXT NOT NULL,
	parent_id TEXT NOT NULL, thread_id TEXT NOT NULL, captured_at TIMESTAMPTZ NOT NULL, platform_time TIMESTAMPTZ,
	author_id TEXT NOT NULL, author_handle TEXT NOT NULL, author_name TEXT NOT NULL, text TEXT NOT NULL,
	state TEXT NOT NULL, raw BYTEA NOT NULL,
	tsv tsvector GENERATED ALWAYS AS (to_tsvector('` + sqlstore.SearchConfig + `', text)) STORED);
CREATE INDEX bench_fts_floor_tsv ON bench_fts_floor USING GIN (tsv)`
	floorCols = 14
	// floorRows is how many rows one INSERT carries, as ingest's.
	floorRows = 1000
)

// floorStore returns where the floor is written: on SQLite a new database
// file beside nothing else, opened with the writer's synchronous setting;
// on PostgreSQL the bench's own store.
func floorStore(ctx context.Context, s *sqlstore.Store, sync string) (*sqlstore.Store, func(), error) {
	if s.Engine() != "sqlite" {
		return s, func() {
			s.DB().ExecContext(context.Background(), `DROP TABLE IF EXISTS bench_fts_floor`)
		}, nil
	}
	dir, err := os.MkdirTemp("", "steward-bench-floor-")
	if err != nil {
		return nil, nil, err
	}
	fs, err := sqlite.OpenWith(ctx, filepath.Join(dir, "floor.db"), time.Now, sqlite.Options{Synchronous: sync})
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	return fs, func() { fs.Close(); os.RemoveAll(dir) }, nil
}

// benchFTSFloor inserts the first items records gen makes into the
// full-text floor and returns rows per second. One goroutine generates
// batches while the writer writes, as ingestCity's callers are fed.
func benchFTSFloor(ctx context.Context, s *sqlstore.Store, sync string, gen *cityGen, items int) (float64, error) {
	fs, cleanup, err := floorStore(ctx, s, sync)
	if err != nil {
		return 0, fmt.Errorf("bench fts floor: %w", err)
	}
	defer cleanup()
	db, d := fs.DB(), fs.Dialect()
	ddl := floorSQLite
	if fs.Engine() != "sqlite" {
		ddl = floorPostgres
	}
	for _, q := range strings.Split(ddl, ";\n") {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return 0, fmt.Errorf("bench fts floor: %w", err)
		}
	}
	accounts := make(map[string]int64, len(gen.accounts))
	for i, a := range gen.accounts {
		accounts[a] = int64(i + 1)
	}
	const batch = 5000
	batches := make(chan []archive.Record)
	stop := make(chan struct{})
	go func() {
		defer close(batches)
		for done := 0; done < items; {
			recs := gen.records(min(batch, items-done))
			select {
			case batches <- recs:
			case <-stop:
				return
			}
			done += len(recs)
		}
	}()
	defer close(stop)
	start := time.Now()
	var id int64
	for recs := range batches {
		if err := floorBatch(ctx, db, d, accounts, recs, &id); err != nil {
			return 0, fmt.Errorf("bench fts floor: %w", err)
		}
	}
	return float64(items) / time.Since(start).Seconds(), nil
}

// floorBatch writes one transaction: the rows in statements of floorRows,
// prepared once, then (SQLite) their full-text rows in one statement.
func floorBatch(ctx context.Context, db *sql.DB, d *sqlstore.Dialect, accounts map[string]int64, recs []archive.Record, id *int64) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	stmts := map[int]*sql.Stmt{}
	defer func() {
		for _, st := range stmts {
			st.Close()
		}
	}()
	first := *id + 1
	for lo := 0; lo < len(recs); lo += floorRows {
		part := recs[lo:min(lo+floorRows, len(recs))]
		st, ok := stmts[len(part)]
		if !ok {
			row := "(" + strings.TrimSuffix(strings.Repeat("?, ", floorCols), ", ") + ")"
			q := `INSERT INTO bench_fts_floor (id, account_id, platform_id, kind, parent_id, thread_id, captured_at, platform_time,
				author_id, author_handle, author_name, text, state, raw) VALUES ` + strings.TrimSuffix(strings.Repeat(row+", ", len(part)), ", ")
			if st, err = tx.PrepareContext(ctx, d.Rebind(q)); err != nil {
				return err
			}
			stmts[len(part)] = st
		}
		args := make([]any, 0, floorCols*len(part))
		for _, r := range part {
			*id++
			captured, err := time.Parse(time.RFC3339Nano, r.CapturedAt)
			if err != nil {
				return err
			}
			var pt any
			if r.PlatformTime != "" {
				t, err := time.Parse(time.RFC3339, r.PlatformTime)
				if err != nil {
					return err
				}
				pt = t.UTC()
			}
			state := r.State
			if state == "" {
				state = string(civic.StateVisible)
			}
			args = append(args, *id, accounts[r.Account], r.ID, r.Kind, r.Parent, r.Thread, captured.UTC(), pt,
				r.Author.ID, r.Author.Handle, r.Author.Name, r.Text, state, []byte(r.Raw))
		}
		if _, err := st.ExecContext(ctx, args...); err != nil {
			return err
		}
	}
	if d.Name == "sqlite" {
		if _, err := tx.ExecContext(ctx, `INSERT INTO bench_fts_floor_fts (rowid, text, acct) SELECT id, text, 'a' || account_id FROM bench_fts_floor WHERE id BETWEEN ? AND ? ORDER BY id`, first, *id); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// benchCommonWord times the archive's newest-first first page of the
// common word "city", with its total, by clients searchers at once, and
// returns the p95 in milliseconds.
func benchCommonWord(ctx context.Context, svc *archive.Service, clients, queries int) (float64, error) {
	lat, err := timeClients(ctx, clients, queries, func(int) error {
		q, err := archive.ParseQuery("city")
		if err != nil {
			return err
		}
		q.Limit = archive.DefaultLimit + 1
		_, _, err = svc.SearchCount(ctx, civic.CLI, q)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("bench common word: %w", err)
	}
	var t searchTiming
	t.fill(lat)
	return t.P95Ms, nil
}
