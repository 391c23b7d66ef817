package server_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"steward.city/steward/internal/browsertest"
	"steward.city/steward/internal/storetest"
)

// TestBrowserRoles signs in as each demo role and finishes that role's
// main work from the dashboard alone: after signing in it only follows
// links the dashboard's work list and the navigation show, and fills in
// the forms it reaches. Every page passes axe-core.
func TestBrowserRoles(t *testing.T) {
	b := browsertest.New(t)
	app := newApp(t, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite}, nil)
	srv := httptest.NewServer(app.server)
	t.Cleanup(srv.Close)
	open := func(t *testing.T, who string) *browserTab {
		tab := &browserTab{Browser: b.Tab(t), t: t, base: srv.URL}
		tab.check(tab.signIn(who+"@demo-city.example"), http.StatusOK)
		if tab.path() != "/" {
			t.Fatalf("signing in as %s led to %s, not the dashboard", who, tab.path())
		}
		tab.screenshot("dashboard-" + who + ".png")
		return tab
	}

	t.Run("director approves the waiting account request", func(t *testing.T) {
		tab := open(t, "director")
		tab.check(tab.follow("table.work", "Account request"), http.StatusOK)
		tab.typeInto("#f-comment", "Public Works needs it for street notices")
		tab.check(tab.Submit(`form[action$="/decision"] button[type=submit]`), http.StatusOK)
		if got := tab.Text("main"); !strings.Contains(got, "Public Works needs it for street notices") {
			t.Errorf("the decision is not on the request's page: %q", got)
		}
		tab.check(tab.follow("nav", "Dashboard"), http.StatusOK)
		if got := tab.Text("main"); !strings.Contains(got, "Nothing needs you right now.") {
			t.Errorf("after approving, the director's work list: %q", got)
		}
	})

	t.Run("Communications decides a queued comment and the form is made", func(t *testing.T) {
		tab := open(t, "communications")
		tab.check(tab.follow("table.work", "comments wait for review"), http.StatusOK)
		tab.check(tab.follow("main table", ":"), http.StatusOK)
		tab.SetValue("#f-action", "remove")
		tab.SetValue("#f-code", "spam")
		tab.typeInto("#f-note", "Advertising, not about city business.")
		tab.check(tab.Submit(`form[action^="/moderation/reviews/"] button[type=submit]`), http.StatusOK)
		tab.check(tab.follow("nav", "Moderation"), http.StatusOK)
		tab.check(tab.follow("main", "Tracking forms"), http.StatusOK)
		tab.screenshot("forms-communications.png")
		if got := tab.Text("main"); !strings.Contains(got, "spam") {
			t.Errorf("no tracking form for the removal: %q", got)
		}
	})

	t.Run("the clerk redacts a selection in the overdue request and exports", func(t *testing.T) {
		tab := open(t, "clerk")
		tab.check(tab.follow("table.work tr.overdue", "Open"), http.StatusOK)
		if got := tab.Text("main"); !strings.Contains(got, "K. Berg") {
			t.Errorf("the overdue request's page is %q", got)
		}
		tab.check(tab.follow("main", "comment"), http.StatusOK)
		tab.screenshot("records-item-clerk.png")
		ok := evalJS[bool](tab, `(() => {
			const el = document.querySelector('.redact-version .version-text');
			if (!el || !el.firstChild) return false;
			const node = el.firstChild;
			const m = /\p{L}{4,}/u.exec(node.textContent);
			if (!m) return false;
			const r = document.createRange();
			r.setStart(node, m.index); r.setEnd(node, m.index + m[0].length);
			const sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(r);
			return true;
		})()`)
		if !ok {
			t.Fatalf("no word to select on %s: %q", tab.path(), tab.Text("main"))
		}
		tab.check(tab.ClickAndWait(".redact-version button.redact-selection"), http.StatusOK)
		if got := tab.Text(".notice"); !strings.Contains(got, "Redacted") {
			t.Errorf("notice after redacting the selection = %q", got)
		}
		tab.check(tab.follow("main", "Records request"), http.StatusOK)
		// The button is there; the export, in the background, is tested
		// in TestBrowserRecordsExport.
		if got := tab.Text(`main form[action$="/export"] button`); got != "Export the bag" {
			t.Errorf("the request's page offers no export: %q", tab.Text("main"))
		}
	})

	t.Run("the attorney places a hold", func(t *testing.T) {
		tab := open(t, "attorney")
		tab.check(tab.follow("nav", "Archive"), http.StatusOK)
		tab.check(tab.follow("main", "holds"), http.StatusOK)
		tab.typeInto("#f-matter", "Berg v. City")
		tab.typeInto("#f-query", "pothole")
		tab.check(tab.Submit(`form[action="/archive/holds"] button[type=submit]`), http.StatusOK)
		if got := tab.Text("main"); !strings.Contains(got, "Berg v. City") {
			t.Errorf("the hold is not listed: %q", got)
		}
	})

	t.Run("HR opens its case and adds a note", func(t *testing.T) {
		tab := open(t, "hr")
		tab.check(tab.follow("table.work", "Open conduct case"), http.StatusOK)
		tab.SetValue("#f-kind", "decision")
		tab.typeInto("#f-text", "Interview scheduled with the officer's union representative.")
		tab.check(tab.Submit(`form[action$="/entries"] button[type=submit]`), http.StatusOK)
		tab.screenshot("case-hr.png")
		if got := tab.Text("main"); !strings.Contains(got, "Interview scheduled") {
			t.Errorf("the note is not in the case: %q", got)
		}
	})

	t.Run("IT sees the broken connection and gives a new token", func(t *testing.T) {
		tab := open(t, "it")
		tab.check(tab.follow("table.work", "is broken"), http.StatusOK)
		if got := tab.Text("main"); !strings.Contains(got, "401") {
			t.Errorf("the connection's page does not say what broke: %q", got)
		}
		tab.typeInto("#f-access_token", "new-token-from-the-platform")
		tab.check(tab.Submit(`form[action$="/token"] button[type=submit]`), http.StatusOK)
	})

	t.Run("the SIC commander records the covert audit", func(t *testing.T) {
		tab := open(t, "sic")
		tab.check(tab.follow("nav", "Covert"), http.StatusOK)
		tab.check(tab.follow("main table", ""), http.StatusOK)
		tab.typeInto("#f-note", "Reviewed with the investigating detective.")
		tab.check(tab.Submit(`form[action$="/audit"] button[type=submit]`), http.StatusOK)
		tab.screenshot("covert-profile-sic.png")
		if got := tab.Text("main"); !strings.Contains(got, "Reviewed with the investigating detective.") && !strings.Contains(got, "audit") {
			t.Errorf("the audit is not shown: %q", got)
		}
	})

	t.Run("staff sees its grants", func(t *testing.T) {
		tab := open(t, "staff")
		tab.check(tab.follow("nav", "Your account"), http.StatusOK)
		tab.screenshot("account-staff.png")
		if got := tab.Text("main"); !strings.Contains(got, "Staff") {
			t.Errorf("staff's own page does not show its roles: %q", got)
		}
	})

	t.Run("a resident files an inquiry from the transparency page", func(t *testing.T) {
		tab := &browserTab{Browser: b.Tab(t), t: t, base: srv.URL}
		tab.check(tab.open("/transparency"), http.StatusOK)
		tab.check(tab.follow("main", "ask about a removed comment"), http.StatusOK)
		tab.typeInto("#f-screen_name", "@neighbor@social.example")
		tab.typeInto("#f-name", "A. Neighbor")
		tab.typeInto("#f-contact", "neighbor@example.org")
		tab.typeInto("#f-question", "Why was my comment about the park hidden?")
		tab.check(tab.Submit("form[action='/inquiry'] button"), http.StatusOK)
		tab.screenshot("inquiry-received.png")
		if got := tab.Text("main"); !strings.Contains(got, "INQ-") {
			t.Errorf("the confirmation has no reference number: %q", got)
		}
	})
}

// follow clicks the first link inside scope whose visible text contains
// text, in any case, as a person would, and returns the status of the page it leads
// to. It fails the test, listing the links there are, when there is none.
func (b *browserTab) follow(scope, text string) int {
	b.t.Helper()
	s, _ := json.Marshal(scope + " a[href]")
	w, _ := json.Marshal(text)
	found := evalJS[bool](b, `((s, w) => {
		document.querySelectorAll('[data-follow]').forEach(e => e.removeAttribute('data-follow'));
		const a = [...document.querySelectorAll(s)].find(a => a.textContent.toLowerCase().includes(w.toLowerCase()));
		if (!a) return false;
		a.setAttribute('data-follow', '');
		return true;
	})(`+string(s)+`, `+string(w)+`)`)
	if !found {
		links := evalJS[[]string](b, `[...document.querySelectorAll(`+string(s)+`)].map(a => a.textContent.trim() + ' → ' + a.getAttribute('href'))`)
		b.t.Fatalf("%s: no link %q in %s; there are %q", b.path(), text, scope, links)
	}
	return b.ClickAndWait("[data-follow]")
}
