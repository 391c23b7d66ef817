// Package sqlite opens Steward's Store on an embedded SQLite database (the
// pure-Go modernc.org/sqlite driver): one writer connection, so writers queue
// instead of failing with SQLITE_BUSY, and a pool of readers, both in WAL mode.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"runtime"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"steward.city/steward/internal/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// FileMode is the mode of a database file Open creates, and so of its
// -wal and -shm files.
const FileMode = 0o600

// Dialect is SQLite's.
var Dialect = &sqlstore.Dialect{Name: "sqlite", Constraint: constraint}

// Open opens (creating if needed) the database file at path and applies any
// pending migrations. now is the store's clock. A new database file is
// created readable by its owner only (0600); SQLite gives its -wal and -shm
// files the database file's mode. An existing file keeps its mode.
func Open(ctx context.Context, path string, now func() time.Time) (*sqlstore.Store, error) {
	if err := create(path); err != nil {
		return nil, err
	}
	write, read, err := openPools(path)
	if err != nil {
		return nil, err
	}
	if err := write.PingContext(ctx); err != nil {
		write.Close()
		read.Close()
		return nil, fmt.Errorf("open sqlite database %s: %w", path, err)
	}
	if _, err := Migrate(ctx, write, now); err != nil {
		write.Close()
		read.Close()
		return nil, err
	}
	return sqlstore.New(Dialect, write, read, now), nil
}

// Migrate applies pending migrations to db and returns how many ran.
func Migrate(ctx context.Context, db *sql.DB, now func() time.Time) (int, error) {
	ms, err := sqlstore.ReadMigrations(migrations, "migrations")
	if err != nil {
		return 0, err
	}
	return sqlstore.Migrate(ctx, db, Dialect, ms, now)
}

// create makes an empty database file at path, mode 0600, unless a file is
// there already. SQLite would otherwise create it 0644 (less the umask),
// readable by every user of the machine.
func create(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, FileMode)
	switch {
	case errors.Is(err, fs.ErrExist):
		return nil
	case err != nil:
		return fmt.Errorf("create sqlite database %s: %w", path, err)
	}
	return f.Close()
}

// openPools opens the writer (one connection, transactions begin IMMEDIATE)
// and the readers. busy_timeout is set before journal_mode so that switching
// to WAL waits for a lock instead of failing.
func openPools(path string) (write, read *sql.DB, err error) {
	pragmas := "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(ON)&_time_format=sqlite"
	base := "file:" + (&url.URL{Path: path}).EscapedPath() + "?"
	// The writer gets a larger page cache (32 MB) and keeps statement
	// journals in memory: archive ingest writes several indexes and the
	// full-text index with multi-row statements in every transaction.
	write, err = sql.Open("sqlite", base+pragmas+"&_pragma=cache_size(-32000)&_pragma=temp_store(MEMORY)&_txlock=immediate")
	if err != nil {
		return nil, nil, err
	}
	write.SetMaxOpenConns(1)
	write.SetConnMaxIdleTime(0)
	read, err = sql.Open("sqlite", base+pragmas+"&mode=ro")
	if err != nil {
		write.Close()
		return nil, nil, err
	}
	read.SetMaxOpenConns(max(4, runtime.NumCPU()))
	return write, read, nil
}

// constraint classifies a constraint violation and names its column.
func constraint(err error) (kind, column string) {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return "", ""
	}
	switch se.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		kind = "unique"
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return "foreign", ""
	default:
		return "", ""
	}
	// "UNIQUE constraint failed: departments.slug"
	msg := se.Error()
	if i := strings.LastIndex(msg, "failed: "); i >= 0 {
		col := msg[i+len("failed: "):]
		if j := strings.IndexAny(col, " ,("); j >= 0 {
			col = col[:j]
		}
		if _, c, ok := strings.Cut(col, "."); ok {
			return kind, c
		}
	}
	return kind, ""
}
