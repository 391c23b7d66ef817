package witness

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/mod/sumdb/tlog"

	"steward.city/steward/internal/checkpoint"
	"steward.city/steward/internal/merkle"
)

// state is the last checkpoint the witness cosigned for one log, kept in a
// file of its own: DIR/logs/<SHA-256 of the origin>, the checkpoint as
// received with the witness's cosignature appended.
type state struct {
	Size int64
	Root tlog.Hash
}

func (s *Server) statePath(origin string) string {
	sum := sha256.Sum256([]byte(origin))
	return filepath.Join(s.dir, "logs", hex.EncodeToString(sum[:]))
}

// load returns the recorded state of origin: size 0 if it never cosigned
// one of its checkpoints.
func (s *Server) load(origin string) (state, error) {
	b, err := os.ReadFile(s.statePath(origin))
	if errors.Is(err, fs.ErrNotExist) {
		return state{Root: merkle.EmptyRoot()}, nil
	}
	if err != nil {
		return state{}, err
	}
	body, err := checkpoint.ParseNote(b)
	if err != nil {
		return state{}, fmt.Errorf("witness state of %s: %w", origin, err)
	}
	if body.Origin != origin {
		return state{}, fmt.Errorf("witness state of %s holds a checkpoint of %s", origin, body.Origin)
	}
	return state{Size: body.Size, Root: body.Root}, nil
}

// save records signed as the last checkpoint cosigned for origin: written
// to a temporary file, flushed to disk and renamed over the old one, so a
// crash leaves the old state or the new, never a mix.
func (s *Server) save(origin string, signed []byte) error {
	path := s.statePath(origin)
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".new-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(signed); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
