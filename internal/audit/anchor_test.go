package audit_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/audit"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/sqlstore"
	"steward.city/steward/internal/storetest"
)

// rechain rewrites event seq (its actor becomes mallory) and recomputes the
// hash of it and every later event and the head, as someone who can write
// the database would to hide an edit.
func rechain(t *testing.T, s *sqlstore.Store, seq int64) {
	t.Helper()
	exec(t, s, `UPDATE audit_events SET actor = 'mallory' WHERE seq = ?`, seq)
	var es []*civic.AuditEvent
	if err := s.WalkAudit(context.Background(), func(e *civic.AuditEvent) error { es = append(es, e); return nil }); err != nil {
		t.Fatal(err)
	}
	prev := civic.GenesisHash
	for _, e := range es {
		if e.Seq >= seq {
			e.PrevHash = prev
			e.Hash = e.ComputeHash()
			exec(t, s, `UPDATE audit_events SET prev_hash = ?, hash = ? WHERE seq = ?`, e.PrevHash, e.Hash, e.Seq)
		}
		prev = e.Hash
	}
	exec(t, s, `UPDATE audit_head SET hash = ? WHERE id = 1`, prev)
}

// rollBack deletes the events from seq on and sets the head back, as
// someone who can write the database would to remove the newest events.
func rollBack(t *testing.T, s *sqlstore.Store, seq int64) {
	t.Helper()
	var h string
	if err := s.DB().QueryRow(s.Dialect().Rebind(`SELECT hash FROM audit_events WHERE seq = ?`), seq-1).Scan(&h); err != nil {
		t.Fatal(err)
	}
	exec(t, s, `DELETE FROM audit_events WHERE seq >= ?`, seq)
	exec(t, s, `UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1`, seq-1, h)
}

