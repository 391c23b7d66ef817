package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/auth"
	"steward.city/steward/internal/blob/disk"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/cli"
	"steward.city/steward/internal/demo"
	"steward.city/steward/internal/registry"
	"steward.city/steward/internal/server"
	"steward.city/steward/internal/sqlstore"
	"steward.city/steward/internal/storetest"
	"steward.city/steward/internal/vault"
	"steward.city/steward/internal/web"
)

// testApp is a whole Steward (store, services, server) on a demo city.
type testApp struct {
	t      testing.TB
	store  *sqlstore.Store
	auth   *auth.Service
	server *server.Server
	clock  *storetest.Clock
	logs   *bytes.Buffer
	reg    *registry.Service
	vault  *vault.Vault
	svcs   *cli.Services
}

// metricsToken is the bearer token /metrics needs in the tests.
const metricsToken = "test-metrics-token-7f3a9c"

// newApp builds Steward on engine e with the demo city seeded; sso may be
// nil. /metrics needs metricsToken unless an option changes the server's
// configuration.
func newApp(t testing.TB, e storetest.Engine, sso func(*auth.Service) web.SSO, opts ...func(*cli.HandlerConfig)) *testApp {
	t.Helper()
	return newAppConfig(t, e, sso, func(c *cli.HandlerConfig) {
		for _, o := range opts {
			o(c)
		}
	})
}

// newAppConfig is newApp with the server's configuration changed by cfg.
func newAppConfig(t testing.TB, e storetest.Engine, sso func(*auth.Service) web.SSO, cfg func(*cli.HandlerConfig)) *testApp {
	t.Helper()
	v, err := vault.New(bytes.Repeat([]byte{7}, vault.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return newAppVault(t, e, sso, cfg, v)
}

// newAppVault is newAppConfig with the vault v; nil: no vault is open, so
// no credential or platform token can be stored.
func newAppVault(t testing.TB, e storetest.Engine, sso func(*auth.Service) web.SSO, cfg func(*cli.HandlerConfig), v *vault.Vault) *testApp {
	t.Helper()
	clock := storetest.NewClock(time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC))
	s := e.Open(t, clock.Now)
	logs := &bytes.Buffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	// The media folder serve always has (drafts' attachments need it).
	media, err := disk.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	arch := archive.New(archive.Config{Store: s, Blobs: media, Clock: clock.Now, Logger: log})
	svcs := cli.NewServices(cli.ServicesConfig{Store: s, Clock: clock.Now, Logger: log, Vault: v, Location: cityZone(t), Archive: arch})
	if _, err := demo.Seed(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	hc := cli.HandlerConfig{MetricsToken: metricsToken}
	if sso != nil {
		hc.SSO = sso(svcs.Auth)
	}
	if cfg != nil {
		cfg(&hc)
	}

	srv, err := svcs.Handler(hc)
	if err != nil {
		t.Fatal(err)
	}
	return &testApp{t: t, store: s, auth: svcs.Auth, server: srv, clock: clock, logs: logs, reg: svcs.Registry, vault: v, svcs: svcs}
}

// cityZone is the demo city's time zone, as `serve --demo` uses.
func cityZone(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("America/Chicago")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// demoEmail returns the demo user e-mail address for a role.
func demoEmail(r civic.Role) string {
	if r == civic.RoleSICCommander {
		return "sic@demo-city.example"
	}
	return string(r) + "@demo-city.example"
}

// session signs in a demo user and returns its session cookie value.
func (a *testApp) session(email string) string {
	a.t.Helper()
	secret, _, err := a.auth.SignIn(context.Background(), email, demo.Password, "192.0.2.1")
	if err != nil {
		a.t.Fatalf("sign in %s: %v", email, err)
	}
	return secret
}

// token makes an API token for a demo user, as that user (nobody else
// makes tokens for a user who holds covert access).
func (a *testApp) token(email string) string {
	a.t.Helper()
	u, err := a.store.UserByEmail(context.Background(), email)
	if err != nil {
		a.t.Fatal(err)
	}
	secret, _, err := a.auth.CreateToken(context.Background(), civic.ActorOf(u), u.ID, "test", 0)
	if err != nil {
		a.t.Fatal(err)
	}
	return secret
}

// request is one request to the server.
type request struct {
	method, path string
	body         string // sent as JSON for /api/, as a form otherwise
	cookie       string // session secret
	bearer       string // API token
	header       map[string]string
	remote       string // the client's address; 192.0.2.1 when empty
	cookies      []*http.Cookie
}

// do serves r and returns the response.
func (a *testApp) do(r request) *http.Response {
	a.t.Helper()
	var body io.Reader
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	req := httptest.NewRequest(r.method, "http://steward.test"+r.path, body)
	if r.body != "" {
		if strings.HasPrefix(r.path, "/api/") {
			req.Header.Set("Content-Type", "application/json")
		} else {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	}
	if r.cookie != "" {
		req.AddCookie(&http.Cookie{Name: web.CookieName, Value: r.cookie})
	}
	if r.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+r.bearer)
	}
	for k, v := range r.header {
		req.Header.Set(k, v)
	}
	for _, c := range r.cookies {
		req.AddCookie(c)
	}
	if r.remote != "" {
		req.RemoteAddr = net.JoinHostPort(r.remote, "41234")
	}
	w := httptest.NewRecorder()
	a.server.ServeHTTP(w, req)
	return w.Result()
}

// readBody returns the whole body.
func readBody(t testing.TB, res *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// apiError decodes an API error body.
func apiError(t testing.TB, res *http.Response) (code, message, field string) {
	t.Helper()
	var b struct {
		Error struct{ Code, Message, Field string } `json:"error"`
	}
	raw := readBody(t, res)
	if err := json.Unmarshal([]byte(raw), &b); err != nil {
		t.Fatalf("error body %q is not JSON: %v", raw, err)
	}
	return b.Error.Code, b.Error.Message, b.Error.Field
}

func form(kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v.Encode()
}
