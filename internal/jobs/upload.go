package jobs

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"

	"steward.city/steward/internal/blob"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/plain"
)

// An upload is a file someone sends with a task (an export to import): the
// request streams it to the blob store, never whole in memory, and the
// task reads it from there, since the worker may not be the web process
// that took it. Like a result, it begins with random bytes, so that its
// name in the blob store is its own and deleting it can never delete a
// media file with the same bytes. The worker deletes it once the task has
// ended for good (Uploaded); the results sweep deletes those a task left
// behind (one cancelled before it ran).

// Uploaded are the arguments of a task that reads an uploaded file.
type Uploaded interface {
	Owned
	Upload() File
}

// Stage streams r to blobs as a task's upload named name, of at most max
// bytes: past that it stores nothing and fails with a too-large error
// (413) that says the limit. An empty file is invalid, naming field.
func Stage(ctx context.Context, blobs blob.Store, r io.Reader, max int64, field, name, typ string) (*File, error) {
	if blobs == nil {
		return nil, civic.Errorf(civic.KindUnavailable, "this process has no file store for the upload")
	}
	salt := make([]byte, saltSize)
	if _, err := rand.Read(salt); err != nil {
		return nil, fmt.Errorf("stage %s: %w", name, err)
	}
	lr := blob.NewCapped(r, max)
	hash, size, err := blobs.Put(ctx, "", io.MultiReader(bytes.NewReader(salt), lr))
	if lr.Over() {
		return nil, tooLarge(max)
	}
	if err != nil {
		var ce *civic.Error
		if errors.As(err, &ce) {
			return nil, err
		}
		return nil, fmt.Errorf("stage %s: %w", name, err)
	}
	if size == saltSize {
		_ = blobs.Delete(ctx, hash)
		return nil, civic.Invalid(field, "the file %s is empty", name)
	}
	return &File{Blob: hash, Name: name, Type: typ, Size: size - saltSize, Skip: saltSize}, nil
}

func tooLarge(max int64) error {
	return civic.Errorf(civic.KindTooLarge, "the file is larger than %s, the most Steward takes in one upload (the server's --import-max)", plain.Size(max))
}

// Fetch copies a task's upload from blobs to w, without its random bytes.
// An upload no longer there is not found.
func Fetch(ctx context.Context, blobs blob.Store, f File, w io.Writer) error {
	if blobs == nil {
		return civic.Errorf(civic.KindUnavailable, "this process has no file store")
	}
	rc, err := blobs.Open(ctx, f.Blob)
	if errors.Is(err, blob.ErrNotFound) {
		return civic.Errorf(civic.KindNotFound, "the uploaded file %s is no longer stored; send it again", f.Name)
	}
	if err != nil {
		return fmt.Errorf("fetch the upload %s: %w", f.Name, err)
	}
	defer rc.Close()
	if _, err := io.CopyN(io.Discard, rc, f.Skip); err != nil {
		return fmt.Errorf("fetch the upload %s: %w", f.Name, err)
	}
	n, err := io.Copy(w, rc)
	if err != nil {
		return fmt.Errorf("fetch the upload %s: %w", f.Name, err)
	}
	if n != f.Size {
		return fmt.Errorf("fetch the upload %s: %d bytes, not %d", f.Name, n, f.Size)
	}
	return nil
}
