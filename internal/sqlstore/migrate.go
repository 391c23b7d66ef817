package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Migration is one numbered schema change.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// ReadMigrations reads files named NNN_name.sql from dir in fsys, in order.
// Numbers must start at 1 and have no gaps.
func ReadMigrations(fsys fs.FS, dir string) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	var ms []Migration
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		num, name, ok := strings.Cut(strings.TrimSuffix(e.Name(), ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must be NNN_name.sql", e.Name())
		}
		b, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		ms = append(ms, Migration{Version: v, Name: name, SQL: string(b)})
	}
	slices.SortFunc(ms, func(a, b Migration) int { return a.Version - b.Version })
	for i, m := range ms {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migration %03d_%s: expected number %d", m.Version, m.Name, i+1)
		}
	}
	return ms, nil
}

// Migrate applies the migrations not yet applied, each in its own
// transaction, and returns how many it applied. Migrations are forward only:
// a database newer than this binary is an error.
func Migrate(ctx context.Context, db *sql.DB, d *Dialect, ms []Migration, now func() time.Time) (applied int, err error) {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
		return 0, fmt.Errorf("create schema_migrations: %w", err)
	}
	r := reader{d: d}
	for _, m := range ms {
		done, err := func() (bool, error) {
			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				return false, err
			}
			defer tx.Rollback()
			if d.Lock != nil {
				if err := d.Lock(ctx, tx); err != nil {
					return false, fmt.Errorf("lock: %w", err)
				}
			}
			var n int
			if err := tx.QueryRowContext(ctx, r.bind(`SELECT COUNT(*) FROM schema_migrations WHERE version = ?`), m.Version).Scan(&n); err != nil {
				return false, err
			}
			if n > 0 {
				return false, nil
			}
			if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
				return false, err
			}
			if _, err := tx.ExecContext(ctx, r.bind(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`),
				m.Version, m.Name, now().UTC().Format(time.RFC3339)); err != nil {
				return false, err
			}
			return true, tx.Commit()
		}()
		if err != nil {
			return applied, fmt.Errorf("migration %03d_%s: %w", m.Version, m.Name, err)
		}
		if done {
			applied++
		}
	}
	var latest int
	if err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&latest); err != nil {
		return applied, err
	}
	if latest > len(ms) {
		return applied, fmt.Errorf("the database is at schema version %d, newer than this steward (%d): upgrade steward", latest, len(ms))
	}
	return applied, nil
}
