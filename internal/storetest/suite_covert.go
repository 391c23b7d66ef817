package storetest

import (
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/postgres"
	"steward.city/steward/internal/sqlite"
	"steward.city/steward/internal/sqlstore"
)

// covertCases check that the store itself keeps covert access to two
// people and keeps everyone else away from covert users' passwords,
// tokens and sessions, whatever service calls it.
var covertCases = []testCase{
	{"CovertAccessNeedsTwoPeople", testCovertTwoPeople},
	{"CovertUsersAreTheirOwn", testCovertUsersOwn},
	{"CovertAccessRevoke", testCovertRevoke},
	{"CovertAccessDatabaseChecks", testCovertDatabaseChecks},
	{"DevicesTokensAndOtherSessions", testDevices},
	{"Migration007KeepsCovertAccess", testMigration007},
}

// as returns the actor of u.
func as(u *civic.User) civic.Actor { return civic.Actor{UserID: u.ID, Label: u.Email} }

// commander makes the city's first SIC commander.
func (f *fixture) commander(t *testing.T, email string) *civic.User {
	t.Helper()
	u := f.user(t, email)
	f.update(t, func(tx civic.Tx) error { return tx.BootstrapCommander(f.ctx, u.ID, "first") })
	return f.reload(t, u)
}

func (f *fixture) reload(t *testing.T, u *civic.User) *civic.User {
	t.Helper()
	got, err := f.s.User(f.ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// grantCovert gives u covert access of kind: proposed by commander,
// approved by approver. It returns the grant.
func (f *fixture) grantCovert(t *testing.T, commander, approver, u *civic.User, kind civic.CovertAccessKind) *civic.CovertAccess {
	t.Helper()
	f.ownPassword(t, u)
	a := &civic.CovertAccess{UserID: u.ID, Kind: kind, Reason: "needs it"}
	if err := f.s.Update(f.ctx, as(commander), func(tx civic.Tx) error { return tx.ProposeCovertAccess(f.ctx, a) }); err != nil {
		t.Fatalf("propose: %v", err)
	}
	if err := f.s.Update(f.ctx, as(approver), func(tx civic.Tx) error {
		return tx.DecideCovertAccess(f.ctx, a.ID, civic.CovertApproved, "")
	}); err != nil {
		t.Fatalf("approve: %v", err)
	}
	got, err := f.s.CovertAccess(f.ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// ownPassword has u set its own password, as a user about to get covert
// access must.
func (f *fixture) ownPassword(t *testing.T, u *civic.User) {
	t.Helper()
	f.update2(t, as(u), func(tx civic.Tx) error { return tx.SetUserPassword(f.ctx, u.ID, "own-hash-of-"+u.Email) })
}

// refused fails unless fn, run as actor, is refused as an attempt on
// covert access, writes nothing, and leaves exactly one
// covert_access.refused event naming attempt.
func (f *fixture) refused(t *testing.T, actor civic.Actor, attempt string, fn func(civic.Tx) error) {
	t.Helper()
	before := f.eventCount(t)
	err := f.s.Update(f.ctx, actor, fn)
	wantErr(t, err, civic.KindForbidden, "")
	if f.eventCount(t) != before+1 {
		t.Fatalf("%s: %d events written, want the one refusal", attempt, f.eventCount(t)-before)
	}
	e := f.lastEvent(t)
	if e.Action != "covert_access.refused" || e.ObjectType != civic.CovertAccessObject || e.ActorID != actor.UserID || !strings.Contains(string(e.After), `"attempt":"`+attempt+`"`) {
		t.Fatalf("%s: refusal event %s %s %s", attempt, e.Action, e.ObjectType, e.After)
	}
}

func testCovertTwoPeople(t *testing.T, f *fixture) {
	c := f.commander(t, "cmdr@city.example")
	if !c.Has(civic.RoleSICCommander) || !c.HoldsCovert() {
		t.Fatalf("first commander %+v", c.Grants)
	}
	if e := f.lastEvent(t); e.Action != "covert_access.bootstrap" {
		t.Fatalf("bootstrap event %s", e.Action)
	}
	x := f.user(t, "x@city.example", civic.Grant{Role: civic.RoleStaff})
	approver := f.user(t, "chief@city.example")
	it := f.user(t, "it@city.example", civic.Grant{Role: civic.RoleIT})
	// A second bootstrap is refused: a commander exists.
	f.refused(t, admin, "bootstrap_commander", func(tx civic.Tx) error { return tx.BootstrapCommander(f.ctx, x.ID, "again") })

	propose := func(u *civic.User) func(civic.Tx) error {
		return func(tx civic.Tx) error {
			return tx.ProposeCovertAccess(f.ctx, &civic.CovertAccess{UserID: u.ID, Kind: civic.CovertCommander, Reason: "deputy"})
		}
	}
	f.refused(t, as(it), "propose_without_commander", propose(x))
	f.refused(t, admin, "propose_without_commander", propose(x))
	f.refused(t, as(c), "propose_self", propose(c))
	f.refused(t, as(c), "propose_user_manager", propose(it))
	wantErr(t, f.s.Update(f.ctx, as(c), func(tx civic.Tx) error {
		return tx.ProposeCovertAccess(f.ctx, &civic.CovertAccess{UserID: x.ID, Kind: civic.CovertCommander})
	}), civic.KindInvalid, "reason")

	a := &civic.CovertAccess{UserID: x.ID, Kind: civic.CovertCommander, Reason: "deputy commander"}
	f.update2(t, as(c), func(tx civic.Tx) error { return tx.ProposeCovertAccess(f.ctx, a) })
	if e := f.lastEvent(t); e.Action != "covert_access.propose" || e.ObjectType != civic.CovertAccessObject {
		t.Fatalf("propose event %s %s", e.Action, e.ObjectType)
	}
	wantErr(t, f.s.Update(f.ctx, as(c), propose(x)), civic.KindConflict, "user_id")
	if f.reload(t, x).Has(civic.RoleSICCommander) {
		t.Fatal("a proposal alone gave the role")
	}
	decide := func(to civic.CovertAccessStatus) func(civic.Tx) error {
		return func(tx civic.Tx) error { return tx.DecideCovertAccess(f.ctx, a.ID, to, "") }
	}
	f.refused(t, as(c), "approve_own_proposal", decide(civic.CovertApproved))
	f.refused(t, as(x), "approve_self", decide(civic.CovertApproved))
	f.refused(t, as(it), "approve_as_user_manager", decide(civic.CovertApproved))
	wantErr(t, f.s.Update(f.ctx, as(approver), decide(civic.CovertWithdrawn)), civic.KindForbidden, "")
	// x's password was set by whoever made the user: not yet.
	f.refused(t, as(approver), "approve_password_set_by_another", decide(civic.CovertApproved))
	// IT prepares: a token and a session for x, and x's password.
	f.update2(t, as(it), func(tx civic.Tx) error {
		if err := tx.SetUserPassword(f.ctx, x.ID, "known-to-it"); err != nil {
			return err
		}
		return tx.CreateToken(f.ctx, &civic.Token{UserID: x.ID, Name: "it's", Prefix: "stw_its", Hash: hashOf("its-token")})
	})
	f.refused(t, as(approver), "approve_password_set_by_another", decide(civic.CovertApproved))
	f.ownPassword(t, x)
	f.update2(t, as(x), func(tx civic.Tx) error {
		return tx.CreateSession(f.ctx, &civic.Session{Hash: hashOf("x-before"), UserID: x.ID, Method: "oidc", ExpiresAt: f.clock.Now().Add(time.Hour)})
	})
	f.update2(t, as(approver), decide(civic.CovertApproved))
	if _, _, err := f.s.TokenUser(f.ctx, hashOf("its-token"), f.clock.Now()); civic.ErrorKind(err) != civic.KindUnauthorized {
		t.Fatalf("a token made before the approval still works: %v", err)
	}
	if _, _, err := f.s.SessionUser(f.ctx, hashOf("x-before"), f.clock.Now()); civic.ErrorKind(err) != civic.KindUnauthorized {
		t.Fatalf("a session started before the approval still works: %v", err)
	}
	got, _ := f.s.CovertAccess(f.ctx, a.ID)
	if got.Status != civic.CovertApproved || got.ProposedBy != c.ID || got.DecidedBy != approver.ID || got.Decider != approver.Email || got.DecidedAt == nil {
		t.Fatalf("approved grant %+v", got)
	}
	if x = f.reload(t, x); !x.Has(civic.RoleSICCommander) {
		t.Fatal("approval did not give the role")
	}
	wantErr(t, f.s.Update(f.ctx, as(approver), decide(civic.CovertRefused)), civic.KindConflict, "")

	// Maintainer access, then a profile maintained by that user.
	m := f.user(t, "m@city.example", civic.Grant{Role: civic.RoleStaff})
	wantErr(t, f.s.Update(f.ctx, admin, func(tx civic.Tx) error {
		return tx.CreateCovertProfile(f.ctx, &civic.CovertProfile{SiteName: "X", SiteURL: "https://x.com/", Username: "u", ScreenName: "s", MaintainerID: m.ID, Purpose: "p"})
	}), civic.KindInvalid, "maintainer_id")
	f.grantCovert(t, x, approver, m, civic.CovertMaintainer)
	if m = f.reload(t, m); !m.CovertMaintainer || m.Has(civic.RoleSICCommander) {
		t.Fatalf("maintainer %+v", m)
	}
	f.update(t, func(tx civic.Tx) error {
		return tx.CreateCovertProfile(f.ctx, &civic.CovertProfile{SiteName: "X", SiteURL: "https://x.com/", Username: "u", ScreenName: "s", MaintainerID: m.ID, Purpose: "p"})
	})
	if gs, _ := f.s.CovertAccesses(f.ctx, civic.CovertAccessFilter{Status: civic.CovertApproved}); len(gs) != 3 {
		t.Fatalf("approved grants %d", len(gs))
	}

	// Refusing and withdrawing.
	y := f.user(t, "y@city.example")
	r := &civic.CovertAccess{UserID: y.ID, Kind: civic.CovertMaintainer, Reason: "r"}
	f.update2(t, as(c), func(tx civic.Tx) error { return tx.ProposeCovertAccess(f.ctx, r) })
	f.update2(t, as(approver), func(tx civic.Tx) error { return tx.DecideCovertAccess(f.ctx, r.ID, civic.CovertRefused, "not needed") })
	w := &civic.CovertAccess{UserID: y.ID, Kind: civic.CovertMaintainer, Reason: "again"}
	f.update2(t, as(c), func(tx civic.Tx) error { return tx.ProposeCovertAccess(f.ctx, w) })
	wantErr(t, f.s.Update(f.ctx, as(x), func(tx civic.Tx) error { return tx.DecideCovertAccess(f.ctx, w.ID, civic.CovertWithdrawn, "") }), civic.KindForbidden, "")
	f.update2(t, as(c), func(tx civic.Tx) error { return tx.DecideCovertAccess(f.ctx, w.ID, civic.CovertWithdrawn, "") })
	if y = f.reload(t, y); y.HoldsCovert() {
		t.Fatal("a refused or withdrawn proposal gave access")
	}
	// The proposer lost the role before the approval: refused.
	z := f.user(t, "z@city.example")
	late := &civic.CovertAccess{UserID: z.ID, Kind: civic.CovertMaintainer, Reason: "late"}
	f.update2(t, as(c), func(tx civic.Tx) error { return tx.ProposeCovertAccess(f.ctx, late) })
	f.update(t, func(tx civic.Tx) error { return tx.SetUserDisabled(f.ctx, c.ID, true) })
	wantErr(t, f.s.Update(f.ctx, as(approver), func(tx civic.Tx) error {
		return tx.DecideCovertAccess(f.ctx, late.ID, civic.CovertApproved, "")
	}), civic.KindConflict, "")
}

// update2 runs fn as actor and fails the test on error.
func (f *fixture) update2(t *testing.T, actor civic.Actor, fn func(civic.Tx) error) {
	t.Helper()
	if err := f.s.Update(f.ctx, actor, fn); err != nil {
		t.Fatal(err)
	}
}

func testCovertUsersOwn(t *testing.T, f *fixture) {
	c := f.commander(t, "cmdr@city.example")
	approver := f.user(t, "chief@city.example")
	m := f.user(t, "m@city.example", civic.Grant{Role: civic.RoleStaff})
	f.grantCovert(t, c, approver, m, civic.CovertMaintainer)
	it := as(f.user(t, "it@city.example", civic.Grant{Role: civic.RoleIT}))
	plain := f.user(t, "plain@city.example", civic.Grant{Role: civic.RoleStaff})

	// The role is never given or taken outside the two-person flow.
	f.refused(t, it, "create_user", func(tx civic.Tx) error {
		p := &civic.Person{Name: "Mole", Kind: civic.KindEmployee, DepartmentID: plain.DepartmentID}
		if err := tx.CreatePerson(f.ctx, p); err != nil {
			return err
		}
		return tx.CreateUser(f.ctx, &civic.User{PersonID: p.ID, Email: "mole@city.example", Grants: []civic.Grant{{Role: civic.RoleSICCommander}}})
	})
	f.refused(t, it, "set_roles", func(tx civic.Tx) error {
		return tx.SetUserGrants(f.ctx, plain.ID, []civic.Grant{{Role: civic.RoleSICCommander}})
	})
	f.refused(t, it, "set_roles", func(tx civic.Tx) error { return tx.SetUserGrants(f.ctx, c.ID, nil) })
	f.refused(t, it, "set_roles", func(tx civic.Tx) error {
		return tx.SetUserGrants(f.ctx, c.ID, []civic.Grant{{Role: civic.RoleSICCommander}, {Role: civic.RoleAdmin}})
	})
	f.refused(t, it, "set_roles", func(tx civic.Tx) error { return tx.SetUserGrants(f.ctx, m.ID, []civic.Grant{{Role: civic.RoleIT}}) })
	// Other roles of a covert user may change.
	f.update2(t, it, func(tx civic.Tx) error {
		return tx.SetUserGrants(f.ctx, c.ID, []civic.Grant{{Role: civic.RoleSICCommander}, {Role: civic.RoleAuditor}})
	})

	// Nobody else acts for a covert user; everyone may for a plain one.
	tok := &civic.Token{UserID: m.ID, Name: "own", Prefix: "stw_own", Hash: hashOf("m-token")}
	f.update2(t, as(m), func(tx civic.Tx) error { return tx.CreateToken(f.ctx, tok) })
	for _, u := range []*civic.User{c, m} {
		f.refused(t, it, "reset_password", func(tx civic.Tx) error { return tx.SetUserPassword(f.ctx, u.ID, "forged") })
		f.refused(t, admin, "reset_password", func(tx civic.Tx) error { return tx.SetUserPassword(f.ctx, u.ID, "forged") })
		f.refused(t, it, "create_token", func(tx civic.Tx) error {
			return tx.CreateToken(f.ctx, &civic.Token{UserID: u.ID, Name: "x", Prefix: "stw_x", Hash: hashOf("x" + u.Email)})
		})
		f.refused(t, it, "create_session", func(tx civic.Tx) error {
			return tx.CreateSession(f.ctx, &civic.Session{Hash: hashOf("s" + u.Email), UserID: u.ID, Method: "password", ExpiresAt: f.clock.Now().Add(time.Hour)})
		})
		f.refused(t, it, "end_sessions", func(tx civic.Tx) error { return tx.DeleteUserSessions(f.ctx, u.ID) })
		f.refused(t, it, "revoke_token", func(tx civic.Tx) error { return tx.RevokeUserTokens(f.ctx, u.ID) })
		f.refused(t, civic.Actor{Label: "sso:" + u.Email}, "link_sso", func(tx civic.Tx) error { return tx.SetUserSubject(f.ctx, u.ID, "idp|forged") })
	}
	f.refused(t, it, "revoke_token", func(tx civic.Tx) error { return tx.RevokeToken(f.ctx, tok.ID) })
	if got, _ := f.s.User(f.ctx, c.ID); got.PasswordHash == "forged" || got.Subject != "" {
		t.Fatal("a refused change was written")
	}
	// The user themselves may.
	f.update2(t, as(m), func(tx civic.Tx) error {
		if err := tx.SetUserPassword(f.ctx, m.ID, "own-new-hash"); err != nil {
			return err
		}
		if err := tx.CreateSession(f.ctx, &civic.Session{Hash: hashOf("m-session"), UserID: m.ID, Method: "password", ExpiresAt: f.clock.Now().Add(time.Hour)}); err != nil {
			return err
		}
		return tx.RevokeToken(f.ctx, tok.ID)
	})
	f.update2(t, it, func(tx civic.Tx) error {
		if err := tx.SetUserPassword(f.ctx, plain.ID, "reset-by-it"); err != nil {
			return err
		}
		return tx.CreateToken(f.ctx, &civic.Token{UserID: plain.ID, Name: "svc", Prefix: "stw_svc", Hash: hashOf("plain-token")})
	})
	// Disabling stays possible (and ends the sessions) for offboarding.
	f.update2(t, it, func(tx civic.Tx) error { return tx.SetUserDisabled(f.ctx, m.ID, true) })
	if _, _, err := f.s.SessionUser(f.ctx, hashOf("m-session"), f.clock.Now()); civic.ErrorKind(err) != civic.KindUnauthorized {
		t.Fatalf("disabled maintainer's session: %v", err)
	}
	// Only commanders list the refusals.
	shown, _ := f.s.AuditEvents(f.ctx, civic.AuditFilter{Limit: 1000, HideObjectTypes: civic.HiddenObjectTypes(plain)})
	for _, e := range shown {
		if e.ObjectType == civic.CovertAccessObject {
			t.Fatalf("a staff user lists %s", e.Action)
		}
	}
	if !strings.Contains(strings.Join(civic.HiddenObjectTypes(plain), ","), civic.CovertAccessObject) || strings.Contains(strings.Join(civic.HiddenObjectTypes(c), ","), civic.CovertAccessObject) {
		t.Fatal("HiddenObjectTypes does not keep covert access to commanders")
	}
}

func testCovertRevoke(t *testing.T, f *fixture) {
	c := f.commander(t, "cmdr@city.example")
	approver := f.user(t, "chief@city.example")
	x := f.user(t, "x@city.example")
	m := f.user(t, "m@city.example")
	gx := f.grantCovert(t, c, approver, x, civic.CovertCommander)
	gm := f.grantCovert(t, c, approver, m, civic.CovertMaintainer)
	first, _ := f.s.CovertAccesses(f.ctx, civic.CovertAccessFilter{UserID: c.ID})
	if len(first) != 1 || first[0].ProposedBy != 0 || first[0].Status != civic.CovertApproved {
		t.Fatalf("bootstrap grant %+v", first)
	}
	f.refused(t, as(approver), "revoke_without_commander", func(tx civic.Tx) error { return tx.RevokeCovertAccess(f.ctx, gm.ID, "x") })
	wantErr(t, f.s.Update(f.ctx, as(c), func(tx civic.Tx) error { return tx.RevokeCovertAccess(f.ctx, gm.ID, "") }), civic.KindInvalid, "reason")
	f.update2(t, as(c), func(tx civic.Tx) error { return tx.RevokeCovertAccess(f.ctx, gm.ID, "left the unit") })
	if m = f.reload(t, m); m.HoldsCovert() {
		t.Fatal("revoked maintainer still holds access")
	}
	// Now anyone may reset m's password again.
	f.update(t, func(tx civic.Tx) error { return tx.SetUserPassword(f.ctx, m.ID, "reset") })
	// x revokes the first commander; x, now the only one, keeps the role.
	f.update2(t, as(x), func(tx civic.Tx) error { return tx.RevokeCovertAccess(f.ctx, first[0].ID, "retired") })
	if f.reload(t, c).Has(civic.RoleSICCommander) {
		t.Fatal("revoked commander keeps the role")
	}
	wantErr(t, f.s.Update(f.ctx, as(x), func(tx civic.Tx) error { return tx.RevokeCovertAccess(f.ctx, gx.ID, "leaving") }), civic.KindConflict, "")
	wantErr(t, f.s.Update(f.ctx, as(x), func(tx civic.Tx) error { return tx.RevokeCovertAccess(f.ctx, gm.ID, "again") }), civic.KindConflict, "")
}

// testCovertDatabaseChecks: someone who writes SQL directly still cannot
// record access approved by its proposer or by its user.
func testCovertDatabaseChecks(t *testing.T, f *fixture) {
	st, ok := f.s.(*sqlstore.Store)
	if !ok {
		t.Skip("the store does not expose its database")
	}
	c := f.commander(t, "cmdr@city.example")
	approver := f.user(t, "chief@city.example")
	x := f.user(t, "x@city.example")
	a := &civic.CovertAccess{UserID: x.ID, Kind: civic.CovertMaintainer, Reason: "r"}
	f.update2(t, as(c), func(tx civic.Tx) error { return tx.ProposeCovertAccess(f.ctx, a) })
	q := func(s string, args ...any) error {
		_, err := st.DB().ExecContext(f.ctx, st.Dialect().Rebind(s), args...)
		return err
	}
	for name, sqlText := range map[string]string{
		"approved by its proposer": `UPDATE covert_access SET status = 'approved', decided_by = proposed_by WHERE id = ?`,
		"approved by its user":     `UPDATE covert_access SET status = 'approved', decided_by = user_id WHERE id = ?`,
		"proposed by its user":     `UPDATE covert_access SET proposed_by = user_id WHERE id = ?`,
	} {
		if err := q(sqlText, a.ID); err == nil {
			t.Errorf("the database accepted access %s", name)
		}
	}
	if err := q(`INSERT INTO covert_access (user_id, kind, status, reason, proposed_at) VALUES (?, 'maintainer', 'proposed', 'dup', ?)`, x.ID, f.clock.Now()); err == nil {
		t.Error("the database accepted a second open proposal for one user and kind")
	}
	if err := q(`UPDATE covert_access SET status = 'approved', decided_by = ? WHERE id = ?`, approver.ID, a.ID); err != nil {
		t.Errorf("a proper approval was refused: %v", err)
	}
}

func testDevices(t *testing.T, f *fixture) {
	u := f.user(t, "sam@city.example", civic.Grant{Role: civic.RoleStaff})
	now := f.clock.Now()
	d := &civic.Device{Hash: hashOf("device"), UserID: u.ID, ExpiresAt: now.Add(48 * time.Hour)}
	before := f.eventCount(t)
	f.update(t, func(tx civic.Tx) error { return tx.CreateDevice(f.ctx, d) })
	if f.eventCount(t) != before {
		t.Error("remembering a device wrote an audit event")
	}
	got, err := f.s.Device(f.ctx, hashOf("device"), now)
	if err != nil || got.UserID != u.ID || !got.ExpiresAt.Equal(dbTimeOf(d.ExpiresAt)) {
		t.Fatalf("device %+v %v", got, err)
	}
	_, err = f.s.Device(f.ctx, hashOf("other"), now)
	wantErr(t, err, civic.KindNotFound, "")
	_, err = f.s.Device(f.ctx, hashOf("device"), now.Add(49*time.Hour))
	wantErr(t, err, civic.KindNotFound, "")

	// Tokens revoked at once; sessions ended but one.
	for _, n := range []string{"a", "b"} {
		f.update2(t, as(u), func(tx civic.Tx) error {
			if err := tx.CreateToken(f.ctx, &civic.Token{UserID: u.ID, Name: n, Prefix: "stw_" + n, Hash: hashOf("tok-" + n)}); err != nil {
				return err
			}
			return tx.CreateSession(f.ctx, &civic.Session{Hash: hashOf("sess-" + n), UserID: u.ID, Method: "password", ExpiresAt: now.Add(time.Hour)})
		})
	}
	f.update2(t, as(u), func(tx civic.Tx) error { return tx.RevokeUserTokens(f.ctx, u.ID) })
	if e := f.lastEvent(t); e.Action != "token.revoke_all" || !strings.Contains(string(e.After), `"tokens_revoked":2`) {
		t.Fatalf("revoke_all event %s %s", e.Action, e.After)
	}
	for _, n := range []string{"a", "b"} {
		if _, _, err := f.s.TokenUser(f.ctx, hashOf("tok-"+n), now); civic.ErrorKind(err) != civic.KindUnauthorized {
			t.Errorf("token %s still works: %v", n, err)
		}
	}
	n := f.eventCount(t)
	f.update2(t, as(u), func(tx civic.Tx) error { return tx.RevokeUserTokens(f.ctx, u.ID) })
	if f.eventCount(t) != n {
		t.Error("revoking no tokens wrote an event")
	}
	f.update2(t, as(u), func(tx civic.Tx) error { return tx.DeleteOtherSessions(f.ctx, u.ID, hashOf("sess-a")) })
	if _, _, err := f.s.SessionUser(f.ctx, hashOf("sess-a"), now); err != nil {
		t.Errorf("the kept session ended: %v", err)
	}
	if _, _, err := f.s.SessionUser(f.ctx, hashOf("sess-b"), now); civic.ErrorKind(err) != civic.KindUnauthorized {
		t.Errorf("the other session survived: %v", err)
	}

	// Purging forgets expired devices.
	f.clock.Advance(72 * time.Hour)
	f.update(t, func(tx civic.Tx) error { _, err := tx.PurgeExpired(f.ctx, f.clock.Now().Add(-time.Hour)); return err })
	if e := f.lastEvent(t); e.Action != "auth.purge_expired" || !strings.Contains(string(e.After), `"devices":1`) {
		t.Fatalf("purge event %s %s", e.Action, e.After)
	}
}

func dbTimeOf(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// testMigration007: a city upgrading keeps its commanders and maintainers,
// recorded as access held before the two-person rule.
func testMigration007(t *testing.T, f *fixture) {
	st, ok := f.s.(*sqlstore.Store)
	if !ok {
		t.Skip("the store does not expose its database")
	}
	cmdr := f.user(t, "cmdr@city.example")
	m := f.user(t, "m@city.example")
	plain := f.user(t, "plain@city.example")
	now := f.clock.Now().UTC()
	for _, q := range []struct {
		sql  string
		args []any
	}{
		// Back to the schema before 007, with access given the old way.
		{`DROP TABLE covert_access`, nil},
		{`DROP TABLE sign_in_devices`, nil},
		{`DELETE FROM schema_migrations WHERE version = 7`, nil},
		{`INSERT INTO user_roles (user_id, role) VALUES (?, 'sic_commander')`, []any{cmdr.ID}},
		{`INSERT INTO covert_profiles (site_name, site_url, username, screen_name, maintainer_id, purpose, registered_on, next_audit_on, status, created_at, updated_at)
			VALUES ('X', 'https://x.com/', 'u', 's', ?, 'p', ?, ?, 'active', ?, ?)`, []any{m.ID, now, now, now, now}},
	} {
		if _, err := st.DB().ExecContext(f.ctx, st.Dialect().Rebind(q.sql), q.args...); err != nil {
			t.Fatalf("%s: %v", q.sql, err)
		}
	}
	migrate := sqlite.Migrate
	if st.Engine() == "postgres" {
		migrate = postgres.Migrate
	}
	if n, err := migrate(f.ctx, st.DB(), f.clock.Now); err != nil || n != 1 {
		t.Fatalf("migrate: %d %v", n, err)
	}
	gs, err := f.s.CovertAccesses(f.ctx, civic.CovertAccessFilter{Status: civic.CovertApproved})
	if err != nil || len(gs) != 2 {
		t.Fatalf("grants after the migration: %+v %v", gs, err)
	}
	for _, g := range gs {
		if g.ProposedBy != 0 || g.DecidedBy != 0 || !strings.Contains(g.Reason, "migration 007") ||
			(g.UserID == cmdr.ID) != (g.Kind == civic.CovertCommander) || (g.UserID != cmdr.ID && g.UserID != m.ID) {
			t.Errorf("grant %+v", g)
		}
	}
	if u := f.reload(t, m); !u.CovertMaintainer {
		t.Error("the maintainer lost maintainer access")
	}
	if u := f.reload(t, plain); u.HoldsCovert() {
		t.Error("a plain user got covert access")
	}
	if holds, _ := f.s.HoldsCovertAccess(f.ctx, cmdr.ID); !holds {
		t.Error("the commander does not hold covert access")
	}
}
