package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestArchiveCommands ingests a file, signs a checkpoint, searches, exports
// and verifies through the command line on every engine, then alters a
// record behind Steward's back: verify must exit 2 and name it.
func TestArchiveCommands(t *testing.T) {
	t.Parallel()
	for _, engine := range engines(t) {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			d := newDB(t, engine)
			batch := `{"records":[
				{"account":"mastodon:@parks@city.example","id":"1","kind":"post","captured_at":"2026-01-02T10:00:00Z","text":"Rink opens Friday"},
				{"account":"mastodon:@parks@city.example","id":"2","kind":"comment","parent":"1","captured_at":"2026-01-02T11:00:00Z","text":"Is the warming house open?"},
				{"account":"mastodon:@parks@city.example","id":"3","kind":"comment","captured_at":"not a time"}]}`
			file := filepath.Join(t.TempDir(), "batch.json")
			if err := os.WriteFile(file, []byte(batch), 0o600); err != nil {
				t.Fatal(err)
			}
			r := run(t, nil, "", append([]string{"archive", "ingest"}, append(d.flags(), file)...)...)
			if r.code != 2 || !strings.Contains(r.stdout, "stored 2, duplicates 0, rejected 1") || !strings.Contains(r.stdout, "record 2: captured_at:") {
				t.Fatalf("ingest: %+v", r)
			}
			// The stored comment waits for serve's workers to screen it.
			if n := queued(t, d, "screen", "available"); n != 1 {
				t.Errorf("archive ingest queued %d screening jobs, want 1", n)
			}
			r = run(t, nil, "", append([]string{"archive", "checkpoint", "--sign"}, d.flags()...)...)
			if r.code != 0 || !strings.Contains(r.stdout, "steward-archive\n2\n") {
				t.Fatalf("checkpoint: %+v", r)
			}
			r = run(t, nil, "", append(append([]string{"search"}, d.flags()...), `"warming house"`, "kind:comment")...)
			if r.code != 0 || !strings.Contains(r.stdout, "Is the warming house open?") || strings.Count(r.stdout, "\n") != 1 {
				t.Errorf("search: %+v", r)
			}
			r = run(t, nil, "", append([]string{"archive", "export"}, d.flags()...)...)
			lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
			var first map[string]any
			if r.code != 0 || len(lines) != 2 || json.Unmarshal([]byte(lines[0]), &first) != nil || first["hash"] == nil {
				t.Errorf("export: %+v", r)
			}
			r = run(t, nil, "", append([]string{"verify"}, d.flags()...)...)
			if r.code != 0 || !strings.Contains(r.stdout, "archive verified: 2 versions, 1 signed checkpoint") {
				t.Fatalf("verify: %+v", r)
			}
			exec, _ := rawDB(t, d)
			exec(`UPDATE archive_versions SET text = ? WHERE id = 2`, "Is the warming house closed?")
			r = run(t, nil, "", append([]string{"verify"}, d.flags()...)...)
			if r.code != 2 || !strings.Contains(r.stdout, "altered: version 2") || !strings.Contains(r.stderr, "archive verification failed") {
				t.Errorf("verify after tampering: %+v", r)
			}
		})
	}
}

// TestVerifyPublicFlag marks a version public behind Steward's back (the
// portal's rule withholds it: its account is not an official one): verify
// must exit 2 and name it.
func TestVerifyPublicFlag(t *testing.T) {
	t.Parallel()
	for _, engine := range engines(t) {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			d := newDB(t, engine)
			batch := `{"records":[{"account":"mastodon:@parks@city.example","id":"1","kind":"post","captured_at":"2026-01-02T10:00:00Z","text":"Rink opens Friday"}]}`
			file := filepath.Join(t.TempDir(), "batch.json")
			if err := os.WriteFile(file, []byte(batch), 0o600); err != nil {
				t.Fatal(err)
			}
			if r := run(t, nil, "", append([]string{"archive", "ingest"}, append(d.flags(), file)...)...); r.code != 0 {
				t.Fatalf("ingest: %+v", r)
			}
			if r := run(t, nil, "", append([]string{"archive", "checkpoint", "--sign"}, d.flags()...)...); r.code != 0 {
				t.Fatalf("checkpoint: %+v", r)
			}
			if r := run(t, nil, "", append([]string{"verify"}, d.flags()...)...); r.code != 0 {
				t.Fatalf("verify: %+v", r)
			}
			exec, _ := rawDB(t, d)
			exec(`INSERT INTO archive_public (version_id) VALUES (1)`)
			r := run(t, nil, "", append([]string{"verify"}, d.flags()...)...)
			if r.code != 2 || !strings.Contains(r.stdout, "public_flag: version 1 is marked public but the portal's rule withholds it") {
				t.Errorf("verify after a forged public flag: %+v", r)
			}
		})
	}
}

// TestVerifyTrustsTheKeyFile replaces the published verifier key and the
// checkpoints with a forger's: verify, trusting the key file in the data
// folder, must refuse them.
func TestVerifyTrustsTheKeyFile(t *testing.T) {
	t.Parallel()
	d := newDB(t, "sqlite")
	file := filepath.Join(t.TempDir(), "b.json")
	if err := os.WriteFile(file, []byte(`{"records":[{"account":"x:@a","id":"1","kind":"post","captured_at":"2026-01-02T10:00:00Z","text":"hi"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := run(t, nil, "", append([]string{"archive", "ingest"}, append(d.flags(), file)...)...); r.code != 0 {
		t.Fatalf("ingest: %+v", r)
	}
	if r := run(t, nil, "", append([]string{"archive", "checkpoint", "--sign"}, d.flags()...)...); r.code != 0 {
		t.Fatalf("checkpoint: %+v", r)
	}
	// The forger signs with a key of their own and publishes it.
	forgerKey := filepath.Join(t.TempDir(), "forger.key")
	if r := run(t, nil, "", "signer", "--key-file", forgerKey, "init"); r.code != 0 {
		t.Fatalf("forger's key: %+v", r)
	}
	if r := run(t, nil, "", "archive", "checkpoint", "--sign", "--checkpoint-key-file", forgerKey, "--data", t.TempDir(), "--db", "sqlite:"+filepath.Join(d.dir, "steward.db")); r.code == 0 {
		t.Fatalf("a checkpoint signed with another key than the published one, without --checkpoint-key-rotate: %+v", r)
	}
	if r := run(t, nil, "", "archive", "checkpoint", "--sign", "--checkpoint-key-rotate", "--checkpoint-key-file", forgerKey, "--data", t.TempDir(), "--db", "sqlite:"+filepath.Join(d.dir, "steward.db")); r.code != 0 {
		t.Fatalf("forged checkpoint: %+v", r)
	}
	r := run(t, nil, "", append([]string{"verify"}, d.flags()...)...)
	if r.code != 2 || !strings.Contains(r.stdout, "not the one trusted here (the key file)") {
		t.Errorf("verify with a forged verifier: %+v", r)
	}
}
