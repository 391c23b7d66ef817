package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/publish"
	"steward.city/steward/internal/storetest"
)

// TestPublishAPI: the drafts API as its callers and attackers use it: the
// grant holder drafts and sees the findings; a signed-in user without a
// grant is refused naming the account and cannot read or review someone
// else's draft by guessing its id; a crafted body is refused naming the
// field; the author cannot approve their own draft.
func TestPublishAPI(t *testing.T) {
	app := newApp(t, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite}, nil)
	acct, dir := grantParks(t, app)
	staff, clerk, director := app.token(demoEmail(civic.RoleStaff)), app.token(demoEmail(civic.RoleClerk)), app.token(dir.Email)
	body := fmt.Sprintf(`{"account_ids":[%d],"text":"Pool opens Saturday. Text our lifeguard lead at 651-555-0199.","category":"announcement"}`, acct.ID)

	res := app.do(request{method: "POST", path: "/api/v1/drafts", bearer: clerk, body: body})
	if got := readBody(t, res); res.StatusCode != 403 || !strings.Contains(got, "@cityparks on Instagram") || !strings.Contains(got, `"field": "account_ids"`) {
		t.Fatalf("a clerk drafts for parks: %d %s", res.StatusCode, got)
	}
	res = app.do(request{method: "POST", path: "/api/v1/drafts", bearer: staff, body: body})
	var d struct {
		ID      int64 `json:"id"`
		Current struct {
			Screen struct {
				Findings []struct{ Code, Span string }
			} `json:"screen"`
		} `json:"current"`
	}
	if err := json.Unmarshal([]byte(readBody(t, res)), &d); err != nil || res.StatusCode != 201 || d.ID == 0 {
		t.Fatalf("staff drafts: %d %v", res.StatusCode, err)
	}
	if len(d.Current.Screen.Findings) != 1 || d.Current.Screen.Findings[0].Span != "651-555-0199" {
		t.Fatalf("findings %+v", d.Current.Screen.Findings)
	}
	page := fmt.Sprintf("/api/v1/drafts/%d", d.ID)
	res = app.do(request{method: "GET", path: "/api/v1/drafts?status=posted", bearer: staff})
	if got := readBody(t, res); res.StatusCode != 422 || !strings.Contains(got, `"field": "status"`) {
		t.Fatalf("a bad status filter: %d %s", res.StatusCode, got)
	}
	if res := app.do(request{method: "GET", path: page, bearer: clerk}); res.StatusCode != 404 {
		t.Fatalf("a clerk reads the draft: %d", res.StatusCode)
	}
	if res := app.do(request{method: "POST", path: page + "/reviews", bearer: clerk, body: `{"revision":1,"decision":"approve"}`}); res.StatusCode != 404 {
		t.Fatalf("a clerk reviews the draft: %d", res.StatusCode)
	}
	res = app.do(request{method: "POST", path: page + "/revisions", bearer: staff, body: `{"text":"x","category":"announcement","Admin":true}`})
	if got := readBody(t, res); res.StatusCode != 422 || !strings.Contains(got, "Admin") {
		t.Fatalf("a crafted body: %d %s", res.StatusCode, got)
	}
	if res := app.do(request{method: "POST", path: page + "/submit", bearer: staff}); res.StatusCode != 200 {
		t.Fatalf("submit: %d %s", res.StatusCode, readBody(t, res))
	}
	// The submitted draft waits on the director's work list, not the
	// author's, and links to the draft's page.
	link := fmt.Sprintf("/drafts/%d", d.ID)
	hasDraft := func(email, kind string) bool {
		return slices.ContainsFunc(app.work(email), func(it workItem) bool { return it.Kind == kind && it.Link == link })
	}
	if !hasDraft(dir.Email, "draft_review") || hasDraft(demoEmail(civic.RoleStaff), "draft_review") || hasDraft(demoEmail(civic.RoleClerk), "draft_review") {
		t.Errorf("the draft to review is not on the director's work list alone")
	}
	if res := app.do(request{method: "POST", path: page + "/reviews", bearer: staff, body: `{"revision":1,"decision":"approve","override":"mine"}`}); res.StatusCode != 403 {
		t.Fatalf("self approval: %d", res.StatusCode)
	}
	res = app.do(request{method: "POST", path: page + "/reviews", bearer: director, body: `{"revision":1,"decision":"approve"}`})
	if got := readBody(t, res); res.StatusCode != 422 || !strings.Contains(got, `"field": "override"`) {
		t.Fatalf("approve without recording why: %d %s", res.StatusCode, got)
	}
	res = app.do(request{method: "POST", path: page + "/reviews", bearer: director, body: `{"revision":1,"decision":"approve","override":"the lifeguard lead's work phone, published on the city site"}`})
	if got := readBody(t, res); res.StatusCode != 200 || !strings.Contains(got, `"status": "approved"`) {
		t.Fatalf("approve: %d %s", res.StatusCode, got)
	}
	// Not connected: the publish fails, says why, and keeps the approval.
	res = app.do(request{method: "POST", path: page + "/publish", bearer: staff})
	if got := readBody(t, res); res.StatusCode != 502 || !strings.Contains(got, "not connected") {
		t.Fatalf("publish unconnected: %d %s", res.StatusCode, got)
	}
	res = app.do(request{method: "GET", path: page, bearer: director})
	if got := readBody(t, res); !strings.Contains(got, `"decision": "approve"`) {
		t.Fatalf("the approval was lost: %s", got)
	}
}

