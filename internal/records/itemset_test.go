package records

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestItemSetMatchesMap adds the same IDs to an itemSet and a map, dense
// runs, repeats, and IDs far apart, negative and at the ends of int64
// (a database edited by hand), and asks both about every ID near them.
func TestItemSetMatchesMap(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	s, m := newItemSet(), map[int64]bool{}
	add := func(id int64) { s.add(id); m[id] = true }
	for id := int64(1); id <= 5000; id += 1 + r.Int64N(3) {
		add(id)
	}
	for range 2000 {
		add(r.Int64N(10000)) // repeats among them
	}
	odd := []int64{0, -1, -64, -65, 63, 64, 65, 1 << 40, math.MaxInt64, math.MinInt64, math.MinInt64 + 1}
	for _, id := range odd {
		add(id)
	}
	if s.len() != len(m) {
		t.Fatalf("len = %d, want %d", s.len(), len(m))
	}
	check := func(id int64) {
		if s.has(id) != m[id] {
			t.Fatalf("has(%d) = %v, want %v", id, s.has(id), m[id])
		}
	}
	for id := int64(-200); id <= 10200; id++ {
		check(id)
	}
	for _, id := range odd {
		for d := int64(-70); d <= 70; d++ {
			if (d < 0 && id < math.MinInt64-d) || (d > 0 && id > math.MaxInt64-d) {
				continue
			}
			check(id + d)
		}
	}
	if n := len(s.words); n > 200 {
		t.Errorf("%d words for IDs mostly under 10,000", n)
	}
}
