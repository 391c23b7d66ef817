package records

// itemSet is a set of item IDs: a request's scope. IDs are given by the
// database in order, so a scope's are mostly close together, and a set
// keeps them as bits, 64 to a word: a million items in about half a
// megabyte, where a map of them held 42 MB of a million-item export. IDs
// far apart (a database edited by hand) cost a word each, as a map would.
type itemSet struct {
	words map[int64]uint64 // by ID / 64, the bits of its 64 IDs
	n     int
}

func newItemSet() *itemSet { return &itemSet{words: map[int64]uint64{}} }

// add puts id in the set.
func (s *itemSet) add(id int64) {
	k, bit := id>>6, uint64(1)<<(id&63)
	if w := s.words[k]; w&bit == 0 {
		s.words[k] = w | bit
		s.n++
	}
}

// has reports whether id is in the set.
func (s *itemSet) has(id int64) bool { return s.words[id>>6]&(uint64(1)<<(id&63)) != 0 }

// len returns how many IDs the set holds.
func (s *itemSet) len() int { return s.n }
