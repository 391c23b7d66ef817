package server_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/storetest"
)

// TestGovernanceAPI: platform agreements, follows, policy
// acknowledgements and conduct cases through the API on every engine.
func TestGovernanceAPI(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			app := newApp(t, e, nil)
			c := apiClient{t, app}
			ctx := context.Background()
			comms, hr, attorney, director, staff, admin := app.token(demoEmail(civic.RoleCommunications)), app.token(demoEmail(civic.RoleHR)), app.token(demoEmail(civic.RoleAttorney)),
				app.token(demoEmail(civic.RoleDirector)), app.token(demoEmail(civic.RoleStaff)), app.token(demoEmail(civic.RoleAdmin))
			as, _ := app.store.Accounts(ctx, civic.AccountFilter{Status: civic.AccountActive})
			acc := as[0].ID

			// Agreements (ACC-6).
			c.want(422, "POST", "/api/v1/contracts", `{"platform":"x","title":"Terms","accepted_by":"Jordan","authority":"Communications","accepted_on":"2026-11-01"}`, comms)
			k := c.want(201, "POST", "/api/v1/contracts", fmt.Sprintf(`{"platform":"x","title":"Terms of Service","version":"2025-11","accepted_by":"Jordan Okafor","authority":"Communications","accepted_on":"2026-11-01","account_ids":[%d]}`, acc), comms)
			if k["review_on"] != "2027-11-01T00:00:00Z" {
				t.Fatalf("default review date %v", k["review_on"])
			}
			c.want(403, "POST", "/api/v1/contracts", `{}`, staff)

			// Follows (ACC-7): recorded with a kind or flagged for review.
			f := c.want(201, "POST", fmt.Sprintf("/api/v1/accounts/%d/follows", acc), `{"handle":"@candidate","kind":"review","note":"campaign"}`, comms)
			c.want(422, "POST", fmt.Sprintf("/api/v1/accounts/%d/follows", acc), `{"handle":"@pal","kind":"friend"}`, comms)
			c.want(409, "POST", fmt.Sprintf("/api/v1/accounts/%d/follows", acc), `{"handle":"@candidate","kind":"government"}`, comms)
			if g := c.want(200, "POST", fmt.Sprintf("/api/v1/follows/%d", idOf(f)), `{"kind":"local_business"}`, comms); g["kind"] != "local_business" || g["note"] != "campaign" {
				t.Fatalf("classified %v", g)
			}

			// Policies (PPL-4): HR publishes; people acknowledge the current version; directors see their department.
			v1 := idOf(c.want(201, "POST", "/api/v1/policies", `{"slug":"social-media","title":"Social Media Policy","version":"2026-11"}`, hr))
			c.want(403, "POST", "/api/v1/policies", `{"slug":"x","title":"X","version":"1"}`, director)
			c.want(409, "POST", "/api/v1/policies", `{"slug":"social-media","title":"Social Media Policy","version":"2026-11"}`, hr)
			old, _ := app.store.PolicyVersions(ctx)
			var demoV int64
			for _, v := range old {
				if v.Version == "2026-01" {
					demoV = v.ID
				}
			}
			if status, _ := c.call("POST", fmt.Sprintf("/api/v1/policies/%d/acknowledge", demoV), "", staff); status != 409 {
				t.Fatalf("acknowledging a superseded version: %d", status)
			}
			if res := app.do(request{method: "POST", path: fmt.Sprintf("/api/v1/policies/%d/acknowledge", v1), bearer: staff}); res.StatusCode != 204 {
				t.Fatalf("acknowledge: %d", res.StatusCode)
			}
			outstanding := func(tok string) (people int, me bool) {
				l := c.want(200, "GET", "/api/v1/policies", "", tok)
				for _, it := range l["items"].([]any) {
					m := it.(map[string]any)
					if int64(m["id"].(float64)) == v1 {
						return len(m["not_acknowledged"].([]any)), m["acknowledged"].(bool)
					}
				}
				t.Fatal("the current version is not listed")
				return 0, false
			}
			all, _ := app.store.People(ctx, civic.PersonFilter{})
			if n, _ := outstanding(hr); n != len(all)-1 {
				t.Errorf("HR sees %d of %d people outstanding", n, len(all)-1)
			}
			pw, _ := app.store.DepartmentBySlug(ctx, "public-works")
			inPW, _ := app.store.People(ctx, civic.PersonFilter{DepartmentID: pw.ID})
			if n, _ := outstanding(director); n != len(inPW) {
				t.Errorf("the director sees %d outstanding, want the %d of the department", n, len(inPW))
			}
			if n, me := outstanding(staff); n != 0 || !me {
				t.Errorf("staff sees %d outstanding, acknowledged %v", n, me)
			}

			// Conduct cases (CND-1): HR or the City Attorney; evidence is an audit event that exists.
			lee, _ := app.store.People(ctx, civic.PersonFilter{Query: "Lee Tran"})
			cs := c.want(201, "POST", "/api/v1/cases", fmt.Sprintf(`{"person_id":%d,"summary":"shared a suspect's name"}`, lee[0].ID), attorney)
			cid := idOf(cs)
			path := fmt.Sprintf("/api/v1/cases/%d", cid)
			c.want(422, "POST", path+"/entries", `{"kind":"audit_event","ref":"999999"}`, hr)
			c.want(422, "POST", path+"/entries", `{"kind":"rumour","ref":"1"}`, hr)
			c.want(200, "POST", path+"/entries", `{"kind":"audit_event","ref":"1","text":"the account creation"}`, hr)
			c.want(200, "POST", path+"/entries", `{"kind":"decision","text":"interview scheduled"}`, attorney)
			c.want(422, "POST", path+"/close", `{"outcome":""}`, hr)
			closed := c.want(200, "POST", path+"/close", `{"outcome":"coaching"}`, hr)
			if closed["status"] != "closed" || len(closed["entries"].([]any)) != 2 {
				t.Fatalf("closed case %v", closed)
			}
			c.want(409, "POST", path+"/entries", `{"kind":"decision","text":"late"}`, hr)
			c.want(200, "GET", path, "", admin)
			for _, r := range []civic.Role{civic.RoleClerk, civic.RoleAuditor, civic.RoleCommunications, civic.RoleDirector, civic.RoleStaff, civic.RoleIT, civic.RoleSICCommander} {
				c.want(403, "GET", path, "", app.token(demoEmail(r)))
			}
			// The audit listing shows case events only to HR, the City Attorney and the administrator.
			for _, who := range []struct {
				r    civic.Role
				sees bool
			}{{civic.RoleAdmin, true}, {civic.RoleAttorney, true}, {civic.RoleClerk, false}, {civic.RoleAuditor, false}} {
				l := c.want(200, "GET", "/api/v1/audit?limit=1000", "", app.token(demoEmail(who.r)))
				if got := strings.Contains(fmt.Sprint(l), "conduct_case"); got != who.sees {
					t.Errorf("%s sees case events: %v, want %v", who.r, got, who.sees)
				}
			}
		})
	}
}
