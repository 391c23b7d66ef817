package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/storetest"
)

// The role-escalation matrix: every role, a covert profile maintainer and
// the covert approver try every way the server offers to gain a role or
// another user's session (set roles, create a user with roles, reset a
// password, make or revoke another user's token, propose or approve covert
// access for themselves, approve their own proposal), through the pages
// and the API. Single sign-on and the command line, which are not a role's
// doing, have their own tests (TestSingleSignOnNeverGivesCovertAccess,
// cli.TestCovertFromTheCommandLine).
//
// An attempt that is not in its row's allowed list must be refused with a
// 4xx answer that says why, change nothing (users, roles, passwords,
// tokens, grants of covert access), and, when it reached the rule that
// refused it (rather than the route's permission), be recorded in the
// covert audit log with the attacker as actor.

// escSubject is one attacker.
type escSubject struct {
	name   string
	user   *civic.User
	cookie string
	bearer string
}

// escWorld is what the attacks aim at.
type escWorld struct {
	app        *testApp
	commander  *civic.User // the demo SIC commander
	cmdrTok    string      // the commander's bearer, for proposing
	approver   string      // the covert approver's bearer
	maintainer *civic.User
	bystander  *civic.User // a plain staff user
	spare      *civic.Person
	victimTok  map[int64]int64  // a token of each covert user, by user id
	bearers    map[int64]string // each subject's token, by user id
}

// escAttack is one way to gain a role or a session.
type escAttack struct {
	name string
	// allowed lists the subjects for whom the attempt is legitimate.
	allowed []string
	// audited reports whether a refusal of s is recorded (it reached the
	// rule); nil: whenever s may manage users (admin, it).
	audited func(s *escSubject) bool
	// run makes the attempt and returns the answer's status and body.
	run func(w *escWorld, s *escSubject) (int, string)
	// undo restores what an allowed attempt changed.
	undo func(t *testing.T, w *escWorld, s *escSubject)
}

func managesUsers(s *escSubject) bool { return civic.ManagesUsers(s.user.Grants) }

func (w *escWorld) api(s *escSubject, method, path, body string) (int, string) {
	res := w.app.do(request{method: method, path: path, body: body, bearer: s.bearer})
	return res.StatusCode, readBody(w.app.t, res)
}

func (w *escWorld) page(s *escSubject, path string, kv ...string) (int, string) {
	res := w.app.do(request{method: "POST", path: path, body: form(kv...), cookie: s.cookie})
	return res.StatusCode, readBody(w.app.t, res)
}

// rolesJSON is gs plus extra, as the API takes them.
func rolesJSON(gs []civic.Grant, extra ...civic.Grant) string {
	b, _ := json.Marshal(map[string]any{"roles": append(slices.Clone(gs), extra...)})
	return string(b)
}

// roleForm is gs plus extra, as the roles form posts them.
func roleForm(gs []civic.Grant, extra ...string) []string {
	var kv []string
	for _, g := range gs {
		kv = append(kv, "role", string(g.Role))
		if g.DepartmentID != 0 {
			kv = append(kv, "director_department", itoa64(g.DepartmentID))
		}
	}
	for _, r := range extra {
		kv = append(kv, "role", r)
	}
	return kv
}

var sicGrant = civic.Grant{Role: civic.RoleSICCommander}

// propose has the commander propose kind for u and returns the grant's
// id, or 0 and the refusal.
func (w *escWorld) propose(u *civic.User, kind civic.CovertAccessKind) (int64, string) {
	res := w.app.do(request{method: "POST", path: "/api/v1/covert-access", bearer: w.cmdrTok,
		body: fmt.Sprintf(`{"user_id":%d,"kind":%q,"reason":"matrix"}`, u.ID, kind)})
	body := readBody(w.app.t, res)
	if res.StatusCode != http.StatusCreated {
		return 0, body
	}
	var m map[string]any
	json.Unmarshal([]byte(body), &m)
	return idOf(m), ""
}

