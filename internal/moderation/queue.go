package moderation

import (
	"cmp"
	"context"
	"slices"

	"steward.city/steward/internal/civic"
)

// QueueFilter chooses and orders the queue's entries.
type QueueFilter struct {
	All      bool    // every entry, not only those waiting
	Code     string  // entries suggesting this code
	Account  string  // entries of this account (its ref)
	Lang     string  // entries whose comment is in this language ("es")
	MinScore float64 // entries with some code scoring at least this
	Sort     string  // "waiting" (longest wait first, the default) or "score" (highest first)
	Page     int     // from 1
	PerPage  int     // 0: 50
}

// QueueEntry is an entry with its highest score and its language.
type QueueEntry struct {
	*civic.Review
	TopCode  string
	TopScore float64
	Lang     string
}

// QueuePage is one page of the filtered queue.
type QueuePage struct {
	Entries            []QueueEntry
	Total, Page, Pages int
	Langs              []string // languages present in the unfiltered list, for the filter
}

// QueueFiltered lists the queue's entries that pass f, sorted and paged.
func (s *Service) QueueFiltered(ctx context.Context, actor civic.Actor, f QueueFilter) (*QueuePage, error) {
	rs, err := s.Queue(ctx, actor, f.All)
	if err != nil {
		return nil, err
	}
	if f.PerPage <= 0 || f.PerPage > 500 {
		f.PerPage = 50
	}
	var lang func(string) string
	if t := s.tunable(); t != nil {
		lang = t.Language
	}
	seen := map[string]bool{}
	page := &QueuePage{}
	var all []QueueEntry
	for _, r := range rs {
		e := QueueEntry{Review: r}
		for _, c := range DefaultCodes {
			if v := r.Scores[c.Code]; v > e.TopScore {
				e.TopCode, e.TopScore = c.Code, v
			}
		}
		if lang != nil {
			e.Lang = lang(r.Text)
			if !seen[e.Lang] {
				seen[e.Lang] = true
				page.Langs = append(page.Langs, e.Lang)
			}
		}
		switch {
		case f.Code != "" && !slices.Contains(r.Labels, f.Code):
		case f.Account != "" && r.Account != f.Account:
		case f.Lang != "" && e.Lang != f.Lang:
		case f.MinScore > 0 && e.TopScore < f.MinScore:
		default:
			all = append(all, e)
		}
	}
	slices.Sort(page.Langs)
	now := s.now()
	slices.SortStableFunc(all, func(a, b QueueEntry) int {
		if f.Sort == "score" {
			if c := cmp.Compare(b.TopScore, a.TopScore); c != 0 {
				return c
			}
		}
		return cmp.Compare(b.Waiting(now), a.Waiting(now))
	})
	page.Total = len(all)
	page.Pages = max(1, (len(all)+f.PerPage-1)/f.PerPage)
	page.Page = min(max(f.Page, 1), page.Pages)
	lo := (page.Page - 1) * f.PerPage
	page.Entries = all[lo:min(lo+f.PerPage, len(all))]
	return page, nil
}
