// Package merkle keeps the right edge of an RFC 6962 Merkle tree, so that a
// log can be appended to and its root computed without reading earlier
// leaves. Hashing is golang.org/x/mod/sumdb/tlog's (RFC 6962: leaves
// SHA-256(0x00 || data), nodes SHA-256(0x01 || left || right)).
package merkle

import (
	"errors"
	"math/bits"

	"golang.org/x/mod/sumdb/tlog"
)

// Frontier is the roots of the complete subtrees of a tree of Size leaves,
// largest first: one for each bit set in Size.
type Frontier struct {
	Size  int64
	Nodes []tlog.Hash
}

// Node is one stored node of the tree: the root of the complete subtree
// covering leaves [Index<<Level, (Index+1)<<Level).
type Node struct {
	Level int
	Index int64
	Hash  tlog.Hash
}

// LeafHash returns the RFC 6962 leaf hash of data.
func LeafHash(data []byte) tlog.Hash { return tlog.RecordHash(data) }

// Append adds a leaf hash and returns the nodes that became complete: the
// leaf itself at level 0 and each subtree it closed.
func (f *Frontier) Append(leaf tlog.Hash) []Node {
	n := f.Size
	out := []Node{{Level: 0, Index: n, Hash: leaf}}
	h := leaf
	for level := 0; (n>>level)&1 == 1; level++ {
		left := f.Nodes[len(f.Nodes)-1]
		f.Nodes = f.Nodes[:len(f.Nodes)-1]
		h = tlog.NodeHash(left, h)
		out = append(out, Node{Level: level + 1, Index: n >> (level + 1), Hash: h})
	}
	f.Nodes = append(f.Nodes, h)
	f.Size++
	return out
}

// Root returns the tree's root hash; the empty tree's is SHA-256 of nothing.
func (f *Frontier) Root() tlog.Hash {
	if len(f.Nodes) == 0 {
		return emptyRoot
	}
	h := f.Nodes[len(f.Nodes)-1]
	for i := len(f.Nodes) - 2; i >= 0; i-- {
		h = tlog.NodeHash(f.Nodes[i], h)
	}
	return h
}

// SHA-256 of the empty string (RFC 6962, 2.1).
var emptyRoot = tlog.Hash{0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24, 0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55}

// MarshalBinary returns the frontier's nodes, concatenated.
func (f *Frontier) MarshalBinary() []byte {
	b := make([]byte, 0, len(f.Nodes)*tlog.HashSize)
	for _, h := range f.Nodes {
		b = append(b, h[:]...)
	}
	return b
}

// Unmarshal returns the frontier of a tree of size leaves from b.
func Unmarshal(size int64, b []byte) (*Frontier, error) {
	n := bits.OnesCount64(uint64(size))
	if len(b) != n*tlog.HashSize {
		return nil, errors.New("merkle: frontier does not match the tree size")
	}
	f := &Frontier{Size: size, Nodes: make([]tlog.Hash, n)}
	for i := range f.Nodes {
		copy(f.Nodes[i][:], b[i*tlog.HashSize:])
	}
	return f, nil
}
