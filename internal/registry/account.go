package registry

import (
	"context"
	"fmt"
	"strings"

	"steward.city/steward/internal/civic"
)

// RequestAccount files a request for a new official account (ACC-1). Staff
// and directors request for their own department; Communications for any.
// The holders of the chain's first step are notified.
func (s *Service) RequestAccount(ctx context.Context, actor civic.Actor, a *civic.Account) error {
	if err := require(actor, civic.PermAccountsRequest); err != nil {
		return err
	}
	if !actor.IsUser() {
		return forbidden("an account request is made by a signed-in user")
	}
	if !actor.Has(civic.RoleCommunications) && a.DepartmentID != actor.User().DepartmentID && !isDirectorOf(actor.User(), a.DepartmentID) {
		return civic.Invalid("department_id", "you may request accounts for your own department only")
	}
	a.RequestedBy = actor.UserID
	err := s.update(ctx, actor, func(tx civic.Tx) error {
		if err := a.ValidateRequest(); err != nil {
			return err
		}
		if err := checkInstitutional(ctx, tx, a); err != nil {
			return err
		}
		if err := tx.CreateAccount(ctx, a); err != nil {
			return err
		}
		return s.notifyStep(ctx, tx, a)
	})
	return err
}

// notifyStep tells who may decide the step a's request waits for that it
// waits for them; when nobody can, administrators and Communications are
// told, so that they set a designee, a delegation or a next role.
func (s *Service) notifyStep(ctx context.Context, tx civic.Tx, a *civic.Account) error {
	step, turn, ok, err := turnOf(ctx, tx, a, tx.Now())
	if err != nil || !ok {
		return err
	}
	if turn.Nobody() {
		fix, err := fixers(ctx, tx)
		if err != nil {
			return err
		}
		return s.notify(ctx, tx, fix, "approval_stuck",
			fmt.Sprintf("The request for %s on %s cannot move: %s", a.Handle, civic.PlatformName(a.Platform), Nobody(step.Label)), "/accounts/"+id(a.ID))
	}
	who := append([]*civic.User{}, turn.Holders...)
	for _, d := range turn.Delegates {
		who = append(who, d.By)
	}
	return s.notify(ctx, tx, who, "approval_waiting",
		fmt.Sprintf("The request for %s on %s waits for your approval (%s).", a.Handle, civic.PlatformName(a.Platform), step.Label), "/accounts/"+id(a.ID))
}

// WhoNext says who may decide a waiting step, or why nobody can and who
// can fix it: for the request's page and for refusals.
func WhoNext(step civic.ApprovalStep, t civic.Turn) string {
	if t.Nobody() {
		return Nobody(step.Label)
	}
	return fmt.Sprintf("It waits for %s: %s.", step.Label, strings.Join(t.Names(), ", "))
}

// Chain returns the approval chain of a's department with the decisions
// recorded so far, and the index of the step that waits (len(chain) when
// none does).
func (s *Service) Chain(ctx context.Context, a *civic.Account) ([]civic.ApprovalStep, []*civic.Approval, error) {
	chain, err := s.store.ApprovalChain(ctx, a.DepartmentID)
	if err != nil {
		return nil, nil, err
	}
	aps, err := s.store.Approvals(ctx, a.ID)
	return chain, aps, err
}

// Decide records actor's decision at the step a request waits for. Nobody
// decides their own request or two steps of one request; a request that
// was withdrawn, refused or already approved is not decided again.
func (s *Service) Decide(ctx context.Context, actor civic.Actor, accountID int64, d civic.Decision, comment string) error {
	if err := require(actor, civic.PermAccountsApprove); err != nil {
		return err
	}
	if !actor.IsUser() {
		return forbidden("a decision is made by a signed-in user")
	}
	comment = strings.TrimSpace(comment)
	if d != civic.DecisionApprove && d != civic.DecisionRefuse {
		return civic.Invalid("decision", "decide approve or refuse")
	}
	if d == civic.DecisionRefuse && comment == "" {
		return civic.Invalid("comment", "say why the request is refused")
	}
	err := s.update(ctx, actor, func(tx civic.Tx) error {
		a, err := tx.Account(ctx, accountID)
		if err != nil {
			return err
		}
		if a.Status != civic.AccountRequested {
			return conflict("this request is %s and can no longer be decided", a.Status)
		}
		chain, err := tx.ApprovalChain(ctx, a.DepartmentID)
		if err != nil {
			return err
		}
		aps, err := tx.Approvals(ctx, a.ID)
		if err != nil {
			return err
		}
		i := len(aps)
		if i >= len(chain) {
			return conflict("every step of this request is decided")
		}
		step, turn, _, err := turnOf(ctx, tx, a, tx.Now())
		if err != nil {
			return err
		}
		if a.RequestedBy == actor.UserID {
			return forbidden("You filed this request, so someone else must approve it. %s", WhoNext(step, turn))
		}
		for _, ap := range aps {
			if ap.ApproverID == actor.UserID {
				return conflict("You already decided this request (%s), so another person must decide the next step. %s", ap.Label, WhoNext(step, turn))
			}
		}
		may, forUser := turn.May(actor.User())
		if !may {
			return forbidden("This request waits for the step %q, which you do not hold. %s", step.Label, WhoNext(step, turn))
		}
		label := step.Label
		switch {
		case forUser != nil:
			label += " (acting for " + forUser.Email + ")"
		case turn.Via != "":
			label += " (" + turn.Via + ")"
		}
		if err := tx.CreateApproval(ctx, &civic.Approval{AccountID: a.ID, Step: i, Label: label, ApproverID: actor.UserID, Decision: d, Comment: comment}); err != nil {
			return err
		}
		now := tx.Now()
		switch {
		case d == civic.DecisionRefuse:
			a.Status, a.StatusReason, a.EndedAt = civic.AccountRefused, comment, &now
			return tx.UpdateAccount(ctx, a, "account.refused")
		case i == len(chain)-1:
			a.Status, a.ApprovedAt = civic.AccountApproved, &now
			return tx.UpdateAccount(ctx, a, "account.approved")
		}
		return s.notifyStep(ctx, tx, a)
	})
	return err
}

