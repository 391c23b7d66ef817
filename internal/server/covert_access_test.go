package server_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/storetest"
)

// approverEmail is the demo city's covert approver: the Chief of Police,
// a director of Police (the default --covert-approver).
const approverEmail = "police-admin@demo-city.example"

// grantCovert gives u covert access of kind through the API: the demo SIC
// commander proposes, the demo covert approver approves. It returns u as
// it is now.
func (a *testApp) grantCovert(t *testing.T, u *civic.User, kind civic.CovertAccessKind) *civic.User {
	t.Helper()
	c := apiClient{t, a}
	p := c.want(201, "POST", "/api/v1/covert-access", fmt.Sprintf(`{"user_id":%d,"kind":%q,"reason":"needed for the investigation"}`, u.ID, kind), a.token(demoEmail(civic.RoleSICCommander)))
	c.want(200, "POST", fmt.Sprintf("/api/v1/covert-access/%d/decision", idOf(p)), `{"decision":"approve"}`, a.token(approverEmail))
	return mustUser(t, a, u.Email)
}

// refusals returns the covert_access.refused events, newest first.
func (a *testApp) refusals(t *testing.T) []*civic.AuditEvent {
	t.Helper()
	es, err := a.store.AuditEvents(context.Background(), civic.AuditFilter{Action: "covert_access.refused", Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// TestCovertAccessTwoPeople walks the two-person flow through the pages:
// the commander proposes, the covert approver approves; each refusal says
// why in plain words and lands in the commander's covert access log; no
// one else sees any of it.
func TestCovertAccessTwoPeople(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			app := newApp(t, e, nil)
			ctx := context.Background()
			sic := app.session(demoEmail(civic.RoleSICCommander))
			chief := app.session(approverEmail)
			deputy := app.addUser("deputy@demo-city.example", "police", civic.Grant{Role: civic.RoleStaff})
			page := func(cookie string) (int, string) {
				res := app.do(request{method: "GET", path: "/covert/access", cookie: cookie})
				return res.StatusCode, readBody(t, res)
			}
			post := func(cookie, path string, kv ...string) (*http.Response, string) {
				res := app.do(request{method: "POST", path: path, cookie: cookie, body: form(kv...)})
				return res, readBody(t, res)
			}

			// The commander proposes the deputy as a second commander.
			res, body := post(sic, "/covert/access", "user_id", itoa64(deputy.ID), "kind", "commander", "reason", "")
			if res.StatusCode != 422 || !strings.Contains(body, `id="e-reason"`) {
				t.Fatalf("proposal without a reason: %d", res.StatusCode)
			}
			res, _ = post(sic, "/covert/access", "user_id", itoa64(deputy.ID), "kind", "commander", "reason", "night shift needs a commander")
			if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/covert/access?notice=proposed" {
				t.Fatalf("propose: %d %s", res.StatusCode, res.Header.Get("Location"))
			}
			grants, _ := app.store.CovertAccesses(ctx, civic.CovertAccessFilter{UserID: deputy.ID})
			if len(grants) != 1 || grants[0].Status != civic.CovertProposed {
				t.Fatalf("grants %+v", grants)
			}
			id := itoa64(grants[0].ID)
			// The approver is told, and sees a form; the commander cannot decide.
			chiefUser := mustUser(t, app, approverEmail)
			if ns, _ := app.store.Notifications(ctx, chiefUser.ID); len(ns) == 0 || ns[0].Kind != "covert_access_waiting" {
				t.Fatalf("approver not notified: %+v", ns)
			}
			if code, body := page(chief); code != 200 || !strings.Contains(body, `action="/covert/access/`+id+`/decision"`) || !strings.Contains(body, "night shift") {
				t.Fatalf("approver's page: %d", code)
			}
			if _, body := page(sic); strings.Contains(body, `/decision"`) {
				t.Fatal("the proposer is offered the decision")
			}
			res, body = post(sic, "/covert/access/"+id+"/decision", "decision", "approve")
			if res.StatusCode != 403 || !strings.Contains(body, "only the covert approver") {
				t.Fatalf("commander approves: %d", res.StatusCode)
			}
			if mustUser(t, app, deputy.Email).Has(civic.RoleSICCommander) {
				t.Fatal("the refused approval gave the role")
			}
			res, body = post(chief, "/covert/access/"+id+"/decision", "decision", "refuse")
			if res.StatusCode != 422 || !strings.Contains(body, "say why you refuse") {
				t.Fatalf("refusal without a note: %d", res.StatusCode)
			}
			res, _ = post(chief, "/covert/access/"+id+"/decision", "decision", "approve", "note", "approved for the night shift")
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("approve: %d", res.StatusCode)
			}
			if !mustUser(t, app, deputy.Email).Has(civic.RoleSICCommander) {
				t.Fatal("approval did not give the role")
			}
			for _, who := range []int64{deputy.ID, chiefUser.ID, mustUser(t, app, demoEmail(civic.RoleSICCommander)).ID} {
				if ns, _ := app.store.Notifications(ctx, who); len(ns) == 0 || ns[0].Kind != "covert_access_decided" {
					t.Fatalf("user %d is not told of the approval: %+v", who, ns)
				}
			}
			// The new commander sees every profile.
			c := apiClient{t, app}
			if l := c.want(200, "GET", "/api/v1/covert-profiles", "", app.token(deputy.Email)); len(l["items"].([]any)) != 1 {
				t.Fatalf("the deputy sees %v", l)
			}

			// IT tries to reset the deputy's password: refused in plain words, logged for the commanders.
			it := app.session(demoEmail(civic.RoleIT))
			res, body = post(it, "/users/"+itoa64(deputy.ID)+"/password", "password", "a long password of IT's")
			if res.StatusCode != 403 || !strings.Contains(body, "holds covert access") {
				t.Fatalf("IT resets a commander's password: %d", res.StatusCode)
			}
			if _, body := page(sic); !strings.Contains(body, "Covert access: refused") || !strings.Contains(body, "reset_password") || !strings.Contains(body, "it@demo-city.example") {
				t.Fatal("the refusal is not in the commander's covert access log")
			}
			// Nobody else sees grants or the log; the page is the same empty one.
			for _, r := range []civic.Role{civic.RoleAdmin, civic.RoleIT, civic.RoleAuditor, civic.RoleDirector} {
				code, body := page(app.session(demoEmail(r)))
				if code != 200 {
					t.Errorf("%s: /covert/access answered %d", r, code)
				}
				for _, leak := range []string{"deputy@", "covert_access.", "Covert access: ", "night shift", `action="/covert/access`} {
					if strings.Contains(body, leak) {
						t.Errorf("%s sees %q on /covert/access", r, leak)
					}
				}
			}

			// A commander revokes; the last one cannot be revoked.
			res, _ = post(sic, "/covert/access/"+id+"/revoke", "reason", "night shift ended")
			if res.StatusCode != http.StatusSeeOther || mustUser(t, app, deputy.Email).Has(civic.RoleSICCommander) {
				t.Fatalf("revoke: %d", res.StatusCode)
			}
			first, _ := app.store.CovertAccesses(ctx, civic.CovertAccessFilter{UserID: mustUser(t, app, demoEmail(civic.RoleSICCommander)).ID})
			res, body = post(sic, "/covert/access/"+itoa64(first[0].ID)+"/revoke", "reason", "leaving")
			if res.StatusCode != 409 || !strings.Contains(body, "only SIC commander") {
				t.Fatalf("revoking the last commander: %d", res.StatusCode)
			}
		})
	}
}

