package server_test

import (
	"bufio"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/browsertest"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/storetest"
)

// TestBrowserAccountWARC opens an official account's page as the clerk,
// in Chromium with axe-core, finds the archive section's WARC form, and
// asks for the demo month through it: the browser lands on the file's
// progress page, a worker writes it in the background, the page shows the
// download link by itself, and the file downloaded with the browser's
// session is a WARC that starts with its warcinfo record and holds the
// demo's posts. Another user cannot download it. A month written wrongly
// and an account that was never archived are refused before anything is
// queued.
func TestBrowserAccountWARC(t *testing.T) {
	app, _, _ := exportApp(t, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite})
	srv := httptest.NewServer(app.server)
	t.Cleanup(srv.Close)
	as, err := app.store.Accounts(context.Background(), civic.AccountFilter{})
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
	b := browsertest.New(t)
	tab := &browserTab{Browser: b.Tab(t), t: t, base: srv.URL}
	if got := tab.signIn(demoEmail(civic.RoleClerk)); got != http.StatusOK {
		t.Fatalf("sign in: %d", got)
	}
	tab.check(tab.open("/accounts/"+strconv.FormatInt(parks.ID, 10)), http.StatusOK)
	tab.screenshot("account-warc.png")
	action := evalJS[string](tab, `(document.querySelector('form[action$="/warc"]') || {}).getAttribute ? document.querySelector('form[action$="/warc"]').getAttribute('action') : ''`)
	month := tab.Value("#f-month")
	if action == "" || month != "2026-11" || !strings.Contains(tab.Text("main"), "WARC file (ISO 28500)") || !strings.Contains(tab.Text("main"), "Transfer bag (BagIt)") {
		t.Fatalf("the account page has no WARC form for this month: action %q, month %q", action, month)
	}
	tab.check(tab.Submit(`form[action$="/warc"] button`), http.StatusOK)
	page := tab.path()
	if !strings.HasPrefix(page, action+"/") {
		t.Fatalf("after asking for the WARC the browser is at %s", page)
	}
	if got := tab.Text("#task"); !strings.Contains(got, "Waiting its turn") {
		t.Errorf("queued WARC: %q", got)
	}
	if err := app.svcs.StartJobs(context.Background()); err != nil {
		t.Fatal(err)
	}
	tab.waitTask("Ready", 40*time.Second, app.logs)
	tab.check(http.StatusOK, http.StatusOK)
	tab.screenshot("account-warc-ready.png")
	href := evalJS[string](tab, `document.querySelector('#task a[download]').getAttribute('href')`)
	if href != page+"/file" {
		t.Errorf("download link %q, want %q", href, page+"/file")
	}
	cookie := tab.sessionCookie()
	send := func(method, path, cookieValue string) *http.Response {
		t.Helper()
		p, month, _ := strings.Cut(path, "?month=")
		req, _ := http.NewRequest(method, srv.URL+p, strings.NewReader(url.Values{"month": {month}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", srv.URL)
		req.AddCookie(&http.Cookie{Name: cookie.Name, Value: cookieValue})
		res, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { res.Body.Close() })
		return res
	}
	get := func(path string) *http.Response { return send(http.MethodPost, path, cookie.Value) }
	res := send(http.MethodGet, href, cookie.Value)
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/warc" || !strings.Contains(res.Header.Get("Content-Disposition"), ".warc.gz") {
		t.Fatalf("download: %d %v", res.StatusCode, res.Header)
	}
	zr, err := gzip.NewReader(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	all, err := io.ReadAll(zr) // every member, one after the other
	if err != nil {
		t.Fatal(err)
	}
	first, _ := bufio.NewReader(strings.NewReader(string(all))).ReadString('\n')
	if first != "WARC/1.1\r\n" || !strings.Contains(string(all), "WARC-Type: warcinfo") || !strings.Contains(string(all), "splash pad") {
		t.Errorf("the download is not the month's WARC: %q", all[:min(len(all), 400)])
	}
	// The clerk asks for the month as a transfer bag with the withheld
	// records: the page names what is being written.
	tab.check(tab.open("/accounts/"+strconv.FormatInt(parks.ID, 10)), http.StatusOK)
	tab.Click(`input[name="format"][value="transfer"]`)
	tab.Click(`input[name="withheld"]`)
	tab.screenshot("account-transfer-choice.png")
	tab.check(tab.Submit(`form[action$="/warc"] button`), http.StatusOK)
	tab.waitTask("Ready", 40*time.Second, app.logs)
	tab.check(http.StatusOK, http.StatusOK)
	tab.screenshot("account-transfer-ready.png")
	if got := tab.Text("h1"); got != "Transfer bag of November 2026, withheld records included" {
		t.Errorf("the transfer bag's page is titled %q", got)
	}
	if got := tab.Text("#task"); !strings.Contains(got, "-with-withheld-transfer.zip") || !strings.Contains(got, "steward verify") {
		t.Errorf("the transfer bag's page says %q", got)
	}
	// Communications reads the archive but is not the records officer: no
	// withheld choice on the page.
	if code, got := app.page(demoEmail(civic.RoleCommunications), "/accounts/"+strconv.FormatInt(parks.ID, 10)); code != http.StatusOK || strings.Contains(got, `name="withheld"`) {
		t.Error("Communications is offered the withheld records")
	}

	// The attorney may read the archive too, but this file is the clerk's.
	if res := send(http.MethodGet, href, app.session(demoEmail(civic.RoleAttorney))); res.StatusCode != http.StatusNotFound {
		t.Errorf("another user's download: %d", res.StatusCode)
	}
	if res := get(action + "?month=November"); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a month written wrongly: %d", res.StatusCode)
	}
	if res := get("/archive/accounts/99999/warc?month=2026-11"); res.StatusCode != http.StatusUnprocessableEntity || res.Header.Get("Content-Type") == "application/warc" {
		t.Errorf("an account never archived: %d", res.StatusCode)
	}
	// A covert profile's account (the demo's covert profile, captured by
	// mistake): refused before a byte of WARC is sent.
	recs, errs, err := archive.DecodeBatch(strings.NewReader(`{"records":[{"account":"facebook:river.fan.2219","id":"f1","kind":"post","captured_at":"2026-11-10T10:00:00Z","text":"undercover words"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.svcs.Archive.Ingest(context.Background(), civic.CLI, recs, errs); err != nil {
		t.Fatal(err)
	}
	covert, err := app.store.ArchiveAccountByRef(context.Background(), "facebook:river.fan.2219")
	if err != nil {
		t.Fatal(err)
	}
	res = get("/archive/accounts/" + strconv.FormatInt(covert.ID, 10) + "/warc?month=2026-11")
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusUnprocessableEntity || res.Header.Get("Content-Type") == "application/warc" || strings.Contains(string(body), "undercover") ||
		!strings.Contains(string(body), "cannot be exported") || strings.Contains(string(body), "covert") {
		t.Errorf("a covert profile's account: %d %q", res.StatusCode, body)
	}
}

// noRedirect is a client that shows redirects instead of following them.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
