package publish

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/draftscreen"
)

// DraftInput is what an author writes: the accounts, the text, media with
// their alt text, links, one content category and an optional time.
type DraftInput struct {
	AccountIDs  []int64            `json:"account_ids"`
	Text        string             `json:"text"`
	Media       []civic.DraftMedia `json:"media"`
	Links       []string           `json:"links"`
	Category    string             `json:"category"`
	ScheduledAt *time.Time         `json:"scheduled_at"`
}

// MaxMedia is how many attachments a draft may carry (Mastodon's limit).
const MaxMedia = 4

// mediaKinds are the kinds of attachment a draft may carry.
var mediaKinds = []string{"image", "gif", "video", "audio"}

// Categories returns the city's content categories.
func (s *Service) Categories(ctx context.Context) ([]string, error) {
	v, err := s.store.Setting(ctx, CategoriesSetting)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, l := range strings.Split(v, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	if len(out) == 0 {
		return slices.Clone(civic.DefaultPostCategories), nil
	}
	return out, nil
}

// target is an account a draft is for, with the grant the author holds.
type target struct {
	acct  *civic.Account
	grant *civic.Poster
}

// grantFor returns the active poster grant of user for an account, or a
// forbidden error naming the account (PPL-2).
func (s *Service) grantFor(ctx context.Context, userID int64, a *civic.Account, now time.Time) (*civic.Poster, error) {
	ps, err := s.store.Posters(ctx, civic.PosterFilter{AccountID: a.ID, UserID: userID, Status: civic.PosterGranted})
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		if p.Active(now) {
			return p, nil
		}
	}
	return nil, &civic.Error{Kind: civic.KindForbidden, Field: "account_ids",
		Message: fmt.Sprintf("you hold no active authorization to post for %s on %s (PPL-2): ask its department director", a.Handle, civic.PlatformName(a.Platform))}
}

// targets checks the accounts of a draft and the author's grant for each.
func (s *Service) targets(ctx context.Context, userID int64, ids []int64, now time.Time) ([]target, error) {
	if len(ids) == 0 {
		return nil, civic.Invalid("account_ids", "choose at least one account to post to")
	}
	var out []target
	seen := map[int64]bool{}
	for _, id := range ids {
		if seen[id] {
			return nil, civic.Invalid("account_ids", "account %d is listed twice", id)
		}
		seen[id] = true
		a, err := s.store.Account(ctx, id)
		if civic.ErrorKind(err) == civic.KindNotFound {
			return nil, civic.Invalid("account_ids", "account %d does not exist", id)
		}
		if err != nil {
			return nil, err
		}
		if a.Status != civic.AccountActive {
			return nil, civic.Invalid("account_ids", "%s on %s is %s, not active: nothing can be posted to it", a.Handle, civic.PlatformName(a.Platform), a.Status)
		}
		g, err := s.grantFor(ctx, userID, a, now)
		if err != nil {
			return nil, err
		}
		out = append(out, target{acct: a, grant: g})
	}
	return out, nil
}

