package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"steward.city/steward/internal/cli"
	"steward.city/steward/internal/demo"
	"steward.city/steward/internal/web"
)

// syncBuffer is a buffer the server goroutine writes while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// server is one "steward serve" running in the test.
type server struct {
	url            string // http://127.0.0.1:port
	stdout, stderr *syncBuffer
	cancel         context.CancelFunc
	done           chan int
}

var listening = regexp.MustCompile(`msg="steward listening" addr=(http://\S+)`)

// startServe runs "steward serve args…" until the test calls stop (or
// ends), and returns once it is listening, taking the address from its log.
func startServe(t *testing.T, env map[string]string, args ...string) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &server{stdout: &syncBuffer{}, stderr: &syncBuffer{}, cancel: cancel, done: make(chan int, 1)}
	go func() {
		s.done <- cli.Main(ctx, append([]string{"serve"}, args...), strings.NewReader(""), s.stdout, s.stderr, func(k string) string { return env[k] })
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-s.done:
		case <-time.After(30 * time.Second):
			t.Error("serve did not stop")
		}
	})
	deadline := time.After(2 * time.Minute)
	for {
		if m := listening.FindStringSubmatch(s.stderr.String()); m != nil {
			s.url = m[1]
			return s
		}
		select {
		case code := <-s.done:
			s.done <- code
			t.Fatalf("serve exited with %d before listening\nstdout: %s\nstderr: %s", code, s.stdout, s.stderr)
		case <-deadline:
			t.Fatalf("serve is not listening\nstdout: %s\nstderr: %s", s.stdout, s.stderr)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// stop cancels the context serve was given and returns its exit code.
func (s *server) stop(t *testing.T) int {
	t.Helper()
	s.cancel()
	select {
	case code := <-s.done:
		s.done <- code // for the cleanup
		return code
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not stop after its context was cancelled\nstderr: %s", s.stderr)
	}
	return -1
}

// client follows no redirects, so that the test sees them.
var client = &http.Client{
	Timeout:       30 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// healthz checks that the server answers its health check for engine.
func healthz(t *testing.T, s *server, engine string) {
	t.Helper()
	res, err := client.Get(s.url + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body struct{ Status, Database string }
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		t.Fatalf("GET /healthz: %v", err)
	}
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") || body.Status != "ok" || body.Database != engine {
		t.Fatalf("GET /healthz = %d %s %+v, want 200, JSON, ok, %s", res.StatusCode, res.Header.Get("Content-Type"), body, engine)
	}
}

// signIn posts the sign-in form and returns the answer, body read.
func signIn(t *testing.T, s *server, email, password string) *http.Response {
	t.Helper()
	res, err := client.PostForm(s.url+"/signin", url.Values{"email": {email}, "password": {password}, "next": {"/"}})
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res
}

// sessionCookie returns the session cookie res sets, or nil.
func sessionCookie(res *http.Response) *http.Cookie {
	for _, c := range res.Cookies() {
		if c.Name == web.CookieName {
			return c
		}
	}
	return nil
}

// TestServe runs the server on each engine: the demo city answers its
// health check and lets the demo administrator sign in, cancelling the
// context shuts it down with exit 0, and a second start on the same data
// does not seed the demo again.
func TestServe(t *testing.T) {
	t.Parallel()
	for _, engine := range engines(t) {
		t.Run(engine+"/demo", func(t *testing.T) {
			t.Parallel()
			d := newDB(t, engine)
			s := startServe(t, nil, d.cmd(nil, "--addr", "127.0.0.1:0", "--demo")...)
			for _, want := range []string{
				"Steward demo city: open " + s.url + "/ and sign in",
				`(password "` + demo.Password + `")`,
				"  admin            admin@demo-city.example\n",
				"  auditor          auditor@demo-city.example\n",
				"marked as demo",
			} {
				if !strings.Contains(s.stdout.String(), want) {
					t.Errorf("stdout does not contain %q:\n%s", want, s.stdout)
				}
			}
			if !strings.Contains(s.stderr.String(), "database="+engine) {
				t.Errorf("the log does not name the database: %s", s.stderr)
			}
			healthz(t, s, engine)

			res := signIn(t, s, "admin@demo-city.example", "wrong-password-123")
			if res.StatusCode != http.StatusUnauthorized || sessionCookie(res) != nil {
				t.Errorf("sign-in with a wrong password = %d, cookie %v; want 401 and no session", res.StatusCode, sessionCookie(res))
			}
			res = signIn(t, s, "admin@demo-city.example", demo.Password)
			c := sessionCookie(res)
			if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" || c == nil || c.Value == "" || !c.HttpOnly || !c.Secure {
				t.Fatalf("sign-in = %d to %q, cookie %+v; want 303 to / with a secure, HTTP-only %s cookie", res.StatusCode, res.Header.Get("Location"), c, web.CookieName)
			}
			req, _ := http.NewRequest("GET", s.url+"/", nil)
			req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
			home, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			home.Body.Close()
			if home.StatusCode != http.StatusOK {
				t.Errorf("GET / signed in = %d, want 200", home.StatusCode)
			}

			if code := s.stop(t); code != 0 {
				t.Fatalf("serve exited with %d after its context was cancelled, want 0\nstderr: %s", code, s.stderr)
			}
			if !strings.Contains(s.stderr.String(), `msg="shutting down"`) {
				t.Errorf("no shutdown in the log: %s", s.stderr)
			}
			if _, err := client.Get(s.url + "/healthz"); err == nil {
				t.Errorf("the server still answers after it stopped")
			}
			if n := countUsers(t, d); n != 11 { // one per role, and the covert approver
				t.Errorf("the demo city has %d users, want 11", n)
			}
			users := run(t, nil, "", d.cmd(userList)...).stdout
			events := auditEvents(t, d)

			// Again on the same data: the demo is not seeded twice, and its
			// logins are printed again.
			s = startServe(t, nil, d.cmd(nil, "--addr", "127.0.0.1:0", "--demo")...)
			if !strings.Contains(s.stdout.String(), "admin@demo-city.example") {
				t.Errorf("the second start does not print the demo logins:\n%s", s.stdout)
			}
			healthz(t, s, engine)
			if code := s.stop(t); code != 0 {
				t.Fatalf("second serve exited with %d, want 0\nstderr: %s", code, s.stderr)
			}
			if again := run(t, nil, "", d.cmd(userList)...).stdout; again != users {
				t.Errorf("the second start changed the users:\nbefore:\n%s\nafter:\n%s", users, again)
			}
			if again := auditEvents(t, d); again != events {
				t.Errorf("the second start wrote to the audit log: %s, then %s", events, again)
			}
		})
		t.Run(engine+"/plain", func(t *testing.T) {
			t.Parallel()
			d := newDB(t, engine)
			// The data folder and database from the environment, as a
			// service manager would give them.
			env := d.env()
			env["STEWARD_ADDR"] = "127.0.0.1:0"
			env["STEWARD_LOG_LEVEL"] = "debug"
			s := startServe(t, env)
			if s.stdout.String() != "" {
				t.Errorf("serve without --demo printed to stdout: %s", s.stdout)
			}
			healthz(t, s, engine)
			if res := signIn(t, s, "admin@demo-city.example", demo.Password); res.StatusCode != http.StatusUnauthorized {
				t.Errorf("sign-in on an empty city = %d, want 401", res.StatusCode)
			}
			if code := s.stop(t); code != 0 {
				t.Fatalf("serve exited with %d, want 0\nstderr: %s", code, s.stderr)
			}
			if n := countUsers(t, d); n != 0 {
				t.Errorf("%d users, want none", n)
			}
		})
	}
}

// TestServeErrors checks that serve refuses to start, with a message, when
// the port is taken or the configuration is wrong.
func TestServeErrors(t *testing.T) {
	t.Parallel()
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { busy.Close() })
	addr := busy.Addr().String()
	inUse := []string{"cannot listen on " + addr + " (is another program using the port?)", "address already in use"}
	file := filepath.Join(t.TempDir(), "a-file")
	if err := writeFile(file); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		env    map[string]string
		args   []string
		city   bool // the database already holds a real city
		code   int
		stderr []string
	}{
		{name: "port in use", args: []string{"--addr", addr}, code: 1, stderr: inUse},
		{name: "port in use, from the environment", env: map[string]string{"STEWARD_ADDR": addr}, code: 1, stderr: inUse},
		{name: "port in use, with demo", args: []string{"--addr", addr, "--demo"}, code: 1, stderr: inUse},
		{name: "address not on this machine", args: []string{"--addr", "192.0.2.1:8080"}, code: 1, stderr: []string{"cannot listen on 192.0.2.1:8080", "cannot assign requested address"}},
		{name: "data folder under a file", args: []string{"--addr", "127.0.0.1:0", "--data", filepath.Join(file, "data")}, code: 1,
			stderr: []string{"data folder " + filepath.Join(file, "data") + " cannot be created"}},
		{name: "demo on a real city", args: []string{"--addr", "127.0.0.1:0", "--demo"}, city: true, code: 1,
			stderr: []string{"demo city: this database already holds 1 department that is not a demo"}},
		{name: "unknown time zone", args: []string{"--addr", "127.0.0.1:0", "--time-zone", "America/Chicgo"}, code: 1,
			stderr: []string{`--time-zone: time zone "America/Chicgo" is not a known IANA time zone name`}},
		{name: "the machine's zone", env: map[string]string{"STEWARD_TIME_ZONE": "Local"}, args: []string{"--addr", "127.0.0.1:0"}, code: 1,
			stderr: []string{"--time-zone: ", "not the machine's"}},
		{name: "half-configured single sign-on", args: []string{"--addr", "127.0.0.1:0", "--oidc-issuer", "https://login.city.example"}, code: 1,
			stderr: []string{"single sign-on needs --oidc-client-id and --oidc-redirect-url as well as --oidc-issuer"}},
		{name: "bad role map", env: map[string]string{"STEWARD_OIDC_ROLE_MAP": "nonsense"},
			args: []string{"--addr", "127.0.0.1:0", "--oidc-issuer", "https://login.city.example", "--oidc-client-id", "steward", "--oidc-redirect-url", "https://steward.city.example/sso/callback"},
			code: 1, stderr: []string{"--oidc-role-map: "}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			d := newDB(t, "sqlite")
			if c.city {
				d.departments(t, "police")
			}
			env := map[string]string{"STEWARD_DATA": d.dir}
			for k, v := range c.env {
				env[k] = v
			}
			// Should serve start after all, the timeout stops it and the
			// exit code (0) fails the test.
			ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
			defer cancel()
			r := runCtx(ctx, t, env, "", append([]string{"serve"}, c.args...)...)
			r.check(t, c.code, nil, c.stderr)
			if r.stdout != "" {
				t.Errorf("stdout: %s", r.stdout)
			}
		})
	}
}
