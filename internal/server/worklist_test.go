package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/moderation"
	"steward.city/steward/internal/storetest"
)

type workItem struct {
	Kind, Title, Link, Note string
	Overdue, Days           bool
	Due                     *time.Time
}

// work returns the work list of a user through the API.
func (a *testApp) work(email string) []workItem {
	a.t.Helper()
	res := a.do(request{method: http.MethodGet, path: "/api/v1/me/work", bearer: a.token(email)})
	if res.StatusCode != http.StatusOK {
		a.t.Fatalf("GET /api/v1/me/work as %s: %d %s", email, res.StatusCode, readBody(a.t, res))
	}
	var b struct{ Items []workItem }
	if err := json.Unmarshal([]byte(readBody(a.t, res)), &b); err != nil {
		a.t.Fatal(err)
	}
	return b.Items
}

func kinds(items []workItem) []string {
	out := []string{}
	for _, it := range items {
		out = append(out, it.Kind)
	}
	return out
}

// page fetches a page as a signed-in demo user.
func (a *testApp) page(email, path string) (int, string) {
	a.t.Helper()
	res := a.do(request{method: http.MethodGet, path: path, cookie: a.session(email)})
	return res.StatusCode, readBody(a.t, res)
}

// overdueCovert registers, as the commander, a covert profile whose yearly
// audit is overdue, and returns its screen name.
func overdueCovert(t *testing.T, app *testApp) string {
	t.Helper()
	ctx := context.Background()
	cmdr := mustUser(t, app, "sic@demo-city.example")
	name := "nightowl_worklist_probe"
	p := &civic.CovertProfile{SiteName: "Facebook", SiteURL: "https://www.facebook.com/", Username: "nightowl.probe", ScreenName: name,
		MaintainerID: cmdr.ID, Purpose: "Monitoring threats to a public event", RegisteredOn: app.clock.Now().AddDate(-1, -1, 0)}
	if err := app.reg.RegisterCovert(ctx, civic.ActorOf(cmdr), p); err != nil {
		t.Fatal(err)
	}
	return name
}

