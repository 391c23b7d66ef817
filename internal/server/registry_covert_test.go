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

// TestCovertProfilesInvisible registers, audits and deactivates a covert
// profile and checks that only the SIC commander and its maintainer know it
// exists: 404 for every other role in pages and API, absent from lists and
// from the audit listing (CVT-1…4).
func TestCovertProfilesInvisible(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			app := newApp(t, e, nil)
			c := apiClient{t, app}
			ctx := context.Background()
			sic := app.token(demoEmail(civic.RoleSICCommander))
			maint := app.addUser("undercover@demo-city.example", "police", civic.Grant{Role: civic.RoleStaff})
			// Not yet a maintainer: refused, and told why.
			res := app.do(request{method: "POST", path: "/api/v1/covert-profiles", bearer: sic, body: fmt.Sprintf(`{"site_name":"Reddit","site_url":"https://www.reddit.com/","username":"quiet.otter","screen_name":"QuietOtter","maintainer_id":%d,"purpose":"p"}`, maint.ID)})
			if _, msg, field := apiError(t, res); res.StatusCode != 422 || field != "maintainer_id" || !strings.Contains(msg, "does not hold covert maintainer access") {
				t.Fatalf("profile for a user without maintainer access: %d %s", res.StatusCode, msg)
			}
			app.grantCovert(t, maint, civic.CovertMaintainer)
			maintTok := app.token(maint.Email) // tokens from before the grant were revoked by it

			c.want(403, "POST", "/api/v1/covert-profiles", `{}`, app.token(demoEmail(civic.RoleAdmin)))
			c.want(422, "POST", "/api/v1/covert-profiles", fmt.Sprintf(`{"site_name":"Reddit","site_url":"reddit","username":"u","screen_name":"s","maintainer_id":%d,"purpose":"p"}`, maint.ID), sic)
			p := c.want(201, "POST", "/api/v1/covert-profiles", fmt.Sprintf(`{"site_name":"Reddit","site_url":"https://www.reddit.com/","username":"quiet.otter","screen_name":"QuietOtter","maintainer_id":%d,"purpose":"stolen bikes resold online","registered_on":"2025-10-01"}`, maint.ID), sic)
			id := idOf(p)
			path := fmt.Sprintf("/api/v1/covert-profiles/%d", id)
			page := fmt.Sprintf("/covert?profile=%d", id)

			// The yearly audit of a profile registered 2025-10-01 is overdue on 2026-11-21.
			if p["next_audit_on"] != "2026-10-01T00:00:00Z" {
				t.Fatalf("next audit %v", p["next_audit_on"])
			}
			res = app.do(request{method: "GET", path: "/covert", cookie: app.session(demoEmail(civic.RoleSICCommander))})
			if body := readBody(t, res); !strings.Contains(body, "QuietOtter") || !strings.Contains(body, "overdue") {
				t.Fatal("the commander's list does not flag the overdue audit")
			}
			if err := app.reg.SweepDue(ctx); err != nil {
				t.Fatal(err)
			}
			if ns, _ := app.store.Notifications(ctx, mustUser(t, app, demoEmail(civic.RoleSICCommander)).ID); len(ns) == 0 || ns[0].Kind != "audit_overdue" {
				t.Fatalf("commander not told of the overdue audit: %+v", ns)
			}

			// The maintainer stores the password; the maintainer and the commander reveal it.
			c.want(200, "POST", path+"/password", `{"secret":"otter-SECRET-77"}`, maintTok)
			cid := idOf(c.want(200, "GET", path, "", sic)["credentials"].([]any)[0].(map[string]any))
			if r := c.want(200, "POST", fmt.Sprintf("/api/v1/credentials/%d/reveal", cid), `{"reason":"yearly audit"}`, sic); r["secret"] != "otter-SECRET-77" {
				t.Fatal("the commander cannot reveal the password")
			}
			c.want(200, "POST", fmt.Sprintf("/api/v1/credentials/%d/reveal", cid), `{"reason":"logging in"}`, maintTok)

			// Audit by the commander only; the maintainer is told nothing exists.
			c.want(404, "POST", path+"/audit", `{"still_active":true,"still_needed":true}`, maintTok)
			a := c.want(200, "POST", path+"/audit", `{"still_active":true,"still_needed":false,"note":"case closing"}`, sic)
			if a["next_audit_on"] != "2027-11-21T09:00:00Z" || len(a["audits"].([]any)) != 1 {
				t.Fatalf("after the audit %v %v", a["next_audit_on"], a["audits"])
			}
			// The maintainer deactivates it; the commander is notified; the history stays.
			c.want(422, "POST", path+"/end", `{"status":"deactivated"}`, maintTok)
			c.want(200, "POST", path+"/end", `{"status":"deactivated","ended_on":"2026-11-20","reason":"case closed"}`, maintTok)
			c.want(409, "POST", path+"/end", `{"status":"deleted","reason":"again"}`, sic)
			if ns, _ := app.store.Notifications(ctx, mustUser(t, app, demoEmail(civic.RoleSICCommander)).ID); ns[0].Kind != "covert_ended" {
				t.Fatalf("commander not notified of the deactivation: %+v", ns[0])
			}
			if g := c.want(200, "GET", path, "", sic); g["status"] != "deactivated" || g["ended_on"] != "2026-11-20T00:00:00Z" {
				t.Fatalf("after deactivation %v", g)
			}

			// Everyone else: it does not exist.
			for _, r := range civic.Roles {
				if r == civic.RoleSICCommander {
					continue
				}
				email := demoEmail(r)
				tok := app.token(email)
				c.want(404, "GET", path, "", tok)
				c.want(404, "POST", path+"/end", `{"status":"deleted","reason":"x"}`, tok)
				c.want(404, "POST", path+"/password", `{"secret":"x"}`, tok)
				c.want(404, "POST", fmt.Sprintf("/api/v1/credentials/%d/reveal", cid), `{"reason":"x"}`, tok)
				if l := c.want(200, "GET", "/api/v1/covert-profiles", "", tok); len(l["items"].([]any)) != 0 {
					t.Errorf("%s lists covert profiles", r)
				}
				cookie := app.session(email)
				if res := app.do(request{method: "GET", path: page, cookie: cookie}); res.StatusCode != http.StatusNotFound {
					t.Errorf("%s: %s answered %d, want 404", r, page, res.StatusCode)
				}
				for _, p := range []string{"/covert", "/", "/accounts", "/notifications", "/audit?limit=1000", "/api/v1/audit?limit=1000", "/api/v1/accounts", "/api/v1/account-counts"} {
					req := request{method: "GET", path: p, cookie: cookie}
					if strings.HasPrefix(p, "/api/") {
						req = request{method: "GET", path: p, bearer: tok}
					}
					res := app.do(req)
					body := readBody(t, res)
					for _, leak := range []string{"QuietOtter", "quiet.otter", "covert_profile", "covert_credential", "covert_access", "Riley Fan"} {
						if strings.Contains(body, leak) {
							t.Errorf("%s sees %q on %s", r, leak, p)
						}
					}
				}
			}
			// The chain stays whole: the commander's view of the profile's history has every event.
			hist, err := app.reg.CovertHistory(ctx, civic.ActorOf(mustUser(t, app, demoEmail(civic.RoleSICCommander))), id)
			if err != nil || len(hist) != 6 { // register, audit, deactivate; store, two reveals
				t.Fatalf("history %d %v", len(hist), err)
			}
		})
	}
}

