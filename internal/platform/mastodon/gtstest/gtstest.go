// Package gtstest runs a real GoToSocial server (a Mastodon-API server) for
// tests, as a separate process on 127.0.0.1: Steward never imports its
// packages (AGPL). The binary is named by STEWARD_TEST_GOTOSOCIAL (.ci/run
// builds it with .ci/build-gotosocial); without it tests skip, except in
// CI (CI=true), where they fail.
package gtstest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Env is the environment variable naming the gotosocial binary.
const Env = "STEWARD_TEST_GOTOSOCIAL"

// Version is the GoToSocial version the tests are written against.
const Version = "v0.18.3"

// Password is every test account's password.
const Password = "Correct-Horse-Battery-9"

// Server is a running GoToSocial.
type Server struct {
	URL  string // http://127.0.0.1:port
	Host string // 127.0.0.1:port, the accounts' domain
	bin  string
	cfg  string
	dir  string
	http *http.Client
	// Users by username, with their tokens.
	Users map[string]*User
	// App is the OAuth application the tokens were issued to.
	App App
}

// App is a registered OAuth application.
type App struct {
	Name         string `json:"name"`
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
}

// User is an account on the server with an access token.
type User struct {
	Username string
	Email    string
	ID       string // account id
	Token    string
}

// Binary returns the gotosocial binary, skipping the test (failing it in
// CI) when there is none.
func Binary(t testing.TB) string {
	t.Helper()
	bin := os.Getenv(Env)
	if bin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set: CI must run the GoToSocial tests (.ci/run builds gotosocial %s into ~/.cache/steward-tools and sets it)", Env, Version)
		}
		t.Skipf("%s is not set: the GoToSocial end-to-end tests need a gotosocial %s binary (bash .ci/build-gotosocial DIR)", Env, Version)
	}
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("%s=%s: %v", Env, bin, err)
	}
	return bin
}

// Start runs a GoToSocial with the given accounts (created and confirmed
// with its admin command line before it starts), registers an application
// named appName and gets each account a token through the OAuth sign-in
// form. The server stops when the test ends.
func Start(t testing.TB, appName string, usernames ...string) *Server {
	t.Helper()
	bin := Binary(t)
	dir := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	web, err := webDir()
	if err != nil {
		t.Fatalf("GoToSocial's web templates: %v", err)
	}
	host := "127.0.0.1:" + strconv.Itoa(port)
	cfg := filepath.Join(dir, "config.yaml")
	conf := fmt.Sprintf(`log-level: "warn"
host: %q
protocol: "http"
bind-address: "127.0.0.1"
port: %d
db-type: "sqlite"
db-address: %q
storage-backend: "local"
storage-local-base-path: %q
letsencrypt-enabled: false
accounts-registration-open: false
instance-expose-public-timeline: true
instance-federation-mode: "allowlist"
advanced-rate-limit-requests: 0
advanced-throttling-multiplier: 0
web-template-base-dir: %q
web-asset-base-dir: %q
`, host, port, filepath.Join(dir, "db.sqlite"), filepath.Join(dir, "storage"), filepath.Join(web, "template")+"/", filepath.Join(web, "assets")+"/")
	if err := os.WriteFile(cfg, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	s := &Server{URL: "http://" + host, Host: host, bin: bin, cfg: cfg, dir: dir, Users: map[string]*User{},
		http: &http.Client{Jar: jar, Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	for _, u := range usernames {
		email := u + "@city.example"
		s.cli(t, "admin", "account", "create", "--username", u, "--email", email, "--password", Password)
		s.cli(t, "admin", "account", "confirm", "--username", u)
		s.Users[u] = &User{Username: u, Email: email}
	}
	log, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "--config-path", cfg, "server", "start")
	cmd.Stdout, cmd.Stderr = log, log
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 10 * time.Second
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
		log.Close()
		if t.Failed() {
			b, _ := os.ReadFile(log.Name())
			t.Logf("gotosocial log:\n%s", tail(b, 4000))
		}
	})
	s.wait(t, 2*time.Minute)
	s.App = s.RegisterApp(t, appName)
	for _, u := range s.Users {
		u.Token = s.Token(t, u.Username, s.App)
		var acc struct {
			ID string `json:"id"`
		}
		s.JSON(t, u.Token, "GET", "/api/v1/accounts/verify_credentials", nil, &acc)
		u.ID = acc.ID
	}
	return s
}

