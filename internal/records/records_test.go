package records_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/bag"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/pdf/pdftest"
	"steward.city/steward/internal/records"
	"steward.city/steward/internal/storetest"
)

type env struct {
	t     *testing.T
	ctx   context.Context
	svc   *records.Service
	arch  *archive.Service
	store civic.Store
	vkey  string
}

func newEnv(t *testing.T, e storetest.Engine) *env {
	t.Helper()
	clock := storetest.NewClock(time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)) // a Friday
	s := e.Open(t, clock.Now)
	signer, vkey, err := archive.LoadOrCreateKey(filepath.Join(t.TempDir(), "archive.key"), "steward.test")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	arch := archive.New(archive.Config{Store: s, Signer: signer, Clock: clock.Now})
	if err := arch.PublishVerifier(ctx, vkey); err != nil {
		t.Fatal(err)
	}
	svc := records.New(records.Config{Store: s, Archive: arch, Signer: signer, Clock: clock.Now,
		Holidays: []time.Time{time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)}})
	return &env{t: t, ctx: ctx, svc: svc, arch: arch, store: s, vkey: vkey}
}

func rec(id, parent, text string, at time.Time) archive.Record {
	raw, _ := json.Marshal(map[string]string{"id": id, "content": text})
	return archive.Record{Account: "mastodon:@parks@city.example", ID: id, Kind: "comment", Thread: "p1", Parent: parent,
		CapturedAt: at.Format(time.RFC3339Nano), PlatformTime: at.Format(time.RFC3339),
		Author: civic.Author{ID: "42", Handle: "@resident", Name: "A Resident"}, Text: text, Raw: raw}
}

