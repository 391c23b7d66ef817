package merkle

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/mod/sumdb/tlog"
)

// MaxProofHashes is the most hashes a consistency proof between two trees
// of at most 2⁶³ leaves can hold; tlog-witness refuses longer proofs.
const MaxProofHashes = 63

// ErrInconsistent is returned by CheckConsistency when the proof does not
// show that the newer tree extends the older one.
var ErrInconsistent = errors.New("merkle: the newer tree does not extend the older one")

// ProveConsistency returns the RFC 6962 (section 2.1.2) consistency proof
// that the tree of newSize leaves contains the tree of oldSize leaves as a
// prefix, reading stored hashes (tlog's storage indexes) from r. The proof
// is empty when oldSize is 0 or equals newSize.
func ProveConsistency(oldSize, newSize int64, r tlog.HashReader) (tlog.TreeProof, error) {
	switch {
	case oldSize < 0 || oldSize > newSize:
		return nil, fmt.Errorf("merkle: no consistency proof from size %d to size %d", oldSize, newSize)
	case oldSize == 0 || oldSize == newSize:
		return tlog.TreeProof{}, nil
	}
	return tlog.ProveTree(newSize, oldSize, r)
}

// CheckConsistency checks proof, a consistency proof from the tree of
// oldSize leaves with root oldRoot to the tree of newSize leaves with root
// newRoot, as RFC 6962 and tlog-witness define it: any tree extends the
// empty tree (and the proof must then be empty); a tree of the same size
// must have the same root and an empty proof. It returns ErrInconsistent
// when the proof fails.
func CheckConsistency(proof tlog.TreeProof, oldSize int64, oldRoot tlog.Hash, newSize int64, newRoot tlog.Hash) error {
	switch {
	case oldSize < 0 || oldSize > newSize:
		return fmt.Errorf("%w: size %d is smaller than size %d", ErrInconsistent, newSize, oldSize)
	case len(proof) > MaxProofHashes:
		return fmt.Errorf("%w: the proof has %d hashes, more than %d", ErrInconsistent, len(proof), MaxProofHashes)
	case oldSize == newSize:
		if len(proof) != 0 || oldRoot != newRoot {
			return fmt.Errorf("%w: two trees of size %d with different roots", ErrInconsistent, oldSize)
		}
		return nil
	case oldSize == 0:
		if len(proof) != 0 {
			return fmt.Errorf("%w: a proof from the empty tree must be empty", ErrInconsistent)
		}
		return nil
	}
	if err := tlog.CheckTree(proof, newSize, newRoot, oldSize, oldRoot); err != nil {
		return fmt.Errorf("%w (from size %d to %d)", ErrInconsistent, oldSize, newSize)
	}
	return nil
}

// EncodeProof writes proof as tlog-witness does: one base64 hash a line.
func EncodeProof(proof tlog.TreeProof) string {
	var b strings.Builder
	for _, h := range proof {
		b.WriteString(base64.StdEncoding.EncodeToString(h[:]))
		b.WriteByte('\n')
	}
	return b.String()
}

// DecodeProof reads proof lines written by EncodeProof: each line one
// base64 hash of 32 bytes, each ending in a newline.
func DecodeProof(text []byte) (tlog.TreeProof, error) {
	var p tlog.TreeProof
	for len(text) > 0 {
		line, rest, ok := bytes.Cut(text, []byte{'\n'})
		if !ok {
			return nil, errors.New("merkle: a proof line does not end in a newline")
		}
		h, err := ParseHash(string(line))
		if err != nil {
			return nil, err
		}
		if len(p) == MaxProofHashes {
			return nil, fmt.Errorf("merkle: more than %d proof lines", MaxProofHashes)
		}
		p = append(p, h)
		text = rest
	}
	return p, nil
}

// ParseHash decodes one base64 hash of 32 bytes, as checkpoints and proofs
// write them.
func ParseHash(s string) (tlog.Hash, error) {
	var h tlog.Hash
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil || len(b) != tlog.HashSize {
		return h, fmt.Errorf("merkle: %q is not a base64 hash of %d bytes", s, tlog.HashSize)
	}
	copy(h[:], b)
	return h, nil
}

// EmptyRoot is the root of the tree with no leaves: SHA-256 of nothing.
func EmptyRoot() tlog.Hash { return emptyRoot }
