package moderation

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"steward.city/steward/internal/civic"
)

// ReviewView is a queue entry as a reviewer sees it: the comment with its
// flagged words marked, the post it answers, and every decision on it.
type ReviewView struct {
	*civic.Review
	Segments  []Segment
	Decisions []*civic.ModerationDecision
}

// Segment is a run of the comment's text; Code is set when the screener
// flagged it.
type Segment struct {
	Text string
	Code string
	Rule string
}

// Segments splits text at the evidence spans, which are byte offsets;
// spans outside the text or overlapping an earlier one are left out.
func Segments(text string, ev []civic.Evidence) []Segment {
	ev = slices.Clone(ev)
	slices.SortFunc(ev, func(a, b civic.Evidence) int { return a.Start - b.Start })
	var out []Segment
	at := 0
	for _, e := range ev {
		if e.Start < at || e.End <= e.Start || e.End > len(text) {
			continue
		}
		if e.Start > at {
			out = append(out, Segment{Text: text[at:e.Start]})
		}
		out = append(out, Segment{Text: text[e.Start:e.End], Code: e.Code, Rule: e.Rule})
		at = e.End
	}
	if at < len(text) {
		out = append(out, Segment{Text: text[at:]})
	}
	return out
}

// Queue lists the entries waiting for a decision, oldest first, or every
// entry when all is set.
func (s *Service) Queue(ctx context.Context, actor civic.Actor, all bool) ([]*civic.Review, error) {
	if err := civic.Require(actor, civic.PermModerationView); err != nil {
		return nil, err
	}
	return s.store.Reviews(ctx, !all)
}

// Review returns one entry with its decisions and the post it answers.
func (s *Service) Review(ctx context.Context, actor civic.Actor, id int64) (*ReviewView, error) {
	if err := civic.Require(actor, civic.PermModerationView); err != nil {
		return nil, err
	}
	r, err := s.store.Review(ctx, id)
	if err != nil {
		return nil, err
	}
	ds, err := s.store.Decisions(ctx, id)
	if err != nil {
		return nil, err
	}
	r.PostText = s.postText(ctx, r.ItemID)
	return &ReviewView{Review: r, Segments: Segments(r.Text, r.Evidence), Decisions: ds}, nil
}

// Decision returns one decision.
func (s *Service) Decision(ctx context.Context, actor civic.Actor, id int64) (*civic.ModerationDecision, error) {
	if err := civic.Require(actor, civic.PermModerationView); err != nil {
		return nil, err
	}
	return s.store.Decision(ctx, id)
}

// DecideInput is a reviewer's decision on a queue entry.
type DecideInput struct {
	Action civic.DecisionAction `json:"action"`
	Code   string               `json:"code"`
	Note   string               `json:"note"`
}

