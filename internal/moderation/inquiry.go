package moderation

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/plain"
)

// InquiryInput is what a member of the public writes: which comment (the
// account it was posted to, the screen name it was posted under and,
// optionally, the day), who they are and their question.
type InquiryInput struct {
	Account    string `json:"account"`
	ScreenName string `json:"screen_name"`
	PostedOn   string `json:"posted_on"` // YYYY-MM-DD, optional
	Name       string `json:"name"`
	Contact    string `json:"contact"`
	Question   string `json:"question"`
}

// FileInquiry files a member of the public's written question about a
// comment (MOD-6); no sign-in is needed. client is the poster's address,
// for the rate limit. When exactly one recorded removal (a tracking form
// not yet disposed of) matches the account, screen name and day, the
// inquiry is linked to it; otherwise it is filed unmatched, for
// Communications to find the comment. Either way the public learns only
// that the question was received, its reference number and the day an
// answer is due (InquiryDays after it was received); nothing says whether
// a removal was found. A contact that is an e-mail address gets that
// acknowledgement by e-mail where a mailer is configured.
func (s *Service) FileInquiry(ctx context.Context, client string, in InquiryInput) (*civic.Inquiry, error) {
	in.Account, in.ScreenName, in.PostedOn = strings.TrimSpace(in.Account), strings.TrimSpace(in.ScreenName), strings.TrimSpace(in.PostedOn)
	in.Name, in.Contact, in.Question = strings.TrimSpace(in.Name), strings.TrimSpace(in.Contact), strings.TrimSpace(in.Question)
	var errs []error
	for _, f := range []struct {
		field, v, what string
		max            int
	}{
		{"account", in.Account, "the account", 300}, {"screen_name", in.ScreenName, "the screen name", 256},
		{"name", in.Name, "your name", 200}, {"contact", in.Contact, "how to reach you", 320}, {"question", in.Question, "your question", 5000},
	} {
		// Every mistake at once, each naming its field.
		switch {
		case f.v == "":
			errs = append(errs, civic.Invalid(f.field, "give %s", f.what))
		case len(f.v) > f.max:
			errs = append(errs, civic.Invalid(f.field, "%s is longer than %d characters", f.what, f.max))
		case !utf8.ValidString(f.v):
			errs = append(errs, civic.Invalid(f.field, "%s is not valid text", f.what))
		}
	}
	var day time.Time
	if in.PostedOn != "" {
		d, err := time.Parse(time.DateOnly, in.PostedOn)
		if err != nil {
			errs = append(errs, civic.Invalid("posted_on", "give the date as YYYY-MM-DD, or leave it empty"))
		}
		day = d
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if err := s.throttle(ctx, client); err != nil {
		return nil, err
	}
	forms, err := s.store.TrackingForms(ctx)
	if err != nil {
		return nil, err
	}
	var match []*civic.TrackingForm
	for _, f := range forms {
		if f.DisposedAt == nil && strings.EqualFold(f.Site, in.Account) && sameScreenName(f.Site, f.ScreenName, in.ScreenName) && sameDay(f.PostedAt, day) {
			match = append(match, f)
		}
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	q := &civic.Inquiry{Account: in.Account, ScreenName: in.ScreenName, PostedOn: in.PostedOn, Name: in.Name, Contact: in.Contact, Question: in.Question,
		ReceivedAt: now, DueAt: s.inquiryDue(now)}
	if len(match) == 1 {
		q.FormID = match[0].ID
	}
	if err := s.store.Update(ctx, civic.Public, func(tx civic.Tx) error { return tx.CreateInquiry(ctx, q) }); err != nil {
		return nil, err
	}
	s.acknowledge(ctx, q)
	return q, nil
}

// acknowledge e-mails the reference number and due date to a contact that
// is an e-mail address, where a mailer is configured. A failure is logged,
// not recorded on the inquiry: the resident already saw both on the page.
func (s *Service) acknowledge(ctx context.Context, q *civic.Inquiry) {
	if s.mailer == nil || civic.ValidateEmail(q.Contact) != nil {
		return
	}
	body := fmt.Sprintf("Dear %s,\n\nWe received your question about a comment on a City social media site:\n\n%s\n\nYour reference number is %s.\nCommunications will answer in writing by %s.\n\nCommunications\n",
		q.Name, q.Question, q.Reference, plain.LongDate(q.DueAt, s.loc))
	if err := s.mailer.Send(ctx, q.Contact, "We received your question ("+q.Reference+")", body); err != nil {
		s.log.Warn("e-mail inquiry acknowledgement", "inquiry", q.ID, "err", err)
	}
}

// inquiryDue is when an inquiry received at now is due: the end of the
// city's day inquiryDays days after the city's day it was received.
func (s *Service) inquiryDue(now time.Time) time.Time {
	return plain.EndOfDay(plain.CityDay(now, s.loc).AddDate(0, 0, s.inquiryDays), s.loc)
}

// throttle allows inquiryRate inquiries an hour from one address.
func (s *Service) throttle(ctx context.Context, client string) error {
	if client == "" {
		return nil
	}
	key := "inquiry:" + client
	now := s.now().UTC()
	return s.store.Update(ctx, civic.Public, func(tx civic.Tx) error {
		th, err := tx.Throttle(ctx, key)
		if err != nil {
			return err
		}
		if now.Sub(th.LastFailure) > time.Hour {
			th.Failures, th.LastFailure = 0, now
		}
		if th.Failures >= s.inquiryRate {
			return civic.Errorf(civic.KindTooMany, "too many inquiries from this address; try again in an hour, or write to the city")
		}
		th.Failures++
		th.LockedUntil = th.LastFailure
		return tx.SetThrottle(ctx, th)
	})
}

// sameScreenName reports whether the screen name a member of the public
// gives (given) names the author on a form (form), on the account site
// (the archive's account reference, mastodon:@parks@city.example). Either
// may be written @user, user or @user@server, in any case: an address
// without a server is on the account's own server, so @resident,
// resident and @resident@city.example are the same person on an account of
// city.example, and @resident@elsewhere.example is not. A given name
// without a server also matches a form's author of that name on another
// server (the public may not know the server).
func sameScreenName(site, form, given string) bool {
	f, g := screenName(form), screenName(given)
	if f == "" || g == "" {
		return false
	}
	if f == g {
		return true
	}
	fu, fh, fok := strings.Cut(f, "@")
	gu, gh, gok := strings.Cut(g, "@")
	if fu != gu {
		return false
	}
	home := siteDomain(site)
	switch {
	case !gok:
		return true
	case !fok:
		return home != "" && gh == home
	}
	return fh == gh
}

// screenName is a screen name without spaces, the leading @ and case.
func screenName(s string) string {
	return strings.ToLower(strings.TrimPrefix(strings.TrimSpace(s), "@"))
}

// siteDomain is the server of an account reference (platform:@user@server),
// or "" when its handle names none.
func siteDomain(site string) string {
	if _, h, ok := strings.Cut(site, ":"); ok {
		site = h
	}
	if _, d, ok := strings.Cut(screenName(site), "@"); ok {
		return d
	}
	return ""
}

// sameDay reports whether posted falls within a day of day (time zones
// differ), or day is zero.
func sameDay(posted *time.Time, day time.Time) bool {
	if day.IsZero() {
		return true
	}
	if posted == nil {
		return false
	}
	d := posted.Sub(day)
	return d > -24*time.Hour && d < 48*time.Hour
}

// InquiryView is an inquiry beside the removal it asks about; Form and
// Decision are nil while it is unmatched.
type InquiryView struct {
	*civic.Inquiry
	Form     *civic.TrackingForm
	Decision *civic.ModerationDecision
	Overdue  bool
}

// Inquiries lists inquiries, oldest first; open limits them to unanswered ones.
func (s *Service) Inquiries(ctx context.Context, actor civic.Actor, open bool) ([]*civic.Inquiry, error) {
	if err := civic.Require(actor, civic.PermModerationView); err != nil {
		return nil, err
	}
	return s.store.Inquiries(ctx, open)
}

// Inquiry returns an inquiry with its form and decision, if it is matched.
func (s *Service) Inquiry(ctx context.Context, actor civic.Actor, id int64) (*InquiryView, error) {
	if err := civic.Require(actor, civic.PermModerationView); err != nil {
		return nil, err
	}
	q, err := s.store.Inquiry(ctx, id)
	if err != nil {
		return nil, err
	}
	v := &InquiryView{Inquiry: q, Overdue: q.AnsweredAt == nil && s.now().After(q.DueAt)}
	if q.FormID == 0 {
		return v, nil
	}
	f, err := s.store.TrackingForm(ctx, q.FormID)
	if err != nil {
		return nil, err
	}
	d, err := s.store.Decision(ctx, f.DecisionID)
	if err != nil {
		return nil, err
	}
	v.Form, v.Decision = f, d
	return v, nil
}

// LinkInquiry links an unmatched, unanswered inquiry to the removal it
// asks about, named by its tracking form (kind "form") or its decision
// (kind "decision") and number. A form already disposed of cannot be
// linked.
func (s *Service) LinkInquiry(ctx context.Context, actor civic.Actor, id int64, kind, number string) (*civic.Inquiry, error) {
	if err := civic.Require(actor, civic.PermModerationDecide); err != nil {
		return nil, err
	}
	if err := person(actor); err != nil {
		return nil, err
	}
	n, err := strconv.ParseInt(strings.TrimPrefix(strings.TrimSpace(number), "#"), 10, 64)
	if err != nil || n <= 0 {
		return nil, civic.Invalid("number", "give the number of the tracking form or decision, such as 12")
	}
	if kind != "form" && kind != "decision" {
		return nil, civic.Invalid("kind", "choose a tracking form or a decision")
	}
	var q *civic.Inquiry
	err = s.update(ctx, actor, func(tx civic.Tx) error {
		var err error
		if q, err = tx.Inquiry(ctx, id); err != nil {
			return err
		}
		switch {
		case q.AnsweredAt != nil:
			return civic.Errorf(civic.KindConflict, "inquiry %s was already answered", q.Reference)
		case q.FormID != 0:
			return civic.Errorf(civic.KindConflict, "inquiry %s is already linked to tracking form %d", q.Reference, q.FormID)
		}
		var form *civic.TrackingForm
		if kind == "form" {
			if form, err = tx.TrackingForm(ctx, n); civic.ErrorKind(err) == civic.KindNotFound {
				return civic.Invalid("number", "there is no tracking form %d", n)
			} else if err != nil {
				return err
			}
		} else {
			forms, err := tx.TrackingForms(ctx)
			if err != nil {
				return err
			}
			for _, f := range forms {
				if f.DecisionID == n {
					form = f
				}
			}
			if form == nil {
				return civic.Invalid("number", "decision %d has no tracking form: only hidden or removed comments have one", n)
			}
		}
		if form.DisposedAt != nil {
			return civic.Invalid("number", "tracking form %d was disposed of", form.ID)
		}
		q.FormID = form.ID
		return tx.UpdateInquiry(ctx, q)
	})
	if err != nil {
		return nil, err
	}
	return q, nil
}

// The outcomes of an inquiry: a matched one is upheld or reversed; an
// unmatched one is answered as it is.
const (
	OutcomeUpheld   = "upheld"
	OutcomeReversed = "reversed"
	OutcomeAnswered = "answered"
)

// Answer records Communications' written response to an inquiry and its
// outcome: the removal upheld, or reversed (a hidden comment is shown
// again where the platform allows; a deleted one cannot be restored, and
// stays in the archive). An unmatched inquiry has no removal to uphold or
// reverse: its outcome is "answered" (link it first to do either). The
// response, with the reference number, is e-mailed where a mailer is
// configured and the contact is an e-mail address.
func (s *Service) Answer(ctx context.Context, actor civic.Actor, id int64, response, outcome string) (*civic.Inquiry, error) {
	if err := civic.Require(actor, civic.PermModerationDecide); err != nil {
		return nil, err
	}
	if err := person(actor); err != nil {
		return nil, err
	}
	response = strings.TrimSpace(response)
	switch {
	case response == "":
		return nil, civic.Invalid("response", "write the response")
	case len(response) > 10000:
		return nil, civic.Invalid("response", "the response is longer than 10,000 characters")
	case outcome != OutcomeUpheld && outcome != OutcomeReversed && outcome != OutcomeAnswered:
		return nil, civic.Invalid("outcome", "the outcome is upheld, reversed or answered")
	}
	var q *civic.Inquiry
	var d *civic.ModerationDecision
	err := s.update(ctx, actor, func(tx civic.Tx) error {
		var err error
		if q, err = tx.Inquiry(ctx, id); err != nil {
			return err
		}
		if q.AnsweredAt != nil {
			return civic.Errorf(civic.KindConflict, "inquiry %d was already answered", id)
		}
		switch {
		case q.FormID == 0 && outcome != OutcomeAnswered:
			return civic.Invalid("outcome", "this inquiry is not matched to a removal: link it to one to uphold or reverse it, or answer it as it is")
		case q.FormID != 0 && outcome == OutcomeAnswered:
			return civic.Invalid("outcome", "this inquiry is about a removal: the outcome is upheld or reversed")
		}
		now := tx.Now()
		q.Response, q.Outcome, q.AnsweredAt, q.AnsweredBy = response, outcome, &now, actor.Label
		if err := tx.UpdateInquiry(ctx, q); err != nil {
			return err
		}
		if outcome != OutcomeReversed {
			return nil
		}
		f, err := tx.TrackingForm(ctx, q.FormID)
		if err != nil {
			return err
		}
		if d, err = tx.Decision(ctx, f.DecisionID); err != nil {
			return err
		}
		if d.Status != civic.DecisionFinal {
			return civic.Errorf(civic.KindConflict, "the removal was already reversed")
		}
		d.Status, d.ReversedAt, d.ReversedBy, d.InquiryID = civic.DecisionReversed, &now, actor.Label, q.ID
		return tx.UpdateDecision(ctx, d)
	})
	if err != nil {
		return nil, err
	}
	if d != nil {
		var action civic.PlatformAction
		if d.Action == civic.DecisionHide {
			action = civic.ActionUnhide
		}
		s.carryAction(ctx, actor, d, action)
		if d.Action == civic.DecisionRemove {
			d.CarryError = "a deleted comment cannot be restored on the platform; it stays in the archive"
			s.update(ctx, actor, func(tx civic.Tx) error { return tx.UpdateDecision(ctx, d) })
		}
	}
	s.mail(ctx, actor, q)
	return q, nil
}

// mail e-mails the response and records the outcome on the inquiry.
func (s *Service) mail(ctx context.Context, actor civic.Actor, q *civic.Inquiry) {
	if s.mailer == nil || civic.ValidateEmail(q.Contact) != nil {
		return
	}
	body := fmt.Sprintf("Dear %s,\n\nYou asked about a comment on a City social media site (reference %s, received %s, answer due %s):\n\n%s\n\nOur response:\n\n%s\n\nCommunications\n",
		q.Name, q.Reference, plain.LongDate(q.ReceivedAt, s.loc), plain.LongDate(q.DueAt, s.loc), q.Question, q.Response)
	if err := s.mailer.Send(ctx, q.Contact, "Your question about a comment ("+q.Reference+")", body); err != nil {
		q.EmailError = err.Error()
		s.log.Warn("e-mail inquiry response", "inquiry", q.ID, "err", err)
	} else {
		now := s.now().UTC()
		q.EmailedAt = &now
	}
	if err := s.update(ctx, actor, func(tx civic.Tx) error { return tx.UpdateInquiry(ctx, q) }); err != nil {
		s.log.Error("record inquiry e-mail", "inquiry", q.ID, "err", err)
	}
}
