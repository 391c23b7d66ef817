package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"steward.city/steward/internal/civic"
)

// Job is one job as the jobs page and GET /api/v1/jobs show it.
type Job struct {
	ID          int64      `json:"id"`
	Kind        string     `json:"kind"`
	State       string     `json:"state"` // running, retryable, discarded, cancelled, available, scheduled, completed
	Args        string     `json:"args"`  // as stored, JSON
	Attempt     int        `json:"attempt"`
	MaxAttempts int        `json:"max_attempts"`
	Errors      []JobError `json:"errors"` // each failed attempt, oldest first
	CreatedAt   time.Time  `json:"created_at"`
	ScheduledAt time.Time  `json:"scheduled_at"` // when it runs (next), for retryable and scheduled jobs
	AttemptedAt *time.Time `json:"attempted_at,omitempty"`
	AttemptedBy []string   `json:"attempted_by"` // the processes that ran it, oldest first (host_pid_start)
	FinalizedAt *time.Time `json:"finalized_at,omitempty"`
}

// JobError is one failed attempt.
type JobError struct {
	Attempt int       `json:"attempt"`
	At      time.Time `json:"at"`
	Error   string    `json:"error"`
}

// Retryable reports whether the retry button applies: the job failed for
// good, was cancelled, or waits for its next attempt.
func (j Job) Retryable() bool {
	return j.State == "discarded" || j.State == "cancelled" || j.State == "retryable"
}

// LastProcess names the process that ran (or runs) the latest attempt, or
// "" before the first.
func (j Job) LastProcess() string {
	if len(j.AttemptedBy) == 0 {
		return ""
	}
	return j.AttemptedBy[len(j.AttemptedBy)-1]
}

// LastError is the error of the latest failed attempt, or "".
func (j Job) LastError() string {
	if len(j.Errors) == 0 {
		return ""
	}
	return j.Errors[len(j.Errors)-1].Error
}

// Cancellable reports whether the cancel button applies.
func (j Job) Cancellable() bool {
	return j.State == "running" || j.State == "retryable" || j.State == "available" || j.State == "scheduled"
}

// Attention lists the states the jobs page shows: jobs that failed for
// good, jobs waiting to be tried again, and jobs running now.
var Attention = []string{"discarded", "retryable", "running"}

// listLimit is how many jobs of each state List returns.
const listLimit = 200

// List returns the jobs in the given states (Attention when none), newest
// first, at most 200 of each state. It needs PermJobsManage.
func (q *Queue) List(ctx context.Context, actor civic.Actor, states ...string) ([]Job, error) {
	if err := civic.Require(actor, civic.PermJobsManage); err != nil {
		return nil, err
	}
	if len(states) == 0 {
		states = Attention
	}
	var out []Job
	for _, s := range states {
		st := rivertype.JobState(s)
		if !validState(st) {
			return nil, civic.Invalid("state", "unknown job state %q", s)
		}
		res, err := q.insert.JobList(ctx, river.NewJobListParams().States(st).OrderBy(river.JobListOrderByID, river.SortOrderDesc).First(listLimit))
		if err != nil {
			return nil, &civic.Error{Kind: civic.KindUnavailable, Message: "the job queue is unavailable", Err: err}
		}
		for _, r := range res.Jobs {
			out = append(out, jobOf(r))
		}
	}
	return out, nil
}

func validState(s rivertype.JobState) bool {
	for _, v := range rivertype.JobStates() {
		if v == s {
			return true
		}
	}
	return false
}

