package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/demo"
	"steward.city/steward/internal/storetest"
	"steward.city/steward/internal/web"
)

func sqliteApp(t *testing.T) *testApp {
	return newApp(t, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite}, nil)
}

// sessionCookie returns the session secret a response sets, or "".
func sessionCookie(res *http.Response) string {
	for _, c := range res.Cookies() {
		if c.Name == web.CookieName && c.MaxAge >= 0 {
			return c.Value
		}
	}
	return ""
}

func TestSignInAndThrottle(t *testing.T) {
	app := sqliteApp(t)
	signin := func(email, pw string) *http.Response {
		return app.do(request{method: "POST", path: "/signin", body: form("email", email, "password", pw, "next", "/people")})
	}
	res := signin("admin@demo-city.example", demo.Password)
	secret := sessionCookie(res)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/people" || secret == "" {
		t.Fatalf("sign in: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	for _, c := range res.Cookies() {
		want := http.SameSiteLaxMode
		if c.Name == web.DeviceCookieName {
			want = http.SameSiteStrictMode
		}
		if !c.HttpOnly || !c.Secure || c.SameSite != want || c.Path != "/" || c.Domain != "" {
			t.Errorf("cookie %s lacks HttpOnly, Secure, SameSite=%v or path / without a domain (__Host-)", c.Name, want)
		}
	}
	if res := app.do(request{method: "GET", path: "/", cookie: secret}); res.StatusCode != 200 {
		t.Fatalf("dashboard with session: %d", res.StatusCode)
	}
	// An open redirect is refused.
	res = app.do(request{method: "POST", path: "/signin", body: form("email", "admin@demo-city.example", "password", demo.Password, "next", "//evil.example/")})
	if loc := res.Header.Get("Location"); loc != "/" {
		t.Errorf("next=//evil.example redirected to %q", loc)
	}
	// Sign-out ends the session.
	res = app.do(request{method: "POST", path: "/signout", cookie: secret})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign out: %d", res.StatusCode)
	}
	if res := app.do(request{method: "GET", path: "/", cookie: secret}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("dashboard after sign-out: %d", res.StatusCode)
	}

	// Same answer for an unknown user and a wrong password.
	unknown := readBody(t, signin("ghost@demo-city.example", "whatever-password"))
	wrong := readBody(t, signin("clerk@demo-city.example", "whatever-password"))
	if !strings.Contains(unknown, "wrong e-mail address or password") || !strings.Contains(wrong, "wrong e-mail address or password") {
		t.Fatalf("sign-in failures do not say the same thing")
	}
	for range 3 {
		if res := signin("clerk@demo-city.example", "still-wrong-password"); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failure answered %d", res.StatusCode)
		}
	}
	// The fifth failure locks the account for a while.
	signin("clerk@demo-city.example", "still-wrong-password")
	res = signin("clerk@demo-city.example", demo.Password)
	if res.StatusCode != http.StatusTooManyRequests || sessionCookie(res) != "" {
		t.Fatalf("locked account signed in: %d", res.StatusCode)
	}
	if body := readBody(t, res); !strings.Contains(body, "too many failed sign-ins") {
		t.Errorf("lock message missing")
	}
	app.clock.Advance(time.Minute)
	res = signin("clerk@demo-city.example", demo.Password)
	if res.StatusCode != http.StatusSeeOther || sessionCookie(res) == "" {
		t.Fatalf("sign in after the lock: %d", res.StatusCode)
	}
	// Failures are in the audit log, without the password tried.
	es, err := app.store.AuditEvents(context.Background(), civic.AuditFilter{Action: "auth.sign_in_failed", Limit: 100})
	if err != nil || len(es) != 6 {
		t.Fatalf("sign_in_failed events: %d, %v", len(es), err)
	}
	for _, e := range es {
		if strings.Contains(string(e.After), "password-") || strings.Contains(string(e.After), "whatever") {
			t.Errorf("audit event records the password tried: %s", e.After)
		}
	}
	if strings.Contains(app.logs.String(), "still-wrong-password") || strings.Contains(app.logs.String(), demo.Password) {
		t.Errorf("a password reached the logs")
	}
	// A disabled user cannot sign in, even with the right password.
	ctx := context.Background()
	u, _ := app.store.UserByEmail(ctx, "hr@demo-city.example")
	app.store.Update(ctx, civic.System, func(tx civic.Tx) error { return tx.SetUserDisabled(ctx, u.ID, true) })
	if res := signin("hr@demo-city.example", demo.Password); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("disabled user: %d", res.StatusCode)
	}
	// Empty fields name the field.
	if body := readBody(t, signin("", "x")); !strings.Contains(body, `href="#f-email"`) {
		t.Errorf("empty e-mail not named")
	}
}