// check validates a draft's content against its accounts and returns the
// revision to store (without its screen).
func (s *Service) check(ctx context.Context, kind civic.DraftKind, authorID int64, in DraftInput, ts []target, now time.Time) (*civic.DraftRevision, error) {
	r := &civic.DraftRevision{Text: strings.TrimSpace(in.Text), Category: strings.TrimSpace(in.Category), Media: []civic.DraftMedia{}, Links: []string{}}
	if r.Text == "" {
		return nil, civic.Invalid("text", "write the post's text")
	}
	if !utf8.ValidString(r.Text) || strings.ContainsRune(r.Text, 0) {
		return nil, civic.Invalid("text", "the text is not valid UTF-8")
	}
	cats, err := s.Categories(ctx)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(cats, r.Category) {
		return nil, civic.Invalid("category", "choose one of the content categories: %s", strings.Join(cats, ", "))
	}
	if r.Media, err = s.checkMedia(ctx, authorID, in.Media, ts); err != nil {
		return nil, err
	}
	for i, l := range in.Links {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		u, err := url.Parse(l)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, civic.Invalid(fmt.Sprintf("links[%d]", i), "%q is not a web address (https://…)", l)
		}
		r.Links = append(r.Links, l)
	}
	if in.ScheduledAt != nil {
		at := in.ScheduledAt.UTC().Truncate(time.Microsecond)
		if !at.After(now) {
			return nil, civic.Invalid("scheduled_at", "the time %s is in the past", at.Format(time.RFC3339))
		}
		r.ScheduledAt = &at
	}
	out, err := s.outgoing(ctx, kind, r)
	if err != nil {
		return nil, err
	}
	for _, t := range ts {
		if limit, ok := civic.NetworkLimits[t.acct.Platform]; ok {
			if n := utf8.RuneCountInString(out); n > limit {
				return nil, civic.Invalid("text", "the post is %d characters with its links; %s allows %d (%s)", n, civic.PlatformName(t.acct.Platform), limit, t.acct.Handle)
			}
		}
	}
	return r, nil
}

// Outgoing is the text a revision posts: its text, then each link the text
// does not already hold, on its own line.
func Outgoing(r *civic.DraftRevision) string {
	out := r.Text
	for _, l := range r.Links {
		if !strings.Contains(out, l) {
			out += "\n" + l
		}
	}
	return out
}

// covert reports whether an account is one of the registered covert
// profiles still in use (CVT-5): its handle names the profile's username.
func (s *Service) covert(ctx context.Context, a *civic.Account) (bool, error) {
	ps, err := s.store.CovertProfiles(ctx, 0)
	if err != nil {
		return false, err
	}
	norm := func(h string) string {
		h = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(h), "@"))
		local, _, _ := strings.Cut(h, "@")
		return local
	}
	for _, p := range ps {
		if p.Status == civic.CovertActive && norm(p.Username) != "" && norm(p.Username) == norm(a.Handle) {
			return true, nil
		}
	}
	return false, nil
}

// screen runs the pre-post screen on a revision (PUB-2, CVT-5, PUB-6).
func (s *Service) screen(ctx context.Context, r *civic.DraftRevision, ts []target) (draftscreen.Result, error) {
	d := draftscreen.Draft{Text: r.Text}
	for _, t := range ts {
		if d.Account == "" {
			d.Account = t.acct.Handle
			if dep, err := s.store.Department(ctx, t.acct.DepartmentID); err == nil {
				d.Department = dep.Name
			}
		}
		c, err := s.covert(ctx, t.acct)
		if err != nil {
			return draftscreen.Result{}, err
		}
		d.Covert = d.Covert || c
	}
	for _, m := range r.Media {
		d.Media = append(d.Media, draftscreen.Media{Kind: m.Kind, Alt: m.Alt, Captions: m.Captions})
	}
	res := draftscreen.Screen(d)
	b, err := json.Marshal(res)
	if err != nil {
		return res, err
	}
	r.Screen = b
	return res, nil
}

// Screen decodes a revision's stored screen.
func Screen(r *civic.DraftRevision) draftscreen.Result {
	var res draftscreen.Result
	if len(r.Screen) > 0 {
		_ = json.Unmarshal(r.Screen, &res)
	}
	return res
}

// CreateDraft stores a new draft by the actor for the accounts it holds an
// active grant for; any other account is forbidden, named.
func (s *Service) CreateDraft(ctx context.Context, actor civic.Actor, in DraftInput) (*civic.Draft, error) {
	if err := civic.Require(actor, civic.PermSignedIn); err != nil {
		return nil, err
	}
	if !actor.IsUser() {
		return nil, civic.Errorf(civic.KindForbidden, "only a signed-in poster writes drafts")
	}
	now := s.now()
	ts, err := s.targets(ctx, actor.UserID, in.AccountIDs, now)
	if err != nil {
		return nil, err
	}
	r, err := s.check(ctx, civic.KindPost, actor.UserID, in, ts, now)
	if err != nil {
		return nil, err
	}
	if _, err := s.screen(ctx, r, ts); err != nil {
		return nil, err
	}
	r.AuthorID = actor.UserID
	d := &civic.Draft{AuthorID: actor.UserID, Status: civic.DraftOpen, Current: r}
	for _, t := range ts {
		d.Accounts = append(d.Accounts, civic.DraftAccount{AccountID: t.acct.ID, GrantID: t.grant.ID})
	}
	if err := s.store.Update(ctx, actor, func(tx civic.Tx) error { return tx.CreateDraft(ctx, d) }); err != nil {
		return nil, err
	}
	return s.store.Draft(ctx, d.ID)
}

