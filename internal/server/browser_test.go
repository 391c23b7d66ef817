package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"steward.city/steward/internal/browsertest"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/demo"
	"steward.city/steward/internal/route"
	"steward.city/steward/internal/storetest"
	"steward.city/steward/internal/web"
)

// TestBrowserWebShell drives the web interface in a real Chromium, on a demo
// city served over plain HTTP on 127.0.0.1: signing in and out, every page a
// signed-in user can open, the forms, the keyboard, a phone-sized screen and
// a user with fewer roles. Every page it reaches must pass axe-core's WCAG
// 2.1 A and AA rules and have one h1 and one main landmark.
//
// The subtests share one browser, and so its cookies, and run in order: the
// first signs in as the administrator, the last ones sign out and sign in as
// a staff member. Each opens its own tab. Set $STEWARD_SCREENSHOTS to a
// directory to keep the screenshots the test takes.
func TestBrowserWebShell(t *testing.T) {
	b := browsertest.New(t)
	app := newApp(t, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite}, nil)
	seedDraft(t, app) // the walk reaches a draft page
	srv := httptest.NewServer(app.server)
	t.Cleanup(srv.Close)
	open := func(t *testing.T) *browserTab { return &browserTab{Browser: b.Tab(t), t: t, base: srv.URL} }
	admin := demoEmail(civic.RoleAdmin)
	signInButton := `form[action="/signin"] button[type=submit]`

	if !t.Run("sign in", func(t *testing.T) {
		tab := open(t)

		// A page that needs a session sends the browser to the sign-in
		// page, which remembers where it was going.
		tab.check(tab.open("/people"), http.StatusOK)
		if got, want := tab.path(), "/signin?next=%2Fpeople"; got != want {
			t.Errorf("signed out, /people went to %s, want %s", got, want)
		}

		// A wrong password shows the error summary, marks the field and
		// ties it to its message.
		tab.typeInto("#f-email", admin)
		tab.typeInto("#f-password", "not-the-password")
		tab.check(tab.ClickAndWait(signInButton), http.StatusUnauthorized)
		if got := tab.Text("[role=alert]"); !strings.Contains(got, "There is a problem") || !strings.Contains(got, "wrong e-mail address or password") {
			t.Errorf("error summary = %q, want the problem and its message", got)
		}
		tab.checkInvalidField("password")
		if got := tab.Value("#f-email"); got != admin {
			t.Errorf("after a failed sign-in the e-mail field holds %q, want %q kept", got, admin)
		}

		// The right password, typed, signs in and goes on to /people.
		tab.typeInto("#f-password", demo.Password)
		tab.check(tab.ClickAndWait(signInButton), http.StatusOK)
		if got := tab.path(); got != "/people" {
			t.Fatalf("after signing in the browser is at %s, want /people", got)
		}
		if got := tab.Text(".signout .who"); got != admin {
			t.Errorf("the header shows %q as signed in, want %s", got, admin)
		}

		// The browser kept the __Host- session cookie, which must be
		// Secure: Chromium treats http://127.0.0.1 as a secure context.
		c := tab.sessionCookie()
		if c == nil {
			t.Fatalf("the browser holds no %s cookie", web.CookieName)
		}
		if !c.Secure || !c.HTTPOnly || c.Path != "/" || c.SameSite != network.CookieSameSiteLax {
			t.Errorf("session cookie: Secure=%v HttpOnly=%v Path=%q SameSite=%q, want Secure, HttpOnly, / and Lax",
				c.Secure, c.HTTPOnly, c.Path, c.SameSite)
		}
	}) {
		t.FailNow() // everything below needs the session
	}
	// With go test -run, the subtest above may not have run; the ones
	// below need a session all the same.
	if tab := open(t); tab.sessionCookie() == nil {
		if got := tab.signIn(admin); got != http.StatusOK || tab.path() != "/" {
			t.Fatalf("signing in as %s: status %d at %s, want 200 at /", admin, got, tab.path())
		}
	}

	t.Run("every page", func(t *testing.T) {
		type visit struct {
			path   string
			status int
		}
		var visits []visit
		for _, p := range open(t).pagesToWalk(app.server.Routes()) {
			visits = append(visits, visit{p, http.StatusOK})
		}
		visits = append(visits,
			visit{"/no-such-page", http.StatusNotFound},
			visit{"/audit?since=not-a-date", http.StatusUnprocessableEntity},
		)
		for _, v := range visits {
			t.Run(v.path, func(t *testing.T) {
				tab := open(t)
				tab.check(tab.open(v.path), v.status)
				if got := tab.path(); got != v.path {
					t.Errorf("the browser ended at %s, want %s", got, v.path)
				}
			})
		}
		t.Run("invalid audit filter is explained", func(t *testing.T) {
			tab := open(t)
			tab.open("/audit?since=not-a-date")
			tab.checkInvalidField("since")
		})
	})

	t.Run("add a department", func(t *testing.T) {
		tab := open(t)
		add := `form[action="/departments"] button[type=submit]`
		tab.open("/departments")
		tab.SetValue("#f-name", "Harbor Authority")
		tab.SetValue("#f-slug", "Harbor Authority")
		tab.check(tab.ClickAndWait(add), http.StatusUnprocessableEntity)
		if got := tab.Text("#e-slug"); !strings.Contains(got, "lower-case") {
			t.Errorf("short name error = %q, want it to say what is allowed", got)
		}
		tab.checkInvalidField("slug")
		if got := tab.Value("#f-name"); got != "Harbor Authority" {
			t.Errorf("after the error the name field holds %q, want what was typed", got)
		}

		tab.SetValue("#f-slug", "harbor")
		tab.check(tab.ClickAndWait(add), http.StatusOK)
		if got, want := tab.path(), "/departments?notice=created"; got != want {
			t.Errorf("after adding, the browser is at %s, want %s", got, want)
		}
		if got := tab.Text(".notice[role=status]"); !strings.HasPrefix(got, "Saved.") {
			t.Errorf("notice = %q, want Saved.", got)
		}
		if !evalJS[bool](tab, `[...document.querySelectorAll('main table a')].some(a => a.textContent === 'Harbor Authority')`) {
			t.Error("the new department is not in the list")
		}
	})

	t.Run("create an API token", func(t *testing.T) {
		tab := open(t)
		tab.open("/tokens")
		tab.SetValue("#f-name", "browser test")
		tab.check(tab.ClickAndWait(`form[action="/tokens"] button[type=submit]`), http.StatusCreated)
		secret := tab.Text("#new-token")
		if !strings.HasPrefix(secret, "stw_") {
			t.Fatalf("new token = %q, want stw_…", secret)
		}

		// Shown once: the list keeps only the start of it.
		tab.check(tab.open("/tokens"), http.StatusOK)
		if evalJS[bool](tab, `document.getElementById('new-token') !== null`) {
			t.Error("the token list shows the new token box again")
		}
		if body := tab.Text("body"); strings.Contains(body, secret) {
			t.Error("the token list shows the whole secret again")
		} else if !strings.Contains(body, "browser test") {
			t.Error("the token list does not list the new token")
		}
	})

	t.Run("skip link is the first tab stop", func(t *testing.T) {
		tab := open(t)
		tab.open("/")
		tab.press(kb.Tab)
		type focus struct {
			Text, Href string
			Left       float64
		}
		got := evalJS[focus](tab, `(() => {
			const e = document.activeElement;
			return {text: e.textContent.trim(), href: e.getAttribute('href') || '', left: e.getBoundingClientRect().left};
		})()`)
		if got.Text != "Skip to main content" || got.Href != "#main" {
			t.Fatalf("the first Tab focused %q (href %q), want the Skip to main content link", got.Text, got.Href)
		}
		if got.Left < 0 {
			t.Errorf("the focused skip link is off screen (left %vpx)", got.Left)
		}
		tab.press(kb.Enter)
		if id := evalJS[string](tab, `document.activeElement.id`); id != "main" {
			t.Errorf("after following the skip link the focus is on %q, want main", id)
		}
	})

	t.Run("phone width", func(t *testing.T) {
		tab := open(t)
		tab.act("emulating a phone", chromedp.EmulateViewport(375, 812))
		for _, path := range []string{"/people", "/users"} {
			tab.check(tab.open(path), http.StatusOK)
			type layout struct {
				ScrollWidth, InnerWidth float64
				Tables                  int
				Overflow                []string // overflow-x of each table's .table-wrap
			}
			l := evalJS[layout](tab, `(() => {
				const tables = [...document.querySelectorAll('table')];
				return {
					scrollWidth: document.documentElement.scrollWidth,
					innerWidth: window.innerWidth,
					tables: tables.length,
					overflow: tables.map(t => t.closest('.table-wrap')).filter(Boolean).map(w => getComputedStyle(w).overflowX),
				};
			})()`)
			if l.ScrollWidth > l.InnerWidth+1 {
				t.Errorf("%s at 375px: the page is %vpx wide, wider than the %vpx window", path, l.ScrollWidth, l.InnerWidth)
			}
			if l.Tables == 0 || len(l.Overflow) != l.Tables {
				t.Errorf("%s: %d of %d tables are in a .table-wrap", path, len(l.Overflow), l.Tables)
			}
			for _, o := range l.Overflow {
				if o != "auto" && o != "scroll" {
					t.Errorf("%s: a .table-wrap has overflow-x %s, want it to scroll on its own", path, o)
				}
			}
			tab.screenshot("phone-" + strings.TrimPrefix(path, "/") + ".png")
		}
	})

	t.Run("screenshots", func(t *testing.T) {
		tab := open(t)
		tab.open("/")
		tab.screenshot("dashboard.png")
		tab.open("/users")
		tab.screenshot("users.png")
	})

	if !t.Run("sign out", func(t *testing.T) {
		tab := open(t)
		tab.open("/")
		tab.check(tab.ClickAndWait(".signout button[type=submit]"), http.StatusOK)
		if got, want := tab.path(), "/signin?notice=signedout"; got != want {
			t.Errorf("after signing out the browser is at %s, want %s", got, want)
		}
		if got := tab.Text(".notice[role=status]"); got != "You are signed out." {
			t.Errorf("notice = %q, want You are signed out.", got)
		}
		if tab.sessionCookie() != nil {
			t.Errorf("the browser still holds the session cookie")
		}
		tab.open("/")
		if got, want := tab.path(), "/signin?next=%2F"; got != want {
			t.Errorf("signed out, / went to %s, want %s", got, want)
		}
	}) {
		t.FailNow() // the admin would still be signed in below
	}

	t.Run("staff sees only what staff may use", func(t *testing.T) {
		tab := open(t)
		tab.check(tab.signIn(demoEmail(civic.RoleStaff)), http.StatusOK)
		if got := tab.Text("h1"); got != "Your work" {
			t.Fatalf("after signing in as staff the page is %q, want the dashboard", got)
		}

		type link struct{ Label, Href string }
		links := evalJS[[]link](tab, `[...document.querySelectorAll('nav[aria-label=Main] a')].map(a => ({label: a.textContent.trim(), href: a.getAttribute('href')}))`)
		var labels []string
		for _, l := range links {
			labels = append(labels, l.Label)
		}
		for _, hidden := range []string{"Users and roles", "Audit log", "People"} {
			if slices.Contains(labels, hidden) {
				t.Errorf("the staff navigation %q has %s", labels, hidden)
			}
		}
		for _, shown := range []string{"Dashboard", "Departments", "API tokens", "Your account"} {
			if !slices.Contains(labels, shown) {
				t.Errorf("the staff navigation %q lacks %s", labels, shown)
			}
		}
		// Every link shown leads to a page staff may open.
		for _, l := range links {
			if got := tab.open(l.Href); got != http.StatusOK {
				t.Errorf("staff navigation link %s (%s): status %d, want 200", l.Label, l.Href, got)
			}
		}

		tab.check(tab.open("/users"), http.StatusForbidden)
		if got := tab.Text("h1"); got != "Forbidden" {
			t.Errorf("/users as staff is headed %q, want Forbidden", got)
		}
	})
}

