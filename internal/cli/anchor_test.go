package cli_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"steward.city/steward/internal/checkpoint"
	"steward.city/steward/internal/cli"
	"steward.city/steward/internal/storetest"
)

// TestMain lets the test binary run as the steward command in a process of
// its own (an external signer, a witness): with STEWARD_TEST_RUN_STEWARD=1
// it runs the command line of its arguments and exits.
func TestMain(m *testing.M) {
	if os.Getenv("STEWARD_TEST_RUN_STEWARD") == "1" {
		os.Exit(cli.Main(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv))
	}
	os.Exit(m.Run())
}

// stewardProcess is the command line that runs steward words… in a process
// of its own, as --checkpoint-signer-command takes it.
func stewardProcess(words ...string) string {
	return strings.Join(append([]string{"/usr/bin/env", "STEWARD_TEST_RUN_STEWARD=1", os.Args[0]}, words...), " ")
}

// ingest stores n records numbered from from through "archive ingest".
func ingest(t *testing.T, d *db, from, n int) {
	t.Helper()
	var recs []string
	for i := from; i < from+n; i++ {
		recs = append(recs, fmt.Sprintf(`{"account":"mastodon:@parks@city.example","id":"%d","kind":"post","captured_at":"2026-01-02T10:00:00Z","text":"post %d"}`, i, i))
	}
	file := filepath.Join(t.TempDir(), "batch.json")
	if err := os.WriteFile(file, []byte(`{"records":[`+strings.Join(recs, ",")+`]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	run(t, nil, "", d.cmd([]string{"archive", "ingest"}, file)...).check(t, 0, []string{fmt.Sprintf("stored %d", n)}, nil)
}

// sign signs a checkpoint with args naming the key and returns what
// "archive checkpoint --sign" printed, the checkpoint to publish.
func sign(t *testing.T, d *db, env map[string]string, args ...string) string {
	t.Helper()
	r := run(t, env, "", d.cmd([]string{"archive", "checkpoint", "--sign"}, args...)...)
	r.check(t, 0, nil, nil)
	return r.stdout
}

// save writes a published checkpoint to a file outside the data folder.
func save(t *testing.T, note string) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "published.txt")
	if err := os.WriteFile(f, []byte(note), 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

// cutArchive deletes the versions after keep, rebuilds the log over the
// rest and deletes the checkpoints, as someone who can write the database
// would.
func cutArchive(t *testing.T, d *db, keep int64) {
	t.Helper()
	s := d.open(t)
	defer s.Close()
	storetest.CutArchive(t, s, keep)
}

// TestCheckpointKeys signs with the key kept in each place Steward takes
// it from, on every engine: a file outside the data folder, the
// environment, and an external signer running in a process of its own;
// and refuses a second source, a missing key and a key other than the
// published one.
func TestCheckpointKeys(t *testing.T) {
	t.Parallel()
	for _, engine := range engines(t) {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			d := newDB(t, engine)
			keyDir := t.TempDir() // another disk, another machine
			key := filepath.Join(keyDir, "archive.key")
			r := run(t, nil, "", "signer", "--key-file", key, "--name", "city.example/archive", "init")
			r.check(t, 0, []string{"city.example/archive+"}, nil)
			vkey := strings.TrimSpace(r.stdout)
			if st, err := os.Stat(key); err != nil || st.Mode().Perm() != 0o600 {
				t.Fatalf("key file: %v %v", st, err)
			}
			run(t, nil, "", "signer", "--key-file", key, "init").check(t, 1, nil, []string{"never overwritten"})
			ingest(t, d, 0, 3)
			run(t, nil, "", d.cmd([]string{"archive", "checkpoint"})...).check(t, 1, nil, []string{"the archive has no signed checkpoint yet"})

			// A key file outside the data folder.
			note := sign(t, d, nil, "--checkpoint-key-file", key)
			if b, err := checkpoint.Open([]byte(note), vkey); err != nil || b.Size != 3 {
				t.Fatalf("checkpoint signed with the key file: %v\n%s", err, note)
			}
			if _, err := os.Stat(filepath.Join(d.dir, "archive-checkpoint.key")); err == nil {
				t.Error("a key was created in the data folder")
			}
			// The key in the environment.
			skey, _ := os.ReadFile(key)
			ingest(t, d, 10, 1)
			note = sign(t, d, map[string]string{"STEWARD_CHECKPOINT_KEY": string(skey)})
			if b, err := checkpoint.Open([]byte(note), vkey); err != nil || b.Size != 4 {
				t.Fatalf("checkpoint signed with the key in the environment: %v\n%s", err, note)
			}
			// An external signer, another process holding the key file.
			ingest(t, d, 20, 1)
			note = sign(t, d, nil, "--checkpoint-signer-command", stewardProcess("signer", "--key-file", key))
			if b, err := checkpoint.Open([]byte(note), vkey); err != nil || b.Size != 5 {
				t.Fatalf("checkpoint signed by the external signer: %v\n%s", err, note)
			}
			run(t, nil, "", d.cmd([]string{"verify"}, "--key", vkey)...).check(t, 0, []string{"archive verified: 5 versions, 3 signed checkpoints"}, nil)
			run(t, nil, "", d.cmd([]string{"verify"}, "--checkpoint-signer-command", stewardProcess("signer", "--key-file", key))...).
				check(t, 0, []string{"archive verified: 5 versions"}, nil)

			// Mistakes.
			ingest(t, d, 30, 1)
			run(t, map[string]string{"STEWARD_CHECKPOINT_KEY": string(skey)}, "", d.cmd([]string{"archive", "checkpoint", "--sign"}, "--checkpoint-key-file", key)...).
				check(t, 1, nil, []string{"give one of --checkpoint-signer-command, $STEWARD_CHECKPOINT_KEY and --checkpoint-key-file"})
			run(t, nil, "", d.cmd([]string{"archive", "checkpoint", "--sign"})...).
				check(t, 1, nil, []string{"no checkpoint key at " + filepath.Join(d.dir, "archive-checkpoint.key"), "signed by " + vkey})
			other := filepath.Join(keyDir, "other.key")
			run(t, nil, "", "signer", "--key-file", other, "--name", "city.example/archive", "init").check(t, 0, nil, nil)
			run(t, nil, "", d.cmd([]string{"archive", "checkpoint", "--sign"}, "--checkpoint-key-file", other)...).
				check(t, 1, nil, []string{"is not the one whose verifier is published", "--checkpoint-key-rotate"})
			run(t, nil, "", d.cmd([]string{"archive", "checkpoint", "--sign"}, "--checkpoint-signer-command", "/nonexistent/signer")...).
				check(t, 1, nil, []string{"signer command /nonexistent/signer public-key"})
			// Printing needs no key.
			run(t, nil, "", d.cmd([]string{"archive", "checkpoint"})...).check(t, 0, []string{"city.example/archive\n5\n"}, nil)
		})
	}
}

// TestServeWarnsOfKeyInDataFolder: serve warns when the checkpoint key is
// in the data folder, and not when it is elsewhere.
func TestServeWarnsOfKeyInDataFolder(t *testing.T) {
	t.Parallel()
	d := newDB(t, "sqlite")
	s := startServe(t, nil, d.cmd(nil, "--addr", "127.0.0.1:0")...)
	s.stop(t)
	if !strings.Contains(s.stderr.String(), "the archive checkpoint key is in the data folder") {
		t.Errorf("no warning with the key in the data folder:\n%s", s.stderr)
	}
	d2 := newDB(t, "sqlite")
	s = startServe(t, nil, d2.cmd(nil, "--addr", "127.0.0.1:0", "--checkpoint-key-file", filepath.Join(t.TempDir(), "archive.key"))...)
	s.stop(t)
	if strings.Contains(s.stderr.String(), "is in the data folder") {
		t.Errorf("a warning with the key elsewhere:\n%s", s.stderr)
	}
}

// TestVerifySince is the penetration test's finding 3 through the command
// line, on every engine: the archive cut back and signed again with the
// same key verifies on its own; against the checkpoint published before,
// it fails with exit 2; so does an archive without checkpoints.
func TestVerifySince(t *testing.T) {
	t.Parallel()
	for _, engine := range engines(t) {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			d := newDB(t, engine)
			key := filepath.Join(t.TempDir(), "archive.key")
			run(t, nil, "", "signer", "--key-file", key, "init").check(t, 0, nil, nil)
			ingest(t, d, 0, 6)
			published := save(t, sign(t, d, nil, "--checkpoint-key-file", key))
			ingest(t, d, 10, 4)
			sign(t, d, nil, "--checkpoint-key-file", key)
			since := d.cmd([]string{"verify"}, "--checkpoint-key-file", key, "--since", published)
			run(t, nil, "", since...).check(t, 0, []string{"archive verified: 10 versions, 2 signed checkpoints", "the log extends the published checkpoint"}, nil)
			run(t, nil, "", d.cmd([]string{"verify"}, "--since", filepath.Join(t.TempDir(), "none.txt"))...).check(t, 1, nil, []string{"none.txt"})
			run(t, nil, "", d.cmd([]string{"verify"}, "--since", key)...).check(t, 1, nil, []string{"--since"})

			cutArchive(t, d, 4)
			run(t, nil, "", d.cmd([]string{"verify"}, "--checkpoint-key-file", key)...).
				check(t, 2, []string{"checkpoint: no signed checkpoint"}, []string{"archive verification failed"})
			sign(t, d, nil, "--checkpoint-key-file", key)
			run(t, nil, "", d.cmd([]string{"verify"}, "--checkpoint-key-file", key)...).check(t, 0, []string{"archive verified: 4 versions, 1 signed checkpoint"}, nil)
			run(t, nil, "", since...).check(t, 2, []string{"published: the published checkpoint signed 6 records; the log holds 4"}, []string{"archive verification failed"})
		})
	}
}

// TestAuditVerifyAnchored is the penetration test's finding 4 through the
// command line, on every engine: the newest events deleted and the head
// rolled back passes the chain walk but not the checkpoint's anchor; with
// the checkpoints deleted and signed again, the published checkpoint
// catches it.
func TestAuditVerifyAnchored(t *testing.T) {
	t.Parallel()
	for _, engine := range engines(t) {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			d := newDB(t, engine)
			key := filepath.Join(t.TempDir(), "archive.key")
			run(t, nil, "", "signer", "--key-file", key, "init").check(t, 0, nil, nil)
			d.departments(t, "it", "parks", "police") // events 1–3
			published := save(t, sign(t, d, nil, "--checkpoint-key-file", key))
			d.departments(t, "library", "clerk") // events 6, 7 after the checkpoint's settings and own event
			verify := d.cmd([]string{"audit", "verify"}, "--checkpoint-key-file", key)
			run(t, nil, "", verify...).check(t, 0, []string{"audit chain intact: 7 events verified", "anchored: the newest checkpoint (1, signed ", "commits to event 4"}, nil)
			run(t, nil, "", append(verify, "--since", published)...).check(t, 0, []string{"the published checkpoint (size 0, ", "commits to event 4"}, nil)

			// The newest events deleted, the head rolled back to event 2.
			exec, queryRow := rawDB(t, d)
			var h string
			if err := queryRow(`SELECT hash FROM audit_events WHERE seq = 2`).Scan(&h); err != nil {
				t.Fatal(err)
			}
			exec(`DELETE FROM audit_events WHERE seq > 2`)
			exec(`UPDATE audit_head SET seq = 2, hash = ? WHERE id = 1`, h)
			run(t, nil, "", verify...).check(t, 2, nil, []string{"audit chain not anchored: the newest checkpoint (1, signed ", "no longer in the chain"})
			exec(`DELETE FROM archive_checkpoints`)
			run(t, nil, "", verify...).check(t, 2, nil, []string{"no signed checkpoint commits to the audit chain"})
			sign(t, d, nil, "--checkpoint-key-file", key)
			run(t, nil, "", verify...).check(t, 0, []string{"audit chain intact"}, nil)
			run(t, nil, "", append(verify, "--since", published)...).check(t, 2, nil, []string{"the published checkpoint (size 0, ", "commits to an audit event that is no longer in the chain"})
		})
	}
}

// startWitness runs "steward witness" in a process of its own, on its own
// listener and folder, and returns its URL and verifier key.
func startWitness(t *testing.T, dir string, logKeys ...string) (url, vkey string, stderr *syncBuffer) {
	t.Helper()
	args := []string{"witness", "--witness-addr", "127.0.0.1:0", "--witness-dir", dir, "--witness-name", "witness.example/w1"}
	for _, k := range logKeys {
		args = append(args, "--witness-log", k)
	}
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "STEWARD_TEST_RUN_STEWARD=1")
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	})
	addr := regexp.MustCompile(`msg="witness listening" addr=(http://\S+)`)
	key := regexp.MustCompile(`witness key: (\S+)`)
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		a, k := addr.FindStringSubmatch(stderr.String()), key.FindStringSubmatch(stdout.String())
		if a != nil && k != nil {
			return a[1], k[1], stderr
		}
	}
	t.Fatalf("the witness did not start\nstdout: %s\nstderr: %s", stdout, stderr)
	return "", "", nil
}

// waitCheckpoint polls serve's /checkpoint until ok accepts it.
func waitCheckpoint(t *testing.T, s *server, ok func(string) bool) string {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		res, err := client.Get(s.url + "/checkpoint")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode == 200 && ok(string(b)) {
			return string(b)
		}
	}
	t.Fatalf("no such checkpoint at /checkpoint\nstderr: %s", s.stderr)
	return ""
}

// TestWitnessCosignsServe runs a witness in a second process and serve
// with it, on every engine: serve's checkpoints, published at /checkpoint,
// carry the witness's cosignature; after the archive is cut back and serve
// started again with the same key, the witness refuses to cosign, serve
// says why, and the checkpoint published before shows the cut.
func TestWitnessCosignsServe(t *testing.T) {
	t.Parallel()
	for _, engine := range engines(t) {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			d := newDB(t, engine)
			key := filepath.Join(t.TempDir(), "archive.key")
			r := run(t, nil, "", "signer", "--key-file", key, "--name", "city.example/archive", "init")
			vkey := strings.TrimSpace(r.stdout)
			wurl, wvkey, wlog := startWitness(t, t.TempDir(), vkey)
			wv, err := checkpoint.NewCosignatureVerifier(wvkey)
			if err != nil {
				t.Fatal(err)
			}
			cosigned := func(n string) bool {
				_, err := note.Open([]byte(n), note.VerifierList(wv))
				return err == nil
			}
			ingest(t, d, 0, 5)
			flags := d.cmd(nil, "--addr", "127.0.0.1:0", "--checkpoint-interval", "1s", "--checkpoint-key-file", key, "--witness", wurl+"="+wvkey)
			s := startServe(t, nil, flags...)
			published := waitCheckpoint(t, s, func(n string) bool { return strings.Contains(n, "\n5\n") && cosigned(n) })
			if _, err := checkpoint.Open([]byte(published), vkey); err != nil {
				t.Fatalf("the published checkpoint: %v", err)
			}
			if code := s.stop(t); code != 0 {
				t.Fatalf("serve: %d\n%s", code, s.stderr)
			}
			run(t, nil, "", d.cmd([]string{"archive", "checkpoint"})...).check(t, 0, []string{"— witness.example/w1 "}, nil)

			cutArchive(t, d, 3)
			s = startServe(t, nil, flags...)
			after := waitCheckpoint(t, s, func(n string) bool { return strings.Contains(n, "\n3\n") })
			if cosigned(after) {
				t.Errorf("the witness cosigned the rolled-back archive:\n%s", after)
			}
			for deadline := time.Now().Add(30 * time.Second); !strings.Contains(s.stderr.String(), "the log was rolled back"); time.Sleep(50 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatalf("serve did not say the witness refused:\n%s", s.stderr)
				}
			}
			s.stop(t)
			if !strings.Contains(wlog.String(), "witness refused a checkpoint") {
				t.Errorf("the witness did not log its refusal:\n%s", wlog)
			}
			run(t, nil, "", d.cmd([]string{"verify"}, "--checkpoint-key-file", key, "--since", save(t, published))...).
				check(t, 2, []string{"published: the published checkpoint signed 5 records; the log holds 3"}, nil)
		})
	}
}

// TestSignerEnvironment: an external signer gets Steward's environment
// without the STEWARD_* variables, which hold the vault key and other
// secrets it has no need of. (Not parallel: it sets the process's own
// environment, which the signer inherits.)
func TestSignerEnvironment(t *testing.T) {
	t.Setenv("STEWARD_VAULT_KEY", "the-vault-key-itself")
	t.Setenv("KMS_REGION", "us-north-1")
	d := newDB(t, "sqlite")
	ingest(t, d, 0, 1)
	seen := filepath.Join(t.TempDir(), "env.txt")
	signer := fmt.Sprintf(`/bin/sh -c env>%s;exit${IFS}3 sh`, seen)
	run(t, nil, "", d.cmd([]string{"archive", "checkpoint", "--sign"}, "--checkpoint-signer-command", signer)...).check(t, 1, nil, []string{"exit status 3"})
	b, err := os.ReadFile(seen)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "STEWARD_") || !strings.Contains(string(b), "KMS_REGION=us-north-1") {
		t.Errorf("the signer's environment:\n%s", b)
	}
}