// TestDraftPageCategoryInWords: the draft page writes the category in
// words, says when the screen suggests the same, and says in plain words
// when no authorized category fits the text (a staff member's sale on a
// city account), rather than printing the screen's code "none".
func TestDraftPageCategoryInWords(t *testing.T) {
	app, _, draft := staffDrafts(t)
	cookie := app.session(demoEmail(civic.RoleStaff))
	page := func(category, text string) string {
		t.Helper()
		d := draft(publish.DraftInput{Category: category, Text: text})
		res := app.do(request{method: "GET", path: fmt.Sprintf("/drafts/%d", d.ID), cookie: cookie})
		body := readBody(t, res)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("draft page: %d", res.StatusCode)
		}
		if !strings.Contains(body, `>community engagement request</option>`) || strings.Contains(body, `>community_engagement_request</option>`) {
			t.Error("the form's categories are not in words")
		}
		if strings.Contains(body, "1 findings") {
			t.Error(`the findings table says "1 findings"`)
		}
		_, after, _ := strings.Cut(body, `id="category">`)
		line, _, _ := strings.Cut(after, "</p>")
		return line
	}
	got := page("community_engagement_request", "Selling my snowblower, barely used, $200 or best offer. DM me if interested!")
	for _, want := range []string{"Category: community engagement request", "no category the city authorizes fits this text"} {
		if !strings.Contains(got, want) {
			t.Errorf("a personal sale: the category line %q lacks %q", got, want)
		}
	}
	if strings.Contains(got, "none") || strings.Contains(got, "_") {
		t.Errorf("a personal sale: the category line shows a code: %q", got)
	}
	got = page("recruitment", "The Parks department is hiring lifeguards for the summer. Apply by May 1 at the city's jobs page.")
	if !strings.Contains(got, "Category: recruitment") || strings.Contains(got, "no category the city authorizes") {
		t.Errorf("a job post: the category line is %q", got)
	}
}

// TestCalendarInWords: the calendar writes a post's status and category
// in words ("awaiting review", "community engagement request"), not the
// API's codes.
func TestCalendarInWords(t *testing.T) {
	app, _, draft := staffDrafts(t)
	at := app.clock.Now().Add(48 * time.Hour)
	d := draft(publish.DraftInput{Category: "community_engagement_request",
		Text: "Tell us what the new playground at Central Park should have: the survey is open until Friday.", ScheduledAt: &at})
	if _, err := app.svcs.Publish.Submit(context.Background(), civic.ActorOf(d.staff), d.ID); err != nil {
		t.Fatal(err)
	}
	res := app.do(request{method: "GET", path: "/calendar", cookie: app.session(demoEmail(civic.RoleStaff))})
	body := readBody(t, res)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("calendar: %d", res.StatusCode)
	}
	for _, want := range []string{"awaiting review", "community engagement request"} {
		if !strings.Contains(body, want) {
			t.Errorf("the calendar lacks %q", want)
		}
	}
	for _, code := range []string{"awaiting_review", "community_engagement_request"} {
		if strings.Contains(body, ">"+code+"<") {
			t.Errorf("the calendar shows the code %q", code)
		}
	}
}