// browserTab is a tab of the browser, bound to a test, on the server at
// base. Its methods fail the test on error.
type browserTab struct {
	*browsertest.Browser
	t    *testing.T
	base string
}

// open loads the page at path, relative to the server, and returns its
// HTTP status code.
func (b *browserTab) open(path string) int {
	b.t.Helper()
	return b.Navigate(b.base + path)
}

// path returns the current page's path and query.
func (b *browserTab) path() string {
	b.t.Helper()
	return strings.TrimPrefix(b.Location(), b.base)
}

// check checks what every page must have: the HTTP status want, no
// axe-core violations, exactly one h1, one main landmark and a title of its
// own. status is the status the page came with.
func (b *browserTab) check(status, want int) {
	b.t.Helper()
	at := b.path()
	if status != want {
		b.t.Errorf("%s: status %d, want %d", at, status, want)
	}
	b.CheckAccessible()
	type shape struct {
		H1, Main int
		Title    string
	}
	s := evalJS[shape](b, `({
		h1: document.querySelectorAll('h1').length,
		main: document.querySelectorAll('main, [role=main]').length,
		title: document.title,
	})`)
	if s.H1 != 1 {
		b.t.Errorf("%s: %d h1 headings, want 1", at, s.H1)
	}
	if s.Main != 1 {
		b.t.Errorf("%s: %d main landmarks, want 1", at, s.Main)
	}
	if name, ok := strings.CutSuffix(s.Title, " · Steward"); !ok || strings.TrimSpace(name) == "" {
		b.t.Errorf("%s: title %q, want “<page> · Steward”", at, s.Title)
	}
}

