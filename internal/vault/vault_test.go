package vault

import (
	"bytes"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSealOpen(t *testing.T) {
	v, err := New(bytes.Repeat([]byte{1}, KeySize))
	if err != nil {
		t.Fatal(err)
	}
	s, err := v.Seal([]byte("hunter2"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(s.Ciphertext, []byte("hunter2")) || bytes.Contains(s.WrappedKey, []byte("hunter2")) {
		t.Fatal("the sealed form holds the plaintext")
	}
	got, err := v.Open(s)
	if err != nil || string(got) != "hunter2" {
		t.Fatalf("open: %q %v", got, err)
	}
	s2, _ := v.Seal([]byte("hunter2"))
	if bytes.Equal(s.Ciphertext, s2.Ciphertext) {
		t.Fatal("two seals of one secret are equal: nonces or data keys repeat")
	}

	// Another key, or a tampered ciphertext, does not open it.
	w, _ := New(bytes.Repeat([]byte{2}, KeySize))
	if _, err := w.Open(s); !errors.Is(err, ErrWrongKey) {
		t.Fatalf("other key: %v", err)
	}
	s.Ciphertext[len(s.Ciphertext)-1] ^= 1
	if _, err := v.Open(s); !errors.Is(err, ErrWrongKey) {
		t.Fatalf("tampered: %v", err)
	}
	chk, _ := v.SealCheck()
	if v.Check(chk) != nil || !errors.Is(w.Check(chk), ErrWrongKey) {
		t.Fatal("check value")
	}
	if _, err := New(make([]byte, 16)); err == nil {
		t.Fatal("a 128-bit key was accepted")
	}
	if _, err := FromEnv("not base64!"); err == nil {
		t.Fatal("a bad environment key was accepted")
	}
	if v, err := FromEnv(base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, KeySize))); err != nil || v.CurrentKeyID() != KeyID(bytes.Repeat([]byte{1}, KeySize)) {
		t.Fatalf("env key: %v", err)
	}
}

func TestKeyFileAndRotation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vault.key")
	if _, err := LoadFile(path, false); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing file without create: %v", err)
	}
	v, err := LoadFile(path, true)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v %v, want 0600", st.Mode().Perm(), err)
	}
	s, _ := v.Seal([]byte("recovery codes"))

	// A server started before the rotation keeps working after it.
	server, err := LoadFile(path, false)
	if err != nil || server.CurrentKeyID() != v.CurrentKeyID() {
		t.Fatalf("reload: %v", err)
	}
	old := v.CurrentKeyID()
	if _, err := v.BeginRotation(); err != nil {
		t.Fatal(err)
	}
	r, err := v.Rewrap(s)
	if err != nil || r.KeyID == old || !bytes.Equal(r.Ciphertext, s.Ciphertext) {
		t.Fatalf("rewrap: %v", err)
	}
	if err := v.FinishRotation(); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if strings.Contains(string(b), old) || strings.Count(string(b), "\n") != 2 {
		t.Fatalf("after rotation the key file still holds the old key:\n%s", b)
	}
	if got, err := server.Open(r); err != nil || string(got) != "recovery codes" {
		t.Fatalf("the running server cannot open a re-wrapped secret: %q %v", got, err)
	}
	if _, err := v.Open(s); err == nil {
		t.Fatal("the old key still opens after the rotation finished")
	}

	// A key file others can read is refused.
	os.Chmod(path, 0o644)
	if _, err := LoadFile(path, false); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("group-readable key file: %v", err)
	}
	os.WriteFile(path, []byte("abc def\n"), 0o600)
	os.Chmod(path, 0o600)
	if _, err := LoadFile(path, false); err == nil {
		t.Fatal("a malformed key file was accepted")
	}
}
