package moderation

import (
	"context"
	"slices"
	"time"

	"steward.city/steward/internal/civic"
)

// Count is one line of a tally.
type Count struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	N     int    `json:"n"`
}

// Transparency is the public report: hides and removals in force or
// reversed, by reason, account and month, and how many were reversed
// after a public inquiry. Those in force are split by what happened on the
// platform, from each decision's carry status: CarriedOut (the platform
// hid or removed the comment), Refused (the platform does not allow it,
// or its call failed) and NotCarriedOut (recorded in Steward only: no
// connection, or not yet attempted). Removals is the four together.
type Transparency struct {
	Removals      int     `json:"removals"`
	CarriedOut    int     `json:"carried_out"`
	Refused       int     `json:"refused"`
	NotCarriedOut int     `json:"not_carried_out"`
	Reversed      int     `json:"reversed"`
	Inquiries     int     `json:"inquiries"`
	Answered      int     `json:"answered"`
	ByReason      []Count `json:"by_reason"`
	ByAccount     []Count `json:"by_account"`
	ByMonth       []Count `json:"by_month"`
}

// Transparency computes the public report; anyone may read it.
func (s *Service) Transparency(ctx context.Context) (*Transparency, error) {
	codes, err := s.Codes(ctx)
	if err != nil {
		return nil, err
	}
	ds, err := s.store.Decisions(ctx, 0)
	if err != nil {
		return nil, err
	}
	t := &Transparency{ByReason: []Count{}, ByAccount: []Count{}, ByMonth: []Count{}}
	reason, account, month := map[string]int{}, map[string]int{}, map[string]int{}
	for _, d := range ds {
		if !d.Removes() || (d.Status != civic.DecisionFinal && d.Status != civic.DecisionReversed) || d.FinalAt == nil {
			continue
		}
		t.Removals++
		switch {
		case d.Status == civic.DecisionReversed:
			t.Reversed++
		case d.CarryStatus == CarryDone:
			t.CarriedOut++
		case d.CarryStatus == CarryUnsupported || d.CarryStatus == CarryFailed:
			t.Refused++
		default:
			t.NotCarriedOut++
		}
		reason[d.Code]++
		account[d.Account]++
		month[d.FinalAt.In(s.loc).Format("2006-01")]++ // the city's month
	}
	for _, c := range codes {
		if n := reason[c.Code]; n > 0 {
			t.ByReason = append(t.ByReason, Count{Key: c.Code, Label: c.Label, N: n})
		}
	}
	for k, n := range account {
		t.ByAccount = append(t.ByAccount, Count{Key: k, Label: k, N: n})
	}
	slices.SortFunc(t.ByAccount, func(a, b Count) int { return compare(a.Key, b.Key) })
	for k, n := range month {
		m, _ := time.Parse("2006-01", k)
		t.ByMonth = append(t.ByMonth, Count{Key: k, Label: m.Format("January 2006"), N: n})
	}
	slices.SortFunc(t.ByMonth, func(a, b Count) int { return compare(b.Key, a.Key) })
	qs, err := s.store.Inquiries(ctx, false)
	if err != nil {
		return nil, err
	}
	for _, q := range qs {
		t.Inquiries++
		if q.AnsweredAt != nil {
			t.Answered++
		}
	}
	return t, nil
}

func compare(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// AccountTimes is how quickly one account's comments are reviewed.
type AccountTimes struct {
	Account  string        `json:"account"`
	Waiting  int           `json:"waiting"`        // entries waiting now
	Oldest   time.Duration `json:"oldest_waiting"` // the longest wait now
	Reviewed int           `json:"reviewed"`       // reviewed in the last 90 days
	Median   time.Duration `json:"median"`         // median time to review
	Longest  time.Duration `json:"longest"`
}

// ReviewTimes returns, by account, the queue now and the time from a
// comment's posting to its first decision over the last 90 days (MOD-1).
func (s *Service) ReviewTimes(ctx context.Context, actor civic.Actor) ([]AccountTimes, int, error) {
	if err := civic.Require(actor, civic.PermModerationView); err != nil {
		return nil, 0, err
	}
	rs, err := s.store.Reviews(ctx, false)
	if err != nil {
		return nil, 0, err
	}
	now := s.now()
	since := now.AddDate(0, 0, -90)
	by := map[string]*AccountTimes{}
	took := map[string][]time.Duration{}
	open := 0
	for _, r := range rs {
		a := by[r.Account]
		if a == nil {
			a = &AccountTimes{Account: r.Account}
			by[r.Account] = a
		}
		switch {
		case r.Status == civic.ReviewOpen:
			open++
			a.Waiting++
			a.Oldest = max(a.Oldest, r.Waiting(now))
		case r.ReviewedAt != nil && r.ReviewedAt.After(since):
			a.Reviewed++
			took[r.Account] = append(took[r.Account], r.Waiting(now))
		}
	}
	var out []AccountTimes
	for k, a := range by {
		if ts := took[k]; len(ts) > 0 {
			slices.Sort(ts)
			a.Median, a.Longest = ts[len(ts)/2], ts[len(ts)-1]
		}
		out = append(out, *a)
	}
	slices.SortFunc(out, func(a, b AccountTimes) int { return compare(a.Account, b.Account) })
	return out, open, nil
}
