// Package worklist computes what waits for one person now (issue 17): the
// requests they may decide, the reviews, inquiries, records requests,
// audits, recertifications and reviews of agreements that are theirs, broken
// capture and open flags, and their unread notifications. The actor decides
// what is visible: nothing here shows what the person could not open, and
// covert profiles reach only SIC commanders, through the registry's own rule.
package worklist

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/plain"
	"steward.city/steward/internal/registry"
)

// Kind says what an item is.
type Kind string

// The kinds of work.
const (
	KindAccountRequest  Kind = "account_request"
	KindPosterRequest   Kind = "poster_request"
	KindSecondReview    Kind = "second_review"
	KindModerationQueue Kind = "moderation_queue"
	KindInquiry         Kind = "inquiry"
	KindRecordsRequest  Kind = "records_request"
	KindCovertAudit     Kind = "covert_audit"
	KindRecertification Kind = "poster_recertification"
	KindContractReview  Kind = "contract_review"
	KindConductCase     Kind = "conduct_case"
	KindBrokenCapture   Kind = "connection_broken"
	KindCaptureFlag     Kind = "capture_flag"
	KindNotification    Kind = "notification"
	KindDraftReview     Kind = "draft_review"
	KindDraftChanges    Kind = "draft_changes"
)

// Soon is how far ahead a dated duty (an audit, a recertification, a review
// of an agreement) is listed before it is due.
const Soon = 30 * 24 * time.Hour

// Item is one thing that waits for the person.
type Item struct {
	Kind  Kind       `json:"kind"`
	Title string     `json:"title"`
	Since time.Time  `json:"since"`
	Due   *time.Time `json:"due,omitempty"`
	// Days says Since and Due are calendar days, stored as midnight UTC (a
	// records request's received and due dates, an agreement's review
	// date): shown as days, and overdue only once the due day has ended
	// in the city.
	Days    bool   `json:"days,omitempty"`
	Overdue bool   `json:"overdue"`
	Link    string `json:"link"`
	// Note says why it is theirs when it is not plainly so ("acting for
	// director@…", "designee").
	Note string `json:"note,omitempty"`
}

// When is the item's place in the list: its due date, else since when it
// waits.
func (it Item) When() time.Time {
	if it.Due != nil {
		return *it.Due
	}
	return it.Since
}

// Store is what the work list reads.
type Store interface {
	civic.RegistryReader
	civic.ModerationReader
	civic.RecordsReader
	civic.CaptureReader
	civic.PublishReader
	Users(ctx context.Context) ([]*civic.User, error)
}

// DraftsToReview lists the drafts the actor may review now, with since when
// each waits; the publishing service answers it (cli wires its Queue).
type DraftsToReview func(ctx context.Context, actor civic.Actor) ([]*civic.Draft, error)

// Config is what the work list needs.
type Config struct {
	Store    Store
	Registry *registry.Service // turns of approval steps, covert profiles, notifications
	// Drafts lists the drafts a reviewer may approve; nil: none are listed.
	Drafts DraftsToReview
	Clock  func() time.Time
	// Location is the city's time zone, where a due day ends (default UTC).
	Location *time.Location
	Logger   *slog.Logger
}

// Service computes work lists.
type Service struct {
	store  Store
	reg    *registry.Service
	drafts DraftsToReview
	now    func() time.Time
	loc    *time.Location
	log    *slog.Logger
}

