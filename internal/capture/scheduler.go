package capture

import (
	"context"

	"steward.city/steward/internal/civic"
)

// Due lists the connections whose next run has come: status ok, or broken
// by repeated failures (retried on back-off); not paused, and not broken
// by an auth failure (those wait for a new token).
func (s *Service) Due(ctx context.Context) ([]*civic.Connection, error) {
	cs, err := s.store.Connections(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var out []*civic.Connection
	for _, c := range cs {
		if c.LastSuccess != nil {
			s.metrics.seed(c.Ref(), *c.LastSuccess)
		}
		if c.Status == civic.ConnectionPaused || (c.Status == civic.ConnectionBroken && c.ErrorKind == string(civic.PlatformAuth)) {
			continue
		}
		if !c.NextRun.After(now) {
			out = append(out, c)
		}
	}
	return out, nil
}

// RunDue runs one pass of every due connection, one after the other, and
// returns what each did.
func (s *Service) RunDue(ctx context.Context) ([]*Result, error) {
	cs, err := s.Due(ctx)
	if err != nil {
		return nil, err
	}
	return s.run(ctx, cs), nil
}

// Once runs one pass of every connection that is not paused (or only of
// the account's, when accountID is set), whatever their schedule: the
// command line's `steward capture --once`.
func (s *Service) Once(ctx context.Context, accountID int64) ([]*Result, error) {
	cs, err := s.store.Connections(ctx)
	if err != nil {
		return nil, err
	}
	var pick []*civic.Connection
	for _, c := range cs {
		if (accountID == 0 || c.AccountID == accountID) && c.Status != civic.ConnectionPaused {
			pick = append(pick, c)
		}
	}
	if accountID != 0 && len(pick) == 0 {
		return nil, civic.Errorf(civic.KindNotFound, "account %d has no connection that is not paused", accountID)
	}
	return s.run(ctx, pick), nil
}

func (s *Service) run(ctx context.Context, cs []*civic.Connection) []*Result {
	var out []*Result
	for _, c := range cs {
		if ctx.Err() != nil {
			break
		}
		res, err := s.Pass(ctx, c.ID)
		if res == nil {
			res = &Result{Connection: c, Err: err}
		}
		out = append(out, res)
	}
	return out
}

// PassJob is one capture pass of one connection as a background job
// ("capture"). It is queued unique by connection, by the schedule and by
// "capture now": while one waits or runs, asking again queues nothing, so
// two processes never capture the same account at once.
type PassJob struct {
	Connection int64 `json:"connection"`
}

// Kind names the job.
func (PassJob) Kind() string { return "capture" }