// Withdraw withdraws a request that is still waiting; only its requester may.
func (s *Service) Withdraw(ctx context.Context, actor civic.Actor, accountID int64, reason string) error {
	return s.update(ctx, actor, func(tx civic.Tx) error {
		a, err := tx.Account(ctx, accountID)
		if err != nil {
			return err
		}
		if !actor.Trusted() && a.RequestedBy != actor.UserID {
			return forbidden("only the person who made a request withdraws it")
		}
		if a.Status != civic.AccountRequested {
			return conflict("this request is %s and can no longer be withdrawn", a.Status)
		}
		now := tx.Now()
		a.Status, a.StatusReason, a.EndedAt = civic.AccountWithdrawn, strings.TrimSpace(reason), &now
		return tx.UpdateAccount(ctx, a, "account.withdraw")
	})
}

// SetStatus activates, suspends, reinstates or retires an account (ACC-4).
// Suspending and retiring need a reason; a retired account stays retired.
func (s *Service) SetStatus(ctx context.Context, actor civic.Actor, accountID int64, to civic.AccountStatus, reason string) error {
	if err := require(actor, civic.PermAccountsManage); err != nil {
		return err
	}
	reason = strings.TrimSpace(reason)
	return s.update(ctx, actor, func(tx civic.Tx) error {
		a, err := tx.Account(ctx, accountID)
		if err != nil {
			return err
		}
		now := tx.Now()
		var action string
		switch {
		case to == civic.AccountActive && (a.Status == civic.AccountApproved || a.Status == civic.AccountSuspended):
			action = "account.activate"
			if a.ActivatedAt == nil {
				a.ActivatedAt = &now
			}
			a.EndedAt, a.StatusReason = nil, reason
		case to == civic.AccountSuspended && a.Status == civic.AccountActive:
			action = "account.suspend"
			a.EndedAt = &now
		case to == civic.AccountRetired && (a.Status == civic.AccountApproved || a.Status == civic.AccountActive || a.Status == civic.AccountSuspended):
			action = "account.retire"
			a.EndedAt = &now
		default:
			return conflict("a %s account cannot become %s", a.Status, to)
		}
		if (to == civic.AccountSuspended || to == civic.AccountRetired) && reason == "" {
			return civic.Invalid("reason", "say why the account is %s", to)
		}
		if to != civic.AccountActive {
			a.StatusReason = reason
		}
		a.Status = to
		return tx.UpdateAccount(ctx, a, action)
	})
}

// RecordProfile records what the live profile shows (ACC-3): its link to
// the city website, the emergency notice and the comment disclaimer.
func (s *Service) RecordProfile(ctx context.Context, actor civic.Actor, accountID int64, website, emergency, disclaimer string) error {
	if err := require(actor, civic.PermAccountsManage); err != nil {
		return err
	}
	return s.update(ctx, actor, func(tx civic.Tx) error {
		a, err := tx.Account(ctx, accountID)
		if err != nil {
			return err
		}
		now := tx.Now()
		a.ProfileWebsite, a.ProfileEmergency, a.ProfileDisclaimer, a.ProfileCheckedAt = strings.TrimSpace(website), strings.TrimSpace(emergency), strings.TrimSpace(disclaimer), &now
		return tx.UpdateAccount(ctx, a, "account.profile_check")
	})
}

// SetChain configures a department's approval chain; no steps restores the
// default (director, then Communications).
func (s *Service) SetChain(ctx context.Context, actor civic.Actor, departmentID int64, steps []civic.ApprovalStep) error {
	if err := require(actor, civic.PermAccountsManage); err != nil {
		return err
	}
	return s.update(ctx, actor, func(tx civic.Tx) error { return tx.SetApprovalChain(ctx, departmentID, steps) })
}
