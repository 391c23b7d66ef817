package server_test

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/browsertest"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/storetest"
)

// TestBrowserPublicIntegrity walks the portal's integrity pages in
// Chromium with axe-core: a post's page with its fingerprints and the
// opened inclusion proof, a withheld record's, the checkpoint history and
// its consistency form, the published dispositions, empty and after a
// run, and the public reports. Set $STEWARD_SCREENSHOTS to keep the pictures.
func TestBrowserPublicIntegrity(t *testing.T) {
	b := browsertest.New(t)
	app := newApp(t, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite}, nil, noLimit)
	s := seedPortal(t, app)
	signPortal(t, app)
	srv := httptest.NewServer(app.server)
	t.Cleanup(srv.Close)
	tab := &browserTab{Browser: b.Tab(t), t: t, base: srv.URL}

	tab.check(tab.open("/public/items/"+strconv.FormatInt(s.post, 10)), http.StatusOK)
	if got := tab.Text("main"); !strings.Contains(got, "Integrity check") || !strings.Contains(got, "Yes, leaf") {
		t.Errorf("item page:\n%s", got)
	}
	tab.Click("details.proof summary")
	tab.check(http.StatusOK, http.StatusOK)
	if got := tab.Text("details.proof"); !strings.Contains(got, "Tree size") || !strings.Contains(got, "key id") {
		t.Errorf("opened proof:\n%s", got)
	}
	tab.screenshot("public-item-proof.png")
	tab.check(tab.open("/public/items/"+strconv.FormatInt(s.withheld[0], 10)), http.StatusOK)
	tab.screenshot("public-withheld-proof.png")

	tab.check(tab.ClickAndWait(`header a[href="/public/checkpoints"]`), http.StatusOK)
	if got := tab.Text("main"); !strings.Contains(got, "2 signed checkpoints") {
		t.Errorf("checkpoints:\n%s", got)
	}
	tab.screenshot("public-checkpoints.png")
	tab.typeInto("#from", "24")
	if st := tab.Submit(`form[action="/public/checkpoints/consistency"] button`); st != http.StatusOK {
		t.Errorf("consistency form: %d", st)
	}

	tab.check(tab.open("/public/dispositions"), http.StatusOK)
	rt := &archive.Retention{Default: "transitory", Classes: []archive.Class{{Name: "transitory", Title: "Transitory records", Period: "0", Basis: "captured", Source: "test"}},
		Rules: []archive.Rule{{Class: "transitory", Kind: "post"}}}
	if err := app.svcs.Archive.SetRetention(t.Context(), rt); err != nil {
		t.Fatal(err)
	}
	run, err := app.svcs.Archive.ProposeDisposition(t.Context(), civic.CLI, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := app.svcs.Archive.ApproveDisposition(t.Context(), civic.CLI, run.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := app.svcs.Archive.ExecuteDisposition(t.Context(), civic.CLI, run.ID, nil); err != nil {
		t.Fatal(err)
	}
	// A new address: the browser keeps the empty list for a minute.
	tab.check(tab.open("/public/dispositions?after=run"), http.StatusOK)
	if got := tab.Text("main"); !strings.Contains(got, "Demo City Public Works") {
		t.Errorf("dispositions:\n%s", got)
	}
	tab.screenshot("public-dispositions.png")

	tab.check(tab.ClickAndWait(`header a[href="/public/reports"]`), http.StatusOK)
	if got := tab.Text("main"); !strings.Contains(got, "Blocks on official accounts") || !strings.Contains(got, "Capture health") {
		t.Errorf("reports:\n%s", got)
	}
	tab.screenshot("public-reports.png")
}
