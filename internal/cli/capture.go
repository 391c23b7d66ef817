package cli

import (
	"context"
	"fmt"
	"net/netip"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/capture"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/plain"
	"steward.city/steward/internal/server"
)

// captureFlags are the capture engine's settings, shared by serve.
type captureFlags struct {
	app      *string
	tick     *string
	media    *string
	mediaMax *string
}

// mediaNets are the --media-allow prefixes.
func (c captureFlags) mediaNets() ([]netip.Prefix, error) {
	nets, err := server.ParseProxies(*c.media)
	if err != nil {
		return nil, usagef("--media-allow %q: want CIDR prefixes such as 10.20.0.0/16: %v", *c.media, err)
	}
	return nets, nil
}

func (f *flags) captureFlags() captureFlags {
	return captureFlags{
		app:      f.String("capture-app-name", "Steward", "the application name Steward publishes with; posts made with another app are flagged (PUB-5)"),
		tick:     f.String("capture-tick", "30s", "how often the scheduler looks for connections due to be captured; 0 turns capture off"),
		media:    f.String("media-allow", "", "comma-separated CIDR prefixes of non-public networks capture may fetch media from (a platform server on the city's own network); empty: public addresses only"),
		mediaMax: f.String("media-max", "2GB", "the largest media file capture keeps, such as 500MB or 2GB (0: no limit); a larger file is not downloaded, and its item is archived without it and flagged"),
	}
}

// s3Max is the largest file an S3 media store takes: S3 takes at most
// 5 GiB in one upload, and Steward uploads a file in one.
const s3Max = 5 << 30

// maxMedia is --media-max as capture.Config.MediaMax: bytes, or -1 for no
// limit. An S3 media store (s3 true) needs a limit of at most 5GB.
func (c captureFlags) maxMedia(s3 bool) (int64, error) {
	n, err := parseSize(*c.mediaMax)
	if err != nil {
		return 0, usagef("--media-max %q: want a size such as 500MB or 2GB, or 0 for no limit", *c.mediaMax)
	}
	if s3 && (n == 0 || n > s3Max) {
		return 0, usagef("--media-max %q: an S3 media store takes files of at most 5GB in one upload; give --media-max 5GB or less", *c.mediaMax)
	}
	if n == 0 {
		return -1, nil
	}
	return n, nil
}

// captureCmd runs "steward capture --once [--account ID]": one pass of
// every connected account (or one), printing what each captured.
func (a *app) captureCmd(args []string) error {
	f := a.flags("capture")
	sf := f.store()
	vf := f.vaultFlags()
	af := f.archiveFlags()
	cf := f.captureFlags()
	once := f.Bool("once", false, "run one capture pass and exit (the scheduler runs in `steward serve`)")
	account := f.Int64("account", 0, "only the connection of this official account (its id in the inventory)")
	level := f.String("log-level", "warn", "debug, info, warn or error")
	if err := f.Parse(args); err != nil {
		return err
	}
	if !*once {
		return usagef("capture needs --once; `steward serve` runs the scheduler")
	}
	log, err := a.logger(*level)
	if err != nil {
		return err
	}
	v, err := a.loadVault(vf, *sf.data, false)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(a.ctx, time.Hour)
	defer cancel()
	s, err := a.openStore(ctx, sf)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := unlockVault(ctx, s, v); err != nil {
		return err
	}
	blobs, err := af.blobs(*sf.data)
	if err != nil {
		return err
	}
	nets, err := cf.mediaNets()
	if err != nil {
		return err
	}
	mediaMax, err := cf.maxMedia(*af.s3[0] != "")
	if err != nil {
		return err
	}
	arch := archive.New(archive.Config{Store: s, Blobs: blobs, Clock: a.now, Logger: log})
	svcs := NewServices(ServicesConfig{Store: s, Clock: a.now, Logger: log, Archive: arch, Vault: v, AppName: *cf.app, MediaAllow: nets, MediaMax: mediaMax})
	return a.capturePrint(ctx, svcs.Capture, *account)
}

func (a *app) capturePrint(ctx context.Context, svc *capture.Service, account int64) error {
	res, err := svc.Once(ctx, account)
	if err != nil {
		return err
	}
	if len(res) == 0 {
		fmt.Fprintln(a.stdout, "no connected accounts to capture")
		return nil
	}
	failed := 0
	for _, r := range res {
		run := r.Run
		fmt.Fprintf(a.stdout, "%s (connection %d): %s, %s, %s, %s, %s in %s",
			r.Connection.Ref(), r.Connection.ID, plain.Count(run.Pages, "page", "pages"), plain.Count(run.Stored, "new version", "new versions"),
			plain.Count(run.Edits, "edit", "edits"), plain.Count(run.Deletions, "deletion", "deletions"), plain.Count(run.Flags, "flag", "flags"),
			plain.Duration(run.FinishedAt.Sub(run.StartedAt)))
		if r.Err != nil {
			failed++
			kind := civic.PlatformErrorKindOf(r.Err)
			if kind == "" {
				kind = "error"
			}
			fmt.Fprintf(a.stdout, "; %s: %v", kind, r.Err)
		}
		fmt.Fprintln(a.stdout)
	}
	if failed > 0 {
		return &exitError{code: 1, err: fmt.Errorf("%d of %d connections failed", failed, len(res))}
	}
	return nil
}
