package server_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/checkpoint"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/merkle"
	"steward.city/steward/internal/storetest"
)

// TestCheckpointEndpoints fetches, signed out, the newest checkpoint and
// consistency proofs between checkpoints, on every engine, and checks them
// as a witness or a resident would.
func TestCheckpointEndpoints(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			app := newApp(t, e, nil)
			ctx := context.Background()
			get := func(path string) (int, string, string) {
				res := app.do(request{method: "GET", path: path})
				return res.StatusCode, res.Header.Get("Content-Type"), readBody(t, res)
			}
			if code, _, _ := get("/checkpoint"); code != 404 {
				t.Errorf("GET /checkpoint with none signed: %d, want 404", code)
			}
			signer, vkey, err := archive.LoadOrCreateKey(filepath.Join(t.TempDir(), "k"), "city.example/archive")
			if err != nil {
				t.Fatal(err)
			}
			svc := archive.New(archive.Config{Store: app.store, Signer: signer, Clock: app.clock.Now})
			var notes []string
			for i, n := range []int{3, 6} {
				var recs []archive.Record
				for j := range n {
					recs = append(recs, archive.Record{Account: "x:@city", ID: fmt.Sprintf("%d-%d", i, j), Kind: "post", CapturedAt: app.clock.Now().Add(-time.Hour).Format(time.RFC3339), Text: "hello"})
				}
				if _, err := svc.Ingest(ctx, civic.CLI, recs, nil); err != nil {
					t.Fatal(err)
				}
				c, err := svc.Checkpoint(ctx)
				if err != nil || c == nil {
					t.Fatalf("checkpoint: %v", err)
				}
				notes = append(notes, c.Note)
			}
			code, ctype, body := get("/checkpoint")
			if code != 200 || !strings.HasPrefix(ctype, "text/plain") || body != notes[1] {
				t.Fatalf("GET /checkpoint: %d %s %q, want the newest checkpoint", code, ctype, body)
			}
			old, err := checkpoint.Open([]byte(notes[0]), vkey)
			if err != nil {
				t.Fatal(err)
			}
			cur, err := checkpoint.Open([]byte(body), vkey)
			if err != nil || cur.Size != old.Size+6 {
				t.Fatalf("the served checkpoint: %+v, %v", cur, err)
			}
			for _, q := range []string{fmt.Sprintf("?old=%d&new=%d", old.Size, cur.Size), fmt.Sprintf("?old=%d", old.Size)} {
				code, ctype, body = get("/checkpoint/proof" + q)
				proof, err := merkle.DecodeProof([]byte(body))
				if code != 200 || !strings.HasPrefix(ctype, "text/plain") || err != nil {
					t.Fatalf("GET /checkpoint/proof%s: %d %q %v", q, code, body, err)
				}
				if err := merkle.CheckConsistency(proof, old.Size, old.Root, cur.Size, cur.Root); err != nil {
					t.Errorf("the served proof%s does not prove the log extends the older checkpoint: %v", q, err)
				}
			}
			for _, q := range []string{"", "?old=x", "?old=-1", "?old=5&new=4", fmt.Sprintf("?old=3&new=%d", cur.Size+1)} {
				if code, _, _ := get("/checkpoint/proof" + q); code != 422 {
					t.Errorf("GET /checkpoint/proof%s: %d, want 422", q, code)
				}
			}
		})
	}
}