// TestCovertAccessNotPrepared: IT cannot prepare a user for covert access
// and then act as them: the approval is refused while the user's password
// is one IT set, and the approval revokes every token (IT's too) and ends
// every session the user had.
func TestCovertAccessNotPrepared(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			app := newApp(t, e, nil)
			c := apiClient{t, app}
			it := app.token(demoEmail(civic.RoleIT))
			u := app.addUser("recruit@demo-city.example", "police", civic.Grant{Role: civic.RoleStaff})
			c.want(204, "POST", fmt.Sprintf("/api/v1/users/%d/password", u.ID), `{"password":"IT knows this one"}`, it)

			p := c.want(201, "POST", "/api/v1/covert-access", fmt.Sprintf(`{"user_id":%d,"kind":"commander","reason":"new deputy"}`, u.ID), app.token(demoEmail(civic.RoleSICCommander)))
			decision := fmt.Sprintf("/api/v1/covert-access/%d/decision", idOf(p))
			res := app.do(request{method: "POST", path: decision, body: `{"decision":"approve"}`, bearer: app.token(approverEmail)})
			if _, msg, _ := apiError(t, res); res.StatusCode != 403 || !strings.Contains(msg, "last set by someone else") {
				t.Fatalf("approval with IT's password: %d %s", res.StatusCode, msg)
			}
			// The recruit changes the password themselves; then the approval goes through.
			secret, _, err := app.auth.SignIn(context.Background(), u.Email, "IT knows this one", "192.0.2.30")
			if err != nil {
				t.Fatal(err)
			}
			res = app.do(request{method: "POST", path: "/account/password", cookie: secret, body: form("current_password", "IT knows this one", "new_password", "only the recruit knows this")})
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("own change: %d", res.StatusCode)
			}
			// IT still prepares a token for the recruit, while it may.
			itsToken := c.want(201, "POST", "/api/v1/tokens", fmt.Sprintf(`{"name":"for later","user_id":%d}`, u.ID), it)["token"].(string)
			c.want(200, "POST", decision, `{"decision":"approve"}`, app.token(approverEmail))
			if !mustUser(t, app, u.Email).Has(civic.RoleSICCommander) {
				t.Fatal("not approved")
			}
			if res := app.do(request{method: "GET", path: "/api/v1/covert-profiles", bearer: itsToken}); res.StatusCode != http.StatusUnauthorized {
				t.Fatalf("IT's token for the new commander: %d", res.StatusCode)
			}
			if res := app.do(request{method: "GET", path: "/", cookie: secret}); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("a session from before the approval: %d", res.StatusCode)
			}
		})
	}
}
