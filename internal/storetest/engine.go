// Package storetest is the conformance suite every civic.Store must pass,
// and the helpers that open a fresh store on each engine for tests.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"steward.city/steward/internal/postgres"
	"steward.city/steward/internal/sqlite"
	"steward.city/steward/internal/sqlstore"
)

// PostgresEnv names the environment variable holding the URL of a
// PostgreSQL database the tests may create schemas in.
const PostgresEnv = "STEWARD_TEST_POSTGRES"

// Clock is a settable clock for tests.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock reading t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Engine opens a fresh, empty store for one test.
type Engine struct {
	Name string
	Open func(t testing.TB, now func() time.Time) *sqlstore.Store
}

// Engines returns SQLite, and PostgreSQL when STEWARD_TEST_POSTGRES is set.
// In CI (CI=true) a missing PostgreSQL URL fails the test instead of
// skipping it.
func Engines(t testing.TB) []Engine {
	es := []Engine{{Name: "sqlite", Open: OpenSQLite}}
	if os.Getenv(PostgresEnv) != "" {
		es = append(es, Engine{Name: "postgres", Open: OpenPostgres})
	} else if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not set: CI must run the PostgreSQL suite (.ci/run starts PostgreSQL and sets it)", PostgresEnv)
	}
	return es
}

// OpenSQLite opens a new SQLite store in a temporary folder.
func OpenSQLite(t testing.TB, now func() time.Time) *sqlstore.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "steward.db"), now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// OpenPostgres opens a new store in a schema of its own in the database
// named by STEWARD_TEST_POSTGRES, dropped when the test ends. Without
// STEWARD_TEST_POSTGRES it skips the test, and fails it in CI (CI=true).
func OpenPostgres(t testing.TB, now func() time.Time) *sqlstore.Store {
	t.Helper()
	base := os.Getenv(PostgresEnv)
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set: CI must run the PostgreSQL tests (.ci/run starts PostgreSQL and sets it)", PostgresEnv)
		}
		t.Skipf("%s not set", PostgresEnv)
	}
	schema := "steward_test_" + randomHex(6)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", base)
		if err == nil {
			db.ExecContext(context.Background(), `DROP SCHEMA `+schema+` CASCADE`)
			db.Close()
		}
	})
	s, err := postgres.Open(ctx, WithSearchPath(t, base, schema), now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// PostgresURL returns the URL of s's database with the search_path of its
// schema, for a second pool on the same schema (the job queue's workers).
func PostgresURL(t testing.TB, s *sqlstore.Store) string {
	t.Helper()
	var schema string
	if err := s.DB().QueryRowContext(context.Background(), `SELECT current_schema()`).Scan(&schema); err != nil {
		t.Fatal(err)
	}
	return WithSearchPath(t, os.Getenv(PostgresEnv), schema)
}

// WithSearchPath returns base with its search_path set to schema.
func WithSearchPath(t testing.TB, base, schema string) string {
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", PostgresEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
