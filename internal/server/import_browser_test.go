package server_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"steward.city/steward/internal/browsertest"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/storetest"
)

// outboxZip is a Mastodon export of n public notes, zipped as the
// platform's download is.
func outboxZip(t *testing.T, n int) []byte {
	t.Helper()
	var items []string
	for i := range n {
		id := 120000000000000000 + i
		at := time.Date(2026, 2, 1, 8, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute).Format(time.RFC3339)
		items = append(items, fmt.Sprintf(`{"id":"https://demo-city.example/users/parks/statuses/%d/activity","type":"Create","actor":"https://demo-city.example/users/parks","published":%q,
 "to":["https://www.w3.org/ns/activitystreams#Public"],"object":{"id":"https://demo-city.example/users/parks/statuses/%d","type":"Note","published":%q,
 "url":"https://demo-city.example/@parks/%d","attributedTo":"https://demo-city.example/users/parks","content":"<p>Park notice number %d.</p>","attachment":[],"tag":[]}}`, id, at, id, at, id, i))
	}
	outbox := fmt.Sprintf(`{"@context":"https://www.w3.org/ns/activitystreams","id":"outbox.json","type":"OrderedCollection","totalItems":%d,"orderedItems":[%s]}`, n, strings.Join(items, ",\n"))
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("outbox.json")
	if err == nil {
		_, err = io.WriteString(w, outbox)
	}
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestBrowserAccountImport opens an official account's page as the clerk,
// in Chromium with axe-core, finds the archive section's import form with
// the account's export format chosen, and uploads a Mastodon export of
// 10,000 posts through it: the browser lands on the import's progress page,
// a worker imports it in the background, and the page shows by itself what
// it did and the report's link; the posts are in the archive. A truncated
// zip ends with the importer's message on the page. The attorney, who
// reads the archive but does not add to it, is offered no import form.
func TestBrowserAccountImport(t *testing.T) {
	app, _, _ := exportApp(t, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite})
	ctx := context.Background()
	srv := httptest.NewServer(app.server)
	t.Cleanup(srv.Close)
	as, err := app.store.Accounts(ctx, civic.AccountFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var parks *civic.Account
	for _, a := range as {
		if a.Handle == "@parks@demo-city.example" {
			parks = a
		}
	}
	if parks == nil {
		t.Fatal("no demo parks account")
	}
	dir := t.TempDir()
	export := filepath.Join(dir, "parks-archive.zip")
	whole := outboxZip(t, 10000)
	if err := os.WriteFile(export, whole, 0o600); err != nil {
		t.Fatal(err)
	}
	truncated := filepath.Join(dir, "cut-short.zip")
	if err := os.WriteFile(truncated, whole[:len(whole)/3], 0o600); err != nil {
		t.Fatal(err)
	}

	b := browsertest.NewFor(t, 3*time.Minute)
	tab := &browserTab{Browser: b.Tab(t), t: t, base: srv.URL}
	if got := tab.signIn(demoEmail(civic.RoleClerk)); got != http.StatusOK {
		t.Fatalf("sign in: %d", got)
	}
	accountPage := "/accounts/" + strconv.FormatInt(parks.ID, 10)
	upload := func(file string) string {
		t.Helper()
		tab.check(tab.open(accountPage), http.StatusOK)
		if got := tab.Value("#f-platform"); got != "mastodon" {
			t.Fatalf("the import form offers the format %q first, want mastodon", got)
		}
		tab.act("choosing the export", chromedp.SetUploadFiles(chromedp.CSS("#f-file"), []string{file}))
		tab.screenshot("account-import-form.png")
		tab.check(tab.ClickAndWait(`form[action$="/import"] button`), http.StatusOK)
		return tab.path()
	}
	page := upload(export)
	if !strings.HasPrefix(page, "/archive/accounts/") || !strings.Contains(page, "/import/") {
		t.Fatalf("after the upload the browser is at %s", page)
	}
	if got := tab.Text("h1"); got != "Import of parks-archive.zip" {
		t.Errorf("the import's page is titled %q", got)
	}
	if got := tab.Text("#task"); !strings.Contains(got, "Waiting its turn") {
		t.Errorf("queued import: %q", got)
	}
	if err := app.svcs.StartJobs(ctx); err != nil {
		t.Fatal(err)
	}
	// The page follows the import by itself; while it runs it shows how
	// far it is (when this machine is slow enough to see it).
	deadline := time.Now().Add(90 * time.Second)
	sawProgress := false
	for {
		got := tab.Text("#task")
		if strings.Contains(got, "% done") && !sawProgress {
			sawProgress = true
			tab.check(http.StatusOK, http.StatusOK)
			tab.screenshot("account-import-running.png")
		}
		if strings.Contains(got, "Ready") || strings.Contains(got, "failed") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the import page never finished: %q\n%s", got, app.logs)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("progress seen while it ran: %v", sawProgress)
	tab.check(http.StatusOK, http.StatusOK)
	tab.screenshot("account-import-ready.png")
	if got := tab.Text("#task"); !strings.Contains(got, "10,000 items imported, 0 already in the archive, 0 skipped") {
		t.Errorf("the finished import says %q", got)
	}
	href := evalJS[string](tab, `document.querySelector('#task a[download]').getAttribute('href')`)
	if href != page+"/file" {
		t.Errorf("report link %q, want %q", href, page+"/file")
	}
	for _, id := range []string{"120000000000000000", "120000000000009999"} {
		if _, err := app.svcs.Archive.Lookup(ctx, civic.CLI, "mastodon:@parks@demo-city.example", id); err != nil {
			t.Errorf("post %s is not in the archive: %v", id, err)
		}
	}

	// A zip cut short: the page says why, naming the file.
	upload(truncated)
	tab.waitTask("It failed", 40*time.Second, app.logs)
	tab.check(http.StatusOK, http.StatusOK)
	tab.screenshot("account-import-failed.png")
	if got := tab.Text("#task"); !strings.Contains(got, "cut-short.zip is not a readable zip") {
		t.Errorf("the failed import says %q", got)
	}

	// The attorney reads the archive but does not add to it.
	if code, got := app.page(demoEmail(civic.RoleAttorney), accountPage); code != http.StatusOK || strings.Contains(got, `action="/archive/accounts/`) && strings.Contains(got, `/import"`) {
		t.Errorf("the attorney is offered the import form (%d)", code)
	}
	if code, _ := app.page(demoEmail(civic.RoleAttorney), page); code != http.StatusForbidden {
		t.Errorf("the attorney opening the clerk's import: %d, want 403", code)
	}
}