// TestVerifyAnchored is the penetration test's finding 4 on every engine:
// the newest events deleted and the head rolled back, or the chain
// rewritten and chained again, passes Verify; the checkpoint committing to
// the chain's head catches it, and a checkpoint published before catches it
// even when checkpoints were deleted or signed again with the same key.
func TestVerifyAnchored(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	type env struct {
		s         *sqlstore.Store
		svc       *archive.Service
		vkey      string
		published []byte // a checkpoint signed after event 5, its own event is 6
	}
	resign := func(t *testing.T, e *env) {
		if c, err := e.svc.Checkpoint(ctx); err != nil || c == nil {
			t.Fatalf("checkpoint: %v, %v", c, err)
		}
	}
	cases := []struct {
		name      string
		tamper    func(t *testing.T, e *env)
		since     bool   // check against the published checkpoint too
		chainOK   bool   // Verify alone passes
		wantError string // part of the *AnchorError; "" intact
	}{
		{"untouched", func(*testing.T, *env) {}, true, true, ""},
		{"newest events deleted, head rolled back", func(t *testing.T, e *env) { rollBack(t, e.s, 4) }, false, true,
			"the newest checkpoint (1, signed 2026-05-01T08:05:00Z) commits to an audit event that is no longer in the chain"},
		{"newest events deleted, checkpoints deleted", func(t *testing.T, e *env) {
			rollBack(t, e.s, 4)
			exec(t, e.s, `DELETE FROM archive_checkpoints`)
		}, false, true, "no signed checkpoint commits to the audit chain"},
		{"newest events deleted, signed again", func(t *testing.T, e *env) {
			rollBack(t, e.s, 4)
			exec(t, e.s, `DELETE FROM archive_checkpoints`)
			resign(t, e)
		}, true, true, "the published checkpoint (size 0, 2026-05-01T08:05:00Z) commits to an audit event that is no longer in the chain"},
		{"rewritten and chained again", func(t *testing.T, e *env) { rechain(t, e.s, 2) }, false, true,
			"the newest checkpoint (1, signed 2026-05-01T08:05:00Z) commits to an audit event that is no longer"},
		{"rewritten, chained and signed again", func(t *testing.T, e *env) {
			rechain(t, e.s, 2)
			resign(t, e)
		}, true, true, "the published checkpoint (size 0, 2026-05-01T08:05:00Z) commits to an audit event that is no longer"},
		{"rewritten after the published head, signed again", func(t *testing.T, e *env) {
			rechain(t, e.s, 7)
			resign(t, e)
		}, true, true, ""},
		{"signed again with another key", func(t *testing.T, e *env) {
			signer, _, err := archive.LoadOrCreateKey(filepath.Join(t.TempDir(), "forger.key"), "steward.test")
			if err != nil {
				t.Fatal(err)
			}
			exec(t, e.s, `DELETE FROM archive_checkpoints`)
			if _, err := archive.New(archive.Config{Store: e.s, Signer: signer}).Checkpoint(ctx); err != nil {
				t.Fatal(err)
			}
		}, false, true, "does not verify with the key trusted here"},
		{"chain broken", func(t *testing.T, e *env) { exec(t, e.s, `UPDATE audit_events SET actor = 'mallory' WHERE seq = 3`) }, false, false, ""},
	}
	for _, eng := range storetest.Engines(t) {
		for _, c := range cases {
			t.Run(eng.Name+"/"+c.name, func(t *testing.T) {
				t.Parallel()
				s := chain(t, eng) // events 1–5, 2026-05-01 08:01 to 08:05
				signer, vkey, err := archive.LoadOrCreateKey(filepath.Join(t.TempDir(), "archive.key"), "steward.test")
				if err != nil {
					t.Fatal(err)
				}
				clock := storetest.NewClock(time.Date(2026, 5, 1, 8, 5, 0, 0, time.UTC))
				e := &env{s: s, svc: archive.New(archive.Config{Store: s, Signer: signer, Clock: clock.Now}), vkey: vkey}
				cp, err := e.svc.Checkpoint(ctx)
				if err != nil {
					t.Fatal(err)
				}
				e.published = []byte(cp.Note)
				for i := 6; i <= 8; i++ { // events 7, 8, 9
					if err := s.Update(ctx, civic.System, func(tx civic.Tx) error {
						return tx.CreateDepartment(ctx, &civic.Department{Slug: fmt.Sprintf("e%d", i), Name: fmt.Sprintf("Department %d", i)})
					}); err != nil {
						t.Fatal(err)
					}
				}
				c.tamper(t, e)
				if _, err := audit.Verify(ctx, s); (err == nil) != c.chainOK {
					t.Fatalf("Verify alone: %v, want ok %v", err, c.chainOK)
				}
				var published []byte
				if c.since {
					published = e.published
				}
				anchors, err := audit.Anchors(ctx, s, vkey, published)
				if err == nil {
					_, _, err = audit.VerifyAnchored(ctx, s, anchors)
				}
				var ae *audit.AnchorError
				var be *audit.BrokenError
				switch {
				case !c.chainOK:
					if !errors.As(err, &be) {
						t.Errorf("a broken chain: %v", err)
					}
				case c.wantError == "":
					if err != nil {
						t.Errorf("VerifyAnchored: %v", err)
					}
				case !errors.As(err, &ae) || !strings.Contains(ae.Reason, c.wantError):
					t.Errorf("got %v, want an anchor error saying %q", err, c.wantError)
				}
			})
		}
	}
}

// TestAnchorsOfAPublishedFile: a published file that is no checkpoint is an
// error of its own; one without an audit line is an *AnchorError.
func TestAnchorsOfAPublishedFile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := storetest.Engines(t)[0]
	s := chain(t, e)
	signer, vkey, _ := archive.LoadOrCreateKey(filepath.Join(t.TempDir(), "archive.key"), "steward.test")
	if _, err := archive.New(archive.Config{Store: s, Signer: signer}).Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	var ae *audit.AnchorError
	if _, err := audit.Anchors(ctx, s, vkey, []byte("not a checkpoint")); err == nil || errors.As(err, &ae) {
		t.Errorf("a file that is no checkpoint: %v", err)
	}
	if _, err := audit.Anchors(ctx, s, "", nil); !errors.As(err, &ae) {
		t.Errorf("no key: %v", err)
	}
}
