// Package auth signs people in: passwords (argon2id), browser sessions, API
// bearer tokens, throttling of failed sign-ins, and single sign-on through
// OpenID Connect. Sessions and tokens are random secrets of which the store
// keeps only the SHA-256.
package auth

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"steward.city/steward/internal/civic"
)

// Throttling: FreeFailures failed sign-ins in a row for one e-mail address
// (IPFreeFailures from one client address) lock that key for LockBase; each
// further failure locks it for twice as long as the last, up to LockMax.
const (
	FreeFailures   = 5
	IPFreeFailures = 20
	LockBase       = 30 * time.Second
	LockMax        = time.Hour
	// FailureWindow: failures further apart than this do not add up.
	FailureWindow = time.Hour
)

// SessionTTL is how long a browser session lasts.
const SessionTTL = 12 * time.Hour

// Service signs users in and out.
type Service struct {
	store civic.Store
	now   func() time.Time
	log   *slog.Logger
	dummy string // a hash to verify against when the user is unknown, so timing does not tell
}

// New returns a Service.
func New(store civic.Store, now func() time.Time, log *slog.Logger) *Service {
	dummy, _ := HashPassword("not-a-password-of-anyone")
	return &Service{store: store, now: now, log: log, dummy: dummy}
}

// errSignIn is what every failed password sign-in says, whatever the cause.
var errSignIn = &civic.Error{Kind: civic.KindUnauthorized, Field: "password", Message: "wrong e-mail address or password"}

// anonymous is the actor of a sign-in attempt.
var anonymous = civic.Actor{Label: "anonymous"}

// SignIn checks an e-mail address and password and, when they match an
// enabled user, starts a session and returns its secret (for the cookie).
// remote is the client address, used for throttling and the audit log.
func (s *Service) SignIn(ctx context.Context, email, password, remote string) (string, *civic.User, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if email == "" {
		return "", nil, civic.Invalid("email", "enter your e-mail address")
	}
	if password == "" {
		return "", nil, civic.Invalid("password", "enter your password")
	}
	keys := []string{"email:" + email, "ip:" + remote}
	now := s.now()
	for _, k := range keys {
		th, err := s.store.Throttle(ctx, k)
		if err != nil {
			return "", nil, err
		}
		if now.Before(th.LockedUntil) {
			wait := th.LockedUntil.Sub(now).Round(time.Second)
			s.log.Warn("sign-in refused while locked", "key", k, "wait", wait)
			return "", nil, civic.Errorf(civic.KindTooMany, "too many failed sign-ins; try again in %s", wait)
		}
	}
	u, err := s.store.UserByEmail(ctx, email)
	reason := ""
	switch {
	case civic.ErrorKind(err) == civic.KindNotFound:
		VerifyPassword(s.dummy, password)
		reason = "unknown user"
	case err != nil:
		return "", nil, err
	case u.PasswordHash == "":
		VerifyPassword(s.dummy, password)
		reason = "no password (single sign-on only)"
	case !VerifyPassword(u.PasswordHash, password):
		reason = "wrong password"
	case u.DisabledAt != nil:
		reason = "user disabled"
	}
	if reason != "" {
		if err := s.fail(ctx, keys, email, remote, reason); err != nil {
			return "", nil, err
		}
		return "", nil, errSignIn
	}
	secret, err := s.StartSession(ctx, u, "password", keys...)
	return secret, u, err
}

// fail counts a failed sign-in against each key and records it.
func (s *Service) fail(ctx context.Context, keys []string, email, remote, reason string) error {
	return s.store.Update(ctx, anonymous, func(tx civic.Tx) error {
		for _, k := range keys {
			th, err := tx.Throttle(ctx, k)
			if err != nil {
				return err
			}
			now := tx.Now()
			if now.Sub(th.LastFailure) > FailureWindow && !now.Before(th.LockedUntil) {
				th.Failures = 0
			}
			th.Failures++
			th.LastFailure = now
			free := FreeFailures
			if strings.HasPrefix(k, "ip:") {
				free = IPFreeFailures
			}
			if over := th.Failures - free + 1; over > 0 {
				lock := LockMax
				if over < 12 && LockBase<<(over-1) < LockMax {
					lock = LockBase << (over - 1)
				}
				th.LockedUntil = now.Add(lock)
			}
			if err := tx.SetThrottle(ctx, th); err != nil {
				return err
			}
		}
		return tx.Record(ctx, civic.Change{Action: "auth.sign_in_failed", ObjectType: "user", ObjectID: email,
			After: map[string]string{"reason": reason, "remote": remote}})
	})
}