func TestSecurityHeadersAndCSRF(t *testing.T) {
	app := sqliteApp(t)
	admin := app.session("admin@demo-city.example")
	for _, path := range []string{"/signin", "/api/v1/openapi.json", "/static/style.css", "/healthz"} {
		res := app.do(request{method: "GET", path: path})
		h := res.Header
		if !strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") || h.Get("X-Content-Type-Options") != "nosniff" ||
			h.Get("Referrer-Policy") == "" || h.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s: security headers missing: %v", path, h)
		}
	}
	// A form posted from another site is refused before it reaches a handler.
	before, _, _ := app.store.AuditHead(context.Background())
	for _, hdr := range []map[string]string{
		{"Sec-Fetch-Site": "cross-site"},
		{"Origin": "https://evil.example"},
	} {
		res := app.do(request{method: "POST", path: "/departments", body: form("name", "Evil", "slug", "evil"), cookie: admin, header: hdr})
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("cross-origin post %v: %d", hdr, res.StatusCode)
		}
	}
	res := app.do(request{method: "POST", path: "/departments", body: form("name", "Same", "slug", "same"), cookie: admin, header: map[string]string{"Sec-Fetch-Site": "same-origin"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Errorf("same-origin post: %d", res.StatusCode)
	}
	after, _, _ := app.store.AuditHead(context.Background())
	if after != before+1 {
		t.Errorf("audit events %d → %d; want exactly the same-origin change", before, after)
	}
}

func TestFormsRejectBadInput(t *testing.T) {
	app := sqliteApp(t)
	admin := app.session("admin@demo-city.example")
	ctx := context.Background()
	before, _, _ := app.store.AuditHead(ctx)
	for _, c := range []struct {
		path, body, field string
		status            int
	}{
		{"/departments", form("name", "", "slug", "x"), "name", 422},
		{"/departments", form("name", "Police", "slug", "police2"), "name", 422},
		{"/departments", form("name", "New", "slug", "police"), "slug", 422},
		{"/people", form("name", "A", "kind", "employee", "department_id", "abc"), "department_id", 422},
		{"/people", form("name", "A", "kind", "employee", "department_id", "9999"), "department_id", 422},
		{"/people", form("name", "A", "kind", "emperor", "department_id", "1"), "kind", 422},
		{"/users", form("email", "x@demo-city.example"), "person_id", 422},
		{"/users", form("person_id", "12", "email", "x@demo-city.example", "role", "director"), "roles", 422},
		{"/users", form("person_id", "12", "email", "x@demo-city.example", "password", "short"), "password", 422},
		{"/users", form("person_id", "12", "email", "admin@demo-city.example"), "email", 422},
		{"/users/1/password", form("password", "short"), "password", 422},
		{"/tokens", form("name", "x", "days", "-4"), "days", 422},
		{"/tokens", form("name", "", "days", "3"), "name", 422},
		{"/account/password", form("current_password", "wrong", "new_password", "a fine new password"), "current_password", 422},
	} {
		res := app.do(request{method: "POST", path: c.path, body: c.body, cookie: admin})
		body := readBody(t, res)
		if res.StatusCode != c.status && !(c.status == 422 && res.StatusCode == 409) {
			t.Errorf("POST %s %s: %d, want %d", c.path, c.body, res.StatusCode, c.status)
			continue
		}
		if !strings.Contains(body, `href="#f-`+c.field+`"`) || !strings.Contains(body, `id="e-`+c.field+`"`) {
			t.Errorf("POST %s %s: the page does not point at field %q", c.path, c.body, c.field)
		}
	}
	if after, _, _ := app.store.AuditHead(ctx); after != before {
		t.Errorf("refused forms wrote %d audit events", after-before)
	}
	// A form that is too large is refused, not read into memory.
	res := app.do(request{method: "POST", path: "/departments", body: "name=" + strings.Repeat("a", 2<<20), cookie: admin})
	if res.StatusCode < 400 || res.StatusCode >= 500 {
		t.Errorf("oversize form: %d", res.StatusCode)
	}
}

func TestHealthAndMetrics(t *testing.T) {
	app := sqliteApp(t)
	res := app.do(request{method: "GET", path: "/healthz"})
	if body := readBody(t, res); res.StatusCode != 200 || !strings.Contains(body, `"database":"sqlite"`) {
		t.Fatalf("healthz: %d %s", res.StatusCode, body)
	}
	app.do(request{method: "GET", path: "/signin"})
	body := readBody(t, app.do(request{method: "GET", path: "/metrics", bearer: metricsToken}))
	for _, want := range []string{`steward_http_requests_total{code="200",route="GET /signin"} 1`, "steward_database_up 1", "go_goroutines"} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	app.store.Close()
	if res := app.do(request{method: "GET", path: "/healthz"}); res.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("healthz with the database closed: %d", res.StatusCode)
	}
}

