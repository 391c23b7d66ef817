package cli_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/registry"
	"steward.city/steward/internal/vault"
)

// storeSecret keeps a password for the demo city's first account, sealed
// with v, behind the command line's back.
func storeSecret(t *testing.T, d *db, v *vault.Vault, secret string) int64 {
	t.Helper()
	s := d.open(t)
	defer s.Close()
	r := registry.New(registry.Config{Store: s, Vault: v, Mailer: nil, Logger: nil, Clock: time.Now})
	ctx := context.Background()
	as, err := s.Accounts(ctx, civic.AccountFilter{Status: civic.AccountActive})
	if err != nil || len(as) == 0 {
		t.Fatalf("no demo account: %v", err)
	}
	c, err := r.StoreCredential(ctx, civic.CLI, as[0].ID, civic.CredentialPassword, secret)
	if err != nil {
		t.Fatal(err)
	}
	return c.ID
}

// revealWith opens the credential with v.
func revealWith(t *testing.T, d *db, v *vault.Vault, id int64) (string, error) {
	t.Helper()
	s := d.open(t)
	defer s.Close()
	secret, _, err := registry.New(registry.Config{Store: s, Vault: v, Mailer: nil, Logger: nil, Clock: time.Now}).RevealCredential(context.Background(), civic.CLI, id, "test")
	return secret, err
}

// TestVaultKey: serve creates the key file (0600) on first run; a wrong key
// refuses to start and changes nothing; rotate-key re-wraps every secret
// under a new key that a fresh start accepts.
func TestVaultKey(t *testing.T) {
	t.Parallel()
	for _, engine := range engines(t) {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			d := newDB(t, engine)
			s := startServe(t, nil, d.cmd(nil, "--addr", "127.0.0.1:0", "--demo")...)
			if code := s.stop(t); code != 0 {
				t.Fatalf("serve: %d %s", code, s.stderr)
			}
			keyFile := filepath.Join(d.dir, "vault.key")
			st, err := os.Stat(keyFile)
			if err != nil || st.Mode().Perm() != 0o600 {
				t.Fatalf("key file: %v %v, want mode 0600", st, err)
			}
			v, err := vault.LoadFile(keyFile, false)
			if err != nil {
				t.Fatal(err)
			}
			const secret = "vault-test-SECRET-31"
			id := storeSecret(t, d, v, secret)

			// A wrong key: refuse to start, say so, touch nothing.
			before, _ := os.ReadFile(keyFile)
			store := d.open(t)
			head, _, _ := store.AuditHead(context.Background())
			store.Close()
			wrong := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{9}, vault.KeySize))
			env := d.env()
			env[vault.EnvKey] = wrong
			r := run(t, env, "", "serve", "--addr", "127.0.0.1:0")
			if r.code != 1 || !strings.Contains(r.stderr, "refusing to start") || !strings.Contains(r.stderr, "vault key") {
				t.Fatalf("wrong key: exit %d, stderr %s", r.code, r.stderr)
			}
			if strings.Contains(r.stderr, "steward listening") {
				t.Fatal("it listened with a wrong key")
			}
			store = d.open(t)
			after, _, _ := store.AuditHead(context.Background())
			store.Close()
			if after != head {
				t.Fatalf("a refused start wrote %d audit events", after-head)
			}
			if now, _ := os.ReadFile(keyFile); !bytes.Equal(now, before) {
				t.Fatal("a refused start changed the key file")
			}
			// A key file someone else's key replaced is refused the same way.
			other := filepath.Join(t.TempDir(), "other.key")
			if _, err := vault.LoadFile(other, true); err != nil {
				t.Fatal(err)
			}
			r = run(t, nil, "", d.cmd([]string{"serve"}, "--addr", "127.0.0.1:0", "--vault-key-file", other)...)
			if r.code != 1 || !strings.Contains(r.stderr, "refusing to start") {
				t.Fatalf("other key file: exit %d, stderr %s", r.code, r.stderr)
			}

			// Rotation.
			r = run(t, nil, "", d.cmd([]string{"vault", "rotate-key"})...)
			if r.code != 0 || !strings.Contains(r.stdout, "1 secret re-wrapped") {
				t.Fatalf("rotate-key: %d %s %s", r.code, r.stdout, r.stderr)
			}
			if now, _ := os.ReadFile(keyFile); bytes.Equal(now, before) {
				t.Fatal("rotate-key left the key file as it was")
			}
			if got, err := revealWith(t, d, v, id); err != nil || got != secret {
				t.Fatalf("a vault loaded before the rotation cannot open the re-wrapped secret: %q %v", got, err)
			}
			old, _ := vault.New(keyFromFile(t, before))
			if _, err := revealWith(t, d, old, id); err == nil {
				t.Fatal("the old key still opens the secret after rotation")
			}
			s = startServe(t, nil, d.cmd(nil, "--addr", "127.0.0.1:0")...)
			if code := s.stop(t); code != 0 {
				t.Fatalf("serve after rotation: %d %s", code, s.stderr)
			}
			r = run(t, nil, "", d.cmd([]string{"vault", "rotate-key"}, "--vault-key-file", other)...)
			if r.code != 1 {
				t.Fatalf("rotate-key with a wrong key: %d", r.code)
			}
			auditEvents(t, d) // the chain is intact
			store = d.open(t)
			es, err := store.AuditEvents(context.Background(), civic.AuditFilter{Action: "vault.rotate_key"})
			store.Close()
			if err != nil || len(es) != 1 || strings.Contains(string(es[0].After), secret) {
				t.Errorf("vault.rotate_key events: %d %v", len(es), err)
			}
		})
	}
}

