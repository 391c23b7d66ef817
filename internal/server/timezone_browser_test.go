package server_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/browsertest"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/storetest"
)

// TestBrowserCityTime checks, in Chromium with axe-core, that a token made
// at 6:22 PM on Dec 2 in Chicago (Dec 3, 00:22 UTC) reads so on the tokens
// page, that its copy-it-now message is a warning in amber, not a success
// in green, and that the connect form's address and expiry inputs are as
// wide as the others.
func TestBrowserCityTime(t *testing.T) {
	b := browsertest.New(t)
	app := newApp(t, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite}, nil)
	evening := time.Date(2026, 12, 3, 0, 22, 0, 0, time.UTC)
	app.clock.Advance(evening.Sub(app.clock.Now()))
	srv := httptest.NewServer(app.server)
	t.Cleanup(srv.Close)
	tab := &browserTab{Browser: b.Tab(t), t: t, base: srv.URL}
	if got := tab.signIn(demoEmail(civic.RoleCommunications)); got != http.StatusOK {
		t.Fatalf("sign in: %d", got)
	}
	tab.check(tab.open("/tokens"), http.StatusOK)
	tab.typeInto("#f-name", "newsletter script")
	tab.check(tab.ClickAndWait(`form[action="/tokens"] button[type=submit]`), http.StatusCreated)
	if got := tab.Text("main table"); !strings.Contains(got, "Dec 2, 2026, 6:22 PM CST") || strings.Contains(got, "UTC") {
		t.Errorf("the token's time is not the city's: %q", got)
	}
	type look struct{ Text, Background, Border string }
	warn := evalJS[look](tab, `(() => { const e = document.querySelector('.warning'); if (!e) return {}; const s = getComputedStyle(e);
		return {text: e.innerText, background: s.backgroundColor, border: s.borderLeftColor}; })()`)
	if !strings.Contains(warn.Text, "Warning:") || warn.Background != "rgb(255, 244, 206)" || warn.Border != "rgb(138, 90, 0)" {
		t.Errorf("the new token's message is not an amber warning: %+v", warn)
	}
	tab.screenshot("tokens-city-time.png")

	tab.check(tab.open("/capture"), http.StatusOK)
	widths := evalJS[map[string]float64](tab, `Object.fromEntries(['#f-base_url', '#f-expires_at', '#f-handle'].map(s => [s, document.querySelector(s)?.getBoundingClientRect().width || 0]))`)
	for sel, w := range widths {
		if w < 300 || w < widths["#f-handle"]-1 {
			t.Errorf("%s is %.0f pixels wide; want as wide as the text inputs (%.0f)", sel, w, widths["#f-handle"])
		}
	}
	tab.screenshot("capture-connect.png")
}
