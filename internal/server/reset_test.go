package server_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime/quotedprintable"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/auth"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/cli"
	"steward.city/steward/internal/demo"
	"steward.city/steward/internal/notify"
	"steward.city/steward/internal/notify/smtptest"
	"steward.city/steward/internal/storetest"
)

// newMailApp is newApp with e-mail sent through a real SMTP listener and
// the public address reset links start with.
func newMailApp(t *testing.T, e storetest.Engine) (*testApp, *smtptest.Server) {
	t.Helper()
	mail := smtptest.Start(t)
	sender, err := notify.NewSMTP(notify.SMTPConfig{Addr: mail.Addr, From: "steward@demo-city.example"})
	if err != nil {
		t.Fatal(err)
	}
	clock := storetest.NewClock(time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC))
	s := e.Open(t, clock.Now)
	logs := &bytes.Buffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	svcs := cli.NewServices(cli.ServicesConfig{Store: s, Clock: clock.Now, Logger: log, Mailer: sender})
	if _, err := demo.Seed(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	srv, err := svcs.Handler(cli.HandlerConfig{MetricsToken: metricsToken, PublicURL: "https://steward.demo-city.example"})
	if err != nil {
		t.Fatal(err)
	}
	return &testApp{t: t, store: s, auth: svcs.Auth, server: srv, clock: clock, logs: logs, reg: svcs.Registry, svcs: svcs}, mail
}

var resetLinkRE = regexp.MustCompile(`https://steward\.demo-city\.example/signin/reset\?token=([A-Za-z0-9_%-]+)`)

// waitMail waits until the server received at least n messages (mail
// goes out after the answer) and returns how many it holds.
func waitMail(t *testing.T, mail *smtptest.Server, n int) int {
	t.Helper()
	for range 200 {
		if got := len(mail.Messages()); got >= n {
			return got
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatalf("the mail server received %d messages, want %d", len(mail.Messages()), n)
	return 0
}

// resetLinks returns the reset links mailed to to, oldest first.
func resetLinks(t *testing.T, mail *smtptest.Server, to string) []string {
	t.Helper()
	var out []string
	for _, m := range mail.Messages() {
		if len(m.To) != 1 || m.To[0] != to {
			continue
		}
		_, body, _ := strings.Cut(m.Data, "\r\n\r\n")
		plain, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(body)))
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range resetLinkRE.FindAllStringSubmatch(string(plain), -1) {
			out = append(out, "/signin/reset?token="+l[1])
		}
	}
	return out
}

