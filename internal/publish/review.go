package publish

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/draftscreen"
	"steward.city/steward/internal/plain"
)

// approves reports whether u may approve for account a under rule r.
func approves(u *civic.User, a *civic.Account, r *civic.PublishRule) bool {
	switch r.Approver {
	case civic.ApproverDirector:
		return civic.ApprovalStep{Role: civic.RoleDirector}.Holds(u, a.DepartmentID)
	case civic.ApproverCommunications:
		return civic.ApprovalStep{Role: civic.RoleCommunications}.Holds(u, a.DepartmentID)
	}
	return false
}

// exempt reports whether a draft needs no approval on an account: its rule
// names no approver, or it is real-time safety information by someone
// holding a role the rule names.
func exempt(author *civic.User, d *civic.Draft, r *civic.PublishRule) bool {
	if d.Kind == civic.KindDeletion {
		return false // no one deletes an official post alone
	}
	if r.Approver == civic.ApproverNone || r.Approvals <= 0 {
		return true
	}
	if d.Current.Category != civic.RealTimeSafety || author == nil {
		return false
	}
	return slices.ContainsFunc(r.RealTimeRoles, author.Has)
}

// rules returns each account of a draft with its rule.
func (s *Service) rules(ctx context.Context, d *civic.Draft) ([]*civic.Account, []*civic.PublishRule, error) {
	var accts []*civic.Account
	var rules []*civic.PublishRule
	for _, x := range d.Accounts {
		a, err := s.store.Account(ctx, x.AccountID)
		if err != nil {
			return nil, nil, err
		}
		r, err := s.store.PublishRule(ctx, a.ID)
		if err != nil {
			return nil, nil, err
		}
		if d.Kind == civic.KindDeletion && (r.Approver == civic.ApproverNone || r.Approvals <= 0) {
			// A deletion always needs a second person: the Communications
			// coordinator where the account's rule names no approver.
			r = &civic.PublishRule{AccountID: a.ID, Approver: civic.ApproverCommunications, Approvals: 1, RealTimeRoles: []civic.Role{}}
		}
		accts, rules = append(accts, a), append(rules, r)
	}
	return accts, rules, nil
}

// approvedBy returns the reviewers whose approvals of the current revision
// count, in order.
func approvedBy(d *civic.Draft, reviews []*civic.DraftReview) []*civic.DraftReview {
	var out []*civic.DraftReview
	for _, v := range reviews {
		if v.Revision == d.Revision && v.Decision == civic.ReviewApprove && v.ReviewerID != d.AuthorID {
			out = append(out, v)
		}
	}
	return out
}

// satisfied reports whether every account's rule is met by the approvals
// of the current revision, and if not, which account still waits.
func (s *Service) satisfied(ctx context.Context, d *civic.Draft, reviews []*civic.DraftReview) (bool, string, error) {
	accts, rules, err := s.rules(ctx, d)
	if err != nil {
		return false, "", err
	}
	author, err := s.store.User(ctx, d.AuthorID)
	if err != nil {
		return false, "", err
	}
	apps := approvedBy(d, reviews)
	for i, a := range accts {
		r := rules[i]
		if exempt(author, d, r) {
			continue
		}
		n := 0
		for _, v := range apps {
			u, err := s.store.User(ctx, v.ReviewerID)
			if err != nil {
				return false, "", err
			}
			if approves(u, a, r) {
				n++
			}
		}
		if n < r.Approvals {
			return false, fmt.Sprintf("%d more approval(s) by the %s for %s", r.Approvals-n, approverWords(r.Approver), a.Handle), nil
		}
	}
	return true, "", nil
}

func approverWords(a civic.Approver) string {
	if a == civic.ApproverCommunications {
		return "Communications coordinator"
	}
	return "department director"
}

