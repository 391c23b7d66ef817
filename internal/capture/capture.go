// Package capture is Steward's capture engine (REC-1): it polls every
// connected official account through its network's adapter, turns what the
// platform shows into archive versions when it differs from the last one
// captured (edits and deletions included), and watches what the policies
// forbid: blocks (MOD-4), posts not made through Steward (PUB-5), profiles
// missing the website link, 911 notice or disclaimer (ACC-3) and follows
// to review (ACC-7).
//
// A connection's cursor is stored only after its page is in the archive,
// so a pass killed mid-page starts that page again and skips nothing; what
// it had already stored compares equal and is not stored twice.
package capture

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/auth"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/people"
	"steward.city/steward/internal/vault"
)

// StreamPosts is the cursor stream of an account's posts and their threads.
const StreamPosts = "posts"

// Defaults of a Service.
const (
	DefaultMaxPages = 25 // pages per pass; a longer walk resumes next pass
	MaxFailures     = 5  // failed runs in a row before a connection shows as broken
	refreshAhead    = 10 * time.Minute
	maxBackoff      = 6 * time.Hour
)

// Service runs capture. Methods taking an actor check its permissions.
type Service struct {
	store     civic.Store
	archive   *archive.Service
	vault     *vault.Vault
	platforms map[string]civic.Platform
	appName   string
	now       func() time.Time
	log       *slog.Logger
	metrics   *Metrics
	jitter    func(time.Duration) time.Duration
	maxPages  int
}

// Config is what a Service needs.
type Config struct {
	Store     civic.Store
	Archive   *archive.Service
	Vault     *vault.Vault
	Platforms map[string]civic.Platform // by name; adapters.All
	// AppName is the application name Steward publishes with on the
	// platforms; a post of an account made with another app is flagged
	// (PUB-5). "" means "Steward".
	AppName string
	Now     func() time.Time
	Log     *slog.Logger
	Metrics *Metrics // nil: NewMetrics()
	// Jitter returns the random part added to an interval; nil: up to a
	// tenth of it.
	Jitter   func(time.Duration) time.Duration
	MaxPages int // pages per pass; 0: DefaultMaxPages
}

