package moderation

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/pdf"
)

// fillForm fills the Removed Comments Tracking Form for a hide or removal
// now in force.
func (s *Service) fillForm(ctx context.Context, tx civic.Tx, r *civic.Review, d *civic.ModerationDecision, code civic.ReasonCode) error {
	return tx.CreateTrackingForm(ctx, FormFor(r, d, code, tx.Now()))
}

// FormFor fills the tracking form of a hide or removal in force at now.
// The form is delivered to the coordinator's list in Steward as it is
// filled, so the date received is the date filled.
func FormFor(r *civic.Review, d *civic.ModerationDecision, code civic.ReasonCode, now time.Time) *civic.TrackingForm {
	removedBy := d.DecidedBy
	if d.SecondBy != "" {
		removedBy += ", with " + d.SecondBy + " (second reviewer)"
	}
	screen := r.Author.Handle
	if screen == "" {
		screen = r.Author.Name
	}
	other := describe(d)
	if r.Author.Name != "" && r.Author.Name != screen {
		other += " Display name: " + r.Author.Name + "."
	}
	other += fmt.Sprintf(" Archive item %d, version %d; the comment stays in the archive.", r.ItemID, r.VersionID)
	f := &civic.TrackingForm{DecisionID: d.ID, ItemID: r.ItemID, Site: r.Account, PostedAt: r.PostedAt, ScreenName: screen, Comment: r.Text,
		Reason: code.Label + " (" + code.Code + "): " + code.Clause, RemovedAt: now, RemovedBy: removedBy, Other: other, ReceivedAt: now, Code: code.Code}
	f.ContentHash = FormHash(f)
	return f
}

// FormHash is the SHA-256 of a form's fields, each written with its
// length; it is kept when the form is disposed of.
func FormHash(f *civic.TrackingForm) string {
	h := sha256.New()
	field := func(s string) { fmt.Fprintf(h, "%d:%s\n", len(s), s) }
	tm := func(t time.Time) string { return t.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano) }
	field("steward-tracking-form-v1")
	field(f.Site)
	if f.PostedAt != nil {
		field(tm(*f.PostedAt))
	} else {
		field("")
	}
	field(f.ScreenName)
	field(f.Comment)
	field(f.Reason)
	field(tm(f.RemovedAt))
	field(f.RemovedBy)
	field(f.Other)
	field(tm(f.ReceivedAt))
	return hex.EncodeToString(h.Sum(nil))
}

// Forms lists the tracking forms, newest first.
func (s *Service) Forms(ctx context.Context, actor civic.Actor) ([]*civic.TrackingForm, error) {
	if err := civic.Require(actor, civic.PermModerationView); err != nil {
		return nil, err
	}
	return s.store.TrackingForms(ctx)
}

