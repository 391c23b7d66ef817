package importer_test

import (
	"bytes"
	"encoding/csv"
	"testing"

	"steward.city/steward/internal/importer"
)

// The report counts what an import did and lists each entry skipped; a
// place or reason quoting the export (anyone's words) never reaches a
// spreadsheet as a formula. The summary says it in a sentence.
func TestReportAndSummary(t *testing.T) {
	res := &importer.Result{Entries: 1210, Skipped: 0, Stored: 1204, Duplicates: 3, Rejected: 2, Problems: []importer.Problem{
		{Where: "data/tweets.js[3].tweet.id_str", Field: "id", Message: "id is required"},
		{Where: `=HYPERLINK("http://evil.example","click")`, Message: "@SUM(1+1)"},
	}}
	if got := res.Summary(); got != "1,204 items imported, 3 already in the archive, 2 skipped" {
		t.Errorf("summary %q", got)
	}
	var buf bytes.Buffer
	if err := res.WriteReport(&buf); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"entries in the export": "1210", "imported": "1204", "already in the archive": "3", "skipped": "2", "done by an earlier run": "0"}
	for _, r := range rows[1:6] {
		if want[r[0]] != r[1] {
			t.Errorf("row %v, want %s", r, want[r[0]])
		}
	}
	if len(rows) != 8 || rows[6][2] != "data/tweets.js[3].tweet.id_str" || rows[6][3] != "id" || rows[6][4] != "id is required" {
		t.Fatalf("report rows %v", rows)
	}
	if rows[7][2][0] != '\'' || rows[7][4] != "'@SUM(1+1)" {
		t.Errorf("a formula from the export reaches the report: %v", rows[7])
	}
	again := &importer.Result{Entries: 3, Skipped: 3}
	if got := again.Summary(); got != "0 items imported, 0 already in the archive, 0 skipped; the first 3 of the 3 entries were done by an earlier run of the same file" {
		t.Errorf("summary of a file imported before %q", got)
	}
}
