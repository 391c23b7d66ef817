package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/blob/disk"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/plain"
	"steward.city/steward/internal/records"
	"steward.city/steward/internal/sqlstore"
)

// export writes a records request's bag: "steward export --request ID --out FILE.zip".
func (a *app) export(args []string) error {
	f := a.flags("export")
	sf := f.store()
	id := f.Int64("request", 0, "the records request to export")
	out := f.String("out", "", "the bag to write, a .zip file; written whole or not at all")
	name := f.String("checkpoint-name", "steward-archive", "the name in the checkpoint key, if it is created")
	kf := f.keyFlags()
	tz := f.zone()
	return a.withStore(f, sf, args, func(s *sqlstore.Store) error {
		if *id <= 0 || *out == "" {
			return usagef("export needs --request ID and --out FILE.zip")
		}
		// The bag's report shows times in the city's zone.
		loc, err := location(*tz, false, nil)
		if err != nil {
			return err
		}
		published, err := s.Setting(a.ctx, archive.SettingVerifier)
		if err != nil {
			return err
		}
		signer, vkey, _, err := a.checkpointSigner(a.ctx, kf, *sf.data, *name, published, true)
		if err != nil {
			return err
		}
		arch := archive.New(archive.Config{Store: s, Signer: signer, Clock: a.now})
		if err := arch.PublishVerifier(a.ctx, vkey); err != nil {
			return err
		}
		blobs, err := disk.Open(filepath.Join(*sf.data, "media"))
		if err != nil {
			return err
		}
		svc := records.New(records.Config{Store: s, Archive: arch, Blobs: blobs, Signer: signer, Clock: a.now, Location: loc})
		bar := newProgress(a.stderr, "export", a.now)
		res, err := svc.ExportFile(a.ctx, civic.CLI, *id, *out, bar.Report)
		bar.Done()
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "wrote %s: request %d, %s of %s (%d redacted, %s), %s; check it with: steward verify %s\n",
			*out, res.RequestID, plain.Count(int(res.Versions), "version", "versions"), plain.Count(int(res.Items), "item", "items"), res.Redacted,
			plain.Count(int(res.Media), "media file", "media files"), plain.Count(int(res.Bytes), "byte", "bytes"), *out)
		return nil
	})
}

// bagArg returns the .zip file among args, if verify was given one.
func bagArg(args []string) string {
	for _, s := range args {
		if strings.HasSuffix(strings.ToLower(s), ".zip") && !strings.HasPrefix(s, "-") {
			return s
		}
	}
	return ""
}

// verifyBag checks an export bag offline: "steward verify [--key K]
// [--request ID] FILE.zip". It needs no database and exits 2 when the bag
// fails, 1 when it cannot run (no such file, bad flags).
func (a *app) verifyBag(args []string) error {
	f := a.flags("verify")
	key := f.String("key", "", "checkpoint verifier key to trust (default: the one in the bag, which proves only that the bag is consistent)")
	request := f.Int64("request", 0, "the records request the bag must answer (default: any)")
	asJSON := f.Bool("json", false, "print the report as JSON")
	if err := f.Parse(args); err != nil {
		return err
	}
	if f.NArg() != 1 {
		return usagef("verify takes one bag: steward verify FILE.zip")
	}
	file, err := os.Open(f.Arg(0))
	if err != nil {
		return err
	}
	defer file.Close()
	st, err := file.Stat()
	if err != nil {
		return err
	}
	if transferProfile(file, st.Size()) {
		return a.verifyTransferBag(f.Arg(0), file, st.Size())
	}
	bar := newProgress(a.stderr, "verify", a.now)
	rep, err := records.VerifyBag(file, st.Size(), records.VerifyOptions{Key: strings.TrimSpace(*key), Request: *request, Progress: bar.Report})
	bar.Done()
	if errors.Is(err, records.ErrBag) {
		return problem(fmt.Errorf("%s: %w", f.Arg(0), err))
	}
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(a.stdout).Encode(rep)
	}
	trust := "the key in the bag (compare it with the city's published key: " + rep.Key + ")"
	if *key != "" {
		trust = "the key given"
	}
	fmt.Fprintf(a.stdout, "bag verified: request %s, %d versions (%d redacted, %d disposed of), %d media files, %d files in all, each signed (bag format %s), all in the log of %d records signed by %s, root %s\n",
		strconv.FormatInt(rep.RequestID, 10), rep.Versions, rep.Redacted, rep.Disposed, rep.Media, rep.Files, rep.Format, rep.LogSize, trust, rep.Root)
	return nil
}
