package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"steward.city/steward/internal/sqlstore"
)

// TestMigration009RefillsTheSearchIndex: a database indexed without
// stemming before 009 finds other forms of a word after it, for every
// version whose content was not disposed of, and for none that was.
func TestMigration009RefillsTheSearchIndex(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := func() time.Time { return time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC) }
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "s.db")+"?_time_format=sqlite")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ms, err := sqlstore.ReadMigrations(migrations, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sqlstore.Migrate(ctx, db, Dialect, ms[:8], now); err != nil {
		t.Fatal(err)
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	at := now()
	exec(`INSERT INTO archive_accounts (id, ref, platform, handle, created_at) VALUES (1, 'x:@streets', 'x', '@streets', ?)`, at)
	exec(`INSERT INTO archive_items (id, account_id, platform_id, kind, parent_id, thread_id, tags, first_captured, last_captured, state, versions)
		VALUES (1, 1, 'p', 'post', '', '', '[]', ?, ?, 'visible', 3)`, at, at)
	for i, text := range []string{"Two potholes on Elm", "A pothole on Oak", "Potholes everywhere"} {
		var disposed any
		if i == 2 {
			disposed = at
		}
		exec(`INSERT INTO archive_versions (id, item_id, account_id, kind, parent_id, thread_id, captured_at, at, author_id, author_handle, author_name, text, media, state, tags, raw, hash, disposed_at)
			VALUES (?, 1, 1, 'post', '', '', ?, ?, '', '', '', ?, '[]', 'visible', '[]', x'00', ?, ?)`, i+1, at.Add(time.Duration(i)), at, text, string(rune('a'+i)), disposed)
		if disposed == nil {
			exec(`INSERT INTO archive_fts (rowid, text, acct) VALUES (?, ?, 'a1')`, i+1, text)
		}
	}
	match := func(q string) []int64 {
		t.Helper()
		rows, err := db.QueryContext(ctx, `SELECT rowid FROM archive_fts WHERE archive_fts MATCH ? ORDER BY rowid`, q)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			out = append(out, id)
		}
		return out
	}
	if got := match(`text:potholes AND acct:a1`); !slices.Equal(got, []int64{1}) {
		t.Fatalf("before 009, potholes found %v", got)
	}
	if _, err := sqlstore.Migrate(ctx, db, Dialect, ms, now); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`text:potholes AND acct:a1`, `text:pothole`} {
		if got := match(q); !slices.Equal(got, []int64{1, 2}) {
			t.Errorf("after 009, %s found %v, want 1 and 2 (3 is disposed of)", q, got)
		}
	}
}
