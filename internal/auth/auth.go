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

// SessionTTL is how long a browser session lasts.
const SessionTTL = 12 * time.Hour

// Service signs users in and out.
type Service struct {
	store  Store
	now    func() time.Time
	log    *slog.Logger
	mailer Mailer // sends reset links; nil: none are sent
	dummy  string // a hash to verify against when the user is unknown, so timing does not tell
}

// Store is what signing in reads and writes: users, sessions, tokens,
// known devices and throttles.
type Store interface {
	civic.Updater
	UserByEmail(ctx context.Context, email string) (*civic.User, error)
	SessionUser(ctx context.Context, hash []byte, now time.Time) (*civic.Session, *civic.User, error)
	TokenUser(ctx context.Context, hash []byte, now time.Time) (*civic.Token, *civic.User, error)
	Throttle(ctx context.Context, key string) (*civic.Throttle, error)
	Device(ctx context.Context, hash []byte, now time.Time) (*civic.Device, error)
	User(ctx context.Context, id int64) (*civic.User, error)
	PasswordReset(ctx context.Context, hash []byte) (*civic.PasswordReset, error)
}

// Config is what a Service needs.
type Config struct {
	Store  Store
	Clock  func() time.Time // nil: time.Now
	Logger *slog.Logger     // nil: discard
	Mailer Mailer           // sends forgotten-password links; nil: none
}

// New returns a Service.
func New(c Config) *Service {
	if c.Clock == nil {
		c.Clock = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	dummy, _ := HashPassword("not-a-password-of-anyone")
	return &Service{store: c.Store, now: c.Clock, log: c.Logger, mailer: c.Mailer, dummy: dummy}
}

// StartSession starts a session for u (signed in by method) and returns its
// secret. Throttle keys given are cleared in the same transaction.
func (s *Service) StartSession(ctx context.Context, u *civic.User, method string, clear ...string) (string, error) {
	secret, _, err := s.startSession(ctx, u, method, clear, false)
	return secret, err
}

// startSession starts a session for u and, when remember is set, a known
// device; it returns both secrets.
func (s *Service) startSession(ctx context.Context, u *civic.User, method string, clear []string, remember bool) (string, string, error) {
	secret, device := newSecret(""), ""
	err := s.store.Update(ctx, civic.ActorOf(u), func(tx civic.Tx) error {
		for _, k := range clear {
			if err := tx.ClearThrottle(ctx, k); err != nil {
				return err
			}
		}
		if remember {
			device = newSecret("")
			if err := tx.CreateDevice(ctx, &civic.Device{Hash: HashSecret(device), UserID: u.ID, ExpiresAt: tx.Now().Add(DeviceTTL)}); err != nil {
				return err
			}
		}
		return tx.CreateSession(ctx, &civic.Session{Hash: HashSecret(secret), UserID: u.ID, Method: method, ExpiresAt: tx.Now().Add(SessionTTL)})
	})
	return secret, device, err
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
func (s *Service) SignOut(ctx context.Context, actor civic.Actor, secret string) error {
	return s.store.Update(ctx, actor, func(tx civic.Tx) error {
		return tx.DeleteSession(ctx, HashSecret(secret))
	})
}

// ownsOr reports whether actor is the user userID, or may do p.
func ownsOr(actor civic.Actor, userID int64, p civic.Permission) bool {
	return actor.Is(userID) || actor.Can(p)
}

// TokenPrefix starts every API token, so that secret scanners can find them.
const TokenPrefix = "stw_"

// CreateToken makes an API token for owner, named name, valid for ttl (zero:
// until revoked). It returns the secret, shown once. actor may create tokens
// only for itself unless it may manage every token.
func (s *Service) CreateToken(ctx context.Context, actor civic.Actor, ownerID int64, name string, ttl time.Duration) (string, *civic.Token, error) {
	if !ownsOr(actor, ownerID, civic.PermTokensAll) {
		return "", nil, civic.Errorf(civic.KindForbidden, "you may create tokens only for yourself")
	}
	if ttl < 0 {
		return "", nil, civic.Invalid("expires_in_days", "must not be negative")
	}
	secret := newSecret(TokenPrefix)
	tk := &civic.Token{UserID: ownerID, Name: strings.TrimSpace(name), Prefix: secret[:len(TokenPrefix)+6], Hash: HashSecret(secret)}
	err := s.store.Update(ctx, actor, func(tx civic.Tx) error {
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
// another's needs PermTokensAll.
func (s *Service) RevokeToken(ctx context.Context, actor civic.Actor, id int64) error {
	return s.store.Update(ctx, actor, func(tx civic.Tx) error {
		tk, err := tx.Token(ctx, id)
		if err != nil {
			return err
		}
		if !ownsOr(actor, tk.UserID, civic.PermTokensAll) {
			return civic.Errorf(civic.KindNotFound, "token %s not found", strconv.FormatInt(id, 10))
		}
		return tx.RevokeToken(ctx, id)
	})
}
