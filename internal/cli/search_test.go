package cli_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSearchLimit stores 60 versions and searches them with --limit: a
// limit in range gives that many (all 60 for 1000, which used to give 50);
// one out of range exits 2 saying the range.
func TestSearchLimit(t *testing.T) {
	t.Parallel()
	d := newDB(t, "sqlite")
	var recs []string
	for i := range 60 {
		recs = append(recs, fmt.Sprintf(`{"account":"x:@cityhall","id":"%d","kind":"post","captured_at":"2026-01-02T10:%02d:00Z","text":"plow route %d"}`, i, i, i))
	}
	file := filepath.Join(t.TempDir(), "batch.json")
	if err := os.WriteFile(file, []byte(`{"records":[`+strings.Join(recs, ",")+`]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := run(t, nil, "", append([]string{"archive", "ingest"}, append(d.flags(), file)...)...); r.code != 0 {
		t.Fatalf("ingest: %+v", r)
	}
	tests := []struct {
		args   []string
		code   int
		lines  int
		stderr string
	}{
		{nil, 0, 20, ""},
		{[]string{"--limit", "1"}, 0, 1, ""},
		{[]string{"--limit", "1000"}, 0, 60, ""},
		{[]string{"--limit", "5000"}, 1, 0, "--limit 5000: limit must be between 1 and 1000"},
		{[]string{"--limit", "0"}, 1, 0, "--limit 0: limit must be between 1 and 1000"},
		{[]string{"--limit", "-3"}, 1, 0, "between 1 and 1000"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			t.Parallel()
			r := run(t, nil, "", append(append(append([]string{"search"}, d.flags()...), tt.args...), "plow")...)
			if r.code != tt.code || strings.Count(r.stdout, "\n") != tt.lines || !strings.Contains(r.stderr, tt.stderr) {
				t.Errorf("exit %d, %d lines, stderr %q; want %d, %d, %q", r.code, strings.Count(r.stdout, "\n"), r.stderr, tt.code, tt.lines, tt.stderr)
			}
		})
	}
}
