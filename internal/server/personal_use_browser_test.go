package server_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"steward.city/steward/internal/browsertest"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/storetest"
)

// TestBrowserPersonalUse walks, in Chromium with axe-core, a covered
// person's own page with the personal-use rules, declaring a personal
// account (an empty handle first), and the policies page that holds the
// rules.
func TestBrowserPersonalUse(t *testing.T) {
	b := browsertest.New(t)
	app := newApp(t, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite}, nil)
	srv := httptest.NewServer(app.server)
	t.Cleanup(srv.Close)
	tab := &browserTab{Browser: b.Tab(t), t: t, base: srv.URL}
	if got := tab.signIn(demoEmail(civic.RoleStaff)); got != http.StatusOK {
		t.Fatalf("sign in: %d", got)
	}
	tab.check(tab.open("/account"), http.StatusOK)
	if got := tab.Text("main"); !strings.Contains(got, "These are my own opinions and do not represent those of the City.") {
		t.Errorf("the account page lacks the disclaimer: %q", got)
	}
	tab.check(tab.Submit(`form[action="/account/personal-accounts"] button`), http.StatusUnprocessableEntity)
	tab.checkInvalidField("handle")
	tab.typeInto("#f-handle", "@sam.gardens")
	tab.check(tab.Submit(`form[action="/account/personal-accounts"] button`), http.StatusOK)
	if got := tab.Text("main table"); !strings.Contains(got, "@sam.gardens") {
		t.Errorf("the declared account is not listed: %q", got)
	}
	tab.screenshot("personal-use-account.png")
	tab.check(tab.open("/policies"), http.StatusOK)
	if got := tab.Text("main"); !strings.Contains(got, "personal-use rules") {
		t.Errorf("the policies page does not hold the personal-use rules: %q", got)
	}
}
