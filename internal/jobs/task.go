package jobs

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"steward.city/steward/internal/blob"
	"steward.city/steward/internal/civic"
)

// A task is a long job someone asked for (a records export, a WARC file): it reports
// its progress while it runs and leaves a file, kept in the blob store so
// that any process (the web process may not be the worker) can serve it.
// Everything about a task is in River's own job row: who asked and what in
// its arguments, the progress and the result in its output (metadata),
// started, finished and errors in its columns. No table of Steward's holds
// it, and River deletes the row (so the download ends) a day after it
// finished.

// Owned are the arguments of a task: the user who asked.
type Owned interface {
	Args
	Owner() int64
}

// Progress is what a task reports and what its page shows.
type Progress struct {
	Done  int64  `json:"done"`
	Total int64  `json:"total"`
	Step  string `json:"step,omitempty"` // what it is doing now, in plain words
	// Result is the file, once the task is done.
	Result *File `json:"result,omitempty"`
	// Failed is why its latest attempt failed, in plain words (a
	// message safe to show the person who asked); the state says
	// whether it will be tried again.
	Failed string `json:"failed,omitempty"`
	// Expired says the result was deleted, a day after the task finished
	// (SweepResults).
	Expired bool `json:"expired,omitempty"`
	// Summary is what the task found or did, in a sentence for its page
	// ("14 comments screened again: 2 queued, …"); "" when it has none.
	Summary string `json:"summary,omitempty"`
	// UploadDeleted says the task's upload (Uploaded) was deleted from
	// the blob store: the task ended for good, or a day after it did.
	UploadDeleted bool `json:"upload_deleted,omitempty"`
}

// File is a task's result: a file in the blob store.
type File struct {
	Blob string `json:"blob"` // SHA-256, the blob store's name for it
	Name string `json:"name"` // the file name a download suggests
	Type string `json:"type"` // its media type
	Size int64  `json:"size"`
	// Skip is how many bytes begin the stored file before the result
	// (random bytes that give it a name of its own).
	Skip int64 `json:"skip"`
}

// Task is one task as its page and the API show it.
type Task struct {
	ID       int64           `json:"id"`
	Kind     string          `json:"kind"`
	State    string          `json:"state"` // available, running, retryable, completed, cancelled, discarded, scheduled
	Owner    int64           `json:"owner"`
	Args     json.RawMessage `json:"args"`
	Progress                 // done, total, step, result, failed
	Created  time.Time       `json:"created_at"`
	Started  *time.Time      `json:"started_at,omitempty"`
	Finished *time.Time      `json:"finished_at,omitempty"`
	// Error is the latest attempt's error while the task waits to be tried
	// again, in plain words.
	Error string `json:"error,omitempty"`
	// Retry is when it will be tried again, for a retryable task.
	Retry *time.Time `json:"retry_at,omitempty"`
	// upload is the file the task reads, when it has one (Uploaded).
	upload *File
}

// Ready reports whether the result can be downloaded.
func (t Task) Ready() bool { return t.State == "completed" && t.Result != nil }

// Over reports whether the task has ended without a result: it failed for
// good, was cancelled, or its result was deleted after a day.
func (t Task) Over() bool {
	return t.State == "cancelled" || t.State == "discarded" || (t.State == "completed" && t.Result == nil)
}

// Percent is how far the task is, 0 to 100.
func (t Task) Percent() int {
	if t.Ready() {
		return 100
	}
	if t.Total <= 0 {
		return 0
	}
	return int(min(100, t.Done*100/t.Total))
}

// Left estimates the time left from the pace so far: 0 when it cannot
// tell yet (nothing done, or not running).
func (t Task) Left(now time.Time) time.Duration {
	if t.State != "running" || t.Started == nil || t.Done <= 0 || t.Total <= t.Done {
		return 0
	}
	spent := now.Sub(*t.Started)
	if spent <= 0 {
		return 0
	}
	return time.Duration(float64(spent) * float64(t.Total-t.Done) / float64(t.Done)).Round(time.Second)
}

// Reporter is how a task's work reports its progress. It writes to the job
// row at most once a second (Every), so that a fast loop may call it for
// every item.
type Reporter struct {
	q     *Queue
	ctx   context.Context
	id    int64
	now   func() time.Time
	last  time.Time
	p     Progress
	Every time.Duration
}

