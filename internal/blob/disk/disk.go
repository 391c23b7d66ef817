// Package disk stores media files by content hash in a folder: each file at
// ab/cd/<hash>, written to a temporary file, checked, and renamed into
// place only if no file with that hash exists, so nothing is overwritten.
package disk

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"steward.city/steward/internal/blob"
)

// Store is a blob.Store in a folder.
type Store struct{ dir string }

var _ blob.Store = (*Store)(nil)

// Open returns the store in dir, creating the folder if needed.
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("media folder: %w", err)
	}
	return &Store{dir: dir}, nil
}

func (s *Store) path(hash string) string {
	return filepath.Join(s.dir, hash[:2], hash[2:4], hash)
}

// Put stores r's content under its SHA-256 unless already stored.
func (s *Store) Put(ctx context.Context, want string, r io.Reader) (string, int64, error) {
	if want != "" && !blob.ValidHash(want) {
		return "", 0, fmt.Errorf("blob: %q is not a SHA-256", want)
	}
	tmp, err := os.CreateTemp(s.dir, ".put-*")
	if err != nil {
		return "", 0, err
	}
	defer os.Remove(tmp.Name())
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), r)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", 0, err
	}
	hash := hex.EncodeToString(h.Sum(nil))
	if want != "" && hash != want {
		return "", 0, fmt.Errorf("blob: content hashes to %s, not %s", hash, want)
	}
	dst := s.path(hash)
	if _, err := os.Stat(dst); err == nil {
		return hash, n, nil // identical file already stored
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return "", 0, err
	}
	// Link, not rename: link fails if dst appeared meanwhile, so a file is
	// never replaced.
	if err := os.Link(tmp.Name(), dst); err != nil && !errors.Is(err, fs.ErrExist) {
		return "", 0, err
	}
	return hash, n, nil
}

// Open returns the file with the given hash.
func (s *Store) Open(ctx context.Context, hash string) (io.ReadCloser, error) {
	if !blob.ValidHash(hash) {
		return nil, blob.ErrNotFound
	}
	f, err := os.Open(s.path(hash))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, blob.ErrNotFound
	}
	return f, err
}

// Has reports whether the file is stored.
func (s *Store) Has(ctx context.Context, hash string) (bool, error) {
	if !blob.ValidHash(hash) {
		return false, nil
	}
	_, err := os.Stat(s.path(hash))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

// Delete removes a file; a missing file is not an error.
func (s *Store) Delete(ctx context.Context, hash string) error {
	if !blob.ValidHash(hash) {
		return nil
	}
	err := os.Remove(s.path(hash))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}