// checkInvalidField checks that the form field named field (its id is
// f-field) is marked aria-invalid, is described by its error message
// (e-field), and that the error summary links to it.
func (b *browserTab) checkInvalidField(field string) {
	b.t.Helper()
	type state struct {
		Invalid, DescribedBy, Message string
		Linked                        bool
	}
	name, _ := json.Marshal(field) // a JavaScript string literal
	s := evalJS[state](b, `((f) => {
		const input = document.getElementById('f-' + f);
		const msg = document.getElementById('e-' + f);
		return {
			invalid: input ? input.getAttribute('aria-invalid') || '' : 'no such field',
			describedBy: input ? input.getAttribute('aria-describedby') || '' : '',
			message: msg ? msg.textContent.trim() : '',
			linked: !!document.querySelector('[role=alert] a[href="#f-' + f + '"]'),
		};
	})(`+string(name)+`)`)
	if s.Invalid != "true" {
		b.t.Errorf("#f-%s: aria-invalid=%q, want true", field, s.Invalid)
	}
	if !slices.Contains(strings.Fields(s.DescribedBy), "e-"+field) {
		b.t.Errorf("#f-%s: aria-describedby=%q, want it to name e-%s", field, s.DescribedBy, field)
	}
	if s.Message == "" {
		b.t.Errorf("#e-%s: no error message next to the field", field)
	}
	if !s.Linked {
		b.t.Errorf("the error summary does not link to #f-%s", field)
	}
}

