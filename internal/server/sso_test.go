package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"steward.city/steward/internal/auth"
	"steward.city/steward/internal/auth/oidctest"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/storetest"
	"steward.city/steward/internal/web"
)

// ssoApp is Steward with single sign-on through a local OpenID provider.
func ssoApp(t *testing.T, create string) (*testApp, *oidctest.Provider) {
	return ssoAppCovert(t, create, false)
}

// ssoAppCovert is ssoApp, letting covert users sign in through the
// provider when covert is set (--oidc-covert-users).
func ssoAppCovert(t *testing.T, create string, covert bool) (*testApp, *oidctest.Provider) {
	op := oidctest.New(t, "steward", "s3cret")
	roles, err := auth.ParseRoleMap("steward-admins=admin,comms=communications,pw-directors=director:public-works,records=clerk,records=auditor")
	if err != nil {
		t.Fatal(err)
	}
	app := newApp(t, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite}, func(a *auth.Service) web.SSO {
		o, err := auth.NewOIDC(auth.OIDCConfig{Name: "Entra ID", Issuer: op.Issuer(), ClientID: "steward", ClientSecret: "s3cret",
			RedirectURL: "http://steward.test/sso/callback", RoleMap: roles, CreateDepartment: create, CovertUsers: covert}, a)
		if err != nil {
			t.Fatal(err)
		}
		return o
	})
	return app, op
}

// ssoSignIn runs the browser's part of the flow and returns the final answer.
func ssoSignIn(t *testing.T, app *testApp, mangle func(q url.Values)) *http.Response {
	t.Helper()
	res := app.do(request{method: "GET", path: "/sso/start"})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sso start: %d %s", res.StatusCode, readBody(t, res))
	}
	var state *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == "__Host-steward-sso" {
			state = c
		}
	}
	if state == nil || !state.Secure || !state.HttpOnly {
		t.Fatalf("no secure state cookie")
	}
	// The provider signs the user in and sends the browser back.
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	pr, err := client.Get(res.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	pr.Body.Close()
	back, err := url.Parse(pr.Header.Get("Location"))
	if err != nil || back.Path != "/sso/callback" {
		t.Fatalf("provider answered %d to %q", pr.StatusCode, pr.Header.Get("Location"))
	}
	q := back.Query()
	if mangle != nil {
		mangle(q)
	}
	return app.do(request{method: "GET", path: "/sso/callback?" + q.Encode(), header: map[string]string{"Cookie": state.Name + "=" + state.Value}})
}