// TestWorklistByRole signs in as each demo role and checks that the work
// list holds exactly what waits for that person, on the dashboard and in
// the API, and that covert audits reach the commander and nobody else.
func TestWorklistByRole(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			app := newApp(t, e, nil)
			covert := overdueCovert(t, app)
			want := map[string][]string{
				"admin":          {"contract_review"},
				"communications": {"contract_review", "connection_broken", "capture_flag", "inquiry", "moderation_queue"},
				"director":       {"account_request"},
				"staff":          {},
				"clerk":          {"records_request", "records_request"},
				"attorney":       {"records_request", "conduct_case", "records_request"},
				"hr":             {"conduct_case"},
				"it":             {"connection_broken", "capture_flag"},
				"sic":            {"covert_audit"},
				"auditor":        {},
				"police-admin":   {},
			}
			for who, kinds0 := range want {
				email := who + "@demo-city.example"
				items := app.work(email)
				got := kinds(items)
				a, b := slices.Clone(got), slices.Clone(kinds0)
				slices.Sort(a)
				slices.Sort(b)
				if !slices.Equal(a, b) {
					t.Errorf("%s's work: %v, want %v", who, got, kinds0)
				}
				status, body := app.page(email, "/")
				if status != http.StatusOK {
					t.Fatalf("%s's dashboard: %d", who, status)
				}
				for _, it := range items {
					if !strings.Contains(body, `href="`+it.Link+`"`) {
						t.Errorf("%s's dashboard lacks the link %s of %q", who, it.Link, it.Title)
					}
				}
				if len(items) == 0 && !strings.Contains(body, "Nothing needs you right now.") {
					t.Errorf("%s's empty dashboard does not say so", who)
				}
				if strings.Contains(body, "departments") && strings.Contains(body, `class="num"`) {
					t.Errorf("%s's dashboard still shows the city's counts", who)
				}
				// The covert rule: the profile reaches the commander only.
				raw := readBody(t, app.do(request{method: http.MethodGet, path: "/api/v1/me/work", bearer: app.token(email)}))
				hasCovert := strings.Contains(raw, covert) || strings.Contains(raw, "covert")
				if who == "sic" != hasCovert {
					t.Errorf("%s's work list shows the covert audit: %v; only the commander's should", who, hasCovert)
				}
				if who != "sic" && (strings.Contains(body, covert) || strings.Contains(strings.ToLower(body), "covert profile")) {
					t.Errorf("%s's dashboard tells of a covert profile", who)
				}
			}
			// Overdue and due dates: the clerk's first records request is
			// overdue, and the list is in date order.
			items := app.work("clerk@demo-city.example")
			if len(items) != 2 || !items[0].Overdue || items[1].Overdue || items[0].Due == nil || items[1].Due == nil || items[1].Due.Before(*items[0].Due) {
				t.Errorf("the clerk's records requests: %+v", items)
			}
			if _, body := app.page("clerk@demo-city.example", "/"); !strings.Contains(body, "1 overdue") || !strings.Contains(body, ">overdue<") {
				t.Errorf("the clerk's dashboard does not mark the overdue request")
			}
			// Each waiting workflow's page says who acts next.
			if _, page := app.page("clerk@demo-city.example", "/records/1"); !strings.Contains(page, "Who acts next") ||
				!strings.Contains(page, "clerk@demo-city.example") || !strings.Contains(page, "attorney@demo-city.example") {
				t.Errorf("the records request's page does not say who acts next")
			}
			for _, it := range app.work("sic@demo-city.example") {
				if _, page := app.page("sic@demo-city.example", it.Link); !strings.Contains(page, "A SIC commander: sic@demo-city.example") {
					t.Errorf("the covert profile's page does not say who records the audit")
				}
			}
			// The notification of a listed request is not listed twice.
			dir := "director@demo-city.example"
			if got := app.work(dir); len(got) != 1 || got[0].Kind != "account_request" || got[0].Link != "/accounts/"+strconv.FormatInt(demoWaitingRequest(t, app), 10) {
				t.Errorf("the director's work: %+v (the notification of the same request is not listed twice)", got)
			}
		})
	}
}

// TestNavigationByRole checks that the navigation offers each demo role
// only pages it may open (each link answers 200), under headings, and
// hides the rest.
func TestNavigationByRole(t *testing.T) {
	app := newApp(t, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite}, nil)
	nav := regexp.MustCompile(`(?s)<nav aria-label="Main">(.*?)</nav>`)
	link := regexp.MustCompile(`href="([^"]+)"`)
	hidden := map[string][]string{
		"staff":          {"/users", "/audit", "/settings/approvals", "/covert", "/records", "/people", "/cases", "/capture", "/moderation/reviews"},
		"sic":            {"/users", "/audit", "/settings/approvals", "/accounts", "/records", "/people"},
		"director":       {"/users", "/audit", "/settings/approvals", "/covert"},
		"communications": {"/users", "/audit", "/covert", "/records"},
		"admin":          {"/covert", "/covert/access"},
	}
	shown := map[string][]string{
		"staff":          {"/", "/accounts", "/posters", "/account"},
		"sic":            {"/", "/covert", "/covert/access"},
		"admin":          {"/settings/approvals", "/users", "/audit"},
		"communications": {"/settings/approvals", "/moderation/reviews"},
	}
	for _, who := range []string{"admin", "communications", "director", "staff", "clerk", "attorney", "hr", "it", "sic", "auditor"} {
		email := who + "@demo-city.example"
		_, body := app.page(email, "/")
		m := nav.FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("%s: no main navigation", who)
		}
		var links []string
		for _, l := range link.FindAllStringSubmatch(m[1], -1) {
			links = append(links, l[1])
			if status, _ := app.page(email, l[1]); status != http.StatusOK {
				t.Errorf("%s's navigation offers %s, which answers %d", who, l[1], status)
			}
		}
		if !strings.Contains(m[1], `class="nav-group"`) {
			t.Errorf("%s's navigation has no headings", who)
		}
		for _, h := range hidden[who] {
			if slices.Contains(links, h) {
				t.Errorf("%s's navigation offers %s", who, h)
			}
		}
		for _, s := range shown[who] {
			if !slices.Contains(links, s) {
				t.Errorf("%s's navigation lacks %s: %v", who, s, links)
			}
		}
		// Staff once saw 18 links; now their own drafts and what their
		// role can open, under headings.
		if who == "staff" && len(links) > 11 {
			t.Errorf("staff see %d links: %v", len(links), links)
		}
	}
}

