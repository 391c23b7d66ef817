package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/storetest"
)

// apiClient calls the API on app and decodes JSON answers.
type apiClient struct {
	t   *testing.T
	app *testApp
}

func (c apiClient) call(method, path, body, bearer string) (int, map[string]any) {
	c.t.Helper()
	res := c.app.do(request{method: method, path: path, body: body, bearer: bearer})
	raw := readBody(c.t, res)
	var m map[string]any
	if raw != "" {
		if err := json.Unmarshal([]byte(raw), &m); err != nil {
			c.t.Fatalf("%s %s: body %q is not JSON", method, path, raw)
		}
	}
	return res.StatusCode, m
}

// want calls and fails unless the status is status; it returns the body.
func (c apiClient) want(status int, method, path, body, bearer string) map[string]any {
	c.t.Helper()
	got, m := c.call(method, path, body, bearer)
	if got != status {
		c.t.Fatalf("%s %s %s: status %d %v, want %d", method, path, body, got, m, status)
	}
	return m
}

// addUser adds a covered person in the department with slug dept and a
// user holding gs, and returns the user.
func (a *testApp) addUser(email, dept string, gs ...civic.Grant) *civic.User {
	a.t.Helper()
	ctx := context.Background()
	d, err := a.store.DepartmentBySlug(ctx, dept)
	if err != nil {
		a.t.Fatal(err)
	}
	u := &civic.User{Email: email, Grants: gs}
	if err := a.store.Update(ctx, civic.System, func(tx civic.Tx) error {
		p := &civic.Person{Name: email, Kind: civic.KindEmployee, DepartmentID: d.ID}
		if err := tx.CreatePerson(ctx, p); err != nil {
			return err
		}
		u.PersonID = p.ID
		return tx.CreateUser(ctx, u)
	}); err != nil {
		a.t.Fatal(err)
	}
	got, err := a.store.User(ctx, u.ID)
	if err != nil {
		a.t.Fatal(err)
	}
	return got
}

// requestBody is an account request for the department with the two
// administrators.
func requestBody(dept int64, handle string, admins ...int64) string {
	b, _ := json.Marshal(map[string]any{"department_id": dept, "platform": "facebook", "handle": handle, "display_name": "City " + handle,
		"purpose": "street work notices", "audience": "residents", "categories": []string{"announcements", "safety"},
		"administrator_ids": admins, "website_url": "https://www.demo-city.example/", "profile_text": "Official. In an emergency call 9-1-1.", "institutional": true})
	return string(b)
}

func idOf(m map[string]any) int64 { return int64(m["id"].(float64)) }

