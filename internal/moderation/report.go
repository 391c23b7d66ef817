package moderation

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"steward.city/steward/internal/civic"
)

// The recipients of a staff report.
const (
	ToSupervisor     = "supervisor"
	ToCommunications = "communications"
)

// ReportInput is a staff member's report of inappropriate content: the
// archived item, or a link to where it was seen, and a note.
type ReportInput struct {
	ItemID int64  `json:"item_id"`
	Link   string `json:"link"`
	Note   string `json:"note"`
	To     string `json:"to"`
}

// Report files a staff report with the reporter's supervisor (the
// director of their department) or with Communications (MOD-7), notifies
// them in Steward, and puts a reported archived comment in the queue.
func (s *Service) Report(ctx context.Context, actor civic.Actor, in ReportInput) (*civic.StaffReport, error) {
	me := actor.User()
	if me == nil {
		return nil, civic.Errorf(civic.KindForbidden, "sign in to report content")
	}
	in.Link, in.Note = strings.TrimSpace(in.Link), strings.TrimSpace(in.Note)
	switch {
	case in.To != ToSupervisor && in.To != ToCommunications:
		return nil, civic.Invalid("to", "report to your supervisor or to Communications")
	case in.ItemID < 0:
		return nil, civic.Invalid("item_id", "the item number is not valid")
	case in.ItemID == 0 && in.Link == "":
		return nil, civic.Invalid("link", "give the link to the content, or report it from the archived item")
	case len(in.Link) > 2000:
		return nil, civic.Invalid("link", "the link is longer than 2,000 characters")
	case in.Note == "":
		return nil, civic.Invalid("note", "say what is inappropriate about it")
	case len(in.Note) > 4000:
		return nil, civic.Invalid("note", "the note is longer than 4,000 characters")
	}
	if in.Link != "" {
		if u, err := url.Parse(in.Link); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, civic.Invalid("link", "give the link as https://…")
		}
	}
	users, err := s.store.Users(ctx)
	if err != nil {
		return nil, err
	}
	var to []*civic.User
	for _, u := range users {
		if u.DisabledAt != nil || u.ID == me.ID {
			continue
		}
		for _, g := range u.Grants {
			if (in.To == ToSupervisor && g.Role == civic.RoleDirector && g.DepartmentID == me.DepartmentID) ||
				(in.To == ToCommunications && g.Role == civic.RoleCommunications) {
				to = append(to, u)
				break
			}
		}
	}
	if len(to) == 0 {
		if in.To == ToSupervisor {
			return nil, civic.Invalid("to", "your department has no director in Steward; report to Communications")
		}
		return nil, civic.Invalid("to", "no one holds the Communications role in Steward")
	}
	rp := &civic.StaffReport{ItemID: in.ItemID, Link: in.Link, Note: in.Note, To: in.To, DepartmentID: me.DepartmentID, ReporterID: me.ID}
	err = s.update(ctx, actor, func(tx civic.Tx) error {
		if in.ItemID != 0 {
			id, err := s.queueReported(ctx, tx, in.ItemID)
			if err != nil {
				return err
			}
			rp.ReviewID = id
		}
		if err := tx.CreateStaffReport(ctx, rp); err != nil {
			return err
		}
		for _, u := range to {
			n := &civic.Notification{UserID: u.ID, Kind: "moderation_report", Link: "/moderation/reports",
				Message: fmt.Sprintf("%s reported content to you: %s", me.Email, short(in.Note))}
			if err := tx.Notify(ctx, n); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return rp, nil
}

// queueReported puts the latest version of a reported comment in the
// queue unless it is there already, and returns the entry.
func (s *Service) queueReported(ctx context.Context, tx civic.Tx, itemID int64) (int64, error) {
	it, err := tx.ArchiveItem(ctx, itemID)
	if civic.ErrorKind(err) == civic.KindNotFound {
		return 0, civic.Invalid("item_id", "there is no archived item %d", itemID)
	} else if err != nil {
		return 0, err
	}
	if it.Kind != civic.ItemComment && it.Kind != civic.ItemReply {
		return 0, nil // a post or message: the report goes to people, not the queue
	}
	open, err := tx.OpenReviewsOfItem(ctx, itemID)
	if err != nil || len(open) > 0 {
		if len(open) > 0 {
			return open[0].ID, nil
		}
		return 0, err
	}
	vs, err := tx.ArchiveVersions(ctx, itemID)
	if err != nil || len(vs) == 0 {
		return 0, err
	}
	v := vs[len(vs)-1]
	if v.State == civic.StateDeleted {
		return 0, nil
	}
	r := &civic.Review{ItemID: v.ItemID, VersionID: v.ID, AccountID: v.AccountID, Held: v.State == civic.StateHeld, Source: "report", PostedAt: v.PlatformTime, CapturedAt: v.CapturedAt}
	if err := tx.QueueReview(ctx, r); err != nil {
		return 0, err
	}
	return r.ID, nil
}

func short(s string) string {
	if r := []rune(s); len(r) > 120 {
		return string(r[:120]) + "…"
	}
	return s
}

// Reports lists the staff reports actor may see: every report for those
// who read moderation, otherwise their own and those sent to them.
func (s *Service) Reports(ctx context.Context, actor civic.Actor) ([]*civic.StaffReport, error) {
	all, err := s.store.StaffReports(ctx)
	if err != nil {
		return nil, err
	}
	if actor.Can(civic.PermModerationView) {
		return all, nil
	}
	var out []*civic.StaffReport
	for _, r := range all {
		if actor.Is(r.ReporterID) || sentTo(actor.User(), r) {
			out = append(out, r)
		}
	}
	return out, nil
}

func sentTo(u *civic.User, r *civic.StaffReport) bool {
	if u == nil {
		return false
	}
	for _, g := range u.Grants {
		if (r.To == ToSupervisor && g.Role == civic.RoleDirector && g.DepartmentID == r.DepartmentID) ||
			(r.To == ToCommunications && g.Role == civic.RoleCommunications) {
			return true
		}
	}
	return false
}

// CloseReport marks a report dealt with; its recipients and Communications may.
func (s *Service) CloseReport(ctx context.Context, actor civic.Actor, id int64) (*civic.StaffReport, error) {
	var rp *civic.StaffReport
	err := s.update(ctx, actor, func(tx civic.Tx) error {
		var err error
		if rp, err = tx.StaffReport(ctx, id); err != nil {
			return err
		}
		if !actor.Can(civic.PermModerationDecide) && !sentTo(actor.User(), rp) {
			return civic.Errorf(civic.KindForbidden, "only the report's recipients and Communications close it")
		}
		if rp.Status == "closed" {
			return civic.Errorf(civic.KindConflict, "report %d is already closed", id)
		}
		now := tx.Now()
		rp.Status, rp.ClosedAt = "closed", &now
		rp.ClosedBy = actor.Label
		return tx.UpdateStaffReport(ctx, rp)
	})
	return rp, err
}
