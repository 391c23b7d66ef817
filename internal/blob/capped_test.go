package blob_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"steward.city/steward/internal/blob"
)

// TestCapped: a file of exactly the limit is read whole; one byte more
// fails the read with ErrOverLimit, and Over says so.
func TestCapped(t *testing.T) {
	c := blob.NewCapped(strings.NewReader("12345"), 5)
	if got, err := io.ReadAll(c); err != nil || string(got) != "12345" || c.Over() {
		t.Errorf("at the limit: %q, %v, over %v", got, err, c.Over())
	}
	c = blob.NewCapped(bytes.NewReader(make([]byte, 1<<20)), 1000)
	if _, err := io.Copy(io.Discard, c); !errors.Is(err, blob.ErrOverLimit) || !c.Over() {
		t.Errorf("over the limit: %v, over %v", err, c.Over())
	}
}
