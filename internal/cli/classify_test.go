package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

type classifyLine struct {
	ID     json.RawMessage    `json:"id"`
	Labels []string           `json:"labels"`
	Scores map[string]float64 `json:"scores"`
	Error  string             `json:"error"`
}

func classifyOut(t *testing.T, stdout string) []classifyLine {
	t.Helper()
	var out []classifyLine
	for _, l := range strings.Split(strings.TrimRight(stdout, "\n"), "\n") {
		if l == "" {
			continue
		}
		var c classifyLine
		if err := json.Unmarshal([]byte(l), &c); err != nil {
			t.Fatalf("output line %q: %v", l, err)
		}
		out = append(out, c)
	}
	return out
}

func TestClassifyLinesInOrder(t *testing.T) {
	t.Parallel()
	in := strings.Join([]string{
		`{"id":"a","comment":"Thanks to the plow crews, our street was clear by 7am","post":"Snow emergency day 2"}`,
		`{"id":"b","comment":"I know where you live and I will kill you","post":"Snow emergency day 2"}`,
		`not json at all`,
		`{"id":"d","post":"no comment here"}`,
		``,
		`{"id":7,"comment":""}`,
		`{"id":"f","comment":42}`,
		`{"id":"g","comment":"🔥🔥🔥"}`,
	}, "\n")
	r := run(t, nil, in, "classify")
	if r.code != 2 {
		t.Fatalf("exit %d, want 2 (bad lines); stderr %s", r.code, r.stderr)
	}
	out := classifyOut(t, r.stdout)
	wantIDs := []string{`"a"`, `"b"`, ``, `"d"`, `7`, `"f"`, `"g"`}
	if len(out) != len(wantIDs) {
		t.Fatalf("%d output lines, want %d:\n%s", len(out), len(wantIDs), r.stdout)
	}
	for i, o := range out {
		if got := string(o.ID); got != wantIDs[i] && !(wantIDs[i] == "" && got == "null") {
			t.Errorf("line %d: id %s, want %s", i, got, wantIDs[i])
		}
	}
	for _, i := range []int{0, 1, 4, 6} {
		if out[i].Error != "" || len(out[i].Scores) != 15 || out[i].Labels == nil {
			t.Errorf("line %d: %+v, want 15 scores and a labels list", i, out[i])
		}
	}
	for _, i := range []int{2, 3, 5} {
		if out[i].Error == "" || out[i].Scores != nil {
			t.Errorf("line %d: %+v, want an error", i, out[i])
		}
	}
	if len(out[0].Labels) != 0 {
		t.Errorf("a thank-you flagged %v", out[0].Labels)
	}
	if !slices.Contains(out[1].Labels, "threat") {
		t.Errorf("a threat got %v", out[1].Labels)
	}
	for _, want := range []string{"line 3:", "line 4: comment is missing", "line 7:"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if strings.Contains(r.stderr, "line 6") {
		t.Errorf("an empty comment is scored, not an error:\n%s", r.stderr)
	}
}

func TestClassifyAllGoodExitsZero(t *testing.T) {
	t.Parallel()
	r := run(t, nil, `{"id":"x","comment":"When does the pool open?","post":"Pools open Saturday."}`+"\n", "classify")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	if out := classifyOut(t, r.stdout); len(out) != 1 || string(out[0].ID) != `"x"` {
		t.Fatalf("output %q", r.stdout)
	}
}

func TestClassifyLongLine(t *testing.T) {
	t.Parallel()
	long := `{"id":"big","comment":"` + strings.Repeat("a", 1<<20+10) + `"}`
	r := run(t, nil, long+"\n"+`{"id":"next","comment":"hello"}`, "classify")
	out := classifyOut(t, r.stdout)
	if r.code != 2 || len(out) != 2 || out[0].Error == "" || string(out[1].ID) != `"next"` || out[1].Scores == nil {
		t.Fatalf("exit %d, output %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "line 1: line is longer than") {
		t.Errorf("stderr %q", r.stderr)
	}
}

func TestClassifyThresholds(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	bad := filepath.Join(dir, "bad.json")
	notJSON := filepath.Join(dir, "not.json")
	os.WriteFile(good, []byte(`{"spam":0}`), 0o600)
	os.WriteFile(bad, []byte(`{"rudeness":0.5}`), 0o600)
	os.WriteFile(notJSON, []byte(`spam=0`), 0o600)
	in := `{"id":1,"comment":"When does the pool open?"}`
	r := run(t, nil, in, "classify", "--thresholds", good)
	if out := classifyOut(t, r.stdout); r.code != 0 || len(out) != 1 || !slices.Contains(out[0].Labels, "spam") {
		t.Fatalf("threshold 0 for spam: exit %d, %q", r.code, r.stdout)
	}
	for _, f := range []string{bad, notJSON, filepath.Join(dir, "missing.json")} {
		r := run(t, nil, in, "classify", "--thresholds", f)
		if r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, "steward:") {
			t.Errorf("%s: exit %d, stdout %q, stderr %q", f, r.code, r.stdout, r.stderr)
		}
	}
	if r := run(t, nil, in, "classify", "--thresholds", bad); !strings.Contains(r.stderr, "rudeness") {
		t.Errorf("the bad code is not named: %q", r.stderr)
	}
	if r := run(t, nil, in, "classify", "extra"); r.code != 1 {
		t.Errorf("extra argument: exit %d", r.code)
	}
}

func TestTrainEvalNeedTheData(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	missing := filepath.Join(dir, "no-data")
	out := filepath.Join(dir, "model.bin.gz")
	// STEWARD_DATA is the server's folder; it must not become the training data.
	env := map[string]string{"STEWARD_DATA": dir}
	for _, args := range [][]string{{"train", "--data", missing, "--out", out}, {"eval", "--data", missing, "--folds", "0"}} {
		r := run(t, env, "", args...)
		if r.code != 1 || !strings.Contains(r.stderr, filepath.Join(missing, "civic-comments-dev.jsonl")) {
			t.Errorf("%v: exit %d, stderr %q", args, r.code, r.stderr)
		}
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("train wrote %s without data (%v)", out, err)
	}
	if r := run(t, nil, "", "eval", "--model", filepath.Join(dir, "none.gz"), "--data", missing); r.code != 1 {
		t.Errorf("eval of a missing model: exit %d", r.code)
	}
	for _, k := range []string{"4", "-1"} {
		if r := run(t, nil, "", "eval", "--dev", "--dev-fold", k, "--data", missing); r.code != 1 || !strings.Contains(r.stderr, "--dev-fold is 0, 1, 2 or 3") {
			t.Errorf("eval --dev-fold %s: exit %d, stderr %q", k, r.code, r.stderr)
		}
	}
}
