package server_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/browsertest"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/storetest"
)

// TestBrowserArchive checks the archive pages the route walk does not
// reach, in Chromium with axe-core: the public checkpoint page signed out,
// a search, an item with several versions and its diff, and the attorney's
// hold form with an error and then placing and releasing a hold.
func TestBrowserArchive(t *testing.T) {
	b := browsertest.New(t)
	app := newApp(t, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite}, nil)
	ctx := context.Background()
	signer, vkey, err := archive.LoadOrCreateKey(filepath.Join(t.TempDir(), "k"), "steward.test")
	if err != nil {
		t.Fatal(err)
	}
	svc := archive.New(archive.Config{Store: app.store, Signer: signer, Clock: app.clock.Now})
	if err := svc.PublishVerifier(ctx, vkey); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app.server)
	t.Cleanup(srv.Close)
	tab := &browserTab{Browser: b.Tab(t), t: t, base: srv.URL}

	tab.check(tab.open("/archive/checkpoints"), http.StatusOK)
	if body := tab.Text("main"); !strings.Contains(body, vkey) {
		t.Error("the public checkpoint page does not show the verifier key")
	}

	if got := tab.signIn(demoEmail(civic.RoleAttorney)); got != http.StatusOK {
		t.Fatalf("sign in: %d", got)
	}
	tab.check(tab.open(`/archive/items?q=%22splash+pad%22+account%3Amastodon%3A%40parks%40demo-city.example`), http.StatusOK)
	tab.screenshot("archive-search.png")
	if n := evalJS[int](tab, `document.querySelectorAll('main tbody tr a').length`); n < 3 {
		t.Errorf("search found %d versions, want the demo's splash pad thread", n)
	}
	tab.check(tab.open(`/archive/items?q=%22open`), http.StatusUnprocessableEntity)
	tab.checkInvalidField("q")

	hits, err := app.store.SearchArchive(ctx, &civic.ArchiveQuery{Terms: []string{"son slipped"}})
	if err != nil || len(hits) != 1 {
		t.Fatalf("demo edited comment: %d, %v", len(hits), err)
	}
	tab.check(tab.open("/archive/items/"+strconv.FormatInt(hits[0].ItemID, 10)), http.StatusOK)
	if got := tab.Text("main ol li:nth-child(2) ins"); got == "" {
		t.Error("the second version shows no insertion in its diff")
	}

	tab.check(tab.open("/archive/holds"), http.StatusOK)
	tab.typeInto("#f-accounts", "mastodon:@parks@demo-city.example")
	tab.check(tab.ClickAndWait(`form[action="/archive/holds"] button[type=submit]`), http.StatusUnprocessableEntity)
	tab.checkInvalidField("matter")
	tab.typeInto("#f-matter", "Public records request 2026-117")
	tab.typeInto("#f-query", "drinking fountain")
	tab.check(tab.ClickAndWait(`form[action="/archive/holds"] button[type=submit]`), http.StatusOK)
	if !strings.HasPrefix(tab.path(), "/archive/holds/") || !strings.Contains(tab.Text("main"), "Items held") {
		t.Fatalf("after placing a hold the browser is at %s", tab.path())
	}
	tab.check(tab.ClickAndWait(`form[action$="/release"] button[type=submit]`), http.StatusUnprocessableEntity)
	tab.checkInvalidField("reason")
	tab.typeInto("#f-reason", "request answered")
	tab.check(tab.ClickAndWait(`form[action$="/release"] button[type=submit]`), http.StatusOK)
	if !strings.Contains(tab.Text("main"), "request answered") {
		t.Error("the released hold does not show its reason")
	}
}
