package storetest

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"steward.city/steward/internal/audit"
	"steward.city/steward/internal/civic"
)

// Run runs the conformance suite on every engine.
func Run(t *testing.T) {
	for _, e := range Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			for _, c := range slices.Concat(cases, covertCases, registryCases, publicCases, archiveCases, recordsCases, captureCases, moderationCases) {
				t.Run(c.name, func(t *testing.T) {
					t.Parallel()
					clock := NewClock(time.Date(2026, 3, 2, 9, 30, 0, 123456789, time.UTC))
					s := e.Open(t, clock.Now)
					c.fn(t, &fixture{s: s, clock: clock, ctx: context.Background()})
					if _, err := audit.Verify(context.Background(), s); err != nil {
						t.Errorf("audit chain after test: %v", err)
					}
				})
			}
		})
	}
}

type fixture struct {
	s     civic.Store
	clock *Clock
	ctx   context.Context
}

var admin = civic.Actor{UserID: 0, Label: "suite"}

// update runs fn and fails the test on error.
func (f *fixture) update(t *testing.T, fn func(civic.Tx) error) {
	t.Helper()
	if err := f.s.Update(f.ctx, admin, fn); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) department(t *testing.T, slug, name string) *civic.Department {
	t.Helper()
	d := &civic.Department{Slug: slug, Name: name}
	f.update(t, func(tx civic.Tx) error { return tx.CreateDepartment(f.ctx, d) })
	return d
}

func (f *fixture) person(t *testing.T, name string, dept int64) *civic.Person {
	t.Helper()
	p := &civic.Person{Name: name, Email: "", Kind: civic.KindEmployee, DepartmentID: dept}
	f.update(t, func(tx civic.Tx) error { return tx.CreatePerson(f.ctx, p) })
	return p
}

func (f *fixture) user(t *testing.T, email string, gs ...civic.Grant) *civic.User {
	t.Helper()
	d, err := f.s.DepartmentBySlug(f.ctx, "it")
	if err != nil {
		d = f.department(t, "it", "Information Technology")
	}
	p := f.person(t, email, d.ID)
	u := &civic.User{PersonID: p.ID, Email: email, PasswordHash: "hash-of-" + email, Grants: gs}
	f.update(t, func(tx civic.Tx) error { return tx.CreateUser(f.ctx, u) })
	return u
}

// wantErr fails unless err has kind and, when field is not "", names field.
func wantErr(t *testing.T, err error, kind civic.Kind, field string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", kind)
	}
	if k := civic.ErrorKind(err); k != kind {
		t.Fatalf("got %s error %v, want %s", k, err, kind)
	}
	if field != "" && civic.ErrorField(err) != field {
		t.Fatalf("error %v names field %q, want %q", err, civic.ErrorField(err), field)
	}
}

// lastEvent returns the newest audit event.
func (f *fixture) lastEvent(t *testing.T) *civic.AuditEvent {
	t.Helper()
	es, err := f.s.AuditEvents(f.ctx, civic.AuditFilter{Limit: 1})
	if err != nil || len(es) == 0 {
		t.Fatalf("no audit event: %v", err)
	}
	return es[0]
}

