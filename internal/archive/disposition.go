package archive

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"steward.city/steward/internal/civic"
)

// ProposeDisposition lists every item whose retention has ended by asOf,
// that no active hold covers and that no run awaiting approval or being
// executed lists already, and stores the list as a proposed run.
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

// pendingItems returns the items listed by runs waiting for approval or
// being executed, so that a new run does not list them again.
func pendingItems(ctx context.Context, r civic.Reader) (map[int64]bool, error) {
	runs, err := r.DispositionRuns(ctx)
	if err != nil {
		return nil, err
	}
	out := map[int64]bool{}
	for _, run := range runs {
		if run.Status == "executed" {
			continue // its items were disposed of, or were held
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

// DispositionTask executes an approved disposition run in the background
// (the job "archive_disposition"), as the clerk By who approved it (0 when
// the command line or Steward approved it); its file is the disposition
// list as CSV (WriteDispositionList).
type DispositionTask struct {
	Run int64 `json:"run" river:"unique"`
	By  int64 `json:"by"`
}

// Kind names the job.
func (DispositionTask) Kind() string { return "archive_disposition" }

// Owner is the clerk who approved the run.
func (t DispositionTask) Owner() int64 { return t.By }

// FileName is the name of the disposition list's file.
func (t DispositionTask) FileName() string { return fmt.Sprintf("disposition-run-%d.csv", t.Run) }

// DispositionQueue queues the execution of an approved run in the
// approval's own transaction, returning the job's ID: the approval and
// its job commit together or not at all. A run has at most one live
// execution: when one is already waiting, running or to be retried, the
// queue queues nothing and reports its ID with live set.
type DispositionQueue func(ctx context.Context, tx civic.Tx, t DispositionTask) (job int64, live bool, err error)

// QueueDispositions sets how approved runs are executed: the composition
// root queues a task. Without it, ApproveDisposition refuses. Call it
// before the service is used.
func (s *Service) QueueDispositions(q DispositionQueue) { s.queueDisposition = q }

// DispositionBatch is how many entries of a run one transaction executes
// by default (Config.DispositionBatch): short enough that the single
// SQLite writer is never held for long, long enough that a 100,000-item
// run takes 200 transactions.
const DispositionBatch = 500

// ApproveDisposition is the clerk's approval of a proposed run: it
// records who approved it and when (the run becomes approved) and queues
// its execution (DispositionTask) in the same transaction, returning the
// run and the task's job ID. Nothing is disposed of in the request:
// ExecuteDisposition does it, in the background. A run already approved
// is a conflict; without a queue (QueueDispositions) the approval is
// refused as unavailable, so that no approved run is left without its job.
func (s *Service) ApproveDisposition(ctx context.Context, actor civic.Actor, id int64) (*civic.DispositionRun, int64, error) {
	if err := s.canQueueRun(actor); err != nil {
		return nil, 0, err
	}
	var run *civic.DispositionRun
	var job int64
	err := s.update(ctx, actor, func(tx civic.Tx) error {
		var err error
		if run, err = tx.ApproveDispositionRun(ctx, id); err != nil {
			return err
		}
		job, _, err = s.queueDisposition(ctx, tx, runTask(actor, id))
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	return run, job, nil
}

// canQueueRun checks that actor may have a run executed and that this
// process can queue its task.
func (s *Service) canQueueRun(actor civic.Actor) error {
	if err := civic.Require(actor, civic.PermArchiveDispose); err != nil {
		return err
	}
	if s.queueDisposition == nil {
		return civic.Errorf(civic.KindUnavailable, "this process has no job queue to execute the run")
	}
	return nil
}

// runTask is the task that executes run id as actor (0: the command line
// or Steward itself).
func runTask(actor civic.Actor, id int64) DispositionTask {
	t := DispositionTask{Run: id}
	if actor.IsUser() {
		t.By = actor.UserID
	}
	return t
}

// ResumeDisposition queues the execution of an approved run again, when
// its task ended before the run did: an administrator cancelled it, it
// failed for good, or the queue forgot it. The new task goes on from the
// first entry not handled, as the clerk who resumed it, and the resumption
// is in the audit log. A run that is proposed or executed is a conflict,
// and so is one whose execution is still waiting or running (its job's ID
// is in the message): a run is never executed twice at once.
func (s *Service) ResumeDisposition(ctx context.Context, actor civic.Actor, id int64) (*civic.DispositionRun, int64, error) {
	if err := s.canQueueRun(actor); err != nil {
		return nil, 0, err
	}
	var run *civic.DispositionRun
	var job int64
	err := s.update(ctx, actor, func(tx civic.Tx) error {
		var err error
		if run, err = tx.DispositionRun(ctx, id); err != nil {
			return err
		}
		switch run.Status {
		case "proposed":
			return civic.Errorf(civic.KindConflict, "disposition run %d is not approved: approve it first", id)
		case "executed":
			return civic.Errorf(civic.KindConflict, "disposition run %d is already executed", id)
		}
		var live bool
		if job, live, err = s.queueDisposition(ctx, tx, runTask(actor, id)); err != nil {
			return err
		}
		if live {
			return civic.Errorf(civic.KindConflict, "disposition run %d is being executed already (task %d)", id, job)
		}
		return tx.Record(ctx, civic.Change{Action: "archive.disposition_resume", ObjectType: "disposition_run", ObjectID: strconv.FormatInt(id, 10),
			After: map[string]any{"task": job, "handled": run.Disposed + run.Skipped, "items": run.Items}})
	})
	if err != nil {
		return nil, 0, err
	}
	return run, job, nil
}

// ExecuteDisposition executes an approved run, as the actor who approved
// it (the audit log names them), a batch of entries per transaction
// (Config.DispositionBatch): every item on its list that no hold covers
// when its batch comes has the content of all its versions replaced by a
// tombstone (the hash, and so the Merkle log, stay), and the list records
// what was disposed of, when and under which class. progress, when set,
// is told how many entries are handled. It may be run again, or after it
// was cut off: what is handled stays handled, and the run becomes executed
// (its audit event written once) when its last entry is handled. The
// approval is the decision: the approver need not hold archive.dispose
// any more when the task runs, so a run once approved is never left half
// done. A run that is not approved is a conflict.
func (s *Service) ExecuteDisposition(ctx context.Context, actor civic.Actor, id int64, progress func(done, total int64, step string)) (*civic.DispositionRun, error) {
	if progress == nil {
		progress = func(int64, int64, string) {}
	}
	run, err := s.store.DispositionRun(ctx, id)
	if err != nil {
		return nil, err
	}
	if run.Status == "proposed" {
		return nil, civic.Errorf(civic.KindConflict, "disposition run %d is not approved", id)
	}
	var after int64 // the last item handled: each batch starts past it
	for run.Status != "executed" {
		progress(int64(run.Disposed+run.Skipped), int64(run.Items), "disposing of the items past retention")
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := s.update(ctx, actor, func(tx civic.Tx) error {
			run, after, err = tx.ExecuteDispositionBatch(ctx, id, after, s.dispositionBatch)
			return err
		}); err != nil {
			return nil, err
		}
	}
	progress(int64(run.Items), int64(run.Items), "disposing of the items past retention")
	return run, nil
}

// WriteDispositionList writes a run's disposition list as CSV: for each
// item, what it was, its class, when it was disposed of or why it was
// skipped, and the hashes its tombstones keep in the log. It needs
// archive.view.
func (s *Service) WriteDispositionList(ctx context.Context, actor civic.Actor, id int64, w io.Writer) error {
	if err := civic.Require(actor, civic.PermArchiveView); err != nil {
		return err
	}
	es, err := s.store.DispositionEntries(ctx, id)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Write([]string{"item", "account", "kind", "platform id", "class", "eligible at", "disposed at", "skipped", "tombstone hashes"})
	for _, e := range es {
		disposed, hashes := "", ""
		if e.DisposedAt != nil {
			disposed = e.DisposedAt.Format(time.RFC3339)
			vs, err := s.store.ArchiveVersions(ctx, e.ItemID)
			if err != nil {
				return err
			}
			hs := make([]string, 0, len(vs))
			for _, v := range vs {
				if v.DisposedAt != nil {
					hs = append(hs, v.Hash)
				}
			}
			hashes = strings.Join(hs, " ")
		}
		cw.Write([]string{strconv.FormatInt(e.ItemID, 10), e.Account, string(e.Kind), e.PlatformID, e.Class, e.EligibleAt.Format(time.RFC3339), disposed, e.Skipped, hashes})
	}
	cw.Flush()
	return cw.Error()
}
