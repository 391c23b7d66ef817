package archive_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/checkpoint"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/storetest"
)

// ingestN stores n more records.
func (e *env) ingestN(from, n int) {
	e.t.Helper()
	base := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	var recs []archive.Record
	for i := from; i < from+n; i++ {
		recs = append(recs, rec("x:@city", fmt.Sprintf("i%d", i), fmt.Sprintf("comment number %d", i), base.Add(time.Duration(i)*time.Minute)))
	}
	e.ingest(recs...)
}

func (e *env) checkpoint() *civic.Checkpoint {
	e.t.Helper()
	c, err := e.svc.Checkpoint(e.ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// rewrite does what someone who can write the database does to rewrite the
// archive whole: alters version id's text (if id > 0) and recomputes its
// hash and its full-text entry, drops the versions after keep (if keep > 0)
// and their date index rows, rebuilds the Merkle log's nodes and head over
// what is left, and deletes every checkpoint. What is left is consistent:
// the database verifies on its own.
func (e *env) rewrite(id, keep int64) {
	e.t.Helper()
	if id > 0 {
		e.exec(`UPDATE archive_versions SET text = ? WHERE id = ?`, "a forged comment", id)
		vs, err := e.store.ArchiveVersions(e.ctx, itemOf(e, id))
		if err != nil {
			e.t.Fatal(err)
		}
		for _, v := range vs {
			if v.ID == id {
				e.exec(`UPDATE archive_versions SET hash = ? WHERE id = ?`, v.ComputeHash(), id)
			}
		}
		if e.store.Engine() == "sqlite" { // PostgreSQL's tsv follows the text by itself
			e.exec(`DELETE FROM archive_fts WHERE rowid = ?`, id)
			e.exec(`INSERT INTO archive_fts (rowid, text, acct) SELECT id, text, 'a' || account_id FROM archive_versions WHERE id = ?`, id)
		}
	}
	if keep > 0 {
		storetest.CutArchive(e.t, e.store, keep)
	} else {
		storetest.RebuildLog(e.t, e.store)
	}
}

// TestCheckpointCommitsToAudit checks what a checkpoint signs: the log's
// size and root, the time, and the audit chain's newest event; and that
// one is signed when either the log or the audit chain moved, not when
// only the previous checkpoint's own audit event was added.
func TestCheckpointCommitsToAudit(t *testing.T) {
	t.Parallel()
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, eng)
			// An empty log is signed too: the audit chain has events.
			c := e.checkpoint()
			if c == nil || c.Size != 0 || c.RootHash != "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=" {
				t.Fatalf("empty log's checkpoint: %+v", c)
			}
			e.ingestN(0, 3)
			_, head, err := e.store.AuditHead(e.ctx)
			if err != nil {
				t.Fatal(err)
			}
			c = e.checkpoint()
			b, err := checkpoint.Open([]byte(c.Note), e.vkey)
			if err != nil {
				t.Fatal(err)
			}
			if got, ok := b.AuditHead(); !ok || got != head || b.Size != 3 || b.Origin != "steward.test" {
				t.Fatalf("checkpoint body %+v commits to audit %q, want %q", b, got, head)
			}
			if len(b.Extensions) != 2 || b.Extensions[0] != e.clock.Now().UTC().Truncate(time.Second).Format(time.RFC3339) {
				t.Errorf("extension lines %q", b.Extensions)
			}
			if again := e.checkpoint(); again != nil {
				t.Errorf("signed again with nothing new: %+v", again)
			}
			// An event hidden from most staff alone is not: that a
			// checkpoint was signed would tell it happened.
			if err := e.store.Update(e.ctx, civic.System, func(tx civic.Tx) error {
				return tx.Record(e.ctx, civic.Change{Action: "covert.touch", ObjectType: "covert_profile", ObjectID: "1"})
			}); err != nil {
				t.Fatal(err)
			}
			if c := e.checkpoint(); c != nil {
				t.Errorf("a hidden event alone led to a checkpoint: %+v", c)
			}
			// An audit event everyone may see is worth a checkpoint, which
			// anchors the hidden one too.
			if err := e.store.Update(e.ctx, civic.System, func(tx civic.Tx) error {
				return tx.CreateDepartment(e.ctx, &civic.Department{Slug: "library", Name: "Library"})
			}); err != nil {
				t.Fatal(err)
			}
			_, head, _ = e.store.AuditHead(e.ctx)
			c = e.checkpoint()
			if c == nil || c.Size != 3 {
				t.Fatalf("an audit event did not lead to a checkpoint: %+v", c)
			}
			if b, _ := checkpoint.Open([]byte(c.Note), e.vkey); b == nil || b.Extensions[1] != "audit "+head {
				t.Errorf("the checkpoint does not commit to the newest event")
			}
			if rep := e.verify(); !rep.OK() || rep.Checkpoints != 3 {
				t.Errorf("verify: %+v", rep)
			}
		})
	}
}