// staffDraft is a draft the demo staff member wrote for the Parks account.
type staffDraft struct {
	*civic.Draft
	staff *civic.User
}

// staffDrafts gives a demo city whose staff member holds a grant for the
// Parks account (on Instagram), its director, and a function that drafts
// for that account as the staff member.
func staffDrafts(t *testing.T) (*testApp, *civic.User, func(publish.DraftInput) staffDraft) {
	t.Helper()
	app := newApp(t, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite}, nil)
	acct, dir := grantParks(t, app)
	staff, err := app.store.UserByEmail(context.Background(), demoEmail(civic.RoleStaff))
	if err != nil {
		t.Fatal(err)
	}
	return app, dir, func(in publish.DraftInput) staffDraft {
		t.Helper()
		in.AccountIDs = []int64{acct.ID}
		d, err := app.svcs.Publish.CreateDraft(context.Background(), civic.ActorOf(staff), in)
		if err != nil {
			t.Fatal(err)
		}
		return staffDraft{d, staff}
	}
}

// TestDraftProblemsShownEarly: a text-only draft for the demo's Instagram
// account says on its page and in the API, while it is written, that
// Instagram takes no post of text alone, instead of failing only once
// approved and published; a draft for a Mastodon account says nothing.
func TestDraftProblemsShownEarly(t *testing.T) {
	app, dir, draft := staffDrafts(t)
	d := draft(publish.DraftInput{Category: "announcement", Text: "The pool opens Saturday at 10."})
	if d.Accounts[0].Platform != "instagram" {
		t.Fatalf("the demo staff member's account is on %s, not Instagram", d.Accounts[0].Platform)
	}
	res := app.do(request{method: "GET", path: fmt.Sprintf("/drafts/%d", d.ID), cookie: app.session(demoEmail(civic.RoleStaff))})
	body := readBody(t, res)
	_, problems, _ := strings.Cut(body, `id="problems"`)
	problems, _, _ = strings.Cut(problems, "</div>")
	if !strings.Contains(problems, "Cannot go out as it is") || !strings.Contains(problems, d.Accounts[0].Handle+" on Instagram") ||
		!strings.Contains(problems, "needs at least one JPEG image") {
		t.Errorf("the draft page does not say Instagram needs an image: %q", problems)
	}
	res = app.do(request{method: "GET", path: fmt.Sprintf("/api/v1/drafts/%d", d.ID), bearer: app.token(demoEmail(civic.RoleStaff))})
	var view struct {
		Problems []publish.Problem `json:"problems"`
	}
	if err := json.NewDecoder(res.Body).Decode(&view); err != nil || len(view.Problems) != 1 || view.Problems[0].AccountID != d.Accounts[0].AccountID {
		t.Errorf("the API's problems: %+v, %v", view.Problems, err)
	}

	m := mastodonParks(t, app, dir)
	staff, err := app.store.UserByEmail(context.Background(), demoEmail(civic.RoleStaff))
	if err != nil {
		t.Fatal(err)
	}
	md, err := app.svcs.Publish.CreateDraft(context.Background(), civic.ActorOf(staff), publish.DraftInput{AccountIDs: []int64{m.ID}, Category: "announcement", Text: "The pool opens Saturday at 10."})
	if err != nil {
		t.Fatal(err)
	}
	res = app.do(request{method: "GET", path: fmt.Sprintf("/drafts/%d", md.ID), cookie: app.session(demoEmail(civic.RoleStaff))})
	if body := readBody(t, res); strings.Contains(body, `id="problems"`) {
		t.Errorf("a Mastodon draft of text alone shows problems")
	}
}
