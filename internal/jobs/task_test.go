package jobs_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/blob/disk"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/jobs"
	"steward.city/steward/internal/sqlstore"
)

type reportArgs struct {
	By   int64  `json:"by"`
	Fail string `json:"fail,omitempty"` // "invalid", "internal"
}

func (reportArgs) Kind() string   { return "test_report" }
func (a reportArgs) Owner() int64 { return a.By }

func clerkUser(id int64) civic.Actor {
	return civic.ActorOf(&civic.User{ID: id, Email: fmt.Sprintf("clerk%d@example.gov", id), Grants: []civic.Grant{{Role: civic.RoleClerk}}})
}

func waitTask(t *testing.T, q *jobs.Queue, who civic.Actor, id int64, ok func(jobs.Task) bool) jobs.Task {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		tk, err := q.Task(context.Background(), who, "test_report", civic.PermRecordsManage, id)
		if err != nil {
			t.Fatal(err)
		}
		if ok(tk) {
			return tk
		}
		if time.Now().After(deadline) {
			t.Fatalf("task %d: %+v", id, tk)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A task's progress is visible to the user who asked while it runs, from
// the job row (so from any process); its result is kept in the blob store
// and opens byte for byte; nobody else, and no other kind of job, is
// found under its number; a refusal fails it once, in plain words, and an
// internal error is retried without its detail shown.
func TestTaskProgressAndResult(t *testing.T) {
	engines(t, func(t *testing.T, s *sqlstore.Store, open func(c jobs.Config) *jobs.Queue) {
		ctx := context.Background()
		blobs, err := disk.Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		q := open(jobs.Config{MaxAttempts: 3, RetryDelay: time.Hour})
		release := make(chan struct{})
		clock := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
		jobs.RegisterTask(q, blobs, func() time.Time { clock = clock.Add(2 * time.Second); return clock },
			func(ctx context.Context, a reportArgs, p *jobs.Reporter, w io.Writer) (string, string, error) {
				switch a.Fail {
				case "invalid":
					return "", "", civic.Invalid("scope", "the request's scope matches nothing in the archive")
				case "internal":
					return "", "", errors.New("pq: relation \"secret_table\" does not exist")
				}
				p.Report(3, 10, "counting")
				select {
				case <-release:
				case <-ctx.Done():
					return "", "", ctx.Err()
				}
				p.Report(10, 10, "counting")
				_, err := io.WriteString(w, "the result\n")
				return "result.txt", "text/plain", err
			})
		owner, other := clerkUser(7), clerkUser(8)
		if _, err := q.EnqueueTask(ctx, owner, reportArgs{By: 8}); civic.ErrorKind(err) != civic.KindForbidden {
			t.Errorf("a task queued for someone else: %v", err)
		}
		id, err := q.EnqueueTask(ctx, owner, reportArgs{By: 7})
		if err != nil {
			t.Fatal(err)
		}
		note, err := q.Enqueue(ctx, noteArgs{N: 1}, jobs.Opts{})
		if err != nil {
			t.Fatal(err)
		}
		if err := q.Start(ctx); err != nil {
			t.Fatal(err)
		}
		tk := waitTask(t, q, owner, id, func(tk jobs.Task) bool { return tk.Done == 3 })
		if tk.State != "running" || tk.Total != 10 || tk.Step != "counting" || tk.Percent() != 30 || tk.Ready() || tk.Started == nil {
			t.Errorf("while running: %+v", tk)
		}
		for name, who := range map[string]civic.Actor{"another clerk": other} {
			if _, err := q.Task(ctx, who, "test_report", civic.PermRecordsManage, id); civic.ErrorKind(err) != civic.KindNotFound {
				t.Errorf("%s sees the task: %v", name, err)
			}
		}
		// An administrator who may also export records sees it.
		adminClerk := civic.ActorOf(&civic.User{ID: 9, Email: "both@example.gov", Grants: []civic.Grant{{Role: civic.RoleAdmin}, {Role: civic.RoleClerk}}})
		if got, err := q.Task(ctx, adminClerk, "test_report", civic.PermRecordsManage, id); err != nil || got.Done != 3 {
			t.Errorf("an administrator with the permission: %+v %v", got, err)
		}
		// An administrator manages jobs but may not export records.
		if _, err := q.Task(ctx, admin, "test_report", civic.PermRecordsManage, id); civic.ErrorKind(err) != civic.KindForbidden {
			t.Errorf("an administrator without the permission sees the task: %v", err)
		}
		// A job of another kind under a task's route, and a number no job has.
		for _, n := range []int64{note.ID, 999999} {
			if _, err := q.Task(ctx, owner, "test_report", civic.PermRecordsManage, n); civic.ErrorKind(err) != civic.KindNotFound {
				t.Errorf("job %d as a task: %v", n, err)
			}
		}
		if _, err := q.Open(ctx, blobs, tk); civic.ErrorKind(err) != civic.KindConflict {
			t.Errorf("open before it is ready: %v", err)
		}
		close(release)
		tk = waitTask(t, q, owner, id, func(tk jobs.Task) bool { return tk.State == "completed" })
		if !tk.Ready() || tk.Result.Name != "result.txt" || tk.Result.Size != 11 || tk.Percent() != 100 || tk.Finished == nil {
			t.Fatalf("finished: %+v %+v", tk, tk.Result)
		}
		rc, err := q.Open(ctx, blobs, tk)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(rc)
		rc.Close()
		if string(got) != "the result\n" {
			t.Errorf("result = %q", got)
		}

		// A refusal fails the task for good after one attempt.
		bad, err := q.EnqueueTask(ctx, owner, reportArgs{By: 7, Fail: "invalid"})
		if err != nil {
			t.Fatal(err)
		}
		tk = waitTask(t, q, owner, bad, func(tk jobs.Task) bool { return tk.Over() })
		if tk.State != "cancelled" || !strings.Contains(tk.Error, "matches nothing") || tk.Ready() {
			t.Errorf("refused: %+v", tk)
		}
		// An internal error waits to be tried again, its detail kept from
		// the page.
		broken, err := q.EnqueueTask(ctx, owner, reportArgs{By: 7, Fail: "internal"})
		if err != nil {
			t.Fatal(err)
		}
		tk = waitTask(t, q, owner, broken, func(tk jobs.Task) bool { return tk.State == "retryable" })
		if strings.Contains(tk.Error, "secret_table") || !strings.Contains(tk.Error, "tried again") || tk.Retry == nil {
			t.Errorf("internal failure: %+v", tk)
		}
	})
}

// A day after a task finished its file is deleted and the task says so,
// and a newer task's is kept. Two tasks with the same result store two
// files (each begins with random bytes), neither named by the SHA-256 of
// the result itself, which a media file could share.
func TestSweepResults(t *testing.T) {
	engines(t, func(t *testing.T, s *sqlstore.Store, open func(c jobs.Config) *jobs.Queue) {
		ctx := context.Background()
		blobs, err := disk.Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		q := open(jobs.Config{})
		jobs.RegisterTask(q, blobs, nil, func(ctx context.Context, a reportArgs, p *jobs.Reporter, w io.Writer) (string, string, error) {
			_, err := io.WriteString(w, "the same bytes\n")
			return "result.txt", "text/plain", err
		})
		owner := clerkUser(7)
		if err := q.Start(ctx); err != nil {
			t.Fatal(err)
		}
		var done []jobs.Task
		for range 2 {
			id, err := q.EnqueueTask(ctx, owner, reportArgs{By: 7})
			if err != nil {
				t.Fatal(err)
			}
			done = append(done, waitTask(t, q, owner, id, func(tk jobs.Task) bool { return tk.State == "completed" }))
			time.Sleep(10 * time.Millisecond)
		}
		first, second := done[0], done[1]
		plain := sha256.Sum256([]byte("the same bytes\n"))
		if first.Result.Blob == second.Result.Blob || first.Result.Blob == hex.EncodeToString(plain[:]) || first.Result.Size != 15 || !second.Finished.After(*first.Finished) {
			t.Fatalf("two tasks' files: %+v %+v", first.Result, second.Result)
		}
		// The first's day is over, not the second's.
		n, err := q.SweepResults(ctx, blobs, second.Finished.Add(jobs.ResultsKept), "test_report")
		if err != nil || n != 1 {
			t.Fatalf("sweep: %d %v", n, err)
		}
		if has, _ := blobs.Has(ctx, first.Result.Blob); has {
			t.Error("the file of a task past its day was kept")
		}
		if has, _ := blobs.Has(ctx, second.Result.Blob); !has {
			t.Fatal("the file of a task still in its day was deleted")
		}
		tk := waitTask(t, q, owner, first.ID, func(jobs.Task) bool { return true })
		if tk.Ready() || !tk.Expired || !strings.Contains(tk.Error, "deleted") {
			t.Errorf("the expired task: %+v", tk)
		}
		if tk := waitTask(t, q, owner, second.ID, func(jobs.Task) bool { return true }); !tk.Ready() {
			t.Errorf("the task in its day: %+v", tk)
		}
		// Then the second's day is over.
		n, err = q.SweepResults(ctx, blobs, second.Finished.Add(jobs.ResultsKept+time.Second), "test_report")
		if err != nil || n != 1 {
			t.Fatalf("second sweep: %d %v", n, err)
		}
		if has, _ := blobs.Has(ctx, second.Result.Blob); has {
			t.Error("the file outlived its task's day")
		}
		if _, err := q.Open(ctx, blobs, waitTask(t, q, owner, second.ID, func(jobs.Task) bool { return true })); civic.ErrorKind(err) != civic.KindNotFound || !strings.Contains(err.Error(), "deleted") {
			t.Errorf("open an expired task: %v", err)
		}
	})
}
