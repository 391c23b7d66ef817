package witness_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/checkpoint"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/storetest"
	"steward.city/steward/internal/witness"
)

// TestArchiveWitnessed runs the archive with a witness on its own listener
// and in its own folder, on every engine: each checkpoint is kept with the
// witness's cosignature, proved consistent from the database's stored
// nodes; once the archive is cut back and signed again with the same key,
// the witness refuses, and the checkpoint is kept without it.
func TestArchiveWitnessed(t *testing.T) {
	t.Parallel()
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			clock := storetest.NewClock(time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC))
			s := eng.Open(t, clock.Now)
			signer, vkey, err := archive.LoadOrCreateKey(filepath.Join(t.TempDir(), "archive.key"), "city.example/archive")
			if err != nil {
				t.Fatal(err)
			}
			url, wvkey := startWitness(t, t.TempDir(), vkey)
			client, err := witness.NewClient(url, wvkey, nil)
			if err != nil {
				t.Fatal(err)
			}
			var logged bytes.Buffer
			svc := archive.New(archive.Config{Store: s, Signer: signer, Witnesses: []archive.Witness{client}, Clock: clock.Now,
				Logger: slog.New(slog.NewTextHandler(&logged, nil))})
			wv, _ := checkpoint.NewCosignatureVerifier(wvkey)
			ingest := func(from, n int) {
				var recs []archive.Record
				for i := from; i < from+n; i++ {
					at := clock.Now().Add(-time.Hour)
					recs = append(recs, archive.Record{Account: "x:@city", ID: fmt.Sprint(i), Kind: "post", CapturedAt: at.Format(time.RFC3339Nano), Text: fmt.Sprintf("post %d", i)})
				}
				if _, err := svc.Ingest(ctx, civic.CLI, recs, nil); err != nil {
					t.Fatal(err)
				}
			}
			cosigned := func(c *civic.Checkpoint) bool {
				_, err := note.Open([]byte(c.Note), note.VerifierList(wv))
				return err == nil
			}
			for _, n := range []int{5, 3, 9} {
				ingest(int(clock.Now().Unix()%1000)*100, n)
				clock.Advance(time.Minute)
				c, err := svc.Checkpoint(ctx)
				if err != nil || c == nil {
					t.Fatalf("checkpoint: %v, %v", c, err)
				}
				if !cosigned(c) {
					t.Fatalf("checkpoint of %d records not cosigned: %s\nlog: %s", c.Size, c.Note, logged.String())
				}
				if _, err := checkpoint.Open([]byte(c.Note), vkey); err != nil {
					t.Errorf("the log's own signature no longer verifies beside the cosignature: %v", err)
				}
			}
			// Kept, read back and published with the cosignature.
			cps, err := s.ArchiveCheckpoints(ctx, 1)
			if err != nil || len(cps) == 0 || !cosigned(cps[0]) || cps[0].Size != 17 {
				t.Fatalf("stored checkpoint: %+v, %v", cps, err)
			}
			if names := checkpoint.SignerNames([]byte(cps[0].Note)); len(names) != 2 || names[1] != "witness.example/w1" {
				t.Errorf("signature lines of %q", names)
			}
			// Cut back to 10 records and signed again with the same key.
			storetest.CutArchive(t, s, 10)
			clock.Advance(time.Minute)
			c, err := svc.Checkpoint(ctx)
			if err != nil || c == nil {
				t.Fatalf("checkpoint after the cut: %v, %v", c, err)
			}
			if cosigned(c) {
				t.Fatal("the witness cosigned a rolled-back log")
			}
			if !strings.Contains(logged.String(), "the log was rolled back") {
				t.Errorf("the refusal was not logged: %s", logged.String())
			}
		})
	}
}