// View is a draft as its author and reviewers see it: its revisions,
// reviews, the screen of the current revision, publications and what it
// waits for.
type View struct {
	Draft        *civic.Draft           `json:"draft"`
	Screen       draftscreen.Result     `json:"screen"`
	Revisions    []*civic.DraftRevision `json:"revisions"`
	Reviews      []*civic.DraftReview   `json:"reviews"`
	Publications []*civic.Publication   `json:"publications"`
	Waiting      string                 `json:"waiting"` // what the draft waits for, in words
	// Outgoing is the text the current revision sends: with its links,
	// and for a correction with the city's correction words.
	Outgoing string `json:"outgoing"`
	// Diff is what changed from the previous revision to the current one,
	// word by word (empty for a first revision).
	Diff []archive.Span `json:"diff,omitempty"`
	// Original is the publication a correction or deletion request acts
	// on, and OriginalDraftID the draft that made it.
	Original        *civic.Publication `json:"original,omitempty"`
	OriginalDraftID int64              `json:"original_draft_id,omitempty"`
	// Corrections are the corrections and deletion requests of the
	// draft's publications, newest first.
	Corrections []*civic.Draft `json:"corrections"`
	// Problems say, per account it has not gone out on, why the current
	// revision could not go out there as it is (Instagram takes no post
	// of text alone): seen while the draft is written and reviewed, not
	// first when publishing fails.
	Problems []Problem `json:"problems"`
}

// Problem is why a draft cannot go out on one of its accounts as it is.
type Problem struct {
	AccountID int64  `json:"account_id"`
	Handle    string `json:"handle"`
	Platform  string `json:"platform"`
	Message   string `json:"message"`
}

// Get returns a draft to its author, to those who may review it and to
// Communications and administrators.
func (s *Service) Get(ctx context.Context, actor civic.Actor, id int64) (*View, error) {
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
	v := &View{Draft: d, Screen: Screen(d.Current)}
	if v.Revisions, err = s.store.DraftRevisions(ctx, id); err != nil {
		return nil, err
	}
	if v.Reviews, err = s.store.DraftReviews(ctx, id); err != nil {
		return nil, err
	}
	if v.Publications, err = s.store.Publications(ctx, civic.PublicationFilter{DraftID: id}); err != nil {
		return nil, err
	}
	v.Waiting = s.waiting(ctx, d, v.Reviews)
	if v.Outgoing, err = s.outgoing(ctx, d.Kind, d.Current); err != nil {
		return nil, err
	}
	if n := len(v.Revisions); n > 1 {
		v.Diff = archive.DiffWords(v.Revisions[n-2].Text, v.Revisions[n-1].Text)
	}
	if d.Corrects != 0 {
		if v.Original, err = s.store.Publication(ctx, d.Corrects); err != nil {
			return nil, err
		}
		v.OriginalDraftID = v.Original.DraftID
	}
	v.Problems = s.problems(d, v.Outgoing, v.Publications)
	v.Corrections = []*civic.Draft{}
	for _, p := range v.Publications {
		if p.Status != civic.PublicationPublished || (p.Kind != civic.PublishPost && p.Kind != civic.PublishReply) {
			continue
		}
		cs, err := s.store.Drafts(ctx, civic.DraftFilter{Corrects: p.ID})
		if err != nil {
			return nil, err
		}
		v.Corrections = append(v.Corrections, cs...)
	}
	return v, nil
}