// Report records done of total and the step; it never fails the task (a
// progress that could not be written is logged).
func (r *Reporter) Report(done, total int64, step string) {
	changed := step != r.p.Step
	r.p.Done, r.p.Total, r.p.Step = done, total, step
	now := r.now()
	if !changed && now.Sub(r.last) < r.Every && done < total {
		return
	}
	r.last = now
	r.write()
}

// Summarize sets the sentence the task's page shows once it is done.
func (r *Reporter) Summarize(s string) { r.p.Summary = s }

func (r *Reporter) write() {
	if _, err := r.q.insert.JobUpdate(r.ctx, r.id, &river.JobUpdateParams{Output: r.p}); err != nil && r.ctx.Err() == nil {
		r.q.c.Logger.Warn("task progress not recorded", "job", r.id, "err", err)
	}
}

// TaskFunc does a task's work: it writes the result to w, reports its
// progress through p, and returns the result's file name and media type.
type TaskFunc[T Owned] func(ctx context.Context, args T, p *Reporter, w io.Writer) (name, typ string, err error)

// RegisterTask makes fn the worker of the tasks of T's kind; each result is
// put in blobs. An error of a kind that trying again cannot change
// (invalid input, something not found, forbidden, a conflict) fails the
// task for good at once, its message shown to the person who asked; any
// other is tried again like every job's. Call it before Start.
func RegisterTask[T Owned](q *Queue, blobs blob.Store, now func() time.Time, fn TaskFunc[T]) {
	if now == nil {
		now = time.Now
	}
	var zero T
	q.kinds = append(q.kinds, zero.Kind())
	river.AddWorker(q.workers, &taskWorker[T]{work: func(ctx context.Context, j *river.Job[T]) error {
		rep := &Reporter{q: q, ctx: ctx, id: j.ID, now: now, Every: time.Second}
		rep.write() // a retry starts again from nothing
		file, err := runTask(ctx, blobs, j.Args, rep, fn)
		if err != nil {
			rep.p.Failed = plainError(err)
			final := j.Attempt >= j.MaxAttempts
			switch civic.ErrorKind(err) {
			case civic.KindInvalid, civic.KindNotFound, civic.KindForbidden, civic.KindConflict:
				final, err = true, river.JobCancel(err)
			}
			if final {
				deleteUpload(ctx, q, blobs, j.ID, j.Args, &rep.p)
			}
			if err := river.RecordOutput(ctx, rep.p); err != nil {
				return err
			}
			return err
		}
		deleteUpload(ctx, q, blobs, j.ID, j.Args, &rep.p)
		rep.p.Result = file
		rep.p.Done, rep.p.Step = rep.p.Total, ""
		return river.RecordOutput(ctx, rep.p)
	}})
}

// deleteUpload deletes the upload of a task that has ended for good (its
// arguments are Uploaded), and says so in p; an upload that could not be
// deleted is left to the results sweep.
func deleteUpload(ctx context.Context, q *Queue, blobs blob.Store, id int64, args any, p *Progress) {
	up, ok := args.(Uploaded)
	if !ok || blobs == nil {
		return
	}
	if err := blobs.Delete(ctx, up.Upload().Blob); err != nil {
		q.c.Logger.Warn("task upload not deleted", "job", id, "err", err)
		return
	}
	p.UploadDeleted = true
}

// taskWorker is a task's River worker. A task runs at most the queue's
// Timeout, like every job: a longer one would be taken for stuck (after
// RescueAfter) and run twice.
type taskWorker[T Owned] struct {
	river.WorkerDefaults[T]
	work func(context.Context, *river.Job[T]) error
}

func (w *taskWorker[T]) Work(ctx context.Context, j *river.Job[T]) error { return w.work(ctx, j) }

