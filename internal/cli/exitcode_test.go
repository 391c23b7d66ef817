package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// exitCity is a data folder with something in every table a command
// reads: two archived records, a checkpoint, a records request and its
// bag, a department, a user and a token.
type exitCity struct {
	d      *db
	batch  string // an ingest file whose records are all good
	bad    string // an ingest file with one rejected record
	bag    string // a bag exported from the city
	forged string // the same bag with one byte of a record changed
	clean  string // a classify input
	broken string // a classify input with a bad line
}

func newExitCity(t *testing.T) *exitCity {
	t.Helper()
	c := &exitCity{d: newDB(t, "sqlite")}
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	c.batch = write("batch.json", `{"records":[
		{"account":"mastodon:@parks@city.example","id":"1","kind":"post","captured_at":"2026-01-02T10:00:00Z","text":"Rink opens Friday"},
		{"account":"mastodon:@parks@city.example","id":"2","kind":"comment","parent":"1","captured_at":"2026-01-02T11:00:00Z","text":"Is the rink warming house open?"}]}`)
	c.bad = write("bad.json", `{"records":[{"account":"mastodon:@parks@city.example","id":"9","kind":"comment","captured_at":"not a time"}]}`)
	c.clean = write("clean.jsonl", `{"id":"a","comment":"When does the pool open?"}`+"\n")
	c.broken = write("broken.jsonl", `{"id":"a","comment":"When does the pool open?"}`+"\n"+`not json`+"\n")
	mustRun := func(stdin string, args ...string) result {
		t.Helper()
		r := run(t, nil, stdin, args...)
		if r.code != 0 {
			t.Fatalf("setup %v: %+v", args, r)
		}
		return r
	}
	mustRun("", c.d.cmd([]string{"archive", "ingest"}, c.batch)...)
	mustRun("", c.d.cmd([]string{"department", "add"}, "--slug", "parks", "--name", "Parks")...)
	mustRun("a long enough password\n", c.d.cmd([]string{"user", "add"}, "--email", "ana@city.example", "--name", "Ana", "--department", "parks", "--roles", "staff", "--password-stdin")...)
	mustRun("", c.d.cmd([]string{"token", "create"}, "--user", "ana@city.example", "--name", "script")...)
	exec, _ := rawDB(t, c.d)
	now := time.Now().UTC()
	exec(`INSERT INTO records_requests (requester, contact, received_on, subject, kind, description, scope, status, notes, pages, actual_cost_cents, fee_cents, created_by, created_at)
		VALUES ('A Resident', '', ?, ?, 'data', 'rink', 'rink', 'open', '', 0, 0, 0, 'test', ?)`, now, false, now)
	mustRun("", c.d.cmd([]string{"archive", "checkpoint"}, "--sign")...)
	c.bag = filepath.Join(dir, "request.zip")
	mustRun("", c.d.cmd([]string{"export"}, "--request", "1", "--out", c.bag)...)
	data, err := os.ReadFile(c.bag)
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(string(data), "Rink opens Friday")
	if i < 0 {
		t.Fatal("the bag stores its records compressed; the forgery below needs another way in")
	}
	data[i] = 'P' // "Pink opens Friday"
	c.forged = write("forged.zip", string(data))
	return c
}

