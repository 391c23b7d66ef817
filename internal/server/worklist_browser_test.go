package server_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"steward.city/steward/internal/browsertest"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/storetest"
)

// TestBrowserWorklist walks the pages issue 17 changed, as the people who
// use them, each checked with axe-core: the dashboard's work list for
// Communications and the clerk (with an overdue request) and its empty
// state for the auditor, a request nobody can decide, and the approval
// settings with a refused and an accepted fallback.
func TestBrowserWorklist(t *testing.T) {
	b := browsertest.New(t)
	app := newApp(t, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite}, nil)
	srv := httptest.NewServer(app.server)
	t.Cleanup(srv.Close)
	ctx := context.Background()
	tab := &browserTab{Browser: b.Tab(t), t: t, base: srv.URL}

	// A request Communications filed, which only Communications could
	// decide next: nobody can.
	comms := mustUser(t, app, "communications@demo-city.example")
	pw, err := app.store.DepartmentBySlug(ctx, "public-works")
	if err != nil {
		t.Fatal(err)
	}
	dir := mustUser(t, app, "director@demo-city.example")
	institutional := true
	a := &civic.Account{DepartmentID: pw.ID, Platform: "facebook", Handle: "PWAlerts", DisplayName: "City PWAlerts", Purpose: "street work notices",
		Audience: "residents", Categories: []string{"announcements"}, WebsiteURL: "https://www.demo-city.example/", ProfileText: "Official. In an emergency call 9-1-1.",
		AdminIDs: []int64{dir.PersonID, comms.PersonID}, Institutional: &institutional}
	if err := app.reg.RequestAccount(ctx, civic.ActorOf(comms), a); err != nil {
		t.Fatal(err)
	}
	if err := app.reg.Decide(ctx, civic.ActorOf(dir), a.ID, civic.DecisionApprove, ""); err != nil {
		t.Fatal(err)
	}

	tab.check(tab.signIn("communications@demo-city.example"), http.StatusOK)
	if got := tab.Text("main"); !strings.Contains(got, "What needs you") || !strings.Contains(got, "Capture of @city@demo-city.example on Mastodon is broken") ||
		!strings.Contains(got, "cannot move") {
		t.Errorf("Communications' work list: %q", got)
	}
	groups := evalJS[[]string](tab, `[...document.querySelectorAll('nav[aria-label=Main] .nav-group')].map(e => e.textContent.trim())`)
	if strings.Join(groups, ",") != "Work,Accounts,Records,Moderation,Administration,You" {
		t.Errorf("Communications' navigation headings: %v", groups)
	}
	tab.screenshot("dashboard-communications.png")

	tab.check(tab.open("/accounts/"+itoa(a.ID)), http.StatusOK)
	if got := tab.Text("main"); !strings.Contains(got, "Nobody can decide the step \"Communications\" now") {
		t.Errorf("the stuck request's page: %q", got)
	}
	if n := evalJS[int](tab, `document.querySelectorAll('form[action$="/decision"]').length`); n != 0 {
		t.Errorf("the requester is offered %d decision forms", n)
	}
	tab.screenshot("account-stuck.png")

	tab.check(tab.signIn("clerk@demo-city.example"), http.StatusOK)
	if got := tab.Text("main"); !strings.Contains(got, "1 overdue") || !strings.Contains(got, "Records request from K. Berg") {
		t.Errorf("the clerk's work list: %q", got)
	}
	if n := evalJS[int](tab, `document.querySelectorAll('table.work tr.overdue').length`); n != 1 {
		t.Errorf("the clerk's dashboard marks %d rows overdue, want 1", n)
	}
	tab.screenshot("dashboard-clerk.png")

	tab.check(tab.signIn("auditor@demo-city.example"), http.StatusOK)
	if got := tab.Text("main"); !strings.Contains(got, "Nothing needs you right now.") {
		t.Errorf("the auditor's empty work list: %q", got)
	}

	tab.check(tab.signIn("admin@demo-city.example"), http.StatusOK)
	tab.check(tab.open("/settings/approvals"), http.StatusOK)
	if got := tab.Text("main"); !strings.Contains(got, "1 Communications user.") || !strings.Contains(got, "Departments with no director:") {
		t.Errorf("the approval settings do not say where the chains stand: %q", got)
	}
	// A delegation without its days is refused, naming the field.
	tab.SetValue("#f-kind", "delegation")
	tab.SetValue("#f-user_id", itoa(mustUser(t, app, "police-admin@demo-city.example").ID))
	tab.SetValue("#f-for_user_id", itoa(dir.ID))
	tab.check(tab.Submit(`form[action="/settings/approvals"] button`), http.StatusUnprocessableEntity)
	tab.checkInvalidField("from")
	// The fallback second reviewer is added.
	tab.SetValue("#f-kind", "second_review")
	tab.SetValue("#f-user_id", itoa(mustUser(t, app, "attorney@demo-city.example").ID))
	tab.SetValue("#f-for_user_id", "")
	tab.typeInto("#f-note", "Communications is one person")
	tab.check(tab.Submit(`form[action="/settings/approvals"] button`), http.StatusOK)
	if got := tab.Text("main"); !strings.Contains(got, "Fallback second reviewer") || !strings.Contains(got, "attorney@demo-city.example") {
		t.Errorf("the fallback is not listed: %q", got)
	}
	tab.screenshot("approval-settings.png")
	tab.check(tab.Submit(`form[action$="/delete"] button`), http.StatusOK)
	if got := tab.Text("main"); !strings.Contains(got, "None set") {
		t.Errorf("the fallback is not removed: %q", got)
	}
}
