package cli_test

import (
	"context"
	"log/slog"
	"regexp"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/auth"
)

// step is one command of a scripted session at the terminal.
type step struct {
	name           string
	words          []string // the command: "user", "add"
	args           []string // flags and arguments after the database flags
	stdin          string
	env            map[string]string // environment variables
	envDB          bool              // name the database with STEWARD_DATA and STEWARD_DB, not flags
	code           int
	stdout, stderr []string // wanted substrings
	after          func(t *testing.T, d *db, r result)
}

// script runs the steps in order on d, each as its own subtest; the steps
// depend on each other, so they run one after another.
func script(t *testing.T, d *db, steps []step) {
	t.Helper()
	for _, s := range steps {
		ok := t.Run(s.name, func(t *testing.T) {
			env := map[string]string{}
			args := d.cmd(s.words, s.args...)
			if s.envDB {
				env = d.env()
				args = append(append([]string{}, s.words...), s.args...)
			}
			for k, v := range s.env {
				env[k] = v
			}
			r := run(t, env, s.stdin, args...)
			r.check(t, s.code, s.stdout, s.stderr)
			if s.code != 0 && r.stdout != "" {
				t.Errorf("a failing command printed to stdout: %s", r.stdout)
			}
			if s.after != nil {
				s.after(t, d, r)
			}
		})
		if !ok {
			t.FailNow()
		}
	}
}

var (
	userAdd   = []string{"user", "add"}
	userList  = []string{"user", "list"}
	setRoles  = []string{"user", "set-roles"}
	disable   = []string{"user", "disable"}
	enable    = []string{"user", "enable"}
	resetPW   = []string{"user", "reset-password"}
	tokCreate = []string{"token", "create"}
	tokList   = []string{"token", "list"}
	tokRevoke = []string{"token", "revoke"}
	verify    = []string{"audit", "verify"}
)

// Passwords typed on stdin; none may be printed.
const (
	alicePW = "Correct-Horse-Battery-7"
	newPW   = "Staple-Mule-Lantern-42"
	shortPW = "Tiny-pw9"
)

// countUsers returns the number of rows "user list" prints.
func countUsers(t *testing.T, d *db) int {
	t.Helper()
	r := run(t, nil, "", d.cmd(userList)...)
	r.check(t, 0, []string{"ID  E-MAIL"}, nil)
	return strings.Count(r.stdout, "\n") - 1
}

// auditEvents returns the number of events "audit verify" checked.
func auditEvents(t *testing.T, d *db) string {
	t.Helper()
	r := run(t, nil, "", d.cmd(verify)...)
	// These tests sign no checkpoint: the chain must be intact, and is
	// anchored only if a server signed one.
	anchored := r.code == 0 && strings.Contains(r.stdout, "audit chain intact")
	unanchored := r.code == 2 && strings.Contains(r.stderr, "not anchored: no signed checkpoint") && strings.Contains(r.stderr, "are intact among themselves")
	if !anchored && !unanchored {
		t.Errorf("audit verify: %+v", r)
	}
	return regexp.MustCompile(`\d+ events`).FindString(r.stdout + r.stderr)
}

// passwordIs fails unless email signs in with pw (and only with pw).
func passwordIs(t *testing.T, d *db, email, pw string) {
	t.Helper()
	s := d.open(t)
	defer s.Close()
	u, err := s.UserByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	if !auth.VerifyPassword(u.PasswordHash, pw) {
		t.Errorf("%s does not have the password %q", email, pw)
	}
}

