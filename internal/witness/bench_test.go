package witness_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/storetest"
	"steward.city/steward/internal/witness"
)

// BenchmarkCheckpoint measures signing one checkpoint of an SQLite archive
// of about 10,000 records, alone and cosigned by a witness over HTTP on
// this machine (consistency proof from the stored nodes, the witness's
// checks, its state written and flushed to disk). Each iteration first
// appends one record, untimed.
func BenchmarkCheckpoint(b *testing.B) {
	for _, witnessed := range []bool{false, true} {
		b.Run(fmt.Sprintf("witnessed=%v", witnessed), func(b *testing.B) {
			ctx := context.Background()
			clock := storetest.NewClock(time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC))
			s := storetest.OpenSQLite(b, clock.Now)
			signer, vkey, err := archive.LoadOrCreateKey(filepath.Join(b.TempDir(), "archive.key"), "city.example/archive")
			if err != nil {
				b.Fatal(err)
			}
			cfg := archive.Config{Store: s, Signer: signer, Clock: clock.Now}
			if witnessed {
				url, wvkey := startWitness(b, b.TempDir(), vkey)
				c, err := witness.NewClient(url, wvkey, nil)
				if err != nil {
					b.Fatal(err)
				}
				cfg.Witnesses = []archive.Witness{c}
			}
			svc := archive.New(cfg)
			at := clock.Now().Add(-time.Hour).Format(time.RFC3339)
			var recs []archive.Record
			for i := range 10000 {
				recs = append(recs, archive.Record{Account: "x:@city", ID: fmt.Sprint(i), Kind: "post", CapturedAt: at, Text: "hello"})
			}
			for i := 0; i < len(recs); i += 5000 {
				if _, err := svc.Ingest(ctx, civic.CLI, recs[i:i+5000], nil); err != nil {
					b.Fatal(err)
				}
			}
			n := 10000
			for b.Loop() {
				b.StopTimer()
				n++
				if _, err := svc.Ingest(ctx, civic.CLI, []archive.Record{{Account: "x:@city", ID: fmt.Sprint(n), Kind: "post", CapturedAt: at, Text: "hello"}}, nil); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if c, err := svc.Checkpoint(ctx); err != nil || c == nil {
					b.Fatal(c, err)
				}
			}
		})
	}
}