// TestRefusalsNameTheRule checks that a refusal says which rule refused,
// on the page and in the API's error, with the status codes kept.
func TestRefusalsNameTheRule(t *testing.T) {
	app := newApp(t, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite}, nil)
	status, body := app.page("staff@demo-city.example", "/users")
	if status != http.StatusForbidden || !strings.Contains(body, "Only these roles may do this: Administrator, Information Technology, Auditor.") {
		t.Errorf("staff on /users: %d, page does not name the roles", status)
	}
	res := app.do(request{method: http.MethodGet, path: "/api/v1/users", bearer: app.token("staff@demo-city.example")})
	if code, msg, _ := apiError(t, res); res.StatusCode != http.StatusForbidden || code != "forbidden" || !strings.Contains(msg, "Administrator, Information Technology, Auditor") {
		t.Errorf("staff on /api/v1/users: %d %s %q", res.StatusCode, code, msg)
	}
}

// TestOneCommunicationsUser: with one Communications user, a request it
// files and a removal it decides each need someone else; the page and the
// refusal say who, or that nobody can; admins and Communications are told;
// the configured fallback then acts, and the audit log records each change.
func TestOneCommunicationsUser(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			app := newApp(t, e, nil)
			ctx := context.Background()
			c := apiClient{t: t, app: app}
			comms, admin, attorney := "communications@demo-city.example", "admin@demo-city.example", "attorney@demo-city.example"
			ct, at, att := app.token(comms), app.token(admin), app.token(attorney)

			// Communications files a request for Public Works; the director
			// approves the first step; the Communications step has nobody.
			pw, err := app.store.DepartmentBySlug(ctx, "public-works")
			if err != nil {
				t.Fatal(err)
			}
			a1, a2 := mustUser(t, app, "director@demo-city.example"), mustUser(t, app, comms)
			acc := c.want(http.StatusCreated, "POST", "/api/v1/accounts", requestBody(pw.ID, "PWAlerts", a1.PersonID, a2.PersonID), ct)
			path := "/api/v1/accounts/" + itoa(idOf(acc)) + "/decision"
			c.want(http.StatusOK, "POST", path, `{"decision":"approve"}`, app.token("director@demo-city.example"))
			res := app.do(request{method: "POST", path: path, body: `{"decision":"approve"}`, bearer: ct})
			if code, msg, _ := apiError(t, res); res.StatusCode != http.StatusForbidden || code != "forbidden" ||
				!strings.Contains(msg, "You filed this request, so someone else must approve it.") || !strings.Contains(msg, "Nobody can decide") {
				t.Errorf("Communications approving its own request: %d %q", res.StatusCode, msg)
			}
			_, page := app.page(comms, "/accounts/"+itoa(idOf(acc)))
			if !strings.Contains(page, "Nobody can decide the step") || !strings.Contains(page, "/settings/approvals") {
				t.Errorf("the request's page does not say it is stuck")
			}
			if _, page := app.page(comms, "/accounts/"+itoa(idOf(acc))); strings.Contains(page, `action="/accounts/`+itoa(idOf(acc))+`/decision"`) {
				t.Errorf("the requester is offered the decision form")
			}
			for _, who := range []string{admin, comms} {
				stuck := false
				for _, it := range app.work(who) {
					stuck = stuck || (it.Kind == "notification" && strings.Contains(it.Title, "cannot move") && it.Link == "/accounts/"+itoa(idOf(acc)))
				}
				if !stuck {
					t.Errorf("%s was not told the request is stuck: %+v", who, app.work(who))
				}
			}
			// The fallback: the Chief of Police, a director, is the
			// designee for Communications.
			chief := mustUser(t, app, "police-admin@demo-city.example")
			bad := app.do(request{method: "POST", path: "/api/v1/settings/approvals", body: `{"kind":"designee","role":"communications","user_id":` + itoa(mustUser(t, app, "staff@demo-city.example").ID) + `}`, bearer: at})
			if code, msg, field := apiError(t, bad); bad.StatusCode != http.StatusUnprocessableEntity || code != "invalid" || field != "user_id" || !strings.Contains(msg, "cannot open the approval pages") {
				t.Errorf("a staff designee: %d %s %s %q", bad.StatusCode, code, field, msg)
			}
			if status, _ := c.call("POST", "/api/v1/settings/approvals", `{"kind":"designee","role":"communications","user_id":`+itoa(chief.ID)+`}`, app.token("director@demo-city.example")); status != http.StatusForbidden {
				t.Errorf("a director sets a designee: %d", status)
			}
			si := c.want(http.StatusCreated, "POST", "/api/v1/settings/approvals", `{"kind":"designee","role":"communications","user_id":`+itoa(chief.ID)+`,"note":"while Communications is one person"}`, at)
			chiefWork := app.work(chief.Email)
			if len(chiefWork) == 0 || chiefWork[0].Kind != "account_request" || chiefWork[0].Note != "designee" {
				t.Errorf("the designee's work: %+v", chiefWork)
			}
			c.want(http.StatusOK, "POST", path, `{"decision":"approve"}`, app.token(chief.Email))
			a, err := app.store.Account(ctx, idOf(acc))
			if err != nil || a.Status != civic.AccountApproved {
				t.Errorf("after the designee: %v %v", a, err)
			}
			evs, err := app.store.AuditEvents(ctx, civic.AuditFilter{ObjectType: "stand_in", Limit: 10})
			if err != nil || len(evs) != 1 || evs[0].Action != "standin.create" {
				t.Errorf("the designee is not in the audit log: %v %v", evs, err)
			}
			c.want(http.StatusNoContent, "DELETE", "/api/v1/settings/approvals/"+itoa(idOf(si)), "", at)
			if evs, _ := app.store.AuditEvents(ctx, civic.AuditFilter{ObjectType: "stand_in", Limit: 10}); len(evs) != 2 {
				t.Errorf("removing the designee is not in the audit log: %d events", len(evs))
			}

			// A removal that needs a second review, decided by the only
			// Communications user.
			queue, err := app.store.Reviews(ctx, true)
			if err != nil || len(queue) == 0 {
				t.Fatalf("no open review in the demo: %v", err)
			}
			var rv *civic.Review
			for _, q := range queue {
				if q.Status == civic.ReviewOpen {
					rv = q
					break
				}
			}
			d := c.want(http.StatusCreated, "POST", "/api/v1/moderation/reviews/"+itoa(rv.ID)+"/decisions", `{"action":"remove","code":"harassment","note":"a personal attack"}`, ct)
			second := "/api/v1/moderation/decisions/" + itoa(idOf(d)) + "/second"
			res = app.do(request{method: "POST", path: second, body: `{"agree":true}`, bearer: ct})
			if code, msg, _ := apiError(t, res); res.StatusCode != http.StatusConflict || code != "conflict" || !strings.Contains(msg, "You decided this remove, so someone else must give the second review.") || !strings.Contains(msg, "Nobody can give it now") {
				t.Errorf("the decider's own second review: %d %q", res.StatusCode, msg)
			}
			res = app.do(request{method: "POST", path: second, body: `{"agree":true}`, bearer: att})
			if code, msg, _ := apiError(t, res); res.StatusCode != http.StatusForbidden || code != "forbidden" || !strings.Contains(msg, "Second reviews are given by another Communications user") {
				t.Errorf("the attorney's second review without a fallback: %d %q", res.StatusCode, msg)
			}
			told := false
			for _, it := range app.work(admin) {
				told = told || strings.Contains(it.Title, "waits for a second review that nobody can give")
			}
			if !told {
				t.Errorf("the administrator was not told the removal is stuck")
			}
			// The fallback second reviewer: the City Attorney.
			c.want(http.StatusCreated, "POST", "/api/v1/settings/approvals", fmt.Sprintf(`{"kind":"second_review","user_id":%d}`, mustUser(t, app, attorney).ID), at)
			aw := app.work(attorney)
			if !slices.ContainsFunc(aw, func(it workItem) bool { return it.Kind == "second_review" && it.Note == "fallback second reviewer" }) {
				t.Errorf("the fallback reviewer's work: %+v", aw)
			}
			if slices.ContainsFunc(app.work(comms), func(it workItem) bool { return it.Kind == "second_review" }) {
				t.Errorf("the decider is asked for their own second review")
			}
			_, page = app.page(attorney, "/moderation/reviews/"+itoa(rv.ID))
			if !strings.Contains(page, "the fallback second reviewer gives it: "+attorney) || !strings.Contains(page, "Record second review") {
				t.Errorf("the review page does not offer the fallback reviewer the second review")
			}
			// The rule keeps its intent: the decider is still refused, and
			// the fallback reviewer acts.
			if status, _ := c.call("POST", second, `{"agree":true}`, ct); status != http.StatusConflict {
				t.Errorf("the decider after the fallback is set: %d", status)
			}
			got := c.want(http.StatusOK, "POST", second, `{"agree":true,"note":"agreed"}`, att)
			if got["status"] != "final" {
				t.Errorf("after the fallback's second review: %v", got)
			}
			// With a second Communications user, the fallback stands back.
			app.addUser("second.comms@demo-city.example", "communications", civic.Grant{Role: civic.RoleCommunications})
			if who, text, err := app.svcs.Moderation.SecondReviewers(ctx, mustUser(t, app, comms).ID); err != nil || len(who) != 1 || who[0].Email != "second.comms@demo-city.example" || text != moderation.SecondTurn(who, false) {
				t.Errorf("second reviewers with two Communications users: %v %q %v", civic.Emails(who), text, err)
			}
		})
	}
}

