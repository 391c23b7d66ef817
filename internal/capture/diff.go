package capture

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/civic"
)

// writer turns what one pass observes into archive records and flags.
type writer struct {
	s    *Service
	c    *civic.Connection
	acct *civic.Account
	dept string
	t    *tally
	// lookup and ep confirm deletions of the account's posts (nil in a
	// webhook delivery, whose pages are never contiguous).
	lookup civic.Lookuper
	ep     *civic.Endpoint
	// readBlocks reads whom the official account blocks or mutes (nil:
	// the adapter cannot say, or a webhook delivery). It is read at most
	// once a pass, when a comment first goes missing, into blocked.
	readBlocks func(ctx context.Context) ([]civic.RemoteAccount, error)
	blockList  []civic.RemoteAccount
	blocked    map[string]bool // author ids; nil until read
	// asked counts the missing comments looked up on this page; down is
	// set once a lookup failed for another reason than not found.
	asked int
	down  bool
	// lost caches which media files were flagged not kept, by flag subject.
	lost map[string]bool
}

// content is what makes two versions of an item different: text, media,
// state and author, not the time of capture nor counters in the raw
// payload (favourites change without the item changing).
func content(text string, media []civic.Media, state civic.ItemState, author string, withMedia bool) string {
	if !withMedia {
		media = nil
	}
	var b strings.Builder
	b.WriteString(string(state))
	b.WriteByte(0)
	b.WriteString(author)
	b.WriteByte(0)
	b.WriteString(strings.ReplaceAll(text, "\x00", "\uFFFD"))
	for _, m := range media {
		b.WriteByte(0)
		if m.URL != "" {
			b.WriteString(m.URL)
		} else {
			b.WriteString(m.SHA256)
		}
	}
	return b.String()
}

func (w *writer) obsContent(o *civic.Observation) string {
	st := o.State
	if st == "" {
		st = civic.StateVisible
	}
	return content(o.Text, o.Media, st, o.Author.ID, w.s.mediaStore())
}

func (w *writer) versionContent(v *civic.Version) string {
	return content(v.Text, v.Media, v.State, v.Author.ID, w.s.mediaStore())
}

// last returns the last version captured of the item with a platform id,
// or nil when it was never captured.
func (w *writer) last(ctx context.Context, platformID string) (*civic.Version, error) {
	vs, err := w.s.store.CapturedLast(ctx, w.c.Ref(), []string{platformID})
	if err != nil {
		return nil, err
	}
	for _, v := range vs {
		if v.PlatformID == platformID {
			return v, nil
		}
	}
	return nil, nil
}

// change is one observation to store and why.
type change struct {
	rec  archive.Record
	edit bool
	del  bool
	obs  *civic.Observation // nil for a deletion
	new  bool               // the item was never captured
	lost []lostMedia        // media files not kept, to flag
}

// versions compares an observation (with its history) to the last version
// captured and returns what to store: nothing when it is unchanged; every
// version after the last one captured (from the platform's history) when
// it was edited; every version when it was never captured.
// lastV is the last version captured (nil: never captured).
func (w *writer) versions(ctx context.Context, o *civic.Observation, lastV *civic.Version, now time.Time) ([]change, error) {
	seq := make([]*civic.Observation, 0, len(o.History)+1)
	for i := range o.History {
		seq = append(seq, &o.History[i])
	}
	seq = append(seq, o)
	from := 0
	if lastV != nil {
		lc := w.versionContent(lastV)
		same, err := w.sameOrAsGiven(ctx, o, lc)
		if err != nil || same {
			return nil, err
		}
		from = len(seq) - 1
		for i := len(seq) - 2; i >= 0; i-- {
			if same, err := w.sameOrAsGiven(ctx, seq[i], lc); err != nil {
				return nil, err
			} else if same {
				from = i + 1
				break
			}
		}
	}
	var out []change
	prev := ""
	if lastV != nil {
		prev = lastV.Text
	}
	for i, x := range seq[from:] {
		at := x.PlatformTime
		if x == o && o.EditedAt != nil {
			at = o.EditedAt
		}
		rec, lost, err := w.record(ctx, x, at, now)
		if err != nil {
			return nil, err
		}
		edited := (lastV != nil || from+i > 0) && x.Text != prev
		if from+i == 0 && lastV == nil {
			edited = false
		}
		prev = x.Text
		out = append(out, change{rec: rec, edit: edited, obs: o, new: lastV == nil, lost: lost})
	}
	return out, nil
}

