package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/storetest"
)

// TestDispositionTaskAPI approves a disposition run through the API: the
// answer is 202 with the task's URL and nothing is disposed of in the
// request; a worker (another process) executes the run; the task's URL
// then offers the disposition list (CSV), and the run is executed with
// its counts and one audit event. Approving again is 409, someone without
// archive.dispose gets 403, and a reader who is neither the clerk nor a
// jobs manager does not find the task.
func TestDispositionTaskAPI(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			app, _, _, worker := exportApps(t, e)
			ctx := context.Background()
			clerk, attorney, admin := app.token(demoEmail(civic.RoleClerk)), app.token(demoEmail(civic.RoleAttorney)), app.token(demoEmail(civic.RoleAdmin))
			rt := &archive.Retention{Default: "transitory", Classes: []archive.Class{{Name: "transitory", Title: "Transitory records", Period: "0", Basis: "captured", Source: "test"}},
				Rules: []archive.Rule{{Class: "transitory", Kind: "post"}}}
			if err := app.svcs.Archive.SetRetention(ctx, rt); err != nil {
				t.Fatal(err)
			}
			res := app.do(request{method: "POST", path: "/api/v1/archive/dispositions", body: `{}`, bearer: clerk})
			var run civic.DispositionRun
			if err := json.Unmarshal([]byte(readBody(t, res)), &run); err != nil || res.StatusCode != http.StatusCreated || run.Items == 0 {
				t.Fatalf("propose: %d %+v %v", res.StatusCode, run, err)
			}
			approve := fmt.Sprintf("/api/v1/archive/dispositions/%d/approve", run.ID)
			if r := app.do(request{method: "POST", path: approve, bearer: attorney}); r.StatusCode != http.StatusForbidden {
				t.Errorf("the attorney approving: %d, want 403", r.StatusCode)
			}
			res = app.do(request{method: "POST", path: approve, bearer: clerk})
			raw := readBody(t, res)
			var out struct {
				Run  civic.DispositionRun
				Task exportJSON
			}
			if err := json.Unmarshal([]byte(raw), &out); err != nil || res.StatusCode != http.StatusAccepted {
				t.Fatalf("approve: %d %s", res.StatusCode, raw)
			}
			taskURL := res.Header.Get("Location")
			if out.Run.Status != "approved" || out.Run.ApprovedBy != demoEmail(civic.RoleClerk) || out.Run.Disposed != 0 || out.Task.URL != taskURL ||
				taskURL != fmt.Sprintf("/api/v1/archive/dispositions/%d/task/%d", run.ID, out.Task.ID) {
				t.Fatalf("approve answered %s (Location %q)", raw, taskURL)
			}
			if r := app.do(request{method: "POST", path: approve, bearer: clerk}); r.StatusCode != http.StatusConflict {
				t.Errorf("approving twice: %d, want 409", r.StatusCode)
			}
			es, _ := app.store.DispositionEntries(ctx, run.ID)
			for _, en := range es {
				if en.DisposedAt != nil {
					t.Fatalf("item %d disposed of in the approval's request", en.ItemID)
				}
			}
			// The attorney reads the archive but neither approved the run nor
			// manages jobs: the task is not found; the administrator sees it.
			if r := app.do(request{method: "GET", path: taskURL, bearer: attorney}); r.StatusCode != http.StatusNotFound {
				t.Errorf("the attorney reading the clerk's task: %d, want 404", r.StatusCode)
			}
			if r := app.do(request{method: "GET", path: strings.Replace(taskURL, fmt.Sprintf("/%d/task/", run.ID), fmt.Sprintf("/%d/task/", run.ID+1), 1), bearer: clerk}); r.StatusCode != http.StatusNotFound {
				t.Errorf("the task under another run: %d, want 404", r.StatusCode)
			}
			if r := app.do(request{method: "GET", path: taskURL, bearer: admin}); r.StatusCode != http.StatusOK {
				t.Errorf("the administrator reading the task: %d, want 200", r.StatusCode)
			}

			// The attorney may not see the clerk's task, but the run's page
			// says it is being executed, not stopped; once the task is
			// cancelled it says stopped (and offers the attorney no Resume).
			runPage := func() string {
				return readBody(t, app.do(request{method: "GET", path: fmt.Sprintf("/archive/dispositions/%d", run.ID), cookie: app.session(demoEmail(civic.RoleAttorney))}))
			}
			if b := runPage(); !strings.Contains(b, "being executed") || strings.Contains(b, "Stopped") {
				t.Errorf("the attorney's view of a run whose task waits says stopped, or not executing")
			}
			// Resuming while the task waits is refused, naming it; once the
			// administrator cancels it, the clerk resumes the run with a new
			// task, and the one resumption is audited.
			resume := fmt.Sprintf("/api/v1/archive/dispositions/%d/resume", run.ID)
			r := app.do(request{method: "POST", path: resume, bearer: clerk})
			if body := readBody(t, r); r.StatusCode != http.StatusConflict || !strings.Contains(body, fmt.Sprintf("task %d", out.Task.ID)) {
				t.Errorf("resuming a run whose task waits: %d %s, want 409 naming task %d", r.StatusCode, body, out.Task.ID)
			}
			if r := app.do(request{method: "POST", path: fmt.Sprintf("/api/v1/jobs/%d/cancel", out.Task.ID), bearer: admin}); r.StatusCode != http.StatusOK {
				t.Fatalf("cancel the task: %d %s", r.StatusCode, readBody(t, r))
			}
			if b := runPage(); !strings.Contains(b, "Stopped") || strings.Contains(b, "Resume the disposition") {
				t.Errorf("the attorney's view of a run whose task was cancelled: stopped %v, offers Resume %v", strings.Contains(b, "Stopped"), strings.Contains(b, "Resume the disposition"))
			}
			if r := app.do(request{method: "POST", path: resume, bearer: attorney}); r.StatusCode != http.StatusForbidden {
				t.Errorf("the attorney resuming: %d, want 403", r.StatusCode)
			}
			res = app.do(request{method: "POST", path: resume, bearer: clerk})
			raw = readBody(t, res)
			if err := json.Unmarshal([]byte(raw), &out); err != nil || res.StatusCode != http.StatusAccepted || out.Run.Status != "approved" ||
				res.Header.Get("Location") == taskURL || res.Header.Get("Location") != out.Task.URL {
				t.Fatalf("resume: %d %s", res.StatusCode, raw)
			}
			taskURL = out.Task.URL
			if evs, err := app.store.AuditEvents(ctx, civic.AuditFilter{Action: "archive.disposition_resume", ObjectID: fmt.Sprint(run.ID)}); err != nil || len(evs) != 1 || evs[0].Actor != demoEmail(civic.RoleClerk) {
				t.Fatalf("resume events: %d, %v", len(evs), err)
			}

			worker()
			v := app.waitExport(taskURL, clerk, func(v exportJSON) bool { return v.Ready || v.Error != "" })
			if !v.Ready || v.Done != int64(run.Items) || v.Total != int64(run.Items) || !strings.Contains(v.Summary, "disposed of") {
				t.Fatalf("task: %+v", v)
			}
			res = app.do(request{method: "GET", path: v.DownloadURL, bearer: clerk})
			csv := readBody(t, res)
			lines := strings.Split(strings.TrimSpace(csv), "\n")
			if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") || len(lines) != run.Items+1 || !strings.Contains(csv, ",transitory,") {
				t.Fatalf("list: %d %v %d lines\n%s", res.StatusCode, res.Header, len(lines), csv)
			}
			res = app.do(request{method: "GET", path: fmt.Sprintf("/api/v1/archive/dispositions/%d", run.ID), bearer: clerk})
			var got struct {
				Run  civic.DispositionRun
				Task *exportJSON
			}
			if err := json.Unmarshal([]byte(readBody(t, res)), &got); err != nil || got.Run.Status != "executed" || got.Run.Disposed+got.Run.Skipped != run.Items ||
				got.Run.ApprovedBy != demoEmail(civic.RoleClerk) || got.Task == nil || got.Task.DownloadURL != v.DownloadURL {
				t.Fatalf("run after the task: %+v %v", got, err)
			}
			evs, err := app.store.AuditEvents(ctx, civic.AuditFilter{Action: "archive.disposition_execute", ObjectID: fmt.Sprint(run.ID)})
			if err != nil || len(evs) != 1 || evs[0].Actor != demoEmail(civic.RoleClerk) {
				t.Fatalf("execute events: %d, %v", len(evs), err)
			}
		})
	}
}