// TestDelegationWindow: a director away delegates to another director for
// given days; the delegate may decide only within them, and the decision
// records for whom.
func TestDelegationWindow(t *testing.T) {
	app := newApp(t, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite}, nil)
	ctx := context.Background()
	c := apiClient{t: t, app: app}
	at := app.token("admin@demo-city.example")
	dir, chief := mustUser(t, app, "director@demo-city.example"), mustUser(t, app, "police-admin@demo-city.example")
	today := app.clock.Now()
	from, until := today.AddDate(0, 0, 2).Format("2006-01-02"), today.AddDate(0, 0, 4).Format("2006-01-02")
	for _, bad := range []struct{ body, field string }{
		{fmt.Sprintf(`{"kind":"delegation","user_id":%d,"for_user_id":%d,"from":%q}`, chief.ID, dir.ID, from), "until"},
		{fmt.Sprintf(`{"kind":"delegation","user_id":%d,"for_user_id":%d,"from":%q,"until":%q}`, chief.ID, dir.ID, until, from), "until"},
		{fmt.Sprintf(`{"kind":"delegation","user_id":%d,"for_user_id":%d,"from":%q,"until":%q}`, chief.ID, chief.ID, from, until), "for_user_id"},
		{fmt.Sprintf(`{"kind":"delegation","user_id":%d,"for_user_id":%d,"from":"next week","until":%q}`, chief.ID, dir.ID, until), "from"},
		{fmt.Sprintf(`{"kind":"delegation","user_id":%d,"for_user_id":999999,"from":%q,"until":%q}`, chief.ID, from, until), "for_user_id"},
		{`{"kind":"holiday"}`, "kind"},
	} {
		res := app.do(request{method: "POST", path: "/api/v1/settings/approvals", body: bad.body, bearer: at})
		if _, msg, field := apiError(t, res); res.StatusCode != http.StatusUnprocessableEntity || field != bad.field {
			t.Errorf("%s: %d %s %q, want 422 naming %s", bad.body, res.StatusCode, field, msg, bad.field)
		}
	}
	c.want(http.StatusCreated, "POST", "/api/v1/settings/approvals", fmt.Sprintf(`{"kind":"delegation","user_id":%d,"for_user_id":%d,"from":%q,"until":%q}`, chief.ID, dir.ID, from, until), at)
	waiting := demoWaitingRequest(t, app)
	decide := "/api/v1/accounts/" + strconv.FormatInt(waiting, 10) + "/decision"
	ch := app.token(chief.Email)
	res := app.do(request{method: "POST", path: decide, body: `{"decision":"approve"}`, bearer: ch})
	if _, msg, _ := apiError(t, res); res.StatusCode != http.StatusForbidden || !strings.Contains(msg, "which you do not hold") || !strings.Contains(msg, dir.Email) {
		t.Errorf("the delegate before the window: %d %q", res.StatusCode, msg)
	}
	if slices.ContainsFunc(app.work(chief.Email), func(it workItem) bool { return it.Kind == "account_request" }) {
		t.Errorf("the delegate's work lists the request before the window")
	}
	app.clock.Advance(3 * 24 * time.Hour)
	w := app.work(chief.Email)
	if len(w) == 0 || w[0].Kind != "account_request" || w[0].Note != "acting for "+dir.Email {
		t.Errorf("the delegate's work within the window: %+v", w)
	}
	if _, page := app.page(chief.Email, "/accounts/"+strconv.FormatInt(waiting, 10)); !strings.Contains(page, chief.Email+" (for "+dir.Email+")") {
		t.Errorf("the request's page does not name the delegate")
	}
	c.want(http.StatusOK, "POST", decide, `{"decision":"approve"}`, ch)
	aps, err := app.store.Approvals(ctx, waiting)
	if err != nil || len(aps) != 1 || aps[0].ApproverID != chief.ID || !strings.Contains(aps[0].Label, "acting for "+dir.Email) {
		t.Errorf("the delegate's approval: %+v %v", aps, err)
	}
	// After the window the delegation no longer applies.
	app.clock.Advance(5 * 24 * time.Hour)
	if slices.ContainsFunc(app.work(chief.Email), func(it workItem) bool { return it.Note != "" && strings.HasPrefix(it.Note, "acting for") }) {
		t.Errorf("the delegation applies after its last day")
	}
}

