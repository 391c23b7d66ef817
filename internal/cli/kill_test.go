package cli_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/connection"
	"steward.city/steward/internal/platform"
	"steward.city/steward/internal/platform/adapters"
	"steward.city/steward/internal/sqlstore"
	"steward.city/steward/internal/vault"
)

// The fake platform of TestThreeProcessesShareCapture: each of the
// connections' accounts has killPosts posts with killReplies replies each.
const (
	killConnections = 200
	killPosts       = 3
	killReplies     = 2
)

// mastodonServer is a Mastodon API server recorded by hand: every account
// "N" has the same three posts and two replies each, with ids made of N,
// so that what it serves never changes and a second pass of an account
// finds nothing new. Each answer waits delay, so that passes overlap and a
// process dies in the middle of some.
func mastodonServer(t *testing.T, delay time.Duration) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var requests atomic.Int64
	var srv *httptest.Server
	acct := func(id, user string) string {
		return fmt.Sprintf(`{"id":%q,"username":%q,"acct":%q,"display_name":%q,"note":"","url":"%s/@%s","fields":[]}`, id, user, user, user, srv.URL, user)
	}
	st := func(id, account, user, reply, text string) string {
		in := "null"
		if reply != "" {
			in = fmt.Sprintf("%q", reply)
		}
		return fmt.Sprintf(`{"id":%q,"created_at":"2026-12-01T10:00:00.000Z","edited_at":null,"in_reply_to_id":%s,"in_reply_to_account_id":null,`+
			`"content":"<p>%s</p>","spoiler_text":"","visibility":"public","url":"%s/@%s/%s","account":%s,"application":{"name":"Steward"},"media_attachments":[],"reblog":null}`,
			id, in, text, srv.URL, user, id, acct(account, user))
	}
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		time.Sleep(delay)
		w.Header().Set("Content-Type", "application/json")
		p := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
		switch {
		case r.Method != http.MethodGet:
			http.Error(w, `{"error":"read only"}`, http.StatusMethodNotAllowed)
		case len(p) == 4 && p[2] == "accounts": // /api/v1/accounts/N
			fmt.Fprint(w, acct(p[3], "parks"+p[3]))
		case len(p) == 5 && p[2] == "accounts" && p[4] == "statuses":
			if r.URL.Query().Get("max_id") != "" {
				fmt.Fprint(w, "[]")
				return
			}
			var out []string
			for i := killPosts; i >= 1; i-- {
				out = append(out, st(fmt.Sprintf("%s%02d00", p[3], i), p[3], "parks"+p[3], "", fmt.Sprintf("Post %d of account %s", i, p[3])))
			}
			fmt.Fprint(w, "["+strings.Join(out, ",")+"]")
		case len(p) == 5 && p[2] == "accounts": // following
			fmt.Fprint(w, "[]")
		case len(p) == 3 && (p[2] == "blocks" || p[2] == "mutes"):
			fmt.Fprint(w, "[]")
		case len(p) == 5 && p[2] == "statuses" && p[4] == "context":
			var out []string
			for i := 1; i <= killReplies; i++ {
				out = append(out, st(fmt.Sprintf("%s%02d", p[3], i), "9"+p[3], fmt.Sprintf("resident%d", i), p[3], fmt.Sprintf("Reply %d to %s", i, p[3])))
			}
			fmt.Fprint(w, `{"ancestors":[],"descendants":[`+strings.Join(out, ",")+`]}`)
		default: // interaction_requests: not GoToSocial
			http.Error(w, `{"error":"Record not found"}`, http.StatusNotFound)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &requests
}

// process is a steward command running in a process of its own.
type process struct {
	cmd    *exec.Cmd
	stderr *syncBuffer
	done   chan error
}

// startProcess runs steward args in a new process with env added.
func startProcess(t *testing.T, env []string, args ...string) *process {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(append(os.Environ(), "STEWARD_TEST_RUN_STEWARD=1"), env...)
	p := &process{cmd: cmd, stderr: &syncBuffer{}, done: make(chan error, 1)}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			t.Errorf("steward %s did not stop on SIGTERM", args[0])
		}
	})
	return p
}

