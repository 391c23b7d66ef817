package draftscreen

import (
	"fmt"
	"strings"
	"testing"
)

// TestCommittedModelNeverSawHeldOut checks that the embedded model was
// trained without any held-out draft: it lists the ids it learned from.
func TestCommittedModelNeverSawHeldOut(t *testing.T) {
	t.Parallel()
	m, err := DefaultModel()
	if err != nil {
		t.Fatal(err)
	}
	if len(m.TrainIDs) < 200 {
		t.Fatalf("the embedded model lists %d training ids; it should list the ~260 it learned from", len(m.TrainIDs))
	}
	seen := map[string]bool{}
	for _, id := range m.TrainIDs {
		if HeldOut(id) {
			t.Errorf("the embedded model was trained on held-out draft %s", id)
		}
		if seen[id] {
			t.Errorf("training id %s listed twice", id)
		}
		seen[id] = true
	}
	for _, c := range LearnedCodes {
		if th := m.Codes[c].Threshold; th <= 0 || th >= 1 {
			t.Errorf("%s threshold %v", c, th)
		}
	}
}

func TestHeldOutSplitIsAQuarter(t *testing.T) {
	t.Parallel()
	n := 0
	for i := 1; i <= 4000; i++ {
		if HeldOut(fmt.Sprintf("ddev-%04d", i)) {
			n++
		}
	}
	if n < 900 || n > 1100 {
		t.Errorf("%d of 4000 ids held out, want about a quarter", n)
	}
	// The split is pinned: changing the hash would silently put drafts the
	// committed model learned from into the held-out split.
	for id, want := range map[string]bool{"ddev-0003": true, "ddev-0007": true, "ddev-0014": true, "ddev-0004": false, "ddev-0045": false, "ddev-0348": true} {
		if HeldOut(id) != want {
			t.Errorf("HeldOut(%s) = %v, want %v", id, !want, want)
		}
	}
}

// TestTrainSkipsHeldOut gives Train held-out rows labeled with nonsense:
// they must not reach the model.
func TestTrainSkipsHeldOut(t *testing.T) {
	t.Parallel()
	var rows []Row
	for i := range 80 {
		id := fmt.Sprintf("x-%d", i)
		r := Row{ID: id, Category: "announcement", Text: fmt.Sprintf("The pool opens on day %d.", i)}
		if i%2 == 0 {
			r.Text = fmt.Sprintf("Honestly I think plan %d is a waste of money.", i)
			r.Findings = []RowFinding{{Code: PersonalOpinion}}
		}
		if HeldOut(id) {
			r.Text = "zebracorn " + r.Text // a word only held-out rows have
		}
		rows = append(rows, r)
	}
	m, _ := Train(rows, TrainOptions{Epochs: 5})
	for _, id := range m.TrainIDs {
		if HeldOut(id) {
			t.Errorf("trained on held-out %s", id)
		}
	}
	if _, ok := m.Category.Weights["w:zebracorn"]; ok {
		t.Error("a word only held-out rows have reached the model's weights")
	}
	// Same rows, same model.
	m2, _ := Train(rows, TrainOptions{Epochs: 5})
	a, _ := m.Encode()
	b, _ := m2.Encode()
	if string(a) != string(b) {
		t.Error("training twice on the same rows gave different models")
	}
}

func TestDecodeModelRefusesBrokenFiles(t *testing.T) {
	t.Parallel()
	for _, in := range []string{``, `{}`, `{"version":1}`, `{"version":2,"name":{},"category":{}}`,
		`{"version":1,"name":{"outputs":1,"bias":[0],"weights":{}},"category":{"outputs":8,"bias":[0,0,0,0,0,0,0,0],"weights":{"w:x":[1]}},"codes":{}}`} {
		if _, err := DecodeModel([]byte(in)); err == nil {
			t.Errorf("DecodeModel(%q) accepted a broken model", in)
		}
	}
}

func TestReadRowsRefusesBadRows(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		`{"id":"a","category":"nope","text":"x","findings":[]}`:                                                                                    "line 1: category",
		`{"id":"a","category":"none","text":"x","findings":[{"code":"rude","span":""}]}`:                                                           "unknown code",
		`{"id":"a","category":"none","text":"x","findings":[{"code":"profanity","span":"damn"}]}`:                                                  "not in the text",
		`{"id":"a","category":"none","text":"x","findings":[],"extra":1}`:                                                                          "unknown field",
		"{\"id\":\"a\",\"category\":\"none\",\"text\":\"x\",\"findings\":[]}\n{\"id\":\"a\",\"category\":\"none\",\"text\":\"y\",\"findings\":[]}": "line 2: id",
	} {
		_, err := ReadRows(strings.NewReader(in))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ReadRows(%q): %v, want an error with %q", in, err, want)
		}
	}
}

// TestThresholdCountsRuleFindings: where a rule already finds every
// positive, a low threshold only adds the model's false findings, so the
// threshold chosen rises above the clean drafts' scores; without the rule
// the same scores call for a threshold low enough to catch the positives.
func TestThresholdCountsRuleFindings(t *testing.T) {
	t.Parallel()
	var s []scored
	for range 10 {
		s = append(s, scored{p: 0.2, yes: true, rule: true}) // found by a rule, scored low by the model
		s = append(s, scored{p: 0.3, yes: false})            // clean, scored a little higher
	}
	if th := bestThreshold(s, 1, 0.05); th <= 0.3 {
		t.Errorf("with the rule's findings counted: threshold %v, want above the clean drafts' 0.3", th)
	}
	for i := range s {
		s[i].rule = false
	}
	if th := bestThreshold(s, 1, 0.05); th > 0.2 {
		t.Errorf("without a rule: threshold %v, want at most 0.2 to catch the positives", th)
	}
}

// TestDevScreensOnlyTrainingRows: cross-validation reports on the training
// split alone, whatever the held-out rows say.
func TestDevScreensOnlyTrainingRows(t *testing.T) {
	t.Parallel()
	var rows []Row
	train := 0
	for i := range 60 {
		id := fmt.Sprintf("d-%d", i)
		r := Row{ID: id, Category: "announcement", Text: fmt.Sprintf("The pool opens on day %d.", i)}
		if HeldOut(id) {
			r.Text = "I think the council is wrong."
			r.Findings = []RowFinding{{Code: PersonalOpinion}}
		} else {
			train++
		}
		rows = append(rows, r)
	}
	_, dev := Train(rows, TrainOptions{Epochs: 3})
	if dev.Drafts != train || dev.WithFindings != 0 || dev.Clean != train {
		t.Errorf("dev measured %d drafts (%d with a finding, %d clean); want the %d training drafts, all clean", dev.Drafts, dev.WithFindings, dev.Clean, train)
	}
}
