package cli_test

import (
	"archive/zip"
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRequestCompleteDespiteIndexes logs a January records request over
// 100 matching items, then edits one row of the date index and one entry
// of the full-text index behind Steward's back, on every engine: the
// search now misses items, but the export, which reads the
// versions table, still holds every one, and `steward verify` exits 2
// naming both indexes.
func TestRequestCompleteDespiteIndexes(t *testing.T) {
	t.Parallel()
	for _, engine := range engines(t) {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			d := newDB(t, engine)
			// In time order, so that version IDs grow with the days: 100
			// January items about the snow plow, 10 January items about
			// something else, 10 February items about the snow plow.
			var recs []string
			add := func(id string, at time.Time, text string) {
				recs = append(recs, fmt.Sprintf(`{"account":"mastodon:@streets@city.example","id":%q,"kind":"comment","captured_at":%q,"text":%q}`,
					id, at.Format(time.RFC3339), text))
			}
			jan := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
			for i := range 110 {
				at := jan.Add(time.Duration(i) * 6 * time.Hour) // 1 to 28 January
				if i%11 == 10 {
					add(fmt.Sprintf("j%d", i), at, "Library hours change")
					continue
				}
				add(fmt.Sprintf("j%d", i), at, fmt.Sprintf("The snow plow missed street %d", i))
			}
			for i := range 10 {
				add(fmt.Sprintf("f%d", i), time.Date(2026, 2, 2+i, 9, 0, 0, 0, time.UTC), "The snow plow came in February")
			}
			file := filepath.Join(t.TempDir(), "batch.json")
			if err := os.WriteFile(file, []byte(`{"records":[`+strings.Join(recs, ",\n")+`]}`), 0o600); err != nil {
				t.Fatal(err)
			}
			if r := run(t, nil, "", d.cmd([]string{"archive", "ingest"}, file)...); r.code != 0 {
				t.Fatalf("ingest: %+v", r)
			}
			exec, _ := rawDB(t, d)
			now := time.Now().UTC()
			scope := `"snow plow" from:2026-01-01 to:2026-01-31`
			exec(`INSERT INTO records_requests (requester, contact, received_on, subject, kind, description, scope, status, notes, pages, actual_cost_cents, fee_cents, created_by, created_at)
				VALUES ('A Resident', '', ?, ?, 'data', 'snow plow complaints in January', ?, 'open', '', 0, 0, 0, 'test', ?)`, now, false, scope, now)
			search := func() int {
				r := run(t, nil, "", d.cmd([]string{"search"}, "--limit", "1000", scope)...)
				if r.code != 0 {
					t.Fatalf("search: %+v", r)
				}
				return strings.Count(r.stdout, "\n")
			}
			export := func(name string) map[string]bool {
				out := filepath.Join(t.TempDir(), name)
				if r := run(t, nil, "", d.cmd([]string{"export"}, "--request", "1", "--out", out)...); r.code != 0 {
					t.Fatalf("export: %+v", r)
				}
				if r := run(t, nil, "", "verify", "--request", "1", out); r.code != 0 {
					t.Fatalf("verify %s: %+v", name, r)
				}
				// A records bag is a BagIt bag for tools that are not ours.
				if err := outsideBagCheck(t, out); err != nil {
					t.Errorf("%s fails the outside tools: %v", name, err)
				}
				return bagItems(t, out)
			}
			if n := search(); n != 100 {
				t.Fatalf("the search finds %d versions before tampering, want 100", n)
			}
			before := export("before.zip")
			if len(before) != 100 {
				t.Fatalf("the export holds %d items, want 100", len(before))
			}
			if r := run(t, nil, "", d.cmd([]string{"verify"})...); r.code != 0 {
				t.Fatalf("verify the untouched archive: %+v", r)
			}

			// One row of the date index: the last January day now ends
			// where the first one does. One full-text entry: version 5
			// loses its words.
			exec(`UPDATE archive_days SET max_id = (SELECT max_id FROM archive_days WHERE day = '2026-01-01') WHERE day = '2026-01-28'`)
			if engine == "sqlite" {
				exec(`DELETE FROM archive_fts WHERE rowid = 5`)
				exec(`INSERT INTO archive_fts (rowid, text, acct) VALUES (5, 'nothing here', 'a1')`)
			} else {
				exec(`ALTER TABLE archive_versions ALTER COLUMN tsv DROP EXPRESSION`)
				exec(`UPDATE archive_versions SET tsv = to_tsvector('simple', 'nothing here') WHERE id = 5`)
			}
			if n := search(); n != 97 {
				t.Fatalf("the search finds %d versions after the indexes were edited, want 97: the two of 28 January and version 5 are lost", n)
			}
			after := export("after.zip")
			if len(after) != len(before) {
				t.Errorf("after the indexes were edited the export holds %d items, want %d", len(after), len(before))
			}
			for id := range before {
				if !after[id] {
					t.Errorf("item %s is missing from the export", id)
				}
			}
			r := run(t, nil, "", d.cmd([]string{"verify"})...)
			if r.code != 2 || !strings.Contains(r.stdout, "index: the date index (archive_days) says the versions of 2026-01-28") ||
				!strings.Contains(r.stdout, "index: version 5: its full-text entry") {
				t.Errorf("verify after the indexes were edited: %+v", r)
			}
		})
	}
}

// bagItems returns the platform ids of the items in a bag's items.jsonl.
func bagItems(t *testing.T, path string) map[string]bool {
	t.Helper()
	z, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	f, err := z.Open("data/items.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]bool{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var l struct {
			PlatformID string `json:"platform_id"`
		}
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatal(err)
		}
		out[l.PlatformID] = true
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