// Decide records a reviewer's keep, hide or remove of a queued comment,
// with its reason code. A hide or removal for a code that needs a second
// reviewer, or of a comment naming an elected official, waits for one;
// anything else is in force at once, carried out on the platform where
// the platform allows it, and a hide or removal fills the tracking form.
func (s *Service) Decide(ctx context.Context, actor civic.Actor, reviewID int64, in DecideInput) (*civic.ModerationDecision, error) {
	if err := civic.Require(actor, civic.PermModerationDecide); err != nil {
		return nil, err
	}
	if err := person(actor); err != nil {
		return nil, err
	}
	if !slices.Contains(civic.DecisionActions, in.Action) {
		return nil, civic.Invalid("action", "the decision is keep, hide or remove; Steward never edits a comment or blocks anyone")
	}
	code, err := s.code(ctx, in.Code)
	if err != nil {
		return nil, err
	}
	in.Note = strings.TrimSpace(in.Note)
	if len(in.Note) > 4000 {
		return nil, civic.Invalid("note", "the note is longer than 4,000 characters")
	}
	r, err := s.store.Review(ctx, reviewID)
	if err != nil {
		return nil, err
	}
	d := &civic.ModerationDecision{ReviewID: r.ID, ItemID: r.ItemID, Account: r.Account, Action: in.Action, Code: code.Code, Note: in.Note,
		DecidedByID: actor.UserID, Status: civic.DecisionFinal}
	if d.Removes() {
		if d.NamesOfficial, err = s.namesOfficial(ctx, r.Text); err != nil {
			return nil, err
		}
		offSecond, err := s.OfficialsNeedSecond(ctx)
		if err != nil {
			return nil, err
		}
		d.NeedsSecond = code.SecondReview || (d.NamesOfficial != "" && offSecond)
	}
	if d.NeedsSecond {
		d.Status = civic.DecisionPending
	}
	err = s.update(ctx, actor, func(tx civic.Tx) error {
		r, err := tx.Review(ctx, reviewID)
		if err != nil {
			return err
		}
		if err := decidable(r); err != nil {
			return err
		}
		now := tx.Now()
		if r.ReviewedAt == nil {
			r.ReviewedAt = &now
		}
		r.Status = civic.ReviewDecided
		if d.NeedsSecond {
			r.Status = civic.ReviewPending
		} else {
			d.FinalAt = &now
		}
		if err := tx.CreateDecision(ctx, d); err != nil {
			return err
		}
		if err := tx.UpdateReview(ctx, r); err != nil {
			return err
		}
		if d.NeedsSecond {
			if err := stuckSecond(ctx, tx, d); err != nil {
				return err
			}
		}
		if d.Status == civic.DecisionFinal && d.Removes() {
			return s.fillForm(ctx, tx, r, d, code)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if d.Status == civic.DecisionFinal {
		s.carry(ctx, actor, d, r.Held)
	}
	return d, nil
}

func decidable(r *civic.Review) error {
	switch r.Status {
	case civic.ReviewOpen:
		return nil
	case civic.ReviewPending:
		return civic.Errorf(civic.KindConflict, "this comment's decision is waiting for a second reviewer")
	case civic.ReviewClosed:
		return civic.Errorf(civic.KindConflict, "this entry is closed (%s); there is nothing to decide", r.CloseReason)
	}
	return civic.Errorf(civic.KindConflict, "this comment was already decided")
}

// Second records a second reviewer's agreement with a pending hide or
// removal, which then is in force, or disagreement, which sends the
// comment back to the queue. The second reviewer must be someone else.
//
// Second reviews are given by Communications; when no Communications user
// other than the first reviewer is enabled, by the fallback second
// reviewer configured at /settings/approvals (civic.SecondReviewers).
func (s *Service) Second(ctx context.Context, actor civic.Actor, decisionID int64, agree bool, note string) (*civic.ModerationDecision, error) {
	if err := civic.Require(actor, civic.PermModerationView); err != nil {
		return nil, err
	}
	if err := person(actor); err != nil {
		return nil, err
	}
	note = strings.TrimSpace(note)
	if len(note) > 4000 {
		return nil, civic.Invalid("second_note", "the note is longer than 4,000 characters")
	}
	var d *civic.ModerationDecision
	var r *civic.Review
	err := s.update(ctx, actor, func(tx civic.Tx) error {
		var err error
		if d, err = tx.Decision(ctx, decisionID); err != nil {
			return err
		}
		if d.Status != civic.DecisionPending {
			return civic.Errorf(civic.KindConflict, "decision %d is not waiting for a second reviewer", d.ID)
		}
		us, err := tx.Users(ctx)
		if err != nil {
			return err
		}
		sis, err := tx.StandIns(ctx)
		if err != nil {
			return err
		}
		who, fallback := civic.SecondReviewers(d.DecidedByID, us, sis)
		if actor.Is(d.DecidedByID) {
			return civic.Errorf(civic.KindConflict, "You decided this %s, so someone else must give the second review. %s", d.Action, SecondTurn(who, fallback))
		}
		if !slices.ContainsFunc(who, func(u *civic.User) bool { return actor.Is(u.ID) }) {
			return civic.Errorf(civic.KindForbidden, "Second reviews are given by another Communications user, or by the fallback second reviewer only when there is none. %s", SecondTurn(who, fallback))
		}
		if r, err = tx.Review(ctx, d.ReviewID); err != nil {
			return err
		}
		now := tx.Now()
		d.SecondByID, d.SecondBy, d.SecondAt, d.SecondNote = actor.UserID, actor.Label, &now, note
		if !agree {
			d.Status, r.Status = civic.DecisionDeclined, civic.ReviewOpen
			if err := tx.UpdateDecision(ctx, d); err != nil {
				return err
			}
			return tx.UpdateReview(ctx, r)
		}
		d.Status, d.FinalAt, r.Status = civic.DecisionFinal, &now, civic.ReviewDecided
		if err := tx.UpdateDecision(ctx, d); err != nil {
			return err
		}
		if err := tx.UpdateReview(ctx, r); err != nil {
			return err
		}
		code, err := s.code(ctx, d.Code)
		if err != nil {
			return err
		}
		return s.fillForm(ctx, tx, r, d, code)
	})
	if err != nil {
		return nil, err
	}
	if d.Status == civic.DecisionFinal {
		s.carry(ctx, actor, d, r.Held)
	}
	return d, nil
}

// The outcomes of carrying a decision out, as the decision records them.
const (
	CarryNoConnection = "not carried out: no platform connection yet"
	CarryUnsupported  = "not carried out: the platform does not allow this"
	CarryNothing      = "nothing to do on the platform"
	CarryDone         = "carried out on the platform"
	CarryFailed       = "not carried out: the platform call failed"
)

// carry carries a decision in force out on the platform and records the
// outcome on the decision. A failure is recorded, never returned: the
// decision stands either way.
func (s *Service) carry(ctx context.Context, actor civic.Actor, d *civic.ModerationDecision, held bool) {
	var action civic.PlatformAction
	switch d.Action {
	case civic.DecisionHide:
		action = civic.ActionHide
	case civic.DecisionRemove:
		action = civic.ActionDelete
	case civic.DecisionKeep:
		if held {
			action = civic.ActionApprove
		}
	}
	s.carryAction(ctx, actor, d, action)
}

func (s *Service) carryAction(ctx context.Context, actor civic.Actor, d *civic.ModerationDecision, action civic.PlatformAction) {
	switch {
	case action == "":
		d.CarryStatus = CarryNothing
	case s.carrier == nil:
		d.CarryStatus = CarryNoConnection
	default:
		err := s.carrier.Carry(ctx, d.ItemID, action)
		switch {
		case err == nil:
			now := s.now().UTC()
			d.CarryStatus, d.CarriedOutAt, d.CarryError = CarryDone, &now, ""
		case errors.Is(err, civic.ErrUnsupported):
			d.CarryStatus, d.CarryError = CarryUnsupported, err.Error()
		case civic.ErrorKind(err) == civic.KindUnavailable:
			d.CarryStatus, d.CarryError = CarryNoConnection, civic.ErrorMessage(err)
		default:
			d.CarryStatus, d.CarryError = CarryFailed, err.Error()
			s.log.Warn("carry out moderation decision", "decision", d.ID, "action", action, "err", err)
		}
	}
	if err := s.update(ctx, actor, func(tx civic.Tx) error { return tx.UpdateDecision(ctx, d) }); err != nil {
		s.log.Error("record outcome of moderation decision", "decision", d.ID, "err", err)
	}
}

// namesOfficial returns the name of an elected official the text names,
// by full name or surname, or "".
func (s *Service) namesOfficial(ctx context.Context, text string) (string, error) {
	ps, err := s.store.People(ctx, civic.PersonFilter{Kind: civic.KindElectedOfficial})
	if err != nil {
		return "", err
	}
	for _, p := range ps {
		words := strings.Fields(p.Name)
		names := []string{p.Name}
		if len(words) > 1 && len([]rune(words[len(words)-1])) >= 3 {
			names = append(names, words[len(words)-1])
		}
		for _, n := range names {
			if regexp.MustCompile(`(?i)\b` + regexp.QuoteMeta(n) + `\b`).MatchString(text) {
				return p.Name, nil
			}
		}
	}
	return "", nil
}

// describe is the decision in words, for the tracking form.
func describe(d *civic.ModerationDecision) string {
	s := fmt.Sprintf("Decision %d: %s.", d.ID, d.Action)
	if d.Note != "" {
		s += " Note: " + sentence(d.Note)
	}
	if d.NamesOfficial != "" {
		s += " The comment names " + d.NamesOfficial + "."
	}
	if d.SecondBy != "" {
		s += " Second review by " + d.SecondBy + "."
		if d.SecondNote != "" {
			s += " Second reviewer's note: " + sentence(d.SecondNote)
		}
	}
	return s
}

// sentence ends a reviewer's note with a full stop unless it ends a
// sentence already, so that the notes on a form read as sentences.
func sentence(note string) string {
	note = strings.TrimSpace(note)
	if note == "" || strings.ContainsAny(note[len(note)-1:], ".!?") {
		return note
	}
	return note + "."
}

// SecondTurn says who may give a second review, or that nobody can and who
// can fix it.
func SecondTurn(who []*civic.User, fallback bool) string {
	switch {
	case len(who) == 0:
		return "Nobody can give it now: there is no other Communications user and no fallback second reviewer; an administrator or Communications can set one at /settings/approvals."
	case fallback:
		return "There is no other Communications user, so the fallback second reviewer gives it: " + strings.Join(civic.Emails(who), ", ") + "."
	}
	return "It waits for another Communications user: " + strings.Join(civic.Emails(who), ", ") + "."
}

// stuckSecond tells administrators and Communications when nobody can give
// the second review d waits for, so that they name a fallback reviewer.
func stuckSecond(ctx context.Context, tx civic.Tx, d *civic.ModerationDecision) error {
	us, err := tx.Users(ctx)
	if err != nil {
		return err
	}
	sis, err := tx.StandIns(ctx)
	if err != nil {
		return err
	}
	if who, _ := civic.SecondReviewers(d.DecidedByID, us, sis); len(who) > 0 {
		return nil
	}
	for _, u := range us {
		if u.DisabledAt != nil || !(u.Has(civic.RoleAdmin) || u.Has(civic.RoleCommunications)) {
			continue
		}
		n := &civic.Notification{UserID: u.ID, Kind: "second_review_stuck",
			Message: fmt.Sprintf("A %s on %s waits for a second review that nobody can give: there is no other Communications user and no fallback second reviewer. Set one at /settings/approvals.", d.Action, d.Account),
			Link:    "/settings/approvals"}
		if err := tx.Notify(ctx, n); err != nil {
			return err
		}
	}
	return nil
}

// SecondReviewers is who may give the second review of a decision made by
// decidedBy (civic.SecondReviewers over the users and the configured
// fallback), with the sentence a page shows.
func (s *Service) SecondReviewers(ctx context.Context, decidedBy int64) ([]*civic.User, string, error) {
	us, err := s.store.Users(ctx)
	if err != nil {
		return nil, "", err
	}
	sis, err := s.store.StandIns(ctx)
	if err != nil {
		return nil, "", err
	}
	who, fallback := civic.SecondReviewers(decidedBy, us, sis)
	return who, SecondTurn(who, fallback), nil
}
