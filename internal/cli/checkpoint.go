package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/checkpoint"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/witness"
)

// envCheckpointKey holds the checkpoint signing key itself. It is read from
// the environment only, never from a flag, which other users of the
// machine could read.
const envCheckpointKey = "STEWARD_CHECKPOINT_KEY"

// keyFlags say where the checkpoint signing key is: at most one of an
// external signer, $STEWARD_CHECKPOINT_KEY and a key file; by default the
// key file in the data folder.
type keyFlags struct {
	file    *string
	command *string
	rotate  *bool
}

func (f *flags) keyFlags() keyFlags {
	return keyFlags{
		file:    f.String("checkpoint-key-file", "", "file holding the archive checkpoint signing key, outside the data folder and off the database host; default: archive-checkpoint.key in the data folder"),
		command: f.String("checkpoint-signer-command", "", "external signer holding the checkpoint key: a command, words separated by spaces, that answers \"public-key\" and \"sign\" (docs/archive.md)"),
		// Command line only: a variable left set would re-key for good.
		rotate: f.FlagSet.Bool("checkpoint-key-rotate", false, "sign with a key other than the one whose verifier is published, and publish it (tell everyone who checks checkpoints)"),
	}
}

// keySource is where a checkpoint key was found.
type keySource struct {
	what string // for messages: "the key file /…", "$STEWARD_CHECKPOINT_KEY", "the signer command …"
	file string // the key file, when it is one
}

// checkpointSigner returns the checkpoint signer named by kf, and its
// verifier key. The default key file in the data folder is created when
// create is set and no verifier is published yet (a new archive). A key
// whose verifier is not the published one is refused unless
// --checkpoint-key-rotate: a mistyped path must not re-key the archive.
func (a *app) checkpointSigner(ctx context.Context, kf keyFlags, data, name, published string, create bool) (note.Signer, string, keySource, error) {
	set := 0
	for _, on := range []bool{*kf.command != "", a.getenv(envCheckpointKey) != "", *kf.file != ""} {
		if on {
			set++
		}
	}
	if set > 1 {
		return nil, "", keySource{}, usagef("give one of --checkpoint-signer-command, $%s and --checkpoint-key-file", envCheckpointKey)
	}
	var signer note.Signer
	var vkey string
	var src keySource
	var err error
	switch {
	case *kf.command != "":
		args := strings.Fields(*kf.command)
		if len(args) == 0 {
			return nil, "", keySource{}, usagef("--checkpoint-signer-command is blank")
		}
		src = keySource{what: "the signer command " + args[0]}
		signer, vkey, err = checkpoint.NewCommandSigner(ctx, checkpoint.Command{Args: args, Env: signerEnv()})
	case a.getenv(envCheckpointKey) != "":
		src = keySource{what: "$" + envCheckpointKey}
		if signer, vkey, err = checkpoint.NewSigner(a.getenv(envCheckpointKey)); err != nil {
			err = usagef("$%s: %v", envCheckpointKey, err)
		}
	default:
		path := *kf.file
		if path == "" {
			path = keyFile(data)
		}
		src = keySource{what: "the key file " + path, file: path}
		signer, vkey, err = a.keyFromFile(path, name, published, create)
	}
	if err != nil {
		return nil, "", src, err
	}
	if published != "" && vkey != published {
		if !*kf.rotate {
			return nil, "", src, fmt.Errorf("the checkpoint key (%s) is not the one whose verifier is published (%s): give the archive's key, or --checkpoint-key-rotate to change keys", src.what, published)
		}
	}
	return signer, vkey, src, nil
}

// keyFromFile reads the key file at path, creating it when create is set
// and no checkpoint verifier is published yet.
func (a *app) keyFromFile(path, name, published string, create bool) (note.Signer, string, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if !create || published != "" {
			return nil, "", fmt.Errorf("no checkpoint key at %s (the archive's checkpoints are signed by %s): give its location with --checkpoint-key-file, $%s or --checkpoint-signer-command", path, orNone(published), envCheckpointKey)
		}
		return archive.LoadOrCreateKey(path, name)
	}
	if err != nil {
		return nil, "", fmt.Errorf("checkpoint key: %w", err)
	}
	s, vkey, err := checkpoint.NewSigner(string(b))
	if err != nil {
		return nil, "", fmt.Errorf("checkpoint key %s: %w", path, err)
	}
	return s, vkey, nil
}