// setup ingests a thread (a post, a comment with a phone number that was
// later edited, and a removed comment) and an unrelated post.
func (e *env) setup() {
	e.t.Helper()
	at := time.Date(2026, 11, 19, 12, 0, 0, 0, time.UTC)
	post := rec("p1", "", "The splash pad opens Saturday.", at)
	post.Kind = "post"
	c2 := rec("c2", "p1", "Call me at 651-555-0123 about the splash pad", at.Add(time.Minute))
	c2b := rec("c2", "p1", "Call me about the splash pad, thanks", at.Add(2*time.Minute))
	c3 := rec("c3", "p1", "splash pad is a waste", at.Add(3*time.Minute))
	c3b := c3
	c3b.CapturedAt, c3b.State = at.Add(4*time.Minute).Format(time.RFC3339Nano), "hidden"
	other := rec("x1", "", "Library hours change", at.Add(5*time.Minute))
	other.Kind, other.Thread = "post", "x1"
	res, err := e.arch.Ingest(e.ctx, civic.CLI, []archive.Record{post, c2, c2b, c3, c3b, other}, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	if res.Stored != 6 {
		e.t.Fatalf("stored %d of 6: %+v", res.Stored, res)
	}
}

func TestRequestExportVerifyTamper(t *testing.T) {
	t.Parallel()
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, eng)
			e.setup()
			r := &civic.RecordsRequest{Requester: "A Resident", Contact: "resident@example.org", ReceivedOn: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC),
				Subject: true, Description: "Comments about the splash pad", Scope: []string{`"splash pad"`, "nothing-matches-this"}}
			counts, err := e.svc.Create(e.ctx, civic.CLI, r)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(counts) != "[3 0]" {
				t.Errorf("scope counts = %v, want [3 0]", counts)
			}
			// Ten business days from Friday 20 November, skipping the two holidays.
			if r.DueOn == nil || r.DueOn.Format(time.DateOnly) != "2026-12-08" {
				t.Errorf("due = %v, want 2026-12-08", r.DueOn)
			}
			// Find the phone number in the first version of c2 and redact it.
			var phoneVersion *civic.Version
			vs, err := e.arch.Search(e.ctx, civic.CLI, mustQuery(t, "651"))
			if err != nil || len(vs) != 1 {
				t.Fatalf("search 651: %v %v", vs, err)
			}
			phoneVersion = vs[0]
			spans := records.Suggest(phoneVersion.Text)
			if len(spans) != 1 || spans[0].Text != "651-555-0123" {
				t.Fatalf("suggested %+v", spans)
			}
			bad := &civic.Redaction{RequestID: r.ID, VersionID: phoneVersion.ID, Start: 10, End: 500, Reason: "13.356"}
			if err := e.svc.Redact(e.ctx, civic.CLI, bad); civic.ErrorKind(err) != civic.KindInvalid || !strings.Contains(err.Error(), "outside the text") {
				t.Errorf("redaction outside the text: %v", err)
			}
			if err := e.svc.Redact(e.ctx, civic.CLI, &civic.Redaction{RequestID: r.ID, VersionID: phoneVersion.ID, Start: 0, End: 4, Reason: "99.99"}); civic.ErrorField(err) != "reason" {
				t.Errorf("unknown reason: %v", err)
			}
			d := &civic.Redaction{RequestID: r.ID, VersionID: phoneVersion.ID, Start: spans[0].Start, End: spans[0].End, Reason: spans[0].Reason}
			if err := e.svc.Redact(e.ctx, civic.CLI, d); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(t.TempDir(), "request.zip")
			type call struct {
				done, total int64
				step        string
			}
			var calls []call
			res, err := e.svc.ExportFile(e.ctx, civic.CLI, r.ID, out, func(done, total int64, step string) { calls = append(calls, call{done, total, step}) })
			if err != nil {
				t.Fatal(err)
			}
			if res.Versions != 5 || res.Redacted != 1 || res.Items != 3 {
				t.Errorf("export result %+v, want 5 versions of 3 items, 1 redacted", res)
			}
			// Progress goes forward through every step, never past its
			// total, and ends at the total: the log read, each item twice
			// (index.html, the report), each version's proof.
			steps := []string{records.StepRead, records.StepIndex, records.StepReport, records.StepMedia, records.StepProofs, records.StepSigning}
			var seen []string
			for i, c := range calls {
				if c.done > c.total || (i > 0 && c.done < calls[i-1].done) {
					t.Errorf("progress call %d: %+v after %+v", i, c, calls[max(i-1, 0)])
				}
				if len(seen) == 0 || seen[len(seen)-1] != c.step {
					seen = append(seen, c.step)
				}
			}
			last := calls[len(calls)-1]
			if strings.Join(seen, "|") != strings.Join(steps, "|") || last.done != last.total || last.total != res.LogSize+2*int64(res.Items)+res.Versions {
				t.Errorf("progress steps %q ending at %+v, want %q ending at %d", seen, last, steps, res.LogSize+2*int64(res.Items)+res.Versions)
			}
			// The original record never changes.
			if v, err := e.store.ArchiveVersion(e.ctx, phoneVersion.ID); err != nil || !strings.Contains(v.Text, "651-555-0123") || v.ComputeHash() != v.Hash {
				t.Errorf("the archived version changed: %v %v", v, err)
			}
			data, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := records.VerifyBag(bytes.NewReader(data), int64(len(data)), records.VerifyOptions{Key: e.vkey})
			if err != nil {
				t.Fatalf("verify the untouched bag: %v", err)
			}
			if rep.Versions != 5 || rep.Redacted != 1 || rep.RequestID != r.ID {
				t.Errorf("report %+v", rep)
			}
			files := unzip(t, data)
			if bytes.Contains(files[records.FileItems], []byte("651-555-0123")) || bytes.Contains(files[records.FileIndex], []byte("651-555-0123")) {
				t.Error("the phone number is in the bag")
			}
			if !bytes.Contains(files[records.FileIndex], []byte("[REDACTED 13.356]")) || !bytes.Contains(files[records.FileIndex], []byte("removed (hidden)")) ||
				!bytes.Contains(files[records.FileIndex], []byte("edited")) {
				t.Error("index.html does not mark the redaction, the edit and the removal")
			}
			if bytes.Contains(files[records.FileItems], []byte("Library hours")) {
				t.Error("an item outside the scope is in the bag")
			}
			checkReport(t, files[records.FileReport])
			if !bytes.Contains(files[bag.FileManifest], []byte("  "+records.FileReport+"\n")) {
				t.Error("report.pdf is not in the payload manifest")
			}
		})
	}
}

func mustQuery(t *testing.T, s string) *archive.Query {
	q, err := archive.ParseQuery(s)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func newSigner(t *testing.T, name string) (string, note.Signer) {
	skey, vkey, err := note.GenerateKey(rand.Reader, name)
	if err != nil {
		t.Fatal(err)
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	return vkey, s
}

func unzip(t *testing.T, data []byte) map[string][]byte {
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, f := range z.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		b.ReadFrom(rc)
		rc.Close()
		out[f.Name] = b.Bytes()
	}
	return out
}

// failingWriter fails once n bytes have been written.
type failingWriter struct {
	buf bytes.Buffer
	n   int
}

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.buf.Len()+len(p) > w.n {
		return 0, errors.New("disk full")
	}
	return w.buf.Write(p)
}

