package capture

import (
	"context"
	"fmt"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/civic"
)

// page stores what a page shows: new items, edits (with the platform's
// earlier versions), items gone from complete threads as deleted, and
// flags for posts not made through Steward.
func (w *writer) page(ctx context.Context, p *civic.Page) error {
	now := w.s.now()
	var changes []change
	for i := range p.Threads {
		th := &p.Threads[i]
		cs, err := w.thread(ctx, th, now)
		if err != nil {
			return err
		}
		changes = append(changes, cs...)
	}
	for start := 0; start < len(changes); start += archive.MaxBatch {
		batch := changes[start:min(start+archive.MaxBatch, len(changes))]
		recs := make([]archive.Record, len(batch))
		for i, c := range batch {
			recs[i] = c.rec
		}
		res, err := w.s.ingest(ctx, recs)
		if err != nil {
			return err
		}
		for i, c := range batch {
			o := res.Records[i]
			if o.Status != "stored" {
				continue
			}
			w.t.stored++
			switch {
			case c.del:
				w.t.deletions++
			case c.edit:
				w.t.edits++
			}
			if c.new && c.obs != nil && c.obs.PlatformID == c.rec.ID {
				if err := w.checkPost(ctx, c.obs, o.ItemID); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// thread compares one thread with the archive.
func (w *writer) thread(ctx context.Context, th *civic.Thread, now time.Time) ([]change, error) {
	var out []change
	seen := map[string]bool{th.Root.PlatformID: true}
	cs, err := w.versions(ctx, &th.Root, now)
	if err != nil {
		return nil, err
	}
	out = append(out, cs...)
	for i := range th.Items {
		o := &th.Items[i]
		if o.ThreadID == "" {
			o.ThreadID = th.Root.PlatformID
		}
		seen[o.PlatformID] = true
		cs, err := w.versions(ctx, o, now)
		if err != nil {
			return nil, err
		}
		out = append(out, cs...)
	}
	if !th.Complete {
		return out, nil
	}
	// Comments captured before and absent from a complete thread are gone.
	root, err := w.s.store.CapturedItem(ctx, w.c.Ref(), th.Root.PlatformID)
	if civic.ErrorKind(err) == civic.KindNotFound {
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	items, err := w.s.store.ArchiveThread(ctx, root.ID)
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		if seen[it.PlatformID] || it.State == civic.StateDeleted || it.Kind == civic.ItemPost {
			continue
		}
		vs, err := w.s.store.ArchiveVersions(ctx, it.ID)
		if err != nil {
			return nil, err
		}
		if len(vs) == 0 {
			continue
		}
		out = append(out, change{rec: w.deletion(vs[len(vs)-1], now), del: true})
	}
	return out, nil
}

// checkPost flags an item the official account posted outside Steward
// (PUB-5): made with another application than Steward's, or a post on the
// account by someone else. Items posted before the connection was made
// are not flagged: Steward was not yet in custody of the account.
func (w *writer) checkPost(ctx context.Context, o *civic.Observation, itemID int64) error {
	if o.PlatformTime != nil && o.PlatformTime.Before(w.c.CreatedAt) {
		return nil
	}
	own := o.Author.ID == w.c.RemoteID
	var why string
	switch {
	case o.Kind == civic.ItemPost && !own:
		why = fmt.Sprintf("a post on the account by %s %s, who is not the account", o.Author.Handle, o.Author.Name)
	case own && o.ViaApp == "":
		why = "posted by the account, and the platform does not say it was made through Steward"
	case own && o.ViaApp != w.s.appName:
		why = fmt.Sprintf("posted by the account with %q, not through Steward", o.ViaApp)
	default:
		return nil
	}
	return w.flag(ctx, &civic.CaptureFlag{Kind: civic.FlagUnauthorizedPost, Subject: o.PlatformID, ItemID: itemID, Detail: why})
}
