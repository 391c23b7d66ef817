// Package blobtest is the suite every blob.Store must pass.
package blobtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"steward.city/steward/internal/blob"
)

// Run checks s: content addressing, one copy of identical files, no
// overwriting, a wrong expected hash or a failing reader stores nothing,
// and deletion.
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
	// A reader that fails part way (a download cut off) stores nothing,
	// not even the part it gave.
	part := []byte("the first half of a video")
	psum := sha256.Sum256(part)
	if _, _, err := s.Put(ctx, "", io.MultiReader(bytes.NewReader(part), failing{})); err == nil {
		t.Fatal("Put of a failing reader succeeded")
	}
	if ok, _ := s.Has(ctx, hex.EncodeToString(psum[:])); ok {
		t.Fatal("the part a failing reader gave was stored")
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

// failing is a reader that fails, as a download cut off does.
type failing struct{}

func (failing) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

// Files counts the regular files under dir: a store's folder after Run, or
// its temporary folder, must hold none (no half-written file left behind).
func Files(t testing.TB, dir string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			n++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
