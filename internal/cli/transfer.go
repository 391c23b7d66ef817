package cli

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/bag"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/plain"
	"steward.city/steward/internal/sqlstore"
)

// transferFlags are the flags "archive warc", "archive wacz" and "archive
// transfer" share.
type transferFlags struct {
	account, from, to, out, tz *string
	withheld, force            *bool
}

func (f *flags) transferFlags() transferFlags {
	return transferFlags{
		account:  f.String("account", "", "the archive account: its id, or platform:handle"),
		from:     f.String("from", "", "first day, YYYY-MM-DD, in the city's time zone"),
		to:       f.String("to", "", "last day, YYYY-MM-DD, in the city's time zone (included)"),
		out:      f.String("out", "", "the file to write"),
		tz:       f.zone(),
		withheld: f.Bool("include-withheld", false, "include private and nonpublic versions, marked as withheld (a transfer to the state archives carries everything)"),
		force:    f.Bool("force", false, "replace --out if it exists"),
	}
}

// query reads the flags into a transfer query; the days are whole days of
// the city's calendar, --to included.
func (tf transferFlags) query() (archive.TransferQuery, *time.Location, error) {
	var q archive.TransferQuery
	loc, err := location(*tf.tz, false, nil)
	if err != nil {
		return q, nil, err
	}
	day := func(name, s string) (time.Time, error) {
		if s == "" {
			return time.Time{}, usagef("--%s is required (YYYY-MM-DD)", name)
		}
		d, err := time.ParseInLocation(time.DateOnly, s, loc)
		if err != nil {
			return time.Time{}, usagef("--%s %q: want a day as YYYY-MM-DD", name, s)
		}
		return d, nil
	}
	if q.From, err = day("from", *tf.from); err != nil {
		return q, nil, err
	}
	to, err := day("to", *tf.to)
	if err != nil {
		return q, nil, err
	}
	if to.Before(q.From) {
		return q, nil, usagef("--to %s is before --from %s", *tf.to, *tf.from)
	}
	q.To = time.Date(to.Year(), to.Month(), to.Day()+1, 0, 0, 0, 0, loc)
	q.IncludeWithheld = *tf.withheld
	if *tf.out == "" {
		return q, nil, usagef("--out is required: the file to write")
	}
	if *tf.account == "" {
		return q, nil, usagef("--account is required: the archive account's id or platform:handle")
	}
	return q, loc, nil
}

// createOut opens a temporary file beside out; commit renames it to out,
// and abort removes it, so that a failed transfer leaves no half-written
// file. An existing out is refused unless force.
func createOut(out string, force bool) (f *os.File, commit func() error, abort func(), err error) {
	if st, err := os.Stat(out); err == nil {
		if st.IsDir() {
			return nil, nil, nil, usagef("--out %s is a folder", out)
		}
		if !force {
			return nil, nil, nil, usagef("--out %s exists: add --force to replace it", out)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, nil, nil, err
	}
	f, err = os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".*.part")
	if err != nil {
		return nil, nil, nil, err
	}
	abort = func() { f.Close(); os.Remove(f.Name()) }
	commit = func() error {
		if err := f.Sync(); err != nil {
			abort()
			return err
		}
		if err := f.Close(); err != nil {
			os.Remove(f.Name())
			return err
		}
		if err := os.Rename(f.Name(), out); err != nil {
			os.Remove(f.Name())
			return err
		}
		return nil
	}
	return f, commit, abort, nil
}

