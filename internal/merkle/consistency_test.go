package merkle

import (
	"encoding/hex"
	"errors"
	"fmt"
	"testing"

	"golang.org/x/mod/sumdb/tlog"
)

// The eight leaves, their trees' roots and the consistency proofs below are
// the RFC 6962 test vectors of Certificate Transparency's reference
// implementation, as kept in github.com/transparency-dev/merkle
// (proof/verify_test.go).
var (
	rfcLeaves = []string{"", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"}
	rfcRoots  = []string{
		"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
		"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
		"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
		"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
		"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
		"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
		"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
		"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
	}
	rfcProofs = []struct {
		old, new int64
		proof    []string
	}{
		{1, 1, nil},
		{1, 8, []string{
			"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
			"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
			"6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
		}},
		{6, 8, []string{
			"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
			"ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
			"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
		}},
		{2, 5, []string{
			"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
			"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
		}},
		{6, 7, []string{
			"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
			"b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
			"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
		}},
	}
)

// store is an in-memory log: the nodes Frontier.Append returns, by tlog's
// storage index, as the archive keeps them in archive_log_nodes.
type store struct {
	f     Frontier
	nodes map[int64]tlog.Hash
	roots []tlog.Hash // roots[n] is the root of the first n leaves
}

func newStore(leaves [][]byte) *store {
	s := &store{nodes: map[int64]tlog.Hash{}, roots: []tlog.Hash{EmptyRoot()}}
	for _, l := range leaves {
		for _, n := range s.f.Append(LeafHash(l)) {
			s.nodes[tlog.StoredHashIndex(n.Level, n.Index)] = n.Hash
		}
		s.roots = append(s.roots, s.f.Root())
	}
	return s
}

func (s *store) ReadHashes(idx []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(idx))
	for i, x := range idx {
		h, ok := s.nodes[x]
		if !ok {
			return nil, fmt.Errorf("no stored hash %d", x)
		}
		out[i] = h
	}
	return out, nil
}

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func hash(t *testing.T, s string) tlog.Hash {
	var h tlog.Hash
	copy(h[:], unhex(t, s))
	return h
}

// TestConsistencyRFC6962Vectors builds the RFC 6962 test tree from its
// leaves with Frontier, checks every root, and checks that
// ProveConsistency gives exactly the published proofs and that
// CheckConsistency accepts them and refuses every corruption of them.
func TestConsistencyRFC6962Vectors(t *testing.T) {
	t.Parallel()
	var leaves [][]byte
	for _, l := range rfcLeaves {
		leaves = append(leaves, unhex(t, l))
	}
	s := newStore(leaves)
	for i, want := range rfcRoots {
		if got := s.roots[i+1]; got != hash(t, want) {
			t.Fatalf("root of %d leaves = %x, RFC 6962 vector %s", i+1, got, want)
		}
	}
	for _, v := range rfcProofs {
		t.Run(fmt.Sprintf("%d-%d", v.old, v.new), func(t *testing.T) {
			t.Parallel()
			got, err := ProveConsistency(v.old, v.new, s)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(v.proof) {
				t.Fatalf("proof has %d hashes, the vector %d", len(got), len(v.proof))
			}
			for i, h := range v.proof {
				if got[i] != hash(t, h) {
					t.Fatalf("proof hash %d = %x, the vector %s", i, got[i], h)
				}
			}
			oldRoot, newRoot := s.roots[v.old], s.roots[v.new]
			if err := CheckConsistency(got, v.old, oldRoot, v.new, newRoot); err != nil {
				t.Fatalf("the vector's proof does not check: %v", err)
			}
			if len(got) == 0 {
				return
			}
			flip := func(i int) tlog.TreeProof {
				p := append(tlog.TreeProof(nil), got...)
				p[i][0] ^= 16
				return p
			}
			type probe struct {
				name    string
				proof   tlog.TreeProof
				oldSize int64
				oldRoot tlog.Hash
				newSize int64
				newRoot tlog.Hash
			}
			bad := []probe{
				{"old size - 1", got, v.old - 1, oldRoot, v.new, newRoot},
				{"old size + 1", got, v.old + 1, oldRoot, v.new, newRoot},
				{"new size * 2", got, v.old, oldRoot, v.new * 2, newRoot},
				{"new size / 2", got, v.old, oldRoot, v.new / 2, newRoot},
				{"wrong old root", got, v.old, EmptyRoot(), v.new, newRoot},
				{"wrong new root", got, v.old, oldRoot, v.new, EmptyRoot()},
				{"roots swapped", got, v.old, newRoot, v.new, oldRoot},
				{"empty proof", tlog.TreeProof{}, v.old, oldRoot, v.new, newRoot},
				{"truncated", got[:len(got)-1], v.old, oldRoot, v.new, newRoot},
				{"trailing old root", append(append(tlog.TreeProof(nil), got...), oldRoot), v.old, oldRoot, v.new, newRoot},
				{"leading new root", append(tlog.TreeProof{newRoot}, got...), v.old, oldRoot, v.new, newRoot},
			}
			for i := range got {
				bad = append(bad, probe{fmt.Sprintf("hash %d flipped", i), flip(i), v.old, oldRoot, v.new, newRoot})
			}
			for _, b := range bad {
				if err := CheckConsistency(b.proof, b.oldSize, b.oldRoot, b.newSize, b.newRoot); err == nil {
					t.Errorf("%s: accepted", b.name)
				}
			}
		})
	}
}