func TestSingleSignOn(t *testing.T) {
	ctx := context.Background()
	t.Run("existing user is linked and gets roles from groups", func(t *testing.T) {
		app, op := ssoApp(t, "")
		if body := readBody(t, app.do(request{method: "GET", path: "/signin"})); !strings.Contains(body, "Sign in with Entra ID") {
			t.Fatalf("sign-in page offers no single sign-on")
		}
		op.SetIdentity(oidctest.Identity{Subject: "entra-123", Email: "Staff@Demo-City.example", EmailVerified: true, Name: "Sam W", Groups: []string{"comms", "pw-directors", "unrelated"}})
		res := ssoSignIn(t, app, nil)
		secret := sessionCookie(res)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" || secret == "" {
			t.Fatalf("callback: %d %s", res.StatusCode, readBody(t, res))
		}
		u, err := app.auth.Session(ctx, secret)
		if err != nil || u.Email != "staff@demo-city.example" {
			t.Fatalf("session user %v, %v", u, err)
		}
		pw, _ := app.store.DepartmentBySlug(ctx, "public-works")
		if got := civic.FormatGrants(u.Grants); got != "communications,director:"+itoa(pw.ID) {
			t.Errorf("roles from groups = %s", got)
		}
		if !strings.HasSuffix(u.Subject, "|entra-123") {
			t.Errorf("subject = %q", u.Subject)
		}
		// Next time the groups changed: the roles follow; the subject, not
		// the e-mail address, finds the user.
		op.SetIdentity(oidctest.Identity{Subject: "entra-123", Email: "renamed@demo-city.example", EmailVerified: true, Groups: []string{"records"}})
		res = ssoSignIn(t, app, nil)
		u, err = app.auth.Session(ctx, sessionCookie(res))
		if err != nil || civic.FormatGrants(u.Grants) != "clerk,auditor" || u.Email != "staff@demo-city.example" {
			t.Fatalf("second sign-in: %v %v", u, err)
		}
		es, _ := app.store.AuditEvents(ctx, civic.AuditFilter{ObjectType: "user", ObjectID: itoa(u.ID), Limit: 50})
		var actions []string
		for _, e := range es {
			actions = append(actions, e.Action)
		}
		for _, want := range []string{"user.link_sso", "user.set_roles", "auth.sign_in"} {
			if !strings.Contains(strings.Join(actions, " "), want) {
				t.Errorf("audit lacks %s: %v", want, actions)
			}
		}
	})
	t.Run("unknown people are refused unless a department is configured", func(t *testing.T) {
		app, op := ssoApp(t, "")
		op.SetIdentity(oidctest.Identity{Subject: "x1", Email: "newcomer@demo-city.example", EmailVerified: true, Name: "New Comer"})
		res := ssoSignIn(t, app, nil)
		if res.StatusCode != http.StatusUnauthorized || sessionCookie(res) != "" || !strings.Contains(readBody(t, res), "ask your administrator") {
			t.Fatalf("unknown user: %d", res.StatusCode)
		}
		app2, op2 := ssoApp(t, "library")
		op2.SetIdentity(oidctest.Identity{Subject: "x1", Email: "newcomer@demo-city.example", EmailVerified: true, Name: "New Comer", Groups: []string{"comms"}})
		res = ssoSignIn(t, app2, nil)
		u, err := app2.auth.Session(ctx, sessionCookie(res))
		if err != nil || u.PersonName != "New Comer" || civic.FormatGrants(u.Grants) != "communications" || u.PasswordHash != "" {
			t.Fatalf("created user: %+v, %v", u, err)
		}
	})
	t.Run("bad answers are refused", func(t *testing.T) {
		app, op := ssoApp(t, "library")
		op.SetIdentity(oidctest.Identity{Subject: "y", Email: "it@demo-city.example", EmailVerified: true})
		for _, tamper := range []oidctest.Tamper{oidctest.TamperWrongAudience, oidctest.TamperExpired, oidctest.TamperWrongNonce, oidctest.TamperBadSignature, oidctest.TamperWrongIssuer} {
			op.SetTamper(tamper)
			res := ssoSignIn(t, app, nil)
			if res.StatusCode != http.StatusUnauthorized || sessionCookie(res) != "" {
				t.Errorf("%s: %d, signed in", tamper, res.StatusCode)
			}
		}
		op.SetTamper(oidctest.TamperNone)
		for name, mangle := range map[string]func(url.Values){
			"wrong state": func(q url.Values) { q.Set("state", "forged") },
			"wrong code":  func(q url.Values) { q.Set("code", "forged") },
			"error":       func(q url.Values) { q.Set("error", "access_denied") },
		} {
			if res := ssoSignIn(t, app, mangle); res.StatusCode != http.StatusUnauthorized || sessionCookie(res) != "" {
				t.Errorf("%s: %d", name, res.StatusCode)
			}
		}
		op.SetIdentity(oidctest.Identity{Subject: "z", Email: "unverified@demo-city.example", EmailVerified: false})
		if res := ssoSignIn(t, app, nil); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("unverified e-mail: %d", res.StatusCode)
		}
		// A disabled user stays out.
		u, _ := app.store.UserByEmail(ctx, "it@demo-city.example")
		app.store.Update(ctx, civic.System, func(tx civic.Tx) error { return tx.SetUserDisabled(ctx, u.ID, true) })
		op.SetIdentity(oidctest.Identity{Subject: "y", Email: "it@demo-city.example", EmailVerified: true})
		if res := ssoSignIn(t, app, nil); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("disabled user: %d", res.StatusCode)
		}
		// The callback without the state cookie.
		if res := app.do(request{method: "GET", path: "/sso/callback?code=a&state=b"}); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("callback without cookie: %d", res.StatusCode)
		}
	})
	t.Run("role map must be valid", func(t *testing.T) {
		for _, bad := range []string{"g=mayor", "g=director", "g=staff:parks", "=admin", "noequals"} {
			if _, err := auth.ParseRoleMap(bad); err == nil {
				t.Errorf("ParseRoleMap(%q) accepted", bad)
			}
		}
	})
	t.Run("without sso the routes say so", func(t *testing.T) {
		app := sqliteApp(t)
		if res := app.do(request{method: "GET", path: "/sso/start"}); res.StatusCode != http.StatusNotFound {
			t.Errorf("sso start without sso: %d", res.StatusCode)
		}
	})
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