func runTask[T Owned](ctx context.Context, blobs blob.Store, args T, rep *Reporter, fn TaskFunc[T]) (*File, error) {
	if blobs == nil {
		return nil, civic.Errorf(civic.KindUnavailable, "this process has no file store for the result")
	}
	f, err := os.CreateTemp("", "steward-task-*")
	if err != nil {
		return nil, fmt.Errorf("task %s: %w", args.Kind(), err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	// The stored file begins with random bytes, so that its name in the
	// blob store (the SHA-256 of its bytes) is no one else's: the media
	// store is shared with the archive's media, and a file deleted when
	// the task expires must never be a media file someone made identical
	// to a published export.
	salt := make([]byte, saltSize)
	if _, err := rand.Read(salt); err != nil {
		return nil, fmt.Errorf("task %s: %w", args.Kind(), err)
	}
	if _, err := f.Write(salt); err != nil {
		return nil, fmt.Errorf("task %s: %w", args.Kind(), err)
	}
	name, typ, err := fn(ctx, args, rep, f)
	if err != nil {
		return nil, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("task %s: %w", args.Kind(), err)
	}
	hash, size, err := blobs.Put(ctx, "", f)
	if err != nil {
		return nil, fmt.Errorf("task %s: store the result: %w", args.Kind(), err)
	}
	return &File{Blob: hash, Name: name, Type: typ, Size: size - saltSize, Skip: saltSize}, nil
}

// saltSize is how many random bytes begin a task's stored file.
const saltSize = 32

// EnqueueTask queues a task asked for by actor, who must be a user (the
// task and its result are theirs).
func (q *Queue) EnqueueTask(ctx context.Context, actor civic.Actor, args Owned) (int64, error) {
	if !actor.IsUser() || args.Owner() != actor.UserID {
		return 0, civic.Errorf(civic.KindForbidden, "a task is asked for by a signed-in user, for themselves")
	}
	res, err := q.Enqueue(ctx, args, Opts{})
	if err != nil {
		return 0, &civic.Error{Kind: civic.KindUnavailable, Message: "the job queue is unavailable", Err: err}
	}
	return res.ID, nil
}

// Task returns task id of the given kind for actor: the user who asked for
// it, or one who manages jobs, and only while they hold perm. To anyone
// else, and for a job of another kind, it is not found: a guessed number
// tells nothing.
func (q *Queue) Task(ctx context.Context, actor civic.Actor, kind string, perm civic.Permission, id int64) (Task, error) {
	if err := civic.Require(actor, perm); err != nil {
		return Task{}, err
	}
	notFound := civic.Errorf(civic.KindNotFound, "task %d not found", id)
	r, err := q.insert.JobGet(ctx, id)
	if errors.Is(err, river.ErrNotFound) || errors.Is(err, rivertype.ErrNotFound) {
		return Task{}, notFound
	}
	if err != nil {
		return Task{}, &civic.Error{Kind: civic.KindUnavailable, Message: "the job queue is unavailable", Err: err}
	}
	if r.Kind != kind {
		return Task{}, notFound
	}
	t := taskOf(r)
	if !actor.Is(t.Owner) && !actor.Can(civic.PermJobsManage) && !actor.Trusted() {
		return Task{}, notFound
	}
	return t, nil
}

func taskOf(r *rivertype.JobRow) Task {
	t := Task{ID: r.ID, Kind: r.Kind, State: string(r.State), Args: json.RawMessage(r.EncodedArgs), Created: r.CreatedAt.UTC()}
	var owner struct {
		By     int64 `json:"by"`
		Upload *File `json:"upload"`
	}
	if json.Unmarshal(r.EncodedArgs, &owner) == nil {
		t.Owner, t.upload = owner.By, owner.Upload
	}
	var meta struct {
		Output Progress `json:"output"`
	}
	if json.Unmarshal(r.Metadata, &meta) == nil {
		t.Progress = meta.Output
	}
	if r.AttemptedAt != nil {
		s := r.AttemptedAt.UTC()
		t.Started = &s
	}
	if r.FinalizedAt != nil {
		f := r.FinalizedAt.UTC()
		t.Finished = &f
	}
	why := t.Failed
	if why == "" {
		why = "something went wrong on the server"
	}
	switch r.State {
	case rivertype.JobStateRetryable:
		at := r.ScheduledAt.UTC()
		t.Retry = &at
		t.Error = why + "; it will be tried again"
	case rivertype.JobStateDiscarded:
		t.Error = why + "; it failed every time it was tried"
	case rivertype.JobStateCancelled:
		t.Error = t.Failed
		if t.Error == "" {
			t.Error = "it was cancelled"
		}
	case rivertype.JobStateCompleted:
		if t.Expired {
			t.Error = "its file was deleted a day after it was ready; ask for it again"
		}
	}
	return t
}

// plainError is err as the person who asked may read it: the message of
// Steward's own errors, and no detail of any other.
func plainError(err error) string {
	if civic.ErrorKind(err) == civic.KindInternal {
		return "something went wrong on the server"
	}
	return civic.ErrorMessage(err)
}

// Open returns the result of a finished task, as Task allows.
func (q *Queue) Open(ctx context.Context, blobs blob.Store, t Task) (io.ReadCloser, error) {
	if t.Expired {
		return nil, civic.Errorf(civic.KindNotFound, "the file of task %d was deleted a day after it was ready", t.ID)
	}
	if !t.Ready() {
		return nil, civic.Errorf(civic.KindConflict, "task %d has no result yet", t.ID)
	}
	if blobs == nil {
		return nil, civic.Errorf(civic.KindUnavailable, "this process has no file store")
	}
	rc, err := blobs.Open(ctx, t.Result.Blob)
	if errors.Is(err, blob.ErrNotFound) {
		return nil, civic.Errorf(civic.KindNotFound, "the result of task %d is gone", t.ID)
	}
	if err != nil {
		return nil, err
	}
	if _, err := io.CopyN(io.Discard, rc, t.Result.Skip); err != nil {
		rc.Close()
		return nil, fmt.Errorf("task %d: %w", t.ID, err)
	}
	return rc, nil
}

// TaskOf is Task for a task of T's kind, with its arguments decoded, when
// they belong to the object a page or API path names (belongs): a task of
// another object is not found, like a task that does not exist.
func TaskOf[T interface{ Kind() string }](ctx context.Context, q *Queue, actor civic.Actor, perm civic.Permission, id int64, belongs func(T) bool) (T, Task, error) {
	var args T
	t, err := q.Task(ctx, actor, args.Kind(), perm, id)
	if err != nil {
		return args, Task{}, err
	}
	if err := json.Unmarshal(t.Args, &args); err != nil || !belongs(args) {
		var zero T
		return zero, Task{}, civic.Errorf(civic.KindNotFound, "task %d not found", id)
	}
	return args, t, nil
}

// FindTask is TaskOf for the newest task of T's kind whose arguments
// match (the task that executes a given disposition run), among the
// newest 200 of its kind River still keeps: not found when there is none
// or actor may not see it.
func FindTask[T interface{ Kind() string }](ctx context.Context, q *Queue, actor civic.Actor, perm civic.Permission, match func(T) bool) (T, Task, error) {
	var zero T
	if err := civic.Require(actor, perm); err != nil {
		return zero, Task{}, err
	}
	res, err := q.insert.JobList(ctx, river.NewJobListParams().Kinds(zero.Kind()).OrderBy(river.JobListOrderByID, river.SortOrderDesc).First(listLimit))
	if err != nil {
		return zero, Task{}, &civic.Error{Kind: civic.KindUnavailable, Message: "the job queue is unavailable", Err: err}
	}
	for _, r := range res.Jobs {
		var args T
		if json.Unmarshal(r.EncodedArgs, &args) != nil || !match(args) {
			continue
		}
		return TaskOf(ctx, q, actor, perm, r.ID, match)
	}
	return zero, Task{}, civic.Errorf(civic.KindNotFound, "no %s task found", zero.Kind())
}

// Live reports whether a job of T's kind whose arguments match is waiting,
// scheduled, running or to be retried, whoever asked for it: a page can
// tell "being executed" from "stopped" for a reader who may not see the
// task itself.
func Live[T interface{ Kind() string }](ctx context.Context, q *Queue, match func(T) bool) (bool, error) {
	var zero T
	res, err := q.insert.JobList(ctx, river.NewJobListParams().Kinds(zero.Kind()).States(uniqueStates...).OrderBy(river.JobListOrderByID, river.SortOrderDesc).First(listLimit))
	if err != nil {
		return false, &civic.Error{Kind: civic.KindUnavailable, Message: "the job queue is unavailable", Err: err}
	}
	for _, r := range res.Jobs {
		var args T
		if json.Unmarshal(r.EncodedArgs, &args) == nil && match(args) {
			return true, nil
		}
	}
	return false, nil
}