// TestPosterRequestWithoutDirector: staff in a department with no director
// ask to post; nobody can decide, and admins and Communications are told,
// and the posters page says so.
func TestPosterRequestWithoutDirector(t *testing.T) {
	app := newApp(t, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite}, nil)
	ctx := context.Background()
	c := apiClient{t: t, app: app}
	parks, err := app.store.Accounts(ctx, civic.AccountFilter{Query: "@cityparks"})
	if err != nil || len(parks) != 1 {
		t.Fatalf("the parks account: %v %v", parks, err)
	}
	st := app.token(app.addUser("ranger@demo-city.example", "parks", civic.Grant{Role: civic.RoleStaff}).Email)
	p := c.want(http.StatusCreated, "POST", "/api/v1/accounts/"+itoa(parks[0].ID)+"/posters", `{"reason":"I run the parks events calendar"}`, st)
	for _, who := range []string{"admin@demo-city.example", "communications@demo-city.example"} {
		if !slices.ContainsFunc(app.work(who), func(it workItem) bool { return strings.Contains(it.Title, "nobody can decide") }) {
			t.Errorf("%s was not told the request to post is stuck", who)
		}
	}
	if _, page := app.page("communications@demo-city.example", "/posters"); !strings.Contains(page, "Nobody can decide: the department has no director") {
		t.Errorf("the posters page does not say the request is stuck")
	}
	res := app.do(request{method: "POST", path: "/api/v1/posters/" + itoa(idOf(p)) + "/decision", body: `{"decision":"grant","expires":"2027-06-01"}`, bearer: app.token("director@demo-city.example")})
	if _, msg, _ := apiError(t, res); res.StatusCode != http.StatusForbidden || !strings.Contains(msg, "that department has no director") {
		t.Errorf("another department's director deciding: %d %q", res.StatusCode, msg)
	}
	// A next role: Communications decides when a department has no director.
	c.want(http.StatusCreated, "POST", "/api/v1/settings/approvals", `{"kind":"next_role","role":"director","next_role":"communications"}`, app.token("admin@demo-city.example"))
	if !slices.ContainsFunc(app.work("communications@demo-city.example"), func(it workItem) bool { return it.Kind == "poster_request" }) {
		t.Errorf("the next role's work lacks the request to post")
	}
}

