package archive

import (
	"context"
	"slices"
	"time"

	"steward.city/steward/internal/civic"
)

// holdSet is the active holds, to put newly ingested items under them.
type holdSet []holdScope

type holdScope struct {
	id    int64
	h     *civic.Hold
	terms []string
	anyOf [][]string
}

func activeHolds(ctx context.Context, r civic.Reader) (holdSet, error) {
	hs, err := r.Holds(ctx)
	if err != nil {
		return nil, err
	}
	var out holdSet
	for _, h := range hs {
		if !h.Active() {
			continue
		}
		// A hold placed before wordless queries were refused keeps the
		// scope it was placed with: its accounts and dates alone.
		q, _, err := parseQuery(h.Query, time.UTC)
		if err != nil {
			return nil, err
		}
		out = append(out, holdScope{id: h.ID, h: h, terms: q.Terms, anyOf: q.AnyOf})
	}
	return out, nil
}

// cover returns the holds whose scope takes in v.
func (hs holdSet) cover(v *civic.Version) []int64 {
	var out []int64
	for _, s := range hs {
		if len(s.h.Accounts) > 0 && !slices.Contains(s.h.Accounts, v.Account) {
			continue
		}
		at := v.At()
		if s.h.From != nil && at.Before(*s.h.From) || s.h.Until != nil && !at.Before(*s.h.Until) {
			continue
		}
		if !matchTerms(s.terms, s.anyOf, v.Text) {
			continue
		}
		out = append(out, s.id)
	}
	return out
}

// holdQuery parses a hold's query: words and phrases only, since accounts
// and dates are fields of the hold.
func holdQuery(s string) (*Query, error) {
	q, err := ParseQuery(s)
	if err != nil {
		return nil, civic.Invalid("query", "%s", civic.ErrorMessage(err))
	}
	if q.Account != "" || q.Department != "" || q.Platform != "" || q.Kind != "" || q.Author != "" || !q.From.IsZero() || !q.Until.IsZero() ||
		q.State != "" || q.Removed != nil || q.Held != nil {
		return nil, civic.Invalid("query", "a hold's query takes words and phrases; give accounts and dates in their own fields")
	}
	return q, nil
}

// PlaceHold places a legal hold (REC-4): every item in its scope now, and
// every item captured later that falls in it, is exempt from disposition
// until the hold is released. Only the attorney may. It sets h.ID and
// h.Items, how many items the hold covers now.
func (s *Service) PlaceHold(ctx context.Context, actor civic.Actor, h *civic.Hold) error {
	if err := civic.Require(actor, civic.PermArchiveHold); err != nil {
		return err
	}
	if _, err := holdQuery(h.Query); err != nil {
		return err
	}
	return s.update(ctx, actor, func(tx civic.Tx) error {
		for _, a := range h.Accounts {
			if _, err := tx.ArchiveAccountByRef(ctx, a); err != nil {
				if civic.ErrorKind(err) == civic.KindNotFound {
					return civic.Invalid("accounts", "the archive has no account %q", clip(a))
				}
				return err
			}
		}
		ids, err := HoldItems(ctx, tx, h)
		if err != nil {
			return err
		}
		return tx.PlaceHold(ctx, h, ids)
	})
}

// HoldItems returns the IDs of the items a hold's scope (its query, its
// accounts, its dates) finds in the archive now, in order: what PlaceHold
// holds. The query must be a hold's (holdQuery).
func HoldItems(ctx context.Context, r civic.ArchiveReader, h *civic.Hold) ([]int64, error) {
	q, err := holdQuery(h.Query)
	if err != nil {
		return nil, err
	}
	items := map[int64]bool{}
	accounts := h.Accounts
	if len(accounts) == 0 {
		accounts = []string{""}
	}
	for _, a := range accounts {
		aq := civic.ArchiveQuery{Terms: q.Terms, AnyOf: q.AnyOf, Account: a, Limit: 1000}
		if h.From != nil {
			aq.From = *h.From
		}
		if h.Until != nil {
			aq.Until = *h.Until
		}
		for {
			vs, err := r.SearchArchive(ctx, &aq)
			if err != nil {
				return nil, err
			}
			for _, v := range vs {
				items[v.ItemID] = true
			}
			if len(vs) < aq.Limit {
				break
			}
			aq.Offset += aq.Limit
		}
	}
	ids := make([]int64, 0, len(items))
	for id := range items {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids, nil
}

// ReleaseHold releases a hold; only the attorney may.
func (s *Service) ReleaseHold(ctx context.Context, actor civic.Actor, id int64, reason string) error {
	if err := civic.Require(actor, civic.PermArchiveHold); err != nil {
		return err
	}
	return s.update(ctx, actor, func(tx civic.Tx) error { return tx.ReleaseHold(ctx, id, reason) })
}
