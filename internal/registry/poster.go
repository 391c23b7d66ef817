package registry

import (
	"context"
	"fmt"
	"strings"
	"time"

	"steward.city/steward/internal/civic"
)

// RequestPoster asks in writing, for actor, to post for an account (PPL-2).
// Its director is notified.
func (s *Service) RequestPoster(ctx context.Context, actor civic.Actor, accountID int64, reason string) (*civic.Poster, error) {
	if err := require(actor, civic.PermPostersRequest); err != nil {
		return nil, err
	}
	if !actor.IsUser() {
		return nil, forbidden("a request to post is made by a signed-in user")
	}
	p := &civic.Poster{AccountID: accountID, UserID: actor.UserID, Reason: reason}
	err := s.update(ctx, actor, func(tx civic.Tx) error {
		a, err := tx.Account(ctx, accountID)
		if civic.ErrorKind(err) == civic.KindNotFound {
			return civic.Invalid("account_id", "choose an account")
		}
		if err != nil {
			return err
		}
		if a.Status != civic.AccountActive && a.Status != civic.AccountApproved {
			return civic.Invalid("account_id", "the account is %s: nobody is authorized to post for it", a.Status)
		}
		mine, err := tx.Posters(ctx, civic.PosterFilter{AccountID: accountID, UserID: actor.UserID})
		if err != nil {
			return err
		}
		for _, m := range mine {
			if m.Status == civic.PosterRequested || m.Active(tx.Now()) {
				return conflict("you already have a request or an authorization for this account")
			}
		}
		if err := tx.CreatePoster(ctx, p); err != nil {
			return err
		}
		p.DepartmentID = a.DepartmentID
		turn, err := posterTurn(ctx, tx, p, tx.Now())
		if err != nil {
			return err
		}
		if turn.Nobody() {
			fix, err := fixers(ctx, tx)
			if err != nil {
				return err
			}
			return s.notify(ctx, tx, fix, "poster_stuck", fmt.Sprintf("%s asks to post for %s, but nobody can decide: the department has no director and no designee, delegation or next role is set at /settings/approvals.", actor.Label, a.Handle), "/posters")
		}
		who := append([]*civic.User{}, turn.Holders...)
		for _, d := range turn.Delegates {
			who = append(who, d.By)
		}
		return s.notify(ctx, tx, who, "poster_requested", fmt.Sprintf("%s asks to post for %s.", actor.Label, a.Handle), "/posters")
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// DecidePoster grants (until expires, a day) or refuses a request to post.
// Only the director of the account's department decides; a disabled user
// is never granted.
func (s *Service) DecidePoster(ctx context.Context, actor civic.Actor, posterID int64, grant bool, expires time.Time, note string) error {
	if err := require(actor, civic.PermPostersDecide); err != nil {
		return err
	}
	note = strings.TrimSpace(note)
	return s.update(ctx, actor, func(tx civic.Tx) error {
		p, err := tx.Poster(ctx, posterID)
		if err != nil {
			return err
		}
		if actor.Is(p.UserID) {
			return forbidden("You asked to post for this account, so the director of its department decides, not you.")
		}
		if !actor.Trusted() {
			turn, err := posterTurn(ctx, tx, p, tx.Now())
			if err != nil {
				return err
			}
			if may, _ := turn.May(actor.User()); !may {
				if turn.Nobody() {
					return forbidden("Only the director of the account's department decides who posts for it, and that department has no director, designee or delegate now; an administrator or Communications can set one at /settings/approvals.")
				}
				return forbidden("Only the director of the account's department decides who posts for it: %s.", strings.Join(turn.Names(), ", "))
			}
		}
		if p.Status != civic.PosterRequested {
			return conflict("this request is already %s", p.Status)
		}
		now := tx.Now()
		if !grant {
			if note == "" {
				return civic.Invalid("note", "say why the request is refused")
			}
			p.Status, p.DecidedAt, p.Note = civic.PosterRefused, &now, note
			p.DecidedBy = actor.UserID
			return tx.UpdatePoster(ctx, p, "poster.refuse")
		}
		u, err := tx.User(ctx, p.UserID)
		if err != nil {
			return err
		}
		if u.DisabledAt != nil {
			return conflict("%s is disabled and cannot be authorized to post", u.Email)
		}
		a, err := tx.Account(ctx, p.AccountID)
		if err != nil {
			return err
		}
		if a.Status != civic.AccountActive && a.Status != civic.AccountApproved {
			return conflict("the account is %s", a.Status)
		}
		exp := day(expires)
		if !exp.After(s.today(now)) {
			return civic.Invalid("expires", "the authorization must expire after today")
		}
		if exp.After(now.Add(civic.RecertifyEvery + 24*time.Hour)) {
			return civic.Invalid("expires", "an authorization lasts at most a year; directors recertify it yearly")
		}
		p.Status, p.DecidedAt, p.ExpiresAt, p.CertifiedAt, p.Note = civic.PosterGranted, &now, &exp, &now, note
		p.DecidedBy = actor.UserID
		return tx.UpdatePoster(ctx, p, "poster.grant")
	})
}

// RevokePoster ends an authorization at once: the account's director or
// Communications may.
func (s *Service) RevokePoster(ctx context.Context, actor civic.Actor, posterID int64, reason string) error {
	if err := require(actor, civic.PermPostersDecide); err != nil {
		return err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return civic.Invalid("note", "say why the authorization is revoked")
	}
	return s.update(ctx, actor, func(tx civic.Tx) error {
		p, err := tx.Poster(ctx, posterID)
		if err != nil {
			return err
		}
		if !actor.Trusted() && !actor.Has(civic.RoleCommunications) && !isDirectorOf(actor.User(), p.DepartmentID) {
			return forbidden("only the account's director or Communications revokes an authorization")
		}
		if p.Status != civic.PosterGranted {
			return conflict("this authorization is %s", p.Status)
		}
		now := tx.Now()
		p.Status, p.RevokedAt, p.Note = civic.PosterRevoked, &now, reason
		return tx.UpdatePoster(ctx, p, "poster.revoke")
	})
}

// Recertify records the director's yearly confirmation that an active
// authorization is still needed.
func (s *Service) Recertify(ctx context.Context, actor civic.Actor, posterID int64) error {
	if err := require(actor, civic.PermPostersDecide); err != nil {
		return err
	}
	return s.update(ctx, actor, func(tx civic.Tx) error {
		p, err := tx.Poster(ctx, posterID)
		if err != nil {
			return err
		}
		if !actor.Trusted() && !isDirectorOf(actor.User(), p.DepartmentID) {
			return forbidden("only the director of the account's department recertifies")
		}
		now := tx.Now()
		if !p.Active(now) {
			return conflict("only an active authorization is recertified")
		}
		p.CertifiedAt = &now
		return tx.UpdatePoster(ctx, p, "poster.recertify")
	})
}

// CanPost reports whether user may post for account at now: an active
// grant on an active account, held by an enabled user.
func (s *Service) CanPost(ctx context.Context, userID, accountID int64) (bool, error) {
	u, err := s.store.User(ctx, userID)
	if err != nil || u.DisabledAt != nil {
		return false, err
	}
	a, err := s.store.Account(ctx, accountID)
	if err != nil || a.Status != civic.AccountActive {
		return false, err
	}
	ps, err := s.store.Posters(ctx, civic.PosterFilter{AccountID: accountID, UserID: userID, Status: civic.PosterGranted})
	if err != nil {
		return false, err
	}
	now := s.now()
	for _, p := range ps {
		if p.Active(now) {
			return true, nil
		}
	}
	return false, nil
}

// Posters lists the authorizations actor may see: Communications,
// administrators and auditors every one; a director their departments';
// anyone else their own.
func (s *Service) Posters(ctx context.Context, actor civic.Actor) ([]*civic.Poster, error) {
	all, err := s.store.Posters(ctx, civic.PosterFilter{})
	if err != nil || actor.Trusted() || actor.Has(civic.RoleCommunications) || actor.Has(civic.RoleAdmin) || actor.Has(civic.RoleAuditor) {
		return all, err
	}
	var out []*civic.Poster
	for _, p := range all {
		if p.UserID == actor.UserID || isDirectorOf(actor.User(), p.DepartmentID) {
			out = append(out, p)
		}
	}
	return out, nil
}