// TestExitCodes runs every command once as it should be run (0), once
// called wrongly (1) and, where the command checks something, once on
// something that fails the check (2). Flags go after the positional
// arguments as often as before them.
func TestExitCodes(t *testing.T) {
	t.Parallel()
	c := newExitCity(t)
	d := c.d
	f := d.flags()
	cmd := func(words ...string) []string { return append(append([]string{}, words...), f...) }
	cases := []struct {
		name  string
		args  []string
		stdin string
		code  int
	}{
		{"version", []string{"version"}, "", 0},
		{"help", []string{"help"}, "", 0},
		{"no command", nil, "", 1},
		{"unknown command", []string{"frobnicate"}, "", 1},

		{"serve bad flag", []string{"serve", "--addr", "8080"}, "", 1},
		{"migrate", cmd("migrate"), "", 0},
		{"migrate bad flag", cmd("migrate", "--colour"), "", 1},
		{"migrate unreachable database", []string{"migrate", "--db", "postgres://nobody@127.0.0.1:1/none?connect_timeout=2"}, "", 1},

		{"department list", cmd("department", "list"), "", 0},
		{"department add", cmd("department", "add", "--slug", "library", "--name", "Library"), "", 0},
		{"department add without a name", cmd("department", "add", "--slug", "pool"), "", 1},

		{"user list", cmd("user", "list"), "", 0},
		{"user add", cmd("user", "add", "--email", "ben@city.example", "--name", "Ben", "--department", "parks", "--roles", "staff"), "", 0},
		{"user add unknown role", cmd("user", "add", "--email", "cy@city.example", "--name", "Cy", "--department", "parks", "--roles", "mayor"), "", 1},
		{"user set-roles, flags after the user", append([]string{"user", "set-roles", "ana@city.example", "--roles", "staff,clerk"}, f...), "", 0},
		{"user set-roles without a user", cmd("user", "set-roles", "--roles", "staff"), "", 1},
		{"user disable unknown user", cmd("user", "disable", "nobody@city.example"), "", 1},
		{"user reset-password", cmd("user", "reset-password", "--password-stdin", "ana@city.example"), "another long password\n", 0},
		{"user reset-password short", cmd("user", "reset-password", "--password-stdin", "ana@city.example"), "short\n", 1},

		{"token list", cmd("token", "list"), "", 0},
		{"token create without a name", cmd("token", "create", "--user", "ana@city.example"), "", 1},
		{"token revoke not a number", cmd("token", "revoke", "one"), "", 1},

		{"audit verify", cmd("audit", "verify"), "", 0},
		{"audit verify extra argument", cmd("audit", "verify", "--colour"), "", 1},

		{"verify archive", cmd("verify"), "", 0},
		{"verify bag, flag after the file", []string{"verify", c.bag, "--json"}, "", 0},
		{"verify bag, flag before the file", []string{"verify", "--json", c.bag}, "", 0},
		{"verify forged bag", []string{"verify", c.forged}, "", 2},
		{"verify missing bag", []string{"verify", filepath.Join(t.TempDir(), "none.zip")}, "", 1},
		{"verify two bags", []string{"verify", c.bag, c.forged}, "", 1},

		{"export without --out", cmd("export", "--request", "1"), "", 1},
		{"search, flags after the words", append([]string{"search", "rink", "--json"}, f...), "", 0},
		{"search bad query", cmd("search", "from:yesterday"), "", 1},

		{"archive ingest", cmd("archive", "ingest", c.batch), "", 0},
		{"archive ingest rejected record", cmd("archive", "ingest", c.bad), "", 2},
		{"archive ingest missing file", cmd("archive", "ingest", filepath.Join(t.TempDir(), "none.json")), "", 1},
		{"archive ingest two files", cmd("archive", "ingest", c.batch, c.bad), "", 1},
		{"archive export", cmd("archive", "export"), "", 0},
		{"archive checkpoint", cmd("archive", "checkpoint"), "", 0},
		{"archive checkpoint --sign", cmd("archive", "checkpoint", "--sign"), "", 0},
		{"archive checkpoint two keys", append(cmd("archive", "checkpoint", "--sign", "--checkpoint-key-file", filepath.Join(t.TempDir(), "k")), "--checkpoint-signer-command", "false"), "", 1},
		{"verify --since a missing file", cmd("verify", "--since", filepath.Join(t.TempDir(), "none.txt")), "", 1},
		{"audit verify --since a missing file", cmd("audit", "verify", "--since", filepath.Join(t.TempDir(), "none.txt")), "", 1},
		{"covert check", cmd("covert", "check"), "", 0},
		{"covert unknown", cmd("covert", "grant"), "", 1},
		{"witness without a folder", []string{"witness", "--addr", "nonsense"}, "", 1},
		{"signer unknown", []string{"signer", "dance"}, "", 1},
		{"archive unknown", cmd("archive", "repair"), "", 1},

		{"capture without --once", cmd("capture"), "", 1},
		{"import without a platform", cmd("import", "--account", "1", c.batch), "", 1},
		{"bench unknown", []string{"bench", "everything"}, "", 1},
		{"bench archive no items", []string{"bench", "archive", "--items", "0"}, "", 1},

		{"classify", []string{"classify"}, `{"id":"a","comment":"When does the pool open?"}` + "\n", 0},
		{"classify bad line", []string{"classify"}, "not json\n", 2},
		{"classify with an argument", []string{"classify", "comments.jsonl"}, "", 1},
		{"train missing data", []string{"train", "--data", filepath.Join(t.TempDir(), "none"), "--out", filepath.Join(t.TempDir(), "m.bin")}, "", 1},
		{"eval missing data", []string{"eval", "--data", filepath.Join(t.TempDir(), "none")}, "", 1},
		{"screen-draft", []string{"screen-draft"}, `{"id":"a","text":"When does the pool open?"}` + "\n", 0},
		{"screen-draft bad line", []string{"screen-draft"}, `{"id":"a"}` + "\n", 2},
		{"screen-draft with an argument", []string{"screen-draft", "drafts.jsonl"}, "", 1},
		{"train drafts missing data", []string{"train", "drafts", "--data", filepath.Join(t.TempDir(), "none.jsonl"), "--out", filepath.Join(t.TempDir(), "m.json")}, "", 1},
		{"eval drafts missing data", []string{"eval", "drafts", "--data", filepath.Join(t.TempDir(), "none.jsonl")}, "", 1},
		{"vault unknown", cmd("vault", "open"), "", 1},
		{"vault rotate-key without a new key", cmd("vault", "rotate-key"), "", 1},
	}
	// The cases share one database, so they run in order.
	for _, tc := range cases {
		r := run(t, nil, tc.stdin, tc.args...)
		if r.code != tc.code {
			t.Errorf("%s: steward %s: exit %d, want %d\nstdout: %s\nstderr: %s", tc.name, strings.Join(tc.args, " "), r.code, tc.code, r.stdout, r.stderr)
		}
	}

	// The checks that find a problem in the database, after tampering.
	exec, _ := rawDB(t, d)
	exec(`UPDATE archive_versions SET text = ? WHERE id = 1`, "Rink closes Friday")
	if r := run(t, nil, "", cmd("verify")...); r.code != 2 {
		t.Errorf("verify an altered archive: exit %d, want 2\n%s", r.code, r.stderr)
	}
	exec(`UPDATE audit_events SET action = ? WHERE seq = 1`, "department.delete")
	if r := run(t, nil, "", cmd("audit", "verify")...); r.code != 2 {
		t.Errorf("audit verify a rewritten event: exit %d, want 2\n%s", r.code, r.stderr)
	}
}
