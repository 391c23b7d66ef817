package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/jobs"
	"steward.city/steward/internal/sqlstore"
	"steward.city/steward/internal/storetest"
)

type noteArgs struct {
	N int `json:"n"`
}

func (noteArgs) Kind() string { return "test_note" }

type failArgs struct{}

func (failArgs) Kind() string { return "test_fail" }

type captureArgs struct {
	Connection int64 `json:"connection"`
}

func (captureArgs) Kind() string { return "test_capture" }

type scheduleArgs struct{}

func (scheduleArgs) Kind() string { return "test_schedule" }

var now = func() time.Time { return time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC) }

var admin = civic.ActorOf(&civic.User{ID: 1, Email: "admin@example.gov", Grants: []civic.Grant{{Role: civic.RoleAdmin}}})

// open returns a store and a queue on it, for each engine.
func engines(t *testing.T, fn func(t *testing.T, s *sqlstore.Store, open func(c jobs.Config) *jobs.Queue)) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			s := e.Open(t, now)
			open := func(c jobs.Config) *jobs.Queue {
				c.Engine, c.DB, c.Store = s.Engine(), s.DB(), s
				if c.Engine == "postgres" {
					c.URL = storetest.PostgresURL(t, s)
				}
				if c.FetchPoll == 0 {
					c.FetchPoll = 50 * time.Millisecond
				}
				q, err := jobs.New(c)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() {
					ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
					defer cancel()
					q.Stop(ctx)
				})
				return q
			}
			fn(t, s, open)
		})
	}
}

func states(t *testing.T, q *jobs.Queue, kind string, st ...string) []jobs.Job {
	t.Helper()
	if len(st) == 0 {
		st = []string{"available", "scheduled", "running", "retryable", "completed", "discarded", "cancelled", "pending"}
	}
	all, err := q.List(context.Background(), admin, st...)
	if err != nil {
		t.Fatal(err)
	}
	var out []jobs.Job
	for _, j := range all {
		if j.Kind == kind {
			out = append(out, j)
		}
	}
	return out
}

