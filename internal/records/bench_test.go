package records_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/records"
	"steward.city/steward/internal/storetest"
)

// BenchmarkVerifyBag verifies a bag of 5,000 versions of 300-byte texts
// with 1 KiB payloads.
func BenchmarkVerifyBag(b *testing.B) {
	clock := storetest.NewClock(time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC))
	s := storetest.OpenSQLite(b, clock.Now)
	signer, vkey, err := archive.LoadOrCreateKey(filepath.Join(b.TempDir(), "archive.key"), "steward.test")
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	arch := archive.New(archive.Config{Store: s, Signer: signer, Now: clock.Now})
	arch.PublishVerifier(ctx, vkey)
	svc := records.New(records.Config{Store: s, Archive: arch, Signer: signer, Now: clock.Now})
	text := bytes.Repeat([]byte("the splash pad opens "), 15)
	var recs []archive.Record
	for i := range 5000 {
		at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute)
		raw, _ := json.Marshal(map[string]string{"id": fmt.Sprint(i), "content": string(text), "pad": string(bytes.Repeat([]byte("x"), 700))})
		recs = append(recs, archive.Record{Account: "mastodon:@parks@city.example", ID: fmt.Sprint(i), Kind: "comment", Thread: "p1",
			CapturedAt: at.Format(time.RFC3339Nano), Author: civic.Author{ID: "42", Handle: "@resident", Name: "A Resident"}, Text: string(text), Raw: raw})
	}
	if _, err := arch.Ingest(ctx, nil, recs, nil); err != nil {
		b.Fatal(err)
	}
	r := &civic.RecordsRequest{Requester: "A", ReceivedOn: clock.Now(), Description: "d", Scope: []string{"from:2026-01-01"}}
	if _, err := svc.Create(ctx, nil, r); err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := svc.Export(ctx, nil, r.ID, &buf); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		if _, err := records.VerifyBag(bytes.NewReader(data), int64(len(data)), records.VerifyOptions{Key: vkey}); err != nil {
			b.Fatal(err)
		}
	}
}
