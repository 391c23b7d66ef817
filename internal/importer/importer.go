// Package importer brings history from the platforms' own data exports
// into the archive through its one ingest path (archive.Service.Ingest):
// a Facebook Page download, an X archive, an Instagram download, a YouTube
// Takeout and a Mastodon outbox. One file per format reads the export's
// documented layout into archive records.
//
// An imported record's captured_at is the time the export gives the item
// (when it was posted or last edited), never the time of the import, so
// the same export, or an overlapping later one, imported twice stores
// nothing twice: the archive keeps one copy of each identical version.
// Progress is also recorded per file and account (the setting
// "import:<sha256 of the file>:<account>" holds how many entries are
// done), so an import cut short starts again after its last whole batch.
package importer

import (
	"context"
	"encoding/hex"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/civic"
)

// Tag marks every imported record.
const Tag = "imported"

// Entry is one item read from an export: a record, or the reason the
// entry could not be read, naming where it is ("data/tweets.js[3].tweet.id_str").
type Entry struct {
	Record archive.Record
	Where  string
	Err    error
	media  []File // the files of Record.Media, read when the entry is stored
}

// Format reads one platform's export for the archive account ref
// ("platform:handle").
type Format func(files []File, account string) ([]Entry, error)

// Formats are the exports Steward reads, by platform name.
var Formats = map[string]Format{
	"facebook":  Facebook,
	"x":         X,
	"instagram": Instagram,
	"youtube":   YouTube,
	"mastodon":  Mastodon,
}