// TestUserCommands walks through managing users from the command line:
// adding, listing, roles, disabling and passwords, with each mistake an
// operator is likely to make.
func TestUserCommands(t *testing.T) {
	t.Parallel()
	for _, engine := range engines(t) {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			d := newDB(t, engine)
			run(t, nil, "", d.cmd([]string{"migrate"})...).check(t, 0, nil, nil)
			d.departments(t, "it", "police")
			var events string
			script(t, d, []step{
				{name: "list, empty", words: userList, stdout: []string{"ID  E-MAIL  NAME  ROLES  STATUS\n"},
					after: func(t *testing.T, d *db, r result) {
						if n := strings.Count(r.stdout, "\n"); n != 1 {
							t.Errorf("%d lines, want only the header", n)
						}
					}},
				{name: "add with password", words: userAdd, stdin: alicePW + "\n",
					args:   []string{"--email", "Alice@City.Example", "--name", "Alice Admin", "--department", "it", "--title", "CIO", "--roles", "admin", "--password-stdin"},
					stdout: []string{"user 1 alice@city.example added with roles admin\n"},
					after:  func(t *testing.T, d *db, _ result) { passwordIs(t, d, "alice@city.example", alicePW) }},
				{name: "add for single sign-on", words: userAdd,
					args:   []string{"--email", "bob@city.example", "--name", "Bob Director", "--department", "police", "--roles", "staff, director:police", "--kind", "employee"},
					stdout: []string{"user 2 bob@city.example added with roles director:police,staff\n"},
					after: func(t *testing.T, d *db, _ result) {
						s := d.open(t)
						defer s.Close()
						u, err := s.UserByEmail(context.Background(), "bob@city.example")
						if err != nil || u.PasswordHash != "" {
							t.Errorf("bob = %+v, %v; want a user without a password", u, err)
						}
					}},
				{name: "add without roles", words: userAdd, args: []string{"--email", "carol@city.example", "--name", "Carol", "--department", "it"},
					stdout: []string{"user 3 carol@city.example added with roles (none)"}},
				{name: "password from CRLF stdin", words: userAdd, stdin: alicePW + "x\r\nsecond line\r\n",
					args:   []string{"--email", "dan@city.example", "--name", "Dan", "--department", "it", "--password-stdin"},
					stdout: []string{"user 4 dan@city.example added"},
					after:  func(t *testing.T, d *db, _ result) { passwordIs(t, d, "dan@city.example", alicePW+"x") }},
				{name: "duplicate e-mail", words: userAdd, stdin: newPW + "\n",
					args: []string{"--email", "ALICE@city.example", "--name", "Alice Again", "--department", "it", "--password-stdin"},
					code: 1, stderr: []string{"steward: email: another user has this email\n"}},
				{name: "missing e-mail", words: userAdd, args: []string{"--name", "Nobody", "--department", "it"},
					code: 1, stderr: []string{"--email is required"}},
				{name: "malformed e-mail", words: userAdd, args: []string{"--email", "not-an-address", "--name", "Nobody", "--department", "it"},
					code: 1, stderr: []string{"steward: email: "}},
				{name: "missing name", words: userAdd, args: []string{"--email", "erin@city.example", "--department", "it"},
					code: 1, stderr: []string{"give --name and --department"}},
				{name: "unknown department", words: userAdd, args: []string{"--email", "erin@city.example", "--name", "Erin", "--department", "fire"},
					code: 1, stderr: []string{`steward: department: no department "fire"`}},
				{name: "unknown kind", words: userAdd, args: []string{"--email", "erin@city.example", "--name", "Erin", "--department", "it", "--kind", "intern"},
					code: 1, stderr: []string{"steward: kind: kind must be one of"}},
				{name: "invalid role", words: userAdd, args: []string{"--email", "erin@city.example", "--name", "Erin", "--department", "it", "--roles", "staff,emperor"},
					code: 1, stderr: []string{`steward: roles: unknown role "emperor"`}},
				{name: "director without department", words: userAdd, args: []string{"--email", "erin@city.example", "--name", "Erin", "--department", "it", "--roles", "director"},
					code: 1, stderr: []string{"steward: roles: a director must be the director of a department"}},
				{name: "director of unknown department", words: userAdd, args: []string{"--email", "erin@city.example", "--name", "Erin", "--department", "it", "--roles", "director:fire"},
					code: 1, stderr: []string{`steward: roles: director:fire: no department "fire"`}},
				{name: "department on another role", words: userAdd, args: []string{"--email", "erin@city.example", "--name", "Erin", "--department", "it", "--roles", "staff:it"},
					code: 1, stderr: []string{"steward: roles: only a director role names a department"}},
				{name: "short password", words: userAdd, stdin: shortPW + "\n",
					args: []string{"--email", "erin@city.example", "--name", "Erin", "--department", "it", "--password-stdin"},
					code: 1, stderr: []string{"steward: password: a password needs at least 12 characters"}},
				{name: "no password on stdin", words: userAdd, args: []string{"--email", "erin@city.example", "--name", "Erin", "--department", "it", "--password-stdin"},
					code: 1, stderr: []string{"steward: password: no password on standard input"}},
				{name: "unknown person", words: userAdd, args: []string{"--email", "erin@city.example", "--person", "999"},
					code: 1, stderr: []string{"steward: person_id: person 999 does not exist"}},
				{name: "malformed person", words: userAdd, args: []string{"--email", "erin@city.example", "--person", "erin"},
					code: 1, stderr: []string{`--person "erin" is not an id`}},
				{name: "list", words: userList, stdout: []string{"alice@city.example", "Alice Admin", "admin", "director:police,staff"},
					after: func(t *testing.T, d *db, r result) {
						lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
						if len(lines) != 5 { // header, alice, bob, carol, dan: no failed add left anything behind
							t.Fatalf("%d lines, want 5:\n%s", len(lines), r.stdout)
						}
						for i, email := range []string{"alice", "bob", "carol", "dan"} {
							if f := strings.Fields(lines[i+1]); f[1] != email+"@city.example" || f[len(f)-1] != "active" {
								t.Errorf("line %d: %q, want %s and active", i+1, lines[i+1], email)
							}
						}
					}},
				{name: "set roles", words: setRoles, args: []string{"--roles", "clerk,director:it", "bob@city.example"},
					stdout: []string{"bob@city.example now has roles director:it,clerk\n"}},
				{name: "set roles by id", words: setRoles, args: []string{"--roles", "auditor", "3"},
					stdout: []string{"carol@city.example now has roles auditor\n"}},
				{name: "set no roles", words: setRoles, args: []string{"3"}, stdout: []string{"carol@city.example now has roles (none)\n"}},
				{name: "set invalid roles", words: setRoles, args: []string{"--roles", "director", "bob@city.example"},
					code: 1, stderr: []string{"roles: a director must be the director of a department"}},
				{name: "set roles of unknown user", words: setRoles, args: []string{"--roles", "staff", "nobody@city.example"},
					code: 1, stderr: []string{"steward: user ", " not found (see steward user list)"}},
				{name: "set roles without user", words: setRoles, args: []string{"--roles", "staff"},
					code: 1, stderr: []string{"user set-roles needs one user"}},
				{name: "list after set roles", words: userList, stdout: []string{"director:it,clerk"}},
				{name: "disable", words: disable, args: []string{"BOB@city.example"}, stdout: []string{"bob@city.example is disabled\n"}},
				{name: "list disabled", words: userList, after: func(t *testing.T, _ *db, r result) {
					if !regexp.MustCompile(`(?m)^2\s+bob@city\.example\s.*\sdisabled$`).MatchString(r.stdout) {
						t.Errorf("bob is not listed as disabled:\n%s", r.stdout)
					}
				}},
				{name: "enable", words: enable, args: []string{"2"}, stdout: []string{"bob@city.example is enabled\n"}},
				{name: "list enabled", words: userList, after: func(t *testing.T, _ *db, r result) {
					if strings.Contains(r.stdout, "disabled") {
						t.Errorf("a user is still disabled:\n%s", r.stdout)
					}
				}},
				{name: "disable unknown user", words: disable, args: []string{"999"}, code: 1, stderr: []string{"steward: user ", " not found (see steward user list)"}},
				{name: "enable without user", words: enable, code: 1, stderr: []string{"user enable needs one user"}},
				{name: "disable two users", words: disable, args: []string{"1", "2"}, code: 1, stderr: []string{"user disable needs one user"}},
				{name: "count events", words: verify, code: 2, stderr: []string{"not anchored", "intact among themselves"}, after: func(t *testing.T, d *db, r result) { events = auditEvents(t, d) }},
				{name: "reset password without stdin flag", words: resetPW, stdin: newPW + "\n", args: []string{"alice@city.example"},
					code: 1, stderr: []string{"add --password-stdin"}},
				{name: "reset to a short password", words: resetPW, stdin: shortPW + "\n", args: []string{"--password-stdin", "alice@city.example"},
					code: 1, stderr: []string{"steward: password: a password needs at least 12 characters"},
					after: func(t *testing.T, d *db, _ result) {
						passwordIs(t, d, "alice@city.example", alicePW)
						if got := auditEvents(t, d); got != events {
							t.Errorf("audit log has %s, want %s: the failed reset changed something", got, events)
						}
					}},
				{name: "reset password of unknown user", words: resetPW, stdin: newPW + "\n", args: []string{"--password-stdin", "nobody@city.example"},
					code: 1, stderr: []string{"steward: user ", " not found (see steward user list)"}},
				{name: "reset password", words: resetPW, stdin: newPW + "\n", args: []string{"--password-stdin", "alice@city.example"},
					stdout: []string{"alice@city.example has a new password and is signed out everywhere\n"},
					after:  func(t *testing.T, d *db, _ result) { passwordIs(t, d, "alice@city.example", newPW) }},
				{name: "reset password by id", words: resetPW, stdin: alicePW + "\n", args: []string{"--password-stdin", "1"},
					stdout: []string{"alice@city.example has a new password"},
					after:  func(t *testing.T, d *db, _ result) { passwordIs(t, d, "alice@city.example", alicePW) }},
				{name: "command flags do not come from the environment", words: resetPW, stdin: newPW + "\n", args: []string{"1"},
					env:  map[string]string{"STEWARD_PASSWORD_STDIN": "yes"},
					code: 1, stderr: []string{"add --password-stdin"}},
				{name: "database from the environment", words: userList, envDB: true, stdout: []string{"alice@city.example", "bob@city.example"}},
				{name: "add, database from the environment", words: userAdd, envDB: true,
					args: []string{"--email", "erin@city.example", "--name", "Erin", "--department", "police"}, stdout: []string{"erin@city.example added with roles (none)"}},
			})
		})
	}
}

