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

// TestSearchCityTime: the command line prints times in the city's zone
// (--time-zone), UTC when none is set, and a day in from: is the city's:
// a post at 03:30 UTC on Jan 3 is Jan 2, 9:30 PM in Chicago.
func TestSearchCityTime(t *testing.T) {
	t.Parallel()
	d := newDB(t, "sqlite")
	file := filepath.Join(t.TempDir(), "batch.json")
	if err := os.WriteFile(file, []byte(`{"records":[{"account":"x:@cityhall","id":"1","kind":"post","captured_at":"2026-01-03T03:30:00Z","text":"plow route"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := run(t, nil, "", append([]string{"archive", "ingest"}, append(d.flags(), file)...)...); r.code != 0 {
		t.Fatalf("ingest: %+v", r)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--time-zone", "America/Chicago", "plow"}, "Jan 2, 2026, 9:30 PM CST  "},
		{[]string{"plow"}, "Jan 3, 2026, 3:30 AM UTC  "},
		{[]string{"--time-zone", "America/Chicago", "plow", "from:2026-01-02", "to:2026-01-02"}, "Jan 2, 2026, 9:30 PM CST  "},
		{[]string{"plow", "from:2026-01-02", "to:2026-01-02"}, ""},
	} {
		r := run(t, nil, "", append(append([]string{"search"}, d.flags()...), c.args...)...)
		if r.code != 0 || (c.want == "") != (r.stdout == "") || !strings.HasPrefix(r.stdout, c.want) {
			t.Errorf("search %s: exit %d, %q; want %q", strings.Join(c.args, " "), r.code, r.stdout, c.want)
		}
	}
	if r := run(t, nil, "", append(append([]string{"search"}, d.flags()...), "--time-zone", "Mars/Olympus", "plow")...); r.code == 0 || !strings.Contains(r.stderr, `"Mars/Olympus" is not a known IANA time zone`) {
		t.Errorf("an unknown zone: exit %d, %q", r.code, r.stderr)
	}
}