// Form returns one tracking form and its decision.
func (s *Service) Form(ctx context.Context, actor civic.Actor, id int64) (*civic.TrackingForm, *civic.ModerationDecision, error) {
	if err := civic.Require(actor, civic.PermModerationView); err != nil {
		return nil, nil, err
	}
	f, err := s.store.TrackingForm(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	d, err := s.store.Decision(ctx, f.DecisionID)
	return f, d, err
}

// FormFields are the form's numbered fields as the policy's form has them.
func FormFields(f *civic.TrackingForm) [][2]string {
	posted := "unknown"
	if f.PostedAt != nil {
		posted = f.PostedAt.UTC().Format(time.DateOnly)
	}
	return [][2]string{
		{"1. Social media site affected", f.Site},
		{"2. Date of original post", posted},
		{"3. Screen name of poster", f.ScreenName},
		{"4. Entire comment that was removed", f.Comment},
		{"5. Reason for removal of comment", f.Reason},
		{"6. Date comment removed", f.RemovedAt.UTC().Format(time.DateOnly)},
		{"7. Comment removed from the site by", f.RemovedBy},
		{"8. Other pertinent information", f.Other},
		{"Date this report was received by the Communications Coordinator", f.ReceivedAt.UTC().Format(time.DateOnly)},
	}
}

// OnPlatform says what happened on the platform to the comment a decision
// hid or removed, in the words the form uses: "removed from the platform
// on DATE" (or "hidden on the platform on DATE") only when the platform
// carried it out; otherwise "recorded in Steward; not carried out on the
// platform: REASON". A decision reversed after an inquiry says so, and
// what reversing it did on the platform. Dates are UTC.
func OnPlatform(d *civic.ModerationDecision) string {
	if d == nil {
		return "recorded in Steward; what happened on the platform is not known: the decision could not be read"
	}
	reason := func() string {
		r := strings.TrimPrefix(d.CarryStatus, "not carried out: ")
		if d.CarryError != "" {
			r += " (" + d.CarryError + ")"
		}
		return r
	}
	if d.Status == civic.DecisionReversed {
		out := "reversed in Steward"
		if d.ReversedAt != nil {
			out += " on " + d.ReversedAt.UTC().Format(time.DateOnly)
		}
		if d.CarryStatus == "" {
			return out
		}
		return out + "; on the platform: " + reason()
	}
	switch {
	case d.CarryStatus == CarryDone && d.CarriedOutAt != nil:
		verb := "removed from the platform"
		if d.Action == civic.DecisionHide {
			verb = "hidden on the platform"
		}
		return verb + " on " + d.CarriedOutAt.UTC().Format(time.DateOnly)
	case d.CarryStatus == "":
		return "recorded in Steward; not carried out on the platform: not yet attempted"
	}
	return "recorded in Steward; not carried out on the platform: " + reason()
}

// WriteFormPDF writes the form as a PDF, for printing and filing. The
// comment prints in whatever language and script it was written in.
func WriteFormPDF(w io.Writer, f *civic.TrackingForm, d *civic.ModerationDecision) error {
	title := "Removed Comments Tracking Form " + strconv.FormatInt(f.ID, 10)
	p := pdf.New(w, pdf.Meta{Title: title, Author: f.RemovedBy, Subject: "Removed comment on " + f.Site, Lang: "en", Created: f.CreatedAt})
	p.Heading(title)
	p.Paragraph("All comments removed from a City sponsored social media site are documented with this form.")
	for _, kv := range FormFields(f) {
		p.Field(kv[0]+":", kv[1])
	}
	p.Field("On the platform:", OnPlatform(d))
	p.Line("Content hash (SHA-256): " + f.ContentHash)
	if f.DisposedAt != nil {
		p.Line(fmt.Sprintf("Disposed of %s under disposition record %d.", f.DisposedAt.UTC().Format(time.DateOnly), f.DisposalID))
	} else {
		p.Line("This form will be retained by the City for a period of 1 year.")
	}
	return p.Close()
}

// ProposeFormDisposal lists the forms filled more than a year before asOf
// (now when zero) that are not yet disposed of and about which no inquiry
// is unanswered, as a disposition record awaiting the clerk's approval.
func (s *Service) ProposeFormDisposal(ctx context.Context, actor civic.Actor, asOf time.Time) (*civic.FormDisposal, error) {
	if err := civic.Require(actor, civic.PermArchiveDispose); err != nil {
		return nil, err
	}
	if asOf.IsZero() || asOf.After(s.now()) {
		asOf = s.now()
	}
	d := &civic.FormDisposal{AsOf: asOf.UTC()}
	err := s.update(ctx, actor, func(tx civic.Tx) error {
		forms, err := tx.TrackingForms(ctx)
		if err != nil {
			return err
		}
		open, err := tx.Inquiries(ctx, true)
		if err != nil {
			return err
		}
		asked := map[int64]bool{}
		for _, q := range open {
			asked[q.FormID] = true
		}
		pending := map[int64]bool{}
		ds, err := tx.FormDisposals(ctx)
		if err != nil {
			return err
		}
		for _, p := range ds {
			if p.Status == "proposed" {
				for _, id := range p.FormIDs {
					pending[id] = true
				}
			}
		}
		cut := asOf.AddDate(-s.formYears, 0, 0)
		for i := len(forms) - 1; i >= 0; i-- {
			f := forms[i]
			if f.DisposedAt == nil && !f.CreatedAt.After(cut) && !asked[f.ID] && !pending[f.ID] {
				d.FormIDs = append(d.FormIDs, f.ID)
			}
		}
		if len(d.FormIDs) == 0 {
			return civic.Errorf(civic.KindConflict, "no tracking form is older than a year and not yet disposed of")
		}
		return tx.CreateFormDisposal(ctx, d)
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// ApproveFormDisposal approves a proposed disposition record and disposes
// of its forms: each form's content is replaced by a tombstone, keeping
// its hash. The comments stay in the archive, under its own retention.
func (s *Service) ApproveFormDisposal(ctx context.Context, actor civic.Actor, id int64) (int, error) {
	if err := civic.Require(actor, civic.PermArchiveDispose); err != nil {
		return 0, err
	}
	var n int
	err := s.update(ctx, actor, func(tx civic.Tx) error {
		var err error
		n, err = tx.ExecuteFormDisposal(ctx, id)
		return err
	})
	return n, err
}

// FormDisposals lists the disposition records of tracking forms.
func (s *Service) FormDisposals(ctx context.Context, actor civic.Actor) ([]*civic.FormDisposal, error) {
	if err := civic.Require(actor, civic.PermModerationView); err != nil {
		return nil, err
	}
	return s.store.FormDisposals(ctx)
}

// FormDisposal returns one.
func (s *Service) FormDisposal(ctx context.Context, actor civic.Actor, id int64) (*civic.FormDisposal, error) {
	if err := civic.Require(actor, civic.PermModerationView); err != nil {
		return nil, err
	}
	return s.store.FormDisposal(ctx, id)
}
