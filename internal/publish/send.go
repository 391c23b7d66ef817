package publish

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/draftscreen"
)

// RecentLimit is how many of an account's newest posts a reconciliation
// reads.
const RecentLimit = 40

// Outcome is what happened on one account.
type Outcome struct {
	AccountID  int64                   `json:"account_id"`
	Handle     string                  `json:"handle"`
	Status     civic.PublicationStatus `json:"status"`
	PlatformID string                  `json:"platform_id,omitempty"`
	URL        string                  `json:"url,omitempty"`
	Error      string                  `json:"error,omitempty"`
}

// Publish sends an approved draft out now on each of its accounts, by its
// author or one who may approve it. A draft scheduled later goes out at its
// time (PublishDue). An account where it already went out is not posted to
// again; the outcome says, per account, what went out and what failed.
func (s *Service) Publish(ctx context.Context, actor civic.Actor, id int64) ([]Outcome, error) {
	if err := civic.Require(actor, civic.PermSignedIn); err != nil {
		return nil, err
	}
	d, err := s.store.Draft(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.mayRead(ctx, actor, d); err != nil {
		return nil, err
	}
	if !actor.Trusted() && !actor.Is(d.AuthorID) {
		may, err := s.approvesAny(ctx, actor.User(), d)
		if err != nil {
			return nil, err
		}
		if !may {
			return nil, civic.Errorf(civic.KindForbidden, "only the author or an approver publishes this draft")
		}
	}
	if at := d.Current.ScheduledAt; at != nil && at.After(s.now()) && d.Status == civic.DraftApproved {
		return nil, civic.Errorf(civic.KindConflict, "the draft is scheduled for %s and goes out then", at.Format(time.RFC3339))
	}
	return s.publish(ctx, actor, d)
}

// PublishDue publishes every approved draft whose time has come, and
// reconciles publications left without an answer (a crash mid-call). The
// scheduler calls it about once a minute; it returns how many posts went
// out.
func (s *Service) PublishDue(ctx context.Context) (int, error) {
	actor := civic.Process("system:publish")
	now := s.now()
	n := 0
	var errs []error
	ds, err := s.store.Drafts(ctx, civic.DraftFilter{Status: civic.DraftApproved})
	if err != nil {
		return n, err
	}
	for _, d := range ds {
		// A draft without a time is published by a person, not the clock.
		if at := d.Current.ScheduledAt; at == nil || at.After(now) {
			continue
		}
		out, err := s.publish(ctx, actor, d)
		if err != nil {
			errs = append(errs, fmt.Errorf("draft %d: %w", d.ID, err))
		}
		for _, o := range out {
			if o.Status == civic.PublicationPublished {
				n++
			}
		}
	}
	// Intents of drafts in any other state (a process died mid-call).
	pubs, err := s.store.Publications(ctx, civic.PublicationFilter{Status: civic.PublicationIntent})
	if err != nil {
		return n, err
	}
	for _, p := range pubs {
		if now.Sub(p.CreatedAt) < s.stale {
			continue
		}
		d, err := s.store.Draft(ctx, p.DraftID)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if _, err := s.publish(ctx, actor, d); err != nil {
			errs = append(errs, fmt.Errorf("draft %d: %w", d.ID, err))
		}
	}
	return n, errors.Join(errs...)
}

// publish sends d out on each account it has not gone out on yet.
func (s *Service) publish(ctx context.Context, actor civic.Actor, d *civic.Draft) ([]Outcome, error) {
	switch d.Status {
	case civic.DraftApproved, civic.DraftFailed, civic.DraftPublished:
	case civic.DraftConfirm:
		return nil, civic.Errorf(civic.KindConflict, "the draft was approved after its scheduled time: confirm it first")
	default:
		return nil, civic.Errorf(civic.KindConflict, "the draft is %s, not approved", d.Status)
	}
	res := Screen(d.Current)
	if hasAbsolute(res) {
		return nil, civic.Invalid("text", "no approval overrides what the screen found (%s): it cannot be published", absoluteCodes(res))
	}
	reviews, err := s.store.DraftReviews(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	if ok, why, err := s.satisfied(ctx, d, reviews); err != nil {
		return nil, err
	} else if !ok {
		return nil, civic.Errorf(civic.KindConflict, "the draft still needs %s", why)
	}
	if needsOverride(res) && overrideOf(d, reviews) == "" {
		return nil, civic.Errorf(civic.KindConflict, "a reviewer must record why it may go out without alt text or captions")
	}
	author, err := s.store.User(ctx, d.AuthorID)
	if err != nil {
		return nil, err
	}
	var out []Outcome
	failed, inflight := false, false
	for _, x := range d.Accounts {
		o := s.publishTo(ctx, actor, d, x, author, reviews, res)
		failed = failed || o.Status == civic.PublicationFailed
		inflight = inflight || o.Status == civic.PublicationIntent
		out = append(out, o)
	}
	status := civic.DraftPublished
	switch {
	case failed:
		status = civic.DraftFailed
	case inflight:
		// Another process is publishing it on some account: that process
		// records the outcome.
		return out, &civic.Error{Kind: civic.KindConflict, Message: summary(d.ID, out)}
	}
	if status != d.Status {
		err = s.store.Update(ctx, actor, func(tx civic.Tx) error {
			if err := tx.SetDraftStatus(ctx, d.ID, status, "draft."+string(status)); err != nil {
				return err
			}
			return tx.Notify(ctx, &civic.Notification{UserID: d.AuthorID, Kind: "draft_" + string(status),
				Message: summary(d.ID, out), Link: fmt.Sprintf("/drafts/%d", d.ID)})
		})
		if err != nil {
			return out, err
		}
	}
	if failed {
		return out, &civic.Error{Kind: civic.KindUnavailable, Message: summary(d.ID, out)}
	}
	return out, nil
}

// summary says which accounts a draft went out on and which failed.
func summary(id int64, out []Outcome) string {
	var ok, bad []string
	for _, o := range out {
		if o.Status == civic.PublicationPublished {
			ok = append(ok, o.Handle)
		} else {
			bad = append(bad, fmt.Sprintf("%s (%s)", o.Handle, o.Error))
		}
	}
	msg := fmt.Sprintf("Draft %d", id)
	if len(ok) > 0 {
		msg += " went out on " + strings.Join(ok, ", ")
	}
	if len(bad) > 0 {
		if len(ok) > 0 {
			msg += ";"
		}
		msg += " did not go out on " + strings.Join(bad, ", ")
	}
	return msg + "."
}

func overrideOf(d *civic.Draft, reviews []*civic.DraftReview) string {
	var ws []string
	for _, v := range approvedBy(d, reviews) {
		if v.Override != "" {
			ws = append(ws, v.Reviewer+": "+v.Override)
		}
	}
	return strings.Join(ws, "; ")
}

// connectionOf returns the connection of an account.
func (s *Service) connectionOf(ctx context.Context, accountID int64) (*civic.Connection, error) {
	cs, err := s.store.Connections(ctx)
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		if c.AccountID == accountID {
			return c, nil
		}
	}
	return nil, civic.Errorf(civic.KindConflict, "the account is not connected to its platform: connect it first")
}

// newKey is a publication's idempotency key: "steward-", the intent's
// time in Unix microseconds, "-" and 16 random bytes in hex. The time
// lets a platform that names records by time (Bluesky's TID record keys)
// make the same name on every retry (civic.OutgoingPost).
func newKey(at time.Time) string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return "steward-" + strconv.FormatInt(at.UnixMicro(), 10) + "-" + hex.EncodeToString(b)
}

