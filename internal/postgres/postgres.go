// Package postgres opens Steward's Store on PostgreSQL through pgx, for
// deployments that outgrow one machine.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"steward.city/steward/internal/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Dialect is PostgreSQL's.
var Dialect = &sqlstore.Dialect{Name: "postgres", Dollar: true, Constraint: constraint, Lock: lock, Durability: durability}

// Open connects to the database at url (postgres://…) and applies any
// pending migrations.
func Open(ctx context.Context, url string, now func() time.Time) (*sqlstore.Store, error) {
	db, err := OpenDB(url)
	if err != nil {
		return nil, err
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to postgresql: %w", err)
	}
	if _, err := Migrate(ctx, db, now); err != nil {
		db.Close()
		return nil, err
	}
	return sqlstore.New(Dialect, db, db, now), nil
}

// OpenDB returns a connection pool for url without connecting. Unless url
// sets synchronous_commit itself, every session asks for "on", so a commit
// has reached the server's disk before Steward acknowledges it even where
// the server's default is off.
func OpenDB(url string) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgresql url: %w", err)
	}
	if _, set := cfg.RuntimeParams["synchronous_commit"]; !set {
		cfg.RuntimeParams["synchronous_commit"] = "on"
	}
	db := stdlib.OpenDB(*cfg)
	// As many idle connections are kept as may be open: with 50 searches
	// at once and only five kept, connections past the fifth were closed
	// as they came back and opened again for the next query, a new server
	// process each (the common word's p95 at 1M was 98–132 ms with five
	// kept, 72–89 ms with all twenty; docs/performance.md). Idle ones close
	// after five minutes.
	db.SetMaxOpenConns(20)
	db.SetMaxIdleConns(20)
	db.SetConnMaxIdleTime(5 * time.Minute)
	return db, nil
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

// lock serializes migrations across processes until the transaction ends.
func lock(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7262737465)`)
	return err
}

// constraint classifies a constraint violation and names its column from
// the constraint name PostgreSQL generated (table_column_key).
func constraint(err error) (kind, column string) {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return "", ""
	}
	switch pe.Code {
	case "23505":
		kind = "unique"
	case "23503":
		kind = "foreign"
	default:
		return "", ""
	}
	name := strings.TrimPrefix(pe.ConstraintName, pe.TableName+"_")
	name = strings.TrimSuffix(strings.TrimSuffix(name, "_key"), "_fkey")
	if name == "pkey" {
		name = ""
	}
	return kind, name
}

// durability reads the session's synchronous_commit and the server's fsync.
// A commit is durable when fsync is on and synchronous_commit is anything
// but off ("local", "remote_write", "on" and "remote_apply" all flush the
// local write-ahead log first).
func durability(ctx context.Context, tx *sql.Tx) (sqlstore.Durability, error) {
	var commit, fsync string
	if err := tx.QueryRowContext(ctx, `SELECT current_setting('synchronous_commit'), current_setting('fsync')`).Scan(&commit, &fsync); err != nil {
		return sqlstore.Durability{}, err
	}
	return sqlstore.Durability{
		Setting: "synchronous_commit=" + commit + ", fsync=" + fsync,
		Durable: commit != "off" && fsync == "on",
	}, nil
}
