package archive_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/storetest"
)

// disposable ingests n transitory comments, the first held of them
// saying "hold me", and moves the clock past their retention.
func (e *env) disposable(n, held int) {
	e.t.Helper()
	day := time.Date(2026, 5, 1, 14, 0, 0, 0, time.UTC)
	parks := "mastodon:@parks@city.example"
	var recs []archive.Record
	for i := range n {
		text := fmt.Sprintf("See you at the pool, %d", i)
		if i < held {
			text = fmt.Sprintf("hold me %d", i)
		}
		r := rec(parks, fmt.Sprintf("c%d", i), text, day.Add(time.Duration(i)*time.Second))
		r.Tags = []string{"transitory"}
		recs = append(recs, r)
		if len(recs) == 500 || i == n-1 {
			e.ingest(recs...)
			recs = recs[:0]
		}
	}
	if _, err := e.svc.Checkpoint(e.ctx); err != nil {
		e.t.Fatal(err)
	}
	e.clock.Advance(2 * 365 * 24 * time.Hour)
}

func (e *env) executeEvents(run int64) int {
	e.t.Helper()
	evs, err := e.store.AuditEvents(e.ctx, civic.AuditFilter{Action: "archive.disposition_execute", ObjectID: fmt.Sprint(run), Limit: 10})
	if err != nil {
		e.t.Fatal(err)
	}
	return len(evs)
}