// New returns the work list service.
func New(c Config) *Service {
	if c.Clock == nil {
		c.Clock = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Location == nil {
		c.Location = time.UTC
	}
	return &Service{store: c.Store, reg: c.Registry, drafts: c.Drafts, now: c.Clock, loc: c.Location, log: c.Logger}
}

// For lists what waits for actor now, earliest first (by due date, else
// since when). Only a signed-in, enabled user has work.
func (s *Service) For(ctx context.Context, actor civic.Actor) ([]Item, error) {
	if err := civic.Require(actor, civic.PermSignedIn); err != nil {
		return nil, err
	}
	u := actor.User()
	out := []Item{}
	if u == nil || u.DisabledAt != nil {
		return out, nil
	}
	now := s.now().UTC()
	users, err := s.store.Users(ctx)
	if err != nil {
		return nil, err
	}
	sis, err := s.store.StandIns(ctx)
	if err != nil {
		return nil, err
	}
	steps := []func(context.Context, civic.Actor, *civic.User, []*civic.User, []*civic.StandIn, time.Time) ([]Item, error){
		s.accounts, s.posters, s.seconds, s.inquiries, s.records, s.covert, s.contracts, s.cases, s.capture, s.draftsToReview, s.draftsReturned, s.notifications,
	}
	for _, step := range steps {
		items, err := step(ctx, actor, u, users, sis, now)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
	}
	out = dropEchoes(out)
	for i := range out {
		due := out[i].Due
		if due != nil && out[i].Days {
			end := plain.EndOfDay(*due, s.loc)
			due = &end
		}
		if due != nil && !now.Before(*due) {
			out[i].Overdue = true
		}
	}
	slices.SortStableFunc(out, func(a, b Item) int { return a.When().Compare(b.When()) })
	return out, nil
}

func id(v int64) string { return strconv.FormatInt(v, 10) }

func note(forUser *civic.User, via string) string {
	if forUser != nil {
		return "acting for " + forUser.Email
	}
	return via
}

// accounts: the requests whose waiting step u may decide.
func (s *Service) accounts(ctx context.Context, _ civic.Actor, u *civic.User, _ []*civic.User, _ []*civic.StandIn, _ time.Time) ([]Item, error) {
	if !u.Can(civic.PermAccountsApprove) {
		return nil, nil
	}
	as, err := s.store.Accounts(ctx, civic.AccountFilter{Status: civic.AccountRequested})
	if err != nil {
		return nil, err
	}
	var out []Item
	for _, a := range as {
		step, turn, ok, err := s.reg.Turn(ctx, a)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		if may, forUser := turn.May(u); may {
			out = append(out, Item{Kind: KindAccountRequest, Title: fmt.Sprintf("Account request: %s on %s (%s)", a.Handle, civic.PlatformName(a.Platform), step.Label),
				Since: a.RequestedAt, Link: "/accounts/" + id(a.ID), Note: note(forUser, turn.Via)})
		}
	}
	return out, nil
}

// posters: requests to post u may decide, and grants u must recertify.
func (s *Service) posters(ctx context.Context, _ civic.Actor, u *civic.User, users []*civic.User, sis []*civic.StandIn, now time.Time) ([]Item, error) {
	if !u.Can(civic.PermPostersDecide) {
		return nil, nil
	}
	ps, err := s.store.Posters(ctx, civic.PosterFilter{})
	if err != nil {
		return nil, err
	}
	var out []Item
	for _, p := range ps {
		step := civic.ApprovalStep{Label: "Department director", Role: civic.RoleDirector, DepartmentID: p.DepartmentID}
		switch {
		case p.Status == civic.PosterRequested:
			turn := civic.TurnOf(step, p.DepartmentID, users, []int64{p.UserID}, sis, now)
			if may, forUser := turn.May(u); may {
				out = append(out, Item{Kind: KindPosterRequest, Title: fmt.Sprintf("%s asks to post for %s", p.UserEmail, p.AccountHandle),
					Since: p.RequestedAt, Link: "/posters", Note: note(forUser, turn.Via)})
			}
		case p.Active(now) && step.Holds(u, p.DepartmentID) && p.RecertifyDue().Before(now.Add(Soon)):
			due := p.RecertifyDue()
			out = append(out, Item{Kind: KindRecertification, Title: fmt.Sprintf("Recertify %s to post for %s", p.UserEmail, p.AccountHandle),
				Since: due.Add(-Soon), Due: &due, Link: "/posters"})
		}
	}
	return out, nil
}

// seconds: hides and removals waiting for a second review u may give, and
// the comments waiting in the queue, for who decides them.
func (s *Service) seconds(ctx context.Context, _ civic.Actor, u *civic.User, users []*civic.User, sis []*civic.StandIn, _ time.Time) ([]Item, error) {
	if !u.Can(civic.PermModerationView) {
		return nil, nil
	}
	rs, err := s.store.Reviews(ctx, true)
	if err != nil {
		return nil, err
	}
	var out []Item
	var waiting []*civic.Review
	for _, r := range rs {
		if r.Status == civic.ReviewOpen {
			waiting = append(waiting, r)
		}
		if r.Status != civic.ReviewPending {
			continue
		}
		ds, err := s.store.Decisions(ctx, r.ID)
		if err != nil {
			return nil, err
		}
		for _, d := range ds {
			if d.Status != civic.DecisionPending {
				continue
			}
			who, fallback := civic.SecondReviewers(d.DecidedByID, users, sis)
			if !slices.ContainsFunc(who, func(w *civic.User) bool { return w.ID == u.ID }) {
				continue
			}
			n := ""
			if fallback {
				n = "fallback second reviewer"
			}
			out = append(out, Item{Kind: KindSecondReview, Title: fmt.Sprintf("Second review: %s by %s on %s", d.Action, d.DecidedBy, d.Account),
				Since: d.DecidedAt, Link: "/moderation/reviews/" + id(r.ID), Note: n})
		}
	}
	// The queue itself is Communications' work: one item, since the
	// oldest comment waiting.
	if len(waiting) > 0 && u.Can(civic.PermModerationDecide) {
		oldest := slices.MinFunc(waiting, func(a, b *civic.Review) int { return a.QueuedAt.Compare(b.QueuedAt) })
		title := fmt.Sprintf("%d comments wait for review", len(waiting))
		if len(waiting) == 1 {
			title = "1 comment waits for review"
		}
		out = append(out, Item{Kind: KindModerationQueue, Title: title, Since: oldest.QueuedAt, Link: "/moderation/reviews"})
	}
	return out, nil
}

// inquiries: public inquiries about removals, for whoever answers them.
func (s *Service) inquiries(ctx context.Context, _ civic.Actor, u *civic.User, _ []*civic.User, _ []*civic.StandIn, _ time.Time) ([]Item, error) {
	if !u.Can(civic.PermModerationDecide) {
		return nil, nil
	}
	qs, err := s.store.Inquiries(ctx, true)
	if err != nil {
		return nil, err
	}
	var out []Item
	for _, q := range qs {
		due := q.DueAt
		out = append(out, Item{Kind: KindInquiry, Title: "Inquiry " + q.Reference + " from " + q.Name, Since: q.ReceivedAt, Due: &due,
			Link: "/moderation/inquiries/" + id(q.ID)})
	}
	return out, nil
}

// records: open records requests, for whoever fulfils them.
func (s *Service) records(ctx context.Context, _ civic.Actor, u *civic.User, _ []*civic.User, _ []*civic.StandIn, _ time.Time) ([]Item, error) {
	if !u.Can(civic.PermRecordsManage) {
		return nil, nil
	}
	rs, err := s.store.RecordsRequests(ctx, true)
	if err != nil {
		return nil, err
	}
	var out []Item
	for _, r := range rs {
		out = append(out, Item{Kind: KindRecordsRequest, Title: "Records request from " + r.Requester, Since: r.ReceivedOn, Due: r.DueOn, Days: true,
			Link: "/records/" + id(r.ID)})
	}
	return out, nil
}

// covert: yearly audits due, for SIC commanders only. The registry's rule
// decides which profiles the actor may know of; a maintainer's own profiles
// are on the covert page, not here.
func (s *Service) covert(ctx context.Context, actor civic.Actor, u *civic.User, _ []*civic.User, _ []*civic.StandIn, now time.Time) ([]Item, error) {
	if !u.Has(civic.RoleSICCommander) {
		return nil, nil
	}
	ps, err := s.reg.CovertProfiles(ctx, actor)
	if err != nil {
		return nil, err
	}
	var out []Item
	for _, p := range ps {
		if p.Status != civic.CovertActive || p.NextAuditOn.After(now.Add(Soon)) {
			continue
		}
		due := p.NextAuditOn
		out = append(out, Item{Kind: KindCovertAudit, Title: "Yearly audit of covert profile " + p.ScreenName + " on " + p.SiteName,
			Since: due.Add(-Soon), Due: &due, Days: true, Link: "/covert?profile=" + id(p.ID)})
	}
	return out, nil
}

// contracts: platform agreements due for review, for who manages accounts.
func (s *Service) contracts(ctx context.Context, _ civic.Actor, u *civic.User, _ []*civic.User, _ []*civic.StandIn, now time.Time) ([]Item, error) {
	if !u.Can(civic.PermAccountsManage) {
		return nil, nil
	}
	cs, err := s.store.Contracts(ctx)
	if err != nil {
		return nil, err
	}
	var out []Item
	for _, c := range cs {
		if c.ReviewOn.After(now.Add(Soon)) {
			continue
		}
		due := c.ReviewOn
		out = append(out, Item{Kind: KindContractReview, Title: fmt.Sprintf("Review the %s agreement %q", civic.PlatformName(c.Platform), c.Title),
			Since: due.Add(-Soon), Due: &due, Days: true, Link: "/contracts"})
	}
	return out, nil
}

// cases: open conduct cases, for who manages them (HR, the City Attorney).
func (s *Service) cases(ctx context.Context, _ civic.Actor, u *civic.User, _ []*civic.User, _ []*civic.StandIn, _ time.Time) ([]Item, error) {
	if !u.Can(civic.PermConductManage) {
		return nil, nil
	}
	cs, err := s.store.ConductCases(ctx)
	if err != nil {
		return nil, err
	}
	var out []Item
	for _, c := range cs {
		if c.Status == civic.CaseOpen {
			out = append(out, Item{Kind: KindConductCase, Title: "Open conduct case: " + c.Summary, Since: c.OpenedAt, Link: "/cases/" + id(c.ID)})
		}
	}
	return out, nil
}

// capture: broken connections and open flags, for who runs capture
// (Communications, IT).
func (s *Service) capture(ctx context.Context, _ civic.Actor, u *civic.User, _ []*civic.User, _ []*civic.StandIn, _ time.Time) ([]Item, error) {
	if !u.Can(civic.PermCaptureManage) {
		return nil, nil
	}
	cs, err := s.store.Connections(ctx)
	if err != nil {
		return nil, err
	}
	var out []Item
	for _, c := range cs {
		if c.Status == civic.ConnectionBroken {
			since := c.UpdatedAt
			if c.LastSuccess != nil {
				since = *c.LastSuccess
			}
			out = append(out, Item{Kind: KindBrokenCapture, Title: fmt.Sprintf("Capture of %s on %s is broken. %s", c.Handle, civic.PlatformName(c.Platform), firstSentence(c.Trouble())),
				Since: since, Link: "/capture/" + id(c.ID)})
		}
	}
	fs, err := s.store.CaptureFlags(ctx, civic.CaptureFlagFilter{Open: true})
	if err != nil {
		return nil, err
	}
	for _, f := range fs {
		out = append(out, Item{Kind: KindCaptureFlag, Title: fmt.Sprintf("Capture flag, %s: %s", strings.ToLower(f.Kind.Label()), cmp.Or(f.Detail, f.Subject)), Since: f.RaisedAt, Link: "/capture/flags"})
	}
	return out, nil
}

// notifications: u's unread notifications, each linking to its item.
// An account request's "waits for your approval" is left out: the list
// computes the requests that wait for u from the requests themselves, and
// the notification would stay after u decided.
func (s *Service) notifications(ctx context.Context, actor civic.Actor, _ *civic.User, _ []*civic.User, _ []*civic.StandIn, _ time.Time) ([]Item, error) {
	ns, err := s.reg.Notifications(ctx, actor)
	if err != nil {
		return nil, err
	}
	var out []Item
	for _, n := range ns {
		if n.ReadAt == nil && n.Kind != "approval_waiting" {
			out = append(out, Item{Kind: KindNotification, Title: n.Message, Since: n.CreatedAt, Link: cmp.Or(n.Link, "/notifications")})
		}
	}
	return out, nil
}

// draftsToReview: the drafts waiting for u's approval (or confirmation of
// a late approval), as the publishing service's queue says.
func (s *Service) draftsToReview(ctx context.Context, actor civic.Actor, _ *civic.User, _ []*civic.User, _ []*civic.StandIn, _ time.Time) ([]Item, error) {
	if s.drafts == nil {
		return nil, nil
	}
	ds, err := s.drafts(ctx, actor)
	if err != nil {
		return nil, err
	}
	var out []Item
	for _, d := range ds {
		title := "Draft " + id(d.ID) + " by " + d.Author + " waits for your review"
		if d.Status == civic.DraftConfirm {
			title = "Draft " + id(d.ID) + " was approved after its time: confirm before it goes out"
		}
		out = append(out, Item{Kind: KindDraftReview, Title: title, Since: d.UpdatedAt, Link: "/drafts/" + id(d.ID)})
	}
	return out, nil
}

// draftsReturned: u's own drafts a reviewer sent back with changes asked.
func (s *Service) draftsReturned(ctx context.Context, _ civic.Actor, u *civic.User, _ []*civic.User, _ []*civic.StandIn, _ time.Time) ([]Item, error) {
	ds, err := s.store.Drafts(ctx, civic.DraftFilter{AuthorID: u.ID, Status: civic.DraftChanges})
	if err != nil {
		return nil, err
	}
	var out []Item
	for _, d := range ds {
		out = append(out, Item{Kind: KindDraftChanges, Title: "Your draft " + id(d.ID) + ": a reviewer asked for changes", Since: d.UpdatedAt, Link: "/drafts/" + id(d.ID)})
	}
	return out, nil
}

// dropEchoes leaves out an unread notification that points at an item the
// list already holds (the request that "waits for your approval"): the
// item says it, with its dates.
func dropEchoes(items []Item) []Item {
	links := map[string]bool{}
	for _, it := range items {
		if it.Kind != KindNotification {
			links[it.Link] = true
		}
	}
	out := items[:0]
	for _, it := range items {
		if it.Kind == KindNotification && links[it.Link] {
			continue
		}
		out = append(out, it)
	}
	return out
}

// firstSentence is s up to and including its first full stop.
func firstSentence(s string) string {
	if i := strings.Index(s, ". "); i >= 0 {
		return s[:i+1]
	}
	return s
}
