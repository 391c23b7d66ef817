package server_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"steward.city/steward/internal/browsertest"
	"steward.city/steward/internal/storetest"
)

// TestBrowserPasswordReset walks, in Chromium with axe-core, the
// forgotten-password pages: the link on the sign-in page, an empty
// address, the answer, the mailed link, a mismatch, the new password, and
// the used link.
func TestBrowserPasswordReset(t *testing.T) {
	b := browsertest.New(t)
	app, mail := newMailApp(t, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite})
	srv := httptest.NewServer(app.server)
	t.Cleanup(srv.Close)
	tab := &browserTab{Browser: b.Tab(t), t: t, base: srv.URL}
	const clerk = "clerk@demo-city.example"

	tab.check(tab.open("/signin"), http.StatusOK)
	tab.check(tab.ClickAndWait(`a[href="/signin/forgot"]`), http.StatusOK)
	tab.check(tab.Submit(`form[action="/signin/forgot"] button`), http.StatusUnprocessableEntity)
	tab.checkInvalidField("email")
	tab.typeInto("#f-email", clerk)
	tab.check(tab.Submit(`form[action="/signin/forgot"] button`), http.StatusOK)
	if got := tab.Text("h1"); got != "Check your e-mail" {
		t.Errorf("after asking: %q", got)
	}
	tab.screenshot("reset-sent.png")
	waitMail(t, mail, 1)
	links := resetLinks(t, mail, clerk)
	if len(links) != 1 {
		t.Fatalf("links: %v", links)
	}
	tab.check(tab.open(links[0]), http.StatusOK)
	tab.typeInto("#f-password", "a long new passphrase")
	tab.typeInto("#f-confirm", "not the same passphrase")
	tab.check(tab.Submit(`form[action="/signin/reset"] button`), http.StatusUnprocessableEntity)
	tab.checkInvalidField("confirm")
	tab.screenshot("reset-mismatch.png")
	tab.typeInto("#f-password", "a long new passphrase")
	tab.typeInto("#f-confirm", "a long new passphrase")
	tab.check(tab.Submit(`form[action="/signin/reset"] button`), http.StatusOK)
	if got := tab.Text(".notice"); !strings.Contains(got, "new password is set") {
		t.Errorf("after the reset: %q at %s", got, tab.path())
	}
	tab.check(tab.open(links[0]), http.StatusGone)
	if got := tab.Text("[role=alert]"); !strings.Contains(got, "already used") {
		t.Errorf("a used link says %q", got)
	}
	tab.screenshot("reset-used.png")
}
