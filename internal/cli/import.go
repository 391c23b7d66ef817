package cli

import (
	"fmt"
	"strings"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/importer"
	"steward.city/steward/internal/sqlstore"
)

// importCmd brings a platform's own data export into the archive:
// "steward import --platform P --account ID FILE". ID is the account's id
// in the registry; the records go to its archive account "platform:handle".
// An import cut short starts again where it stopped; importing the same
// export twice stores nothing twice.
func (a *app) importCmd(args []string) error {
	f := a.flags("import")
	sf := f.store()
	platform := f.String("platform", "", "the export's platform: "+strings.Join(importer.Platforms(), ", ")+" (default: the account's)")
	id := f.Int64("account", 0, "the registry id of the account the export belongs to")
	af := archiveFlags{s3: [5]*string{
		f.String("media-s3-endpoint", "", "S3-compatible service for media, as the server uses; default: the media folder in the data folder"),
		f.String("media-s3-region", "us-east-1", "S3 region"),
		f.String("media-s3-bucket", "", "S3 bucket for media"),
		f.String("media-s3-access-key", "", "S3 access key"),
		f.String("media-s3-secret-key", "", "S3 secret key (prefer the environment variable)"),
	}}
	return a.withStore(f, sf, args, func(s *sqlstore.Store) error {
		if f.NArg() != 1 || *id <= 0 {
			return usagef("import needs --account ID and one export file: steward import --platform P --account ID FILE")
		}
		acct, err := s.Account(a.ctx, *id)
		if err != nil {
			if civic.ErrorKind(err) == civic.KindNotFound {
				return usagef("--account %d: no account with that id in the registry", *id)
			}
			return err
		}
		p := *platform
		if p == "" {
			p = acct.Platform
		}
		if p != acct.Platform && !(p == "mastodon" && acct.Platform == "gotosocial") {
			return usagef("--platform %s: account %d is on %s", p, *id, acct.Platform)
		}
		blobs, err := af.blobs(*sf.data)
		if err != nil {
			return err
		}
		svc := archive.New(archive.Config{Store: s, Blobs: blobs, Clock: a.now})
		if err := a.queueScreening(svc, s); err != nil {
			return err
		}
		ref := acct.Platform + ":" + acct.Handle
		bar := newProgress(a.stderr, "import", a.now)
		res, err := importer.Import(a.ctx, importer.Options{Archive: svc, Platform: p, Account: ref, Path: f.Arg(0), Progress: bar.Report})
		bar.Done()
		if res != nil {
			fmt.Fprintf(a.stdout, "%s into %s: %d entries, %d already imported, stored %d, duplicates %d, rejected %d\n",
				f.Arg(0), ref, res.Entries, res.Skipped, res.Stored, res.Duplicates, res.Rejected)
			for _, pr := range res.Problems {
				if pr.Field != "" {
					fmt.Fprintf(a.stdout, "rejected %s: %s: %s\n", pr.Where, pr.Field, pr.Message)
				} else {
					fmt.Fprintf(a.stdout, "rejected %s: %s\n", pr.Where, pr.Message)
				}
			}
		}
		if err != nil {
			if res != nil && res.Stored+res.Duplicates > 0 {
				return fmt.Errorf("%w (run the same command again to carry on)", err)
			}
			return err
		}
		if res.Rejected > 0 {
			return problem(fmt.Errorf("%d entries were rejected", res.Rejected))
		}
		return nil
	})
}
