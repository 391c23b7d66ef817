package sqlstore

import (
	"context"
	"slices"
	"testing"
)

// The parts of a split search cover its id range exactly, in order, each
// with its own bounds in the query's arguments, and the other arguments
// untouched; a search without a range gets one, and a narrow one, a
// transaction's or the portal's is not split.
func TestSearchParts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, p := openPool(t)
	p.split = splitConfig{rows: 10, parts: 3}
	r := &reader{db: p, d: &Dialect{Name: "sqlite"}}
	s := searchQuery{
		from: "archive_fts f CROSS JOIN archive_versions v", match: `text:"snow emergency"`,
		where: " WHERE archive_fts MATCH ? AND v.id = f.rowid AND f.rowid BETWEEN ? AND ? AND v.at >= ?",
		args:  []any{`text:"snow emergency"`, int64(100), int64(199), "2025-01-01"}, rangeArg: 1, rowLo: 100, rowHi: 199,
	}
	parts, err := r.searchParts(ctx, s)
	if err != nil || len(parts) != 3 {
		t.Fatalf("parts = %d, %v; want 3", len(parts), err)
	}
	next := int64(100)
	for i, q := range parts {
		if q.rowLo != next || q.rowHi < q.rowLo || q.where != s.where {
			t.Fatalf("part %d: %d–%d, where %q; want from %d", i, q.rowLo, q.rowHi, q.where, next)
		}
		if want := []any{s.args[0], q.rowLo, q.rowHi, s.args[3]}; !slices.Equal(q.args, want) {
			t.Fatalf("part %d args %v; want %v", i, q.args, want)
		}
		next = q.rowHi + 1
	}
	if next != 200 || s.args[1] != int64(100) || s.args[2] != int64(199) {
		t.Fatalf("parts end at %d (want 199), whole's args now %v", next-1, s.args)
	}

	narrow := s
	narrow.rowLo, narrow.rowHi = 100, 108
	narrow.args = []any{s.args[0], int64(100), int64(108), s.args[3]}
	public := s
	public.public = true
	for name, q := range map[string]searchQuery{"narrow": narrow, "public": public} {
		if parts, err := r.searchParts(ctx, q); err != nil || len(parts) != 1 || !slices.Equal(parts[0].args, q.args) {
			t.Errorf("%s: %d parts, %v; want itself", name, len(parts), err)
		}
	}
	if parts, err := (&reader{db: p.db, d: r.d}).searchParts(ctx, s); err != nil || len(parts) != 1 {
		t.Errorf("not the read pool: %d parts, %v; want 1", len(parts), err)
	}

	// Without a range, the range is every version's id.
	if _, err := p.db.Exec(`CREATE TABLE archive_versions (id INTEGER PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	if _, err := p.db.Exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30) INSERT INTO archive_versions SELECT i FROM n`); err != nil {
		t.Fatal(err)
	}
	all := searchQuery{from: s.from, match: s.match, where: " WHERE archive_fts MATCH ? AND v.id = f.rowid", args: []any{s.match}}
	parts, err = r.searchParts(ctx, all)
	if err != nil || len(parts) != 3 {
		t.Fatalf("no range: %d parts, %v; want 3", len(parts), err)
	}
	if q := parts[2]; q.rowLo != 21 || q.rowHi != 30 || q.where != all.where+" AND f.rowid BETWEEN ? AND ?" || !slices.Equal(q.args, []any{s.match, int64(21), int64(30)}) {
		t.Errorf("no range, last part: %d–%d %q %v", q.rowLo, q.rowHi, q.where, q.args)
	}
}