// publishTo publishes d on one account: an intent stored first (a second
// process finds it and leaves the account alone), then the platform call
// with the intent's idempotency key, then the answer and the archive
// record. An intent found without an answer and older than the stale time
// is reconciled against the account's newest posts before anything is
// sent again.
func (s *Service) publishTo(ctx context.Context, actor civic.Actor, d *civic.Draft, x civic.DraftAccount, author *civic.User,
	reviews []*civic.DraftReview, res draftscreen.Result) Outcome {
	o := Outcome{AccountID: x.AccountID, Handle: x.Handle}
	fail := func(err error) Outcome {
		o.Status, o.Error = civic.PublicationFailed, civic.ErrorMessage(err)
		if pe := (*civic.PlatformError)(nil); errors.As(err, &pe) {
			o.Error = pe.Error()
		}
		return o
	}
	c, err := s.connectionOf(ctx, x.AccountID)
	if err != nil {
		return fail(err)
	}
	p, ep, err := s.conns.Endpoint(ctx, c)
	if err != nil {
		return fail(err)
	}
	pub, ok := p.(civic.Publisher)
	if !ok || !p.Capabilities().Has(civic.CapPublish) {
		return fail(civic.Errorf(civic.KindInvalid, "Steward cannot publish to %s", civic.PlatformName(c.Platform)))
	}
	// Never the text without its attachments: a post whose files the
	// network cannot take is not sent (what already went out stands).
	var unsendable error
	if d.Kind == civic.KindPost || d.Kind == "" {
		unsendable = s.sendable(p, c.Platform, x.Handle, d.Current.Media)
	}
	now := s.now()
	var rec *civic.Publication
	existing, err := s.store.Publications(ctx, civic.PublicationFilter{DraftID: d.ID, AccountID: x.AccountID})
	if err != nil {
		return fail(err)
	}
	var prior civic.PublicationKind // what an earlier attempt set out to do
	if len(existing) > 0 {
		prior = existing[0].Kind
	}
	act, err := s.action(ctx, d, p, pub, ep, prior)
	if err != nil {
		return fail(err)
	}
	if len(existing) > 0 {
		rec = existing[0]
		switch {
		case rec.Status == civic.PublicationPublished:
			o.Status, o.PlatformID, o.URL = rec.Status, rec.PlatformID, rec.URL
			return o
		case rec.Status == civic.PublicationIntent && now.Sub(rec.CreatedAt) < s.stale:
			o.Status, o.Error = rec.Status, "another process is publishing it"
			return o
		default:
			// No answer was recorded, or the call failed (a timeout may
			// still have gone through): look first, then call again with
			// the same key.
			if act.find != nil {
				done, err := act.find(rec)
				if err != nil {
					return fail(err)
				}
				if done != nil {
					return s.record(ctx, actor, rec, c, done, act, o)
				}
			}
			if unsendable != nil {
				return fail(unsendable)
			}
			if rec.Status == civic.PublicationFailed {
				rec.Status, rec.Error = civic.PublicationIntent, ""
				if err := s.store.Update(ctx, actor, func(tx civic.Tx) error { return tx.UpdatePublication(ctx, rec) }); err != nil {
					return fail(err)
				}
			}
		}
	} else {
		if unsendable != nil {
			return fail(unsendable)
		}
		rec = &civic.Publication{DraftID: d.ID, Revision: d.Revision, AccountID: x.AccountID, ConnectionID: c.ID, IdempotencyKey: newKey(now),
			Platform: c.Platform, Kind: act.kind, Body: act.text, Authority: s.authority(ctx, d, x, author, reviews, res)}
		if act.orig != nil {
			rec.Corrects = act.orig.ID
		}
		if err := s.store.Update(ctx, actor, func(tx civic.Tx) error { return tx.CreatePublication(ctx, rec) }); err != nil {
			if civic.ErrorKind(err) == civic.KindConflict {
				o.Status, o.Error = civic.PublicationIntent, "another process is publishing it"
				return o
			}
			return fail(err)
		}
	}
	post, err := act.send(rec)
	if err != nil {
		s.log.Warn("publish: the platform refused the call", "draft", d.ID, "kind", act.kind, "account", c.Ref(), "err", err)
		o = fail(err)
		rec.Status, rec.Error = civic.PublicationFailed, o.Error
		if uerr := s.store.Update(ctx, actor, func(tx civic.Tx) error { return tx.UpdatePublication(ctx, rec) }); uerr != nil {
			s.log.Error("publish: record the failure", "draft", d.ID, "err", uerr)
		}
		return o
	}
	return s.record(ctx, actor, rec, c, post, act, o)
}