// TestSingleSignOnNeverGivesCovertAccess: no role map gives sic_commander;
// a commander keeps the role whatever their groups, and a covert user is
// never given admin or it by their groups (recorded in the covert log);
// single sign-on does not link a covert user by e-mail address, so whoever
// runs the provider cannot sign in as them by making an identity with
// their address.
func TestSingleSignOnNeverGivesCovertAccess(t *testing.T) {
	ctx := context.Background()
	for _, m := range []string{"g=sic_commander", "steward-admins=admin,police=sic_commander"} {
		if _, err := auth.ParseRoleMap(m); err == nil || !strings.Contains(err.Error(), "never gives sic_commander") {
			t.Errorf("ParseRoleMap(%q) = %v", m, err)
		}
	}
	// By default a covert user does not sign in through the provider at all,
	// even with an identity they linked themselves.
	link := func(app *testApp, op *oidctest.Provider) *civic.User {
		sic := mustUser(t, app, demoEmail(civic.RoleSICCommander))
		if err := app.store.Update(ctx, civic.Actor{UserID: sic.ID, Label: sic.Email}, func(tx civic.Tx) error {
			return tx.SetUserSubject(ctx, sic.ID, op.Issuer()+"|cmdr-1")
		}); err != nil {
			t.Fatal(err)
		}
		return sic
	}
	off, opOff := ssoApp(t, "library")
	sicOff := link(off, opOff)
	opOff.SetIdentity(oidctest.Identity{Subject: "cmdr-1", Email: sicOff.Email, EmailVerified: true})
	if res := ssoSignIn(t, off, nil); res.StatusCode != http.StatusUnauthorized || sessionCookie(res) != "" || !strings.Contains(readBody(t, res), "sign in with your Steward password") {
		t.Fatalf("a commander through single sign-on by default: %d", res.StatusCode)
	}
	if rs := off.refusals(t); len(rs) != 1 || !strings.Contains(string(rs[0].After), `"attempt":"sso_sign_in"`) {
		t.Fatalf("the refused sign-in is not in the covert log: %d", len(rs))
	}

	// With --oidc-covert-users, a linked commander signs in and keeps the role.
	app, op := ssoAppCovert(t, "library", true)
	sic := link(app, op)
	for _, groups := range [][]string{nil, {"comms"}, {"steward-admins", "records"}} {
		op.SetIdentity(oidctest.Identity{Subject: "cmdr-1", Email: sic.Email, EmailVerified: true, Groups: groups})
		res := ssoSignIn(t, app, nil)
		u, err := app.auth.Session(ctx, sessionCookie(res))
		if err != nil {
			t.Fatalf("groups %v: the commander's sign-in: %d %v", groups, res.StatusCode, err)
		}
		if !u.Has(civic.RoleSICCommander) || u.Has(civic.RoleAdmin) {
			t.Errorf("groups %v: the commander's roles %s", groups, civic.FormatGrants(u.Grants))
		}
	}
	if rs := app.refusals(t); len(rs) != 1 || !strings.Contains(string(rs[0].After), `"attempt":"sso_role_map"`) {
		t.Fatalf("refusals %d", len(rs))
	}

	// Someone who runs the provider makes an identity with a maintainer's
	// address: it is not linked, and nobody is signed in.
	maint := app.grantCovert(t, app.addUser("maint@demo-city.example", "police", civic.Grant{Role: civic.RoleStaff}), civic.CovertMaintainer)
	op.SetIdentity(oidctest.Identity{Subject: "forged-7", Email: maint.Email, EmailVerified: true, Groups: []string{"comms"}})
	res := ssoSignIn(t, app, nil)
	if body := readBody(t, res); res.StatusCode != http.StatusUnauthorized || sessionCookie(res) != "" || !strings.Contains(body, "holds covert access") {
		t.Fatalf("forged identity for a maintainer: %d", res.StatusCode)
	}
	if u := mustUser(t, app, maint.Email); u.Subject != "" || civic.FormatGrants(u.Grants) != "staff" {
		t.Fatalf("the maintainer was changed: %q %s", u.Subject, civic.FormatGrants(u.Grants))
	}
	if rs := app.refusals(t); len(rs) != 2 || !strings.Contains(string(rs[0].After), `"attempt":"link_sso"`) {
		t.Fatalf("the refused link is not in the covert log: %d", len(rs))
	}
}
