package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/browsertest"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/storetest"
)

// TestBrowserDisposition walks a disposition run through its pages as the
// clerk, in Chromium with axe-core: propose, approve (the page then shows
// the run waiting for its task, nothing disposed of), a worker executes
// it in the background, and the page by itself says it is executed and
// offers the disposition list, whose task page is ready too.
func TestBrowserDisposition(t *testing.T) {
	app, _, _ := exportApp(t, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite})
	ctx := context.Background()
	rt := &archive.Retention{Default: "transitory", Classes: []archive.Class{{Name: "transitory", Title: "Transitory records", Period: "0", Basis: "captured", Source: "test"}},
		Rules: []archive.Rule{{Class: "transitory", Kind: "post"}}}
	if err := app.svcs.Archive.SetRetention(ctx, rt); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app.server)
	t.Cleanup(srv.Close)
	b := browsertest.New(t)
	tab := &browserTab{Browser: b.Tab(t), t: t, base: srv.URL}
	if got := tab.signIn(demoEmail(civic.RoleClerk)); got != http.StatusOK {
		t.Fatalf("sign in: %d", got)
	}
	tab.check(tab.open("/archive/dispositions"), http.StatusOK)
	tab.check(tab.Submit(`form[action="/archive/dispositions"] button`), http.StatusOK)
	page := tab.path()
	m := regexp.MustCompile(`^/archive/dispositions/(\d+)`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("after proposing, the browser is at %s", page)
	}
	page = "/archive/dispositions/" + m[1]
	tab.screenshot("disposition-proposed.png")
	if got := tab.Text("main"); !strings.Contains(got, "Approve and dispose of") {
		t.Fatalf("the proposed run's page offers no approval:\n%s", got)
	}
	tab.check(tab.Submit(`form[action$="/approve"] button`), http.StatusOK)
	if p, _, _ := strings.Cut(tab.path(), "?"); p != page {
		t.Errorf("after approving, the browser is at %s", tab.path())
	}
	if got := tab.Text("#task"); !strings.Contains(got, "0% done") || !strings.Contains(got, "The task's page") {
		t.Errorf("the approved run's page says %q", got)
	}
	if got := tab.Text("main"); !strings.Contains(got, "being executed: approved") || strings.Contains(got, "Approve and dispose") {
		t.Errorf("the approved run's page:\n%s", got)
	}
	tab.screenshot("disposition-approved.png")
	// An administrator cancels the task before it starts: the run's page
	// says it stopped and offers the clerk to resume it.
	taskHref := evalJS[string](tab, `document.querySelector('#task a[href*="/task/"]').getAttribute('href')`)
	job, err := strconv.ParseInt(taskHref[strings.LastIndex(taskHref, "/")+1:], 10, 64)
	if err != nil {
		t.Fatalf("task link %q: %v", taskHref, err)
	}
	if _, err := app.svcs.Jobs.Cancel(ctx, civic.CLI, job); err != nil {
		t.Fatal(err)
	}
	tab.check(tab.open(page), http.StatusOK)
	if got := tab.Text("#task"); !strings.Contains(got, "Stopped.") || !strings.Contains(got, "was cancelled") || !strings.Contains(got, "Resume the disposition") {
		t.Errorf("the stopped run's page says %q", got)
	}
	tab.screenshot("disposition-stopped.png")
	tab.check(tab.Submit(`form[action$="/resume"] button`), http.StatusOK)
	if got := tab.Text("#task"); strings.Contains(got, "Stopped.") || !strings.Contains(got, "The task's page") {
		t.Errorf("the resumed run's page says %q", got)
	}
	if err := app.svcs.StartJobs(ctx); err != nil {
		t.Fatal(err)
	}
	tab.waitTask("Download the disposition list", 40*time.Second, app.logs)
	tab.check(http.StatusOK, http.StatusOK)
	tab.screenshot("disposition-executed.png")
	if got := tab.Text("#task"); !strings.Contains(got, "Executed.") || !strings.Contains(got, "executed: approved") {
		t.Errorf("the executed run's page says %q", got)
	}
	href := evalJS[string](tab, `document.querySelector('#task a[download]').getAttribute('href')`)
	if !regexp.MustCompile(fmt.Sprintf(`^/archive/dispositions/%s/task/\d+/file$`, m[1])).MatchString(href) {
		t.Errorf("download link %q", href)
	}
	tab.check(tab.open(strings.TrimSuffix(href, "/file")), http.StatusOK)
	if got := tab.Text("#task"); !strings.Contains(got, "Ready.") || !strings.Contains(got, "disposed of") {
		t.Errorf("the task page says %q", got)
	}
	tab.screenshot("disposition-task.png")
	// Reloaded, the run's list shows when each item was disposed of.
	tab.check(tab.open(page), http.StatusOK)
	if got := tab.Text("table"); strings.Count(got, "2026") < 2 {
		t.Errorf("the disposition list after the run:\n%s", got)
	}
}