// closeGrant withdraws (as its proposer) or revokes grant id, whatever
// became of it.
func (w *escWorld) closeGrant(t testing.TB, id int64) {
	t.Helper()
	a, err := w.app.store.CovertAccess(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	switch a.Status {
	case civic.CovertProposed:
		proposer := w.cmdrTok
		if b, ok := w.bearers[a.ProposedBy]; ok {
			proposer = b
		}
		w.app.do(request{method: "POST", path: fmt.Sprintf("/api/v1/covert-access/%d/withdraw", id), bearer: proposer, body: "{}"})
	case civic.CovertApproved:
		w.app.do(request{method: "POST", path: fmt.Sprintf("/api/v1/covert-access/%d/revoke", id), bearer: w.cmdrTok, body: `{"reason":"matrix undo"}`})
	}
	if a, _ := w.app.store.CovertAccess(context.Background(), id); a.Status == civic.CovertProposed || a.Status == civic.CovertApproved {
		t.Fatalf("grant %d is still %s", id, a.Status)
	}
}

var escAttacks = []escAttack{
	{name: "give yourself sic_commander (API)", run: func(w *escWorld, s *escSubject) (int, string) {
		return w.api(s, "PATCH", fmt.Sprintf("/api/v1/users/%d", s.user.ID), rolesJSON(s.user.Grants, sicGrant))
	}},
	{name: "give yourself sic_commander (page)", run: func(w *escWorld, s *escSubject) (int, string) {
		return w.page(s, fmt.Sprintf("/users/%d/roles", s.user.ID), roleForm(s.user.Grants, "sic_commander")...)
	}},
	{name: "give yourself admin (API)", allowed: []string{"admin"}, audited: func(*escSubject) bool { return false },
		run: func(w *escWorld, s *escSubject) (int, string) {
			return w.api(s, "PATCH", fmt.Sprintf("/api/v1/users/%d", s.user.ID), rolesJSON(s.user.Grants, civic.Grant{Role: civic.RoleAdmin}))
		}},
	{name: "make yourself the covert approver (director of Police)", audited: func(*escSubject) bool { return false },
		run: func(w *escWorld, s *escSubject) (int, string) {
			police, _ := w.app.store.DepartmentBySlug(context.Background(), "police")
			return w.api(s, "PATCH", fmt.Sprintf("/api/v1/users/%d", s.user.ID), rolesJSON(s.user.Grants, civic.Grant{Role: civic.RoleDirector, DepartmentID: police.ID}))
		}},
	{name: "give another user sic_commander (API)", run: func(w *escWorld, s *escSubject) (int, string) {
		return w.api(s, "PATCH", fmt.Sprintf("/api/v1/users/%d", w.bystander.ID), rolesJSON(w.bystander.Grants, sicGrant))
	}},
	{name: "give another user sic_commander (page)", run: func(w *escWorld, s *escSubject) (int, string) {
		return w.page(s, fmt.Sprintf("/users/%d/roles", w.bystander.ID), roleForm(w.bystander.Grants, "sic_commander")...)
	}},
	{name: "take sic_commander from the commander (API)", run: func(w *escWorld, s *escSubject) (int, string) {
		return w.api(s, "PATCH", fmt.Sprintf("/api/v1/users/%d", w.commander.ID), `{"roles":[{"role":"staff"}]}`)
	}},
	{name: "make a maintainer an IT user (API)", run: func(w *escWorld, s *escSubject) (int, string) {
		return w.api(s, "PATCH", fmt.Sprintf("/api/v1/users/%d", w.maintainer.ID), rolesJSON(w.maintainer.Grants, civic.Grant{Role: civic.RoleIT}))
	}},
	{name: "create a commander (API)", run: func(w *escWorld, s *escSubject) (int, string) {
		return w.api(s, "POST", "/api/v1/users", fmt.Sprintf(`{"person_id":%d,"email":"mole@demo-city.example","password":"a long mole password","roles":[{"role":"sic_commander"}]}`, w.spare.ID))
	}},
	{name: "create a commander (page)", run: func(w *escWorld, s *escSubject) (int, string) {
		return w.page(s, "/users", "person_id", itoa64(w.spare.ID), "email", "mole@demo-city.example", "password", "a long mole password", "role", "sic_commander")
	}},
	{name: "reset the commander's password (API)", run: func(w *escWorld, s *escSubject) (int, string) {
		return w.api(s, "POST", fmt.Sprintf("/api/v1/users/%d/password", w.commander.ID), `{"password":"now I am the commander"}`)
	}},
	{name: "reset the commander's password (page)", run: func(w *escWorld, s *escSubject) (int, string) {
		return w.page(s, fmt.Sprintf("/users/%d/password", w.commander.ID), "password", "now I am the commander")
	}},
	{name: "reset a maintainer's password (API)", run: func(w *escWorld, s *escSubject) (int, string) {
		return w.api(s, "POST", fmt.Sprintf("/api/v1/users/%d/password", w.maintainer.ID), `{"password":"now I am the maintainer"}`)
	}},
	{name: "reset a maintainer's password (page)", run: func(w *escWorld, s *escSubject) (int, string) {
		return w.page(s, fmt.Sprintf("/users/%d/password", w.maintainer.ID), "password", "now I am the maintainer")
	}},
	{name: "create a token for the commander (API)", allowed: []string{"sic_commander"},
		run: func(w *escWorld, s *escSubject) (int, string) {
			return w.api(s, "POST", "/api/v1/tokens", fmt.Sprintf(`{"name":"mine now","user_id":%d}`, w.commander.ID))
		},
		undo: func(t *testing.T, w *escWorld, s *escSubject) { w.revokeNewest(t, s, w.commander.ID) }},
	{name: "create a token for a maintainer (API)", allowed: []string{"maintainer"},
		run: func(w *escWorld, s *escSubject) (int, string) {
			return w.api(s, "POST", "/api/v1/tokens", fmt.Sprintf(`{"name":"mine now","user_id":%d}`, w.maintainer.ID))
		},
		undo: func(t *testing.T, w *escWorld, s *escSubject) { w.revokeNewest(t, s, w.maintainer.ID) }},
	{name: "revoke the commander's token (API)", allowed: []string{"sic_commander"},
		run: func(w *escWorld, s *escSubject) (int, string) {
			return w.api(s, "DELETE", fmt.Sprintf("/api/v1/tokens/%d", w.victimTok[w.commander.ID]), "")
		},
		undo: func(t *testing.T, w *escWorld, s *escSubject) { w.newVictimToken(t, w.commander) }},
	{name: "revoke a maintainer's token (page)", allowed: []string{"maintainer"},
		run: func(w *escWorld, s *escSubject) (int, string) {
			return w.page(s, fmt.Sprintf("/tokens/%d/revoke", w.victimTok[w.maintainer.ID]))
		},
		undo: func(t *testing.T, w *escWorld, s *escSubject) { w.newVictimToken(t, w.maintainer) }},
	{name: "propose covert access for yourself", audited: func(s *escSubject) bool { return s.user.Has(civic.RoleSICCommander) },
		run: func(w *escWorld, s *escSubject) (int, string) {
			return w.api(s, "POST", "/api/v1/covert-access", fmt.Sprintf(`{"user_id":%d,"kind":"commander","reason":"me"}`, s.user.ID))
		}},
	{name: "approve your own proposal", audited: func(s *escSubject) bool { return s.user.Has(civic.RoleSICCommander) },
		run: func(w *escWorld, s *escSubject) (int, string) {
			code, body := w.api(s, "POST", "/api/v1/covert-access", fmt.Sprintf(`{"user_id":%d,"kind":"maintainer","reason":"my pick"}`, w.bystander.ID))
			if code != http.StatusCreated {
				return code, body
			}
			var m map[string]any
			json.Unmarshal([]byte(body), &m)
			code, body = w.api(s, "POST", fmt.Sprintf("/api/v1/covert-access/%d/decision", idOf(m)), `{"decision":"approve"}`)
			w.closeGrant(w.app.t, idOf(m))
			return code, body
		}},
	{name: "approve the commander's proposal for another user", allowed: []string{"approver", "commander+approver"},
		audited: func(*escSubject) bool { return true },
		run: func(w *escWorld, s *escSubject) (int, string) {
			id, refusal := w.propose(w.bystander, civic.CovertCommander)
			if id == 0 {
				return 500, refusal
			}
			code, body := w.api(s, "POST", fmt.Sprintf("/api/v1/covert-access/%d/decision", id), `{"decision":"approve"}`)
			if code != http.StatusOK {
				w.closeGrant(w.app.t, id)
			}
			return code, body
		},
		undo: func(t *testing.T, w *escWorld, s *escSubject) {
			gs, _ := w.app.store.CovertAccesses(context.Background(), civic.CovertAccessFilter{UserID: w.bystander.ID, Status: civic.CovertApproved})
			for _, g := range gs {
				w.closeGrant(t, g.ID)
			}
		}},
	{name: "approve a proposal naming yourself", audited: func(s *escSubject) bool { return !managesUsers(s) },
		run: func(w *escWorld, s *escSubject) (int, string) {
			kind := civic.CovertCommander
			if s.user.Has(civic.RoleSICCommander) {
				kind = civic.CovertMaintainer
			}
			id, refusal := w.propose(s.user, kind)
			if id == 0 {
				// The commander may not even propose it (for a user manager, for the
				// commander themselves): refused one step earlier, by the proposer.
				return 403, refusal
			}
			defer w.closeGrant(w.app.t, id)
			return w.api(s, "POST", fmt.Sprintf("/api/v1/covert-access/%d/decision", id), `{"decision":"approve"}`)
		}},
}

// revokeNewest revokes, as the subject itself, the newest token of owner.
func (w *escWorld) revokeNewest(t *testing.T, s *escSubject, owner int64) {
	t.Helper()
	ts, _ := w.app.store.Tokens(context.Background(), owner)
	if code, _ := w.api(s, "DELETE", fmt.Sprintf("/api/v1/tokens/%d", ts[0].ID), ""); code != http.StatusNoContent {
		t.Fatalf("undo: revoke %d: %d", ts[0].ID, code)
	}
}

// newVictimToken gives u (as u) a fresh token for the attacks to aim at.
func (w *escWorld) newVictimToken(t *testing.T, u *civic.User) {
	t.Helper()
	_, tk, err := w.app.auth.CreateToken(context.Background(), civic.ActorOf(u), u.ID, "victim", 0)
	if err != nil {
		t.Fatal(err)
	}
	w.victimTok[u.ID] = tk.ID
}

// snapshot is everything an escalation would change: each user's roles,
// password, sign-in link, covert access and status; each token; each grant.
func (w *escWorld) snapshot(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	us, err := w.app.store.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range us {
		full, _ := w.app.store.User(ctx, u.ID)
		fmt.Fprintf(&b, "user %d %s %s %q %q %v %v\n", u.ID, u.Email, civic.FormatGrants(full.Grants), full.PasswordHash, full.Subject, full.CovertMaintainer, full.DisabledAt != nil)
	}
	ts, _ := w.app.store.Tokens(ctx, 0)
	for _, tk := range ts {
		fmt.Fprintf(&b, "token %d %d %v\n", tk.ID, tk.UserID, tk.RevokedAt != nil)
	}
	as, _ := w.app.store.CovertAccesses(ctx, civic.CovertAccessFilter{})
	for _, a := range as {
		if a.Status == civic.CovertProposed || a.Status == civic.CovertApproved {
			fmt.Fprintf(&b, "access %d %d %s %s\n", a.ID, a.UserID, a.Kind, a.Status)
		}
	}
	return b.String()
}

// refusalsBy counts the covert_access.refused events by user id.
func (w *escWorld) refusalsBy(t *testing.T, id int64) int {
	t.Helper()
	es, err := w.app.store.AuditEvents(context.Background(), civic.AuditFilter{Action: "covert_access.refused", ActorID: id, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return len(es)
}

// TestRoleEscalationMatrix runs every attack as every subject on each
// engine.
func TestRoleEscalationMatrix(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			app := newApp(t, e, nil)
			ctx := context.Background()
			w := &escWorld{app: app, commander: mustUser(t, app, demoEmail(civic.RoleSICCommander)), cmdrTok: app.token(demoEmail(civic.RoleSICCommander)),
				approver: app.token(approverEmail), victimTok: map[int64]int64{}, bearers: map[int64]string{}}
			w.maintainer = app.grantCovert(t, app.addUser("maint@demo-city.example", "police", civic.Grant{Role: civic.RoleStaff}), civic.CovertMaintainer)
			w.bystander = app.addUser("bystander@demo-city.example", "parks", civic.Grant{Role: civic.RoleStaff})
			police, _ := app.store.DepartmentBySlug(ctx, "police")
			both := app.grantCovert(t, app.addUser("cmdr-chief@demo-city.example", "police", civic.Grant{Role: civic.RoleDirector, DepartmentID: police.ID}), civic.CovertCommander)
			w.spare = &civic.Person{Name: "Spare Person", Kind: civic.KindEmployee, DepartmentID: police.ID}
			if err := app.store.Update(ctx, civic.System, func(tx civic.Tx) error { return tx.CreatePerson(ctx, w.spare) }); err != nil {
				t.Fatal(err)
			}
			w.newVictimToken(t, w.commander)
			w.newVictimToken(t, w.maintainer)

			var subjects []*escSubject
			add := func(name string, u *civic.User) {
				cookie, err := app.auth.StartSession(ctx, u, "password")
				if err != nil {
					t.Fatal(err)
				}
				s := &escSubject{name: name, user: u, cookie: cookie, bearer: app.token(u.Email)}
				w.bearers[u.ID] = s.bearer
				subjects = append(subjects, s)
			}
			for _, r := range civic.Roles {
				add(string(r), mustUser(t, app, demoEmail(r)))
			}
			add("maintainer", w.maintainer)
			add("approver", mustUser(t, app, approverEmail))
			add("commander+approver", both)

			for _, a := range escAttacks {
				for _, s := range subjects {
					before, refusals := w.snapshot(t), w.refusalsBy(t, s.user.ID)
					code, body := a.run(w, s)
					allowed := slices.Contains(a.allowed, s.name)
					where := fmt.Sprintf("%s as %s", a.name, s.name)
					if allowed {
						if code >= 400 {
							t.Errorf("%s: %d %s, want it allowed", where, code, body)
						}
						if a.undo != nil {
							a.undo(t, w, s)
						}
						continue
					}
					if code < 400 || code >= 500 {
						t.Errorf("%s: %d, want it refused", where, code)
						continue
					}
					if after := w.snapshot(t); after != before {
						t.Errorf("%s was refused (%d) but changed:\n%s\nto\n%s", where, code, before, after)
					}
					if strings.Contains(body, "internal error") || len(strings.TrimSpace(body)) == 0 {
						t.Errorf("%s: %d without a message", where, code)
					}
					audited := managesUsers(s)
					if a.audited != nil {
						audited = a.audited(s)
					}
					if got := w.refusalsBy(t, s.user.ID) - refusals; audited && got == 0 {
						t.Errorf("%s: refused (%d) but not in the covert audit log", where, code)
					}
				}
			}
			// Nobody but the commanders lists a single refusal.
			for _, s := range subjects {
				body := readBody(t, app.do(request{method: "GET", path: "/api/v1/audit?limit=1000", bearer: s.bearer}))
				if !s.user.Has(civic.RoleSICCommander) && strings.Contains(body, "covert_access") {
					t.Errorf("%s lists covert access events", s.name)
				}
			}
		})
	}
}