// problems checks a post's current revision against each network it has
// not gone out on yet: the attachments the network takes, and what its
// adapter can tell from the post alone (civic.PostPrechecker).
func (s *Service) problems(d *civic.Draft, text string, pubs []*civic.Publication) []Problem {
	out := []Problem{}
	if (d.Kind != civic.KindPost && d.Kind != "") || s.conns == nil {
		return out
	}
	media := make([]civic.OutgoingMedia, len(d.Current.Media))
	for i, m := range d.Current.Media {
		media[i] = civic.OutgoingMedia{File: m.File, Kind: m.Kind, ContentType: m.ContentType, Size: m.Size, SHA256: m.SHA256, Alt: m.Alt}
	}
	for _, a := range d.Accounts {
		if slices.ContainsFunc(pubs, func(p *civic.Publication) bool {
			return p.AccountID == a.AccountID && p.Status == civic.PublicationPublished
		}) {
			continue
		}
		p := s.conns.Platform(a.Platform)
		err := s.sendable(p, a.Platform, a.Handle, d.Current.Media)
		if pc, ok := p.(civic.PostPrechecker); ok && err == nil {
			err = pc.Precheck(civic.OutgoingPost{Text: text, Media: media})
		}
		if err != nil {
			out = append(out, Problem{AccountID: a.AccountID, Handle: a.Handle, Platform: networkName(a.Platform), Message: civic.ErrorMessage(err)})
		}
	}
	return out
}

// mayRead: the author, anyone who may approve one of its accounts,
// Communications and administrators; a stranger's draft is not found.
func (s *Service) mayRead(ctx context.Context, actor civic.Actor, d *civic.Draft) error {
	if actor.Trusted() || actor.Is(d.AuthorID) || actor.Has(civic.RoleCommunications) || actor.Has(civic.RoleAdmin) {
		return nil
	}
	if actor.IsUser() {
		for _, a := range d.Accounts {
			acct, err := s.store.Account(ctx, a.AccountID)
			if err != nil {
				return err
			}
			if (civic.ApprovalStep{Role: civic.RoleDirector}).Holds(actor.User(), acct.DepartmentID) {
				return nil
			}
		}
	}
	return civic.Errorf(civic.KindNotFound, "draft not found")
}

// Revise stores a new revision by the draft's author, who must still hold
// a grant for every account. Any approval of an earlier revision no longer
// counts: the draft goes back to being written and is submitted again.
func (s *Service) Revise(ctx context.Context, actor civic.Actor, id int64, in DraftInput) (*civic.Draft, error) {
	if err := civic.Require(actor, civic.PermSignedIn); err != nil {
		return nil, err
	}
	d, err := s.store.Draft(ctx, id)
	if err != nil {
		return nil, err
	}
	if !actor.Is(d.AuthorID) {
		if err := s.mayRead(ctx, actor, d); err != nil {
			return nil, err
		}
		return nil, civic.Errorf(civic.KindForbidden, "only the draft's author revises it")
	}
	switch d.Status {
	case civic.DraftPublished, civic.DraftRefused:
		return nil, civic.Errorf(civic.KindConflict, "the draft is %s and can no longer change", d.Status)
	}
	if pubs, err := s.store.Publications(ctx, civic.PublicationFilter{DraftID: id}); err != nil {
		return nil, err
	} else if len(pubs) > 0 {
		return nil, civic.Errorf(civic.KindConflict, "the draft has gone out on at least one account and can no longer change")
	}
	if in.AccountIDs == nil {
		for _, a := range d.Accounts {
			in.AccountIDs = append(in.AccountIDs, a.AccountID)
		}
	}
	now := s.now()
	var ts []target
	if d.Kind == civic.KindPost {
		if ts, err = s.targets(ctx, actor.UserID, in.AccountIDs, now); err != nil {
			return nil, err
		}
	} else {
		// A correction or a deletion request keeps its post's category
		// and carries only text; its writer must still hold the right to
		// correct the post.
		if ts, err = s.correctionTargets(ctx, actor, d); err != nil {
			return nil, err
		}
		in.Category, in.Media, in.Links, in.ScheduledAt = d.Current.Category, nil, nil, nil
	}
	if !sameAccounts(ts, d.Accounts) {
		return nil, civic.Invalid("account_ids", "a revision keeps the draft's accounts; start a new draft for others")
	}
	r, err := s.check(ctx, d.Kind, actor.UserID, in, ts, now)
	if err != nil {
		return nil, err
	}
	if d.Kind == civic.KindDeletion {
		r.Screen = nil // a reason is not posted: nothing to screen
	} else if _, err := s.screen(ctx, r, ts); err != nil {
		return nil, err
	}
	r.DraftID, r.AuthorID = id, actor.UserID
	if err := s.store.Update(ctx, actor, func(tx civic.Tx) error { return tx.AddDraftRevision(ctx, r) }); err != nil {
		return nil, err
	}
	return s.store.Draft(ctx, id)
}

