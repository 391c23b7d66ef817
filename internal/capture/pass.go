package capture

import (
	"context"
	"errors"
	"fmt"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/civic"
)

// Result is what one pass of one connection did.
type Result struct {
	Connection *civic.Connection
	Run        civic.CaptureRun
	Err        error
}

// tally counts what a pass captured.
type tally struct {
	pages, stored, edits, deletions, flags int
}

// Pass runs one capture pass of a connection now, whatever its schedule,
// and records the run. The error is the pass's failure, also in Result.
func (s *Service) Pass(ctx context.Context, id int64) (*Result, error) {
	c, err := s.store.Connection(ctx, id)
	if err != nil {
		return nil, err
	}
	res := &Result{Connection: c}
	start := s.now()
	var t tally
	err = s.pass(ctx, c, &t)
	res.Run = civic.CaptureRun{ConnectionID: c.ID, StartedAt: start, FinishedAt: s.now(), Pages: t.pages, Stored: t.stored, Edits: t.edits, Deletions: t.deletions, Flags: t.flags}
	if ctx.Err() != nil && err != nil {
		return res, err // stopped: nothing to record, the cursor says where to resume
	}
	res.Err = err
	if rerr := s.finish(ctx, c, &res.Run, err); rerr != nil {
		return res, rerr
	}
	return res, err
}

// finish records a run and schedules the next: after a success, one
// interval (plus jitter) later; after a failure, what the platform asked
// (Retry-After) or an exponential back-off. An auth failure, or MaxFailures
// failures in a row, mark the connection broken; auth stops polling until
// a new token is given.
func (s *Service) finish(ctx context.Context, c *civic.Connection, run *civic.CaptureRun, err error) error {
	now := s.now()
	c.LastRun = &now
	m := s.metrics
	m.items.WithLabelValues(c.Ref()).Add(float64(run.Stored))
	if err == nil {
		c.Failures, c.LastError, c.ErrorKind, c.LastSuccess = 0, "", "", &now
		if c.Status == civic.ConnectionBroken {
			c.Status = civic.ConnectionOK
		}
		c.NextRun = now.Add(c.Interval + s.jitter(c.Interval))
		m.success(c.Ref(), now)
	} else {
		kind := civic.PlatformErrorKindOf(err)
		if kind == "" {
			kind = "internal"
		}
		c.Failures++
		c.LastError, c.ErrorKind = err.Error(), string(kind)
		run.Error, run.ErrorKind = c.LastError, c.ErrorKind
		wait := backoff(c.Interval, c.Failures)
		var pe *civic.PlatformError
		if errors.As(err, &pe) && pe.Kind == civic.PlatformRateLimited && pe.RetryAfter > 0 {
			wait = pe.RetryAfter
		}
		c.NextRun = now.Add(wait)
		retry := c.NextRun
		run.RetryAt = &retry
		if kind == civic.PlatformAuth || c.Failures >= MaxFailures {
			c.Status = civic.ConnectionBroken
		}
		m.errors.WithLabelValues(c.Ref(), string(kind)).Inc()
		s.log.Warn("capture failed", "connection", c.ID, "account", c.Ref(), "kind", kind, "failures", c.Failures, "retry_at", c.NextRun, "err", err)
	}
	return s.store.Update(context.WithoutCancel(ctx), civic.System, func(tx civic.Tx) error {
		cur, err := tx.Connection(ctx, c.ID)
		if err != nil {
			return err
		}
		if cur.Status == civic.ConnectionPaused { // paused meanwhile: stays paused
			c.Status = civic.ConnectionPaused
		}
		if err := tx.SetConnectionRun(ctx, c); err != nil {
			return err
		}
		return tx.AddCaptureRun(ctx, run)
	})
}

// backoff is the wait after n failures in a row: the interval doubled each
// time, at most maxBackoff.
func backoff(interval time.Duration, n int) time.Duration {
	d := interval
	if d <= 0 {
		d = civic.DefaultCaptureInterval
	}
	for i := 1; i < n && d < maxBackoff; i++ {
		d *= 2
	}
	return min(d, maxBackoff)
}

// pass captures one connection: pages of posts and threads from the stored
// cursor, then the profile, follows and blocks.
func (s *Service) pass(ctx context.Context, c *civic.Connection, t *tally) error {
	p, ep, err := s.conns.Endpoint(ctx, c)
	if err != nil {
		return err
	}
	acct, err := s.store.Account(ctx, c.AccountID)
	if err != nil {
		return err
	}
	dept := ""
	if d, err := s.store.Department(ctx, acct.DepartmentID); err == nil {
		dept = d.Slug
	}
	w := &writer{s: s, c: c, acct: acct, dept: dept, t: t, ep: ep}
	w.lookup, _ = p.(civic.Lookuper)
	caps := p.Capabilities()
	if caps.Has(civic.CapReadBlocks) {
		w.readBlocks = func(ctx context.Context) ([]civic.RemoteAccount, error) { return p.Blocks(ctx, ep) }
	}
	if caps.Has(civic.CapListPosts) {
		cursor, err := s.store.CaptureCursor(ctx, c.ID, StreamPosts)
		if err != nil {
			return err
		}
		for range s.maxPages {
			page, err := p.Poll(ctx, ep, cursor)
			if err != nil {
				return err
			}
			t.pages++
			if err := w.page(ctx, page); err != nil {
				return err
			}
			// The page is in the archive: only now is the cursor moved.
			if err := s.store.Update(ctx, civic.System, func(tx civic.Tx) error { return tx.SetCaptureCursor(ctx, c.ID, StreamPosts, page.Next) }); err != nil {
				return err
			}
			if cursor = page.Next; cursor == "" {
				break
			}
		}
	}
	if caps.Has(civic.CapReadProfile) {
		prof, err := p.Profile(ctx, ep)
		if err != nil && !errors.Is(err, civic.ErrUnsupported) {
			return err
		}
		if prof != nil {
			if err := w.profile(ctx, prof); err != nil {
				return err
			}
		}
	}
	if caps.Has(civic.CapReadFollows) {
		fs, err := p.Follows(ctx, ep)
		if err != nil && !errors.Is(err, civic.ErrUnsupported) {
			return err
		}
		if err := w.follows(ctx, fs); err != nil {
			return err
		}
	}
	if caps.Has(civic.CapReadBlocks) {
		// Read once a pass: a missing comment may have read it already.
		if err := w.loadBlocks(ctx); err != nil {
			return err
		}
		if err := w.blocks(ctx, w.blockList); err != nil {
			return err
		}
	}
	return nil
}

// Actor is how the audit log names capture's writes to the archive.
const Actor = "system:capture"

// ingest puts records into the archive as Steward's capture loop: the
// batch's audit event names Actor.
func (s *Service) ingest(ctx context.Context, recs []archive.Record) (*archive.Result, error) {
	if len(recs) == 0 {
		return &archive.Result{}, nil
	}
	res, err := s.archive.IngestAs(ctx, Actor, recs)
	if err != nil {
		return nil, err
	}
	if res.Rejected > 0 {
		for _, o := range res.Records {
			if o.Error != nil {
				return res, fmt.Errorf("the archive refused captured item %s: %s (%s)", recs[o.Index].ID, o.Error.Message, o.Error.Field)
			}
		}
	}
	return res, nil
}
