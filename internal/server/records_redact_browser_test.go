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

// TestBrowserRedactSelection walks, in Chromium with axe-core, a clerk
// redacting on a records request's item page: selecting words and pressing
// Redact selection, typing words that are not in the text (an error naming
// the field), typing words that are, and applying a suggested redaction
// with one click on the request's page.
func TestBrowserRedactSelection(t *testing.T) {
	b := browsertest.New(t)
	app := newApp(t, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite}, nil)
	srv := httptest.NewServer(app.server)
	t.Cleanup(srv.Close)
	tab := &browserTab{Browser: b.Tab(t), t: t, base: srv.URL}
	if got := tab.signIn(demoEmail(civic.RoleClerk)); got != http.StatusOK {
		t.Fatalf("sign in: %d", got)
	}
	tab.check(tab.open("/records/2"), http.StatusOK)
	item := tab.linkedIDOn("/records/2", "/records/2/items")
	if item == "" {
		t.Fatal("the request page links to no item in scope")
	}
	page := "/records/2/items/" + item
	tab.check(tab.open(page), http.StatusOK)
	tab.screenshot("records-item.png")

	// Select the word "splash" in the first version's stored text, as a
	// person dragging the mouse would, and press Redact selection.
	stored := tab.Text(".redact-version .version-text")
	if !strings.Contains(stored, "splash") {
		t.Fatalf("the first version's text %q has no 'splash'", stored)
	}
	evalJS[bool](tab, `(() => {
		const el = document.querySelector('.redact-version .version-text');
		const node = el.firstChild;
		const at = node.textContent.indexOf('splash');
		const r = document.createRange();
		r.setStart(node, at); r.setEnd(node, at + 'splash'.length);
		const sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(r);
		return true;
	})()`)
	tab.check(tab.ClickAndWait(".redact-version button.redact-selection"), http.StatusOK)
	if got := tab.Text(".notice"); !strings.Contains(got, "Redacted") {
		t.Errorf("notice after redacting the selection = %q", got)
	}
	if got := tab.Text(".redact-version .preview"); strings.Count(got, "[REDACTED 13.356]") != 1 || strings.Contains(got, "splash") && strings.Count(stored, "splash") == 1 {
		t.Errorf("preview after redacting 'splash' = %q (stored %q)", got, stored)
	}

	// Words that are not in the text: an error on the words field, kept.
	tab.typeInto(".redact-version input[name=words]", "SPLASH PADDLE")
	tab.check(tab.Submit(".redact-version button[type=submit]"), http.StatusUnprocessableEntity)
	tab.checkInvalidField("words")
	if got := tab.Value("#f-words"); got != "SPLASH PADDLE" {
		t.Errorf("after an error the words field holds %q, want it kept", got)
	}
	tab.screenshot("records-item-error.png")

	// Words that are: redacted without the script's help.
	word := strings.Fields(stored)[0]
	tab.typeInto(".redact-version input[name=words]", word)
	tab.check(tab.Submit(".redact-version button[type=submit]"), http.StatusOK)
	if got := tab.Text(".redact-version .preview"); strings.HasPrefix(got, word) {
		t.Errorf("preview after redacting %q = %q", word, got)
	}
	tab.screenshot("records-item-redacted.png")

	// A suggestion applied with one click on the request's page.
	tab.check(tab.open("/records/2"), http.StatusOK)
	before := evalJS[int](tab, `document.querySelectorAll('ul.suggestions li').length`)
	if before == 0 {
		t.Fatal("the request page suggests nothing to redact")
	}
	tab.check(tab.ClickAndWait("ul.suggestions li button"), http.StatusOK)
	if got := tab.Text("main table"); !strings.Contains(got, "13.356") {
		t.Errorf("the redactions after Apply = %q", got)
	}
	if after := evalJS[int](tab, `document.querySelectorAll('ul.suggestions li').length`); after != before-1 {
		t.Errorf("suggestions %d → %d after applying one, want one fewer", before, after)
	}
	tab.screenshot("records-request-applied.png")
}