// demoWaitingRequest is the id of the demo's account request that waits for
// the Public Works director.
func demoWaitingRequest(t *testing.T, app *testApp) int64 {
	t.Helper()
	for id := int64(1); id < 50; id++ {
		a, err := app.store.Account(context.Background(), id)
		if err != nil {
			continue
		}
		if a.Status == civic.AccountRequested && a.Handle == "Demo Public Works" {
			return id
		}
	}
	t.Fatal("the demo has no account request from Public Works waiting")
	return 0
}

// TestWorklistDueDay: a records request is due on a day of the city, so
// the work list calls it overdue only once that day has ended there (not
// at midnight UTC, 6 PM the evening before in Chicago), and the dashboard
// shows its days without an hour.
func TestWorklistDueDay(t *testing.T) {
	app := newApp(t, storetest.Engines(t)[0], nil)
	ctx := context.Background()
	clerk := "clerk@demo-city.example"
	// 3:00 AM on Saturday, November 21 in Chicago; the request is due today.
	today := time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
	due := today
	if err := app.store.Update(ctx, civic.CLI, func(tx civic.Tx) error {
		return tx.CreateRecordsRequest(ctx, &civic.RecordsRequest{Requester: "Due Day Probe", ReceivedOn: today.AddDate(0, 0, -10), DueOn: &due,
			Kind: civic.RequestData, Description: "potholes", Status: civic.RequestOpen})
	}); err != nil {
		t.Fatal(err)
	}
	probe := func() workItem {
		t.Helper()
		for _, it := range app.work(clerk) {
			if strings.Contains(it.Title, "Due Day Probe") {
				return it
			}
		}
		t.Fatal("the request is not on the clerk's work list")
		return workItem{}
	}
	if it := probe(); it.Overdue || !it.Days {
		t.Errorf("at 3 AM on its due day: %+v, want a day item not overdue", it)
	}
	_, body := app.page(clerk, "/")
	row := body[strings.Index(body, "Due Day Probe"):]
	row = row[:strings.Index(row, "</tr>")]
	if !strings.Contains(row, "Nov 11, 2026") || !strings.Contains(row, "Nov 21, 2026") || strings.Contains(row, "PM") || strings.Contains(row, "AM") {
		t.Errorf("the dashboard's row shows hours for days: %s", row)
	}
	app.clock.Advance(20*time.Hour + 30*time.Minute) // 11:30 PM in Chicago, 5:30 AM on the 22nd in UTC
	if it := probe(); it.Overdue {
		t.Errorf("at 11:30 PM on its due day the request is overdue")
	}
	app.clock.Advance(time.Hour) // 12:30 AM on the 22nd in Chicago
	if it := probe(); !it.Overdue {
		t.Errorf("the day after its due day the request is not overdue")
	}
}
