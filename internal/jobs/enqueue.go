package jobs

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"steward.city/steward/internal/civic"
)

// Opts are how one job is inserted.
type Opts struct {
	// Unique inserts the job only if no job of the same kind and the same
	// arguments is waiting, scheduled, running or waiting to be retried:
	// two processes never run it at once, and asking twice queues it
	// once. A job that finished, failed for good or was cancelled does not
	// count.
	Unique bool
}

// uniqueStates are the states in which a Unique job blocks another.
var uniqueStates = []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRetryable, rivertype.JobStateRunning, rivertype.JobStateScheduled}

func (o Opts) river() *river.InsertOpts {
	if !o.Unique {
		return nil
	}
	return &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: uniqueStates}}
}

// Inserted reports what an insert did: the job's ID, and whether a unique
// job was skipped because one was already queued.
type Inserted struct {
	ID      int64
	Skipped bool
}

// SQLTx is what a store transaction offers for jobs to join it
// (sqlstore's transactions do).
type SQLTx interface {
	SQLTx() *sql.Tx
}

// EnqueueTx inserts a job in the store transaction tx: it exists if and
// only if tx commits.
func (q *Queue) EnqueueTx(ctx context.Context, tx civic.Tx, args Args, o Opts) (Inserted, error) {
	st, ok := tx.(SQLTx)
	if !ok {
		return Inserted{}, fmt.Errorf("jobs: the store's transaction %T cannot hold a job", tx)
	}
	res, err := q.insert.InsertTx(ctx, st.SQLTx(), args, o.river())
	if err != nil {
		return Inserted{}, fmt.Errorf("jobs: insert %s: %w", args.Kind(), err)
	}
	return Inserted{ID: res.Job.ID, Skipped: res.UniqueSkippedAsDuplicate}, nil
}

// Enqueue inserts a job on its own.
func (q *Queue) Enqueue(ctx context.Context, args Args, o Opts) (Inserted, error) {
	res, err := q.insert.Insert(ctx, args, o.river())
	if err != nil {
		return Inserted{}, fmt.Errorf("jobs: insert %s: %w", args.Kind(), err)
	}
	return Inserted{ID: res.Job.ID, Skipped: res.UniqueSkippedAsDuplicate}, nil
}
