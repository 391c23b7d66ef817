package publish

import (
	"context"
	"encoding/json"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/civic"
)

// action is what publishing one draft does on one account: post it, edit
// the post it corrects, reply in that post's thread, or delete the post.
// send makes the call for the publication (its idempotency key, and the
// links to its files for a network that fetches them); find, when
// an earlier call left no answer, looks on the platform for what that call
// did, so that it is not done twice (nil: the call is safe to repeat).
type action struct {
	kind  civic.PublicationKind
	text  string             // the exact text sent; "" for a delete
	orig  *civic.Publication // the post acted on (nil for a post)
	media []civic.DraftMedia // the files a post sends
	send  func(rec *civic.Publication) (*civic.PublishedPost, error)
	find  func(rec *civic.Publication) (*civic.PublishedPost, error)
}

// action builds the call a draft makes on a platform. prior is what an
// earlier attempt set out to do (a correction started as an edit is
// finished as an edit, even if the city has since chosen replies).
func (s *Service) action(ctx context.Context, d *civic.Draft, p civic.Platform, pub civic.Publisher, ep *civic.Endpoint, prior civic.PublicationKind) (*action, error) {
	text, err := s.outgoing(ctx, d.Kind, d.Current)
	if err != nil {
		return nil, err
	}
	a := &action{kind: civic.PublishPost, text: text}
	// recent finds, among the account's newest posts, one with the text
	// made after the intent: the platform took the call before the
	// answer was lost.
	recent := func(rec *civic.Publication) (*civic.PublishedPost, error) {
		rs, err := pub.Recent(ctx, ep, RecentLimit)
		if err != nil {
			return nil, err
		}
		for i := range rs {
			if sameText(rs[i].Text, a.text) && !rs[i].CreatedAt.Before(rec.CreatedAt.Add(-time.Minute)) {
				return &rs[i], nil
			}
		}
		return nil, nil
	}
	if d.Kind == civic.KindPost {
		// Media are uploaded again on a retry (the network keeps an unused
		// upload a while, then drops it); the post itself is made once.
		a.media = d.Current.Media
		a.send = func(rec *civic.Publication) (*civic.PublishedPost, error) {
			media, err := s.outgoingMedia(ctx, d.Current, p, rec)
			if err != nil {
				return nil, err
			}
			return pub.Publish(ctx, ep, civic.OutgoingPost{Text: a.text, Language: s.language(a.text), IdempotencyKey: rec.IdempotencyKey, Media: media})
		}
		a.find = recent
		return a, nil
	}
	if a.orig, err = s.store.Publication(ctx, d.Corrects); err != nil {
		return nil, err
	}
	if a.orig.Status != civic.PublicationPublished || a.orig.PlatformID == "" {
		return nil, civic.Errorf(civic.KindConflict, "publication %d has not gone out", a.orig.ID)
	}
	target := a.orig.PlatformID
	if d.Kind == civic.KindDeletion {
		del, ok := p.(civic.PostDeleter)
		if !ok {
			return nil, civic.Errorf(civic.KindInvalid, "Steward cannot delete posts on %s: delete it there and record why", p.Name())
		}
		a.kind = civic.PublishDelete
		// Deleting twice is harmless: a post already gone is deleted.
		a.send = func(*civic.Publication) (*civic.PublishedPost, error) {
			err := del.DeletePost(ctx, ep, target)
			if err != nil && civic.PlatformErrorKindOf(err) != civic.PlatformNotFound {
				return nil, err
			}
			return &civic.PublishedPost{ID: target, URL: a.orig.URL}, nil
		}
		return a, nil
	}
	m, err := s.Marker(ctx)
	if err != nil {
		return nil, err
	}
	ed, canEdit := p.(civic.PostEditor)
	look, canLook := p.(civic.Lookuper)
	reply := m.Reply
	switch prior {
	case civic.PublishReply:
		reply = true
	case civic.PublishEdit:
		reply = false
	}
	if !canEdit || !canLook || reply {
		a.kind = civic.PublishReply
		a.send = func(rec *civic.Publication) (*civic.PublishedPost, error) {
			return pub.Publish(ctx, ep, civic.OutgoingPost{Text: a.text, Language: s.language(a.text), IdempotencyKey: rec.IdempotencyKey, InReplyTo: target})
		}
		a.find = recent
		return a, nil
	}
	a.kind = civic.PublishEdit
	a.send = func(*civic.Publication) (*civic.PublishedPost, error) {
		return ed.Edit(ctx, ep, target, civic.OutgoingPost{Text: a.text, Language: s.language(a.text)})
	}
	// The edit went through when the post already says the correction.
	a.find = func(*civic.Publication) (*civic.PublishedPost, error) {
		o, err := look.Lookup(ctx, ep, target)
		if err != nil {
			return nil, err
		}
		if !sameText(o.Text, a.text) {
			return nil, nil
		}
		at := time.Time{}
		if o.EditedAt != nil {
			at = *o.EditedAt
		}
		return &civic.PublishedPost{ID: target, URL: a.orig.URL, Text: o.Text, CreatedAt: at}, nil
	}
	return a, nil
}

