package records_test

import (
	"bytes"
	"context"
	"crypto/sha256"
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

// benchBag ingests 5,000 versions of 300-byte texts with 1 KiB payloads
// and logs a request covering them.
func benchBag(b *testing.B) (svc *records.Service, id int64, vkey string) {
	clock := storetest.NewClock(time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC))
	s := storetest.OpenSQLite(b, clock.Now)
	signer, vkey, err := archive.LoadOrCreateKey(filepath.Join(b.TempDir(), "archive.key"), "steward.test")
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	arch := archive.New(archive.Config{Store: s, Signer: signer, Clock: clock.Now})
	arch.PublishVerifier(ctx, vkey)
	svc = records.New(records.Config{Store: s, Archive: arch, Signer: signer, Clock: clock.Now})
	text := bytes.Repeat([]byte("the splash pad opens "), 15)
	var recs []archive.Record
	for i := range 5000 {
		at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute)
		raw, _ := json.Marshal(map[string]string{"id": fmt.Sprint(i), "content": string(text), "pad": string(bytes.Repeat([]byte("x"), 700))})
		recs = append(recs, archive.Record{Account: "mastodon:@parks@city.example", ID: fmt.Sprint(i), Kind: "comment", Thread: "p1",
			CapturedAt: at.Format(time.RFC3339Nano), Author: civic.Author{ID: "42", Handle: "@resident", Name: "A Resident"}, Text: string(text), Raw: raw})
	}
	if _, err := arch.Ingest(ctx, civic.CLI, recs, nil); err != nil {
		b.Fatal(err)
	}
	r := &civic.RecordsRequest{Requester: "A", ReceivedOn: clock.Now(), Description: "d", Scope: []string{"from:2026-01-01"}}
	if _, err := svc.Create(ctx, civic.CLI, r); err != nil {
		b.Fatal(err)
	}
	return svc, r.ID, vkey
}

// BenchmarkExport exports the bag of benchBag.
func BenchmarkExport(b *testing.B) {
	svc, id, _ := benchBag(b)
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if _, err := svc.Export(context.Background(), civic.CLI, id, &buf); err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(buf.Len()))
	}
}

// BenchmarkVerifyBag verifies the bag of benchBag.
func BenchmarkVerifyBag(b *testing.B) {
	svc, id, vkey := benchBag(b)
	var buf bytes.Buffer
	if _, err := svc.Export(context.Background(), civic.CLI, id, &buf); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := records.VerifyBag(bytes.NewReader(data), int64(len(data)), records.VerifyOptions{Key: vkey}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSHA256 hashes the bytes of the bag of benchBag: the yardstick
// for the two above, in the same run.
func BenchmarkSHA256(b *testing.B) {
	svc, id, _ := benchBag(b)
	var buf bytes.Buffer
	if _, err := svc.Export(context.Background(), civic.CLI, id, &buf); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		sha256.Sum256(data)
	}
}