func jobOf(r *rivertype.JobRow) Job {
	j := Job{ID: r.ID, Kind: r.Kind, State: string(r.State), Args: string(r.EncodedArgs), Attempt: r.Attempt, MaxAttempts: r.MaxAttempts,
		CreatedAt: r.CreatedAt.UTC(), ScheduledAt: r.ScheduledAt.UTC(), Errors: []JobError{}, AttemptedBy: append([]string{}, r.AttemptedBy...)}
	if r.AttemptedAt != nil {
		t := r.AttemptedAt.UTC()
		j.AttemptedAt = &t
	}
	if r.FinalizedAt != nil {
		t := r.FinalizedAt.UTC()
		j.FinalizedAt = &t
	}
	for _, e := range r.Errors {
		j.Errors = append(j.Errors, JobError{Attempt: e.Attempt, At: e.At.UTC(), Error: e.Error})
	}
	if !json.Valid(r.EncodedArgs) {
		j.Args = ""
	}
	return j
}

// Get returns one job. It needs PermJobsManage.
func (q *Queue) Get(ctx context.Context, actor civic.Actor, id int64) (Job, error) {
	if err := civic.Require(actor, civic.PermJobsManage); err != nil {
		return Job{}, err
	}
	r, err := q.insert.JobGet(ctx, id)
	if err != nil {
		return Job{}, jobErr(err, id)
	}
	return jobOf(r), nil
}

// Retry makes a failed, cancelled or waiting job run again now (a job
// that had used all its attempts gets one more), and records it in the
// audit log. It needs
// PermJobsManage.
func (q *Queue) Retry(ctx context.Context, actor civic.Actor, id int64) (Job, error) {
	return q.change(ctx, actor, id, "job.retry", func(j Job) error {
		if !j.Retryable() {
			return civic.Errorf(civic.KindConflict, "job %d is %s: only a failed, cancelled or waiting job can be retried", id, j.State)
		}
		return nil
	}, func(ctx context.Context, tx *sql.Tx) (*rivertype.JobRow, error) {
		return q.insert.JobRetryTx(ctx, tx, id)
	})
}

// Cancel stops a job that has not finished: a waiting one never runs, a
// running one is asked to stop. It is recorded in the audit log and needs
// PermJobsManage.
func (q *Queue) Cancel(ctx context.Context, actor civic.Actor, id int64) (Job, error) {
	return q.change(ctx, actor, id, "job.cancel", func(j Job) error {
		if !j.Cancellable() {
			return civic.Errorf(civic.KindConflict, "job %d is %s: only a job that has not finished can be cancelled", id, j.State)
		}
		return nil
	}, func(ctx context.Context, tx *sql.Tx) (*rivertype.JobRow, error) {
		return q.insert.JobCancelTx(ctx, tx, id)
	})
}

func (q *Queue) change(ctx context.Context, actor civic.Actor, id int64, action string, check func(Job) error, do func(context.Context, *sql.Tx) (*rivertype.JobRow, error)) (Job, error) {
	if err := civic.Require(actor, civic.PermJobsManage); err != nil {
		return Job{}, err
	}
	var out Job
	err := q.c.Store.Update(ctx, actor, func(tx civic.Tx) error {
		st, ok := tx.(SQLTx)
		if !ok {
			return errors.New("jobs: the store's transaction cannot hold a job")
		}
		r, err := q.insert.JobGetTx(ctx, st.SQLTx(), id)
		if err != nil {
			return jobErr(err, id)
		}
		before := jobOf(r)
		if err := check(before); err != nil {
			return err
		}
		r, err = do(ctx, st.SQLTx())
		if err != nil {
			return jobErr(err, id)
		}
		out = jobOf(r)
		return tx.Record(ctx, civic.Change{Action: action, ObjectType: "job", ObjectID: "job:" + strconv.FormatInt(id, 10),
			Before: map[string]any{"kind": before.Kind, "state": before.State, "attempt": before.Attempt},
			After:  map[string]any{"kind": out.Kind, "state": out.State}})
	})
	return out, err
}

func jobErr(err error, id int64) error {
	if errors.Is(err, river.ErrNotFound) || errors.Is(err, rivertype.ErrNotFound) {
		return civic.Errorf(civic.KindNotFound, "job %d not found", id)
	}
	return err
}
