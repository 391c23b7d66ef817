// Package capture is Steward's capture engine (REC-1): it polls every
// connected official account through its network's adapter, turns what the
// platform shows into archive versions when it differs from the last one
// captured (edits and deletions included), and watches what the policies
// forbid: blocks (MOD-4), posts not made through Steward (PUB-5), profiles
// missing the website link, 911 notice or disclaimer (ACC-3) and follows
// to review (ACC-7). It also schedules each connection (interval, pause,
// back-off), records its runs and receives the webhooks of platforms that
// push.
//
// It reaches the platforms through package connection, which holds the
// tokens (sealed in the vault, refreshed before expiry) and gives an
// endpoint for each pass; capture neither seals tokens nor carries
// moderation decisions out (connection.Service.Carry does). Capture does
// not screen comments either: serve runs moderation's screening as its own
// periodic pass over what capture has stored.
//
// A connection's cursor is stored only after its page is in the archive,
// so a pass killed mid-page starts that page again and skips nothing; what
// it had already stored compares equal and is not stored twice.
package capture

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/netip"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/connection"
	"steward.city/steward/internal/platform"
)

// StreamPosts is the cursor stream of an account's posts and their threads.
const StreamPosts = "posts"

// Defaults of a Service.
const (
	DefaultMaxPages = 25 // pages per pass; a longer walk resumes next pass
	MaxFailures     = 5  // failed runs in a row before a connection shows as broken
	maxBackoff      = 6 * time.Hour
)

// Service runs capture. Methods taking an actor check its permissions.
type Service struct {
	store    Store
	archive  *archive.Service
	conns    *connection.Service
	appName  string
	now      func() time.Time
	log      *slog.Logger
	metrics  *Metrics
	jitter   func(time.Duration) time.Duration
	maxPages int
	media    *http.Client // media downloads: public addresses only
	// mediaMax bounds one media file (0: no limit); mediaStall cuts off a
	// download that receives nothing for that long.
	mediaMax       int64
	mediaStall     time.Duration
	mediaRetryWait time.Duration
}

// Store is what capture reads and writes: connections, their cursors and
// runs, what the archive last captured of them, and the registry's accounts,
// departments and follows it checks a profile against.
type Store interface {
	civic.Updater
	civic.CaptureReader
	civic.RegistryReader
	civic.ArchiveReader
	// PublicationByPlatformID matches a captured post to the publication
	// that made it (PUB-5).
	PublicationByPlatformID(ctx context.Context, platform, platformID string) (*civic.Publication, error)
	// Publications lists the corrections of a publication, to tell a
	// correction Steward made from an edit made elsewhere (PUB-4).
	Publications(ctx context.Context, f civic.PublicationFilter) ([]*civic.Publication, error)
	// AuditEvents confirms a publication was recorded when it was made.
	AuditEvents(ctx context.Context, f civic.AuditFilter) ([]*civic.AuditEvent, error)
	Department(ctx context.Context, id int64) (*civic.Department, error)
}

// Config is what a Service needs.
type Config struct {
	Store   Store
	Archive *archive.Service
	// Connections gives each connection's platform adapter and an
	// endpoint with its token, refreshed before it expires.
	Connections *connection.Service
	// AppName is the application name Steward publishes with on the
	// platforms; a post of an account made with another app is flagged
	// (PUB-5). "" means "Steward".
	AppName string
	Clock   func() time.Time
	Logger  *slog.Logger
	Metrics *Metrics // nil: NewMetrics()
	// Jitter returns the random part added to an interval; nil: up to a
	// tenth of it.
	Jitter   func(time.Duration) time.Duration
	MaxPages int // pages per pass; 0: DefaultMaxPages
	// MediaAllow are the non-public networks media may be fetched from
	// (a lab's own platform server); every other media address must be on
	// the public internet (no loopback, private or link-local: SSRF).
	MediaAllow []netip.Prefix
	// MediaMax is the largest media file capture keeps, in bytes; a larger
	// one is not downloaded (or is cut off), and its item is archived
	// without it and flagged. 0: DefaultMediaMax; negative: no limit.
	MediaMax int64
	// MediaStall cuts off a media download that receives nothing for this
	// long; 0: DefaultMediaStall.
	MediaStall time.Duration
	// MediaRetryWait is the wait before trying a media file again after a
	// passing failure (a 5xx, a dropped connection), four times as long
	// before the third and last try; 0: a second.
	MediaRetryWait time.Duration
}

// New returns a Service.
func New(c Config) *Service {
	s := &Service{store: c.Store, archive: c.Archive, conns: c.Connections, appName: c.AppName, now: c.Clock, log: c.Logger,
		metrics: c.Metrics, jitter: c.Jitter, maxPages: c.MaxPages, mediaMax: c.MediaMax, mediaStall: c.MediaStall, mediaRetryWait: c.MediaRetryWait}
	// A large file takes as long as it takes: no deadline on the whole
	// download, but one on the platform's answer, and mediaStall on the body.
	t := platform.PublicOnly(c.MediaAllow)
	t.ResponseHeaderTimeout = 30 * time.Second
	s.media = platform.NewHTTPClient(t, 0)
	s.media.Timeout = 0
	switch {
	case s.mediaMax == 0:
		s.mediaMax = DefaultMediaMax
	case s.mediaMax < 0:
		s.mediaMax = 0
	}
	if s.mediaStall <= 0 {
		s.mediaStall = DefaultMediaStall
	}
	if s.mediaRetryWait <= 0 {
		s.mediaRetryWait = time.Second
	}
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

// Store returns the service's store.
func (s *Service) Store() Store { return s.store }

// SetPaused pauses or resumes capture of a connection.
func (s *Service) SetPaused(ctx context.Context, actor civic.Actor, id int64, paused bool) error {
	if err := civic.Require(actor, civic.PermCaptureManage); err != nil {
		return err
	}
	return s.store.Update(ctx, actor, func(tx civic.Tx) error {
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
func (s *Service) SetInterval(ctx context.Context, actor civic.Actor, id int64, d time.Duration) error {
	if err := civic.Require(actor, civic.PermCaptureManage); err != nil {
		return err
	}
	return s.store.Update(ctx, actor, func(tx civic.Tx) error {
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
func (s *Service) ResolveFlag(ctx context.Context, actor civic.Actor, id int64, note string) error {
	if err := civic.Require(actor, civic.PermCaptureManage); err != nil {
		return err
	}
	return s.store.Update(ctx, actor, func(tx civic.Tx) error { return tx.ResolveCaptureFlag(ctx, id, note) })
}