// New returns a Service.
func New(c Config) *Service {
	s := &Service{store: c.Store, archive: c.Archive, vault: c.Vault, platforms: c.Platforms, appName: c.AppName, now: c.Now, log: c.Log,
		metrics: c.Metrics, jitter: c.Jitter, maxPages: c.MaxPages}
	if s.appName == "" {
		s.appName = "Steward"
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.metrics == nil {
		s.metrics = NewMetrics()
	}
	if s.jitter == nil {
		s.jitter = func(d time.Duration) time.Duration {
			if d < 10 {
				return 0
			}
			return rand.N(d / 10)
		}
	}
	if s.maxPages <= 0 {
		s.maxPages = DefaultMaxPages
	}
	return s
}

// Metrics returns the engine's metrics, for the server's registry.
func (s *Service) Metrics() *Metrics { return s.metrics }

// Platform returns the adapter of a platform, or nil.
func (s *Service) Platform(name string) civic.Platform { return s.platforms[name] }

// PlatformNames lists the platforms with an adapter, sorted.
func (s *Service) PlatformNames() []string {
	var out []string
	for n := range s.platforms {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// Store returns the service's store.
func (s *Service) Store() civic.Store { return s.store }

func require(actor *civic.User, p civic.Permission) error { return people.Require(actor, p) }

// Connect links an inventory account to its platform account with its
// token, sealed in the vault as a credential of kind platform_token.
func (s *Service) Connect(ctx context.Context, actor *civic.User, c *civic.Connection, tok civic.PlatformToken) error {
	if err := require(actor, civic.PermCaptureConnect); err != nil {
		return err
	}
	c.Normalize()
	c.Status = civic.ConnectionOK
	if err := c.Validate(); err != nil {
		return err
	}
	if s.platforms[c.Platform] == nil {
		return civic.Invalid("platform", "Steward has no adapter for %s yet", c.Platform)
	}
	sealed, err := s.seal(tok)
	if err != nil {
		return err
	}
	return s.store.Update(ctx, auth.Actor(actor), func(tx civic.Tx) error {
		a, err := tx.Account(ctx, c.AccountID)
		if err != nil {
			if civic.ErrorKind(err) == civic.KindNotFound {
				return civic.Invalid("account_id", "no official account with id %d", c.AccountID)
			}
			return err
		}
		if a.Status != civic.AccountActive && a.Status != civic.AccountApproved {
			return civic.Errorf(civic.KindConflict, "the account is %s: only approved or active accounts are connected", a.Status)
		}
		if a.Platform != c.Platform {
			return civic.Invalid("platform", "the account is on %s, not %s", a.Platform, c.Platform)
		}
		cred := &civic.Credential{AccountID: a.ID, Kind: civic.CredentialPlatformToken, Sealed: sealed, StoredBy: actorID(actor)}
		if err := tx.PutCredential(ctx, cred); err != nil {
			return err
		}
		c.CredentialID = cred.ID
		return tx.CreateConnection(ctx, c)
	})
}

// SetToken replaces a connection's token (a reconnection) and clears its
// broken state.
func (s *Service) SetToken(ctx context.Context, actor *civic.User, id int64, tok civic.PlatformToken) error {
	if err := require(actor, civic.PermCaptureConnect); err != nil {
		return err
	}
	sealed, err := s.seal(tok)
	if err != nil {
		return err
	}
	return s.store.Update(ctx, auth.Actor(actor), func(tx civic.Tx) error {
		c, err := tx.Connection(ctx, id)
		if err != nil {
			return err
		}
		cred := &civic.Credential{AccountID: c.AccountID, Kind: civic.CredentialPlatformToken, Sealed: sealed, StoredBy: actorID(actor)}
		if err := tx.PutCredential(ctx, cred); err != nil {
			return err
		}
		c.CredentialID, c.Status, c.Failures, c.LastError, c.ErrorKind, c.NextRun = cred.ID, civic.ConnectionOK, 0, "", "", tx.Now()
		return tx.UpdateConnection(ctx, c, "capture.connection_token")
	})
}

// SetPaused pauses or resumes capture of a connection.
func (s *Service) SetPaused(ctx context.Context, actor *civic.User, id int64, paused bool) error {
	if err := require(actor, civic.PermCaptureManage); err != nil {
		return err
	}
	return s.store.Update(ctx, auth.Actor(actor), func(tx civic.Tx) error {
		c, err := tx.Connection(ctx, id)
		if err != nil {
			return err
		}
		action := "capture.connection_resume"
		if paused {
			if c.Status == civic.ConnectionPaused {
				return civic.Errorf(civic.KindConflict, "capture of this connection is paused already")
			}
			c.Status, action = civic.ConnectionPaused, "capture.connection_pause"
		} else {
			if c.Status != civic.ConnectionPaused {
				return civic.Errorf(civic.KindConflict, "capture of this connection is not paused")
			}
			c.Status, c.Failures, c.NextRun = civic.ConnectionOK, 0, tx.Now()
		}
		return tx.UpdateConnection(ctx, c, action)
	})
}

// SetInterval changes how often a connection is polled.
func (s *Service) SetInterval(ctx context.Context, actor *civic.User, id int64, d time.Duration) error {
	if err := require(actor, civic.PermCaptureManage); err != nil {
		return err
	}
	return s.store.Update(ctx, auth.Actor(actor), func(tx civic.Tx) error {
		c, err := tx.Connection(ctx, id)
		if err != nil {
			return err
		}
		c.Interval = d
		if c.Interval == 0 {
			return civic.Invalid("interval", "give the interval, such as 10m")
		}
		return tx.UpdateConnection(ctx, c, "capture.connection_interval")
	})
}

// ResolveFlag closes a capture flag with a note saying what was done.
func (s *Service) ResolveFlag(ctx context.Context, actor *civic.User, id int64, note string) error {
	if err := require(actor, civic.PermCaptureManage); err != nil {
		return err
	}
	return s.store.Update(ctx, auth.Actor(actor), func(tx civic.Tx) error { return tx.ResolveCaptureFlag(ctx, id, note) })
}

func (s *Service) seal(tok civic.PlatformToken) (civic.Sealed, error) {
	if tok.AccessToken == "" {
		return civic.Sealed{}, civic.Invalid("access_token", "give the access token the platform issued for the account")
	}
	if s.vault == nil {
		return civic.Sealed{}, civic.Errorf(civic.KindUnavailable, "the vault is not open")
	}
	b, err := json.Marshal(tok)
	if err != nil {
		return civic.Sealed{}, err
	}
	return s.vault.Seal(b)
}

// token opens a connection's sealed token.
func (s *Service) token(ctx context.Context, c *civic.Connection) (civic.PlatformToken, error) {
	var tok civic.PlatformToken
	if c.CredentialID == 0 {
		return tok, &civic.PlatformError{Platform: c.Platform, Kind: civic.PlatformAuth, Message: "the connection has no token: connect it again"}
	}
	cred, err := s.store.Credential(ctx, c.CredentialID)
	if err != nil {
		return tok, err
	}
	if s.vault == nil {
		return tok, civic.Errorf(civic.KindUnavailable, "the vault is not open")
	}
	b, err := s.vault.Open(cred.Sealed)
	if err != nil {
		return tok, fmt.Errorf("open the token of connection %d: %w", c.ID, err)
	}
	if err := json.Unmarshal(b, &tok); err != nil {
		return tok, fmt.Errorf("the token of connection %d is not a platform token: %w", c.ID, err)
	}
	return tok, nil
}

// refresh renews a token that expires soon, where the adapter can, and
// seals the new one.
func (s *Service) refresh(ctx context.Context, c *civic.Connection, p civic.Platform, ep *civic.Endpoint) error {
	r, ok := p.(civic.Refresher)
	if !ok || ep.Token.ExpiresAt == nil || ep.Token.ExpiresAt.Sub(s.now()) > refreshAhead {
		return nil
	}
	tok, err := r.Refresh(ctx, ep)
	if err != nil {
		return err
	}
	sealed, err := s.seal(tok)
	if err != nil {
		return err
	}
	if err := s.store.Update(ctx, civic.System, func(tx civic.Tx) error {
		// The refreshed token stays in the custody of whoever stored it.
		old, err := tx.Credential(ctx, c.CredentialID)
		if err != nil {
			return err
		}
		return tx.PutCredential(ctx, &civic.Credential{AccountID: c.AccountID, Kind: civic.CredentialPlatformToken, Sealed: sealed, StoredBy: old.StoredBy})
	}); err != nil {
		return err
	}
	ep.Token = tok
	return nil
}

func actorID(u *civic.User) int64 {
	if u == nil {
		return 0
	}
	return u.ID
}

// errUnknownPlatform is a connection whose platform has no adapter.
var errUnknownPlatform = errors.New("no adapter for this platform")