// A job inserted in a store transaction exists if and only if the
// transaction commits.
func TestEnqueueTxFollowsTheTransaction(t *testing.T) {
	engines(t, func(t *testing.T, s *sqlstore.Store, open func(jobs.Config) *jobs.Queue) {
		q := open(jobs.Config{})
		ctx := context.Background()
		boom := errors.New("ingest failed")
		err := s.Update(ctx, civic.System, func(tx civic.Tx) error {
			if err := tx.SetSetting(ctx, "test.mark", "1"); err != nil {
				return err
			}
			if _, err := q.EnqueueTx(ctx, tx, noteArgs{N: 1}, jobs.Opts{}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("update: %v", err)
		}
		if js := states(t, q, "test_note"); len(js) != 0 {
			t.Fatalf("rolled back, yet %d jobs: %+v", len(js), js)
		}
		err = s.Update(ctx, civic.System, func(tx civic.Tx) error {
			_, err := q.EnqueueTx(ctx, tx, noteArgs{N: 2}, jobs.Opts{})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		js := states(t, q, "test_note")
		if len(js) != 1 || strings.ReplaceAll(js[0].Args, " ", "") != `{"n":2}` || js[0].State != "available" {
			t.Fatalf("committed: want one available job with n=2, got %+v", js)
		}
		// A waiting job can be cancelled, and a cancelled one retried.
		c, err := q.Cancel(ctx, admin, js[0].ID)
		if err != nil || c.State != "cancelled" {
			t.Fatalf("cancel: %+v %v", c, err)
		}
		if _, err := q.Cancel(ctx, admin, js[0].ID); civic.ErrorKind(err) != civic.KindConflict {
			t.Fatalf("cancel twice: %v", err)
		}
		r, err := q.Retry(ctx, admin, js[0].ID)
		if err != nil || r.State != "available" {
			t.Fatalf("retry: %+v %v", r, err)
		}
		if _, err := q.List(ctx, admin, "bogus"); civic.ErrorField(err) != "state" {
			t.Fatalf("unknown state: %v", err)
		}
	})
}

// A unique job is queued once while one like it waits or runs, and again
// once it has finished.
func TestUniqueJobIsQueuedOnce(t *testing.T) {
	engines(t, func(t *testing.T, s *sqlstore.Store, open func(jobs.Config) *jobs.Queue) {
		q := open(jobs.Config{})
		ctx := context.Background()
		a, err := q.Enqueue(ctx, captureArgs{Connection: 7}, jobs.Opts{Unique: true})
		if err != nil || a.Skipped {
			t.Fatalf("first: %+v %v", a, err)
		}
		var b jobs.Inserted
		err = s.Update(ctx, civic.System, func(tx civic.Tx) error {
			b, err = q.EnqueueTx(ctx, tx, captureArgs{Connection: 7}, jobs.Opts{Unique: true})
			return err
		})
		if err != nil || !b.Skipped || b.ID != a.ID {
			t.Fatalf("second, same connection: want skipped as job %d, got %+v %v", a.ID, b, err)
		}
		if c, err := q.Enqueue(ctx, captureArgs{Connection: 8}, jobs.Opts{Unique: true}); err != nil || c.Skipped {
			t.Fatalf("another connection: %+v %v", c, err)
		}
		if js := states(t, q, "test_capture"); len(js) != 2 {
			t.Fatalf("want 2 capture jobs, got %+v", js)
		}
		// Once the first has run, the connection can be queued again.
		done := make(chan int64, 4)
		jobs.Register(q, func(ctx context.Context, a captureArgs) error { done <- a.Connection; return nil })
		if err := q.Start(ctx); err != nil {
			t.Fatal(err)
		}
		waitFor(t, done, 2)
		waitState(t, q, "test_capture", "completed", 2)
		if c, err := q.Enqueue(ctx, captureArgs{Connection: 7}, jobs.Opts{Unique: true}); err != nil || c.Skipped {
			t.Fatalf("after the first finished: %+v %v", c, err)
		}
	})
}

// A job that keeps failing is tried MaxAttempts times, then shows as
// discarded with each error; retry runs it again and cancel stops it, each
// recorded in the audit log; only an administrator may do either.
func TestFailingJobIsRetriedThenShown(t *testing.T) {
	engines(t, func(t *testing.T, s *sqlstore.Store, open func(jobs.Config) *jobs.Queue) {
		q := open(jobs.Config{MaxAttempts: 2, RetryDelay: time.Millisecond})
		ctx := context.Background()
		var tries atomic.Int32
		jobs.Register(q, func(ctx context.Context, _ failArgs) error {
			return fmt.Errorf("platform refused: try %d", tries.Add(1))
		})
		ins, err := q.Enqueue(ctx, failArgs{}, jobs.Opts{})
		if err != nil {
			t.Fatal(err)
		}
		if err := q.Start(ctx); err != nil {
			t.Fatal(err)
		}
		js := waitState(t, q, "test_fail", "discarded", 1)
		j := js[0]
		if j.ID != ins.ID || j.Attempt != 2 || len(j.Errors) != 2 || !strings.Contains(j.Errors[1].Error, "try 2") || tries.Load() != 2 {
			t.Fatalf("want two failed attempts, got tries=%d %+v", tries.Load(), j)
		}
		// The jobs page's default list holds it.
		att, err := q.List(ctx, admin)
		if err != nil || len(att) != 1 || att[0].ID != j.ID {
			t.Fatalf("attention list: %+v %v", att, err)
		}
		staff := civic.ActorOf(&civic.User{ID: 2, Email: "staff@example.gov", Grants: []civic.Grant{{Role: civic.RoleIT}}})
		if _, err := q.List(ctx, staff); civic.ErrorKind(err) != civic.KindForbidden {
			t.Fatalf("IT lists jobs: %v", err)
		}
		if _, err := q.Retry(ctx, staff, j.ID); civic.ErrorKind(err) != civic.KindForbidden {
			t.Fatalf("IT retries: %v", err)
		}
		if _, err := q.Retry(ctx, admin, 999999); civic.ErrorKind(err) != civic.KindNotFound {
			t.Fatalf("retry of no job: %v", err)
		}
		if _, err := q.Cancel(ctx, admin, j.ID); civic.ErrorKind(err) != civic.KindConflict {
			t.Fatalf("cancel a discarded job: %v", err)
		}
		if _, err := q.Retry(ctx, admin, j.ID); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(20 * time.Second)
		for tries.Load() < 3 && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		// A retried job that had used its attempts gets one more.
		if tries.Load() != 3 {
			t.Fatalf("after retry: want 3 tries, got %d", tries.Load())
		}
		waitState(t, q, "test_fail", "discarded", 1)
		evs, err := s.AuditEvents(ctx, civic.AuditFilter{})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, e := range evs {
			if e.Action == "job.retry" && e.ObjectID == fmt.Sprintf("job:%d", j.ID) {
				found = true
			}
		}
		if !found {
			t.Fatalf("no job.retry audit event")
		}
	})
}

func waitFor(t *testing.T, ch chan int64, n int) {
	t.Helper()
	for range n {
		select {
		case <-ch:
		case <-time.After(20 * time.Second):
			t.Fatalf("timed out waiting for %d jobs", n)
		}
	}
}

func waitState(t *testing.T, q *jobs.Queue, kind, state string, n int) []jobs.Job {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		js := states(t, q, kind, state)
		if len(js) >= n {
			return js
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out: want %d %s jobs in state %s, have %+v", n, kind, state, states(t, q, kind))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Two processes' queues on one PostgreSQL database share the periodic
// work: the schedule runs once per period (the leader inserts it), its
// capture jobs are spread over both, and no connection is ever captured
// by two at once.
func TestTwoProcessesShareWork(t *testing.T) {
	var mu sync.Mutex
	running := map[int64]int{}
	captured := map[int64]int{}
	var overlap atomic.Int32
	var schedules atomic.Int32
	worked := map[string]int{}
	s := storetest.OpenPostgres(t, now)
	url := storetest.PostgresURL(t, s)
	ctx := context.Background()
	var qs []*jobs.Queue
	for i := range 2 {
		name := fmt.Sprintf("process-%d", i)
		q, err := jobs.New(jobs.Config{Engine: "postgres", DB: s.DB(), URL: url, Store: s, FetchPoll: 50 * time.Millisecond, ID: name})
		if err != nil {
			t.Fatal(err)
		}
		jobs.Register(q, func(ctx context.Context, _ scheduleArgs) error {
			schedules.Add(1)
			for c := int64(1); c <= 20; c++ {
				if _, err := q.Enqueue(ctx, captureArgs{Connection: c}, jobs.Opts{Unique: true}); err != nil {
					return err
				}
			}
			return nil
		})
		jobs.Register(q, func(ctx context.Context, a captureArgs) error {
			mu.Lock()
			running[a.Connection]++
			if running[a.Connection] > 1 {
				overlap.Add(1)
			}
			worked[name]++
			mu.Unlock()
			time.Sleep(30 * time.Millisecond)
			mu.Lock()
			running[a.Connection]--
			captured[a.Connection]++
			mu.Unlock()
			return nil
		})
		q.Periodic("schedule", time.Second, true, func() jobs.Args { return scheduleArgs{} })
		qs = append(qs, q)
	}
	for _, q := range qs {
		if err := q.Start(ctx); err != nil {
			t.Fatal(err)
		}
	}
	// Wait for the work, not for a fixed time: on a loaded machine the
	// first periodic run can come late.
	start := time.Now()
	for deadline := start.Add(60 * time.Second); ; {
		mu.Lock()
		done := len(captured) == 20
		mu.Unlock()
		if done && schedules.Load() >= 3 {
			break
		}
		if time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, q := range qs {
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		if err := q.Stop(sctx); err != nil {
			t.Error(err)
		}
		cancel()
	}
	mu.Lock()
	defer mu.Unlock()
	if overlap.Load() != 0 {
		t.Fatalf("a connection was captured by two workers at once %d times", overlap.Load())
	}
	if len(captured) != 20 {
		all, _ := qs[0].List(ctx, admin, "available", "scheduled", "running", "retryable", "completed", "discarded")
		t.Fatalf("want all 20 connections captured, got %d; schedules %d; jobs %+v", len(captured), schedules.Load(), all)
	}
	// The schedule ran about once a second: one leader inserted it, not
	// both (two would run it about twice a second).
	elapsed := time.Since(start)
	if n, most := schedules.Load(), int32(elapsed.Seconds())+2; n < 3 || n > most {
		t.Fatalf("schedule ran %d times in %s at a 1 s period (want 3 to %d)", n, elapsed.Round(time.Millisecond), most)
	}
	if len(worked) != 2 {
		t.Logf("only one process worked captures: %v", worked)
	}
	t.Logf("schedules=%d captures by process=%v", schedules.Load(), worked)
}