// TestVaultKeyFromEnvironment rotates a key held in STEWARD_VAULT_KEY.
func TestVaultKeyFromEnvironment(t *testing.T) {
	t.Parallel()
	d := newDB(t, "sqlite")
	k1 := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, vault.KeySize))
	k2 := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{2}, vault.KeySize))
	env := d.env()
	env[vault.EnvKey] = k1
	env["STEWARD_ADDR"] = "127.0.0.1:0"
	s := startServe(t, env, "--demo")
	s.stop(t)
	if _, err := os.Stat(filepath.Join(d.dir, "vault.key")); err == nil {
		t.Fatal("a key file was written although the key is in the environment")
	}
	v1, _ := vault.FromEnv(k1)
	id := storeSecret(t, d, v1, "env-SECRET")
	env["NEW_KEY"] = k2
	if r := run(t, env, "", "vault", "rotate-key"); r.code != 1 {
		t.Fatalf("rotate without --new-key-env: %d %s", r.code, r.stderr)
	}
	r := run(t, env, "", "vault", "rotate-key", "--new-key-env", "NEW_KEY")
	if r.code != 0 || !strings.Contains(r.stdout, "set "+vault.EnvKey) {
		t.Fatalf("rotate: %d %s %s", r.code, r.stdout, r.stderr)
	}
	v2, _ := vault.FromEnv(k2)
	if got, err := revealWith(t, d, v2, id); err != nil || got != "env-SECRET" {
		t.Fatalf("new key: %q %v", got, err)
	}
	if r := run(t, env, "", "serve"); r.code != 1 || !strings.Contains(r.stderr, "refusing to start") {
		t.Fatalf("the old key after rotation: %d %s", r.code, r.stderr)
	}
}

func keyFromFile(t *testing.T, b []byte) []byte {
	t.Helper()
	for _, line := range strings.Split(string(b), "\n") {
		if _, enc, ok := strings.Cut(line, " "); ok && !strings.HasPrefix(line, "#") {
			k, err := base64.StdEncoding.DecodeString(enc)
			if err == nil {
				return k
			}
		}
	}
	t.Fatal("no key in file")
	return nil
}