// StartSession starts a session for u (signed in by method) and returns its
// secret. Throttle keys given are cleared in the same transaction.
func (s *Service) StartSession(ctx context.Context, u *civic.User, method string, clear ...string) (string, error) {
	secret := newSecret("")
	err := s.store.Update(ctx, civic.Actor{UserID: u.ID, Label: u.Email}, func(tx civic.Tx) error {
		for _, k := range clear {
			if err := tx.ClearThrottle(ctx, k); err != nil {
				return err
			}
		}
		return tx.CreateSession(ctx, &civic.Session{Hash: HashSecret(secret), UserID: u.ID, Method: method, ExpiresAt: tx.Now().Add(SessionTTL)})
	})
	return secret, err
}

// Purge deletes expired sessions and sign-in failures older than
// FailureWindow; serve runs it every few minutes.
func (s *Service) Purge(ctx context.Context) error {
	return s.store.Update(ctx, civic.System, func(tx civic.Tx) error {
		_, err := tx.PurgeExpired(ctx, tx.Now().Add(-FailureWindow))
		return err
	})
}

// Session returns the signed-in user of a session secret. A disabled user's
// session is refused.
func (s *Service) Session(ctx context.Context, secret string) (*civic.User, error) {
	if secret == "" {
		return nil, civic.Errorf(civic.KindUnauthorized, "sign in first")
	}
	_, u, err := s.store.SessionUser(ctx, HashSecret(secret), s.now())
	if err != nil {
		return nil, err
	}
	if u.DisabledAt != nil {
		return nil, civic.Errorf(civic.KindUnauthorized, "this user is disabled")
	}
	return u, nil
}

// SignOut ends the session with the given secret.
func (s *Service) SignOut(ctx context.Context, u *civic.User, secret string) error {
	return s.store.Update(ctx, Actor(u), func(tx civic.Tx) error {
		return tx.DeleteSession(ctx, HashSecret(secret))
	})
}

// Actor returns the audit actor for u; nil is the command line.
func Actor(u *civic.User) civic.Actor {
	if u == nil {
		return civic.Actor{Label: "cli"}
	}
	return civic.Actor{UserID: u.ID, Label: u.Email}
}

// TokenPrefix starts every API token, so that secret scanners can find them.
const TokenPrefix = "stw_"

// CreateToken makes an API token for owner, named name, valid for ttl (zero:
// until revoked). It returns the secret, shown once. actor may create tokens
// only for itself unless it may manage every token; nil actor is the CLI.
func (s *Service) CreateToken(ctx context.Context, actor *civic.User, ownerID int64, name string, ttl time.Duration) (string, *civic.Token, error) {
	if actor != nil && actor.ID != ownerID && !actor.Can(civic.PermTokensAll) {
		return "", nil, civic.Errorf(civic.KindForbidden, "you may create tokens only for yourself")
	}
	if ttl < 0 {
		return "", nil, civic.Invalid("expires_in_days", "must not be negative")
	}
	secret := newSecret(TokenPrefix)
	tk := &civic.Token{UserID: ownerID, Name: strings.TrimSpace(name), Prefix: secret[:len(TokenPrefix)+6], Hash: HashSecret(secret)}
	err := s.store.Update(ctx, Actor(actor), func(tx civic.Tx) error {
		owner, err := tx.User(ctx, ownerID)
		if err != nil {
			return err
		}
		if owner.DisabledAt != nil {
			return civic.Invalid("user", "user %s is disabled", owner.Email)
		}
		if ttl > 0 {
			exp := tx.Now().Add(ttl)
			tk.ExpiresAt = &exp
		}
		return tx.CreateToken(ctx, tk)
	})
	if err != nil {
		return "", nil, err
	}
	return secret, tk, nil
}

// TokenUser returns the user acting with an API token secret.
func (s *Service) TokenUser(ctx context.Context, secret string) (*civic.User, error) {
	if !strings.HasPrefix(secret, TokenPrefix) {
		return nil, civic.Errorf(civic.KindUnauthorized, "the API token is malformed")
	}
	_, u, err := s.store.TokenUser(ctx, HashSecret(secret), s.now())
	if err != nil {
		return nil, err
	}
	if u.DisabledAt != nil {
		return nil, civic.Errorf(civic.KindUnauthorized, "the token's user is disabled")
	}
	return u, nil
}

// RevokeToken revokes token id. A user may revoke its own tokens; revoking
// another's needs PermTokensAll. nil actor is the CLI.
func (s *Service) RevokeToken(ctx context.Context, actor *civic.User, id int64) error {
	return s.store.Update(ctx, Actor(actor), func(tx civic.Tx) error {
		tk, err := tx.Token(ctx, id)
		if err != nil {
			return err
		}
		if actor != nil && tk.UserID != actor.ID && !actor.Can(civic.PermTokensAll) {
			return civic.Errorf(civic.KindNotFound, "token %s not found", strconv.FormatInt(id, 10))
		}
		return tx.RevokeToken(ctx, id)
	})
}
