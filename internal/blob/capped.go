package blob

import (
	"errors"
	"io"
)

// ErrOverLimit is what a Capped reader returns once it has read past its
// limit: a Put given it fails, so the store keeps nothing.
var ErrOverLimit = errors.New("blob: the file is over its limit")

// Capped reads at most a limit of bytes from a reader for Put: one more
// fails the read with ErrOverLimit, and Over reports it, so that the
// caller says how large a file may be instead of what the store answered.
type Capped struct {
	r    io.Reader
	left int64
	over bool
}

// NewCapped reads at most limit bytes of r.
func NewCapped(r io.Reader, limit int64) *Capped { return &Capped{r: r, left: limit} }

func (c *Capped) Read(p []byte) (int, error) {
	if int64(len(p)) > c.left+1 {
		p = p[:c.left+1]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	if c.left < 0 {
		c.over = true
		return n, ErrOverLimit
	}
	return n, err
}

// Over reports whether the reader went past its limit.
func (c *Capped) Over() bool { return c.over }