// TestTokenCommands creates, lists and revokes API tokens. The secret is
// printed once, on stdout only, so that it can be piped into a secret store
// while the explanation goes to the terminal.
func TestTokenCommands(t *testing.T) {
	t.Parallel()
	for _, engine := range engines(t) {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			d := newDB(t, engine)
			run(t, nil, "", d.cmd([]string{"migrate"})...).check(t, 0, nil, nil)
			d.departments(t, "it")
			run(t, nil, "", d.cmd(userAdd, "--email", "robot@city.example", "--name", "Records Robot", "--department", "it", "--roles", "clerk")...).check(t, 0, nil, nil)
			run(t, nil, "", d.cmd(userAdd, "--email", "gone@city.example", "--name", "Gone", "--department", "it")...).check(t, 0, nil, nil)
			run(t, nil, "", d.cmd(disable, "gone@city.example")...).check(t, 0, nil, nil)
			var secret, secret2 string
			tokenWorks := func(t *testing.T, d *db, secret string, want bool) {
				t.Helper()
				s := d.open(t)
				defer s.Close()
				u, err := auth.New(auth.Config{Store: s, Clock: time.Now, Logger: slog.New(slog.DiscardHandler)}).TokenUser(context.Background(), secret)
				switch {
				case want && (err != nil || u.Email != "robot@city.example"):
					t.Errorf("the token does not work: %v, %v", u, err)
				case !want && err == nil:
					t.Errorf("the revoked token still works for %s", u.Email)
				}
			}
			script(t, d, []step{
				{name: "list, empty", words: tokList, stdout: []string{"ID  USER  NAME  PREFIX  EXPIRES  STATUS\n"}},
				{name: "create", words: tokCreate, args: []string{"--user", "robot@city.example", "--name", "records export"},
					stderr: []string{"token 1 for robot@city.example created; it is shown only now:\n"},
					after: func(t *testing.T, d *db, r result) {
						secret = strings.TrimSuffix(r.stdout, "\n")
						if !regexp.MustCompile(`^stw_[A-Za-z0-9_-]{20,}$`).MatchString(secret) {
							t.Fatalf("stdout is %q, want the secret alone on one line", r.stdout)
						}
						if strings.Contains(r.stderr, secret) || strings.Contains(r.stderr, secret[4:]) {
							t.Errorf("the secret is on stderr too: %s", r.stderr)
						}
						tokenWorks(t, d, secret, true)
					}},
				{name: "create by id, never expiring", words: tokCreate, args: []string{"--user", "1", "--name", "backup", "--expires-in-days", "0"},
					stderr: []string{"token 2 for robot@city.example created"},
					after:  func(t *testing.T, _ *db, r result) { secret2 = strings.TrimSpace(r.stdout) }},
				{name: "create, flags override the environment", words: tokCreate, args: []string{"--user", "1", "--name", "env"},
					env: map[string]string{"STEWARD_NAME": "ignored", "STEWARD_USER": "ignored"}, stderr: []string{"token 3 for robot@city.example"}},
				{name: "create without name", words: tokCreate, args: []string{"--user", "robot@city.example"},
					code: 1, stderr: []string{"token create needs --user and --name"}},
				{name: "create without user", words: tokCreate, args: []string{"--name", "x"},
					code: 1, stderr: []string{"token create needs --user and --name"}},
				{name: "create with negative expiry", words: tokCreate, args: []string{"--user", "1", "--name", "x", "--expires-in-days", "-1"},
					code: 1, stderr: []string{"--expires-in-days must not be negative"}},
				{name: "create with malformed expiry", words: tokCreate, args: []string{"--user", "1", "--name", "x", "--expires-in-days", "soon"},
					code: 1, stderr: []string{`invalid value "soon" for flag -expires-in-days`}},
				{name: "create for unknown user", words: tokCreate, args: []string{"--user", "nobody@city.example", "--name", "x"},
					code: 1, stderr: []string{"steward: user ", " not found (see steward user list)"}},
				{name: "create for disabled user", words: tokCreate, args: []string{"--user", "gone@city.example", "--name", "x"},
					code: 1, stderr: []string{"steward: user: user gone@city.example is disabled"}},
				{name: "list", words: tokList, after: func(t *testing.T, _ *db, r result) {
					lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
					if len(lines) != 4 {
						t.Fatalf("%d lines, want a header and 3 tokens:\n%s", len(lines), r.stdout)
					}
					want := map[string]*regexp.Regexp{ // newest first
						"1": regexp.MustCompile(`^1\s+robot@city\.example\s+records export\s+` + regexp.QuoteMeta(secret[:10]) + `…\s+` + time.Now().AddDate(0, 0, 90).Format("2006-01") + `-\d\d\s+active$`),
						"2": regexp.MustCompile(`^2\s+robot@city\.example\s+backup\s+` + regexp.QuoteMeta(secret2[:10]) + `…\s+never\s+active$`),
					}
					for _, l := range lines[1:] {
						if re := want[strings.Fields(l)[0]]; re != nil && !re.MatchString(l) {
							t.Errorf("line %q does not match %s", l, re)
						}
					}
					if strings.Contains(r.stdout, secret[10:]) || strings.Contains(r.stdout, secret2[10:]) {
						t.Errorf("the list shows more than the secrets' prefixes:\n%s", r.stdout)
					}
				}},
				{name: "revoke", words: tokRevoke, args: []string{"1"}, stdout: []string{"token 1 revoked\n"},
					after: func(t *testing.T, d *db, _ result) { tokenWorks(t, d, secret, false) }},
				{name: "revoke again", words: tokRevoke, args: []string{"1"}, stdout: []string{"token 1 revoked\n"}},
				{name: "list revoked", words: tokList, after: func(t *testing.T, _ *db, r result) {
					if !regexp.MustCompile(`(?m)^1\s.*\srevoked$`).MatchString(r.stdout) || !regexp.MustCompile(`(?m)^2\s.*\sactive$`).MatchString(r.stdout) {
						t.Errorf("want token 1 revoked and 2 active:\n%s", r.stdout)
					}
				}},
				{name: "revoke unknown token", words: tokRevoke, args: []string{"999"}, code: 1, stderr: []string{"steward: token not found"}},
				{name: "revoke malformed id", words: tokRevoke, args: []string{"stw_abc"}, code: 1, stderr: []string{`"stw_abc" is not a token id`}},
				{name: "revoke without id", words: tokRevoke, code: 1, stderr: []string{"token revoke needs one token id"}},
			})
		})
	}
}
