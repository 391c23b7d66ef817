// Package cli is the steward command: it reads flags and STEWARD_*
// environment variables, wires the store, services and server together, and
// runs one subcommand.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/sqlstore"
)

// Version is set at build time with -ldflags "-X steward.city/steward/internal/cli.Version=…".
var Version = "dev"

// env is the process environment (os.Getenv in main, a map in tests).
type env func(string) string

// app is one run of the command.
type app struct {
	ctx    context.Context
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv env
	now    func() time.Time
}

// The exit codes, one convention for every command.
const (
	exitOK        = 0 // the command did what it was asked
	exitCannotRun = 1 // it could not run: bad usage, a missing file, an unreachable database, a refusal
	exitProblem   = 2 // it ran, and the check found a problem: a broken chain, a forged bag, rejected records
)

// problem returns an error that exits with exitProblem.
func problem(err error) error { return &exitError{code: exitProblem, err: err} }

// exitError carries an exit code other than 1.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }

// usageError is a mistake in how the command was called.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

const usage = `steward: social media records and governance for city government

Usage: steward <command> [flags]

Commands:
  serve            run the web server (--demo to explore a demo city)
  migrate          apply database migrations and exit
  department add   add a department (--slug, --name)
  department list  list departments
  user add         add a covered person and their user (--roles sic_commander: the city's first commander only)
  user list        list users and their roles
  user set-roles   replace a user's roles
  user disable     disable a user (and sign them out everywhere)
  user enable      enable a disabled user
  user reset-password  set a new password for a user
  token create     create an API token for a user
  token list       list API tokens
  token revoke     revoke an API token
  audit verify     check the audit log's hash chain and that it holds the head the newest checkpoint
                   (and --since FILE, one published before) commits to; exits 2 if not
  covert check     check that whoever holds covert access got it from a commander and the covert approver; exits 2 if not
  verify           recompute the archive's Merkle log and check its indexes; exits 2 if a record was altered, removed
                   or reordered, an index disagrees, or (--since FILE) the log does not extend a checkpoint published before
  verify FILE.zip  check a records export bag offline, with no database (--key, --request); exits 2 if it fails, 1 if it cannot run
  verify --public URL --item ID --key KEY
                   check a record's inclusion proof from a city's public portal against its signed checkpoint
                   (--sha256, --since FILE to prove the log only grew, --save FILE); exits 2 if it fails
  export           write a records request's verifiable bag (--request ID --out FILE.zip)
  search QUERY     search the archive (words, "phrases", account: kind: from: to: …)
  archive ingest   put a batch of records ({"records":[…]}) into the archive from a file or -
  capture --once   capture every connected account once and print what was captured (--account ID)
  import FILE      import a platform's own data export (--platform P --account ID); resumes if cut short
  archive export   write every archived version as JSON lines
  archive warc     write an account's days as a WARC file (--account --from --to --out)
  archive wacz     the same as a WACZ package, for replayweb.page
  archive transfer the same as a BagIt transfer bag for the state archives
  archive checkpoint  print the newest archive checkpoint with its cosignatures, to publish (--sign: sign one now)
  signer           answer the external signer protocol with a checkpoint key file (init, public-key, sign)
  witness          run a witness that cosigns another Steward's checkpoints (C2SP tlog-witness)
  bench archive    generate a city's items, ingest, search and export them; print one JSON object
  bench export     generate items, export a records request's bag and verify it; print one JSON object
  bench search     time ten kinds of search with 50 clients at once beside the raw full-text floor; print one JSON object
  classify         score comments read as JSON lines on stdin, one result line each (--thresholds FILE.json)
  train            learn the comment classifier's weights from the data folder (--data DIR --out FILE)
  train drafts     learn the draft screen's model from labeled drafts (--data FILE.jsonl --written FILE --out FILE)
  eval             measure the comment classifier on data it never trained on (--data DIR --markdown)
  eval drafts      measure the draft screen on its held-out drafts (--data FILE.jsonl --misses --check)
  screen-draft     screen staff drafts read as JSON lines on stdin, one result line each (--max-grade N)
  vault rotate-key re-wrap every stored credential under a new vault key
  version          print the version
  help             print this help

The server and database flags can also be set with environment variables:
--data is STEWARD_DATA, --oidc-client-id is STEWARD_OIDC_CLIENT_ID, and so on.
A command's own flags (--email, --roles…) are read from the command line only.
Run "steward <command> -h" for a command's flags. Flags may come before or
after a command's other arguments.

Exit codes, the same for every command:
  0  the command did what it was asked
  1  it could not run: bad usage, a missing file, an unreachable database, a refusal
  2  it ran and found a problem: audit verify or verify found tampering, a bag
     failed verification, an ingest or import rejected records, eval --check missed a goal
`