// pagesToWalk returns the path of every page a signed-in user can open: each
// GET route of the web interface that is neither public nor single sign-on.
// It fills in a route's {id} from the first link to such a page on the page
// above it: /departments/{id} takes the id of the first link to
// /departments/N on /departments. It fails the test for a route it cannot
// fill in, so that no page goes unvisited.
func (b *browserTab) pagesToWalk(routes []route.Route) []string {
	b.t.Helper()
	var paths []string
	for _, rt := range routes {
		if rt.API || rt.Method != http.MethodGet || rt.Public || strings.HasPrefix(rt.Path, "/sso/") {
			continue
		}
		// A background task's page exists only once someone asked for
		// the task: TestBrowserRecordsExport and TestBrowserAccountWARC
		// visit them, in each of their states.
		if strings.Contains(rt.Path, "{job}") {
			continue
		}
		// A draft's attachment is a file, not a page: TestBrowserPublish
		// shows it on the draft's page, TestDraftMediaAPI checks who reads it.
		if strings.HasSuffix(rt.Path, "/media/{sha256}") {
			continue
		}
		p := strings.ReplaceAll(rt.Path, "{$}", "")
		if list, rest, ok := strings.Cut(p, "/{id}"); ok {
			id := b.linkedID(list)
			if id == "" {
				b.t.Errorf("GET %s: no link on %s to take its {id} from; teach this test how to visit it", rt.Path, list)
				continue
			}
			p = list + "/" + id + rest
		}
		// A second wildcard, as in /records/{id}/items/{item}, takes its
		// value from the first link on the page above the list:
		// /records/2/items/N on /records/2.
		if list, rest, ok := strings.Cut(p, "/{"); ok && !strings.Contains(list, "{") {
			if _, after, ok := strings.Cut(rest, "}"); ok {
				id := b.linkedIDOn(list[:strings.LastIndex(list, "/")], list)
				if id == "" {
					b.t.Errorf("GET %s: no link to take its wildcard from; teach this test how to visit it", rt.Path)
					continue
				}
				p = list + "/" + id + after
			}
		}
		if strings.Contains(p, "{") {
			b.t.Errorf("GET %s: this test cannot fill in its wildcards; teach it how to visit the page", rt.Path)
			continue
		}
		paths = append(paths, p)
	}
	if len(paths) == 0 {
		b.t.Error("no pages to walk")
	}
	return paths
}

