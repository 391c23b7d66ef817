package sqlstore

import (
	"context"
	"runtime"
	"slices"
	"sync"
)

// A staff search whose words are looked for across a wide range of
// version ids spends most of its time in FTS5 walking the range's
// doclists: a phrase in one account over 90 days, at 10M versions (1.2M
// ids in the range), walks every entry of the phrase's commoner word, about
// 7 ms of its 10. One connection walks on one core. Cut into parts by id,
// each on a connection of its own, the walk runs on every core, and the
// parts' matches are put together as one query would have found them:
// counted (each part up to the cap, the sum capped) or collected (the
// parts stop together once they have found more than the caller wants).
//
// Only SQLite's read pool splits (a transaction is one connection, and
// PostgreSQL plans its own parallel scans), only searches with words
// (without, the time index stops after the page), and not the portal's:
// its searches take turns, as many at once as there are cores, and a
// split would take the cores of the turns after it.

// splitRows is the smallest id range split by default: at 1M versions a
// 90-day range (about 120,000 ids) takes 3 ms whole and is not split.
const splitRows = 400_000

// maxSplitParts is the most parts a search is cut into.
const maxSplitParts = 4

// splitConfig says how searches on a read pool are split.
type splitConfig struct {
	rows  int64 // the smallest id range split; 0: never
	parts int   // how many parts a split search has (at least 2)
}

// newSplitConfig splits on a machine of two cores or more: on one, the
// parts would take turns on it.
func newSplitConfig() splitConfig {
	c := splitConfig{rows: splitRows, parts: max(2, min(maxSplitParts, runtime.NumCPU()))}
	if runtime.NumCPU() < 2 {
		c.rows = 0
	}
	return c
}

// SplitSearchesFrom sets the smallest range of version ids a staff search
// with words is cut into parts for, one per core (0: never split). For
// tests, which split every search (1) to check that the parts put
// together give what the whole gives, and for tuning; call it before the
// store is used. PostgreSQL ignores it.
func (s *Store) SplitSearchesFrom(rows int64) {
	if p, ok := s.db.(*preparedPool); ok {
		p.split.rows = max(rows, 0)
	}
}

// searchParts returns s cut into parts by version id when it is worth
// splitting, or s alone.
func (r *reader) searchParts(ctx context.Context, s searchQuery) ([]searchQuery, error) {
	p, ok := r.db.(*preparedPool)
	if !ok || s.match == "" || s.public || p.split.rows <= 0 {
		return []searchQuery{s}, nil
	}
	lo, hi := s.rowLo, s.rowHi
	if hi == 0 {
		lo = 1
		if err := r.queryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM archive_versions`).Scan(&hi); err != nil {
			return nil, err
		}
	}
	span := hi - lo + 1
	n := int64(p.split.parts)
	if span < p.split.rows || span < n {
		return []searchQuery{s}, nil
	}
	parts := make([]searchQuery, n)
	for i := range n {
		parts[i] = s.part(lo+i*span/n, lo+(i+1)*span/n-1)
	}
	return parts, nil
}

// part returns s restricted to the version ids lo to hi, which lie in s's
// own range.
func (s searchQuery) part(lo, hi int64) searchQuery {
	p := s
	p.args = slices.Clone(s.args)
	if s.rowHi > 0 {
		p.args[s.rangeArg], p.args[s.rangeArg+1] = lo, hi
	} else {
		p.where += " AND f.rowid BETWEEN ? AND ?"
		p.rangeArg = len(p.args)
		p.args = append(p.args, lo, hi)
	}
	p.rowLo, p.rowHi = lo, hi
	return p
}

// eachPart runs fn on every part at once, the first in the caller's
// goroutine, and returns the first part's error.
func eachPart(parts []searchQuery, fn func(i int, s searchQuery) error) error {
	if len(parts) == 1 {
		return fn(0, parts[0])
	}
	errs := make([]error, len(parts))
	var wg sync.WaitGroup
	for i := 1; i < len(parts); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = fn(i, parts[i])
		}()
	}
	errs[0] = fn(0, parts[0])
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
