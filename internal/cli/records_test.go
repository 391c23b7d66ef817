package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestExportAndVerifyBag exports a records request through the command
// line on every engine, verifies the bag offline, then verifies a cut-short
// copy: verify must exit 2 and say why. A failed export leaves no file.
func TestExportAndVerifyBag(t *testing.T) {
	t.Parallel()
	for _, engine := range engines(t) {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			d := newDB(t, engine)
			file := filepath.Join(t.TempDir(), "batch.json")
			batch := `{"records":[
				{"account":"mastodon:@parks@city.example","id":"1","kind":"post","captured_at":"2026-01-02T10:00:00Z","text":"Rink opens Friday"},
				{"account":"mastodon:@parks@city.example","id":"2","kind":"comment","parent":"1","captured_at":"2026-01-02T11:00:00Z","text":"Is the rink warming house open?"}]}`
			if err := os.WriteFile(file, []byte(batch), 0o600); err != nil {
				t.Fatal(err)
			}
			if r := run(t, nil, "", append([]string{"archive", "ingest"}, append(d.flags(), file)...)...); r.code != 0 {
				t.Fatalf("ingest: %+v", r)
			}
			exec, _ := rawDB(t, d)
			now := time.Now().UTC()
			exec(`INSERT INTO records_requests (requester, contact, received_on, subject, kind, description, scope, status, notes, pages, actual_cost_cents, fee_cents, created_by, created_at)
				VALUES ('A Resident', '', ?, ?, 'data', 'rink', 'rink', 'open', '', 0, 0, 0, 'test', ?)`, now, false, now)
			dir := t.TempDir()
			out := filepath.Join(dir, "request.zip")
			r := run(t, nil, "", append([]string{"export"}, append(d.flags(), "--request", "1", "--out", out)...)...)
			if r.code != 0 || !strings.Contains(r.stdout, "2 versions of 2 items") {
				t.Fatalf("export: %+v", r)
			}
			r = run(t, nil, "", "verify", out)
			if r.code != 0 || !strings.Contains(r.stdout, "bag verified: request 1, 2 versions") {
				t.Fatalf("verify: %+v", r)
			}
			data, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			cut := filepath.Join(dir, "cut.zip")
			if err := os.WriteFile(cut, data[:len(data)/2], 0o600); err != nil {
				t.Fatal(err)
			}
			r = run(t, nil, "", "verify", cut)
			if r.code != 2 || !strings.Contains(r.stderr, "not a readable zip") {
				t.Errorf("verify a truncated bag: %+v", r)
			}
			missing := filepath.Join(dir, "missing.zip")
			r = run(t, nil, "", append([]string{"export"}, append(d.flags(), "--request", "7", "--out", missing)...)...)
			if r.code == 0 || !strings.Contains(r.stderr, "request not found") {
				t.Errorf("export of a missing request: %+v", r)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 2 {
				t.Errorf("after a failed export the folder holds %d files, want 2", len(entries))
			}
		})
	}
}
