package storetest

import (
	"context"
	"database/sql"
	neturl "net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/postgres"
	"steward.city/steward/internal/sqlite"
	"steward.city/steward/internal/sqlstore"
)

// durabler is what a sqlstore write transaction offers beyond civic.Tx.
type durabler interface {
	Durability(ctx context.Context) (sqlstore.Durability, error)
}

// TestWritesAreDurable checks that the store as Steward opens it commits
// durably on each engine, both through WriteDurability and inside the
// transaction that Update (the only write path) opens, and that the check
// tells a non-durable setting apart.
func TestWritesAreDurable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, e := range Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			s := e.Open(t, time.Now)
			d, err := s.WriteDurability(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !d.Durable {
				t.Fatalf("default store is not durable: %s", d.Setting)
			}
			var inTx sqlstore.Durability
			err = s.Update(ctx, civic.Actor{Label: "cli"}, func(tx civic.Tx) error {
				dt, ok := tx.(durabler)
				if !ok {
					t.Fatalf("%T has no Durability method", tx)
				}
				inTx, err = dt.Durability(ctx)
				if err != nil {
					return err
				}
				return tx.CreateDepartment(ctx, &civic.Department{Slug: "parks", Name: "Parks"})
			})
			if err != nil {
				t.Fatal(err)
			}
			if !inTx.Durable || inTx.Setting != d.Setting {
				t.Fatalf("Update's transaction: %+v, want durable %s", inTx, d.Setting)
			}
		})
	}
}

func TestNonDurableSettingIsReported(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		s, err := sqlite.OpenWith(ctx, filepath.Join(t.TempDir(), "steward.db"), time.Now, sqlite.Options{Synchronous: sqlite.SynchronousNormal})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		d, err := s.WriteDurability(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if d.Durable || d.Setting != "synchronous=NORMAL" {
			t.Fatalf("got %+v, want synchronous=NORMAL, not durable", d)
		}
		if _, err := sqlite.OpenWith(ctx, filepath.Join(t.TempDir(), "x.db"), time.Now, sqlite.Options{Synchronous: "off"}); err == nil || !strings.Contains(err.Error(), "want full or normal") {
			t.Fatalf("synchronous=off accepted: %v", err)
		}
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		base := os.Getenv(PostgresEnv)
		if base == "" {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is not set: CI must run the PostgreSQL suite (.ci/run starts PostgreSQL and sets it)", PostgresEnv)
			}
			t.Skipf("%s not set", PostgresEnv)
		}
		// A URL that turns synchronous_commit off on purpose is obeyed,
		// and reported as not durable.
		url := base + "&synchronous_commit=off"
		if !strings.Contains(base, "?") {
			url = base + "?synchronous_commit=off"
		}
		db, err := postgres.OpenDB(url)
		if err != nil {
			t.Fatal(err)
		}
		s := sqlstore.New(postgres.Dialect, db, db, time.Now)
		defer s.Close()
		d, err := s.WriteDurability(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if d.Durable || !strings.Contains(d.Setting, "synchronous_commit=off") {
			t.Fatalf("got %+v, want synchronous_commit=off, not durable", d)
		}
		// Without it, the session asks for on even where the server's
		// default is off: a role whose default is off still gets on.
		admin, err := sql.Open("pgx", base)
		if err != nil {
			t.Fatal(err)
		}
		defer admin.Close()
		role := "steward_test_" + randomHex(6)
		if _, err := admin.ExecContext(ctx, `CREATE ROLE `+role+` LOGIN`); err != nil {
			t.Fatal(err)
		}
		defer admin.ExecContext(context.Background(), `DROP ROLE `+role)
		if _, err := admin.ExecContext(ctx, `ALTER ROLE `+role+` SET synchronous_commit = off`); err != nil {
			t.Fatal(err)
		}
		u, err := neturl.Parse(base)
		if err != nil {
			t.Fatal(err)
		}
		u.User = neturl.User(role)
		for _, c := range []struct {
			open func() (*sql.DB, error)
			want string
		}{
			{func() (*sql.DB, error) { return sql.Open("pgx", u.String()) }, "off"}, // the role's default, as the check would see it
			{func() (*sql.DB, error) { return postgres.OpenDB(u.String()) }, "on"},
		} {
			db, err := c.open()
			if err != nil {
				t.Fatal(err)
			}
			var v string
			err = db.QueryRowContext(ctx, `SHOW synchronous_commit`).Scan(&v)
			db.Close()
			if err != nil {
				t.Fatal(err)
			}
			if v != c.want {
				t.Fatalf("synchronous_commit = %q, want %q", v, c.want)
			}
		}
	})
}
