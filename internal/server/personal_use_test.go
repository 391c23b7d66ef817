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

// TestPersonalUse (CND-2): the personal-use rules are shown with the policy
// covered persons acknowledge and on their own pages; a person declares a
// personal account, which can then never be requested as official; an
// account request must say it is institutional, and "no" is refused with
// the policy's reason.
func TestPersonalUse(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			app := newApp(t, e, nil)
			c := apiClient{t, app}
			ctx := context.Background()
			pw, _ := app.store.DepartmentBySlug(ctx, "public-works")
			worker := app.addUser("worker@demo-city.example", "public-works", civic.Grant{Role: civic.RoleStaff})
			other := app.addUser("other@demo-city.example", "public-works", civic.Grant{Role: civic.RoleStaff})
			staff := mustUser(t, app, demoEmail(civic.RoleStaff))
			me := app.session(staff.Email)
			const disclaimer = "These are my own opinions and do not represent those of the City."
			for _, page := range []string{"/account", "/policies"} {
				body := readBody(t, app.do(request{method: "GET", path: page, cookie: me}))
				if !strings.Contains(body, disclaimer) || !strings.Contains(body, "never captures or monitors") || !strings.Contains(body, "logo") {
					t.Errorf("%s does not show the personal-use rules", page)
				}
			}

			// Declaring: errors name the field; then the account is listed.
			res := app.do(request{method: "POST", path: "/account/personal-accounts", cookie: me, body: form("platform", "facebook", "handle", " ")})
			if body := readBody(t, res); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="e-handle"`) {
				t.Errorf("empty handle: %d", res.StatusCode)
			}
			res = app.do(request{method: "POST", path: "/account/personal-accounts", cookie: me, body: form("platform", "friendster", "handle", "x")})
			if body := readBody(t, res); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="e-platform"`) {
				t.Errorf("unknown platform: %d", res.StatusCode)
			}
			if res := app.do(request{method: "POST", path: "/account/personal-accounts", cookie: me, body: form("platform", "facebook", "handle", "@Worker.Family")}); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("declare: %d", res.StatusCode)
			}
			if body := readBody(t, app.do(request{method: "GET", path: "/account", cookie: me})); !strings.Contains(body, "@Worker.Family") {
				t.Error("the declared account is not on the person's own page")
			}
			if body := readBody(t, app.do(request{method: "GET", path: fmt.Sprintf("/people/%d", staff.PersonID), cookie: app.session(demoEmail(civic.RoleHR))})); !strings.Contains(body, "@Worker.Family") || !strings.Contains(body, disclaimer) {
				t.Error("the person's page does not show the rules and the declared account")
			}
			// Declared twice, or for someone else: refused.
			if res := app.do(request{method: "POST", path: "/account/personal-accounts", cookie: app.session(demoEmail(civic.RoleDirector)), body: form("platform", "facebook", "handle", "@Worker.Family")}); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(readBody(t, res), "already declared") {
				t.Errorf("declared twice: %d", res.StatusCode)
			}
			if err := app.reg.DeclarePersonalAccount(ctx, civic.ActorOf(other), &civic.PersonalAccount{PersonID: staff.PersonID, Platform: "x", Handle: "w"}); civic.ErrorKind(err) != civic.KindForbidden {
				t.Errorf("declared for another person: %v", err)
			}
			// An official account cannot be declared personal.
			as, _ := app.store.Accounts(ctx, civic.AccountFilter{})
			if res := app.do(request{method: "POST", path: "/account/personal-accounts", cookie: me, body: form("platform", as[0].Platform, "handle", strings.ToUpper(as[0].Handle))}); res.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("an official account declared personal: %d", res.StatusCode)
			}

			// Requests: institutional is required, "no" is refused, and a
			// declared personal handle is refused whatever the answer.
			tok := app.token(worker.Email)
			body := requestBody(pw.ID, "CityStreets", worker.PersonID, other.PersonID)
			wantField := func(body, field, says string) {
				t.Helper()
				res := app.do(request{method: "POST", path: "/api/v1/accounts", body: body, bearer: tok})
				status := res.StatusCode
				_, msg, f := apiError(t, res)
				if status != http.StatusUnprocessableEntity || f != field || !strings.Contains(msg, says) {
					t.Errorf("request %s: %d %s %q, want 422 on %s saying %q", body, status, f, msg, field, says)
				}
			}
			wantField(strings.Replace(body, `,"institutional":true`, "", 1), "institutional", "say whether")
			wantField(strings.Replace(body, `"institutional":true`, `"institutional":false`, 1), "institutional", "never captures or monitors")
			wantField(strings.Replace(body, `"CityStreets"`, `"worker.family"`, 1), "handle", "declared a personal account")
			c.want(201, "POST", "/api/v1/accounts", body, tok)

			// The web form asks too: without an answer the field is marked.
			res = app.do(request{method: "POST", path: "/accounts", cookie: me, body: form("department_id", fmt.Sprint(staff.DepartmentID), "platform", "facebook", "handle", "CityParks2", "display_name", "d", "purpose", "p", "audience", "a",
				"categories", "announcements", "administrator_ids", fmt.Sprint(worker.PersonID), "administrator_ids", fmt.Sprint(other.PersonID), "website_url", "https://www.demo-city.example/", "profile_text", "t")})
			if body := readBody(t, res); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#f-institutional"`) || !strings.Contains(body, `id="e-institutional"`) {
				t.Errorf("web request without the answer: %d %s", res.StatusCode, body[strings.Index(body, "<main"):][:600])
			}
		})
	}
}