func (f *fixture) eventCount(t *testing.T) int64 {
	t.Helper()
	n, _, err := f.s.AuditHead(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func hashOf(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

// testCase is one conformance test; each area of Steward has its list.
type testCase struct {
	name string
	fn   func(*testing.T, *fixture)
}

var cases = []testCase{
	{"Departments", testDepartments},
	{"People", testPeople},
	{"Users", testUsers},
	{"UserGrants", testUserGrants},
	{"Sessions", testSessions},
	{"Tokens", testTokens},
	{"ThrottleAndSettings", testThrottleAndSettings},
	{"RollbackWritesNothing", testRollback},
	{"AuditFilters", testAuditFilters},
	{"AuditSeqsByObjectType", testAuditSeqs},
	{"ConcurrentWritesKeepOneChain", testConcurrent},
}

func testDepartments(t *testing.T, f *fixture) {
	d := f.department(t, " Police ", "Police Department")
	if d.ID == 0 || d.Slug != "police" {
		t.Fatalf("created %+v", d)
	}
	got, err := f.s.Department(f.ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Police Department" || !got.CreatedAt.Equal(f.clock.Now().Truncate(time.Microsecond)) {
		t.Errorf("read back %+v", got)
	}
	e := f.lastEvent(t)
	if e.Action != "department.create" || e.ObjectID != fmt.Sprint(d.ID) || e.Actor != "suite" || e.Before != nil || e.After == nil {
		t.Errorf("audit event %+v", e)
	}
	err = f.s.Update(f.ctx, admin, func(tx civic.Tx) error {
		return tx.CreateDepartment(f.ctx, &civic.Department{Slug: "police", Name: "Other"})
	})
	wantErr(t, err, civic.KindConflict, "slug")
	err = f.s.Update(f.ctx, admin, func(tx civic.Tx) error {
		return tx.CreateDepartment(f.ctx, &civic.Department{Slug: "other", Name: "Police Department"})
	})
	wantErr(t, err, civic.KindConflict, "name")
	err = f.s.Update(f.ctx, admin, func(tx civic.Tx) error {
		return tx.CreateDepartment(f.ctx, &civic.Department{Slug: "Bad Slug!", Name: "X"})
	})
	wantErr(t, err, civic.KindInvalid, "slug")
	_, err = f.s.Department(f.ctx, 999)
	wantErr(t, err, civic.KindNotFound, "")

	f.department(t, "library", "Library")
	f.clock.Advance(time.Hour)
	d.Name = "Minneapolis Police Department"
	f.update(t, func(tx civic.Tx) error { return tx.UpdateDepartment(f.ctx, d) })
	e = f.lastEvent(t)
	if e.Action != "department.update" || e.Before == nil || e.After == nil {
		t.Errorf("update event %+v", e)
	}
	ds, err := f.s.Departments(f.ctx)
	if err != nil || len(ds) != 2 || ds[0].Slug != "library" || ds[1].Name != "Minneapolis Police Department" {
		t.Fatalf("Departments = %v, %v", ds, err)
	}
	if !ds[1].UpdatedAt.After(ds[1].CreatedAt) {
		t.Errorf("updated_at not moved: %+v", ds[1])
	}
	bySlug, err := f.s.DepartmentBySlug(f.ctx, "library")
	if err != nil || bySlug.Name != "Library" {
		t.Errorf("DepartmentBySlug = %v, %v", bySlug, err)
	}
}

func testPeople(t *testing.T, f *fixture) {
	police := f.department(t, "police", "Police")
	parks := f.department(t, "parks", "Parks")
	err := f.s.Update(f.ctx, admin, func(tx civic.Tx) error {
		return tx.CreatePerson(f.ctx, &civic.Person{Name: "Ann", Kind: civic.KindEmployee, DepartmentID: 999})
	})
	wantErr(t, err, civic.KindInvalid, "department_id")
	err = f.s.Update(f.ctx, admin, func(tx civic.Tx) error {
		return tx.CreatePerson(f.ctx, &civic.Person{Name: "Ann", Kind: "wizard", DepartmentID: police.ID})
	})
	wantErr(t, err, civic.KindInvalid, "kind")
	err = f.s.Update(f.ctx, admin, func(tx civic.Tx) error {
		return tx.CreatePerson(f.ctx, &civic.Person{Name: "Ann", Email: "not an address", Kind: civic.KindEmployee, DepartmentID: police.ID})
	})
	wantErr(t, err, civic.KindInvalid, "email")

	ann := &civic.Person{Name: "Ann Olson", Email: "Ann.Olson@City.example", Kind: civic.KindEmployee, DepartmentID: police.ID}
	ben := &civic.Person{Name: "Ben Ali", Kind: civic.KindElectedOfficial, DepartmentID: parks.ID, Title: "Council member"}
	f.update(t, func(tx civic.Tx) error {
		if err := tx.CreatePerson(f.ctx, ann); err != nil {
			return err
		}
		return tx.CreatePerson(f.ctx, ben)
	})
	if ann.Email != "ann.olson@city.example" {
		t.Errorf("email not normalized: %q", ann.Email)
	}
	for _, tc := range []struct {
		f    civic.PersonFilter
		want []string
	}{
		{civic.PersonFilter{}, []string{"Ann Olson", "Ben Ali"}},
		{civic.PersonFilter{DepartmentID: parks.ID}, []string{"Ben Ali"}},
		{civic.PersonFilter{Kind: civic.KindEmployee}, []string{"Ann Olson"}},
		{civic.PersonFilter{Query: "olson"}, []string{"Ann Olson"}},
		{civic.PersonFilter{Query: "%"}, nil},
	} {
		ps, err := f.s.People(f.ctx, tc.f)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, p := range ps {
			names = append(names, p.Name)
		}
		if fmt.Sprint(names) != fmt.Sprint(tc.want) {
			t.Errorf("People(%+v) = %v, want %v", tc.f, names, tc.want)
		}
	}
	ben.DepartmentID = police.ID
	f.update(t, func(tx civic.Tx) error { return tx.UpdatePerson(f.ctx, ben) })
	got, err := f.s.Person(f.ctx, ben.ID)
	if err != nil || got.DepartmentID != police.ID || got.Title != "Council member" {
		t.Errorf("Person = %+v, %v", got, err)
	}
	ben.DepartmentID = 12345
	err = f.s.Update(f.ctx, admin, func(tx civic.Tx) error { return tx.UpdatePerson(f.ctx, ben) })
	wantErr(t, err, civic.KindInvalid, "department_id")
}

func testUsers(t *testing.T, f *fixture) {
	it := f.department(t, "it", "IT")
	p := f.person(t, "Cal", it.ID)
	err := f.s.Update(f.ctx, admin, func(tx civic.Tx) error {
		return tx.CreateUser(f.ctx, &civic.User{Email: "cal@city.example"})
	})
	wantErr(t, err, civic.KindInvalid, "person_id")
	err = f.s.Update(f.ctx, admin, func(tx civic.Tx) error {
		return tx.CreateUser(f.ctx, &civic.User{PersonID: 777, Email: "cal@city.example"})
	})
	wantErr(t, err, civic.KindInvalid, "person_id")

	u := &civic.User{PersonID: p.ID, Email: "Cal@City.example", PasswordHash: "secret-hash", Grants: []civic.Grant{{Role: civic.RoleIT}}}
	f.update(t, func(tx civic.Tx) error { return tx.CreateUser(f.ctx, u) })
	e := f.lastEvent(t)
	if e.Action != "user.create" || strings.Contains(string(e.After), "secret-hash") {
		t.Errorf("user.create event %s leaks or is wrong", e.After)
	}
	got, err := f.s.UserByEmail(f.ctx, "cal@city.example")
	if err != nil || got.ID != u.ID || got.PasswordHash != "secret-hash" || got.PersonName != "Cal" || got.DepartmentID != it.ID || len(got.Grants) != 1 {
		t.Fatalf("UserByEmail = %+v, %v", got, err)
	}
	// One user per person; one person per e-mail address.
	err = f.s.Update(f.ctx, admin, func(tx civic.Tx) error {
		return tx.CreateUser(f.ctx, &civic.User{PersonID: p.ID, Email: "other@city.example"})
	})
	wantErr(t, err, civic.KindConflict, "person_id")
	p2 := f.person(t, "Dee", it.ID)
	err = f.s.Update(f.ctx, admin, func(tx civic.Tx) error {
		return tx.CreateUser(f.ctx, &civic.User{PersonID: p2.ID, Email: "cal@city.example"})
	})
	wantErr(t, err, civic.KindConflict, "email")

	f.update(t, func(tx civic.Tx) error { return tx.SetUserPassword(f.ctx, u.ID, "new-hash") })
	if e := f.lastEvent(t); e.Action != "user.set_password" || strings.Contains(string(e.After)+string(e.Before), "new-hash") {
		t.Errorf("set_password event %+v", e)
	}
	f.update(t, func(tx civic.Tx) error { return tx.SetUserSubject(f.ctx, u.ID, "https://idp.example|abc") })
	got, err = f.s.UserBySubject(f.ctx, "https://idp.example|abc")
	if err != nil || got.ID != u.ID || got.PasswordHash != "new-hash" {
		t.Fatalf("UserBySubject = %+v, %v", got, err)
	}
	_, err = f.s.UserBySubject(f.ctx, "nobody")
	wantErr(t, err, civic.KindNotFound, "")

	users, err := f.s.Users(f.ctx)
	if err != nil || len(users) != 1 || users[0].Grants[0].Role != civic.RoleIT {
		t.Fatalf("Users = %v, %v", users, err)
	}
}

func testUserGrants(t *testing.T, f *fixture) {
	police := f.department(t, "police", "Police")
	u := f.user(t, "dir@city.example", civic.Grant{Role: civic.RoleStaff})
	err := f.s.Update(f.ctx, admin, func(tx civic.Tx) error {
		return tx.SetUserGrants(f.ctx, u.ID, []civic.Grant{{Role: civic.RoleDirector}})
	})
	wantErr(t, err, civic.KindInvalid, "roles")
	err = f.s.Update(f.ctx, admin, func(tx civic.Tx) error {
		return tx.SetUserGrants(f.ctx, u.ID, []civic.Grant{{Role: civic.RoleDirector, DepartmentID: 4242}})
	})
	wantErr(t, err, civic.KindInvalid, "roles")
	err = f.s.Update(f.ctx, admin, func(tx civic.Tx) error {
		return tx.SetUserGrants(f.ctx, u.ID, []civic.Grant{{Role: "mayor"}})
	})
	wantErr(t, err, civic.KindInvalid, "roles")
	// A failed change leaves the old roles.
	got, _ := f.s.User(f.ctx, u.ID)
	if civic.FormatGrants(got.Grants) != "staff" {
		t.Fatalf("roles after failed change = %v", got.Grants)
	}
	want := []civic.Grant{{Role: civic.RoleAuditor}, {Role: civic.RoleDirector, DepartmentID: police.ID}, {Role: civic.RoleAuditor}}
	f.update(t, func(tx civic.Tx) error { return tx.SetUserGrants(f.ctx, u.ID, want) })
	got, _ = f.s.User(f.ctx, u.ID)
	if s := civic.FormatGrants(got.Grants); s != fmt.Sprintf("director:%d,auditor", police.ID) {
		t.Errorf("roles = %s", s)
	}
	if e := f.lastEvent(t); e.Action != "user.set_roles" || e.Before == nil {
		t.Errorf("event %+v", e)
	}
}

func testSessions(t *testing.T, f *fixture) {
	u := f.user(t, "sam@city.example", civic.Grant{Role: civic.RoleStaff})
	now := f.clock.Now()
	s := &civic.Session{Hash: hashOf("cookie"), UserID: u.ID, Method: "password", ExpiresAt: now.Add(time.Hour)}
	f.update(t, func(tx civic.Tx) error { return tx.CreateSession(f.ctx, s) })
	if e := f.lastEvent(t); e.Action != "auth.sign_in" {
		t.Errorf("event %s", e.Action)
	}
	gs, gu, err := f.s.SessionUser(f.ctx, hashOf("cookie"), now)
	if err != nil || gu.ID != u.ID || gs.Method != "password" {
		t.Fatalf("SessionUser = %+v %+v %v", gs, gu, err)
	}
	_, _, err = f.s.SessionUser(f.ctx, hashOf("cookie"), now.Add(2*time.Hour))
	wantErr(t, err, civic.KindUnauthorized, "")
	_, _, err = f.s.SessionUser(f.ctx, hashOf("other"), now)
	wantErr(t, err, civic.KindUnauthorized, "")

	// Disabling a user ends its sessions.
	f.update(t, func(tx civic.Tx) error { return tx.SetUserDisabled(f.ctx, u.ID, true) })
	_, _, err = f.s.SessionUser(f.ctx, hashOf("cookie"), now)
	wantErr(t, err, civic.KindUnauthorized, "")
	got, _ := f.s.User(f.ctx, u.ID)
	if got.DisabledAt == nil || got.Can(civic.PermSignedIn) {
		t.Errorf("disabled user %+v", got)
	}
	f.update(t, func(tx civic.Tx) error { return tx.SetUserDisabled(f.ctx, u.ID, false) })
	got, _ = f.s.User(f.ctx, u.ID)
	if got.DisabledAt != nil {
		t.Errorf("enabled user still disabled")
	}

	s2 := &civic.Session{Hash: hashOf("cookie2"), UserID: u.ID, Method: "oidc", ExpiresAt: now.Add(time.Hour)}
	f.update(t, func(tx civic.Tx) error { return tx.CreateSession(f.ctx, s2) })
	f.update(t, func(tx civic.Tx) error { return tx.DeleteSession(f.ctx, s2.Hash) })
	if e := f.lastEvent(t); e.Action != "auth.sign_out" {
		t.Errorf("event %s", e.Action)
	}
	n := f.eventCount(t)
	f.update(t, func(tx civic.Tx) error { return tx.DeleteSession(f.ctx, s2.Hash) })
	if f.eventCount(t) != n {
		t.Errorf("signing out of an ended session wrote an event")
	}

	// Purging: only expired sessions and stale throttles go.
	s3 := &civic.Session{Hash: hashOf("cookie3"), UserID: u.ID, Method: "password", ExpiresAt: now.Add(3 * time.Hour)}
	s4 := &civic.Session{Hash: hashOf("cookie4"), UserID: u.ID, Method: "password", ExpiresAt: now.Add(time.Hour)}
	f.update(t, func(tx civic.Tx) error {
		if err := tx.CreateSession(f.ctx, s3); err != nil {
			return err
		}
		if err := tx.CreateSession(f.ctx, s4); err != nil {
			return err
		}
		if err := tx.SetThrottle(f.ctx, &civic.Throttle{Key: "old", Failures: 1, LastFailure: now.Add(-2 * time.Hour), LockedUntil: now.Add(-2 * time.Hour)}); err != nil {
			return err
		}
		return tx.SetThrottle(f.ctx, &civic.Throttle{Key: "fresh", Failures: 1, LastFailure: now, LockedUntil: now})
	})
	f.clock.Advance(2 * time.Hour) // "cookie4" has expired, "cookie3" has not
	var purged int64
	f.update(t, func(tx civic.Tx) (err error) {
		purged, err = tx.PurgeExpired(f.ctx, now.Add(-time.Hour))
		return err
	})
	if purged != 1 {
		t.Errorf("purged %d sessions, want 1", purged)
	}
	if e := f.lastEvent(t); e.Action != "auth.purge_expired" || !strings.Contains(string(e.After), `"throttles":1`) {
		t.Errorf("purge event %s %s", e.Action, e.After)
	}
	if _, _, err := f.s.SessionUser(f.ctx, hashOf("cookie3"), f.clock.Now()); err != nil {
		t.Errorf("live session purged: %v", err)
	}
	if th, _ := f.s.Throttle(f.ctx, "fresh"); th.Failures != 1 {
		t.Errorf("fresh throttle purged")
	}
	n = f.eventCount(t)
	f.update(t, func(tx civic.Tx) error { _, err := tx.PurgeExpired(f.ctx, now.Add(-time.Hour)); return err })
	if f.eventCount(t) != n {
		t.Errorf("a purge that deleted nothing wrote an event")
	}
}

func testTokens(t *testing.T, f *fixture) {
	u := f.user(t, "api@city.example", civic.Grant{Role: civic.RoleClerk})
	now := f.clock.Now()
	exp := now.Add(24 * time.Hour)
	tk := &civic.Token{UserID: u.ID, Name: "records script", Prefix: "stw_abcd", Hash: hashOf("tok"), ExpiresAt: &exp}
	f.update(t, func(tx civic.Tx) error { return tx.CreateToken(f.ctx, tk) })
	if e := f.lastEvent(t); e.Action != "token.create" || strings.Contains(string(e.After), fmt.Sprintf("%x", hashOf("tok"))) {
		t.Errorf("token event %s", e.After)
	}
	gt, gu, err := f.s.TokenUser(f.ctx, hashOf("tok"), now)
	if err != nil || gt.ID != tk.ID || gu.Email != "api@city.example" || gt.UserEmail != "api@city.example" {
		t.Fatalf("TokenUser = %+v %+v %v", gt, gu, err)
	}
	_, _, err = f.s.TokenUser(f.ctx, hashOf("tok"), exp)
	wantErr(t, err, civic.KindUnauthorized, "")
	err = f.s.Update(f.ctx, admin, func(tx civic.Tx) error {
		return tx.CreateToken(f.ctx, &civic.Token{UserID: u.ID, Name: "", Hash: hashOf("x")})
	})
	wantErr(t, err, civic.KindInvalid, "name")
	f.update(t, func(tx civic.Tx) error { return tx.RevokeToken(f.ctx, tk.ID) })
	_, _, err = f.s.TokenUser(f.ctx, hashOf("tok"), now)
	wantErr(t, err, civic.KindUnauthorized, "")
	other := f.user(t, "other@city.example")
	f.update(t, func(tx civic.Tx) error {
		return tx.CreateToken(f.ctx, &civic.Token{UserID: other.ID, Name: "b", Prefix: "stw_b", Hash: hashOf("b")})
	})
	mine, err := f.s.Tokens(f.ctx, u.ID)
	if err != nil || len(mine) != 1 || mine[0].RevokedAt == nil {
		t.Errorf("Tokens(user) = %v, %v", mine, err)
	}
	all, err := f.s.Tokens(f.ctx, 0)
	if err != nil || len(all) != 2 {
		t.Errorf("Tokens(all) = %v, %v", all, err)
	}
	err = f.s.Update(f.ctx, admin, func(tx civic.Tx) error { return tx.RevokeToken(f.ctx, 999) })
	wantErr(t, err, civic.KindNotFound, "")
}

func testThrottleAndSettings(t *testing.T, f *fixture) {
	th, err := f.s.Throttle(f.ctx, "a@b.example")
	if err != nil || th.Failures != 0 {
		t.Fatalf("Throttle = %+v, %v", th, err)
	}
	until := f.clock.Now().Add(time.Minute).Truncate(time.Microsecond)
	for i := 1; i <= 2; i++ {
		f.update(t, func(tx civic.Tx) error {
			return tx.SetThrottle(f.ctx, &civic.Throttle{Key: "a@b.example", Failures: i, LastFailure: f.clock.Now(), LockedUntil: until})
		})
	}
	th, err = f.s.Throttle(f.ctx, "a@b.example")
	if err != nil || th.Failures != 2 || !th.LockedUntil.Equal(until) || !th.LastFailure.Equal(f.clock.Now().Truncate(time.Microsecond)) {
		t.Fatalf("Throttle = %+v, %v", th, err)
	}
	f.update(t, func(tx civic.Tx) error { return tx.ClearThrottle(f.ctx, "a@b.example") })
	if th, _ = f.s.Throttle(f.ctx, "a@b.example"); th.Failures != 0 {
		t.Errorf("cleared throttle = %+v", th)
	}
	if v, err := f.s.Setting(f.ctx, "demo"); err != nil || v != "" {
		t.Errorf("unset setting = %q, %v", v, err)
	}
	f.update(t, func(tx civic.Tx) error { return tx.SetSetting(f.ctx, "demo", "true") })
	f.update(t, func(tx civic.Tx) error { return tx.SetSetting(f.ctx, "demo", "yes") })
	if v, err := f.s.Setting(f.ctx, "demo"); err != nil || v != "yes" {
		t.Errorf("setting = %q, %v", v, err)
	}
}

func testRollback(t *testing.T, f *fixture) {
	before := f.eventCount(t)
	boom := errors.New("boom")
	err := f.s.Update(f.ctx, admin, func(tx civic.Tx) error {
		if err := tx.CreateDepartment(f.ctx, &civic.Department{Slug: "ghost", Name: "Ghost"}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update = %v", err)
	}
	if _, err := f.s.DepartmentBySlug(f.ctx, "ghost"); civic.ErrorKind(err) != civic.KindNotFound {
		t.Errorf("rolled back department exists: %v", err)
	}
	if n := f.eventCount(t); n != before {
		t.Errorf("audit events %d after rollback, want %d", n, before)
	}
	// A batch with one bad item saves none of it.
	err = f.s.Update(f.ctx, admin, func(tx civic.Tx) error {
		if err := tx.CreateDepartment(f.ctx, &civic.Department{Slug: "a", Name: "A"}); err != nil {
			return err
		}
		return tx.CreateDepartment(f.ctx, &civic.Department{Slug: "a", Name: "B"})
	})
	wantErr(t, err, civic.KindConflict, "slug")
	if ds, _ := f.s.Departments(f.ctx); len(ds) != 0 {
		t.Errorf("half-written batch left %d departments", len(ds))
	}
}

func testAuditFilters(t *testing.T, f *fixture) {
	d := f.department(t, "parks", "Parks")
	f.clock.Advance(time.Hour)
	u := f.user(t, "ann@city.example")
	actor := civic.Actor{UserID: u.ID, Label: u.Email}
	if err := f.s.Update(f.ctx, actor, func(tx civic.Tx) error {
		d.Name = "Parks and Recreation"
		return tx.UpdateDepartment(f.ctx, d)
	}); err != nil {
		t.Fatal(err)
	}
	count := func(fl civic.AuditFilter) int {
		es, err := f.s.AuditEvents(f.ctx, fl)
		if err != nil {
			t.Fatal(err)
		}
		return len(es)
	}
	start := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		f    civic.AuditFilter
		want int
	}{
		{civic.AuditFilter{}, 5}, // dept, it dept, person, user, update
		{civic.AuditFilter{ActorID: u.ID}, 1},
		{civic.AuditFilter{Action: "department."}, 3},
		{civic.AuditFilter{Action: "department.update"}, 1},
		{civic.AuditFilter{Action: "depart"}, 0},
		{civic.AuditFilter{ObjectType: "department", ObjectID: fmt.Sprint(d.ID)}, 2},
		{civic.AuditFilter{Since: start.Add(10 * time.Hour)}, 4},
		{civic.AuditFilter{Until: start.Add(10 * time.Hour)}, 1},
		{civic.AuditFilter{BeforeSeq: 3}, 2},
		{civic.AuditFilter{Limit: 2}, 2},
	} {
		if got := count(tc.f); got != tc.want {
			t.Errorf("AuditEvents(%+v) = %d events, want %d", tc.f, got, tc.want)
		}
	}
	es, _ := f.s.AuditEvents(f.ctx, civic.AuditFilter{})
	for i := 1; i < len(es); i++ {
		if es[i].Seq >= es[i-1].Seq {
			t.Errorf("events not newest first")
		}
	}
	for _, e := range es {
		if e.ComputeHash() != e.Hash {
			t.Errorf("event %d read back does not match its hash (time %s)", e.Seq, e.Time)
		}
	}
}

// testAuditSeqs checks the listing of the events of some object types by
// sequence number, with which each viewer is given numbers of their own.
func testAuditSeqs(t *testing.T, f *fixture) {
	for i, ot := range []string{"department", "covert_profile", "department", "conduct_case", "covert_credential", "covert_profile"} {
		f.update(t, func(tx civic.Tx) error {
			return tx.Record(f.ctx, civic.Change{Action: ot + ".touch", ObjectType: ot, ObjectID: fmt.Sprint(i)})
		})
	}
	for _, c := range []struct {
		types []string
		want  []int64
	}{
		{nil, nil},
		{[]string{"covert_profile"}, []int64{2, 6}},
		{[]string{"covert_profile", "covert_credential", "conduct_case"}, []int64{2, 4, 5, 6}},
		{[]string{"nothing"}, nil},
	} {
		got, err := f.s.AuditSeqs(f.ctx, c.types)
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("AuditSeqs(%q) = %v, %v; want %v", c.types, got, err, c.want)
		}
	}
}

func testConcurrent(t *testing.T, f *fixture) {
	const n = 24
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- f.s.Update(f.ctx, admin, func(tx civic.Tx) error {
				return tx.CreateDepartment(f.ctx, &civic.Department{Slug: fmt.Sprintf("d%d", i), Name: fmt.Sprintf("D %d", i)})
			})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if n2, err := audit.Verify(f.ctx, f.s); err != nil || n2 != n {
		t.Errorf("Verify = %d, %v; want %d events", n2, err, n)
	}
}
