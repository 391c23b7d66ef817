package cli_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"steward.city/steward/internal/draftscreen"
)

type draftLine struct {
	ID       string `json:"id"`
	Category string `json:"category"`
	Findings []struct {
		Code  string `json:"code"`
		Span  string `json:"span"`
		Start int    `json:"start"`
		End   int    `json:"end"`
		Block string `json:"block"`
	} `json:"findings"`
	Line  int    `json:"line"`
	Error string `json:"error"`
}

func draftOut(t *testing.T, stdout string) []draftLine {
	t.Helper()
	var out []draftLine
	for _, l := range strings.Split(strings.TrimRight(stdout, "\n"), "\n") {
		var d draftLine
		if err := json.Unmarshal([]byte(l), &d); err != nil {
			t.Fatalf("output line %q: %v", l, err)
		}
		out = append(out, d)
	}
	return out
}

func TestScreenDraftLinesInOrder(t *testing.T) {
	t.Parallel()
	in := strings.Join([]string{
		`{"id":"a","text":"Lost dog found near Minnehaha Falls! Call or text 612-555-0181 to claim him.","account":"Minneapolis Animal Care","department":"Animal Care","covert":false}`,
		`{"id":"b","text":"Como Regional Park Pool opens June 14! Season passes go on sale May 1.","account":"Saint Paul Parks","department":"Parks","covert":false}`,
		`{"id":"c","text": oops-not-json}`,
		`{"id":"d","account":"Saint Paul Parks","covert":false}`,
		``,
		`{"id":"e","text":"Story time is back","colour":"blue"}`,
		`{"id":"f","text":"anybody got a switch for a glock? paying good, dm","account":"x","department":"Police","covert":true}`,
		`{"id":"g","text":"Our new video is up","media":[{"kind":"video","captions":false}]}`,
		`{"id":"h","text":"Look","media":[{"kind":"hologram"}]}`,
	}, "\n")
	r := run(t, nil, in, "screen-draft")
	if r.code != 2 {
		t.Fatalf("exit %d, want 2 (bad lines); stderr %s", r.code, r.stderr)
	}
	out := draftOut(t, r.stdout)
	if len(out) != 8 {
		t.Fatalf("%d output lines, want 8 (one per non-empty input line):\n%s", len(out), r.stdout)
	}
	wantIDs := []string{"a", "b", "c", "d", "e", "f", "g", "h"}
	for i, o := range out {
		if o.ID != wantIDs[i] {
			t.Errorf("output %d: id %q, want %q", i, o.ID, wantIDs[i])
		}
	}
	// The bad lines: an error naming the line number and the field.
	for _, c := range []struct {
		i    int
		line int
		word string
	}{{2, 3, "line 3"}, {3, 4, "text: missing"}, {4, 6, "colour"}, {7, 9, "media[0].kind"}} {
		o := out[c.i]
		if o.Line != c.line || !strings.Contains(o.Error, c.word) || o.Category != "" {
			t.Errorf("output %d: %+v, want an error on line %d naming %q", c.i, o, c.line, c.word)
		}
		if !strings.Contains(r.stderr, fmt.Sprintf("line %d:", c.line)) {
			t.Errorf("stderr does not name line %d: %s", c.line, r.stderr)
		}
	}
	if !strings.Contains(r.stderr, "4 input lines failed") {
		t.Errorf("stderr: %s", r.stderr)
	}
	// The good lines were screened.
	if a := out[0]; len(a.Findings) == 0 || a.Findings[0].Code != "contact_info" || a.Findings[0].Span != "612-555-0181" {
		t.Errorf("a: %+v, want contact_info 612-555-0181", a)
	}
	if b := out[1]; len(b.Findings) != 0 || b.Category == "" || b.Category == "none" {
		t.Errorf("b: %+v, want an authorized category and no finding", b)
	}
	f := out[5]
	found := false
	for _, x := range f.Findings {
		found = found || x.Code == "violence_or_crime" && x.Block == "absolute"
	}
	if !found || f.Category != "none" {
		t.Errorf("f (covert, buying a gun part): %+v, want an absolute violence_or_crime and category none", f)
	}
	if g := out[6]; len(g.Findings) != 1 || g.Findings[0].Code != "video_without_captions" || g.Findings[0].Block != "review" {
		t.Errorf("g: %+v, want video_without_captions blocking for review", g)
	}
}

