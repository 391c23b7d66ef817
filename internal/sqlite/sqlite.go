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
var Dialect = &sqlstore.Dialect{Name: "sqlite", Constraint: constraint, Durability: durability}

// Synchronous settings of the writer connection.
const (
	// SynchronousFull syncs the write-ahead log at every commit: a commit
	// that has returned survives power loss and a kernel crash. The default.
	SynchronousFull = "full"
	// SynchronousNormal syncs only at checkpoints: faster, and safe against
	// a crashed process, but the last commits can vanish on power loss.
	SynchronousNormal = "normal"
)

// Options tune how the database is opened; the zero value is the default.
type Options struct {
	// Synchronous is SynchronousFull (or empty) or SynchronousNormal.
	Synchronous string
}

// Open opens (creating if needed) the database file at path with the
// default options and applies any pending migrations. now is the store's
// clock. A new database file is created readable by its owner only (0600);
// SQLite gives its -wal and -shm files the database file's mode. An
// existing file keeps its mode.
func Open(ctx context.Context, path string, now func() time.Time) (*sqlstore.Store, error) {
	return OpenWith(ctx, path, now, Options{})
}

// OpenWith is Open with options. An unknown Synchronous value is an error.
func OpenWith(ctx context.Context, path string, now func() time.Time, o Options) (*sqlstore.Store, error) {
	sync, err := synchronous(o.Synchronous)
	if err != nil {
		return nil, err
	}
	if err := create(path); err != nil {
		return nil, err
	}
	write, read, err := openPools(path, sync)
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

// Migrate applies pending migrations to db and returns how many of
// Steward's ran; then it brings the job queue's tables (River's) up to date.
func Migrate(ctx context.Context, db *sql.DB, now func() time.Time) (int, error) {
	ms, err := sqlstore.ReadMigrations(migrations, "migrations")
	if err != nil {
		return 0, err
	}
	n, err := sqlstore.Migrate(ctx, db, Dialect, ms, now)
	if err != nil {
		return n, err
	}
	if _, err := migrateQueue(ctx, db); err != nil {
		return n, err
	}
	return n, nil
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

// synchronous returns the PRAGMA value for a Synchronous option.
func synchronous(o string) (string, error) {
	switch strings.ToLower(o) {
	case "", SynchronousFull:
		return "FULL", nil
	case SynchronousNormal:
		return "NORMAL", nil
	}
	return "", fmt.Errorf("sqlite synchronous %q: want %s or %s", o, SynchronousFull, SynchronousNormal)
}

// openPools opens the writer (one connection, transactions begin IMMEDIATE,
// synchronous as given) and the readers. busy_timeout is set before
// journal_mode so that switching to WAL waits for a lock instead of failing.
func openPools(path, sync string) (write, read *sql.DB, err error) {
	pragmas := "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(ON)&_time_format=sqlite"
	base := "file:" + (&url.URL{Path: path}).EscapedPath() + "?"
	// The writer gets a larger page cache (32 MB) and keeps statement
	// journals in memory: archive ingest writes several indexes and the
	// full-text index with multi-row statements in every transaction.
	write, err = sql.Open("sqlite", base+pragmas+"&_pragma=synchronous("+sync+")&_pragma=cache_size(-32000)&_pragma=temp_store(MEMORY)&_txlock=immediate")
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
	// Every read connection is kept when idle (database/sql keeps two by
	// default): each holds the read pool's prepared statements
	// (sqlstore's preparedPool), which a connection closed and opened
	// again would parse anew.
	read.SetMaxOpenConns(max(4, runtime.NumCPU()))
	read.SetMaxIdleConns(max(4, runtime.NumCPU()))
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

// durability reads the writer's synchronous setting: FULL (2) and EXTRA (3)
// sync the write-ahead log before a commit returns.
func durability(ctx context.Context, tx *sql.Tx) (sqlstore.Durability, error) {
	var n int
	if err := tx.QueryRowContext(ctx, `PRAGMA synchronous`).Scan(&n); err != nil {
		return sqlstore.Durability{}, err
	}
	names := map[int]string{0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}
	return sqlstore.Durability{Setting: "synchronous=" + names[n], Durable: n >= 2}, nil
}
