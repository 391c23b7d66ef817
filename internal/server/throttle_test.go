package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/cli"
	"steward.city/steward/internal/demo"
	"steward.city/steward/internal/server"
	"steward.city/steward/internal/storetest"
	"steward.city/steward/internal/web"
)

// signIn posts the sign-in form from remote, with the browser's cookies.
func (a *testApp) signIn(email, password, remote string, cookies ...*http.Cookie) *http.Response {
	return a.do(request{method: "POST", path: "/signin", body: form("email", email, "password", password), remote: remote, cookies: cookies})
}

// deviceCookie returns the device cookie a response sets, or nil.
func deviceCookie(res *http.Response) *http.Cookie {
	for _, c := range res.Cookies() {
		if c.Name == web.DeviceCookieName && c.MaxAge > 0 {
			return c
		}
	}
	return nil
}

// knownDevice signs email in from remote and returns the device cookie.
func (a *testApp) knownDevice(t *testing.T, email, remote string) *http.Cookie {
	t.Helper()
	res := a.signIn(email, demo.Password, remote)
	dev := deviceCookie(res)
	if res.StatusCode != http.StatusSeeOther || dev == nil {
		t.Fatalf("sign in %s: %d, device cookie %v", email, res.StatusCode, dev)
	}
	if dev.MaxAge < 90*24*3600 || !dev.HttpOnly || !dev.Secure || dev.SameSite != http.SameSiteStrictMode || !strings.HasPrefix(dev.Name, "__Host-") {
		t.Errorf("device cookie %+v", dev)
	}
	return dev
}

// TestOneAddressCannotLockOutTheCity is the penetration test's finding 7:
// failures with made-up e-mail addresses from one address lock that
// address for unknown browsers, but the administrator signing in from the
// same address on a known device is not locked out.
func TestOneAddressCannotLockOutTheCity(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			app := newApp(t, e, nil)
			const office = "203.0.113.7" // city hall, behind one NAT address
			dev := app.knownDevice(t, "admin@demo-city.example", office)
			for i := range 25 {
				res := app.signIn(fmt.Sprintf("nobody%d@demo-city.example", i), "guessing-password", office)
				want := http.StatusUnauthorized
				if i >= 20 {
					want = http.StatusTooManyRequests
				}
				if res.StatusCode != want {
					t.Fatalf("made-up failure %d: %d, want %d", i+1, res.StatusCode, want)
				}
			}
			// The address is locked for unknown browsers, the admin's included...
			if res := app.signIn("admin@demo-city.example", demo.Password, office); res.StatusCode != http.StatusTooManyRequests {
				t.Fatalf("an unknown browser at the locked address: %d, want 429", res.StatusCode)
			}
			// ...but not for the admin's known device.
			res := app.signIn("admin@demo-city.example", demo.Password, office, dev)
			if res.StatusCode != http.StatusSeeOther || sessionCookie(res) == "" {
				t.Fatalf("the admin's known device at the locked address: %d", res.StatusCode)
			}
			if deviceCookie(res) != nil {
				t.Error("a known device was given a new device cookie")
			}
			// A device cookie of another user buys nothing.
			if res := app.signIn("nobody@demo-city.example", "guessing-password", office, dev); res.StatusCode != http.StatusTooManyRequests {
				t.Fatalf("another user's device cookie at the locked address: %d", res.StatusCode)
			}
			// Another address is not locked.
			if res := app.signIn("clerk@demo-city.example", demo.Password, "198.51.100.4"); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("another address: %d", res.StatusCode)
			}
			// The attacker keeps going as each lock ends: the lock doubles up to an
			// hour, and the known device still signs in.
			for range 12 {
				app.clock.Advance(time.Hour)
				app.signIn("nobody-again@demo-city.example", "guessing-password", office)
			}
			if th, _ := app.store.Throttle(context.Background(), "ip:"+office); th.LockedUntil.Sub(app.clock.Now()) != time.Hour {
				t.Fatalf("the address's lock after a long attack: %+v", th)
			}
			if res := app.signIn("admin@demo-city.example", demo.Password, office, dev); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("the admin's known device during a long attack: %d", res.StatusCode)
			}
		})
	}
}

