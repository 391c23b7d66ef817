package draftscreen

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// writtenDrafts is the drafts written to train on, from this package's folder.
const writtenDrafts = "traindata/drafts-written.jsonl"

// TestWrittenDrafts checks the drafts written to train on: they pass the
// data file's checks, their ids are unique and none is a data file's id,
// every category and code is there, and no written draft is a copy of a
// draft of the data file (lower-cased, spaces collapsed). The last two
// need the data file and are skipped without it.
func TestWrittenDrafts(t *testing.T) {
	t.Parallel()
	written, err := LoadRows(writtenDrafts)
	if err != nil {
		t.Fatal(err)
	}
	if len(written) < 500 {
		t.Errorf("%d written drafts, want at least 500", len(written))
	}
	id := regexp.MustCompile(`^dw-\d{4}$`)
	cats, codes := map[string]int{}, map[string]int{}
	for _, r := range written {
		if !id.MatchString(r.ID) {
			t.Errorf("id %q is not dw-NNNN", r.ID)
		}
		cats[r.Category]++
		seen := map[string]bool{}
		for _, f := range r.Findings {
			if f.Span != "" && !strings.Contains(r.Text, f.Span) {
				t.Errorf("%s: span %q is not in the text", r.ID, f.Span)
			}
			if !seen[f.Code] {
				codes[f.Code]++
			}
			seen[f.Code] = true
		}
	}
	for name := range dataCategories {
		if cats[name] < 50 {
			t.Errorf("category %s: %d written drafts, want at least 50", name, cats[name])
		}
	}
	for _, c := range PolicyCodes {
		if codes[c] < 30 {
			t.Errorf("code %s: %d written drafts, want at least 30", c, codes[c])
		}
	}

	data := filepath.Join("..", "..", "..", "shared", "data", "draft-screening-dev.jsonl")
	rows, err := LoadRows(data)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skip("no data file: the written drafts parse; not compared with it")
	}
	if err != nil {
		t.Fatal(err)
	}
	if _, err := LoadWritten(writtenDrafts, rows); err != nil {
		t.Fatal(err)
	}
	texts := make(map[string]bool, len(rows))
	for _, r := range rows {
		texts[normalText(r.Text)] = true
	}
	for _, w := range written {
		if texts[normalText(w.Text)] {
			// Only the written draft's id: the data row may be held out.
			t.Errorf("written draft %s is a copy of a draft of the data file", w.ID)
		}
	}
}

func normalText(s string) string { return strings.Join(strings.Fields(strings.ToLower(s)), " ") }

// TestTrainWritten: written drafts train the model and every fold whatever
// their ids, are never measured, and are not listed as data rows.
func TestTrainWritten(t *testing.T) {
	t.Parallel()
	var rows, written []Row
	for i := range 40 {
		r := Row{ID: fmt.Sprintf("x-%d", i), Category: "announcement", Text: fmt.Sprintf("The pool opens on day %d.", i)}
		if i%2 == 0 {
			r.Text = fmt.Sprintf("Honestly I think plan %d is a waste of money.", i)
			r.Findings = []RowFinding{{Code: PersonalOpinion}}
		}
		rows = append(rows, r)
		w := Row{ID: fmt.Sprintf("w-%d", i), Category: "recruitment", Text: fmt.Sprintf("Quokkaroo jobs open, shift %d.", i)}
		written = append(written, w)
	}
	m, dev := Train(rows, TrainOptions{Epochs: 3, Written: written})
	if _, ok := m.Category.Weights["w:quokkaroo"]; !ok {
		t.Error("a word only written drafts have is not in the model")
	}
	if m.Written != len(written) {
		t.Errorf("model says %d written drafts, want %d", m.Written, len(written))
	}
	for _, id := range m.TrainIDs {
		if strings.HasPrefix(id, "w-") {
			t.Errorf("written draft %s listed among the data rows", id)
		}
	}
	train := 0
	for _, r := range rows {
		if !HeldOut(r.ID) {
			train++
		}
	}
	if dev.Drafts != train {
		t.Errorf("cross-validation measured %d drafts, want the %d training data rows", dev.Drafts, train)
	}
}
