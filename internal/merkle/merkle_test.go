package merkle

import (
	"fmt"
	"testing"

	"golang.org/x/mod/sumdb/tlog"
)

// TestFrontierMatchesTlog checks the frontier's roots and stored nodes
// against golang.org/x/mod/sumdb/tlog for every size up to 300.
func TestFrontierMatchesTlog(t *testing.T) {
	stored := map[int64]tlog.Hash{}
	reader := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			h, ok := stored[x]
			if !ok {
				return nil, fmt.Errorf("no stored hash %d", x)
			}
			out[i] = h
		}
		return out, nil
	})
	var f Frontier
	for n := int64(0); n < 300; n++ {
		data := []byte(fmt.Sprintf("record %d", n))
		want, err := tlog.StoredHashes(n, data, reader)
		if err != nil {
			t.Fatal(err)
		}
		nodes := f.Append(LeafHash(data))
		if len(nodes) != len(want) {
			t.Fatalf("record %d: %d nodes, tlog stores %d", n, len(nodes), len(want))
		}
		for i, nd := range nodes {
			if nd.Hash != want[i] {
				t.Fatalf("record %d node %d differs from tlog", n, i)
			}
			stored[tlog.StoredHashIndex(nd.Level, nd.Index)] = nd.Hash
		}
		root, err := tlog.TreeHash(n+1, reader)
		if err != nil {
			t.Fatal(err)
		}
		if f.Root() != root {
			t.Fatalf("size %d: root differs from tlog", n+1)
		}
		g, err := Unmarshal(f.Size, f.MarshalBinary())
		if err != nil || g.Root() != root {
			t.Fatalf("size %d: frontier does not round-trip: %v", n+1, err)
		}
	}
	if _, err := Unmarshal(3, make([]byte, 32)); err == nil {
		t.Error("Unmarshal accepted a frontier of the wrong length")
	}
}