func sameAccounts(ts []target, as []civic.DraftAccount) bool {
	if len(ts) != len(as) {
		return false
	}
	for _, t := range ts {
		if !slices.ContainsFunc(as, func(a civic.DraftAccount) bool { return a.AccountID == t.acct.ID }) {
			return false
		}
	}
	return true
}

// Drafts lists the drafts the actor may read, newest first.
func (s *Service) Drafts(ctx context.Context, actor civic.Actor, f civic.DraftFilter) ([]*civic.Draft, error) {
	if err := civic.Require(actor, civic.PermSignedIn); err != nil {
		return nil, err
	}
	ds, err := s.store.Drafts(ctx, f)
	if err != nil {
		return nil, err
	}
	out := ds[:0]
	for _, d := range ds {
		if s.mayRead(ctx, actor, d) == nil {
			out = append(out, d)
		}
	}
	return out, nil
}

// Postable lists the active accounts the actor holds an active poster
// grant for.
func (s *Service) Postable(ctx context.Context, actor civic.Actor) ([]*civic.Account, error) {
	if err := civic.Require(actor, civic.PermSignedIn); err != nil {
		return nil, err
	}
	if !actor.IsUser() {
		return nil, nil
	}
	ps, err := s.store.Posters(ctx, civic.PosterFilter{UserID: actor.UserID, Status: civic.PosterGranted})
	if err != nil {
		return nil, err
	}
	now := s.now()
	var out []*civic.Account
	for _, p := range ps {
		if !p.Active(now) || slices.ContainsFunc(out, func(a *civic.Account) bool { return a.ID == p.AccountID }) {
			continue
		}
		a, err := s.store.Account(ctx, p.AccountID)
		if err != nil {
			return nil, err
		}
		if a.Status == civic.AccountActive {
			out = append(out, a)
		}
	}
	return out, nil
}

// Segment is a piece of a draft's text, marked when a finding covers it.
type Segment struct {
	Text    string
	Finding *draftscreen.Finding
}

// Segments cuts text at the findings' spans so that a page marks the
// exact words; overlapping spans keep the first.
func Segments(text string, fs []draftscreen.Finding) []Segment {
	var spans []draftscreen.Finding
	for _, f := range fs {
		if f.End > f.Start && f.End <= len(text) {
			spans = append(spans, f)
		}
	}
	slices.SortStableFunc(spans, func(a, b draftscreen.Finding) int { return a.Start - b.Start })
	var out []Segment
	at := 0
	for i := range spans {
		f := spans[i]
		if f.Start < at {
			continue
		}
		if f.Start > at {
			out = append(out, Segment{Text: text[at:f.Start]})
		}
		out = append(out, Segment{Text: text[f.Start:f.End], Finding: &spans[i]})
		at = f.End
	}
	if at < len(text) {
		out = append(out, Segment{Text: text[at:]})
	}
	return out
}
