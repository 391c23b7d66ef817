package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/blob"
	"steward.city/steward/internal/blob/disk"
	"steward.city/steward/internal/blob/s3"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/plain"
	"steward.city/steward/internal/sqlstore"
)

// archiveFlags are the archive's server settings.
type archiveFlags struct {
	retention    *string
	interval     *string
	requireKnown *bool
	keyName      *string
	dispose      *string
	s3           [5]*string // endpoint, region, bucket, access key, secret key
	s3Spool      *string
}

func (f *flags) archiveFlags() archiveFlags {
	return archiveFlags{
		retention:    f.String("retention", "", "retention schedule (JSON); default: the Minnesota cities schedule as a starting point"),
		interval:     f.String("checkpoint-interval", "2m", "how often to sign an archive checkpoint while records arrive"),
		requireKnown: f.Bool("require-known-accounts", false, "refuse records from accounts not registered in the archive"),
		keyName:      f.String("checkpoint-name", "steward-archive", "the name in the archive checkpoint key and every checkpoint's first line"),
		dispose:      f.String("disposition-every", "", "propose a disposition run this often (24h, 168h…) for the clerk to approve; empty: on demand only"),
		s3: [5]*string{
			f.String("media-s3-endpoint", "", "S3-compatible service for media, http(s)://host[:port]; default: the media folder in the data folder"),
			f.String("media-s3-region", "us-east-1", "S3 region"),
			f.String("media-s3-bucket", "", "S3 bucket for media"),
			f.String("media-s3-access-key", "", "S3 access key"),
			f.String("media-s3-secret-key", "", "S3 secret key (prefer the environment variable)"),
		},
		s3Spool: f.String("media-s3-spool", "", "folder a media file is written to before its upload to S3, with room for the largest file (--media-max) on disk, not in memory; default: the system's temporary folder"),
	}
}

// blobs opens the media store: S3 when configured, else the media folder.
func (af archiveFlags) blobs(data string) (blob.Store, error) {
	if *af.s3[0] == "" {
		return disk.Open(filepath.Join(data, "media"))
	}
	if *af.s3Spool != "" {
		if fi, err := os.Stat(*af.s3Spool); err != nil || !fi.IsDir() {
			return nil, usagef("--media-s3-spool %q: not a folder", *af.s3Spool)
		}
	}
	s, err := s3.New(s3.Config{Endpoint: *af.s3[0], Region: *af.s3[1], Bucket: *af.s3[2], AccessKey: *af.s3[3], SecretKey: *af.s3[4], TempDir: *af.s3Spool})
	if err != nil {
		return nil, usagef("--media-s3-*: %v", err)
	}
	return s, nil
}

// keyFile is where the checkpoint signing key is kept.
func keyFile(data string) string { return filepath.Join(data, "archive-checkpoint.key") }

// startArchive applies the archive settings, loads (or, for a new
// archive, creates) the checkpoint key and publishes its verifier. It
// returns the archive and how often checkpoints are signed (cosigned by
// the witnesses) and dispositions proposed (0: never), for the periodic
// jobs.
func (a *app) startArchive(ctx context.Context, store civic.Store, af archiveFlags, kf keyFlags, wf witnessFlags, data string, log *slog.Logger) (*archive.Service, time.Duration, time.Duration, error) {
	interval, err := time.ParseDuration(*af.interval)
	if err != nil || interval < time.Second {
		return nil, 0, 0, usagef("--checkpoint-interval %q: want a duration of at least 1s, such as 2m", *af.interval)
	}
	var every time.Duration
	if *af.dispose != "" {
		if every, err = time.ParseDuration(*af.dispose); err != nil || every < time.Minute {
			return nil, 0, 0, usagef("--disposition-every %q: want a duration of at least 1m, such as 24h", *af.dispose)
		}
	}
	published, err := store.Setting(ctx, archive.SettingVerifier)
	if err != nil {
		return nil, 0, 0, err
	}
	signer, vkey, src, err := a.checkpointSigner(ctx, kf, data, *af.keyName, published, true)
	if err != nil {
		return nil, 0, 0, err
	}
	witnesses, err := wf.clients()
	if err != nil {
		return nil, 0, 0, err
	}
	warnKeyCustody(log, src, data, len(witnesses))
	blobs, err := af.blobs(data)
	if err != nil {
		return nil, 0, 0, err
	}
	svc := archive.New(archive.Config{Store: store, Blobs: blobs, Signer: signer, Witnesses: witnesses, Clock: a.now, Logger: log})
	rt := archive.DefaultRetention()
	if *af.retention != "" {
		if rt, err = archive.ReadRetentionFile(*af.retention); err != nil {
			return nil, 0, 0, usagef("--retention: %v", err)
		}
	}
	if err := svc.SetRetention(ctx, rt); err != nil {
		return nil, 0, 0, err
	}
	if err := store.Update(ctx, civic.System, func(tx civic.Tx) error {
		want := fmt.Sprint(*af.requireKnown)
		if old, err := tx.Setting(ctx, archive.SettingRequireKnown); err != nil || old == want || (old == "" && want == "false") {
			return err
		}
		return tx.SetSetting(ctx, archive.SettingRequireKnown, want)
	}); err != nil {
		return nil, 0, 0, err
	}
	if err := svc.PublishVerifier(ctx, vkey); err != nil {
		return nil, 0, 0, err
	}
	return svc, interval, every, nil
}