// TestVerifyAgainstPublished is the penetration test's finding 3 on every
// engine: someone who can write the database and holds the key rewrites
// the archive whole (hashes, nodes, head, checkpoints signed again), or
// cuts it back, or signs with a new key. The database alone then verifies;
// a checkpoint published before does not.
func TestVerifyAgainstPublished(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		do      func(e *env)
		key     string // "old": check with the original key; "published": the one in the database
		problem string // part of the "published" problem; "" none
	}{
		{"the log only grew", func(e *env) {
			e.ingestN(8, 4)
			e.checkpoint()
		}, "published", ""},
		{"rewritten, signed again with the same key", func(e *env) {
			e.rewrite(3, 0)
			e.checkpoint()
		}, "published", "does not extend the checkpoint published at size 8"},
		{"rewritten and grown, signed with the same key", func(e *env) {
			e.rewrite(8, 0)
			e.ingestN(8, 5)
			e.checkpoint()
		}, "old", "does not extend the checkpoint published at size 8"},
		{"cut back, signed again", func(e *env) {
			e.rewrite(0, 5)
			e.checkpoint()
		}, "published", "signed 8 records; the log holds 5"},
		{"rewritten, signed with a new key", func(e *env) {
			e.rewrite(2, 0)
			signer, vkey, err := archive.LoadOrCreateKey(filepath.Join(e.t.TempDir(), "forger.key"), "steward.test")
			if err != nil {
				e.t.Fatal(err)
			}
			forger := archive.New(archive.Config{Store: e.store, Signer: signer, Clock: e.clock.Now})
			if err := forger.PublishVerifier(e.ctx, vkey); err != nil {
				e.t.Fatal(err)
			}
			if _, err := forger.Checkpoint(e.ctx); err != nil {
				e.t.Fatal(err)
			}
		}, "published", "does not verify with the key trusted here"},
		{"rewritten, signed with a new key, checked with the old", func(e *env) {
			e.rewrite(2, 0)
			signer, vkey, _ := archive.LoadOrCreateKey(filepath.Join(e.t.TempDir(), "forger.key"), "steward.test")
			forger := archive.New(archive.Config{Store: e.store, Signer: signer, Clock: e.clock.Now})
			_ = forger.PublishVerifier(e.ctx, vkey)
			_, _ = forger.Checkpoint(e.ctx)
		}, "old", "does not extend the checkpoint published at size 8"},
	}
	for _, eng := range storetest.Engines(t) {
		for _, c := range cases {
			t.Run(eng.Name+"/"+c.name, func(t *testing.T) {
				t.Parallel()
				e := newEnv(t, eng)
				e.ingestN(0, 8)
				published := e.checkpoint().Note
				c.do(e)
				vkey := e.vkey
				if c.key == "published" {
					vkey = ""
				}
				rep, err := e.svc.Verify(e.ctx, vkey)
				if err != nil {
					t.Fatal(err)
				}
				if vkey == "" {
					if vkey, err = e.svc.Verifier(e.ctx); err != nil {
						t.Fatal(err)
					}
				}
				if c.problem != "" && c.key == "published" && !rep.OK() {
					t.Fatalf("the rewritten database does not verify on its own, so this case tests nothing: %+v", rep.Problems)
				}
				if err := e.svc.CheckPublished(e.ctx, []byte(published), vkey, rep); err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, p := range rep.Problems {
					if p.Kind == "published" {
						got = append(got, p.Message)
					}
				}
				switch {
				case c.problem == "" && (!rep.OK() || len(got) > 0):
					t.Errorf("problems: %+v", rep.Problems)
				case c.problem != "" && (len(got) != 1 || !strings.Contains(got[0], c.problem)):
					t.Errorf("published problems %q, want one saying %q", got, c.problem)
				}
			})
		}
	}
}

// TestVerifyWithoutCheckpoints: deleting every checkpoint is a problem, not
// "0 signed checkpoints" and a pass; a published checkpoint that is not a
// checkpoint at all is an error.
func TestVerifyWithoutCheckpoints(t *testing.T) {
	t.Parallel()
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, eng)
			e.ingestN(0, 4)
			e.checkpoint()
			e.exec(`DELETE FROM archive_checkpoints`)
			rep := e.verify()
			if rep.OK() || rep.Checkpoints != 0 || !strings.Contains(rep.Problems[0].Message, "no signed checkpoint") {
				t.Errorf("verify with no checkpoints: %+v", rep)
			}
			if err := e.svc.CheckPublished(e.ctx, []byte("hello"), e.vkey, rep); err == nil {
				t.Error("CheckPublished took a file that is no checkpoint")
			}
		})
	}
}
