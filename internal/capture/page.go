package capture

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/civic"
)

// maxLookups bounds the posts one page asks the platform about (a page
// that lists nothing at all would otherwise ask about every post); the
// rest are asked on a later pass.
const maxLookups = 50

// page stores what a page shows: new items, edits (with the platform's
// earlier versions), items gone from complete threads as deleted, the
// account's posts gone from a contiguous page as deleted once the platform
// confirms it, and flags for posts not made through Steward.
//
// What the archive holds of the page is read at once: the last version of
// every item on it and of every item of its threads (CapturedLast).
func (w *writer) page(ctx context.Context, p *civic.Page) error {
	now := w.s.now()
	w.asked, w.down = 0, false
	ids := map[string]bool{}
	var list []string
	add := func(id string) {
		if id != "" && !ids[id] {
			ids[id] = true
			list = append(list, id)
		}
	}
	seen := map[string]bool{} // every item the page shows
	for i := range p.Threads {
		th := &p.Threads[i]
		add(th.Root.PlatformID)
		seen[th.Root.PlatformID] = true
		if th.Complete {
			add(th.Root.ThreadID)
		}
		for j := range th.Items {
			add(th.Items[j].PlatformID)
			seen[th.Items[j].PlatformID] = true
		}
	}
	captured, err := w.s.store.CapturedLast(ctx, w.c.Ref(), list)
	if err != nil {
		return err
	}
	lastOf := make(map[string]*civic.Version, len(captured))
	for _, v := range captured {
		lastOf[v.PlatformID] = v
	}
	var changes []change
	edited := map[string]bool{} // items whose edit was checked on this page
	for i := range p.Threads {
		cs, err := w.thread(ctx, &p.Threads[i], lastOf, seen, now)
		if err != nil {
			return err
		}
		changes = append(changes, cs...)
	}
	cs, err := w.gonePosts(ctx, p.Span, seen, now)
	if err != nil {
		return err
	}
	changes = append(changes, cs...)
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
			if err := w.flagLost(ctx, c.lost, o.ItemID); err != nil {
				return err
			}
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
			if c.del {
				if err := w.checkDeletion(ctx, c.rec, o.ItemID); err != nil {
					return err
				}
			}
			if !c.new && !c.del && c.obs != nil && c.obs.PlatformID == c.rec.ID && !edited[c.rec.ID] {
				edited[c.rec.ID] = true
				if err := w.checkEdit(ctx, c.obs, o.ItemID); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// thread compares one thread with the archive's last versions (lastOf, by
// platform id). Seen holds every item the page shows.
func (w *writer) thread(ctx context.Context, th *civic.Thread, lastOf map[string]*civic.Version, seen map[string]bool, now time.Time) ([]change, error) {
	var out []change
	cs, err := w.versions(ctx, &th.Root, lastOf[th.Root.PlatformID], now)
	if err != nil {
		return nil, err
	}
	out = append(out, cs...)
	for i := range th.Items {
		o := &th.Items[i]
		if o.ThreadID == "" {
			o.ThreadID = th.Root.PlatformID
		}
		cs, err := w.versions(ctx, o, lastOf[o.PlatformID], now)
		if err != nil {
			return nil, err
		}
		out = append(out, cs...)
	}
	if !th.Complete || lastOf[th.Root.PlatformID] == nil {
		return out, nil
	}
	// Comments captured before and absent from a complete thread are no
	// longer shown: missing says whether deleted or unseen. Only what
	// descends from this root counts (the account's replies to one status
	// share its thread), and not the account's own items: a contiguous page
	// and Lookup confirm those.
	for _, v := range lastOf {
		if seen[v.PlatformID] || v.State == civic.StateDeleted || v.State == civic.StateUnseen || v.Kind == civic.ItemPost || v.Kind == civic.ItemProfile ||
			v.ThreadID != th.Root.ThreadID || v.Author.ID == w.c.RemoteID || !descends(v, th.Root.PlatformID, lastOf) {
			continue
		}
		c, err := w.missing(ctx, v, now)
		if err != nil {
			return nil, err
		}
		if c != nil {
			out = append(out, *c)
		}
	}
	return out, nil
}

// descends reports whether v is below the item root, following parents
// through the captured items.
func descends(v *civic.Version, root string, lastOf map[string]*civic.Version) bool {
	if v.ThreadID == root {
		return true
	}
	for range 1000 {
		if v.ParentID == root {
			return true
		}
		p, ok := lastOf[v.ParentID]
		if !ok || v.ParentID == "" {
			return false
		}
		v = p
	}
	return false
}

// gonePosts finds the account's posts captured before, inside a contiguous
// page's span and absent from it, and asks the platform about each: a
// not_found answer records the post deleted; any other answer, or an
// adapter without Lookup, infers nothing. The post's comments not seen
// otherwise get nothing inferred either.
func (w *writer) gonePosts(ctx context.Context, span *civic.Span, seen map[string]bool, now time.Time) ([]change, error) {
	if span == nil || w.lookup == nil || w.ep == nil {
		return nil, nil
	}
	vs, err := w.s.store.CapturedSpan(ctx, w.c.Ref(), w.c.RemoteID, span.From, span.To)
	if err != nil {
		return nil, err
	}
	var out []change
	asked := 0
	for _, v := range vs {
		if seen[v.PlatformID] || v.State == civic.StateDeleted || v.Kind == civic.ItemProfile {
			continue
		}
		if asked == maxLookups {
			break
		}
		asked++
		_, err := w.lookup.Lookup(ctx, w.ep, v.PlatformID)
		switch {
		case err == nil:
			continue // still there (outside the listing's order): nothing inferred
		case civic.PlatformErrorKindOf(err) == civic.PlatformNotFound:
			out = append(out, change{rec: w.deletion(v, now), del: true})
		case ctx.Err() != nil:
			return nil, ctx.Err()
		default:
			// Rate limited, unavailable, …: infer nothing, ask no more now.
			w.s.log.Warn("capture: could not confirm a post's deletion", "account", w.c.Ref(), "item", v.PlatformID, "err", err)
			return out, nil
		}
	}
	return out, nil
}

// checkPost flags an item the official account posted outside Steward
// (PUB-5): each item of the account is matched by its platform id to the
// publication that made it; one without a publication, and a post on the
// account by someone else, is flagged. Items posted before the connection
// was made are not flagged: Steward was not yet in custody of the account.
func (w *writer) checkPost(ctx context.Context, o *civic.Observation, itemID int64) error {
	if o.PlatformTime != nil && o.PlatformTime.Before(w.c.CreatedAt) {
		return nil
	}
	own := civic.OfficialAccount{RemoteID: w.c.RemoteID, Handle: w.c.Handle}.Authored(o.Author)
	var why string
	switch {
	case o.Kind == civic.ItemPost && !own:
		why = fmt.Sprintf("a post on the account by %s %s, who is not the account", o.Author.Handle, o.Author.Name)
	case !own:
		return nil
	default:
		pub, err := w.s.store.PublicationByPlatformID(ctx, w.c.Platform, o.PlatformID)
		recorded := false
		if err == nil && pub.AccountID == w.c.AccountID {
			if recorded, err = w.s.publishedInAudit(ctx, pub); err != nil {
				return err
			}
		}
		switch {
		case recorded:
			return nil
		case err == nil && pub.AccountID == w.c.AccountID:
			why = "a publication names this post, but the audit log has no record of Steward publishing it"
		case err != nil && civic.ErrorKind(err) != civic.KindNotFound:
			return err
		case o.ViaApp != "" && o.ViaApp != w.s.appName:
			why = fmt.Sprintf("posted by the account with %q, not through Steward", o.ViaApp)
		default:
			why = "posted by the account, but no publication in Steward made it"
		}
	}
	return w.flag(ctx, &civic.CaptureFlag{Kind: civic.FlagUnauthorizedPost, Subject: o.PlatformID, ItemID: itemID, Detail: why})
}

// checkEdit flags a post Steward published that was changed on the
// platform by anything but a Steward correction (PUB-4: nothing is
// silently edited). The post's text now must be the one Steward sent or
// the one one of its corrections by edit sent; a post the platform says
// was edited must match a correction. A post with no publication was
// flagged when it was first captured.
func (w *writer) checkEdit(ctx context.Context, o *civic.Observation, itemID int64) error {
	if o.Kind != civic.ItemPost && o.Kind != civic.ItemReply || o.State == civic.StateDeleted {
		return nil
	}
	if !(civic.OfficialAccount{RemoteID: w.c.RemoteID, Handle: w.c.Handle}.Authored(o.Author)) {
		return nil
	}
	pub, err := w.s.store.PublicationByPlatformID(ctx, w.c.Platform, o.PlatformID)
	if civic.ErrorKind(err) == civic.KindNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	if pub.AccountID != w.c.AccountID {
		return nil
	}
	cs, err := w.s.store.Publications(ctx, civic.PublicationFilter{Corrects: pub.ID, Status: civic.PublicationPublished})
	if err != nil {
		return err
	}
	for _, c := range cs {
		if c.Kind == civic.PublishEdit && sameWords(c.Body, o.Text) {
			return nil
		}
	}
	if o.EditedAt == nil && (pub.Body == "" || sameWords(pub.Body, o.Text)) {
		return nil // the text Steward sent, as the platform renders it
	}
	return w.flag(ctx, &civic.CaptureFlag{Kind: civic.FlagUnauthorizedPost, Subject: o.PlatformID, ItemID: itemID,
		Detail: "a post published through Steward was edited on the platform, not by a Steward correction"})
}

// checkDeletion flags a post Steward published that is gone from the
// platform without an approved Steward deletion (PUB-4: deleting an
// official post needs a reason and an approval). The archive has recorded
// the deletion either way.
func (w *writer) checkDeletion(ctx context.Context, rec archive.Record, itemID int64) error {
	if rec.Kind != string(civic.ItemPost) && rec.Kind != string(civic.ItemReply) {
		return nil
	}
	pub, err := w.s.store.PublicationByPlatformID(ctx, w.c.Platform, rec.ID)
	if civic.ErrorKind(err) == civic.KindNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	if pub.AccountID != w.c.AccountID {
		return nil
	}
	cs, err := w.s.store.Publications(ctx, civic.PublicationFilter{Corrects: pub.ID})
	if err != nil {
		return err
	}
	for _, c := range cs {
		if c.Kind == civic.PublishDelete && c.Status != civic.PublicationFailed {
			return nil // Steward deleted it, or is deleting it
		}
	}
	return w.flag(ctx, &civic.CaptureFlag{Kind: civic.FlagUnauthorizedPost, Subject: rec.ID, ItemID: itemID,
		Detail: "a post published through Steward was deleted on the platform, not by an approved Steward deletion"})
}

// sameWords compares two texts word for word, whatever the spacing.
func sameWords(a, b string) bool {
	return strings.Join(strings.Fields(a), " ") == strings.Join(strings.Fields(b), " ")
}

// publishedInAudit reports whether the audit log records Steward
// publishing p with its platform id: a publication row written into the
// database by hand, to pass a post off as Steward's, has no such event, and
// forging one breaks the hash chain the signed checkpoints anchor.
func (s *Service) publishedInAudit(ctx context.Context, p *civic.Publication) (bool, error) {
	evs, err := s.store.AuditEvents(ctx, civic.AuditFilter{ObjectType: "publication", ObjectID: strconv.FormatInt(p.ID, 10), Action: "publication.published", Limit: 10})
	if err != nil {
		return false, err
	}
	for _, e := range evs {
		var after struct {
			PlatformID string `json:"platform_id"`
			AccountID  int64  `json:"account_id"`
		}
		if json.Unmarshal(e.After, &after) == nil && after.PlatformID == p.PlatformID && after.AccountID == p.AccountID {
			return true, nil
		}
	}
	return false, nil
}
