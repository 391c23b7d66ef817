package archive

import (
	"context"
	"time"

	"steward.city/steward/internal/civic"
)

// ProposeDisposition lists every item whose retention has ended by asOf,
// that no active hold covers and that no run awaiting approval lists
// already, and stores the list as a proposed run.
// Nothing is disposed of until the clerk approves it. The schedule proposes
// as civic.System.
func (s *Service) ProposeDisposition(ctx context.Context, actor civic.Actor, asOf time.Time) (*civic.DispositionRun, error) {
	if err := civic.Require(actor, civic.PermArchiveDispose); err != nil {
		return nil, err
	}
	return s.propose(ctx, actor, asOf, false)
}

// ProposeScheduled proposes a disposition run as Steward itself, the
// periodic job serve schedules; an empty list is not proposed (the run
// returned then has no ID). The run waits for the clerk's approval.
func (s *Service) ProposeScheduled(ctx context.Context) (*civic.DispositionRun, error) {
	return s.propose(ctx, civic.System, time.Time{}, true)
}

func (s *Service) propose(ctx context.Context, actor civic.Actor, asOf time.Time, skipEmpty bool) (*civic.DispositionRun, error) {
	rt, err := s.Retention(ctx)
	if err != nil {
		return nil, err
	}
	if asOf.IsZero() || asOf.After(s.now()) {
		asOf = s.now()
	}
	run := &civic.DispositionRun{AsOf: asOf}
	err = s.store.Update(ctx, actor, func(tx civic.Tx) error {
		slugs, err := departmentSlugs(ctx, tx)
		if err != nil {
			return err
		}
		pending, err := pendingItems(ctx, tx)
		if err != nil {
			return err
		}
		var entries []*civic.DispositionEntry
		if err := tx.WalkArchiveItems(ctx, func(it *civic.ArchiveItem) error {
			if it.Disposed || pending[it.ID] {
				return nil
			}
			c := rt.Classify(it, slugs[it.AccountID])
			at, ok := c.EligibleAt(it)
			if !ok || at.After(asOf) {
				return nil
			}
			entries = append(entries, &civic.DispositionEntry{ItemID: it.ID, Account: it.Account, Kind: it.Kind, PlatformID: it.PlatformID,
				FirstCapture: it.FirstCapture, LastCapture: it.LastCapture, Versions: it.Versions, Class: c.Name, EligibleAt: at})
			return nil
		}); err != nil {
			return err
		}
		ids := make([]int64, len(entries))
		for i, e := range entries {
			ids[i] = e.ItemID
		}
		held, err := tx.HeldItemIDs(ctx, ids)
		if err != nil {
			return err
		}
		kept := entries[:0]
		for _, e := range entries {
			if !held[e.ItemID] {
				kept = append(kept, e)
			}
		}
		if skipEmpty && len(kept) == 0 {
			return nil
		}
		return tx.CreateDispositionRun(ctx, run, kept)
	})
	return run, err
}

// pendingItems returns the items listed by runs still waiting for approval,
// so that a new run does not list them again.
func pendingItems(ctx context.Context, r civic.Reader) (map[int64]bool, error) {
	runs, err := r.DispositionRuns(ctx)
	if err != nil {
		return nil, err
	}
	out := map[int64]bool{}
	for _, run := range runs {
		if run.Status != "proposed" {
			continue
		}
		es, err := r.DispositionEntries(ctx, run.ID)
		if err != nil {
			return nil, err
		}
		for _, e := range es {
			out[e.ItemID] = true
		}
	}
	return out, nil
}

// departmentSlugs maps archive account IDs to their department's slug.
func departmentSlugs(ctx context.Context, r civic.Reader) (map[int64]string, error) {
	ds, err := r.Departments(ctx)
	if err != nil {
		return nil, err
	}
	bySlug := map[int64]string{}
	for _, d := range ds {
		bySlug[d.ID] = d.Slug
	}
	as, err := r.ArchiveAccounts(ctx)
	if err != nil {
		return nil, err
	}
	out := map[int64]string{}
	for _, a := range as {
		out[a.ID] = bySlug[a.DepartmentID]
	}
	return out, nil
}

// ApproveDisposition is the clerk's approval of a proposed run: every item
// on its list that is still not under hold has the content of all its
// versions replaced by a tombstone (the hash, and so the Merkle log, stay),
// and the list records what was disposed of, when, under which class and
// with whose approval.
func (s *Service) ApproveDisposition(ctx context.Context, actor civic.Actor, id int64) (*civic.DispositionRun, error) {
	if err := civic.Require(actor, civic.PermArchiveDispose); err != nil {
		return nil, err
	}
	var run *civic.DispositionRun
	err := s.update(ctx, actor, func(tx civic.Tx) error {
		if _, _, err := tx.ExecuteDispositionRun(ctx, id); err != nil {
			return err
		}
		var err error
		run, err = tx.DispositionRun(ctx, id)
		return err
	})
	return run, err
}
