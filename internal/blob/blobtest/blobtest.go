// Package blobtest is the suite every blob.Store must pass.
package blobtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"testing"

	"steward.city/steward/internal/blob"
)

// Run checks s: content addressing, one copy of identical files, no
// overwriting, a wrong expected hash stores nothing, and deletion.
func Run(t *testing.T, s blob.Store) {
	ctx := context.Background()
	data := []byte("a photo of the splash pad \x00\xff")
	sum := sha256.Sum256(data)
	want := hex.EncodeToString(sum[:])

	h, n, err := s.Put(ctx, "", bytes.NewReader(data))
	if err != nil || h != want || n != int64(len(data)) {
		t.Fatalf("Put = %s, %d, %v; want %s, %d", h, n, err, want, len(data))
	}
	if h2, _, err := s.Put(ctx, want, bytes.NewReader(data)); err != nil || h2 != want {
		t.Fatalf("second Put = %s, %v", h2, err)
	}
	if ok, err := s.Has(ctx, want); !ok || err != nil {
		t.Fatalf("Has = %v, %v", ok, err)
	}
	rc, err := s.Open(ctx, want)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(got, data) {
		t.Fatalf("Open read %q", got)
	}
	other := strings.Repeat("0", 64)
	if _, _, err := s.Put(ctx, other, bytes.NewReader([]byte("not matching"))); err == nil {
		t.Fatal("Put with a wrong hash succeeded")
	}
	if ok, _ := s.Has(ctx, other); ok {
		t.Fatal("a file with a wrong hash was stored")
	}
	if _, err := s.Open(ctx, other); !errors.Is(err, blob.ErrNotFound) {
		t.Fatalf("Open missing = %v, want ErrNotFound", err)
	}
	if err := s.Delete(ctx, want); err != nil {
		t.Fatal(err)
	}
	if ok, _ := s.Has(ctx, want); ok {
		t.Fatal("deleted file is still there")
	}
	if err := s.Delete(ctx, want); err != nil {
		t.Fatalf("deleting a missing file: %v", err)
	}
}