// TestExportInterrupted cuts an export short: the error says so, the
// bytes written are not a bag that verify accepts, and ExportFile leaves
// no file behind.
func TestExportInterrupted(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite})
	e.setup()
	r := &civic.RecordsRequest{Requester: "A", ReceivedOn: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), Description: "d", Scope: []string{`"splash pad"`}}
	if _, err := e.svc.Create(e.ctx, civic.CLI, r); err != nil {
		t.Fatal(err)
	}
	w := &failingWriter{n: 3000}
	if _, err := e.svc.Export(e.ctx, civic.CLI, r.ID, w); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("export to a failing writer: %v", err)
	}
	if _, err := records.VerifyBag(bytes.NewReader(w.buf.Bytes()), int64(w.buf.Len()), records.VerifyOptions{Key: e.vkey}); err == nil || !strings.Contains(err.Error(), "not a readable zip") {
		t.Errorf("verify of a cut-short export: %v", err)
	}
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(e.ctx)
	cancel()
	if _, err := e.svc.ExportFile(ctx, civic.CLI, r.ID, filepath.Join(dir, "bag.zip"), nil); err == nil {
		t.Error("an export with a cancelled context succeeded")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("an interrupted export left %d files", len(entries))
	}
	r.Scope = []string{"zzz-nothing"}
	if _, err := e.svc.Update(e.ctx, civic.CLI, r); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.ExportFile(e.ctx, civic.CLI, r.ID, filepath.Join(dir, "bag.zip"), nil); civic.ErrorKind(err) != civic.KindInvalid || !strings.Contains(err.Error(), "matches nothing") {
		t.Errorf("export of a scope that matches nothing: %v", err)
	}
}

// checkReport checks data/report.pdf: a PDF file whose cross-reference
// table points at each object, whose text (read by pdftotext, if
// installed) has the requester and the redaction marker but not the
// redacted telephone number.
func checkReport(t *testing.T, pdf []byte) {
	t.Helper()
	if len(pdf) == 0 {
		t.Fatal("the bag has no data/report.pdf")
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-1.")) || !bytes.HasSuffix(pdf, []byte("%%EOF\n")) {
		t.Errorf("report.pdf does not start with %%PDF-1. and end with %%%%EOF: %q ... %q", pdf[:min(len(pdf), 20)], pdf[max(0, len(pdf)-20):])
	}
	m := regexp.MustCompile(`startxref\n(\d+)\n%%EOF\n$`).FindSubmatch(pdf)
	if m == nil {
		t.Fatal("report.pdf has no startxref")
	}
	at, _ := strconv.Atoi(string(m[1]))
	if at >= len(pdf) || !bytes.HasPrefix(pdf[at:], []byte("xref\n")) {
		t.Fatalf("startxref %d does not point at the xref table", at)
	}
	x := regexp.MustCompile(`^xref\n0 (\d+)\n`).FindSubmatch(pdf[at:])
	if x == nil {
		t.Fatal("report.pdf's xref table has no subsection header")
	}
	n, _ := strconv.Atoi(string(x[1]))
	table := pdf[at+len(x[0]):]
	if n < 4 || len(table) < 20*n {
		t.Fatalf("xref table of %d entries is too short", n)
	}
	if string(table[:20]) != "0000000000 65535 f \n" {
		t.Errorf("xref entry 0 = %q", table[:20])
	}
	for i := 1; i < n; i++ {
		e := string(table[20*i : 20*i+20])
		if !strings.HasSuffix(e, " 00000 n \n") {
			t.Errorf("xref entry %d = %q", i, e)
			continue
		}
		off, err := strconv.Atoi(e[:10])
		if want := fmt.Sprintf("%d 0 obj\n", i); err != nil || off >= len(pdf) || !bytes.HasPrefix(pdf[off:], []byte(want)) {
			t.Errorf("xref entry %d points at %d, not at %q", i, off, want)
		}
	}
	if !bytes.Contains(table[20*n:], []byte(fmt.Sprintf("/Size %d\n", n))) {
		t.Error("the trailer's /Size does not match the xref table")
	}
	text, ok := pdftest.Text(t, pdf)
	if !ok {
		return
	}
	out := pdftest.Normalize(text)
	for _, want := range []string{"Requester: A Resident", "[REDACTED 13.356]", "Call me about the splash pad, thanks", "[removed (hidden)]", "Thread p1 on mastodon:@parks@city.example"} {
		if !strings.Contains(out, want) {
			t.Errorf("pdftotext does not find %q in:\n%s", want, out)
		}
	}
	if strings.Contains(out, "651-555-0123") {
		t.Error("pdftotext finds the redacted phone number")
	}
}