// waiting says in words what a draft waits for.
func (s *Service) waiting(ctx context.Context, d *civic.Draft, reviews []*civic.DraftReview) string {
	switch d.Status {
	case civic.DraftOpen:
		return "its author to submit it for review"
	case civic.DraftChanges:
		return "its author to make the changes a reviewer asked for"
	case civic.DraftInReview:
		if ok, why, err := s.satisfied(ctx, d, reviews); err == nil && !ok {
			return why
		}
		return "review"
	case civic.DraftConfirm:
		return "someone to confirm publishing: it was approved after its scheduled time"
	case civic.DraftApproved:
		if d.Current.ScheduledAt != nil {
			return "its scheduled time, " + plain.Time(*d.Current.ScheduledAt, s.loc)
		}
		return "someone to publish it"
	}
	return ""
}

// Submit sends the draft's current revision to review. The author must
// still hold a grant for every account (PUB-3). A draft that needs no
// approval on any account is approved at once.
func (s *Service) Submit(ctx context.Context, actor civic.Actor, id int64) (*civic.Draft, error) {
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
		return nil, civic.Errorf(civic.KindForbidden, "only the draft's author submits it")
	}
	if d.Status != civic.DraftOpen && d.Status != civic.DraftChanges {
		return nil, civic.Errorf(civic.KindConflict, "the draft is %s, not being written", d.Status)
	}
	now := s.now()
	if d.Kind != civic.KindPost {
		// A correction or deletion request: its writer must still be
		// allowed to correct the post.
		if _, err := s.correctionTargets(ctx, actor, d); err != nil {
			return nil, err
		}
	}
	for _, x := range d.Accounts {
		if d.Kind != civic.KindPost {
			break
		}
		a, err := s.store.Account(ctx, x.AccountID)
		if err != nil {
			return nil, err
		}
		if _, err := s.grantFor(ctx, d.AuthorID, a, now); err != nil {
			return nil, err
		}
		// Attachments a network cannot take (a draft written before
		// uploads, or before its account's network stopped taking them)
		// are named now, not at publishing.
		var p civic.Platform
		if s.conns != nil {
			p = s.conns.Platform(a.Platform)
		}
		if err := s.sendable(p, a.Platform, a.Handle, d.Current.Media); err != nil {
			return nil, err
		}
	}
	if at := d.Current.ScheduledAt; at != nil && !at.After(now) {
		return nil, civic.Invalid("scheduled_at", "the scheduled time %s has passed: choose a new one", at.Format(time.RFC3339))
	}
	if Screen(d.Current).Blocked() && hasAbsolute(Screen(d.Current)) {
		return nil, civic.Invalid("text", "the screen found what no approval overrides (%s): change the text", absoluteCodes(Screen(d.Current)))
	}
	ok, _, err := s.satisfied(ctx, d, nil)
	if err != nil {
		return nil, err
	}
	status := civic.DraftInReview
	if ok && !needsOverride(Screen(d.Current)) {
		status = civic.DraftApproved
	}
	err = s.store.Update(ctx, actor, func(tx civic.Tx) error {
		if err := tx.SetDraftStatus(ctx, id, status, "draft.submit"); err != nil {
			return err
		}
		if status == civic.DraftInReview {
			return s.notifyApprovers(ctx, tx, d)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.store.Draft(ctx, id)
}

func hasAbsolute(r draftscreen.Result) bool {
	return slices.ContainsFunc(r.Findings, func(f draftscreen.Finding) bool { return f.Block == draftscreen.Absolute })
}

func needsOverride(r draftscreen.Result) bool {
	return slices.ContainsFunc(r.Findings, func(f draftscreen.Finding) bool { return f.Block == draftscreen.Review })
}

func reviewCodes(r draftscreen.Result) string {
	var cs []string
	for _, f := range r.Findings {
		if f.Block == draftscreen.Review && !slices.Contains(cs, f.Code) {
			cs = append(cs, f.Code)
		}
	}
	return strings.Join(cs, ", ")
}

func absoluteCodes(r draftscreen.Result) string {
	var cs []string
	for _, f := range r.Findings {
		if f.Block == draftscreen.Absolute && !slices.Contains(cs, f.Code) {
			cs = append(cs, f.Code)
		}
	}
	return strings.Join(cs, ", ")
}

// notifyApprovers tells everyone who may approve one of the draft's
// accounts that it waits for them.
func (s *Service) notifyApprovers(ctx context.Context, tx civic.Tx, d *civic.Draft) error {
	accts, rules, err := s.rules(ctx, d)
	if err != nil {
		return err
	}
	users, err := tx.Users(ctx)
	if err != nil {
		return err
	}
	told := map[int64]bool{}
	for _, u := range users {
		if u.ID == d.AuthorID || u.DisabledAt != nil || told[u.ID] {
			continue
		}
		for i, a := range accts {
			if approves(u, a, rules[i]) {
				told[u.ID] = true
				what := "A draft"
				switch d.Kind {
				case civic.KindCorrection:
					what = "A correction of a post"
				case civic.KindDeletion:
					what = "A request to delete a post"
				}
				if err := tx.Notify(ctx, &civic.Notification{UserID: u.ID, Kind: "draft_review",
					Message: fmt.Sprintf("%s for %s waits for your review.", what, a.Handle), Link: "/drafts/" + strconv.FormatInt(d.ID, 10)}); err != nil {
					return err
				}
				break
			}
		}
	}
	return nil
}

// ReviewInput is a reviewer's decision on a revision.
type ReviewInput struct {
	Revision int                  `json:"revision"` // the revision reviewed: a newer one refuses the decision
	Decision civic.ReviewDecision `json:"decision"`
	Comment  string               `json:"comment"`
	// Override is why the reviewer approves despite findings that block
	// until a reviewer records why (an image without alt text, a video
	// without captions).
	Override string `json:"override"`
}

// Review records a reviewer's decision: approve, request changes (with a
// comment), refuse (with a comment), or confirm a draft approved after its
// scheduled time. No one reviews their own draft; an approval counts only
// for the revision it names; a finding no approval overrides (CVT-5) stops
// the approval.
func (s *Service) Review(ctx context.Context, actor civic.Actor, id int64, in ReviewInput) (*civic.Draft, error) {
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
	if actor.Is(d.AuthorID) {
		return nil, civic.Errorf(civic.KindForbidden, "no one reviews their own draft")
	}
	if !actor.IsUser() {
		return nil, civic.Errorf(civic.KindForbidden, "only a signed-in reviewer reviews drafts")
	}
	may, err := s.approvesAny(ctx, actor.User(), d)
	if err != nil {
		return nil, err
	}
	if !may {
		return nil, civic.Errorf(civic.KindForbidden, "you do not approve posts for this draft's accounts")
	}
	if in.Revision != d.Revision {
		return nil, civic.Invalid("revision", "the draft changed: revision %d is current, you reviewed %d", d.Revision, in.Revision)
	}
	in.Comment, in.Override = strings.TrimSpace(in.Comment), strings.TrimSpace(in.Override)
	res := Screen(d.Current)
	next := d.Status
	switch in.Decision {
	case civic.ReviewApprove:
		if d.Status != civic.DraftInReview {
			return nil, civic.Errorf(civic.KindConflict, "the draft is %s, not in review", d.Status)
		}
		if hasAbsolute(res) {
			return nil, civic.Invalid("decision", "no approval overrides what the screen found (%s)", absoluteCodes(res))
		}
		if needsOverride(res) && in.Override == "" {
			return nil, civic.Invalid("override", "the screen found what blocks until a reviewer records why it may go out (%s): record why, or ask for changes", reviewCodes(res))
		}
	case civic.ReviewChanges, civic.ReviewRefuse:
		if d.Status != civic.DraftInReview && d.Status != civic.DraftConfirm {
			return nil, civic.Errorf(civic.KindConflict, "the draft is %s, not in review", d.Status)
		}
		if in.Comment == "" {
			return nil, civic.Invalid("comment", "say what must change or why it is refused")
		}
		next = civic.DraftChanges
		if in.Decision == civic.ReviewRefuse {
			next = civic.DraftRefused
		}
	case civic.ReviewConfirm:
		if d.Status != civic.DraftConfirm {
			return nil, civic.Errorf(civic.KindConflict, "the draft is %s; only a draft approved after its time is confirmed", d.Status)
		}
		next = civic.DraftApproved
	default:
		return nil, civic.Invalid("decision", "decide approve, changes, refuse or confirm")
	}
	v := &civic.DraftReview{DraftID: id, Revision: d.Revision, ReviewerID: actor.UserID, Decision: in.Decision, Comment: in.Comment, Override: in.Override}
	err = s.store.Update(ctx, actor, func(tx civic.Tx) error {
		if err := tx.AddDraftReview(ctx, v); err != nil {
			return err
		}
		if in.Decision == civic.ReviewApprove {
			reviews, err := tx.DraftReviews(ctx, id)
			if err != nil {
				return err
			}
			ok, _, err := s.satisfied(ctx, d, reviews)
			if err != nil {
				return err
			}
			if ok {
				next = civic.DraftApproved
				if at := d.Current.ScheduledAt; at != nil && !at.After(s.now()) {
					next = civic.DraftConfirm // approved late: never publish late without asking
				}
			}
		}
		if next != d.Status {
			if err := tx.SetDraftStatus(ctx, id, next, "draft."+string(next)); err != nil {
				return err
			}
		}
		return tx.Notify(ctx, &civic.Notification{UserID: d.AuthorID, Kind: "draft_" + string(in.Decision),
			Message: fmt.Sprintf("%s: %s on your draft %d (now %s).", actor.Label, in.Decision, id, next), Link: "/drafts/" + strconv.FormatInt(id, 10)})
	})
	if err != nil {
		return nil, err
	}
	return s.store.Draft(ctx, id)
}

// RuleInput sets an account's review rule.
type RuleInput struct {
	Approver      civic.Approver `json:"approver"`
	Approvals     int            `json:"approvals"`
	RealTimeRoles []civic.Role   `json:"realtime_roles"`
}

// SetRule sets an account's review rule (accounts.manage).
func (s *Service) SetRule(ctx context.Context, actor civic.Actor, accountID int64, in RuleInput) (*civic.PublishRule, error) {
	if err := civic.Require(actor, civic.PermAccountsManage); err != nil {
		return nil, err
	}
	if _, err := s.store.Account(ctx, accountID); err != nil {
		return nil, err
	}
	switch in.Approver {
	case civic.ApproverDirector, civic.ApproverCommunications:
		if in.Approvals < 1 || in.Approvals > 3 {
			return nil, civic.Invalid("approvals", "one to three approvals")
		}
	case civic.ApproverNone:
		in.Approvals = 0
	default:
		return nil, civic.Invalid("approver", "director, communications or none")
	}
	for _, r := range in.RealTimeRoles {
		if !r.Valid() {
			return nil, civic.Invalid("realtime_roles", "%q is not a role", r)
		}
	}
	if in.RealTimeRoles == nil {
		in.RealTimeRoles = []civic.Role{}
	}
	r := &civic.PublishRule{AccountID: accountID, Approver: in.Approver, Approvals: in.Approvals, RealTimeRoles: in.RealTimeRoles}
	if err := s.store.Update(ctx, actor, func(tx civic.Tx) error { return tx.SetPublishRule(ctx, r) }); err != nil {
		return nil, err
	}
	return r, nil
}

// QueueItem is a draft waiting for review, with how long it has waited.
type QueueItem struct {
	Draft   *civic.Draft  `json:"draft"`
	Waited  time.Duration `json:"-"`
	Seconds int64         `json:"waited_seconds"`
}

// Queue lists the drafts in review (or to confirm) that the actor may
// review, longest waiting first.
func (s *Service) Queue(ctx context.Context, actor civic.Actor) ([]QueueItem, error) {
	if err := civic.Require(actor, civic.PermSignedIn); err != nil {
		return nil, err
	}
	var out []QueueItem
	now := s.now()
	for _, st := range []civic.DraftStatus{civic.DraftInReview, civic.DraftConfirm} {
		ds, err := s.store.Drafts(ctx, civic.DraftFilter{Status: st})
		if err != nil {
			return nil, err
		}
		for _, d := range ds {
			if actor.Is(d.AuthorID) || !actor.IsUser() {
				continue
			}
			accts, rules, err := s.rules(ctx, d)
			if err != nil {
				return nil, err
			}
			for i, a := range accts {
				if approves(actor.User(), a, rules[i]) {
					w := now.Sub(d.UpdatedAt)
					out = append(out, QueueItem{Draft: d, Waited: w, Seconds: int64(w / time.Second)})
					break
				}
			}
		}
	}
	slices.SortStableFunc(out, func(a, b QueueItem) int { return cmp.Compare(b.Waited, a.Waited) })
	return out, nil
}

// CalendarEntry is a post on the calendar: published (At is when) or
// scheduled (At is its time).
type CalendarEntry struct {
	DraftID    int64     `json:"draft_id"`
	AccountID  int64     `json:"account_id"`
	Handle     string    `json:"handle"`
	Status     string    `json:"status"` // scheduled, awaiting_review, intent, published, failed, corrected, deleted
	At         time.Time `json:"at"`
	Text       string    `json:"text"`
	Category   string    `json:"category"`
	PlatformID string    `json:"platform_id,omitempty"`
	URL        string    `json:"url,omitempty"`
}

// Calendar lists the scheduled and published posts of one account, or of
// every account when accountID is 0, by time (accounts.view).
func (s *Service) Calendar(ctx context.Context, actor civic.Actor, accountID int64) ([]CalendarEntry, error) {
	if err := civic.Require(actor, civic.PermAccountsView); err != nil {
		return nil, err
	}
	ds, err := s.store.Drafts(ctx, civic.DraftFilter{AccountID: accountID})
	if err != nil {
		return nil, err
	}
	pubs, err := s.store.Publications(ctx, civic.PublicationFilter{AccountID: accountID})
	if err != nil {
		return nil, err
	}
	byDraft := map[int64]*civic.Draft{}
	for _, d := range ds {
		byDraft[d.ID] = d
	}
	var out []CalendarEntry
	done := map[[2]int64]bool{}
	for _, p := range pubs {
		d := byDraft[p.DraftID]
		if d == nil {
			continue
		}
		e := CalendarEntry{DraftID: d.ID, AccountID: p.AccountID, Status: string(p.Status), At: p.CreatedAt, Text: d.Current.Text, Category: d.Current.Category,
			PlatformID: p.PlatformID, URL: p.URL}
		if p.PublishedAt != nil {
			e.At = *p.PublishedAt
		}
		if p.Status == civic.PublicationPublished {
			switch p.Kind {
			case civic.PublishEdit, civic.PublishReply:
				e.Status = "corrected" // the text is the correction's
			case civic.PublishDelete:
				e.Status = "deleted" // the text is the reason
			}
		}
		for _, a := range d.Accounts {
			if a.AccountID == p.AccountID {
				e.Handle = a.Handle
			}
		}
		done[[2]int64{d.ID, p.AccountID}] = true
		out = append(out, e)
	}
	for _, d := range ds {
		at := d.Current.ScheduledAt
		if at == nil || (d.Status != civic.DraftApproved && d.Status != civic.DraftInReview && d.Status != civic.DraftConfirm) {
			continue
		}
		st := "scheduled"
		if d.Status != civic.DraftApproved {
			st = "awaiting_review"
		}
		for _, a := range d.Accounts {
			if (accountID != 0 && a.AccountID != accountID) || done[[2]int64{d.ID, a.AccountID}] {
				continue
			}
			out = append(out, CalendarEntry{DraftID: d.ID, AccountID: a.AccountID, Handle: a.Handle, Status: st, At: *at, Text: d.Current.Text, Category: d.Current.Category})
		}
	}
	slices.SortStableFunc(out, func(a, b CalendarEntry) int { return a.At.Compare(b.At) })
	return out, nil
}

// approvesAny reports whether u approves posts for at least one of d's
// accounts under its review rule.
func (s *Service) approvesAny(ctx context.Context, u *civic.User, d *civic.Draft) (bool, error) {
	accts, rules, err := s.rules(ctx, d)
	if err != nil {
		return false, err
	}
	for i, a := range accts {
		if approves(u, a, rules[i]) {
			return true, nil
		}
	}
	return false, nil
}
