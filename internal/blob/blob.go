// Package blob stores media files by the SHA-256 of their content: a file
// is written once and never overwritten, and identical files are stored
// once. disk keeps them in a folder; s3 in an S3-compatible bucket;
// blobtest is the suite both pass.
package blob

import (
	"context"
	"errors"
	"io"
)

// ErrNotFound is returned for a hash the store does not hold.
var ErrNotFound = errors.New("blob not found")

// Store keeps files by content hash (64 lower-case hex digits).
type Store interface {
	// Put stores the content of r unless a file with the same hash is
	// already stored, and returns its hash and size. If want is not "", the
	// content must hash to want, or nothing is stored.
	Put(ctx context.Context, want string, r io.Reader) (hash string, size int64, err error)
	// Open returns the file with the given hash, or ErrNotFound.
	Open(ctx context.Context, hash string) (io.ReadCloser, error)
	// Has reports whether the file is stored.
	Has(ctx context.Context, hash string) (bool, error)
	// Delete removes a file (disposition only); deleting a missing file is
	// not an error.
	Delete(ctx context.Context, hash string) error
}

// ValidHash reports whether h is 64 lower-case hexadecimal digits.
func ValidHash(h string) bool {
	if len(h) != 64 {
		return false
	}
	for _, c := range h {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