// linkedID opens the page at list and returns N from its first link in main
// to list/N, or "" if it has none.
func (b *browserTab) linkedID(list string) string {
	b.t.Helper()
	return b.linkedIDOn(list, list)
}

// linkedIDOn opens the page at page and returns N from its first link in
// main to list/N, or "" if it has none.
func (b *browserTab) linkedIDOn(page, list string) string {
	b.t.Helper()
	if got := b.open(page); got != http.StatusOK {
		b.t.Errorf("%s: status %d, want 200", page, got)
		return ""
	}
	hrefs := evalJS[[]string](b, `[...document.querySelectorAll('main a[href]')].map(a => new URL(a.href).pathname)`)
	re := regexp.MustCompile(`^` + regexp.QuoteMeta(list) + `/([0-9]+)$`)
	for _, h := range hrefs {
		if m := re.FindStringSubmatch(h); m != nil {
			return m[1]
		}
	}
	return ""
}

// signIn drops the browser's session, if any, and signs in as the demo user
// email through the sign-in form, typing as a person would. It returns the
// HTTP status code of the page the form leads to.
func (b *browserTab) signIn(email string) int {
	b.t.Helper()
	b.act("dropping the session cookie", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, network.DeleteCookies, network.DeleteCookiesParams{Name: web.CookieName, URL: b.base + "/"})
		return err
	}))
	b.open("/signin")
	b.typeInto("#f-email", email)
	b.typeInto("#f-password", demo.Password)
	return b.ClickAndWait(`form[action="/signin"] button[type=submit]`)
}

// typeInto empties a form field and types text into it key by key, as a
// person would. It empties the field with a script because
// SetValue(selector, "") sets "undefined": chromedp drops an empty string
// argument on its way to the browser.
func (b *browserTab) typeInto(selector, text string) {
	b.t.Helper()
	sel, _ := json.Marshal(selector) // a JavaScript string literal
	evalJS[chromedp.Void](b, `document.querySelector(`+string(sel)+`).value = ''`)
	b.SendKeys(selector, text)
}

// press sends keys, such as kb.Tab, to whatever has the focus.
func (b *browserTab) press(keys string) {
	b.t.Helper()
	b.act("pressing keys", chromedp.KeyEvent(keys))
}

// act runs a chromedp action, described by what for a failure.
func (b *browserTab) act(what string, a chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx(), browsertest.ActionTimeout)
	defer cancel()
	if _, err := chromedp.Run(ctx, a); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// sessionCookie returns the session cookie that the browser holds for the
// server, or nil. It is HttpOnly, so only the DevTools protocol sees it.
func (b *browserTab) sessionCookie() *network.Cookie {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx(), browsertest.ActionTimeout)
	defer cancel()
	res, err := chromedp.Run(ctx, chromedp.Action[network.GetCookiesResult](
		func(ctx context.Context, t *chromedp.Target) (network.GetCookiesResult, error) {
			return cdp.Call(ctx, t, network.GetCookies, network.GetCookiesParams{URLs: []string{b.base + "/"}})
		}))
	if err != nil {
		b.t.Fatalf("reading cookies: %v", err)
	}
	for _, c := range res.Cookies {
		if c.Name == web.CookieName {
			return c
		}
	}
	return nil
}

// screenshot saves a picture of the whole page as name in the directory
// $STEWARD_SCREENSHOTS, or else in a temporary one, and logs where.
// waitTask waits until a task page's progress (#task), which refreshes
// itself, says want, and fails the test with what it says and logs after
// within.
func (b *browserTab) waitTask(want string, within time.Duration, logs fmt.Stringer) {
	b.t.Helper()
	deadline := time.Now().Add(within)
	for !strings.Contains(b.Text("#task"), want) {
		if time.Now().After(deadline) {
			b.t.Fatalf("the task page never said %q: %q\n%s", want, b.Text("#task"), logs)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func (b *browserTab) screenshot(name string) {
	b.t.Helper()
	dir := os.Getenv("STEWARD_SCREENSHOTS")
	if dir == "" {
		dir = b.t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	b.Screenshot(path)
	b.t.Logf("screenshot of %s: %s", b.path(), path)
}

// evalJS evaluates the JavaScript expression in the tab's page and returns
// its value, decoded from JSON into T.
func evalJS[T any](b *browserTab, expr string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx(), browsertest.ActionTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}