// TestDispositionInBatches approves a run of 2,000 items and executes it
// a batch at a time, with progress: a hold placed between the approval
// and the execution is respected; the execution is cut off after two
// batches (a killed worker) and run again, then once more; each item is
// disposed of once and the run's audit event is written once.
func TestDispositionInBatches(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, eng)
			svc := archive.New(archive.Config{Store: e.store, Clock: e.clock.Now, DispositionBatch: 150})
			svc.QueueDispositions(e.queue)
			const n, held = 2000, 7
			e.disposable(n, held)
			run, err := svc.ProposeDisposition(e.ctx, civic.CLI, time.Time{})
			if err != nil || run.Items != n {
				t.Fatalf("proposed %+v, %v; want %d items", run, err, n)
			}
			clerk := civic.Actor{Label: "clerk"} // anonymous: no permission
			if _, _, err := svc.ApproveDisposition(e.ctx, clerk, run.ID); civic.ErrorKind(err) != civic.KindForbidden {
				t.Fatalf("approval by someone without archive.dispose: %v, want forbidden", err)
			}
			approved, job, err := svc.ApproveDisposition(e.ctx, civic.CLI, run.ID)
			if err != nil || approved.Status != "approved" || approved.ApprovedBy != "cli" || job != 1 || len(e.queued) != 1 {
				t.Fatalf("approve: %+v, job %d, %v; queued %v", approved, job, err, e.queued)
			}
			if _, _, err := svc.ApproveDisposition(e.ctx, civic.CLI, run.ID); civic.ErrorKind(err) != civic.KindConflict || len(e.queued) != 1 {
				t.Fatalf("approving twice: %v, queued %d; want a conflict and one task", err, len(e.queued))
			}
			if again, err := svc.ProposeDisposition(e.ctx, civic.CLI, time.Time{}); err != nil || again.Items != 0 {
				t.Fatalf("a proposal while the run executes listed %d of its items (%v)", again.Items, err)
			}
			// The hold comes after the approval, before the execution.
			h := &civic.Hold{Matter: "Pool injury", Accounts: []string{"mastodon:@parks@city.example"}, Query: `"hold me"`}
			if err := svc.PlaceHold(e.ctx, civic.CLI, h); err != nil || h.Items != held {
				t.Fatalf("hold covers %d items, %v; want %d", h.Items, err, held)
			}

			// Cut off after two batches.
			ctx, cancel := context.WithCancel(e.ctx)
			var calls int
			_, err = svc.ExecuteDisposition(ctx, civic.CLI, run.ID, func(done, total int64, _ string) {
				if calls++; calls == 3 {
					cancel()
				}
			})
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("cut off: %v", err)
			}
			mid, _ := e.store.DispositionRun(e.ctx, run.ID)
			if mid.Status != "approved" || mid.Disposed+mid.Skipped != 300 || e.executeEvents(run.ID) != 0 {
				t.Fatalf("after two batches: %+v, %d events", mid, e.executeEvents(run.ID))
			}
			if rep := e.verify(); !rep.OK() {
				t.Fatalf("verify while the run executes: %+v", rep.Problems)
			}

			// Run again, as the retried task does.
			var progress [][2]int64
			done, err := svc.ExecuteDisposition(e.ctx, civic.CLI, run.ID, func(done, total int64, _ string) { progress = append(progress, [2]int64{done, total}) })
			if err != nil || done.Status != "executed" || done.Disposed != n-held || done.Skipped != held || done.ApprovedBy != "cli" {
				t.Fatalf("executed: %+v, %v", done, err)
			}
			// 300 done, then 12 more batches of 150 (the last one short), then done.
			if len(progress) < 12 || progress[0] != [2]int64{300, n} || progress[len(progress)-1] != [2]int64{n, n} {
				t.Errorf("progress %v", progress)
			}
			for i := 1; i < len(progress); i++ {
				if progress[i][0] < progress[i-1][0] || progress[i][0]-progress[i-1][0] > 150 {
					t.Errorf("progress went from %d to %d", progress[i-1][0], progress[i][0])
				}
			}
			// And once more: nothing changes.
			if again, err := svc.ExecuteDisposition(e.ctx, civic.CLI, run.ID, nil); err != nil || again.Disposed != n-held {
				t.Fatalf("third run: %+v, %v", again, err)
			}
			if got := e.executeEvents(run.ID); got != 1 {
				t.Errorf("%d archive.disposition_execute events, want 1", got)
			}
			es, err := e.store.DispositionEntries(e.ctx, run.ID)
			if err != nil || len(es) != n {
				t.Fatalf("%d entries, %v", len(es), err)
			}
			skipped := 0
			for _, en := range es {
				vs, _ := e.store.ArchiveVersions(e.ctx, en.ItemID)
				if en.Skipped != "" {
					skipped++
					if en.Skipped != "under legal hold" || en.DisposedAt != nil || vs[0].DisposedAt != nil || !strings.HasPrefix(vs[0].Text, "hold me") {
						t.Errorf("held item %d: %+v, text %q", en.ItemID, en, vs[0].Text)
					}
					continue
				}
				if en.DisposedAt == nil || vs[0].DisposedAt == nil || !vs[0].DisposedAt.Equal(*en.DisposedAt) || vs[0].Text != "" {
					t.Errorf("item %d: entry disposed %v, version disposed %v, text %q", en.ItemID, en.DisposedAt, vs[0].DisposedAt, vs[0].Text)
				}
			}
			if skipped != held {
				t.Errorf("%d skipped, want %d", skipped, held)
			}
			if _, err := e.svc.Checkpoint(e.ctx); err != nil {
				t.Fatal(err)
			}
			if rep := e.verify(); !rep.OK() || rep.Versions != n {
				t.Fatalf("verify after the run: %+v", rep)
			}
			// The list as the task writes it.
			var b strings.Builder
			if err := svc.WriteDispositionList(e.ctx, civic.CLI, run.ID, &b); err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSpace(b.String()), "\n")
			if len(lines) != n+1 || !strings.HasPrefix(lines[0], "item,account,kind,platform id,class") || strings.Count(b.String(), "under legal hold") != held {
				t.Errorf("list: %d lines, header %q", len(lines), lines[0])
			}
			if !strings.Contains(lines[n], ",transitory,") || len(lines[n]) < 64 {
				t.Errorf("last line %q, want its class and tombstone hash", lines[n])
			}
		})
	}
}

// TestApprovalWithoutItsJob: the approval and its job commit together, so
// a queue that fails, or none, leaves the run proposed.
func TestApprovalWithoutItsJob(t *testing.T) {
	e := newEnv(t, storetest.Engines(t)[0])
	e.disposable(3, 0)
	run, err := e.svc.ProposeDisposition(e.ctx, civic.CLI, time.Time{})
	if err != nil || run.Items != 3 {
		t.Fatalf("propose: %+v, %v", run, err)
	}
	none := archive.New(archive.Config{Store: e.store, Clock: e.clock.Now})
	if _, _, err := none.ApproveDisposition(e.ctx, civic.CLI, run.ID); civic.ErrorKind(err) != civic.KindUnavailable {
		t.Errorf("approval without a queue: %v, want unavailable", err)
	}
	failing := archive.New(archive.Config{Store: e.store, Clock: e.clock.Now})
	failing.QueueDispositions(func(context.Context, civic.Tx, archive.DispositionTask) (int64, bool, error) {
		return 0, false, errors.New("the queue is down")
	})
	if _, _, err := failing.ApproveDisposition(e.ctx, civic.CLI, run.ID); err == nil {
		t.Error("approval whose job failed succeeded")
	}
	if got, _ := e.store.DispositionRun(e.ctx, run.ID); got.Status != "proposed" || got.ApprovedAt != nil {
		t.Errorf("run after failed approvals: %+v, want proposed", got)
	}
	if _, err := e.svc.ExecuteDisposition(e.ctx, civic.CLI, run.ID, nil); civic.ErrorKind(err) != civic.KindConflict {
		t.Errorf("executing a proposed run: %v, want a conflict", err)
	}
}