// TestConsistencyEdges checks the sizes that need no proof, as RFC 6962
// and tlog-witness treat them.
func TestConsistencyEdges(t *testing.T) {
	t.Parallel()
	a, b := LeafHash([]byte("a")), LeafHash([]byte("b"))
	cases := []struct {
		name             string
		oldSize, newSize int64
		oldRoot, newRoot tlog.Hash
		proof            tlog.TreeProof
		ok               bool
	}{
		{"empty to empty", 0, 0, EmptyRoot(), EmptyRoot(), nil, true},
		{"empty to empty, different roots", 0, 0, a, b, nil, false},
		{"empty to one", 0, 1, a, b, nil, true},
		{"empty to one with a proof", 0, 1, a, b, tlog.TreeProof{a}, false},
		{"same size, same root", 1, 1, a, a, nil, true},
		{"same size, another root", 1, 1, a, b, nil, false},
		{"same size with a proof", 1, 1, a, a, tlog.TreeProof{a}, false},
		{"back in time", 2, 1, a, b, nil, false},
		{"to the empty tree", 1, 0, a, EmptyRoot(), nil, false},
		{"needs a proof", 1, 2, a, b, nil, false},
		{"too long", 1, 2, a, b, make(tlog.TreeProof, MaxProofHashes+1), false},
	}
	for _, c := range cases {
		err := CheckConsistency(c.proof, c.oldSize, c.oldRoot, c.newSize, c.newRoot)
		if (err == nil) != c.ok {
			t.Errorf("%s: CheckConsistency = %v, want ok %v", c.name, err, c.ok)
		}
		if err != nil && !errors.Is(err, ErrInconsistent) {
			t.Errorf("%s: %v is not ErrInconsistent", c.name, err)
		}
	}
}

// TestConsistencyAllSizes proves and checks every pair of sizes up to 70,
// and refuses each proof against the root of a tree that differs in one
// leaf before the old size (a rewritten history).
func TestConsistencyAllSizes(t *testing.T) {
	t.Parallel()
	const n = 70
	var leaves, forged [][]byte
	for i := range n {
		leaves = append(leaves, fmt.Appendf(nil, "record %d", i))
		forged = append(forged, fmt.Appendf(nil, "record %d", i))
	}
	s := newStore(leaves)
	for m := int64(1); m <= n; m++ {
		forged[m-1] = []byte("forged")
		f := newStore(forged)
		forged[m-1] = leaves[m-1]
		for k := m; k <= n; k++ {
			p, err := ProveConsistency(m, k, s)
			if err != nil {
				t.Fatal(err)
			}
			if err := CheckConsistency(p, m, s.roots[m], k, s.roots[k]); err != nil {
				t.Fatalf("%d to %d: %v", m, k, err)
			}
			if k > m {
				if err := CheckConsistency(p, m, s.roots[m], k, f.roots[k]); err == nil {
					t.Fatalf("%d to %d: the proof checks against a tree whose leaf %d was rewritten", m, k, m-1)
				}
			}
			q, err := DecodeProof([]byte(EncodeProof(p)))
			if err != nil || len(q) != len(p) {
				t.Fatalf("%d to %d: the proof does not round-trip: %v", m, k, err)
			}
		}
	}
}

func TestDecodeProof(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"AAAA\n", "not base64\n", EncodeProof(tlog.TreeProof{{}})[:10]} {
		if _, err := DecodeProof([]byte(bad)); err == nil {
			t.Errorf("DecodeProof(%q) accepted", bad)
		}
	}
	if p, err := DecodeProof(nil); err != nil || len(p) != 0 {
		t.Errorf("DecodeProof(empty) = %v, %v", p, err)
	}
}
