package server_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
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
// with one click on the item page.
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
	// The redaction's line names the words it withholds, as the clerk
	// selected them, not only their bytes.
	if got := tab.Text(".redact-version ul"); !strings.Contains(got, "“splash” (bytes ") {
		t.Errorf("the redaction's line = %q, want the words it withholds", got)
	}

	// Words that are not in the text: an error on the words field, kept.
	tab.typeInto(".redact-version form.redact-form input[name=words]", "SPLASH PADDLE")
	tab.check(tab.Submit(".redact-version form.redact-form button[type=submit]"), http.StatusUnprocessableEntity)
	tab.checkInvalidField("words")
	if got := tab.Value("#f-words"); got != "SPLASH PADDLE" {
		t.Errorf("after an error the words field holds %q, want it kept", got)
	}
	tab.screenshot("records-item-error.png")

	// Words that are: redacted without the script's help.
	word := strings.Fields(stored)[0]
	tab.typeInto(".redact-version form.redact-form input[name=words]", word)
	tab.check(tab.Submit(".redact-version form.redact-form button[type=submit]"), http.StatusOK)
	if got := tab.Text(".redact-version .preview"); strings.HasPrefix(got, word) {
		t.Errorf("preview after redacting %q = %q", word, got)
	}
	tab.screenshot("records-item-redacted.png")

	// The item's own suggestion (the telephone number), applied in one click.
	if n := evalJS[int](tab, `document.querySelectorAll('.redact-version ul.suggestions li').length`); n != 1 {
		t.Fatalf("%d suggestions on the item page, want the telephone number", n)
	}
	tab.check(tab.ClickAndWait(".redact-version ul.suggestions button"), http.StatusOK)
	if got := tab.Text(".redact-version .preview"); strings.Contains(got, "651-555") {
		t.Errorf("the preview after applying the suggestion = %q", got)
	}
	if n := evalJS[int](tab, `document.querySelectorAll('.redact-version ul.suggestions li').length`); n != 0 {
		t.Errorf("%d suggestions left after applying it", n)
	}

	// Applied on the item page, the suggestion leaves the request's page too.
	tab.check(tab.open("/records/2"), http.StatusOK)
	if n := evalJS[int](tab, `document.querySelectorAll('ul.suggestions li').length`); n != 0 {
		t.Errorf("the request page still suggests %d spans", n)
	}
	if got := tab.Text("main table"); strings.Count(got, "13.356") != 3 {
		t.Errorf("the request's redactions = %q, want three", got)
	}
}

// TestRedactItemAttacks posts crafted redactions to the item page, as a
// clerk: a version of another item, a span past the end, reversed, cutting
// a character, a selection that does not match the stored text, an item
// outside the scope; and as an auditor, who may only read. Nothing is
// written.
func TestRedactItemAttacks(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			app := newApp(t, e, nil)
			ctx := context.Background()
			clerk := app.session(demoEmail(civic.RoleClerk))
			svc := app.svcs.Records
			// Request 2's scope is "splash pad": find two items in it.
			body := readBody(t, app.do(request{method: "GET", path: "/records/2", cookie: clerk}))
			ids := regexp.MustCompile(`href="/records/2/items/(\d+)"`).FindAllStringSubmatch(body, -1)
			if len(ids) < 2 {
				t.Fatalf("items in scope: %v", ids)
			}
			item, other := ids[0][1], ids[1][1]
			itemID, _ := strconv.ParseInt(item, 10, 64)
			otherID, _ := strconv.ParseInt(other, 10, 64)
			_, vs, err := svc.Item(ctx, civic.CLI, 2, itemID)
			if err != nil {
				t.Fatal(err)
			}
			_, ovs, _ := svc.Item(ctx, civic.CLI, 2, otherID)
			v := vs[0].Version
			n := len(v.Text)
			vid := strconv.FormatInt(v.ID, 10)
			auditor := app.session(demoEmail(civic.RoleAuditor))
			head := func() int64 { n, _, _ := app.store.AuditHead(ctx); return n }
			before := head()
			path := "/records/2/items/" + item + "/redactions"
			for _, c := range []struct {
				name, body, field string
				status            int
			}{
				{"no version", form("version_id", "", "words", "splash", "reason", "13.356"), "version_id", 422},
				{"version of another item", form("version_id", strconv.FormatInt(ovs[0].Version.ID, 10), "words", "splash", "reason", "13.356"), "version_id", 422},
				{"past the end", form("version_id", vid, "start", "0", "end", strconv.Itoa(n+1), "reason", "13.356"), "end", 422},
				{"negative", form("version_id", vid, "start", "-1", "end", "3", "reason", "13.356"), "start", 422},
				{"reversed", form("version_id", vid, "start", "5", "end", "2", "reason", "13.356"), "end", 422},
				{"selection not the text", form("version_id", vid, "start", "0", "end", "3", "selected", "xyz", "reason", "13.356"), "words", 422},
				{"no reason", form("version_id", vid, "words", v.Text[:3], "reason", "99"), "reason", 422},
				{"not a number", form("version_id", vid, "start", "zero", "end", "3", "reason", "13.356"), "start", 422},
			} {
				res := app.do(request{method: "POST", path: path, cookie: clerk, body: c.body})
				got := readBody(t, res)
				if res.StatusCode != c.status || !strings.Contains(got, `id="e-`+c.field+`"`) || !strings.Contains(got, `href="#f-`+c.field+`"`) {
					t.Errorf("%s: %d, want %d with the error on %s", c.name, res.StatusCode, c.status, c.field)
				}
				if strings.Contains(got, "version 0") {
					t.Errorf("%s: the answer speaks of version 0", c.name)
				}
			}
			// An item outside the scope, and a reader who may not redact.
			outside := app.do(request{method: "GET", path: "/records/2/items/999999", cookie: clerk})
			if outside.StatusCode != http.StatusNotFound {
				t.Errorf("item outside the scope: %d", outside.StatusCode)
			}
			if res := app.do(request{method: "POST", path: path, cookie: auditor, body: form("version_id", vid, "words", v.Text[:3], "reason", "13.356")}); res.StatusCode != http.StatusForbidden {
				t.Errorf("an auditor redacted: %d", res.StatusCode)
			}
			if head() != before {
				t.Error("refused redactions wrote audit events")
			}
		})
	}
}
