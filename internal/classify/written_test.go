package classify

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writtenPath is the written civic comments, from this package's folder.
const writtenPath = "traindata/civic-written.jsonl"

// sameText is how the no-copy check compares comments: lower case, spaces
// collapsed.
func sameText(s string) string { return strings.Join(strings.Fields(strings.ToLower(s)), " ") }

// TestWrittenFile checks the written civic comments: they parse, every label
// is a code, ids are cw-0001… and unique, protected comments have no label,
// and no comment is a functional-suite case.
func TestWrittenFile(t *testing.T) {
	d := &Data{}
	if err := d.LoadWritten(writtenPath); err != nil {
		t.Fatal(err)
	}
	if len(d.Written) < 1200 {
		t.Errorf("%d written comments, want at least 1200", len(d.Written))
	}
	langs := map[string]bool{"en": true, "es": true, "so": true, "hmn": true, "vi": true, "ru": true, "zh": true, "ar": true, "om": true, "am": true}
	ids := map[string]bool{}
	for i, r := range d.Written {
		if want := fmt.Sprintf("cw-%04d", i+1); r.ID != want {
			t.Errorf("row %d: id %q, want %q", i+1, r.ID, want)
		}
		if ids[r.ID] {
			t.Errorf("id %s twice", r.ID)
		}
		ids[r.ID] = true
		if !langs[r.Lang] {
			t.Errorf("%s: language %q", r.ID, r.Lang)
		}
		if strings.TrimSpace(r.Comment) == "" || r.Post == "" || r.Account == "" || r.Platform == "" {
			t.Errorf("%s: a field is empty", r.ID)
		}
		if r.Protected && len(r.Labels) > 0 {
			t.Errorf("%s: protected with labels %v", r.ID, r.Labels)
		}
	}
	suite, blind := suites(t)
	cases := map[string]bool{}
	for _, f := range append(suite, blind...) {
		for _, c := range f.Cases {
			cases[sameText(c.Comment)] = true
		}
	}
	for _, r := range d.Written {
		if cases[sameText(r.Comment)] {
			t.Errorf("%s: %q is a functional-suite case", r.ID, r.Comment)
		}
	}
}

// TestWrittenNotCopied checks that no written comment is a comment of either
// civic file (held out or not), when the data folder is present.
func TestWrittenNotCopied(t *testing.T) {
	if _, err := os.Stat(filepath.Join(dataDir, CivicFiles[1].File)); err != nil {
		t.Skip("no ../shared/data")
	}
	civ := &Data{}
	for _, f := range CivicFiles {
		if err := civ.loadCivic(filepath.Join(dataDir, f.File), f.Set); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]string{}
	for _, r := range civ.Civic {
		seen[sameText(r.Comment)] = r.Set
	}
	d := &Data{}
	if err := d.LoadWritten(writtenPath); err != nil {
		t.Fatal(err)
	}
	for _, r := range d.Written {
		if set, ok := seen[sameText(r.Comment)]; ok {
			t.Errorf("%s is a comment of the %s civic file", r.ID, set)
		}
	}
}

// TestWrittenAlwaysTrains checks that written comments are training rows
// whatever their id hashes to, with a civic comment's weight, and that the
// development split keeps them.
func TestWrittenAlwaysTrains(t *testing.T) {
	var rows []CivicRow
	held := 0
	for i := range 40 {
		id := fmt.Sprintf("cw-%04d", i+1)
		if HeldOut(id) {
			held++
		}
		rows = append(rows, CivicRow{ID: id, Comment: "comment " + id, Post: "post", Labels: []string{"spam"}})
	}
	if held == 0 {
		t.Fatal("no id of the sample hashes into the held-out split; the test checks nothing")
	}
	for _, d := range []*Data{{Written: rows}, (&Data{Written: rows}).DevSplit()} {
		_, civ := TrainingSet(d, nil)
		if len(civ) != len(rows) {
			t.Fatalf("%d civic examples, want %d", len(civ), len(rows))
		}
		for i, e := range civ {
			if e.ID != rows[i].ID || !e.Civic || e.Weight != CivicExample(rows[i]).Weight {
				t.Errorf("example %d: %+v", i, e)
			}
		}
	}
}