// TestOnlyCommanderCannotBeDisabled: disabling the last SIC commander would
// leave covert profiles and their due audits with nobody who may see them,
// so it is refused until another user holds the role.
func TestOnlyCommanderCannotBeDisabled(t *testing.T) {
	app := sqliteApp(t)
	c := apiClient{t, app}
	admin := app.token(demoEmail(civic.RoleAdmin))
	sic := mustUser(t, app, demoEmail(civic.RoleSICCommander))
	m := c.want(409, "PATCH", fmt.Sprintf("/api/v1/users/%d", sic.ID), `{"disabled":true}`, admin)
	if !strings.Contains(fmt.Sprint(m), "only SIC commander") {
		t.Fatalf("refusal %v", m)
	}
	if u := mustUser(t, app, sic.Email); u.DisabledAt != nil {
		t.Fatal("the refused disable was written")
	}
	c.want(403, "PATCH", fmt.Sprintf("/api/v1/users/%d", sic.ID), `{"roles":[{"role":"staff"}]}`, admin)
	if u := mustUser(t, app, sic.Email); !u.Has(civic.RoleSICCommander) {
		t.Fatal("the last commander lost the role")
	}
	deputy := app.grantCovert(t, app.addUser("deputy@demo-city.example", "police"), civic.CovertCommander)
	c.want(200, "PATCH", fmt.Sprintf("/api/v1/users/%d", sic.ID), `{"disabled":true}`, admin)
	// The demo profile's password, if the old commander could reveal it, is flagged; the deputy sees the registry.
	if l := c.want(200, "GET", "/api/v1/covert-profiles", "", app.token(deputy.Email)); len(l["items"].([]any)) != 1 {
		t.Fatalf("the deputy sees %v", l)
	}
}

func itoa64(v int64) string { return fmt.Sprint(v) }

func parseInt(s string) (int64, error) {
	var v int64
	_, err := fmt.Sscan(s, &v)
	return v, err
}