// TestRegistryAPI walks account requests, approval chains, the inventory,
// authorized posters and credential custody through the API on every
// engine, with each edge case of the issue.
func TestRegistryAPI(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			app := newApp(t, e, nil)
			c := apiClient{t, app}
			ctx := context.Background()
			pw, _ := app.store.DepartmentBySlug(ctx, "public-works")
			worker := app.addUser("worker@demo-city.example", "public-works", civic.Grant{Role: civic.RoleStaff})
			other := app.addUser("other@demo-city.example", "public-works", civic.Grant{Role: civic.RoleStaff})
			comms, director, staff, it, admin := app.token(demoEmail(civic.RoleCommunications)), app.token(demoEmail(civic.RoleDirector)), app.token(demoEmail(civic.RoleStaff)), app.token(demoEmail(civic.RoleIT)), app.token(demoEmail(civic.RoleAdmin))
			workerTok, otherTok := app.token(worker.Email), app.token(other.Email)
			body := requestBody(pw.ID, "CityStreets", worker.PersonID, other.PersonID)

			// Bad requests are refused with the field named, and write nothing.
			head := func() int64 { n, _, _ := app.store.AuditHead(ctx); return n }
			before := head()
			c.want(422, "POST", "/api/v1/accounts", requestBody(pw.ID, "X", worker.PersonID), workerTok)
			c.want(422, "POST", "/api/v1/accounts", strings.Replace(body, `"safety"`, `"opinions"`, 1), workerTok)
			c.want(422, "POST", "/api/v1/accounts", strings.Replace(body, `"https://www.demo-city.example/"`, `"demo-city"`, 1), workerTok)
			c.want(422, "POST", "/api/v1/accounts", strings.Replace(body, `"purpose"`, `"colour":1,"purpose"`, 1), workerTok)
			c.want(422, "POST", "/api/v1/accounts", body, staff) // staff of Parks asks for Public Works
			if head() != before {
				t.Fatal("refused requests wrote audit events")
			}

			// staff requests → director approves → Communications approves.
			req := c.want(201, "POST", "/api/v1/accounts", body, workerTok)
			id := idOf(req)
			acc := fmt.Sprintf("/api/v1/accounts/%d", id)
			if req["status"] != "requested" {
				t.Fatalf("request status %v", req["status"])
			}
			c.want(403, "POST", acc+"/decision", `{"decision":"approve"}`, comms) // waits for the director
			c.want(403, "POST", acc+"/decision", `{"decision":"approve"}`, staff) // route: staff never decide
			c.want(200, "POST", acc+"/decision", `{"decision":"approve","comment":"needed for snow season"}`, director)
			// Approving twice: the same person cannot decide a second step.
			c.want(409, "POST", acc+"/decision", `{"decision":"approve"}`, director)
			m := c.want(200, "POST", acc+"/decision", `{"decision":"approve"}`, comms)
			if m["status"] != "approved" || len(m["approvals"].([]any)) != 2 {
				t.Fatalf("after the chain: %v", m)
			}
			c.want(409, "POST", acc+"/decision", `{"decision":"approve"}`, comms)
			c.want(409, "POST", acc+"/withdraw", `{}`, workerTok)
			m = c.want(200, "POST", acc+"/status", `{"status":"active"}`, comms)
			if m["status"] != "active" || m["activated_at"] == nil {
				t.Fatalf("activate: %v", m)
			}
			if ns, _ := app.store.Notifications(ctx, mustUser(t, app, demoEmail(civic.RoleCommunications)).ID); len(ns) == 0 || ns[0].Kind != "approval_waiting" {
				t.Errorf("Communications was not notified when the request reached its step: %v", ns)
			}

			// Nobody approves their own request.
			own := idOf(c.want(201, "POST", "/api/v1/accounts", requestBody(pw.ID, "MariasOwn", worker.PersonID, other.PersonID), director))
			c.want(403, "POST", fmt.Sprintf("/api/v1/accounts/%d/decision", own), `{"decision":"approve"}`, director)

			// Approving after withdrawal.
			wd := idOf(c.want(201, "POST", "/api/v1/accounts", requestBody(pw.ID, "Withdrawn", worker.PersonID, other.PersonID), workerTok))
			c.want(403, "POST", fmt.Sprintf("/api/v1/accounts/%d/withdraw", wd), `{}`, otherTok)
			c.want(200, "POST", fmt.Sprintf("/api/v1/accounts/%d/withdraw", wd), `{"reason":"duplicate"}`, workerTok)
			c.want(409, "POST", fmt.Sprintf("/api/v1/accounts/%d/decision", wd), `{"decision":"approve"}`, director)

			// A refused request cannot be approved later.
			rf := idOf(c.want(201, "POST", "/api/v1/accounts", requestBody(pw.ID, "Refused", worker.PersonID, other.PersonID), workerTok))
			rfp := fmt.Sprintf("/api/v1/accounts/%d/decision", rf)
			if _, m := c.call("POST", rfp, `{"decision":"refuse"}`, director); m["error"].(map[string]any)["field"] != "comment" {
				t.Fatalf("refusing without a reason: %v", m)
			}
			c.want(200, "POST", rfp, `{"decision":"refuse","comment":"one account is enough"}`, director)
			c.want(409, "POST", rfp, `{"decision":"approve"}`, comms)

			// The inventory leaves out refused and withdrawn requests; counts.
			list := c.want(200, "GET", fmt.Sprintf("/api/v1/accounts?department_id=%d", pw.ID), "", staff)
			handles := ""
			for _, it := range list["items"].([]any) {
				handles += it.(map[string]any)["handle"].(string) + " "
			}
			if !strings.Contains(handles, "CityStreets") || strings.Contains(handles, "Withdrawn") || strings.Contains(handles, "Refused") {
				t.Fatalf("inventory %s", handles)
			}
			if l := c.want(200, "GET", "/api/v1/accounts?status=refused", "", staff); len(l["items"].([]any)) != 1 {
				t.Fatalf("refused filter %v", l)
			}
			c.want(422, "GET", "/api/v1/accounts?status=lost", "", staff)

			// Authorized posters: the worker asks, the director grants until tomorrow.
			pp := c.want(201, "POST", acc+"/posters", `{"reason":"I plow and post the routes"}`, workerTok)
			pid := idOf(pp)
			c.want(409, "POST", acc+"/posters", `{"reason":"again"}`, workerTok)
			c.want(403, "POST", fmt.Sprintf("/api/v1/posters/%d/decision", pid), `{"decision":"grant","expires":"2026-11-22"}`, comms) // Communications sees, the director decides
			c.want(422, "POST", fmt.Sprintf("/api/v1/posters/%d/decision", pid), `{"decision":"grant","expires":"2026-11-21"}`, director)
			g := c.want(200, "POST", fmt.Sprintf("/api/v1/posters/%d/decision", pid), `{"decision":"grant","expires":"2026-11-22"}`, director)
			if g["status"] != "granted" {
				t.Fatalf("grant %v", g)
			}
			if l := c.want(200, "GET", "/api/v1/posters", "", comms); len(l["items"].([]any)) < 1 {
				t.Fatal("Communications does not see every grant")
			}
			can := func() bool {
				ok, err := app.reg.CanPost(ctx, worker.ID, id)
				if err != nil {
					t.Fatal(err)
				}
				return ok
			}
			if !can() {
				t.Fatal("a granted poster cannot post")
			}
			app.clock.Advance(14*time.Hour + 59*time.Minute) // 23:59 on the 21st
			if !can() {
				t.Fatal("the grant stopped before its expiry day")
			}
			app.clock.Advance(time.Minute) // 00:00 on the 22nd, the expiry day
			if can() {
				t.Fatal("an expired grant still works on its expiry day")
			}

			// Granting to a disabled user.
			op := idOf(c.want(201, "POST", acc+"/posters", `{"reason":"backup"}`, otherTok))
			c.want(200, "PATCH", fmt.Sprintf("/api/v1/users/%d", other.ID), `{"disabled":true}`, admin)
			c.want(409, "POST", fmt.Sprintf("/api/v1/posters/%d/decision", op), `{"decision":"grant","expires":"2027-01-31"}`, director)

			// Credential custody: IT stores, the answer holds no secret.
			const secret = "correct-horse-SECRET-4242"
			cr := c.want(201, "POST", acc+"/credentials", `{"kind":"password","secret":"`+secret+`"}`, it)
			if strings.Contains(fmt.Sprint(cr), secret) {
				t.Fatal("the store answer shows the secret")
			}
			cid := idOf(cr)
			reveal := fmt.Sprintf("/api/v1/credentials/%d/reveal", cid)
			c.want(403, "POST", acc+"/credentials", `{"kind":"password","secret":"x"}`, admin)
			if l := c.want(200, "GET", acc+"/credentials", "", staff); strings.Contains(fmt.Sprint(l), secret) {
				t.Fatal("the credential list shows the secret")
			}
			c.want(422, "POST", reveal, `{"reason":" "}`, it)
			c.want(403, "POST", reveal, `{"reason":"curious"}`, staff)
			if r := c.want(200, "POST", reveal, `{"reason":"password reset after the vendor call"}`, it); r["secret"] != secret {
				t.Fatalf("reveal answered %v", r)
			}
			if r := c.want(200, "POST", reveal, `{"reason":"posting a storm notice"}`, workerTok); r["secret"] != secret {
				t.Fatal("a named administrator of the account cannot reveal")
			}
			evs := c.want(200, "GET", "/api/v1/audit?action=credential.reveal", "", admin)
			if n := len(evs["items"].([]any)); n != 2 || !strings.Contains(fmt.Sprint(evs), "password reset after the vendor call") {
				t.Fatalf("reveal events: %d %v", n, evs)
			}

			// Suspend and retire need reasons; a retired account's credentials stay shut.
			c.want(422, "POST", acc+"/status", `{"status":"suspended"}`, comms)
			c.want(200, "POST", acc+"/status", `{"status":"suspended","reason":"compromised"}`, comms)
			c.want(200, "POST", acc+"/status", `{"status":"retired","reason":"merged into the city page"}`, comms)
			c.want(409, "POST", acc+"/status", `{"status":"active"}`, comms)
			c.want(409, "POST", reveal, `{"reason":"one more look"}`, it)
			if a, _ := app.store.Account(ctx, id); a.Status != civic.AccountRetired || a.StatusReason != "merged into the city page" {
				t.Fatalf("retired: %+v", a)
			}

			// Disabling IT flags the credentials it could reveal.
			itUser := mustUser(t, app, demoEmail(civic.RoleIT))
			c.want(200, "PATCH", fmt.Sprintf("/api/v1/users/%d", itUser.ID), `{"disabled":true}`, admin)
			if cr, _ := app.store.Credential(ctx, cid); cr.RotationNeeded == nil || !strings.Contains(cr.RotationReason, itUser.Email) {
				t.Fatalf("credential not flagged for rotation: %+v", cr)
			}

			// The secret is nowhere but the reveal answers.
			var all strings.Builder
			app.store.WalkAudit(ctx, func(e *civic.AuditEvent) error {
				all.Write(e.Before)
				all.Write(e.After)
				return nil
			})
			all.WriteString(app.logs.String())
			if strings.Contains(all.String(), secret) {
				t.Fatal("the secret is in the audit log or the logs")
			}
		})
	}
}

