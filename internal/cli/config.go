package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"steward.city/steward/internal/plain"
	"steward.city/steward/internal/postgres"
	"steward.city/steward/internal/sqlite"
	"steward.city/steward/internal/sqlstore"
)

// flags is a flag set whose defaults come from STEWARD_* variables.
type flags struct {
	*flag.FlagSet
	getenv env
	errs   []error
	pos    []string // positional arguments, in order
}

func (a *app) flags(name string) *flags {
	fs := flag.NewFlagSet("steward "+name, flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	return &flags{FlagSet: fs, getenv: a.getenv}
}

// envName is the environment variable of a flag: --oidc-client-id is
// STEWARD_OIDC_CLIENT_ID.
func envName(flag string) string {
	return "STEWARD_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

func (f *flags) envDefault(name, def string) string {
	if v := f.getenv(envName(name)); v != "" {
		return v
	}
	return def
}

// String defines a string flag.
func (f *flags) String(name, def, help string) *string {
	return f.FlagSet.String(name, f.envDefault(name, def), help+" ($"+envName(name)+")")
}

// Bool defines a boolean flag.
func (f *flags) Bool(name string, def bool, help string) *bool {
	v := def
	if s := f.getenv(envName(name)); s != "" {
		switch strings.ToLower(s) {
		case "1", "true", "yes", "on":
			v = true
		case "0", "false", "no", "off":
			v = false
		default:
			f.errs = append(f.errs, usagef("$%s=%q: want true or false", envName(name), s))
		}
	}
	return f.FlagSet.Bool(name, v, help+" ($"+envName(name)+")")
}

// listFlag is a flag that may be given several times. Its environment
// variable holds its values separated by spaces; values given as flags
// replace them.
type listFlag struct {
	values  []string
	fromEnv bool
}

func (l *listFlag) String() string { return strings.Join(l.values, " ") }

func (l *listFlag) Set(v string) error {
	if l.fromEnv {
		l.values, l.fromEnv = nil, false
	}
	l.values = append(l.values, v)
	return nil
}

// List defines a repeatable flag.
func (f *flags) List(name, help string) *listFlag {
	l := &listFlag{values: strings.Fields(f.getenv(envName(name)))}
	l.fromEnv = len(l.values) > 0
	f.FlagSet.Var(l, name, help+" ($"+envName(name)+", separated by spaces)")
	return l
}

// Parse parses args, reporting bad environment values first. Flags may
// come before or after the positional arguments ("verify FILE.zip --key K"
// and "verify --key K FILE.zip" are the same); after "--" every argument is
// positional.
func (f *flags) Parse(args []string) error {
	if len(f.errs) > 0 {
		return f.errs[0]
	}
	f.pos = nil
	for {
		if err := f.FlagSet.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return err
			}
			return usagef("%v", err)
		}
		rest := f.FlagSet.Args()
		if len(rest) == 0 {
			return f.checkText()
		}
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			f.pos = append(f.pos, rest...)
			return f.checkText()
		}
		f.pos = append(f.pos, rest[0])
		args = rest[1:]
	}
}

// Args returns the positional arguments, wherever they were among the flags.
func (f *flags) Args() []string { return f.pos }

// NArg returns how many positional arguments there are.
func (f *flags) NArg() int { return len(f.pos) }

// Arg returns the i'th positional argument, or "".
func (f *flags) Arg(i int) string {
	if i < 0 || i >= len(f.pos) {
		return ""
	}
	return f.pos[i]
}

// checkText refuses text that is not UTF-8 (a name in another encoding, a
// stray byte), from the command line or the environment: it would reach
// the database, which PostgreSQL refuses. It names the flag or argument.
// (NUL cannot be in an argument or a variable.)
func (f *flags) checkText() error {
	var bad error
	f.VisitAll(func(fl *flag.Flag) {
		if bad == nil && !utf8.ValidString(fl.Value.String()) {
			bad = usagef("--%s: not valid UTF-8 text", fl.Name)
		}
	})
	for i, a := range f.Args() {
		if bad == nil && !utf8.ValidString(a) {
			bad = usagef("argument %d: not valid UTF-8 text", i+1)
		}
	}
	return bad
}

// storeFlags are the flags every command that opens the database has.
type storeFlags struct {
	data *string
	db   *string
	sync *string
}

func (f *flags) store() storeFlags {
	return storeFlags{
		data: f.String("data", "./steward-data", "folder for the SQLite database, media and keys"),
		db:   f.String("db", "", "database URL: postgres://user@host/db, or sqlite:PATH; default: SQLite in the data folder"),
		sync: f.String("sqlite-synchronous", sqlite.SynchronousFull, "full: every acknowledged write survives power loss; normal: faster, the last writes can vanish on power loss (docs/performance.md)"),
	}
}

