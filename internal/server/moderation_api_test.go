package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/storetest"
)

// TestModerationAPI drives the moderation API on the demo city: the
// queue, a decision without a code, a keep, an inquiry's answer by
// someone who may not answer, a staff report and the public report.
func TestModerationAPI(t *testing.T) {
	app := newApp(t, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite}, nil)
	comms := app.token(demoEmail(civic.RoleCommunications))
	res := app.do(request{method: "GET", path: "/api/v1/moderation/queue", bearer: comms})
	var q struct{ Items []*civic.Review }
	if err := json.Unmarshal([]byte(readBody(t, res)), &q); err != nil || res.StatusCode != 200 || len(q.Items) != 2 {
		t.Fatalf("queue: %d %v %d entries", res.StatusCode, err, len(q.Items))
	}
	path := "/api/v1/moderation/reviews/" + strconv.FormatInt(q.Items[1].ID, 10) + "/decisions"
	res = app.do(request{method: "POST", path: path, bearer: comms, body: `{"action":"remove"}`})
	if code, msg, field := apiError(t, res); res.StatusCode != http.StatusUnprocessableEntity || code != "invalid" || field != "code" || !strings.Contains(msg, "reason code") {
		t.Errorf("decision without a code: %d %s %q %s", res.StatusCode, code, msg, field)
	}
	res = app.do(request{method: "POST", path: path, bearer: comms, body: `{"action":"edit","code":"spam"}`})
	if _, _, field := apiError(t, res); res.StatusCode != http.StatusUnprocessableEntity || field != "action" {
		t.Errorf("an edit action: %d %s", res.StatusCode, field)
	}
	res = app.do(request{method: "POST", path: path, bearer: comms, body: `{"action":"keep","code":"private_info","note":"a lost dog; the number is the poster's own"}`})
	var d civic.ModerationDecision
	if err := json.Unmarshal([]byte(readBody(t, res)), &d); err != nil || res.StatusCode != http.StatusCreated || d.Status != civic.DecisionFinal || d.CarryStatus == "" {
		t.Errorf("keep: %d %+v %v", res.StatusCode, d, err)
	}
	res = app.do(request{method: "POST", path: path, bearer: comms, body: `{"action":"remove","code":"private_info"}`})
	if res.StatusCode != http.StatusConflict {
		t.Errorf("deciding twice: %d", res.StatusCode)
	}
	res = app.do(request{method: "POST", path: "/api/v1/moderation/inquiries/1/answer", bearer: app.token(demoEmail(civic.RoleClerk)), body: `{"response":"x","outcome":"upheld"}`})
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("the clerk answered an inquiry: %d", res.StatusCode)
	}
	res = app.do(request{method: "POST", path: "/api/v1/moderation/reports", bearer: app.token(demoEmail(civic.RoleStaff)), body: `{"link":"https://social.example/@x/1","note":"a threat","to":"communications"}`})
	if res.StatusCode != http.StatusCreated {
		t.Errorf("staff report: %d %s", res.StatusCode, readBody(t, res))
	}
	ns, _ := app.store.Notifications(context.Background(), mustUser(t, app, demoEmail(civic.RoleCommunications)).ID)
	if len(ns) == 0 || !strings.Contains(ns[0].Message, "staff@demo-city.example") {
		t.Errorf("Communications was not notified: %+v", ns)
	}
	res = app.do(request{method: "GET", path: "/api/v1/transparency"})
	var tr struct{ Removals, Reversed int }
	if err := json.Unmarshal([]byte(readBody(t, res)), &tr); err != nil || res.StatusCode != 200 || tr.Removals != 4 { // the demo's hidden spam and three removals
		t.Errorf("transparency: %d %+v %v", res.StatusCode, tr, err)
	}
	// An inquiry about a comment never removed is filed unmatched; the page
	// says only that it was received, with its reference and due date.
	res = app.do(request{method: "POST", path: "/inquiry", body: form("account", "mastodon:@parks@demo-city.example", "screen_name", "@lena@social.example", "name", "L", "contact", "l@example.org", "question", "?")})
	body := readBody(t, res)
	var filed *civic.Inquiry
	if qs, err := app.store.Inquiries(context.Background(), true); err == nil {
		for _, q := range qs {
			if q.ScreenName == "@lena@social.example" {
				filed = q
			}
		}
	}
	if res.StatusCode != http.StatusOK || filed == nil || filed.Matched || !strings.Contains(body, "We received your question") ||
		!strings.Contains(body, "Your reference number is <strong>"+filed.Reference+"</strong>") ||
		!strings.Contains(body, filed.DueAt.In(cityZone(t)).Format("Monday, January 2, 2006")) ||
		strings.Contains(body, "no removed comment") || strings.Contains(body, "not matched") || strings.Contains(body, "Will the drinking fountain") {
		t.Errorf("inquiry about a kept comment: %d %+v %s", res.StatusCode, filed, body)
	}
	// The API lists it with its reference, unmatched, and its due date.
	res = app.do(request{method: "GET", path: "/api/v1/moderation/inquiries", bearer: comms})
	var listed struct {
		Items []struct {
			Reference string
			Matched   bool
			FormID    int64  `json:"form_id"`
			DueAt     string `json:"due_at"`
		}
	}
	if err := json.Unmarshal([]byte(readBody(t, res)), &listed); err != nil || res.StatusCode != 200 || len(listed.Items) == 0 {
		t.Fatalf("inquiries: %d %v", res.StatusCode, err)
	}
	last := listed.Items[len(listed.Items)-1]
	if last.Reference != filed.Reference || last.Matched || last.FormID != 0 || last.DueAt == "" {
		t.Errorf("the unmatched inquiry in the API: %+v", last)
	}
	if first := listed.Items[0]; !first.Matched || !strings.HasPrefix(first.Reference, "INQ-") {
		t.Errorf("the demo's matched inquiry in the API: %+v", first)
	}
	res = app.do(request{method: "POST", path: "/inquiry", body: form("account", "x", "screen_name", strings.Repeat("a", 300), "name", "L", "contact", "l@example.org", "question", "?")})
	if body := readBody(t, res); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "longer than 256") {
		t.Errorf("an over-long screen name: %d", res.StatusCode)
	}
}

// TestInquirySignedInActsAsPublic: a member of staff who is signed in and
// files a public inquiry files it as the public, not as themselves: the
// audit log records the inquiry by "public" and no user.
func TestInquirySignedInActsAsPublic(t *testing.T) {
	app := newApp(t, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite}, nil)
	res := app.do(request{method: "POST", path: "/inquiry", bearer: app.token(demoEmail(civic.RoleCommunications)),
		body: form("account", "mastodon:@parks@demo-city.example", "screen_name", "@someone", "name", "S", "contact", "s@example.org", "question", "Why?")})
	if body := readBody(t, res); res.StatusCode != http.StatusOK || !strings.Contains(body, "We received your question") {
		t.Fatalf("filing signed in: %d %s", res.StatusCode, body)
	}
	evs, err := app.store.AuditEvents(context.Background(), civic.AuditFilter{Action: "moderation.inquiry_create"})
	if err != nil || len(evs) == 0 {
		t.Fatalf("audit events: %v", err)
	}
	last := evs[0]
	for _, e := range evs {
		if e.Seq > last.Seq {
			last = e
		}
	}
	if last.Actor != civic.Public.Label || last.ActorID != 0 || !strings.Contains(string(last.After), `"reference":"INQ-`) {
		t.Errorf("the inquiry was filed by %q (user %d): %s", last.Actor, last.ActorID, last.After)
	}
}