// archiveTransfer runs "archive warc", "archive wacz" and "archive
// transfer".
func (a *app) archiveTransfer(kind string, args []string) error {
	f := a.flags("archive " + kind)
	sf := f.store()
	af := f.archiveFlags()
	tf := f.transferFlags()
	return a.withStore(f, sf, args, func(s *sqlstore.Store) error {
		if f.NArg() != 0 {
			return usagef("archive %s takes no arguments: %s", kind, strings.Join(f.Args(), " "))
		}
		q, loc, err := tf.query()
		if err != nil {
			return err
		}
		blobs, err := af.blobs(*sf.data)
		if err != nil {
			return err
		}
		svc := archive.New(archive.Config{Store: s, Blobs: blobs, Clock: a.now})
		acct, err := svc.TransferAccount(a.ctx, civic.CLI, *tf.account)
		if err != nil {
			return err
		}
		q.AccountID = acct.ID
		set, err := svc.TransferSelect(a.ctx, civic.CLI, q)
		if err != nil {
			return err
		}
		out, commit, abort, err := createOut(*tf.out, *tf.force)
		if err != nil {
			return err
		}
		var summary string
		switch kind {
		case "warc":
			st, err := svc.WriteWARC(a.ctx, civic.CLI, set, filepath.Base(*tf.out), out)
			if err != nil {
				abort()
				return err
			}
			summary = fmt.Sprintf("%s, %s, %s", plain.Count(st.Records, "record", "records"), plain.Count(st.Versions, "version", "versions"), plain.Count(st.Media, "media file", "media files"))
			if st.Withheld > 0 {
				summary += ", " + plain.Number(st.Withheld) + " withheld"
			}
		case "wacz":
			st, err := svc.WriteWACZ(a.ctx, civic.CLI, set, acct.Ref+" "+*tf.from+" to "+*tf.to, filepath.Dir(*tf.out), out)
			if err != nil {
				abort()
				return err
			}
			summary = fmt.Sprintf("%s, %s, %s", plain.Count(len(st.Pages), "page", "pages"), plain.Count(st.Versions, "version", "versions"), plain.Count(st.Media, "media file", "media files"))
			if st.Withheld > 0 {
				summary += ", " + plain.Number(st.Withheld) + " withheld"
			}
		case "transfer":
			st, err := svc.WriteTransferBag(a.ctx, civic.CLI, set, *tf.from, *tf.to, out)
			if err != nil {
				abort()
				return err
			}
			summary = fmt.Sprintf("%s, %s, %s", plain.Count(st.Items, "item", "items"), plain.Count(st.Versions, "version", "versions"), plain.Count(st.Media, "media file", "media files"))
			if st.Withheld > 0 {
				summary += ", " + plain.Number(st.Withheld) + " withheld"
			}
		default:
			abort()
			return usagef("unknown command archive %s", kind)
		}
		if err := commit(); err != nil {
			return err
		}
		if set.LeftOut > 0 {
			summary += fmt.Sprintf("; %s left out as withheld (--include-withheld to include)", plain.Count(set.LeftOut, "version", "versions"))
		}
		fmt.Fprintf(a.stderr, "wrote %s: %s (%s to %s, %s)\n", *tf.out, summary, *tf.from, *tf.to, loc)
		return nil
	})
}

// verifyTransferBag checks a transfer bag (archive transfer) offline.
func (a *app) verifyTransferBag(name string, file *os.File, size int64) error {
	rep, err := archive.VerifyTransferBag(file, size)
	if errors.Is(err, bag.ErrInvalid) {
		return problem(fmt.Errorf("%s: %w", name, err))
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "transfer bag verified: %s, %s each hashing to its archived hash, %s, %s in all, every manifest entry checked\n",
		rep.Account, plain.Count(rep.Versions, "version", "versions"), plain.Count(rep.Media, "media file", "media files"), plain.Count(rep.Files, "file", "files"))
	return nil
}

// transferProfile reports whether the zip in r says in its bag-info.txt
// that it is a transfer bag: a cheap look (the zip's directory and one
// small file) that picks the checker, which then trusts nothing.
func transferProfile(r io.ReaderAt, size int64) bool {
	z, err := zip.NewReader(r, size)
	if err != nil {
		return false
	}
	f, err := z.Open(bag.FileBagInfo)
	if err != nil {
		return false
	}
	defer f.Close()
	b, _ := io.ReadAll(io.LimitReader(f, 1<<16))
	return strings.Contains(string(b), "\nBagIt-Profile-Identifier: "+archive.TransferProfile+"\n")
}