// dataDirMode is the mode of a data folder Steward creates: the database,
// media and keys inside are for Steward's own user only.
const dataDirMode = 0o700

// checkDataDir makes sure the data folder exists and is writable. A folder
// it creates is private to Steward's user (dataDirMode); an existing one
// keeps its mode.
func checkDataDir(dir string) error {
	if err := os.MkdirAll(dir, dataDirMode); err != nil {
		return fmt.Errorf("data folder %s cannot be created: %w", dir, err)
	}
	f, err := os.CreateTemp(dir, ".write-test-*")
	if err != nil {
		return fmt.Errorf("data folder %s is not writable: %w", dir, err)
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

// openStore opens the database named by the flags and migrates it.
func (a *app) openStore(ctx context.Context, sf storeFlags) (*sqlstore.Store, error) {
	engine, target, err := parseDB(*sf.db, *sf.data)
	if err != nil {
		return nil, err
	}
	switch engine {
	case "postgres":
		s, err := postgres.Open(ctx, target, a.now)
		if err != nil {
			return nil, fmt.Errorf("database %s: %w", redact(target), err)
		}
		return s, nil
	default:
		if err := checkDataDir(filepath.Dir(target)); err != nil {
			return nil, err
		}
		if *sf.sync != sqlite.SynchronousFull && *sf.sync != sqlite.SynchronousNormal {
			return nil, usagef("--sqlite-synchronous %q: want %s or %s", *sf.sync, sqlite.SynchronousFull, sqlite.SynchronousNormal)
		}
		s, err := sqlite.OpenWith(ctx, target, a.now, sqlite.Options{Synchronous: *sf.sync})
		if err != nil {
			return nil, fmt.Errorf("database %s: %w", target, err)
		}
		return s, nil
	}
}

// parseDB returns the engine and its target (URL or file path).
func parseDB(db, data string) (engine, target string, err error) {
	switch {
	case db == "":
		return "sqlite", filepath.Join(data, "steward.db"), nil
	case strings.HasPrefix(db, "postgres://"), strings.HasPrefix(db, "postgresql://"):
		u, err := url.Parse(db)
		if err != nil || u.Host == "" {
			return "", "", usagef("--db %s is not a valid PostgreSQL URL (postgres://user:password@host:5432/database)", redact(db))
		}
		return "postgres", db, nil
	case strings.HasPrefix(db, "sqlite:"):
		p := strings.TrimPrefix(strings.TrimPrefix(db, "sqlite:"), "//")
		if p == "" {
			return "", "", usagef("--db %s names no file (sqlite:/path/to/steward.db)", db)
		}
		return "sqlite", p, nil
	}
	return "", "", usagef("--db %q: want postgres://… or sqlite:PATH", redact(db))
}

// passwordParam is a password in a URL query or a key=value connection
// string: password=… or sslpassword=…, quoted or not.
var passwordParam = regexp.MustCompile(`(?i)(password=)('[^']*'|[^\s&]*)`)

// redact hides the passwords in a database URL, even a malformed one, or in
// a key=value connection string.
func redact(s string) string {
	if u, err := url.Parse(s); err == nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
			s = u.String()
		}
	} else if scheme, rest, ok := strings.Cut(s, "://"); ok {
		// Malformed: hide all of the user information.
		if at := strings.LastIndex(rest, "@"); at >= 0 {
			s = scheme + "://xxxxx" + rest[at:]
		}
	}
	return passwordParam.ReplaceAllString(s, "${1}xxxxx")
}

// timeout returns a context for a short command.
func (a *app) timeout() (context.Context, context.CancelFunc) {
	return context.WithTimeout(a.ctx, 5*time.Minute)
}

// zone defines --time-zone, the city's time zone, which every page, form, PDF, e-mail
// and line of output shows times in; stored times stay UTC.
func (f *flags) zone() *string {
	return f.String("time-zone", "", "the city's IANA time zone, such as America/Chicago: times are shown and due dates counted in it; empty: UTC (America/Chicago with --demo)")
}

// location loads the time zone named by --time-zone, failing clearly on
// a name that is not a zone. Unset, it is the demo city's zone with
// --demo and UTC otherwise, with a warning that times will read in UTC.
func location(name string, demo bool, log interface{ Warn(string, ...any) }) (*time.Location, error) {
	if strings.TrimSpace(name) == "" {
		if demo {
			return plain.Zone(demoZone)
		}
		if log != nil {
			log.Warn("no --time-zone: times are shown and due dates counted in UTC; set the city's zone, such as America/Chicago")
		}
		return time.UTC, nil
	}
	loc, err := plain.Zone(name)
	if err != nil {
		return nil, usagef("--time-zone: %v", err)
	}
	return loc, nil
}

// demoZone is the demo city's time zone.
const demoZone = "America/Chicago"