func (s *Server) cli(t testing.TB, args ...string) {
	t.Helper()
	out, err := exec.Command(s.bin, append([]string{"--config-path", s.cfg}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("gotosocial %s: %v\n%s", strings.Join(args, " "), err, tail(out, 2000))
	}
}

func (s *Server) wait(t testing.TB, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		req, _ := http.NewRequest("GET", s.URL+"/api/v1/instance", nil)
		req.Header.Set("Accept", "application/json")
		if resp, err := s.http.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("GoToSocial did not answer within %s", limit)
}

// RegisterApp registers an OAuth application.
func (s *Server) RegisterApp(t testing.TB, name string) App {
	t.Helper()
	var app App
	s.JSON(t, "", "POST", "/api/v1/apps", map[string]string{"client_name": name, "redirect_uris": "urn:ietf:wg:oauth:2.0:oob", "scopes": "read write"}, &app)
	if app.ClientID == "" {
		t.Fatal("no client id for the app")
	}
	return app
}

// Token signs username in with the OAuth authorize flow (GoToSocial has
// no password grant) and returns an access token issued to app.
func (s *Server) Token(t testing.TB, username string, app App) string {
	t.Helper()
	email := username + "@city.example"
	jar, _ := cookiejar.New(nil)
	s.http.Jar = jar
	q := url.Values{"client_id": {app.ClientID}, "redirect_uri": {"urn:ietf:wg:oauth:2.0:oob"}, "response_type": {"code"}, "scope": {"read write"}}
	s.form(t, "GET", "/oauth/authorize?"+q.Encode(), nil, http.StatusSeeOther)
	s.form(t, "POST", "/auth/sign_in", url.Values{"username": {email}, "password": {Password}}, http.StatusFound)
	loc := s.form(t, "POST", "/oauth/authorize", url.Values{}, http.StatusFound)
	u, err := url.Parse(loc)
	if err != nil || u.Query().Get("code") == "" {
		t.Fatalf("no code in %q", loc)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	s.JSON(t, "", "POST", "/oauth/token", map[string]string{"grant_type": "authorization_code", "code": u.Query().Get("code"),
		"client_id": app.ClientID, "client_secret": app.ClientSecret, "redirect_uri": "urn:ietf:wg:oauth:2.0:oob"}, &tok)
	if tok.AccessToken == "" {
		t.Fatal("no access token")
	}
	return tok.AccessToken
}

func (s *Server) form(t testing.TB, method, path string, form url.Values, want int) string {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, s.URL+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := s.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != want {
		t.Fatalf("%s %s: HTTP %d, want %d: %s", method, path, resp.StatusCode, want, tail(b, 500))
	}
	return resp.Header.Get("Location")
}

// JSON calls the API as the holder of token (none when ""), sending body
// as JSON, and decodes the answer into out. A non-2xx answer fails t.
func (s *Server) JSON(t testing.TB, token, method, path string, body, out any) {
	t.Helper()
	b, status := s.Do(t, token, method, path, body)
	if status < 200 || status > 299 {
		t.Fatalf("%s %s: HTTP %d: %s", method, path, status, tail(b, 500))
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, tail(b, 500))
		}
	}
}

// Do calls the API and returns the body and status.
func (s *Server) Do(t testing.TB, token, method, path string, body any) ([]byte, int) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, s.URL+path, r)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	c := &http.Client{Timeout: 30 * time.Second}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return b, resp.StatusCode
}

// webDir finds GoToSocial's web templates and assets: next to the binary
// when copied there, else in the Go module cache (where the build script
// downloaded the module).
func webDir() (string, error) {
	if bin := os.Getenv(Env); bin != "" {
		d := filepath.Join(filepath.Dir(bin), "gotosocial-web")
		if _, err := os.Stat(filepath.Join(d, "template")); err == nil {
			return d, nil
		}
	}
	out, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMODCACHE: %w", err)
	}
	d := filepath.Join(strings.TrimSpace(string(out)), "github.com", "superseriousbusiness", "gotosocial@"+Version, "web")
	if _, err := os.Stat(filepath.Join(d, "template")); err != nil {
		return "", fmt.Errorf("%s: %w (run go mod download github.com/superseriousbusiness/gotosocial@%s)", d, err, Version)
	}
	return d, nil
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}