func TestScreenDraftAllGoodExitsZero(t *testing.T) {
	t.Parallel()
	r := run(t, nil, `{"id":"1","text":"Free swim day at Highland Park Pool on Saturday!"}`+"\n", "screen-draft")
	if r.code != 0 || len(draftOut(t, r.stdout)) != 1 {
		t.Fatalf("exit %d, stdout %s, stderr %s", r.code, r.stdout, r.stderr)
	}
	if r := run(t, nil, "", "screen-draft", "extra"); r.code != 1 {
		t.Errorf("screen-draft with an argument: exit %d", r.code)
	}
}

// TestTrainEvalDrafts trains on a small labeled file and measures the model
// it wrote, so the commands run without the shared data.
func TestTrainEvalDrafts(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var b strings.Builder
	for i := range 60 {
		row := map[string]any{"id": fmt.Sprintf("t-%d", i), "account": "City", "department": "Parks", "covert": false, "category": "announcement",
			"text": fmt.Sprintf("The pool opens on day %d this summer.", i), "findings": []any{}}
		if i%3 == 0 {
			row["category"] = "none"
			row["text"] = fmt.Sprintf("Honestly I think the council is wrong about plan %d.", i)
			row["findings"] = []any{map[string]string{"code": "personal_opinion", "span": ""}}
		}
		j, _ := json.Marshal(row)
		b.Write(j)
		b.WriteByte('\n')
	}
	data := filepath.Join(dir, "drafts.jsonl")
	if err := os.WriteFile(data, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	model := filepath.Join(dir, "drafts.json")
	r := run(t, nil, "", "train", "drafts", "--data", data, "--out", model, "--written", "")
	r.check(t, 0, []string{"wrote " + model, "and 0 written ones"}, nil)
	// Drafts written to train on are read besides the data file; an id of
	// the data file among them is refused.
	written := filepath.Join(dir, "written.jsonl")
	os.WriteFile(written, []byte(`{"id":"w-1","account":"","department":"Parks","covert":false,"category":"announcement","text":"The rink opens Friday.","findings":[]}`+"\n"), 0o644)
	r = run(t, nil, "", "train", "drafts", "--data", data, "--out", model, "--written", written)
	r.check(t, 0, []string{"and 1 written ones"}, nil)
	os.WriteFile(filepath.Join(dir, "twice.jsonl"), []byte(`{"id":"t-1","account":"","department":"Parks","covert":false,"category":"announcement","text":"The rink opens Friday.","findings":[]}`+"\n"), 0o644)
	if r := run(t, nil, "", "train", "drafts", "--data", data, "--out", model, "--written", filepath.Join(dir, "twice.jsonl")); r.code != 1 || !strings.Contains(r.stderr, "also in the data file") {
		t.Errorf("train drafts with a data id written: exit %d, stderr %s", r.code, r.stderr)
	}
	r = run(t, nil, "", "eval", "drafts", "--data", data, "--model", model)
	r.check(t, 0, []string{"drafts with a finding caught", "| personal_opinion |"}, nil)
	// --dev cross-validates within the training split: it screens exactly
	// the rows that are not held out.
	train := 0
	for i := range 60 {
		if !draftscreen.HeldOut(fmt.Sprintf("t-%d", i)) {
			train++
		}
	}
	r = run(t, nil, "", "eval", "drafts", "--data", data, "--dev", "--no-cues", "--written", "")
	r.check(t, 0, []string{"CROSS-VALIDATED", fmt.Sprintf("Drafts measured: %d ", train), "| personal_opinion |"}, nil)
	// The written drafts train every fold and are never measured.
	r = run(t, nil, "", "eval", "drafts", "--data", data, "--dev", "--written", written)
	r.check(t, 0, []string{"each also trained on 1 written drafts", fmt.Sprintf("Drafts measured: %d ", train)}, nil)
	if r := run(t, nil, "", "eval", "drafts", "--data", data, "--dev", "--model", model); r.code != 1 || !strings.Contains(r.stderr, "--dev trains") {
		t.Errorf("eval drafts --dev --model: exit %d, stderr %s", r.code, r.stderr)
	}
	if r := run(t, nil, "", "eval", "drafts", "--data", data, "--no-cues"); r.code != 1 || !strings.Contains(r.stderr, "--no-cues needs --dev") {
		t.Errorf("eval drafts --no-cues: exit %d, stderr %s", r.code, r.stderr)
	}
	// A missing data file or model is a clear error, not a crash.
	if r := run(t, nil, "", "train", "drafts", "--data", filepath.Join(dir, "none.jsonl"), "--out", model, "--written", ""); r.code != 1 || !strings.Contains(r.stderr, "none.jsonl") {
		t.Errorf("train drafts without data: exit %d, stderr %s", r.code, r.stderr)
	}
	if r := run(t, nil, "", "screen-draft", "--model", filepath.Join(dir, "none.json")); r.code != 1 {
		t.Errorf("screen-draft with a missing model: exit %d", r.code)
	}
	// --check exits 2 naming the goals missed: ddev-0003 and ddev-0007 are
	// held out; the first is labeled with a finding the embedded screen
	// cannot see in its plain text.
	goals := filepath.Join(dir, "goals.jsonl")
	os.WriteFile(goals, []byte(`{"id":"ddev-0003","account":"","department":"Parks","covert":false,"category":"announcement","text":"The pool opens Monday.","findings":[{"code":"personal_opinion","span":""}]}`+"\n"+
		`{"id":"ddev-0007","account":"","department":"Parks","covert":false,"category":"announcement","text":"The pool opens Tuesday.","findings":[]}`+"\n"), 0o644)
	r = run(t, nil, "", "eval", "drafts", "--data", goals, "--check")
	r.check(t, 2, []string{"Drafts measured: 2"}, []string{"catch rate 0.000 < 0.95"})
	// A data file with a span that is not in its text is refused, naming the line.
	bad := filepath.Join(dir, "bad.jsonl")
	os.WriteFile(bad, []byte(`{"id":"x","account":"","department":"","covert":false,"category":"announcement","text":"hi","findings":[{"code":"profanity","span":"damn"}]}`+"\n"), 0o644)
	if r := run(t, nil, "", "train", "drafts", "--data", bad, "--out", model, "--written", ""); r.code != 1 || !strings.Contains(r.stderr, "line 1: findings: span") {
		t.Errorf("train drafts on a bad file: exit %d, stderr %s", r.code, r.stderr)
	}
}

// TestScreenDraftHostileInput feeds lines a stranger could craft: invalid
// UTF-8, a NUL, a repeated name, a line over the limit, a wrong type. Each
// gets an error naming its line; the good line after them is screened.
func TestScreenDraftHostileInput(t *testing.T) {
	t.Parallel()
	in := strings.Join([]string{
		"{\"id\":\"u\",\"text\":\"bad \xff byte\"}",
		`{"id":"n","text":"nul \u0000 here"}`,
		`{"id":"r","text":"one","text":"two"}`,
		`{"id":"l","text":"` + strings.Repeat("x", 2<<20) + `"}`,
		`{"id":"t","text":["not","a","string"]}`,
		`{"id":"k","text":"fine","covert":"yes"}`,
		`{"id":"ok","text":"Text me at 612-555-0124."}`,
	}, "\n")
	r := run(t, nil, in, "screen-draft")
	if r.code != 2 {
		t.Fatalf("exit %d, want 2", r.code)
	}
	out := draftOut(t, r.stdout)
	if len(out) != 7 {
		t.Fatalf("%d output lines, want 7:\n%.2000s", len(out), r.stdout)
	}
	for i, o := range out[:6] {
		if o.Line != i+1 || !strings.Contains(o.Error, fmt.Sprintf("line %d", i+1)) || o.Category != "" {
			t.Errorf("line %d: %+v, want an error naming the line", i+1, o)
		}
	}
	if ok := out[6]; ok.ID != "ok" || len(ok.Findings) != 1 || ok.Findings[0].Span != "612-555-0124" {
		t.Errorf("the good line after the bad ones: %+v", ok)
	}
	if len(r.stdout) > 10000 {
		t.Errorf("the over-long line came back in the output (%d bytes)", len(r.stdout))
	}
}