// archiveCmd runs "steward archive SUBCOMMAND".
func (a *app) archiveCmd(name string, args []string) error {
	switch name {
	case "ingest":
		return a.archiveIngest(args)
	case "export":
		return a.archiveExport(args)
	case "checkpoint":
		return a.archiveCheckpoint(args)
	case "warc", "wacz", "transfer":
		return a.archiveTransfer(name, args)
	}
	return usagef("unknown command archive %s", name)
}

// archiveIngest reads a batch ({"records":[…]}) from a file or standard
// input and puts it through the one ingest path.
func (a *app) archiveIngest(args []string) error {
	f := a.flags("archive ingest")
	sf := f.store()
	return a.withStore(f, sf, args, func(s *sqlstore.Store) error {
		if f.NArg() != 1 {
			return usagef("archive ingest needs one file (- for standard input)")
		}
		var r io.Reader = a.stdin
		if name := f.Arg(0); name != "-" {
			file, err := os.Open(name)
			if err != nil {
				return err
			}
			defer file.Close()
			r = file
		}
		recs, errs, err := archive.DecodeBatch(r)
		if err != nil {
			return err
		}
		svc := archive.New(archive.Config{Store: s, Clock: a.now})
		if err := a.queueScreening(svc, s); err != nil {
			return err
		}
		ctx, cancel := a.timeout()
		defer cancel()
		res, err := svc.Ingest(ctx, civic.CLI, recs, errs)
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "stored %d, duplicates %d, rejected %d\n", res.Stored, res.Duplicates, res.Rejected)
		for _, o := range res.Records {
			if o.Error != nil {
				fmt.Fprintf(a.stdout, "record %d: %s: %s\n", o.Index, o.Error.Field, o.Error.Message)
			}
		}
		if res.Rejected > 0 {
			return problem(fmt.Errorf("%d records were rejected", res.Rejected))
		}
		return nil
	})
}

// archiveExport streams every version as JSON lines.
func (a *app) archiveExport(args []string) error {
	f := a.flags("archive export")
	sf := f.store()
	return a.withStore(f, sf, args, func(s *sqlstore.Store) error {
		n, err := archive.New(archive.Config{Store: s, Clock: a.now}).Export(a.ctx, civic.CLI, a.stdout)
		if err == nil {
			fmt.Fprintf(a.stderr, "exported %s\n", plain.Count(int(n), "version", "versions"))
		}
		return err
	})
}

// archiveCheckpoint prints the newest checkpoint, with its cosignatures,
// for publishing; with --sign it signs one first.
func (a *app) archiveCheckpoint(args []string) error {
	f := a.flags("archive checkpoint")
	sf := f.store()
	kf := f.keyFlags()
	wf := f.witnessFlags()
	sign := f.Bool("sign", false, "sign a checkpoint now, if the log or the audit chain moved since the newest")
	name := f.String("checkpoint-name", "steward-archive", "the name in the checkpoint key, if it is created")
	return a.withStore(f, sf, args, func(s *sqlstore.Store) error {
		if *sign {
			published, err := s.Setting(a.ctx, archive.SettingVerifier)
			if err != nil {
				return err
			}
			signer, vkey, _, err := a.checkpointSigner(a.ctx, kf, *sf.data, *name, published, true)
			if err != nil {
				return err
			}
			witnesses, err := wf.clients()
			if err != nil {
				return err
			}
			log, _ := a.logger("warn")
			svc := archive.New(archive.Config{Store: s, Signer: signer, Witnesses: witnesses, Clock: a.now, Logger: log})
			if err := svc.PublishVerifier(a.ctx, vkey); err != nil {
				return err
			}
			if _, err := svc.Checkpoint(a.ctx); err != nil {
				return err
			}
		}
		c, err := newestCheckpoint(a.ctx, s)
		if err != nil {
			return err
		}
		fmt.Fprint(a.stdout, c.Note)
		return nil
	})
}