// TestOneAccountFromManyAddresses: failures against one account from many
// addresses lock the account for unknown browsers, not on its known
// device; failures on the known device lock only that device.
func TestOneAccountFromManyAddresses(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			app := newApp(t, e, nil)
			dev := app.knownDevice(t, "admin@demo-city.example", "192.0.2.10")
			for i := range 30 {
				app.signIn("admin@demo-city.example", "not-the-password", fmt.Sprintf("198.51.100.%d", i+1))
			}
			if res := app.signIn("admin@demo-city.example", demo.Password, "192.0.2.77"); res.StatusCode != http.StatusTooManyRequests {
				t.Fatalf("a new browser for the attacked account: %d, want 429", res.StatusCode)
			}
			if res := app.signIn("admin@demo-city.example", demo.Password, "192.0.2.10", dev); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("the known device of the attacked account: %d", res.StatusCode)
			}
			// An IPv6 attacker rotating addresses inside one /64 is one address.
			for i := range 21 {
				app.signIn(fmt.Sprintf("x%d@demo-city.example", i), "not-the-password", fmt.Sprintf("2001:db8:1:2::%x", i+1))
			}
			if res := app.signIn("clerk@demo-city.example", demo.Password, "2001:db8:1:2::ffff"); res.StatusCode != http.StatusTooManyRequests {
				t.Fatalf("a fresh address in a locked /64: %d, want 429", res.StatusCode)
			}

			// Typing the wrong password on the known device: a generous budget, then that device alone locks.
			clerkDev := app.knownDevice(t, "clerk@demo-city.example", "192.0.2.21")
			for i := range 10 {
				if res := app.signIn("clerk@demo-city.example", "typo-password", "192.0.2.21", clerkDev); res.StatusCode != http.StatusUnauthorized {
					t.Fatalf("typo %d on the known device: %d", i+1, res.StatusCode)
				}
			}
			if res := app.signIn("clerk@demo-city.example", demo.Password, "192.0.2.21", clerkDev); res.StatusCode != http.StatusTooManyRequests {
				t.Fatalf("the known device after ten typos: %d, want 429", res.StatusCode)
			}
			if res := app.signIn("clerk@demo-city.example", demo.Password, "192.0.2.22"); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("the device's typos locked the account elsewhere: %d", res.StatusCode)
			}
			es, _ := app.store.AuditEvents(context.Background(), civic.AuditFilter{Action: "auth.sign_in_failed", Limit: 1})
			if len(es) == 0 || !strings.Contains(string(es[0].After), `"known_device":true`) {
				t.Errorf("the failure does not say it came from a known device: %v", es)
			}
		})
	}
}

// TestTrustedProxy: X-Forwarded-For is read only from a trusted proxy, and
// then its rightmost untrusted hop is the client, so a client cannot pick
// its address by sending the header.
func TestTrustedProxy(t *testing.T) {
	proxies, err := server.ParseProxies("10.0.0.0/8, fd00::/8")
	if err != nil {
		t.Fatal(err)
	}
	app := newAppConfig(t, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite}, nil, func(c *cli.HandlerConfig) { c.TrustedProxies = proxies })
	n := 0
	fail := func(remote, xff string) {
		t.Helper()
		n++ // a new made-up address each time, so that only the client address counts up
		app.do(request{method: "POST", path: "/signin", body: form("email", fmt.Sprintf("ghost%d@demo-city.example", n), "password", "not-the-password"), remote: remote,
			header: map[string]string{"X-Forwarded-For": xff}})
	}
	lastRemote := func() string {
		t.Helper()
		es, _ := app.store.AuditEvents(context.Background(), civic.AuditFilter{Action: "auth.sign_in_failed", Limit: 1})
		var after struct{ Remote string }
		if len(es) == 0 || json.Unmarshal(es[0].After, &after) != nil {
			t.Fatal("no failure recorded")
		}
		return after.Remote
	}
	for _, c := range []struct{ remote, xff, want string }{
		{"10.1.2.3", "198.51.100.9", "198.51.100.9"},
		{"10.1.2.3", "6.6.6.6, 198.51.100.9", "198.51.100.9"},        // the client wrote 6.6.6.6
		{"10.1.2.3", "198.51.100.9, 10.9.9.9", "198.51.100.9"},       // two proxies
		{"203.0.113.50", "10.1.1.1", "203.0.113.50"},                 // not a proxy: the header is ignored
		{"10.1.2.3", "", "10.1.2.3"},                                 // a proxy that sent no header
		{"fd00::1", "2001:db8::5", "2001:db8::5"},                    // IPv6
		{"10.1.2.3", "not-an-address, 198.51.100.9", "198.51.100.9"}, // garbage left of the client
		{"10.1.2.3", "198.51.100.9, not-an-address", "10.1.2.3"},     // garbage from the proxy side: the proxy
	} {
		fail(c.remote, c.xff)
		if got := lastRemote(); got != c.want {
			t.Errorf("peer %s, X-Forwarded-For %q: client %s, want %s", c.remote, c.xff, got, c.want)
		}
	}
	// Behind the proxy, one client's failures lock that client only.
	for range 20 {
		fail("10.1.2.3", "198.51.100.66")
	}
	res := app.do(request{method: "POST", path: "/signin", body: form("email", "clerk@demo-city.example", "password", demo.Password), remote: "10.1.2.3",
		header: map[string]string{"X-Forwarded-For": "198.51.100.66"}})
	if res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("the locked client behind the proxy: %d", res.StatusCode)
	}
	res = app.do(request{method: "POST", path: "/signin", body: form("email", "clerk@demo-city.example", "password", demo.Password), remote: "10.1.2.3",
		header: map[string]string{"X-Forwarded-For": "198.51.100.67"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("another client behind the same proxy: %d", res.StatusCode)
	}
	// The locked client cannot escape by sending its own header through the proxy.
	res = app.do(request{method: "POST", path: "/signin", body: form("email", "clerk@demo-city.example", "password", demo.Password), remote: "10.1.2.3",
		header: map[string]string{"X-Forwarded-For": "198.51.100.67, 198.51.100.66"}})
	if res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("a spoofed hop freed the locked client: %d", res.StatusCode)
	}
	if _, err := server.ParseProxies("10.0.0.0/33"); err == nil {
		t.Error("a bad prefix was accepted")
	}
	if p, err := server.ParseProxies("192.0.2.1"); err != nil || len(p) != 1 || p[0] != netip.MustParsePrefix("192.0.2.1/32") {
		t.Errorf("a bare address: %v %v", p, err)
	}
}
