package auth

import (
	"context"
	"fmt"
	"strings"
	"time"

	"steward.city/steward/internal/civic"
)

// Forgotten passwords. A reset link carries a random secret, of which the
// store keeps only the SHA-256; it works once, within ResetTTL, and using
// it voids the user's other links, signs them out everywhere and revokes
// their API tokens. Asking for a link answers the same whether or not the
// address belongs to anyone, and is throttled like signing in: per address
// (ResetFreeRequests an hour) and per client (IPFreeFailures).
const (
	ResetTTL          = time.Hour
	ResetFreeRequests = 3
)

// Mailer sends the reset link.
type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
}

// CanMailResets reports whether Steward can e-mail reset links (a mail
// server is configured).
func (s *Service) CanMailResets() bool { return s.mailer != nil }

// RequestReset e-mails a reset link to email if it is the address of an
// enabled user who signs in with a password; link turns the link's secret
// into the URL to send. Whatever the address, the answer is the same (nil),
// unless the field is empty or the address or the client asked too often
// (KindTooMany), so that the page does not tell who has an account. Each
// request is in the audit log.
func (s *Service) RequestReset(ctx context.Context, email, remote string, link func(secret string) string) error {
	email = strings.ToLower(strings.TrimSpace(email))
	if email == "" {
		return civic.Invalid("email", "enter your e-mail address")
	}
	now := s.now()
	keys := []string{"reset-email:" + email, "reset-ip:" + addressKey(remote)}
	for _, k := range keys {
		th, err := s.store.Throttle(ctx, k)
		if err != nil {
			return err
		}
		if now.Before(th.LockedUntil) {
			wait := th.LockedUntil.Sub(now).Round(time.Minute)
			s.log.Warn("password reset refused while locked", "key", k, "wait", wait)
			return civic.Errorf(civic.KindTooMany, "too many reset requests; try again in %s", wait)
		}
	}
	u, err := s.store.UserByEmail(ctx, email)
	switch {
	case civic.ErrorKind(err) == civic.KindNotFound:
		u = nil
	case err != nil:
		return err
	}
	secret := newSecret("")
	reason := ""
	switch {
	case u == nil:
		reason = "unknown address"
	case u.DisabledAt != nil:
		reason = "user disabled"
	case u.PasswordHash == "":
		reason = "no password (single sign-on only)"
	case s.mailer == nil:
		reason = "no mail server configured"
	}
	err = s.store.Update(ctx, civic.Anonymous, func(tx civic.Tx) error {
		for _, k := range keys {
			if err := countRequest(ctx, tx, k); err != nil {
				return err
			}
		}
		if reason == "" {
			covert, err := tx.HoldsCovertAccess(ctx, u.ID)
			if err != nil {
				return err
			}
			if covert {
				reason = "holds covert access"
			}
		}
		if reason != "" {
			return tx.Record(ctx, civic.Change{Action: "auth.password_reset_refused", ObjectType: "user", ObjectID: email,
				After: map[string]any{"reason": reason, "remote": remote}})
		}
		return tx.CreatePasswordReset(ctx, &civic.PasswordReset{Hash: HashSecret(secret), UserID: u.ID, ExpiresAt: tx.Now().Add(ResetTTL)})
	})
	if err != nil || reason != "" {
		return err
	}
	body := fmt.Sprintf("Someone, probably you, asked to reset the Steward password of %s.\n\n"+
		"To choose a new password, open this link within an hour. It works once:\n\n%s\n\n"+
		"If you did not ask, ignore this message: your password stays as it is.\n", u.Email, link(secret))
	// The mail goes out after the answer, so that how long the answer
	// takes does not tell whether the address has an account; a failure
	// is logged for the administrator, not shown to whoever asked.
	go func(ctx context.Context, to string, id int64) {
		ctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		if err := s.mailer.Send(ctx, to, "Reset your Steward password", body); err != nil {
			s.log.Error("password reset e-mail failed", "user", id, "err", err)
		}
	}(context.WithoutCancel(ctx), u.Email, u.ID)
	return nil
}

// countRequest counts one reset request against key, locking it once it
// has had its free requests in FailureWindow.
func countRequest(ctx context.Context, tx civic.Tx, key string) error {
	th, err := tx.Throttle(ctx, key)
	if err != nil {
		return err
	}
	now := tx.Now()
	if now.Sub(th.LastFailure) > FailureWindow && !now.Before(th.LockedUntil) {
		th.Failures = 0
	}
	th.Failures++
	th.LastFailure = now
	free := ResetFreeRequests
	if strings.HasPrefix(key, "reset-ip:") {
		free = IPFreeFailures
	}
	if th.Failures >= free {
		th.LockedUntil = now.Add(FailureWindow)
	}
	return tx.SetThrottle(ctx, th)
}

// CheckReset reports whether a reset link's secret is good to use now,
// without using it, so that the page asks for a new password only when
// the link works.
func (s *Service) CheckReset(ctx context.Context, secret string) error {
	_, err := s.resetUser(ctx, secret)
	return err
}

var errResetLink = civic.Invalid("token", "this reset link has expired or was already used: ask for a new one")

func (s *Service) resetUser(ctx context.Context, secret string) (*civic.User, error) {
	if secret == "" {
		return nil, civic.Invalid("token", "this reset link is incomplete: open the whole link from the e-mail")
	}
	p, err := s.store.PasswordReset(ctx, HashSecret(secret))
	if civic.ErrorKind(err) == civic.KindNotFound {
		return nil, errResetLink
	}
	if err != nil {
		return nil, err
	}
	if p.UsedAt != nil || !s.now().Before(p.ExpiresAt) {
		return nil, errResetLink
	}
	u, err := s.store.User(ctx, p.UserID)
	if err != nil {
		return nil, err
	}
	if u.DisabledAt != nil {
		return nil, civic.Invalid("token", "this user is disabled: ask an administrator")
	}
	return u, nil
}

// ResetPassword sets a new password with a reset link's secret: the link
// is used up, with the user's other links, the user is signed out
// everywhere and their API tokens are revoked. It does not sign them in.
func (s *Service) ResetPassword(ctx context.Context, secret, password, confirm string) error {
	u, err := s.resetUser(ctx, secret)
	if err != nil {
		return err
	}
	if err := CheckPassword(password); err != nil {
		return err
	}
	if password != confirm {
		return civic.Invalid("confirm", "the two passwords differ")
	}
	h, err := HashPassword(password)
	if err != nil {
		return err
	}
	return s.store.Update(ctx, civic.ActorOf(u), func(tx civic.Tx) error {
		id, err := tx.UsePasswordReset(ctx, HashSecret(secret))
		if err != nil {
			return err
		}
		cur, err := tx.User(ctx, id)
		if err != nil {
			return err
		}
		if id != u.ID || cur.DisabledAt != nil {
			return civic.Invalid("token", "this reset link no longer works: ask for a new one")
		}
		if err := tx.SetUserPassword(ctx, id, h); err != nil {
			return err
		}
		if err := tx.DeleteUserSessions(ctx, id); err != nil {
			return err
		}
		return tx.RevokeUserTokens(ctx, id)
	})
}