// TestForgottenPassword: the same answer for a known, unknown and disabled
// address; one link mailed, to the known enabled user only; a link works
// once, not after an hour, not for a disabled user; the new password
// signs in, the old one no longer; requests are throttled; each step is in
// the audit log.
func TestForgottenPassword(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			app, mail := newMailApp(t, e)
			ctx := context.Background()
			const clerk, staff = "clerk@demo-city.example", "staff@demo-city.example"
			ask := func(email, remote string) (int, string) {
				t.Helper()
				res := app.do(request{method: "POST", path: "/signin/forgot", body: form("email", email), remote: remote})
				body := readBody(t, res)
				return res.StatusCode, body
			}
			// The sign-in page links to the forgotten-password page.
			if body := readBody(t, app.do(request{method: "GET", path: "/signin"})); !strings.Contains(body, `href="/signin/forgot"`) {
				t.Error("the sign-in page has no forgotten-password link")
			}
			if code, body := ask("", "192.0.2.10"); code != http.StatusUnprocessableEntity || !strings.Contains(body, "enter your e-mail address") {
				t.Errorf("empty address: %d", code)
			}
			// Disable the staff user.
			u := mustUser(t, app, staff)
			if err := app.svcs.People.SetDisabled(ctx, civic.CLI, u.ID, true); err != nil {
				t.Fatal(err)
			}
			answers := map[string]string{}
			for i, email := range []string{clerk, "nobody@demo-city.example", staff} {
				code, body := ask(email, "192.0.2."+string(rune('1'+i)))
				if code != http.StatusOK {
					t.Fatalf("%s: %d", email, code)
				}
				_, main, _ := strings.Cut(body, "<main")
				answers[email] = strings.ReplaceAll(main, email, "ADDRESS")
			}
			if answers[clerk] != answers["nobody@demo-city.example"] || answers[clerk] != answers[staff] {
				t.Errorf("the answer tells who has an account:\n%s\n%s\n%s", answers[clerk], answers["nobody@demo-city.example"], answers[staff])
			}
			// The clerk's request came first: once its message is in, the
			// two after it had time to send theirs, and sent none.
			waitMail(t, mail, 1)
			time.Sleep(200 * time.Millisecond)
			if n := len(mail.Messages()); n != 1 {
				t.Fatalf("%d messages sent, want 1 (to the clerk only)", n)
			}
			links := resetLinks(t, mail, clerk)
			if len(links) != 1 {
				t.Fatalf("links to the clerk: %v", links)
			}
			link := links[0]
			// The secret is not stored: only its hash.
			var stored int
			secret := strings.TrimPrefix(link, "/signin/reset?token=")
			if err := app.store.DB().QueryRowContext(ctx, `SELECT count(*) FROM password_resets`).Scan(&stored); err != nil || stored != 1 {
				t.Fatalf("password_resets rows: %d %v", stored, err)
			}
			var raw []byte
			if err := app.store.DB().QueryRowContext(ctx, `SELECT hash FROM password_resets`).Scan(&raw); err != nil || bytes.Contains(raw, []byte(secret)) || len(raw) != 32 {
				t.Errorf("the stored reset is not a SHA-256: %d bytes %v", len(raw), err)
			}

			// The link opens the form; a short password and a mismatch are refused.
			if res := app.do(request{method: "GET", path: link}); res.StatusCode != http.StatusOK {
				t.Fatalf("open the link: %d", res.StatusCode)
			}
			setPw := func(token, pw, confirm string) (int, string) {
				t.Helper()
				res := app.do(request{method: "POST", path: "/signin/reset", body: form("token", token, "password", pw, "confirm", confirm)})
				return res.StatusCode, readBody(t, res)
			}
			if code, body := setPw(secret, "short", "short"); code != http.StatusUnprocessableEntity || !strings.Contains(body, "at least 12") {
				t.Errorf("short password: %d", code)
			}
			if code, body := setPw(secret, "a long new passphrase", "a different one here"); code != http.StatusUnprocessableEntity || !strings.Contains(body, "differ") {
				t.Errorf("mismatch: %d", code)
			}
			old := app.session(clerk)
			if code, _ := setPw(secret, "a long new passphrase", "a long new passphrase"); code != http.StatusSeeOther {
				t.Fatalf("reset: %d", code)
			}
			if res := app.do(request{method: "GET", path: "/", cookie: old}); res.StatusCode == http.StatusOK {
				t.Error("the session from before the reset still works")
			}
			if _, err := app.auth.SignInDevice(ctx, auth.Attempt{Email: clerk, Password: "a long new passphrase", Remote: "192.0.2.99"}); err != nil {
				t.Errorf("the new password does not sign in: %v", err)
			}
			if _, err := app.auth.SignInDevice(ctx, auth.Attempt{Email: clerk, Password: demo.Password, Remote: "192.0.2.99"}); err == nil {
				t.Error("the old password still signs in")
			}
			// Used once: not again.
			if code, body := setPw(secret, "another long passphrase", "another long passphrase"); code != http.StatusGone || !strings.Contains(body, "already used") {
				t.Errorf("reuse: %d", code)
			}
			if res := app.do(request{method: "GET", path: link}); res.StatusCode != http.StatusGone {
				t.Errorf("open a used link: %d", res.StatusCode)
			}
			// A made-up or empty token.
			if code, _ := setPw("not-a-token", "another long passphrase", "another long passphrase"); code != http.StatusGone {
				t.Errorf("made-up token: %d", code)
			}
			if res := app.do(request{method: "GET", path: "/signin/reset"}); res.StatusCode != http.StatusGone {
				t.Errorf("no token: %d", res.StatusCode)
			}

			// Expiry: a new link, an hour and a second later.
			if code, _ := ask(clerk, "192.0.2.20"); code != http.StatusOK {
				t.Fatal(code)
			}
			waitMail(t, mail, 2)
			links = resetLinks(t, mail, clerk)
			late := strings.TrimPrefix(links[len(links)-1], "/signin/reset?token=")
			app.clock.Advance(time.Hour + time.Second)
			if code, body := setPw(late, "another long passphrase", "another long passphrase"); code != http.StatusGone || !strings.Contains(body, "expired") {
				t.Errorf("expired link: %d", code)
			}

			// A disabled user cannot use a link made before being disabled.
			if code, _ := ask(clerk, "192.0.2.21"); code != http.StatusOK {
				t.Fatal(code)
			}
			waitMail(t, mail, 3)
			links = resetLinks(t, mail, clerk)
			before := strings.TrimPrefix(links[len(links)-1], "/signin/reset?token=")
			cu := mustUser(t, app, clerk)
			if err := app.svcs.People.SetDisabled(ctx, civic.CLI, cu.ID, true); err != nil {
				t.Fatal(err)
			}
			if code, body := setPw(before, "another long passphrase", "another long passphrase"); code != http.StatusGone || !strings.Contains(body, "disabled") {
				t.Errorf("disabled user's link: %d", code)
			}

			// Throttled per address: the fourth request in an hour is refused,
			// for a known and an unknown address alike.
			for _, email := range []string{"auditor@demo-city.example", "nobody2@demo-city.example"} {
				for i := range 4 {
					code, body := ask(email, "198.51.100."+string(rune('1'+i)))
					if want := http.StatusOK; i == 3 {
						if code != http.StatusTooManyRequests || !strings.Contains(body, "too many") {
							t.Errorf("%s request %d: %d, want 429", email, i+1, code)
						}
					} else if code != want {
						t.Errorf("%s request %d: %d", email, i+1, code)
					}
				}
			}

			// The audit log has the requests, the refusals and the use.
			for _, action := range []string{"auth.password_reset_requested", "auth.password_reset_refused", "auth.password_reset_used", "user.set_password"} {
				var n int
				if err := app.store.DB().QueryRowContext(ctx, `SELECT count(*) FROM audit_events WHERE action = '`+action+`'`).Scan(&n); err != nil || n == 0 {
					t.Errorf("no %s in the audit log: %v", action, err)
				}
			}
		})
	}
}
