package cli_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/cli"
	"steward.city/steward/internal/postgres"
	"steward.city/steward/internal/sqlite"
	"steward.city/steward/internal/sqlstore"
	"steward.city/steward/internal/storetest"
)

// result is what one run of the command printed and returned.
type result struct {
	code           int
	stdout, stderr string
}

// run runs the steward command line as a user would: args, stdin, and an
// environment holding only env. Whatever stdin holds is a password, and no
// line of it may appear in what the command prints.
func run(t *testing.T, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	return runCtx(t.Context(), t, env, stdin, args...)
}

// runCtx is run with the context ctx.
func runCtx(ctx context.Context, t *testing.T, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	getenv := func(k string) string { return env[k] }
	code := cli.Main(ctx, args, strings.NewReader(stdin), &stdout, &stderr, getenv)
	r := result{code: code, stdout: stdout.String(), stderr: stderr.String()}
	noSecrets(t, r, secretLines(stdin)...)
	return r
}

// secretLines returns the non-empty lines of stdin.
func secretLines(stdin string) []string {
	var out []string
	for _, l := range strings.Split(stdin, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// noSecrets fails when the command printed any of secrets.
func noSecrets(t *testing.T, r result, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(r.stdout, s) || strings.Contains(r.stderr, s) {
			t.Errorf("the command printed the secret %q:\nstdout: %s\nstderr: %s", s, r.stdout, r.stderr)
		}
	}
}

// check fails unless r has the exit code and its output contains each of
// the wanted strings.
func (r result) check(t *testing.T, code int, stdout, stderr []string) {
	t.Helper()
	if r.code != code {
		t.Errorf("exit code %d, want %d\nstdout: %s\nstderr: %s", r.code, code, r.stdout, r.stderr)
	}
	for _, s := range stdout {
		if !strings.Contains(r.stdout, s) {
			t.Errorf("stdout does not contain %q:\n%s", s, r.stdout)
		}
	}
	for _, s := range stderr {
		if !strings.Contains(r.stderr, s) {
			t.Errorf("stderr does not contain %q:\n%s", s, r.stderr)
		}
	}
}

// db is one empty Steward database on one engine, named by command-line
// flags or by the equivalent environment.
type db struct {
	engine string
	dir    string // the data folder
	url    string // the PostgreSQL URL, "" for SQLite
}

// flags returns the flags naming the database.
func (d *db) flags() []string {
	if d.url != "" {
		return []string{"--data", d.dir, "--db", d.url}
	}
	return []string{"--data", d.dir}
}

// env returns the environment naming the database.
func (d *db) env() map[string]string {
	e := map[string]string{"STEWARD_DATA": d.dir}
	if d.url != "" {
		e["STEWARD_DB"] = d.url
	}
	return e
}

// cmd returns words followed by the database flags and then args: the
// command line "steward user add --data DIR --email …".
func (d *db) cmd(words []string, args ...string) []string {
	out := append(append(append([]string{}, words...), d.flags()...), args...)
	return out
}

// open opens the database directly, behind the command line's back.
func (d *db) open(t *testing.T) *sqlstore.Store {
	t.Helper()
	var s *sqlstore.Store
	var err error
	if d.url != "" {
		s, err = postgres.Open(context.Background(), d.url, time.Now)
	} else {
		s, err = sqlite.Open(context.Background(), filepath.Join(d.dir, "steward.db"), time.Now)
	}
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// departments creates departments with the given slugs; the command line
// cannot, the web pages do.
func (d *db) departments(t *testing.T, slugs ...string) {
	t.Helper()
	s := d.open(t)
	defer s.Close()
	for _, slug := range slugs {
		err := s.Update(context.Background(), civic.System, func(tx civic.Tx) error {
			return tx.CreateDepartment(context.Background(), &civic.Department{Slug: slug, Name: "Department " + slug})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// engines returns the engines to test: SQLite, and PostgreSQL when
// STEWARD_TEST_POSTGRES is set (CI must set it).
func engines(t *testing.T) []string {
	if os.Getenv(storetest.PostgresEnv) != "" {
		return []string{"sqlite", "postgres"}
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not set: CI must run the PostgreSQL tests (.ci/run starts PostgreSQL and sets it)", storetest.PostgresEnv)
	}
	return []string{"sqlite"}
}

// newDB returns an empty database on engine: a fresh data folder, and for
// PostgreSQL a schema of its own, dropped when the test ends.
func newDB(t *testing.T, engine string) *db {
	t.Helper()
	d := &db{engine: engine, dir: t.TempDir()}
	if engine == "postgres" {
		d.url = pgSchema(t)
	}
	return d
}

// pgSchema creates a schema in the STEWARD_TEST_POSTGRES database and
// returns a URL using it.
func pgSchema(t *testing.T) string {
	t.Helper()
	base := os.Getenv(storetest.PostgresEnv)
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set: CI must run the PostgreSQL tests (.ci/run starts PostgreSQL and sets it)", storetest.PostgresEnv)
		}
		t.Skipf("%s not set", storetest.PostgresEnv)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "steward_cli_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.ExecContext(context.Background(), `CREATE SCHEMA `+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer db.Close()
		if _, err := db.ExecContext(context.Background(), `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return storetest.WithSearchPath(t, base, schema)
}

// TestUsage checks the commands that need no database and the mistakes in
// how the command is called: exit 1 and a message, and nothing written to
// the data folder.
func TestUsage(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name           string
		env            map[string]string
		args           []string
		code           int
		stdout, stderr []string
	}{
		{name: "version", args: []string{"version"}, stdout: []string{"steward " + cli.Version + "\n"}},
		{name: "--version", args: []string{"--version"}, stdout: []string{"steward " + cli.Version}},
		{name: "help", args: []string{"help"}, stdout: []string{"Usage: steward <command>", "audit verify", "STEWARD_DATA"}},
		{name: "-h", args: []string{"-h"}, stdout: []string{"Usage: steward <command>"}},
		{name: "no command", args: nil, code: 1, stderr: []string{"Usage: steward <command>", "no command given", `Run "steward help"`}},
		{name: "unknown command", args: []string{"frobnicate"}, code: 1, stderr: []string{`unknown command "frobnicate"`}},
		{name: "user without subcommand", args: []string{"user"}, code: 1, stderr: []string{"user needs a subcommand"}},
		{name: "token without subcommand", args: []string{"token"}, code: 1, stderr: []string{"token needs a subcommand"}},
		{name: "audit without subcommand", args: []string{"audit"}, code: 1, stderr: []string{"audit needs a subcommand"}},
		{name: "unknown user subcommand", args: []string{"user", "promote"}, code: 1, stderr: []string{"unknown command user promote"}},
		{name: "unknown token subcommand", args: []string{"token", "rotate"}, code: 1, stderr: []string{"unknown command token rotate"}},
		{name: "unknown audit subcommand", args: []string{"audit", "repair"}, code: 1, stderr: []string{"unknown command audit repair"}},
		{name: "bad flag", args: []string{"migrate", "--colour"}, code: 1, stderr: []string{"flag provided but not defined: -colour"}},
		{name: "bad flag on a subcommand", args: []string{"user", "list", "--all"}, code: 1, stderr: []string{"flag provided but not defined: -all"}},
		{name: "flag without value", args: []string{"token", "create", "--user"}, code: 1, stderr: []string{"flag needs an argument: -user"}},
		{name: "command help", args: []string{"migrate", "-h"}, stderr: []string{"-data", "$STEWARD_DATA", "-db", "$STEWARD_DB"}},
		{name: "serve help", args: []string{"serve", "--help"}, stderr: []string{"-addr", "$STEWARD_ADDR", "-demo", "$STEWARD_DEMO", "$STEWARD_OIDC_CLIENT_SECRET"}},
		{name: "bad env bool", env: map[string]string{"STEWARD_DEMO": "maybe"}, args: []string{"serve"}, code: 1,
			stderr: []string{`$STEWARD_DEMO="maybe": want true or false`}},
		{name: "bad env bool beats a good flag", env: map[string]string{"STEWARD_DEMO": "sometimes"}, args: []string{"serve", "--demo"}, code: 1,
			stderr: []string{`$STEWARD_DEMO="sometimes"`}},
		{name: "bad flag bool", args: []string{"serve", "--demo=maybe"}, code: 1, stderr: []string{`invalid boolean value "maybe" for -demo`}},
		{name: "bad log level", args: []string{"serve", "--log-level", "loud"}, code: 1, stderr: []string{`--log-level "loud": want debug, info, warn or error`}},
		{name: "bad public address", args: []string{"serve", "--public-url", "steward.city.example"}, code: 1, stderr: []string{`--public-url "steward.city.example": want the address people open Steward at`}},
		{name: "public address with a query", env: map[string]string{"STEWARD_PUBLIC_URL": "https://steward.example/?next=evil"}, args: []string{"serve"}, code: 1, stderr: []string{`--public-url`}},
		{name: "bad media ceiling", args: []string{"serve", "--media-max", "2 gigs"}, code: 1, stderr: []string{`--media-max "2 gigs": want a size such as 500MB or 2GB, or 0 for no limit`}},
		{name: "negative media ceiling", args: []string{"serve", "--media-max", "-1"}, code: 1, stderr: []string{`--media-max "-1"`}},
		{name: "no media ceiling on S3", args: []string{"serve", "--media-max", "0", "--media-s3-endpoint", "http://127.0.0.1:1"}, code: 1, stderr: []string{`an S3 media store takes files of at most 5GB`}},
		{name: "bad import ceiling", args: []string{"serve", "--import-max", "lots"}, code: 1, stderr: []string{`--import-max "lots": want a size such as 500MB or 4GB`}},
		{name: "no import ceiling", args: []string{"serve", "--import-max", "0"}, code: 1, stderr: []string{`--import-max "0"`}},
		{name: "import ceiling over S3's", env: map[string]string{"STEWARD_IMPORT_MAX": "5GB", "STEWARD_MEDIA_S3_ENDPOINT": "http://127.0.0.1:1"}, args: []string{"serve"}, code: 1, stderr: []string{`give --import-max 4GB or less`}},
		{name: "media ceiling over S3's", env: map[string]string{"STEWARD_MEDIA_MAX": "6GB", "STEWARD_MEDIA_S3_ENDPOINT": "http://127.0.0.1:1"}, args: []string{"serve"}, code: 1, stderr: []string{`--media-max "6GB"`}},
		{name: "bad address", args: []string{"serve", "--addr", "8080"}, code: 1, stderr: []string{`--addr "8080": want host:port`}},
		{name: "bad address from env", env: map[string]string{"STEWARD_ADDR": "localhost"}, args: []string{"serve"}, code: 1, stderr: []string{`--addr "localhost"`}},
		{name: "flag not UTF-8", args: []string{"department", "add", "--slug", "fire", "--name", "Fire \xff"}, code: 1, stderr: []string{"--name: not valid UTF-8 text"}},
		{name: "variable not UTF-8", env: map[string]string{"STEWARD_DB": "sqlite:/tmp/\xc0\xae.db"}, args: []string{"migrate"}, code: 1, stderr: []string{"--db: not valid UTF-8 text"}},
		{name: "argument not UTF-8", args: []string{"search", "snow\xffplow"}, code: 1, stderr: []string{"argument 1: not valid UTF-8 text"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "data")
			env := map[string]string{"STEWARD_DATA": dir}
			for k, v := range c.env {
				env[k] = v
			}
			r := run(t, env, "", c.args...)
			r.check(t, c.code, c.stdout, c.stderr)
			if c.code != 0 && r.stdout != "" {
				t.Errorf("a failing command printed to stdout: %s", r.stdout)
			}
			if _, err := os.Stat(dir); !os.IsNotExist(err) {
				t.Errorf("the data folder was created (%v)", err)
			}
		})
	}
}

// TestMigrate creates the database and migrates it again, on each engine.
func TestMigrate(t *testing.T) {
	t.Parallel()
	for _, engine := range engines(t) {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			d := newDB(t, engine)
			d.dir = filepath.Join(d.dir, "new", "folder") // created on demand
			for i := range 2 {
				run(t, nil, "", d.cmd([]string{"migrate"})...).check(t, 0, []string{"database (" + engine + ") is up to date\n"}, nil)
				if engine == "sqlite" {
					if _, err := os.Stat(filepath.Join(d.dir, "steward.db")); err != nil {
						t.Fatalf("run %d: %v", i+1, err)
					}
				}
			}
			// The same database, named by the environment.
			run(t, d.env(), "", "migrate").check(t, 0, []string{"database (" + engine + ") is up to date"}, nil)
			s := d.open(t)
			defer s.Close()
			if _, err := s.Departments(t.Context()); err != nil {
				t.Fatalf("the migrated database has no departments table: %v", err)
			}
		})
	}
	t.Run("sqlite: URL", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "elsewhere", "city.db")
		for range 2 {
			run(t, nil, "", "migrate", "--db", "sqlite:"+path).check(t, 0, []string{"database (sqlite) is up to date"}, nil)
		}
		if _, err := os.Stat(path); err != nil {
			t.Fatal(err)
		}
	})
}

// TestDatabaseErrors checks what a wrong --db or data folder says. No
// password in a database URL is ever printed.
func TestDatabaseErrors(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "a-file")
	if err := writeFile(file); err != nil {
		t.Fatal(err)
	}
	const pw = "hunter2-Swordfish"
	cases := []struct {
		name   string
		args   []string
		code   int
		stderr []string
	}{
		{"other engine", []string{"--db", "mysql://x"}, 1, []string{`--db "mysql://x": want postgres://… or sqlite:PATH`}},
		{"other engine with password", []string{"--db", "mysql://root:" + pw + "@db/city"}, 1, []string{"--db", "mysql://root:xxxxx@db/city"}},
		{"postgres without host", []string{"--db", "postgres://"}, 1, []string{"--db postgres:// is not a valid PostgreSQL URL"}},
		{"postgresql without host", []string{"--db", "postgresql:///city"}, 1, []string{"is not a valid PostgreSQL URL"}},
		{"malformed postgres URL with password", []string{"--db", "postgres://steward:" + pw + "@[::1/city"}, 1, []string{"is not a valid PostgreSQL URL"}},
		{"key=value connection string", []string{"--db", "host=db.city.example user=steward password=" + pw}, 1, []string{"want postgres://… or sqlite:PATH"}},
		{"sqlite without file", []string{"--db", "sqlite:"}, 1, []string{"--db sqlite: names no file"}},
		{"sqlite URL without file", []string{"--db", "sqlite://"}, 1, []string{"names no file"}},
		{"unreachable postgres", []string{"--db", "postgres://steward:" + pw + "@127.0.0.1:1/city?sslmode=disable&connect_timeout=2"}, 1,
			[]string{"database postgres://steward:xxxxx@127.0.0.1:1/city", "connect to postgresql"}},
		{"unreachable postgres, password in query", []string{"--db", "postgres://steward@127.0.0.1:1/city?sslmode=disable&connect_timeout=2&password=" + pw}, 1,
			[]string{"database postgres://steward@127.0.0.1:1/city", "connect to postgresql"}},
		{"unusable postgres URL", []string{"--db", "postgres://steward:" + pw + "@127.0.0.1:1/city?sslmode=sometimes"}, 1,
			[]string{"database postgres://steward:xxxxx@127.0.0.1:1/city", "sslmode is invalid"}},
		{"data folder under a file", []string{"--data", filepath.Join(file, "data")}, 1, []string{"data folder " + filepath.Join(file, "data") + " cannot be created", "not a directory"}},
		{"data folder is a file", []string{"--data", file}, 1, []string{"data folder " + file + " cannot be created"}},
		{"sqlite file under a file", []string{"--db", "sqlite:" + filepath.Join(file, "steward.db")}, 1, []string{"data folder " + file + " cannot be created"}},
	}
	for _, cmd := range [][]string{{"migrate"}, {"user", "list"}, {"audit", "verify"}} {
		for _, c := range cases {
			t.Run(strings.Join(cmd, " ")+": "+c.name, func(t *testing.T) {
				t.Parallel()
				args := append(append([]string{}, cmd...), c.args...)
				if !contains(c.args, "--data") {
					args = append(args, "--data", filepath.Join(t.TempDir(), "data"))
				}
				r := run(t, nil, "", args...)
				r.check(t, c.code, nil, c.stderr)
				noSecrets(t, r, pw)
				if r.stdout != "" {
					t.Errorf("a failing command printed to stdout: %s", r.stdout)
				}
			})
		}
	}
	t.Run("read-only data folder", func(t *testing.T) {
		t.Parallel()
		if os.Geteuid() == 0 {
			readOnlyAsNobody(t) // root may write anywhere: steward runs as nobody
			return
		}
		dir := t.TempDir()
		if err := os.Chmod(dir, 0o500); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(dir, 0o700) })
		run(t, nil, "", "migrate", "--data", dir).check(t, 1, nil, []string{"data folder " + dir + " is not writable"})
	})
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// writeFile creates a regular file where a folder might be expected.
func writeFile(path string) error { return os.WriteFile(path, []byte("not a folder"), 0o600) }

// TestMediaS3Spool: an S3 media store's spool folder must exist.
func TestMediaS3Spool(t *testing.T) {
	t.Parallel()
	env := map[string]string{"STEWARD_DATA": filepath.Join(t.TempDir(), "data")}
	missing := filepath.Join(t.TempDir(), "nowhere")
	r := run(t, env, "", "serve", "--media-s3-endpoint", "http://127.0.0.1:1", "--media-s3-bucket", "media", "--media-s3-access-key", "a", "--media-s3-secret-key", "b", "--media-s3-spool", missing)
	r.check(t, 1, nil, []string{`--media-s3-spool "` + missing + `": not a folder`})
}
