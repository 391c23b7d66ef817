package server_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/browsertest"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/records"
	"steward.city/steward/internal/storetest"
)

// TestBrowserRecords checks, in Chromium with axe-core, the records
// dashboard with its overdue request, the request form's errors, and the
// index.html of an exported bag, which people open from their own disk.
func TestBrowserRecords(t *testing.T) {
	b := browsertest.New(t)
	app := newApp(t, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite}, nil)
	srv := httptest.NewServer(app.server)
	t.Cleanup(srv.Close)
	tab := &browserTab{Browser: b.Tab(t), t: t, base: srv.URL}
	if got := tab.signIn(demoEmail(civic.RoleClerk)); got != http.StatusOK {
		t.Fatalf("sign in: %d", got)
	}
	tab.check(tab.open("/records"), http.StatusOK)
	if got := tab.Text("main"); !strings.Contains(got, "1 overdue") || !strings.Contains(got, "Hill & Stone LLP") {
		t.Errorf("the dashboard does not show the overdue request first: %q", got)
	}
	// Overdue is a warning, in amber and in words, not a success.
	if got := tab.Text(".warning"); !strings.HasPrefix(got, "Warning: 1 overdue") {
		t.Errorf("the overdue count is not a warning: %q", got)
	}
	tab.screenshot("records.png")
	tab.typeInto("#f-description", "posts about snow")
	tab.check(tab.Submit("form[action='/records'] button"), http.StatusUnprocessableEntity)
	// Every mistake at once: no requester, no scope.
	tab.checkInvalidField("requester")
	tab.checkInvalidField("scope")
	if got := tab.Text("#error-summary-title"); got != "There are 2 problems" {
		t.Errorf("error summary title = %q", got)
	}
	tab.screenshot("records-errors.png")
	if got := tab.Value("#f-description"); got != "posts about snow" {
		t.Errorf("after an error the description holds %q, want it kept", got)
	}

	// The request's page with its forms, and a redaction outside the text.
	tab.check(tab.open("/records/2"), http.StatusOK)
	tab.screenshot("records-request.png")
	if got := tab.Text("main"); !strings.Contains(got, "Suggested") && !strings.Contains(got, "items") {
		t.Errorf("the request page shows no scope: %q", got[:min(len(got), 300)])
	}
	tab.typeInto("#f-version_id", "1")
	tab.typeInto("#f-start", "0")
	tab.typeInto("#f-end", "99999")
	tab.check(tab.Submit("#redact-span button"), http.StatusUnprocessableEntity)
	tab.checkInvalidField("end")
	if got := tab.Text("[role=alert]"); !strings.Contains(got, "outside the text") {
		t.Errorf("error summary = %q, want the span outside the text", got)
	}

	// A suggestion applied with one click, with its statute.
	if n := evalJS[int](tab, `document.querySelectorAll('ul.suggestions li').length`); n != 1 {
		t.Fatalf("%d suggestions, want the telephone number", n)
	}
	tab.check(tab.ClickAndWait("ul.suggestions li button"), http.StatusOK)
	if got := tab.Text("main table"); !strings.Contains(got, "13.356") {
		t.Errorf("the redactions after Apply = %q", got)
	}
	if n := evalJS[int](tab, `document.querySelectorAll('ul.suggestions li').length`); n != 0 {
		t.Errorf("%d suggestions after applying the only one", n)
	}
	tab.screenshot("records-request-applied.png")

	ctx := context.Background()
	signer, vkey, err := archive.LoadOrCreateKey(filepath.Join(t.TempDir(), "k"), "steward.test")
	if err != nil {
		t.Fatal(err)
	}
	arch := archive.New(archive.Config{Store: app.store, Signer: signer, Clock: app.clock.Now})
	if err := arch.PublishVerifier(ctx, vkey); err != nil {
		t.Fatal(err)
	}
	svc := records.New(records.Config{Store: app.store, Archive: arch, Signer: signer, Clock: app.clock.Now})
	var buf bytes.Buffer
	if _, err := svc.Export(ctx, civic.CLI, 2, &buf); err != nil {
		t.Fatal(err)
	}
	if _, err := records.VerifyBag(bytes.NewReader(buf.Bytes()), int64(buf.Len()), records.VerifyOptions{Key: vkey}); err != nil {
		t.Fatalf("the demo bag does not verify: %v", err)
	}
	z, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := z.Open(records.FileIndex)
	if err != nil {
		t.Fatal(err)
	}
	index, _ := io.ReadAll(rc)
	rc.Close()
	files := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(index)
	}))
	t.Cleanup(files.Close)
	view := b.Tab(t)
	if got := view.Navigate(files.URL + "/index.html"); got != http.StatusOK {
		t.Fatalf("index.html: %d", got)
	}
	view.CheckAccessible()
	if got := view.Text("main"); !strings.Contains(got, "edited") || !strings.Contains(got, "splash pad") {
		t.Errorf("index.html does not show the threads with their edits: %q", got[:min(len(got), 300)])
	}
}