func mustUser(t *testing.T, app *testApp, email string) *civic.User {
	t.Helper()
	u, err := app.store.UserByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestApprovalChainPerDepartment checks the Police chain: director, then
// Police Administration, then Communications, each a different person.
func TestApprovalChainPerDepartment(t *testing.T) {
	app := sqliteApp(t)
	c := apiClient{t, app}
	ctx := context.Background()
	police, _ := app.store.DepartmentBySlug(ctx, "police")
	officer := app.addUser("officer@demo-city.example", "police", civic.Grant{Role: civic.RoleStaff})
	lt := app.addUser("lt@demo-city.example", "police", civic.Grant{Role: civic.RoleDirector, DepartmentID: police.ID})
	chief := app.addUser("chief@demo-city.example", "police", civic.Grant{Role: civic.RoleDirector, DepartmentID: police.ID})
	m := c.want(200, "GET", fmt.Sprintf("/api/v1/departments/%d/approval-chain", police.ID), "", app.token(demoEmail(civic.RoleStaff)))
	if steps := m["steps"].([]any); len(steps) != 3 || steps[1].(map[string]any)["label"] != "Police Administration" {
		t.Fatalf("police chain %v", m)
	}
	id := idOf(c.want(201, "POST", "/api/v1/accounts", requestBody(police.ID, "MPDPrecinct3", officer.PersonID, lt.PersonID), app.token(officer.Email)))
	dec := fmt.Sprintf("/api/v1/accounts/%d/decision", id)
	ltTok, chiefTok, comms := app.token(lt.Email), app.token(chief.Email), app.token(demoEmail(civic.RoleCommunications))
	c.want(403, "POST", dec, `{"decision":"approve"}`, comms)
	c.want(200, "POST", dec, `{"decision":"approve"}`, ltTok)
	c.want(409, "POST", dec, `{"decision":"approve"}`, ltTok) // the same director cannot be Police Administration too
	c.want(403, "POST", dec, `{"decision":"approve"}`, comms)
	c.want(200, "POST", dec, `{"decision":"approve","comment":"Police Administration approves"}`, chiefTok)
	if m := c.want(200, "POST", dec, `{"decision":"approve"}`, comms); m["status"] != "approved" {
		t.Fatalf("after three steps: %v", m["status"])
	}
	// Only Communications (or the administrator) configures chains.
	c.want(403, "PUT", fmt.Sprintf("/api/v1/departments/%d/approval-chain", police.ID), `{"steps":[]}`, ltTok)
	c.want(422, "PUT", fmt.Sprintf("/api/v1/departments/%d/approval-chain", police.ID), `{"steps":[{"label":"x","role":"mayor"}]}`, comms)
	if m := c.want(200, "PUT", fmt.Sprintf("/api/v1/departments/%d/approval-chain", police.ID), `{"steps":[]}`, comms); len(m["steps"].([]any)) != 2 {
		t.Fatalf("reset chain %v", m)
	}
}

// TestInventoryCSV downloads the filtered inventory as CSV from the page.
func TestInventoryCSV(t *testing.T) {
	app := sqliteApp(t)
	res := app.do(request{method: "GET", path: "/accounts?format=csv&department=parks", cookie: app.session(demoEmail(civic.RoleAuditor))})
	body := readBody(t, res)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	lines := strings.Split(strings.TrimSpace(body), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "id,platform,handle") || !strings.Contains(lines[1], "@cityparks") || !strings.Contains(lines[2], "@parks@demo-city.example") {
		t.Fatalf("csv body:\n%s", body)
	}
	res = app.do(request{method: "GET", path: "/accounts?department=nowhere", cookie: app.session(demoEmail(civic.RoleAuditor))})
	if res.StatusCode != 422 {
		t.Fatalf("unknown department filter: %d", res.StatusCode)
	}
}
