package records_test

import (
	"archive/zip"
	"bytes"
	"flag"
	"io"
	"testing"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/records"
	"steward.city/steward/internal/storetest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/ with what the tests produce")

// golden compares got with testdata/name, or with -update writes it there.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	storetest.Golden(t, *update, name, got)
}

// TestBagGolden exports a request (the thread of setup, one redaction) at a
// fixed time and compares the bag's data/report.pdf and data/index.html
// with testdata/report.pdf and testdata/index.html. Every engine must
// write the same files.
func TestBagGolden(t *testing.T) {
	t.Parallel()
	files := []struct{ bag, golden string }{{records.FileReport, "report.pdf"}, {records.FileIndex, "index.html"}}
	var first map[string][]byte
	for _, eng := range storetest.Engines(t) {
		e := newEnv(t, eng)
		e.setup()
		r := &civic.RecordsRequest{Requester: "A Resident", Contact: "resident@example.org", ReceivedOn: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC),
			Subject: true, Description: "Comments about the splash pad", Scope: []string{`"splash pad"`}}
		if _, err := e.svc.Create(e.ctx, civic.CLI, r); err != nil {
			t.Fatal(err)
		}
		vs, err := e.arch.Search(e.ctx, civic.CLI, mustQuery(t, "651"))
		if err != nil || len(vs) != 1 {
			t.Fatalf("%s: search 651: %v %v", eng.Name, vs, err)
		}
		span := records.Suggest(vs[0].Text)[0]
		if err := e.svc.Redact(e.ctx, civic.CLI, &civic.Redaction{RequestID: r.ID, VersionID: vs[0].ID, Start: span.Start, End: span.End, Reason: span.Reason}); err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if _, err := e.svc.Export(e.ctx, civic.CLI, r.ID, &out); err != nil {
			t.Fatal(err)
		}
		z, err := zip.NewReader(bytes.NewReader(out.Bytes()), int64(out.Len()))
		if err != nil {
			t.Fatal(err)
		}
		got := map[string][]byte{}
		for _, f := range files {
			rc, err := z.Open(f.bag)
			if err != nil {
				t.Fatalf("%s: %v", eng.Name, err)
			}
			got[f.golden], err = io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
		}
		if first == nil {
			first = got
			for _, f := range files {
				golden(t, f.golden, got[f.golden])
			}
			continue
		}
		for _, f := range files {
			if !bytes.Equal(got[f.golden], first[f.golden]) {
				t.Errorf("%s writes another %s than sqlite", eng.Name, f.bag)
			}
		}
	}
}