func orNone(s string) string {
	if s == "" {
		return "no published key"
	}
	return s
}

// signerEnv is the environment of an external signer: Steward's, less its
// own variables, which hold secrets the signer has no need of.
func signerEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "STEWARD_") {
			out = append(out, kv)
		}
	}
	return out
}

// inside reports whether path is inside dir, symbolic links resolved.
func inside(path, dir string) bool {
	real := func(p string) string {
		if abs, err := filepath.Abs(p); err == nil {
			p = abs
		}
		if r, err := filepath.EvalSymlinks(p); err == nil {
			return r
		}
		if r, err := filepath.EvalSymlinks(filepath.Dir(p)); err == nil {
			return filepath.Join(r, filepath.Base(p))
		}
		return p
	}
	rel, err := filepath.Rel(real(dir), real(path))
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// trustedKey returns the checkpoint verifier key to trust: --key; else the
// key named by kf when one is configured or the data folder holds one;
// else the published one. from says which, for messages.
func (a *app) trustedKey(ctx context.Context, key string, kf keyFlags, data string) (vkey, from string, err error) {
	if key != "" {
		return key, "--key", nil
	}
	if *kf.command == "" && a.getenv(envCheckpointKey) == "" && *kf.file == "" {
		if v, err := archive.ReadVerifier(keyFile(data)); err == nil {
			return v, "the key file", nil
		}
		return "", "", nil
	}
	_, vkey, src, err := a.checkpointSigner(ctx, kf, data, "", "", false)
	if err != nil {
		return "", "", err
	}
	return vkey, src.what, nil
}

// witnessFlags name the witnesses that cosign checkpoints.
type witnessFlags struct{ list *listFlag }

func (f *flags) witnessFlags() witnessFlags {
	return witnessFlags{list: f.List("witness", "a witness that cosigns each checkpoint, URL=VKEY: its submission URL and its cosignature verifier key; repeat for several")}
}

// clients returns a client of each witness.
func (wf witnessFlags) clients() ([]archive.Witness, error) {
	var out []archive.Witness
	hc := &http.Client{Timeout: 30 * time.Second}
	for _, w := range wf.list.values {
		url, vkey, ok := strings.Cut(w, "=")
		if !ok {
			return nil, usagef("--witness %q: want URL=VKEY", w)
		}
		c, err := witness.NewClient(url, vkey, hc)
		if err != nil {
			return nil, usagef("--witness %q: %v", w, err)
		}
		out = append(out, c)
	}
	return out, nil
}

// warnKeyCustody logs what an operator should change about where the key
// is kept.
func warnKeyCustody(log *slog.Logger, src keySource, data string, witnesses int) {
	if src.file != "" && inside(src.file, data) {
		log.Warn("the archive checkpoint key is in the data folder: whoever can write the database and this folder can rewrite the archive and sign it again; keep the key off the database host (--checkpoint-key-file, $"+envCheckpointKey+" or --checkpoint-signer-command)", "key", src.file)
	}
	if witnesses == 0 {
		log.Info("no witness cosigns the archive's checkpoints (--witness): a rewrite by whoever holds the key shows only against checkpoints kept elsewhere")
	}
}

// newestCheckpoint returns the newest checkpoint, or an error saying there
// is none.
func newestCheckpoint(ctx context.Context, s civic.Reader) (*civic.Checkpoint, error) {
	cps, err := s.ArchiveCheckpoints(ctx, 1)
	if err != nil {
		return nil, err
	}
	if len(cps) == 0 {
		return nil, errors.New("the archive has no signed checkpoint yet (archive checkpoint --sign signs one)")
	}
	return cps[0], nil
}