// TestThrottleWindow checks that failures far apart do not add up to a lock.
func TestThrottleWindow(t *testing.T) {
	app := sqliteApp(t)
	fail := func() int {
		return app.do(request{method: "POST", path: "/signin", body: form("email", "attorney@demo-city.example", "password", "not the password")}).StatusCode
	}
	for range 4 {
		fail()
	}
	app.clock.Advance(2 * time.Hour)
	for range 4 {
		if code := fail(); code != http.StatusUnauthorized {
			t.Fatalf("failure after a quiet spell answered %d", code)
		}
	}
	fail() // the fifth within the hour
	res := app.do(request{method: "POST", path: "/signin", body: form("email", "attorney@demo-city.example", "password", demo.Password)})
	if res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("five failures within the hour did not lock: %d", res.StatusCode)
	}
	// Purging forgets stale failures and expired sessions, and says so in the audit log.
	app.clock.Advance(13 * time.Hour)
	if err := app.auth.Purge(context.Background()); err != nil {
		t.Fatal(err)
	}
	if th, _ := app.store.Throttle(context.Background(), "email:attorney@demo-city.example"); th.Failures != 0 {
		t.Errorf("stale failures kept: %+v", th)
	}
}

func TestChangeOwnPassword(t *testing.T) {
	app := sqliteApp(t)
	cookie := app.session("clerk@demo-city.example")
	change := func(current, next string) *http.Response {
		return app.do(request{method: "POST", path: "/account/password", cookie: cookie, body: form("current_password", current, "new_password", next)})
	}
	if res := change(demo.Password, "short"); res.StatusCode != 422 || !strings.Contains(readBody(t, res), `id="e-new_password"`) {
		t.Fatalf("short new password: %d", res.StatusCode)
	}
	if res := change(demo.Password, "a brand new passphrase"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("change: %d", res.StatusCode)
	}
	if _, _, err := app.auth.SignIn(context.Background(), "clerk@demo-city.example", "a brand new passphrase", "192.0.2.9"); err != nil {
		t.Fatalf("new password refused: %v", err)
	}
	// A single-sign-on-only user cannot give itself a password.
	ctx := context.Background()
	u, _ := app.store.UserByEmail(ctx, "auditor@demo-city.example")
	app.store.Update(ctx, civic.System, func(tx civic.Tx) error { return tx.SetUserPassword(ctx, u.ID, "") })
	sso, err := app.auth.StartSession(ctx, u, "oidc")
	if err != nil {
		t.Fatal(err)
	}
	if body := readBody(t, app.do(request{method: "GET", path: "/account", cookie: sso})); strings.Contains(body, `action="/account/password"`) {
		t.Errorf("account page offers a password to a single-sign-on user")
	}
	res := app.do(request{method: "POST", path: "/account/password", cookie: sso, body: form("new_password", "a brand new passphrase")})
	if res.StatusCode != 422 {
		t.Errorf("single-sign-on user set a password: %d", res.StatusCode)
	}
}
