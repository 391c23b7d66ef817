package records

import (
	"context"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/civic"
)

// scopePage is how many search hits are read at a time.
// It is the most the store returns per search.
const scopePage = 1000

// ScopeCounts returns how many items each query of r's scope matches.
func (s *Service) ScopeCounts(ctx context.Context, actor *civic.User, r *civic.RecordsRequest) ([]int, error) {
	if err := require(actor, civic.PermRecordsView); err != nil {
		return nil, err
	}
	counts := make([]int, len(r.Scope))
	for i, qs := range r.Scope {
		items := map[int64]bool{}
		if err := s.match(ctx, qs, items); err != nil {
			return nil, err
		}
		counts[i] = len(items)
	}
	return counts, nil
}

// ScopeItems returns the set of items r's scope matches. A scope that
// matches nothing is KindInvalid.
func (s *Service) scopeItems(ctx context.Context, r *civic.RecordsRequest) (map[int64]bool, error) {
	items := map[int64]bool{}
	for _, qs := range r.Scope {
		if err := s.match(ctx, qs, items); err != nil {
			return nil, err
		}
	}
	if len(items) == 0 {
		return nil, civic.Invalid("scope", "the request's scope matches nothing in the archive: change its queries")
	}
	return items, nil
}

// match adds the items a query matches to items. It pages through the
// search newest first by time rather than by offset: each page asks for
// versions before the oldest time of the last page (ties included, so
// some come twice), which keeps every page as cheap as the first. Only when
// a whole page shares one time does it step by offset.
func (s *Service) match(ctx context.Context, qs string, items map[int64]bool) error {
	q, err := archive.ParseQuery(qs)
	if err != nil {
		return civic.Invalid("scope", "%s", civic.ErrorMessage(err))
	}
	q.Relevance = false
	off := 0
	for {
		q.Offset, q.Limit = off, scopePage
		vs, err := s.archive.Search(ctx, nil, q)
		if err != nil {
			return err
		}
		for _, v := range vs {
			items[v.ItemID] = true
		}
		if len(vs) < scopePage {
			return nil
		}
		next := vs[len(vs)-1].At().UTC().Truncate(time.Microsecond).Add(time.Microsecond)
		if !q.Until.IsZero() && !next.Before(q.Until) {
			off += scopePage // a whole page at one time: step over it
			continue
		}
		q.Until, off = next, 0
	}
}
