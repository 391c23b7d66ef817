package server_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"steward.city/steward/internal/auth"
	"steward.city/steward/internal/browsertest"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/demo"
	"steward.city/steward/internal/storetest"
)

// TestBrowserRegistry walks the "done when" in a real Chromium,
// checking every page it reaches with axe-core: staff requests an account
// → the director approves → Communications approves → the account is
// active → the director authorizes the staff member → IT stores the
// credentials → a reveal is logged. Then a covert profile is registered,
// audited and deactivated, and is invisible to every other role.
func TestBrowserRegistry(t *testing.T) {
	b := browsertest.New(t)
	app := newApp(t, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite}, nil)
	srv := httptest.NewServer(app.server)
	t.Cleanup(srv.Close)
	tab := &browserTab{Browser: b.Tab(t), t: t, base: srv.URL}
	ctx := context.Background()
	worker := app.addUser("worker@demo-city.example", "public-works", civic.Grant{Role: civic.RoleStaff})
	h, err := auth.HashPassword(demo.Password)
	if err != nil {
		t.Fatal(err)
	}
	if err := app.store.Update(ctx, civic.System, func(tx civic.Tx) error { return tx.SetUserPassword(ctx, worker.ID, h) }); err != nil {
		t.Fatal(err)
	}
	js := func(expr string) { evalJS[any](tab, expr) }
	at := func(re string) string {
		t.Helper()
		m := regexp.MustCompile(re).FindStringSubmatch(tab.path())
		if m == nil {
			t.Fatalf("the browser is at %s, want %s", tab.path(), re)
		}
		return m[len(m)-1]
	}
	post := func(form string) int { return tab.ClickAndWait(form + ` button[type=submit]`) }

	// Staff requests an account; a mistake is explained next to its field.
	tab.check(tab.signIn(worker.Email), http.StatusOK)
	tab.check(tab.open("/accounts"), http.StatusOK)
	req := `form[action="/accounts"][method="post"]`
	tab.SetValue("#f-handle", "DemoStreets")
	tab.SetValue("#f-display_name", "Demo Streets")
	tab.SetValue("#f-purpose", "Snow plowing and street work notices")
	tab.SetValue("#f-audience", "Residents")
	tab.SetValue("#f-website_url", "https://www.demo-city.example/streets")
	tab.SetValue("#f-profile_text", "Official account of Demo Public Works. In an emergency call 9-1-1.")
	js(`document.querySelector('input[name=categories][value=announcements]').checked = true`)
	js(`document.querySelector('input[name=institutional][value=yes]').checked = true`)
	tab.check(post(req), http.StatusUnprocessableEntity)
	tab.checkInvalidField("administrator_ids")
	if tab.Value("#f-handle") != "DemoStreets" {
		t.Error("the form lost what was typed")
	}
	js(`[...document.querySelectorAll('#f-administrator_ids option')].slice(0, 2).forEach(o => o.selected = true)`)
	tab.check(post(req), http.StatusOK)
	id := at(`^/accounts/(\d+)\?notice=requested$`)
	page := "/accounts/" + id

	// The director approves, then Communications approves and activates.
	for _, who := range []civic.Role{civic.RoleDirector, civic.RoleCommunications} {
		tab.check(tab.signIn(demoEmail(who)), http.StatusOK)
		tab.check(tab.open(page), http.StatusOK)
		tab.SetValue("#f-comment", "approved by "+string(who))
		tab.check(post(`form[action="`+page+`/decision"]`), http.StatusOK)
	}
	if got := tab.Text("main dl"); !strings.Contains(got, "approved") {
		t.Fatalf("after both approvals the account is not approved: %s", got)
	}
	tab.check(post(`form[action="`+page+`/status"]`), http.StatusOK)
	if a, _ := app.store.Account(ctx, mustID(t, id)); a.Status != civic.AccountActive {
		t.Fatalf("account status %s, want active", a.Status)
	}

	// The staff member asks to post; the director authorizes them.
	tab.check(tab.signIn(worker.Email), http.StatusOK)
	tab.check(tab.open(page), http.StatusOK)
	tab.SetValue("#f-poster_reason", "I post the plow routes")
	tab.check(post(`form[action="`+page+`/posters"]`), http.StatusOK)
	tab.check(tab.signIn(demoEmail(civic.RoleDirector)), http.StatusOK)
	tab.check(tab.open("/posters"), http.StatusOK)
	tab.check(post(`form[action$="/decision"]`), http.StatusOK)
	if ok, _ := app.reg.CanPost(ctx, worker.ID, mustID(t, id)); !ok {
		t.Fatal("the authorized staff member cannot post")
	}

	// IT stores the password; a reveal needs a reason and is logged.
	tab.check(tab.signIn(demoEmail(civic.RoleIT)), http.StatusOK)
	tab.check(tab.open(page), http.StatusOK)
	tab.SetValue("#f-secret", "plow-SECRET-2026")
	tab.check(post(`form[action="`+page+`/credentials"]`), http.StatusOK)
	if strings.Contains(tab.Text("body"), "plow-SECRET-2026") {
		t.Fatal("the account page shows the stored secret")
	}
	tab.SetValue(`form[action^="/credentials/"] input[name=reason]`, "vendor reset")
	tab.check(post(`form[action^="/credentials/"]`), http.StatusOK)
	if got := tab.Text("#revealed-secret"); got != "plow-SECRET-2026" {
		t.Fatalf("revealed %q", got)
	}
	tab.check(tab.signIn(demoEmail(civic.RoleAdmin)), http.StatusOK)
	tab.check(tab.open("/audit?action=credential.reveal"), http.StatusOK)
	if got := tab.Text("main table"); !strings.Contains(got, "it@demo-city.example") {
		t.Fatalf("the reveal is not in the audit log: %s", got)
	}
	tab.screenshot("audit.png")

	// The worker gets maintainer access from two people: the commander
	// proposes, the covert approver approves. First the worker sets their
	// own password: one someone else set would hold the approval up.
	if err := app.store.Update(ctx, civic.Actor{UserID: worker.ID, Label: worker.Email}, func(tx civic.Tx) error { return tx.SetUserPassword(ctx, worker.ID, h) }); err != nil {
		t.Fatal(err)
	}
	tab.check(tab.signIn(demoEmail(civic.RoleSICCommander)), http.StatusOK)
	tab.check(tab.open("/covert/access"), http.StatusOK)
	tab.check(post(`form[action="/covert/access"]`), http.StatusUnprocessableEntity)
	tab.checkInvalidField("user_id")
	tab.SetValue("#f-user_id", itoa64(worker.ID))
	tab.SetValue("#f-reason", "Runs the bicycle resale investigation")
	tab.check(post(`form[action="/covert/access"]`), http.StatusOK)
	if got := tab.Text("main"); !strings.Contains(got, "worker@demo-city.example") || !strings.Contains(got, "Covert access: propose") {
		t.Fatalf("the proposal is not on the page: %s", got)
	}
	tab.screenshot("covert-access-proposed.png")
	tab.check(tab.signIn(approverEmail), http.StatusOK)
	tab.check(tab.open("/covert/access"), http.StatusOK)
	tab.screenshot("covert-access-approver.png")
	tab.check(post(`form[action$="/decision"]`), http.StatusOK)
	if u, _ := app.store.User(ctx, worker.ID); !u.CovertMaintainer {
		t.Fatal("the approval did not give maintainer access")
	}

	// A covert profile: registered, audited, deactivated by the commander.
	tab.check(tab.signIn(demoEmail(civic.RoleSICCommander)), http.StatusOK)
	tab.check(tab.open("/covert"), http.StatusOK)
	tab.SetValue("#f-site_name", "Reddit")
	tab.SetValue("#f-site_url", "https://www.reddit.com/")
	tab.SetValue("#f-username", "quiet.otter")
	tab.SetValue("#f-screen_name", "QuietOtter")
	tab.SetValue("#f-maintainer_id", itoa64(worker.ID))
	tab.SetValue("#f-purpose", "Resold bicycles")
	tab.check(post(`form[action="/covert"]`), http.StatusOK)
	pid := at(`^/covert\?profile=(\d+)&notice=created$`)
	profile := "/covert?profile=" + pid
	tab.check(post(`form[action="/covert/`+pid+`/audit"]`), http.StatusOK)
	tab.SetValue("#f-reason", "investigation closed")
	tab.check(post(`form[action="/covert/`+pid+`/end"]`), http.StatusOK)
	if got := tab.Text("main dl"); !strings.Contains(got, "deactivated") {
		t.Fatalf("profile after deactivation: %s", got)
	}
	if got := tab.Text("main"); !strings.Contains(got, "Covert profiles: audit") || !strings.Contains(got, "Covert profiles: deactivate") {
		t.Errorf("the profile's history lacks its audit or deactivation: %s", got)
	}
	tab.check(tab.open("/notifications"), http.StatusOK)
	if !strings.Contains(tab.Text("main"), "QuietOtter") {
		t.Error("the commander was not notified of the deactivation")
	}

	// Every other role: no such profile, not in lists or the audit log.
	for _, r := range civic.Roles {
		if r == civic.RoleSICCommander {
			continue
		}
		tab.check(tab.signIn(demoEmail(r)), http.StatusOK)
		tab.check(tab.open(profile), http.StatusNotFound)
		for _, p := range []string{"/covert", "/", "/notifications"} {
			tab.check(tab.open(p), http.StatusOK)
			if strings.Contains(tab.Text("body"), "QuietOtter") {
				t.Errorf("%s sees the covert profile on %s", r, p)
			}
		}
		if u, _ := app.store.UserByEmail(ctx, demoEmail(r)); u.Can(civic.PermAuditView) {
			tab.check(tab.open("/audit?limit=1000"), http.StatusOK)
			if body := tab.Text("body"); strings.Contains(body, "covert") || strings.Contains(body, "quiet.otter") {
				t.Errorf("%s sees covert events in the audit log", r)
			}
		}
	}
}

func mustID(t *testing.T, s string) int64 {
	t.Helper()
	id, err := parseInt(s)
	if err != nil {
		t.Fatal(err)
	}
	return id
}