func sameText(a, b string) bool {
	return strings.Join(strings.Fields(a), " ") == strings.Join(strings.Fields(b), " ")
}

// record stores the platform's answer and archives the post with its
// authority record (PUB-7).
func (s *Service) record(ctx context.Context, actor civic.Actor, rec *civic.Publication, c *civic.Connection, post *civic.PublishedPost, act *action, o Outcome) Outcome {
	now := s.now()
	rec.Status, rec.PlatformID, rec.URL, rec.Error, rec.PublishedAt = civic.PublicationPublished, post.ID, post.URL, "", &now
	if err := s.store.Update(ctx, actor, func(tx civic.Tx) error { return tx.UpdatePublication(ctx, rec) }); err != nil {
		o.Status, o.Error = civic.PublicationIntent, "posted as "+post.ID+", but the answer could not be stored: "+civic.ErrorMessage(err)
		return o
	}
	o.Status, o.PlatformID, o.URL = rec.Status, post.ID, post.URL
	if s.archive != nil {
		s.archiveOf(ctx, rec, c, post, act, now)
	}
	return o
}

// authority builds the record of who made the post and under which rule.
func (s *Service) authority(ctx context.Context, d *civic.Draft, x civic.DraftAccount, author *civic.User, reviews []*civic.DraftReview, res draftscreen.Result) *civic.Authority {
	a := &civic.Authority{DraftID: d.ID, Revision: d.Revision, Author: author.Email, Category: d.Current.Category, GrantID: x.GrantID,
		Approvers: []string{}, Findings: []civic.AuthorityNote{}}
	for _, v := range approvedBy(d, reviews) {
		a.Approvers = append(a.Approvers, v.Reviewer)
	}
	if r, err := s.store.PublishRule(ctx, x.AccountID); err == nil {
		a.Rule = *r
	}
	if d.Kind != civic.KindPost && d.Kind != "" {
		a.Extra = map[string]string{"kind": string(d.Kind), "corrects_publication_id": strconv.FormatInt(d.Corrects, 10)}
		if d.Kind == civic.KindDeletion {
			a.Extra["reason"] = d.Current.Text
		}
		if u, err := s.store.User(ctx, d.AuthorID); err == nil && x.GrantID != 0 {
			if g, err := s.store.Posters(ctx, civic.PosterFilter{AccountID: x.AccountID, UserID: u.ID}); err == nil && !slices.ContainsFunc(g, func(p *civic.Poster) bool { return p.ID == x.GrantID }) {
				a.Extra["written_by"] = "the Communications coordinator, under the grant the post was published under"
			}
		}
	}
	if d.Kind == civic.KindPost || d.Kind == "" {
		for _, m := range d.Current.Media {
			a.Media = append(a.Media, civic.AuthorityMedia{SHA256: m.SHA256, File: m.File, Kind: m.Kind, ContentType: m.ContentType, Size: m.Size, Alt: m.Alt})
		}
	}
	override := overrideOf(d, reviews)
	for _, f := range res.Findings {
		n := civic.AuthorityNote{Code: f.Code, Span: f.Text, Block: string(f.Block), Resolution: "shown to the author and the approvers, who approved the post"}
		if f.Block == draftscreen.Review {
			n.Resolution = "approved without it: " + override
		}
		a.Findings = append(a.Findings, n)
	}
	return a
}
