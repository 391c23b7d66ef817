package registry

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"steward.city/steward/internal/civic"
)

// SetCovertApprover names the department whose directors approve covert
// access (the city's "Police Administration"); empty restores
// civic.DefaultCovertApprover. cli sets it from --covert-approver.
func (s *Service) SetCovertApprover(slug string) {
	s.approver = strings.TrimSpace(slug)
}

// CovertApprover returns the slug of the approving department.
func (s *Service) CovertApprover() string {
	if s.approver == "" {
		return civic.DefaultCovertApprover
	}
	return s.approver
}

// isApprover reports whether u may approve covert access: an enabled
// director of the approving department who manages no users.
func (s *Service) isApprover(ctx context.Context, r civic.Reader, u *civic.User) (bool, error) {
	if u == nil || u.DisabledAt != nil || civic.ManagesUsers(u.Grants) {
		return false, nil
	}
	d, err := r.DepartmentBySlug(ctx, s.CovertApprover())
	if civic.ErrorKind(err) == civic.KindNotFound {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return isDirectorOf(u, d.ID), nil
}

// CovertAccessView is the covert access page: who holds covert access and
// what waits, for commanders and approvers; the covert audit log of grants
// and refused attempts, for commanders.
type CovertAccessView struct {
	Grants     []*civic.CovertAccess
	Events     []*civic.AuditEvent
	Candidates []*civic.User // users a commander may propose: enabled, managing no users
	Commander  bool
	Approver   bool
	// Department is the approving department; nil when the city has no
	// department with the configured slug (then nobody can approve).
	Department *civic.Department
	Slug       string
}

// CovertAccess returns the covert access page for actor. For anyone who
// is neither a SIC commander nor the covert approver it is empty, as the
// covert registry is.
func (s *Service) CovertAccess(ctx context.Context, actor civic.Actor) (*CovertAccessView, error) {
	approver, err := s.isApprover(ctx, s.store, actor.User())
	if err != nil {
		return nil, err
	}
	v := &CovertAccessView{Commander: actor.Can(civic.PermCovertManage) && actor.Has(civic.RoleSICCommander), Approver: approver, Slug: s.CovertApprover()}
	if d, err := s.store.DepartmentBySlug(ctx, v.Slug); err == nil {
		v.Department = d
	}
	if !v.Commander && !v.Approver {
		return v, nil
	}
	if v.Grants, err = s.store.CovertAccesses(ctx, civic.CovertAccessFilter{}); err != nil {
		return nil, err
	}
	if !v.Commander {
		return v, nil
	}
	if v.Events, err = s.store.AuditEvents(ctx, civic.AuditFilter{ObjectType: civic.CovertAccessObject, Limit: 200}); err != nil {
		return nil, err
	}
	v.Candidates, err = usersWhere(ctx, s.store, func(u *civic.User) bool { return u.ID != actor.UserID && !civic.ManagesUsers(u.Grants) })
	return v, err
}

// refuse records a refused attempt by actor in the covert audit log and
// returns it.
func (s *Service) refuse(ctx context.Context, actor civic.Actor, attempt string, userID int64, format string, args ...any) error {
	return s.update(ctx, actor, func(civic.Tx) error { return civic.RefuseCovert(attempt, userID, format, args...) })
}

// ProposeCovertAccess records a SIC commander's proposal to give a user
// covert access, and notifies the covert approvers.
func (s *Service) ProposeCovertAccess(ctx context.Context, actor civic.Actor, a *civic.CovertAccess) error {
	if !actor.IsUser() || !actor.Can(civic.PermCovertManage) {
		return s.refuse(ctx, actor, "propose_without_commander", a.UserID, "only a SIC commander proposes covert access")
	}
	err := s.update(ctx, actor, func(tx civic.Tx) error {
		if err := tx.ProposeCovertAccess(ctx, a); err != nil {
			return err
		}
		approvers, err := s.approvers(ctx, tx, actor.UserID, a.UserID)
		if err != nil {
			return err
		}
		return s.notify(ctx, tx, approvers, "covert_access_waiting",
			fmt.Sprintf("%s proposes %s access for %s; it waits for your approval.", actor.Label, a.Kind.Label(), a.User), "/covert/access#access-"+id(a.ID))
	})
	return err
}

// approvers returns the enabled covert approvers, leaving out the people
// named in except.
func (s *Service) approvers(ctx context.Context, r civic.Reader, except ...int64) ([]*civic.User, error) {
	us, err := usersWhere(ctx, r, func(u *civic.User) bool {
		for _, e := range except {
			if u.ID == e {
				return false
			}
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	var out []*civic.User
	for _, u := range us {
		ok, err := s.isApprover(ctx, r, u)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, u)
		}
	}
	return out, nil
}

// DecideCovertAccess approves or refuses a proposal (decision is
// "approve" or "refuse"). Only the covert approver decides, never the
// proposer nor the user; refusing needs a note. The commanders and the
// user are notified.
func (s *Service) DecideCovertAccess(ctx context.Context, actor civic.Actor, accessID int64, decision, note string) error {
	note = strings.TrimSpace(note)
	ok, err := s.isApprover(ctx, s.store, actor.User())
	if err != nil {
		return err
	}
	if !ok {
		return s.refuse(ctx, actor, "approve_not_approver", 0,
			"only the covert approver (a director of the department %q who manages no users) approves or refuses covert access", s.CovertApprover())
	}
	to := civic.CovertRefused
	switch strings.TrimSpace(decision) {
	case "approve":
		to = civic.CovertApproved
	case "refuse":
		if note == "" {
			return civic.Invalid("note", "say why you refuse")
		}
	default:
		return civic.Invalid("decision", "choose approve or refuse")
	}
	err = s.update(ctx, actor, func(tx civic.Tx) error {
		if err := tx.DecideCovertAccess(ctx, accessID, to, note); err != nil {
			return err
		}
		a, err := tx.CovertAccess(ctx, accessID)
		if err != nil {
			return err
		}
		return s.tellCommanders(ctx, tx, a, fmt.Sprintf("%s %s %s access for %s.", actor.Label, to, a.Kind.Label(), a.User))
	})
	return err
}

// tellCommanders notifies the enabled commanders, the covert approvers and
// the user of a grant: an approver IT made up, or a commander acting alone,
// is seen by all the others.
func (s *Service) tellCommanders(ctx context.Context, tx civic.Tx, a *civic.CovertAccess, msg string) error {
	to, err := usersWhere(ctx, tx, func(u *civic.User) bool { return u.Has(civic.RoleSICCommander) || u.ID == a.UserID })
	if err != nil {
		return err
	}
	approvers, err := s.approvers(ctx, tx)
	if err != nil {
		return err
	}
	for _, ap := range approvers {
		if !slices.ContainsFunc(to, func(u *civic.User) bool { return u.ID == ap.ID }) {
			to = append(to, ap)
		}
	}
	return s.notify(ctx, tx, to, "covert_access_decided", msg, "/covert/access#access-"+id(a.ID))
}

// WithdrawCovertAccess withdraws a waiting proposal; only its proposer may.
func (s *Service) WithdrawCovertAccess(ctx context.Context, actor civic.Actor, accessID int64) error {
	if !actor.IsUser() || !actor.Can(civic.PermCovertManage) {
		return s.refuse(ctx, actor, "withdraw_without_commander", 0, "only the SIC commander who proposed it withdraws a proposal")
	}
	return s.update(ctx, actor, func(tx civic.Tx) error {
		return tx.DecideCovertAccess(ctx, accessID, civic.CovertWithdrawn, "")
	})
}

// RevokeCovertAccess ends approved covert access; a SIC commander may, with
// a reason, except the last commander's own. The commanders and the user
// are notified.
func (s *Service) RevokeCovertAccess(ctx context.Context, actor civic.Actor, accessID int64, reason string) error {
	if !actor.IsUser() || !actor.Can(civic.PermCovertManage) {
		return s.refuse(ctx, actor, "revoke_without_commander", 0, "only a SIC commander revokes covert access")
	}
	err := s.update(ctx, actor, func(tx civic.Tx) error {
		if err := tx.RevokeCovertAccess(ctx, accessID, strings.TrimSpace(reason)); err != nil {
			return err
		}
		a, err := tx.CovertAccess(ctx, accessID)
		if err != nil {
			return err
		}
		return s.tellCommanders(ctx, tx, a, fmt.Sprintf("%s revoked %s access for %s.", actor.Label, a.Kind.Label(), a.User))
	})
	return err
}