// Main runs the command line and returns the exit code.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	a := &app{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv, now: time.Now}
	err := a.run(args)
	var ue *usageError
	var ee *exitError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "steward: %s\nRun \"steward help\" for usage.\n", ue.msg)
		return exitCannotRun
	case errors.As(err, &ee):
		fmt.Fprintf(stderr, "steward: %v\n", ee.err)
		return ee.code
	}
	msg := err.Error()
	if f := civic.ErrorField(err); f != "" {
		msg = fmt.Sprintf("%s: %s", f, civic.ErrorMessage(err))
	}
	fmt.Fprintf(stderr, "steward: %s\n", msg)
	return exitCannotRun
}

func (a *app) run(args []string) error {
	if len(args) == 0 {
		fmt.Fprint(a.stderr, usage)
		return usagef("no command given")
	}
	cmd, rest := args[0], args[1:]
	sub := func() (string, []string, error) {
		if len(rest) == 0 {
			return "", nil, usagef("%s needs a subcommand", cmd)
		}
		return rest[0], rest[1:], nil
	}
	switch cmd {
	case "serve":
		return a.serve(rest)
	case "migrate":
		return a.migrate(rest)
	case "user":
		name, rest, err := sub()
		if err != nil {
			return err
		}
		return a.user(name, rest)
	case "department":
		name, rest, err := sub()
		if err != nil {
			return err
		}
		return a.department(name, rest)
	case "token":
		name, rest, err := sub()
		if err != nil {
			return err
		}
		return a.token(name, rest)
	case "vault":
		name, rest, err := sub()
		if err != nil {
			return err
		}
		return a.vaultCmd(name, rest)
	case "verify":
		return a.verify(rest)
	case "signer":
		return a.signer(rest)
	case "witness":
		return a.witnessCmd(rest)
	case "export":
		return a.export(rest)
	case "search":
		return a.search(rest)
	case "import":
		return a.importCmd(rest)
	case "capture":
		return a.captureCmd(rest)
	case "classify":
		return a.classifyCmd(rest)
	case "screen-draft":
		return a.screenDraft(rest)
	case "train":
		return a.train(rest)
	case "eval":
		return a.evalCmd(rest)
	case "archive", "bench":
		name, rest, err := sub()
		if err != nil {
			return err
		}
		if cmd == "bench" {
			return a.bench(name, rest)
		}
		return a.archiveCmd(name, rest)
	case "covert":
		name, rest, err := sub()
		if err != nil {
			return err
		}
		if name != "check" {
			return usagef("unknown command covert %s", name)
		}
		return a.covertCheck(rest)
	case "audit":
		name, rest, err := sub()
		if err != nil {
			return err
		}
		if name != "verify" {
			return usagef("unknown command audit %s", name)
		}
		return a.auditVerify(rest)
	case "version", "--version", "-version":
		fmt.Fprintf(a.stdout, "steward %s\n", Version)
		return nil
	case "help", "-h", "--help", "-help":
		fmt.Fprint(a.stdout, usage)
		return nil
	}
	return usagef("unknown command %q", cmd)
}

// withStore parses args, opens the store named by sf and runs fn with it.
func (a *app) withStore(f *flags, sf storeFlags, args []string, fn func(*sqlstore.Store) error) error {
	if err := f.Parse(args); err != nil {
		return err
	}
	ctx, cancel := a.timeout()
	defer cancel()
	s, err := a.openStore(ctx, sf)
	if err != nil {
		return err
	}
	defer s.Close()
	return fn(s)
}

// logger returns the process logger: text on stderr at the given level.
func (a *app) logger(level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, usagef("--log-level %q: want debug, info, warn or error", level)
	}
	return slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: l})), nil
}