// TestResumeDisposition: a run whose task ended before it did is queued
// again by a clerk, goes on from where it stopped, and the resumption is
// audited; a proposed or executed run, a live task, someone without
// archive.dispose and a failing queue are refused and change nothing.
func TestResumeDisposition(t *testing.T) {
	e := newEnv(t, storetest.Engines(t)[0])
	svc := archive.New(archive.Config{Store: e.store, Clock: e.clock.Now, DispositionBatch: 4})
	live := false
	var queued []archive.DispositionTask
	svc.QueueDispositions(func(_ context.Context, _ civic.Tx, t archive.DispositionTask) (int64, bool, error) {
		if live {
			return 7, true, nil
		}
		queued = append(queued, t)
		return int64(len(queued)), false, nil
	})
	e.disposable(10, 0)
	run, err := svc.ProposeDisposition(e.ctx, civic.CLI, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	clerk := civic.ActorOf(&civic.User{ID: 9, Email: "clerk@city.example", Grants: []civic.Grant{{Role: civic.RoleClerk}}})
	if _, _, err := svc.ResumeDisposition(e.ctx, clerk, run.ID); civic.ErrorKind(err) != civic.KindConflict || !strings.Contains(err.Error(), "not approved") {
		t.Fatalf("resuming a proposed run: %v, want a conflict", err)
	}
	if _, _, err := svc.ApproveDisposition(e.ctx, civic.CLI, run.ID); err != nil {
		t.Fatal(err)
	}
	// The task stops after one batch (cancelled by an administrator).
	ctx, cancel := context.WithCancel(e.ctx)
	_, err = svc.ExecuteDisposition(ctx, civic.CLI, run.ID, func(done, _ int64, _ string) {
		if done > 0 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cut off: %v", err)
	}
	if _, _, err := svc.ResumeDisposition(e.ctx, civic.Actor{Label: "stranger"}, run.ID); civic.ErrorKind(err) != civic.KindForbidden {
		t.Errorf("resume without archive.dispose: %v, want forbidden", err)
	}
	live = true
	if _, _, err := svc.ResumeDisposition(e.ctx, clerk, run.ID); civic.ErrorKind(err) != civic.KindConflict || !strings.Contains(err.Error(), "task 7") {
		t.Errorf("resume while a task is live: %v, want a conflict naming task 7", err)
	}
	live = false
	resumes := func() int {
		evs, err := e.store.AuditEvents(e.ctx, civic.AuditFilter{Action: "archive.disposition_resume", ObjectID: fmt.Sprint(run.ID), Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		return len(evs)
	}
	if n := resumes(); n != 0 {
		t.Fatalf("%d resume events before any resumption", n)
	}
	got, job, err := svc.ResumeDisposition(e.ctx, clerk, run.ID)
	if err != nil || got.Status != "approved" || job != 2 || len(queued) != 2 || queued[1] != (archive.DispositionTask{Run: run.ID, By: 9}) {
		t.Fatalf("resume: %+v, job %d, %v; queued %v", got, job, err, queued)
	}
	if n := resumes(); n != 1 {
		t.Errorf("%d resume events, want 1", n)
	}
	done, err := svc.ExecuteDisposition(e.ctx, clerk, run.ID, nil)
	if err != nil || done.Status != "executed" || done.Disposed != 10 {
		t.Fatalf("resumed execution: %+v, %v", done, err)
	}
	if _, _, err := svc.ResumeDisposition(e.ctx, clerk, run.ID); civic.ErrorKind(err) != civic.KindConflict || !strings.Contains(err.Error(), "already executed") {
		t.Errorf("resuming an executed run: %v, want a conflict", err)
	}
	if len(queued) != 2 || resumes() != 1 {
		t.Errorf("refusals queued %d tasks and wrote %d resume events", len(queued), resumes())
	}
}