// archiveOf archives what a publication did, at once (PUB-7): a post or
// a correction reply as a new item, a correction by edit as the post's
// next version, a deletion as the post's last version, marked deleted.
// Each carries its authority record; the archive keeps every version.
func (s *Service) archiveOf(ctx context.Context, rec *civic.Publication, c *civic.Connection, post *civic.PublishedPost, act *action, now time.Time) {
	raw := map[string]any{"publication_id": rec.ID, "authority": rec.Authority, "url": post.URL, "kind": rec.Kind}
	at := post.CreatedAt
	if at.IsZero() {
		at = now
	}
	dept := ""
	if a, err := s.store.Account(ctx, rec.AccountID); err == nil {
		if dp, err := s.store.Department(ctx, a.DepartmentID); err == nil {
			dept = dp.Slug
		}
	}
	r := archive.Record{Account: c.Ref(), Department: dept, ID: post.ID, Kind: string(civic.ItemPost), CapturedAt: now.Format(time.RFC3339Nano),
		PlatformTime: at.UTC().Format(time.RFC3339Nano), Author: civic.Author{ID: c.RemoteID, Handle: c.Handle}, Text: act.text,
		Tags: []string{"published_with_steward"}}
	// The files the post sent: their hashes in the version (the blob
	// store holds them already), their alt text in the raw payload.
	if len(act.media) > 0 {
		var ms []map[string]any
		for _, m := range act.media {
			r.Media = append(r.Media, archive.MediaRecord{SHA256: m.SHA256, Type: m.ContentType, Size: m.Size})
			ms = append(ms, map[string]any{"sha256": m.SHA256, "file": m.File, "kind": m.Kind, "content_type": m.ContentType, "size": m.Size, "alt": m.Alt})
		}
		raw["media"] = ms
	}
	if act.orig != nil {
		raw["corrects_publication_id"] = act.orig.ID
	}
	switch act.kind {
	case civic.PublishEdit:
		r.Tags = append(r.Tags, "correction")
	case civic.PublishReply:
		r.Kind, r.Parent, r.Thread = string(civic.ItemReply), act.orig.PlatformID, act.orig.PlatformID
		r.Tags = append(r.Tags, "correction")
	case civic.PublishDelete:
		// The deleted post keeps its last text; the platform says nothing
		// of when, so the version has no platform time.
		r.Text, r.State, r.PlatformTime = s.lastText(ctx, act.orig), string(civic.StateDeleted), ""
		r.Tags = []string{"deleted_with_steward"}
		if rec.Authority != nil && rec.Authority.Extra != nil {
			raw["reason"] = rec.Authority.Extra["reason"]
		}
	}
	r.Raw, _ = json.Marshal(raw)
	if res, err := s.archive.IngestAs(ctx, "system:publish", []archive.Record{r}); err != nil {
		s.log.Error("publish: archive the post", "draft", rec.DraftID, "err", err)
	} else if res.Rejected > 0 && len(res.Records) > 0 && res.Records[0].Error != nil {
		s.log.Error("publish: the archive refused the post", "draft", rec.DraftID, "err", res.Records[0].Error.Message)
	}
}

// lastText is the text a post last said through Steward: its newest
// correction by edit, or its own.
func (s *Service) lastText(ctx context.Context, orig *civic.Publication) string {
	text := orig.Body
	if text == "" {
		if d, err := s.store.Draft(ctx, orig.DraftID); err == nil {
			text = Outgoing(d.Current)
		}
	}
	ps, err := s.store.Publications(ctx, civic.PublicationFilter{Corrects: orig.ID, Status: civic.PublicationPublished})
	if err != nil {
		return text
	}
	for _, p := range ps { // newest first
		if p.Kind == civic.PublishEdit {
			return p.Body
		}
	}
	return text
}

// language is the language of text, or "" when the service was given no
// way to tell.
func (s *Service) language(text string) string {
	if s.lang == nil {
		return ""
	}
	return s.lang(text)
}