// Platforms lists the platforms with an import format, sorted.
func Platforms() []string {
	var out []string
	for p := range Formats {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// Options is one import.
type Options struct {
	Archive *archive.Service
	// Actor is who imports (recorded with each batch); the command line
	// when unset.
	Actor    civic.Actor
	Platform string
	Account  string // archive account ref, "platform:handle"
	Path     string // the export: a zip or one of its files
	Batch    int    // records per ingest batch; 0: 500
	// AfterBatch, when set, is called after each batch is stored and its
	// progress recorded, with the number of entries done (tests use it to
	// interrupt an import).
	AfterBatch func(done int)
	// Progress, when set, is told after each batch how many entries of
	// the export are done (the command line's progress bar).
	Progress func(done, total int64, step string)
	// Name is the export's name in messages (the uploaded file's name,
	// not the worker's temporary copy) and, for an export of one file,
	// the name its format picks it by; Path when empty.
	Name string
}

func (o Options) actor() civic.Actor {
	if o.Actor == (civic.Actor{}) {
		return civic.CLI
	}
	return o.Actor
}

// Problem is one entry that was not stored.
type Problem struct {
	Where   string `json:"where"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// Result counts what an import did.
type Result struct {
	Entries    int       `json:"entries"`
	Skipped    int       `json:"skipped"` // done by an earlier, interrupted run
	Stored     int       `json:"stored"`
	Duplicates int       `json:"duplicates"`
	Rejected   int       `json:"rejected"`
	Problems   []Problem `json:"problems"`
}

// CheckPlatform checks that platform has an import format (it is required)
// and that the archive account ref ("platform:handle") is on it: a
// Mastodon export also fits a GoToSocial account.
func CheckPlatform(platform, account string) error {
	if strings.TrimSpace(platform) == "" {
		return civic.Invalid("platform", "choose the export's platform: one of %s", strings.Join(Platforms(), ", "))
	}
	if _, ok := Formats[platform]; !ok {
		return civic.Invalid("platform", "no import format for %q: want one of %s", clip(platform), strings.Join(Platforms(), ", "))
	}
	p, _, err := civic.ParseAccountRef(account)
	if err != nil {
		return err
	}
	if p != platform && !(platform == "mastodon" && p == "gotosocial") {
		return civic.Invalid("platform", "the account %s is not on %s (it is on %s)", account, platform, p)
	}
	return nil
}

// FormatFor returns the import format of an account on platform ("" when
// none reads its exports).
func FormatFor(platform string) string {
	if platform == "gotosocial" {
		return "mastodon"
	}
	if _, ok := Formats[platform]; ok {
		return platform
	}
	return ""
}

// clip shortens s for a message.
func clip(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

// Import reads the export at o.Path and ingests it in batches.
func Import(ctx context.Context, o Options) (*Result, error) {
	if err := CheckPlatform(o.Platform, o.Account); err != nil {
		return nil, err
	}
	format := Formats[o.Platform]
	name := o.Name
	if name == "" {
		name = o.Path
	}
	ex, err := OpenAs(o.Path, name)
	if err != nil {
		return nil, err
	}
	defer ex.Close()
	entries, err := format(ex.Files, o.Account)
	if err != nil {
		return nil, err
	}
	if len(entries) == 0 {
		return nil, civic.Invalid("file", "%s holds nothing this importer reads for %s; see docs/platforms.md for the files it expects", name, o.Platform)
	}
	batch := o.Batch
	if batch <= 0 {
		batch = 500
	}
	batch = min(batch, archive.MaxBatch)
	key := progressKey(ex.Sum, o.Account)
	done, err := progress(ctx, o.Archive.Store(), key)
	if err != nil {
		return nil, err
	}
	res := &Result{Entries: len(entries), Skipped: min(done, len(entries))}
	keep := o.Archive.Blobs() != nil
	for start, end := res.Skipped, 0; start < len(entries); start = end {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		end = batchEnd(entries, start, batch, keep)
		if err := ingest(ctx, o.Archive, o.actor(), entries[start:end], keep, res); err != nil {
			return res, err
		}
		if err := o.Archive.Store().Update(ctx, civic.System, func(tx civic.Tx) error {
			return tx.SetSetting(ctx, key, strconv.Itoa(end))
		}); err != nil {
			return res, err
		}
		if o.AfterBatch != nil {
			o.AfterBatch(end)
		}
		if o.Progress != nil {
			o.Progress(int64(end), int64(len(entries)), "importing the entries")
		}
	}
	return res, nil
}

// maxBatchMedia bounds the media bytes one batch holds in memory for the
// media store; a batch ends early (after at least one entry) to keep to it.
const maxBatchMedia = 64 << 20

// batchEnd returns where the batch that starts at start ends: after batch
// entries, or earlier once its media (kept for the media store) pass
// maxBatchMedia.
func batchEnd(entries []Entry, start, batch int, keep bool) int {
	end, size := start, int64(0)
	for end < len(entries) && end-start < batch {
		for _, f := range entries[end].media {
			size += f.Size
		}
		end++
		if keep && size >= maxBatchMedia {
			break
		}
	}
	return end
}

// ingest stores one batch. Media files are read here, the batch's only:
// hashed, and with keep their bytes handed to the media store; without a
// media store, each file's hash, type and size are kept.
func ingest(ctx context.Context, svc *archive.Service, actor civic.Actor, entries []Entry, keep bool, res *Result) error {
	var recs []archive.Record
	var where []string
	for _, e := range entries {
		if e.Err != nil {
			res.Rejected++
			res.Problems = append(res.Problems, Problem{Where: e.Where, Field: civic.ErrorField(e.Err), Message: civic.ErrorMessage(e.Err)})
			continue
		}
		rec, err := e.withMedia(keep)
		if err != nil {
			return err
		}
		recs = append(recs, rec)
		where = append(where, e.Where)
	}
	if len(recs) == 0 {
		return nil
	}
	r, err := svc.Ingest(ctx, actor, recs, nil)
	if err != nil {
		return err
	}
	res.Stored += r.Stored
	res.Duplicates += r.Duplicates
	res.Rejected += r.Rejected
	for _, o := range r.Records {
		if o.Error != nil {
			res.Problems = append(res.Problems, Problem{Where: where[o.Index], Field: o.Error.Field, Message: o.Error.Message})
		}
	}
	return nil
}

func progressKey(sum [32]byte, account string) string {
	return "import:" + hex.EncodeToString(sum[:]) + ":" + account
}

func progress(ctx context.Context, s archive.Store, key string) (int, error) {
	v, err := s.Setting(ctx, key)
	if err != nil || v == "" {
		return 0, err
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("the import progress %s is %q, not a count", key, v)
	}
	return n, nil
}