// TestThreeProcessesShareCapture is issue 16's acceptance test for several
// processes: three `steward serve` processes (one web+worker, two workers)
// on one PostgreSQL database capture 200 connections from a recorded
// Mastodon server; one worker is killed with SIGKILL while it runs capture
// passes. Every connection is then captured, every item exactly once (one
// version each, none missing), every capture job completed, and the passes
// the dead process held were run again by the others.
func TestThreeProcessesShareCapture(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs three processes for about a minute")
	}
	d := newDB(t, "postgres")
	srv, requests := mastodonServer(t, 100*time.Millisecond)
	key := vault.GenerateKey()
	v, err := vault.New(key)
	if err != nil {
		t.Fatal(err)
	}

	// The city: a department, IT, and 200 active accounts, each connected.
	s := d.open(t)
	defer s.Close()
	ctx := context.Background()
	var it *civic.User
	var accounts []*civic.Account
	err = s.Update(ctx, civic.Actor{Label: "test"}, func(tx civic.Tx) error {
		dep := &civic.Department{Slug: "parks", Name: "Parks"}
		if err := tx.CreateDepartment(ctx, dep); err != nil {
			return err
		}
		var admins []int64
		for _, n := range []string{"Ada Admin", "Ben Admin"} {
			p := &civic.Person{Name: n, Kind: civic.KindEmployee, DepartmentID: dep.ID}
			if err := tx.CreatePerson(ctx, p); err != nil {
				return err
			}
			admins = append(admins, p.ID)
		}
		ip := &civic.Person{Name: "Ivan IT", Kind: civic.KindEmployee, DepartmentID: dep.ID}
		if err := tx.CreatePerson(ctx, ip); err != nil {
			return err
		}
		it = &civic.User{PersonID: ip.ID, Email: "it@city.example", PasswordHash: "x", Grants: []civic.Grant{{Role: civic.RoleIT}}}
		if err := tx.CreateUser(ctx, it); err != nil {
			return err
		}
		for i := 1; i <= killConnections; i++ {
			a := &civic.Account{DepartmentID: dep.ID, Platform: "mastodon", Handle: fmt.Sprintf("@parks%d@city.example", i), DisplayName: fmt.Sprintf("Parks %d", i),
				Purpose: "news", Audience: "residents", Categories: []string{"announcements"}, AdminIDs: admins,
				WebsiteURL: "https://www.city.example/", ProfileText: "Official. Call 9-1-1.", RequestedBy: it.ID}
			if err := tx.CreateAccount(ctx, a); err != nil {
				return err
			}
			a.Status = civic.AccountActive
			if err := tx.UpdateAccount(ctx, a, "account.activate"); err != nil {
				return err
			}
			accounts = append(accounts, a)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	conns := connection.New(connection.Config{Store: s, Clock: time.Now, Vault: v, Platforms: adapters.All(platform.Config{UserAgent: "test", Now: time.Now})})
	for i, a := range accounts {
		c := &civic.Connection{AccountID: a.ID, Platform: "mastodon", BaseURL: srv.URL, RemoteID: fmt.Sprint(i + 1), Handle: a.Handle, Interval: time.Hour}
		if err := conns.Connect(ctx, civic.ActorOf(it), c, civic.PlatformToken{AccessToken: "token"}); err != nil {
			t.Fatal(err)
		}
	}

	// Three processes; the workers take a job of a dead process for stuck
	// after 25 seconds instead of the 35 minutes of production.
	env := []string{vault.EnvKey + "=" + base64.StdEncoding.EncodeToString(key)}
	common := d.cmd([]string{"serve"}, "--capture-tick", "1s", "--job-timeout", "20s", "--job-rescue-after", "25s", "--log-level", "info")
	procs := []*process{
		startProcess(t, env, append(common, "--role", "all", "--addr", "127.0.0.1:0")...),
		startProcess(t, env, append(common, "--role", "worker")...),
		startProcess(t, env, append(common, "--role", "worker")...),
	}
	victim := procs[1]
	victimID := fmt.Sprintf("_%d_", victim.cmd.Process.Pid)

	db := s.DB()
	count := func(q string, args ...any) int {
		t.Helper()
		var n int
		if err := db.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	captured := func() int { return count(`SELECT count(*) FROM capture_connections WHERE last_success IS NOT NULL`) }
	alive := procs
	exited := func() {
		t.Helper()
		for i, p := range alive {
			select {
			case err := <-p.done:
				p.done <- err
				t.Fatalf("process %d exited (%v)\nstderr, last lines: %s", i, err, tail(p.stderr.String(), 4000))
			default:
			}
		}
	}

	// Kill the victim while it runs at least three capture passes and some
	// connections are done.
	deadline := time.Now().Add(5 * time.Minute)
	for {
		exited()
		running := count(`SELECT count(*) FROM river_job WHERE kind = 'capture' AND state = 'running' AND array_to_string(attempted_by, ',') LIKE '%' || $1 || '%'`, victimID)
		if running >= 3 && captured() >= 10 {
			break
		}
		if captured() == killConnections || time.Now().After(deadline) {
			t.Fatalf("the second process never ran three capture passes at once before all were done (captured %d)\nstderr, last lines: %s", captured(), tail(victim.stderr.String(), 4000))
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := victim.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-victim.done
	victim.done <- nil
	orphans := count(`SELECT count(*) FROM river_job WHERE kind = 'capture' AND state = 'running' AND array_to_string(attempted_by, ',') LIKE '%' || $1 || '%'`, victimID)
	t.Logf("killed process %d with %d capture passes running; %d of %d connections captured", victim.cmd.Process.Pid, orphans, captured(), killConnections)
	if orphans == 0 {
		t.Fatal("the killed process held no capture pass: the test proves nothing")
	}
	alive = []*process{procs[0], procs[2]}

	// The two survivors finish the work, the dead process's passes included.
	deadline = time.Now().Add(8 * time.Minute)
	for {
		exited()
		open := count(`SELECT count(*) FROM river_job WHERE kind = 'capture' AND state NOT IN ('completed', 'discarded', 'cancelled')`)
		if captured() == killConnections && open == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 8 minutes: %d of %d connections captured, %d capture jobs unfinished; jobs by kind and state: %s\nstderr, last lines: %s",
				captured(), killConnections, open, jobStates(t, s), tail(procs[0].stderr.String(), 4000))
		}
		time.Sleep(250 * time.Millisecond)
	}
	if n := count(`SELECT count(*) FROM river_job WHERE kind = 'capture' AND state <> 'completed'`); n != 0 {
		t.Errorf("%d capture jobs failed or were cancelled", n)
	}
	if n := count(`SELECT count(*) FROM river_job WHERE state = 'discarded'`); n != 0 {
		t.Errorf("%d jobs failed for good", n)
	}
	rescued := count(`SELECT count(*) FROM river_job WHERE kind = 'capture' AND state = 'completed' AND attempt >= 2 AND array_to_string(attempted_by, ',') LIKE '%' || $1 || '%'`, victimID)
	if rescued < orphans {
		t.Errorf("%d passes were running in the killed process, but only %d were run again", orphans, rescued)
	}

	// Every item exactly once: each account's profile, posts and replies,
	// one version each.
	perAccount := 1 + killPosts*(1+killReplies)
	if n := count(`SELECT count(*) FROM archive_items WHERE kind = 'profile'`); n != killConnections {
		t.Errorf("%d profiles archived, want %d", n, killConnections)
	}
	if n := count(`SELECT count(*) FROM archive_items`); n != killConnections*perAccount {
		t.Errorf("%d archive items, want %d", n, killConnections*perAccount)
	}
	if n := count(`SELECT count(*) FROM archive_versions`); n != killConnections*perAccount {
		t.Errorf("%d archive versions, want %d: an item was captured twice", n, killConnections*perAccount)
	}
	if n := count(`SELECT count(*) FROM (SELECT account_id FROM archive_items GROUP BY account_id HAVING count(*) <> $1) x`, perAccount); n != 0 {
		t.Errorf("%d accounts lack items or have too many", n)
	}
	if n := count(`SELECT count(*) FROM capture_connections WHERE status <> 'ok'`); n != 0 {
		t.Errorf("%d connections are not ok", n)
	}
	t.Logf("%d capture passes ran again after the kill; the platform answered %d requests", rescued, requests.Load())
}

// tail is the last n bytes of s.
func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// jobStates counts the queue's jobs by kind and state, with the latest
// error of each kind and state.
func jobStates(t *testing.T, s *sqlstore.Store) string {
	t.Helper()
	rows, err := s.DB().QueryContext(context.Background(), `SELECT kind, state, count(*), max(attempt), coalesce(max(errors::text), '') FROM river_job GROUP BY kind, state ORDER BY kind, state`)
	if err != nil {
		return err.Error()
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var kind, state, errs string
		var n, attempt int
		if err := rows.Scan(&kind, &state, &n, &attempt, &errs); err != nil {
			return err.Error()
		}
		fmt.Fprintf(&b, "\n  %s %s: %d (attempt up to %d) %s", kind, state, n, attempt, tail(errs, 300))
	}
	return b.String()
}
