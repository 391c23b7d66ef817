package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/browsertest"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/storetest"
)

// TestBrowserRecordsExport presses Export on a request's page in Chromium:
// it lands on the export's page, waiting, then (as a worker elsewhere is
// mid-way) a labelled progress bar, then, without reloading, the download
// link once a worker has written the bag; each state passes axe-core, and
// the progress is a polite live region. A failed export says why.
func TestBrowserRecordsExport(t *testing.T) {
	b := browsertest.New(t)
	app, _, _ := exportApp(t, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite})
	srv := httptest.NewServer(app.server)
	t.Cleanup(srv.Close)
	tab := &browserTab{Browser: b.Tab(t), t: t, base: srv.URL}
	if got := tab.signIn(demoEmail(civic.RoleClerk)); got != http.StatusOK {
		t.Fatalf("sign in: %d", got)
	}
	tab.check(tab.open("/records/2"), http.StatusOK)
	tab.check(tab.Submit("form[action='/records/2/export'] button"), http.StatusOK)
	page := tab.path()
	var job int64
	if _, err := fmt.Sscanf(page, "/records/2/exports/%d", &job); err != nil {
		t.Fatalf("after Export the browser is at %s", page)
	}
	if got := tab.Text("#task"); !strings.Contains(got, "Waiting its turn") {
		t.Errorf("queued export: %q", got)
	}
	live := evalJS[string](tab, `document.getElementById('task').getAttribute('aria-live')`)
	if live != "polite" {
		t.Errorf("the progress is not a polite live region: aria-live=%q", live)
	}

	// A worker in another process is a third of the way: the job row says so.
	ctx := context.Background()
	if _, err := app.store.DB().ExecContext(ctx, `UPDATE river_job SET state = 'running', metadata = ? WHERE id = ?`,
		`{"output":{"done":30,"total":90,"step":"reading the archive"}}`, job); err != nil {
		t.Fatal(err)
	}
	tab.check(tab.open(page), http.StatusOK)
	if got := tab.Text("#task"); !strings.Contains(got, "Reading the archive") || !strings.Contains(got, "33% done: 30 of 90 steps") {
		t.Errorf("running export: %q", got)
	}
	tab.screenshot("records-export-running.png")
	if _, err := app.store.DB().ExecContext(ctx, `UPDATE river_job SET state = 'available', metadata = '{}' WHERE id = ?`, job); err != nil {
		t.Fatal(err)
	}

	// The worker writes the bag; the page shows the link by itself.
	if err := app.svcs.StartJobs(ctx); err != nil {
		t.Fatal(err)
	}
	tab.waitTask("Ready", 40*time.Second, app.logs)
	if tab.path() != page {
		t.Errorf("the page moved to %s while refreshing", tab.path())
	}
	tab.check(http.StatusOK, http.StatusOK)
	href := evalJS[string](tab, `document.querySelector('#task a[download]').getAttribute('href')`)
	if href != page+"/bag" {
		t.Errorf("download link %q, want %q", href, page+"/bag")
	}
	tab.screenshot("records-export-ready.png")

	// An export whose scope matches nothing says so.
	res := app.do(request{method: "POST", path: "/api/v1/records/requests", bearer: app.token(demoEmail(civic.RoleClerk)),
		body: `{"requester":"A Resident","received_on":"2026-11-20","description":"nothing","scope":["zzz-no-such-word"]}`})
	var created struct{ ID int64 }
	if err := json.Unmarshal([]byte(readBody(t, res)), &created); err != nil || res.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %v", res.StatusCode, err)
	}
	rid := fmt.Sprint(created.ID)
	tab.check(tab.open("/records/"+rid), http.StatusOK)
	tab.check(tab.Submit(fmt.Sprintf("form[action='/records/%s/export'] button", rid)), http.StatusOK)
	tab.waitTask("failed", 40*time.Second, app.logs)
	tab.check(http.StatusOK, http.StatusOK)
	if got := tab.Text("#task"); !strings.Contains(got, "scope matches nothing") {
		t.Errorf("failed export: %q", got)
	}
}
