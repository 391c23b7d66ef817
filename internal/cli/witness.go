package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"golang.org/x/mod/sumdb/note"

	"steward.city/steward/internal/checkpoint"
	"steward.city/steward/internal/witness"
)

// witnessCmd runs a witness (C2SP tlog-witness): "steward witness
// --witness-dir DIR --witness-log VKEY…". It keeps its key and the last
// checkpoint it cosigned of each log in its own folder, which should be on
// another machine than the archive's, run by someone else.
func (a *app) witnessCmd(args []string) error {
	f := a.flags("witness")
	addr := f.String("witness-addr", "127.0.0.1:8081", "address to listen on")
	dir := f.String("witness-dir", "./steward-witness", "the witness's own folder: its key and what it last cosigned of each log")
	name := f.String("witness-name", "", "the witness's name, a schema-less URL such as witness.example.org/w1; needed on first start, when the key is created")
	logs := f.List("witness-log", "the checkpoint verifier key of a log to witness (its name is the log's origin); repeat for several")
	level := f.String("log-level", "info", "debug, info, warn or error")
	if err := f.Parse(args); err != nil {
		return err
	}
	log, err := a.logger(*level)
	if err != nil {
		return err
	}
	if len(logs.values) == 0 {
		return usagef("witness needs at least one --witness-log: the verifier key of a log to witness")
	}
	if err := os.MkdirAll(*dir, 0o700); err != nil {
		return fmt.Errorf("witness folder: %w", err)
	}
	signer, vkey, err := loadWitnessKey(filepath.Join(*dir, "witness.key"), *name, a.now)
	if err != nil {
		return err
	}
	w, err := witness.New(witness.Config{Dir: *dir, Signer: signer, Logs: logs.values, Log: log})
	if err != nil {
		return usagef("%v", err)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w", *addr, err)
	}
	defer ln.Close()
	fmt.Fprintf(a.stdout, "witness key: %s\n", vkey)
	srv := &http.Server{Handler: w.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute}
	ctx, stop := signal.NotifyContext(a.ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	log.Info("witness listening", "addr", "http://"+ln.Addr().String(), "name", signer.Name(), "logs", len(logs.values))
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// loadWitnessKey reads the witness key at path, creating it, named name,
// if there is none.
func loadWitnessKey(path, name string, now func() time.Time) (note.Signer, string, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if name == "" {
			return nil, "", usagef("the witness has no key yet: give --witness-name to create one")
		}
		skey, _, err := checkpoint.GenerateCosignerKey(name)
		if err != nil {
			return nil, "", usagef("--witness-name: %v", err)
		}
		out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, "", fmt.Errorf("witness key: %w", err)
		}
		if _, err := fmt.Fprintln(out, skey); err != nil {
			out.Close()
			return nil, "", err
		}
		if err := out.Close(); err != nil {
			return nil, "", err
		}
		b = []byte(skey)
	} else if err != nil {
		return nil, "", fmt.Errorf("witness key: %w", err)
	}
	s, vkey, err := checkpoint.NewCosigner(strings.TrimSpace(string(b)), now)
	if err != nil {
		return nil, "", fmt.Errorf("witness key %s: %w", path, err)
	}
	if name != "" && name != s.Name() {
		return nil, "", usagef("--witness-name %q: the witness's key is named %q", name, s.Name())
	}
	return s, vkey, nil
}
