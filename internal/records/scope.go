package records

import (
	"context"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/civic"
)

// ScopeCounts returns how many items each query of r's scope matches.
func (s *Service) ScopeCounts(ctx context.Context, actor civic.Actor, r *civic.RecordsRequest) ([]int, error) {
	if err := civic.Require(actor, civic.PermRecordsView); err != nil {
		return nil, err
	}
	counts := make([]int, len(r.Scope))
	for i, qs := range r.Scope {
		items := newItemSet()
		if err := s.match(ctx, qs, 0, 0, items); err != nil {
			return nil, err
		}
		counts[i] = items.len()
	}
	return counts, nil
}

// scopeItems returns the set of items r's scope matches among the versions
// with ID at most upTo (0: all). A scope that matches nothing is
// KindInvalid.
func (s *Service) scopeItems(ctx context.Context, r *civic.RecordsRequest, upTo int64) (*itemSet, error) {
	items := newItemSet()
	for _, qs := range r.Scope {
		if err := s.match(ctx, qs, 0, upTo, items); err != nil {
			return nil, err
		}
	}
	if items.len() == 0 {
		return nil, civic.Invalid("scope", "the request's scope matches nothing in the archive: change its queries")
	}
	return items, nil
}

// inScope reports whether r's scope covers item.
func (s *Service) inScope(ctx context.Context, r *civic.RecordsRequest, item int64) (bool, error) {
	items := newItemSet()
	for _, qs := range r.Scope {
		if err := s.match(ctx, qs, item, 0, items); err != nil {
			return false, err
		}
	}
	return items.has(item), nil
}

// match adds the items a query matches to items (only item, when not 0).
// The query is evaluated on the versions table, the source of truth, not
// on the search or date indexes (archive.Service.MatchItems): an index
// edited behind Steward's back cannot shrink a records request.
func (s *Service) match(ctx context.Context, qs string, item, upTo int64, items *itemSet) error {
	q, err := archive.ParseQueryIn(qs, s.loc)
	if err != nil {
		return civic.Invalid("scope", "%s", civic.ErrorMessage(err))
	}
	q.ItemID = item
	return s.archive.MatchItems(ctx, q, upTo, func(id int64) error {
		items.add(id)
		return nil
	})
}
