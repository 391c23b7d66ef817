package records_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/records"
	"steward.city/steward/internal/storetest"
)

// TestVerifyBagNamesFirstBadLine exports a bag of 1,100 versions, which
// VerifyBag checks in several batches at once, and forges lines far apart
// in it: the error must name the first bad line, as a check one line at a
// time would, whichever batch finishes first.
func TestVerifyBagNamesFirstBadLine(t *testing.T) {
	t.Parallel()
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			t.Parallel()
			clock := storetest.NewClock(time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC))
			s := eng.Open(t, clock.Now)
			signer, vkey, err := archive.LoadOrCreateKey(filepath.Join(t.TempDir(), "archive.key"), "steward.test")
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			arch := archive.New(archive.Config{Store: s, Signer: signer, Clock: clock.Now})
			if err := arch.PublishVerifier(ctx, vkey); err != nil {
				t.Fatal(err)
			}
			svc := records.New(records.Config{Store: s, Archive: arch, Signer: signer, Clock: clock.Now})
			at := time.Date(2026, 11, 19, 12, 0, 0, 0, time.UTC)
			var recs []archive.Record
			for i := range 1100 {
				recs = append(recs, rec(fmt.Sprint("c", i), "", fmt.Sprintf("comment %d about the splash pad", i), at.Add(time.Duration(i)*time.Second)))
			}
			if _, err := arch.Ingest(ctx, civic.CLI, recs, nil); err != nil {
				t.Fatal(err)
			}
			r := &civic.RecordsRequest{Requester: "A", ReceivedOn: clock.Now(), Description: "d", Scope: []string{"from:2026-01-01"}}
			if _, err := svc.Create(ctx, civic.CLI, r); err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if _, err := svc.Export(ctx, civic.CLI, r.ID, &buf); err != nil {
				t.Fatal(err)
			}
			data := buf.Bytes()
			// A writer that fails, early or late, fails the export (and the
			// goroutines that make the report and proofs stop: -race and
			// the test's end would show one left behind or a deadlock).
			for _, n := range []int{10, len(data) / 3, len(data) - 100} {
				if _, err := svc.Export(ctx, civic.CLI, r.ID, &failingWriter{n: n}); err == nil || !strings.Contains(err.Error(), "disk full") {
					t.Errorf("export to a writer failing after %d bytes: %v", n, err)
				}
			}
			cctx, cancel := context.WithCancel(ctx)
			cancel()
			if _, err := svc.Export(cctx, civic.CLI, r.ID, io.Discard); err == nil {
				t.Error("an export with a cancelled context succeeded")
			}
			rep, err := records.VerifyBag(bytes.NewReader(data), int64(len(data)), records.VerifyOptions{Key: vkey})
			if err != nil || rep.Versions != 1100 {
				t.Fatalf("the honest bag: %+v %v", rep, err)
			}
			orig := takeApart(t, data)
			alter := func(i int) func(t *testing.T, f *forgery) {
				return func(t *testing.T, f *forgery) { f.editLine(t, i, func(l *records.Line) { l.Text += "!" }) }
			}
			garble := func(i int) func(t *testing.T, f *forgery) {
				return func(t *testing.T, f *forgery) {
					l := lines(f.files[records.FileItems])
					l[i] = append([]byte(`{"id":`), l[i]...)
					f.files[records.FileItems] = join(l)
				}
			}
			cases := []struct {
				name  string
				file  string
				edits []func(t *testing.T, f *forgery)
				want  string
			}{
				{"two altered lines", records.FileItems, []func(*testing.T, *forgery){alter(1000), alter(700)}, "items.jsonl line 701: version"},
				{"an altered line before a garbled one", records.FileItems, []func(*testing.T, *forgery){garble(1050), alter(300)}, "items.jsonl line 301: version"},
				{"a garbled line before an altered one", records.FileItems, []func(*testing.T, *forgery){alter(1050), garble(900)}, "items.jsonl line 901 is not the JSON object"},
				{"two lines swapped", records.FileItems, []func(*testing.T, *forgery){alter(1099), func(t *testing.T, f *forgery) {
					l := lines(f.files[records.FileItems])
					l[600], l[601] = l[601], l[600]
					f.files[records.FileItems] = join(l)
				}}, "items.jsonl line 601 is version"},
				{"cut after 800 lines", records.FileItems, []func(*testing.T, *forgery){func(t *testing.T, f *forgery) {
					f.files[records.FileItems] = join(lines(f.files[records.FileItems])[:800])
				}}, "items.jsonl ends at line 801"},
				{"a line too many", records.FileItems, []func(*testing.T, *forgery){alter(1099), func(t *testing.T, f *forgery) {
					f.files[records.FileItems] = append(f.files[records.FileItems], lines(f.files[records.FileItems])[5]...)
				}}, "items.jsonl line 1100: version"},
				{"a line too many at the end", records.FileItems, []func(*testing.T, *forgery){func(t *testing.T, f *forgery) {
					f.files[records.FileItems] = append(f.files[records.FileItems], lines(f.files[records.FileItems])[5]...)
				}}, "items.jsonl line 1101: a version the list does not name"},
				{"no line feed at the end", records.FileItems, []func(*testing.T, *forgery){alter(1000), func(t *testing.T, f *forgery) {
					f.files[records.FileItems] = bytes.TrimSuffix(f.files[records.FileItems], []byte("\n"))
				}}, "items.jsonl line 1001: version"},
			}
			for _, c := range cases {
				f := orig.clone()
				for _, e := range c.edits {
					e(t, f)
				}
				f.reseal()
				forged := f.zip(t)
				_, err := records.VerifyBag(bytes.NewReader(forged), int64(len(forged)), records.VerifyOptions{Key: vkey})
				if err == nil || !errors.Is(err, records.ErrBag) || !strings.Contains(err.Error(), c.want) {
					t.Errorf("%s: verify says %v, want an error naming %q", c.name, err, c.want)
				}
			}
		})
	}
}