// record builds the archive record of an observation, and lists the media
// files it could not keep.
func (w *writer) record(ctx context.Context, o *civic.Observation, at *time.Time, now time.Time) (archive.Record, []lostMedia, error) {
	r := archive.Record{Account: w.c.Ref(), Department: w.dept, ID: o.PlatformID, Kind: string(o.Kind), Parent: o.ParentID, Thread: o.ThreadID,
		CapturedAt: now.UTC().Format(time.RFC3339Nano), Author: o.Author, Text: o.Text, State: string(o.State), Raw: o.Raw}
	if at != nil {
		r.PlatformTime = at.UTC().Format(time.RFC3339Nano)
	}
	var lost []lostMedia
	for _, m := range o.Media {
		mr := archive.MediaRecord{SHA256: m.SHA256, Type: m.Type, Size: m.Size, URL: m.URL}
		if mr.SHA256 == "" {
			// The platform gives an address, not the file: stream it into
			// the media store. Without a media store the address stays in
			// the raw payload only. A file that cannot be kept (too large,
			// not served, not a public address) leaves the item archived
			// without it, as without a media store, and is flagged once;
			// later passes do not fetch it again. A failure of the media
			// store itself fails the pass, which is tried again later.
			if !w.s.mediaStore() {
				continue
			}
			if gone, err := w.lostBefore(ctx, o.PlatformID, m.URL); err != nil || gone {
				if err != nil {
					return r, nil, err
				}
				continue
			}
			f, err := w.s.fetch(ctx, m.URL)
			var nk *notKeptError
			if errors.As(err, &nk) {
				w.s.log.Warn("capture: media file not kept", "account", w.c.Ref(), "item", o.PlatformID, "url", m.URL, "reason", nk.reason, "err", nk.err)
				lost = append(lost, lostMedia{item: o.PlatformID, url: m.URL, reason: nk.reason})
				if w.lost == nil {
					w.lost = map[string]bool{}
				}
				w.lost[mediaSubject(o.PlatformID, m.URL)] = true // not fetched again in this pass
				continue
			}
			if err != nil {
				return r, nil, fmt.Errorf("capture media %s: %w", m.URL, err)
			}
			mr.SHA256, mr.Size = f.hash, f.size
			if f.typ != "" {
				mr.Type = f.typ
			}
		}
		r.Media = append(r.Media, mr)
	}
	return r, lost, nil
}

// deletion is the version that records an item gone from the platform:
// the last version's content with state deleted, seen now. The platform
// does not say when it was deleted, so it has no platform time.
func (w *writer) deletion(v *civic.Version, now time.Time) archive.Record {
	return w.gone(v, civic.StateDeleted, now)
}

// gone is the version that records an item no longer shown, in state
// deleted or unseen: the last version's content, seen now, without a
// platform time.
func (w *writer) gone(v *civic.Version, state civic.ItemState, now time.Time) archive.Record {
	r := archive.Record{Account: w.c.Ref(), Department: w.dept, ID: v.PlatformID, Kind: string(v.Kind), Parent: v.ParentID, Thread: v.ThreadID,
		CapturedAt: now.UTC().Format(time.RFC3339Nano), Author: v.Author, Text: v.Text, State: string(state)}
	for _, m := range v.Media {
		r.Media = append(r.Media, archive.MediaRecord{SHA256: m.SHA256, Type: m.Type, Size: m.Size, URL: m.URL})
	}
	return r
}

// missing decides what a comment captured before and now absent from a
// complete thread records. A block is not a deletion: when the official
// account blocks or mutes the author, the platform stops showing the
// author's comments, and the comment is recorded unseen. Otherwise it is
// looked up on the platform: not found records it deleted; still found
// records nothing (it is there, outside the thread's listing). An adapter
// that cannot look items up records it unseen: nothing says it was
// deleted. A lookup that fails otherwise (rate limit, outage), or one past
// maxLookups on this page, records nothing now; a later pass asks again.
// It returns nil when nothing is to be recorded.
func (w *writer) missing(ctx context.Context, v *civic.Version, now time.Time) (*change, error) {
	blocked, err := w.isBlocked(ctx, v.Author.ID)
	if err != nil {
		return nil, err
	}
	unseen := &change{rec: w.gone(v, civic.StateUnseen, now)}
	switch {
	case blocked:
		return unseen, nil
	case w.lookup == nil || w.ep == nil:
		return unseen, nil
	case w.down || w.asked >= maxLookups:
		return nil, nil
	}
	w.asked++
	_, err = w.lookup.Lookup(ctx, w.ep, v.PlatformID)
	switch {
	case err == nil:
		return nil, nil
	case civic.PlatformErrorKindOf(err) == civic.PlatformNotFound:
		return &change{rec: w.deletion(v, now), del: true}, nil
	case ctx.Err() != nil:
		return nil, ctx.Err()
	default:
		w.down = true
		w.s.log.Warn("capture: could not confirm a comment's deletion", "account", w.c.Ref(), "item", v.PlatformID, "err", err)
		return nil, nil
	}
}

// isBlocked reports whether the official account blocks or mutes the
// author with this id, reading the platform's list once a pass.
func (w *writer) isBlocked(ctx context.Context, authorID string) (bool, error) {
	if w.readBlocks == nil || authorID == "" {
		return false, nil
	}
	if err := w.loadBlocks(ctx); err != nil {
		return false, err
	}
	return w.blocked[authorID], nil
}

// loadBlocks reads whom the official account blocks or mutes, unless this
// pass already did.
func (w *writer) loadBlocks(ctx context.Context) error {
	if w.blocked != nil || w.readBlocks == nil {
		return nil
	}
	bs, err := w.readBlocks(ctx)
	if err != nil && !errors.Is(err, civic.ErrUnsupported) {
		return err
	}
	w.blockList = bs
	w.blocked = map[string]bool{}
	for _, b := range bs {
		w.blocked[b.RemoteID] = true
	}
	return nil
}

// sameOrAsGiven is same, also with the observation's text as the platform
// gave it (Observation.PlatformText): a version archived before the
// adapter read the text as written is not a change.
func (w *writer) sameOrAsGiven(ctx context.Context, o *civic.Observation, lc string) (bool, error) {
	same, err := w.same(ctx, o, lc)
	if err != nil || same || o.PlatformText == "" {
		return same, err
	}
	x := *o
	x.Text = o.PlatformText
	return w.same(ctx, &x, lc)
}
