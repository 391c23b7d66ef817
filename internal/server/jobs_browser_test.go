package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/browsertest"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/jobs"
	"steward.city/steward/internal/storetest"
)

type brokenJob struct {
	Connection int64 `json:"connection"`
}

func (brokenJob) Kind() string { return "browser_test_capture" }

// failJobs runs two jobs that fail on app's database: one tried twice and
// discarded, one failed once and waiting an hour for its next try. It
// returns their IDs.
func failJobs(t *testing.T, app *testApp) (discarded, waiting int64) {
	t.Helper()
	ctx := context.Background()
	q, err := jobs.New(jobs.Config{Engine: app.store.Engine(), DB: app.store.DB(), Store: app.store, FetchPoll: 20 * time.Millisecond, MaxAttempts: 2, RetryDelay: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	jobs.Register(q, func(_ context.Context, a brokenJob) error {
		return errors.New("mastodon: 503 Service Unavailable for connection " + strconv.FormatInt(a.Connection, 10))
	})
	a, err := q.Enqueue(ctx, brokenJob{Connection: 1}, jobs.Opts{})
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	waitJob(t, app, a.ID, "discarded")
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := q.Stop(sctx); err != nil {
		t.Fatal(err)
	}
	// The second waits an hour after its first failure.
	q2, err := jobs.New(jobs.Config{Engine: app.store.Engine(), DB: app.store.DB(), Store: app.store, FetchPoll: 20 * time.Millisecond, MaxAttempts: 5, RetryDelay: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	jobs.Register(q2, func(_ context.Context, a brokenJob) error { return errors.New("token expired") })
	b, err := q2.Enqueue(ctx, brokenJob{Connection: 2}, jobs.Opts{})
	if err != nil {
		t.Fatal(err)
	}
	if err := q2.Start(ctx); err != nil {
		t.Fatal(err)
	}
	waitJob(t, app, b.ID, "retryable")
	if err := q2.Stop(sctx); err != nil {
		t.Fatal(err)
	}
	return a.ID, b.ID
}

func waitJob(t *testing.T, app *testApp, id int64, state string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	admin := civic.ActorOf(&civic.User{ID: 1, Grants: []civic.Grant{{Role: civic.RoleAdmin}}})
	for {
		j, err := app.svcs.Jobs.Get(context.Background(), admin, id)
		if err != nil {
			t.Fatal(err)
		}
		if j.State == state {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %d is %s, want %s", id, j.State, state)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestBrowserJobs walks the jobs page as an administrator with a job that
// failed for good and one waiting for its next try, in Chromium with
// axe-core: each shows its error; retry queues the failed one again and
// cancel stops the waiting one, each with a notice and an audit event.
func TestBrowserJobs(t *testing.T) {
	b := browsertest.New(t)
	app := newApp(t, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite}, nil)
	discarded, waiting := failJobs(t, app)
	srv := httptest.NewServer(app.server)
	t.Cleanup(srv.Close)
	tab := &browserTab{Browser: b.Tab(t), t: t, base: srv.URL}
	if got := tab.signIn(demoEmail(civic.RoleAdmin)); got != http.StatusOK {
		t.Fatalf("sign in: %d", got)
	}
	tab.check(tab.open("/admin/jobs"), http.StatusOK)
	tab.screenshot("jobs.png")
	main := tab.Text("main")
	for _, want := range []string{"Failed: 1", "Waiting to be tried again: 1", "503 Service Unavailable for connection 1", "token expired", "2 of 2", "1 of 5", "Failed"} {
		if !strings.Contains(main, want) {
			t.Errorf("the jobs page does not show %q:\n%s", want, main)
		}
	}
	tab.check(tab.ClickAndWait(`form[action="/admin/jobs/`+strconv.FormatInt(discarded, 10)+`/retry"] button`), http.StatusOK)
	if !strings.Contains(tab.Text("[role=status]"), "queued to run again") {
		t.Errorf("no notice after retry: %s", tab.Text("main"))
	}
	waitJob(t, app, discarded, "available")
	tab.check(tab.ClickAndWait(`form[action="/admin/jobs/`+strconv.FormatInt(waiting, 10)+`/cancel"] button`), http.StatusOK)
	waitJob(t, app, waiting, "cancelled")
	tab.screenshot("jobs-after.png")
	if !strings.Contains(tab.Text("main"), "No job has failed") {
		t.Errorf("after retry and cancel the page still lists jobs:\n%s", tab.Text("main"))
	}
	evs, err := app.store.AuditEvents(context.Background(), civic.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range evs {
		seen[e.Action+" "+e.ObjectID] = true
	}
	for _, want := range []string{"job.retry job:" + strconv.FormatInt(discarded, 10), "job.cancel job:" + strconv.FormatInt(waiting, 10)} {
		if !seen[want] {
			t.Errorf("no audit event %q", want)
		}
	}
}

// TestJobsAPI lists failed jobs through GET /api/v1/jobs as an
// administrator, refuses an unknown state by name, and refuses the
// retry of a job that does not exist; IT may not list them.
func TestJobsAPI(t *testing.T) {
	app := newApp(t, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite}, nil)
	discarded, _ := failJobs(t, app)
	admin := app.token(demoEmail(civic.RoleAdmin))
	res := app.do(request{method: "GET", path: "/api/v1/jobs", bearer: admin})
	var body struct {
		Items []jobs.Job `json:"items"`
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/v1/jobs: %d %v", res.StatusCode, err)
	}
	found := false
	for _, j := range body.Items {
		if j.ID == discarded && j.State == "discarded" && len(j.Errors) == 2 && strings.Contains(j.Errors[1].Error, "503") {
			found = true
		}
	}
	if !found {
		t.Fatalf("the failed job is not listed with its errors: %+v", body.Items)
	}
	if res := app.do(request{method: "GET", path: "/api/v1/jobs?state=discarded,exploded", bearer: admin}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("unknown state: %d", res.StatusCode)
	}
	if res := app.do(request{method: "POST", path: "/api/v1/jobs/987654/retry", bearer: admin}); res.StatusCode != http.StatusNotFound {
		t.Errorf("retry of no job: %d", res.StatusCode)
	}
	if res := app.do(request{method: "POST", path: "/api/v1/jobs/" + strconv.FormatInt(discarded, 10) + "/cancel", bearer: admin}); res.StatusCode != http.StatusConflict {
		t.Errorf("cancel of a discarded job: %d", res.StatusCode)
	}
	if res := app.do(request{method: "GET", path: "/api/v1/jobs", bearer: app.token(demoEmail(civic.RoleIT))}); res.StatusCode != http.StatusForbidden {
		t.Errorf("IT lists jobs: %d", res.StatusCode)
	}
}