// verify recomputes the archive's Merkle log and exits 2 on any problem:
// with --since, also when it does not extend a checkpoint published before.
// Given a bag, it checks the bag (verifyBag).
func (a *app) verify(args []string) error {
	if bagArg(args) != "" {
		return a.verifyBag(args)
	}
	if publicArg(args) {
		return a.verifyPublic(args)
	}
	f := a.flags("verify")
	sf := f.store()
	kf := f.keyFlags()
	key := f.String("key", "", "checkpoint verifier key to trust (default: the checkpoint key's, else the one the server published); keep a copy outside the database")
	since := f.String("since", "", "a checkpoint published before (from /checkpoint or steward archive checkpoint): prove the log only grew from it")
	asJSON := f.Bool("json", false, "print the report as JSON")
	return a.withStore(f, sf, args, func(s *sqlstore.Store) error {
		published, err := readPublished(*since)
		if err != nil {
			return err
		}
		// Trust, in order: the key given, the checkpoint key (its file,
		// variable or signer), and only then the key published in the
		// database.
		vkey, trusted, err := a.trustedKey(a.ctx, *key, kf, *sf.data)
		if err != nil {
			return err
		}
		svc := archive.New(archive.Config{Store: s, Clock: a.now})
		rep, err := svc.Verify(a.ctx, vkey)
		if err != nil {
			return err
		}
		// The public search's flag against the portal's rule: a version
		// marked public that the rule withholds is counted by the portal's
		// totals (its page check keeps the text out).
		ms, err := s.CheckPublic(a.ctx, 100)
		if err != nil {
			return err
		}
		for _, m := range ms {
			rep.Problems = append(rep.Problems, archive.Problem{Kind: "public_flag", VersionID: m.VersionID, Message: m.String()})
		}
		pub, err := svc.Verifier(a.ctx)
		if err != nil {
			return err
		}
		if vkey != "" && pub != "" && pub != vkey {
			rep.Problems = append(rep.Problems, archive.Problem{Kind: "checkpoint", Message: "the verifier key published in the database is not the one trusted here (" + trusted + ")"})
		}
		if published != nil {
			if vkey == "" {
				vkey = pub
			}
			if err := svc.CheckPublished(a.ctx, published, vkey, rep); err != nil {
				return fmt.Errorf("--since %s: %w", *since, err)
			}
		}
		if *asJSON {
			enc := json.NewEncoder(a.stdout)
			enc.SetIndent("", "  ")
			if err := enc.Encode(rep); err != nil {
				return err
			}
		} else {
			for _, p := range rep.Problems {
				fmt.Fprintf(a.stdout, "%s: %s\n", p.Kind, p.Message)
			}
		}
		if !rep.OK() {
			return problem(fmt.Errorf("archive verification failed: %d problems in %d versions", len(rep.Problems), rep.Versions))
		}
		if !*asJSON {
			fmt.Fprintf(a.stdout, "archive verified: %s, %s, root %s\n", plain.Count(int(rep.Versions), "version", "versions"), plain.Count(int(rep.Checkpoints), "signed checkpoint", "signed checkpoints"), rep.Root)
			if published != nil {
				fmt.Fprintf(a.stdout, "the log extends the published checkpoint (%s)\n", *since)
			}
		}
		return nil
	})
}

// search runs one query in the archive's query syntax.
func (a *app) search(args []string) error {
	f := a.flags("search")
	sf := f.store()
	limit := f.Int("limit", 20, fmt.Sprintf("how many results, 1 to %d", archive.MaxLimit))
	asJSON := f.Bool("json", false, "print JSON lines (times in RFC 3339 UTC)")
	tz := f.zone()
	return a.withStore(f, sf, args, func(s *sqlstore.Store) error {
		loc, err := location(*tz, false, nil)
		if err != nil {
			return err
		}
		if err := archive.CheckLimit(*limit); err != nil {
			return usagef("--limit %d: %s", *limit, civic.ErrorMessage(err))
		}
		q, err := archive.ParseQueryIn(strings.Join(f.Args(), " "), loc)
		if err != nil {
			return err
		}
		q.Limit = *limit
		vs, err := archive.New(archive.Config{Store: s, Clock: a.now}).Search(a.ctx, civic.CLI, q)
		if err != nil {
			return err
		}
		enc := json.NewEncoder(a.stdout)
		for _, v := range vs {
			if *asJSON {
				if err := enc.Encode(v); err != nil {
					return err
				}
				continue
			}
			fmt.Fprintf(a.stdout, "%s  %-8s %s  item %d  %s: %s\n", plain.Time(v.At(), loc), v.State, v.Account, v.ItemID, v.Author.Handle, oneLine(v.Text))
		}
		return nil
	})
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 100 {
		return string(r[:100]) + "…"
	}
	return s
}
