package registry

import (
	"context"
	"fmt"
	"strings"
	"time"

	"steward.city/steward/internal/civic"
)

// StandIns lists the configured fallbacks, for administrators and
// Communications, who edit them.
func (s *Service) StandIns(ctx context.Context, actor civic.Actor) ([]*civic.StandIn, error) {
	if err := require(actor, civic.PermAccountsManage); err != nil {
		return nil, err
	}
	return s.store.StandIns(ctx)
}

// AddStandIn configures a designee, a delegation, a next role or the
// fallback second reviewer. Administrators and Communications may (they
// manage the approval chains); the user who acts must be able to open the
// pages where they act.
func (s *Service) AddStandIn(ctx context.Context, actor civic.Actor, si *civic.StandIn) error {
	if err := require(actor, civic.PermAccountsManage); err != nil {
		return err
	}
	if err := si.Validate(); err != nil {
		return err
	}
	return s.update(ctx, actor, func(tx civic.Tx) error {
		if si.UserID != 0 {
			u, err := tx.User(ctx, si.UserID)
			if civic.ErrorKind(err) == civic.KindNotFound {
				return civic.Invalid("user_id", "user %d does not exist", si.UserID)
			}
			if err != nil {
				return err
			}
			switch {
			case si.Kind == civic.StandInSecondReview && !u.Can(civic.PermModerationView):
				return civic.Invalid("user_id", "%s cannot open the moderation pages; give them a role that reads moderation (City Attorney, Clerk, Administrator) first", u.Email)
			case si.Kind != civic.StandInSecondReview && !u.Can(civic.PermAccountsApprove):
				return civic.Invalid("user_id", "%s cannot open the approval pages; only Communications and department directors decide approvals", u.Email)
			}
		}
		return tx.CreateStandIn(ctx, si)
	})
}

// RemoveStandIn ends a fallback.
func (s *Service) RemoveStandIn(ctx context.Context, actor civic.Actor, id int64) error {
	if err := require(actor, civic.PermAccountsManage); err != nil {
		return err
	}
	return s.update(ctx, actor, func(tx civic.Tx) error { return tx.DeleteStandIn(ctx, id) })
}

// Turn works out who may decide the step request a waits for, after the
// stand-ins; ok is false when no step waits (the request is decided, or no
// longer waiting).
func (s *Service) Turn(ctx context.Context, a *civic.Account) (step civic.ApprovalStep, t civic.Turn, ok bool, err error) {
	return turnOf(ctx, s.store, a, s.now())
}

// turnOf is Turn on a reader: the store, or a transaction.
func turnOf(ctx context.Context, r civic.Reader, a *civic.Account, now time.Time) (civic.ApprovalStep, civic.Turn, bool, error) {
	if a.Status != civic.AccountRequested {
		return civic.ApprovalStep{}, civic.Turn{}, false, nil
	}
	chain, err := r.ApprovalChain(ctx, a.DepartmentID)
	if err != nil {
		return civic.ApprovalStep{}, civic.Turn{}, false, err
	}
	aps, err := r.Approvals(ctx, a.ID)
	if err != nil || len(aps) >= len(chain) {
		return civic.ApprovalStep{}, civic.Turn{}, false, err
	}
	excluded := []int64{a.RequestedBy}
	for _, ap := range aps {
		excluded = append(excluded, ap.ApproverID)
	}
	us, err := r.Users(ctx)
	if err != nil {
		return civic.ApprovalStep{}, civic.Turn{}, false, err
	}
	sis, err := r.StandIns(ctx)
	if err != nil {
		return civic.ApprovalStep{}, civic.Turn{}, false, err
	}
	step := chain[len(aps)]
	return step, civic.TurnOf(step, a.DepartmentID, us, excluded, sis, now), true, nil
}

// posterTurn works out who may decide a request to post for an account of
// department dept: its director, after the stand-ins.
func posterTurn(ctx context.Context, r civic.Reader, p *civic.Poster, now time.Time) (civic.Turn, error) {
	us, err := r.Users(ctx)
	if err != nil {
		return civic.Turn{}, err
	}
	sis, err := r.StandIns(ctx)
	if err != nil {
		return civic.Turn{}, err
	}
	step := civic.ApprovalStep{Label: "Department director", Role: civic.RoleDirector, DepartmentID: p.DepartmentID}
	return civic.TurnOf(step, p.DepartmentID, us, []int64{p.UserID}, sis, now), nil
}

// PosterTurn is who may decide a request to post.
func (s *Service) PosterTurn(ctx context.Context, p *civic.Poster) (civic.Turn, error) {
	return posterTurn(ctx, s.store, p, s.now())
}

// fixers are who can set a fallback when nobody can act: administrators
// and Communications.
func fixers(ctx context.Context, r civic.Reader) ([]*civic.User, error) {
	return usersWhere(ctx, r, func(u *civic.User) bool { return u.Has(civic.RoleAdmin) || u.Has(civic.RoleCommunications) })
}

// Nobody describes, in a sentence, why nobody can decide a step.
func Nobody(label string) string {
	return fmt.Sprintf("Nobody can decide the step %q now: nobody else holds it, and no designee, delegation or next role is set. An administrator or Communications can set one at /settings/approvals.", strings.TrimSpace(label))
}
