// Package publish is how a city's staff post through Steward (PUB-1, PUB-3,
// PUB-7): an authorized poster writes a draft for one or several official
// accounts, every revision is kept and screened (internal/draftscreen),
// reviewers approve, ask for changes or refuse by each account's rule, and
// the approved post goes out through the account's connection with a
// publish intent stored before the platform is called, so that a retry, a
// restart or a second process never posts twice. The published post is
// archived at once with its authority record; capture matches it by its
// platform id (PUB-5).
package publish

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/blob"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/connection"
)

// Store is what the publish service reads and writes: drafts and
// publications, the registry (accounts, poster grants, covert profiles,
// users), the capture connections and settings.
type Store interface {
	civic.Updater
	civic.PublishReader
	civic.RegistryReader
	civic.CaptureReader
	Users(ctx context.Context) ([]*civic.User, error)
	User(ctx context.Context, id int64) (*civic.User, error)
	Department(ctx context.Context, id int64) (*civic.Department, error)
	Setting(ctx context.Context, key string) (string, error)
}

// Config is what a Service needs.
type Config struct {
	Store       Store
	Clock       func() time.Time // nil: time.Now
	Logger      *slog.Logger     // nil: discard
	Connections *connection.Service
	Archive     *archive.Service
	// Blobs holds the files of drafts' attachments (the archive's media
	// store, whose Delete keeps a file a draft uses); nil: drafts cannot
	// carry files.
	Blobs blob.Store
	// Stale is how old a publish intent without an answer must be before
	// another pass reconciles it (the process that stored it may still be
	// waiting for the platform); 0: two minutes.
	Stale time.Duration
	// Language names the language of a post's text (a BCP 47 tag), sent
	// with it where the network takes one; nil: none is sent.
	Language func(text string) string
	// Location is the city's time zone, in which the service's words name
	// a time ("waiting for its scheduled time, Nov 23, 2026, 3:00 AM
	// CST"); nil: UTC.
	Location *time.Location
	// PublicURL is the address Steward is reached at from the internet
	// (--public-url, no trailing slash). A network that fetches a post's
	// files (Instagram) is given links under it; "": such a network gets
	// no files, and a draft with files for it is refused.
	PublicURL string
}

// Service drafts, reviews and publishes official posts.
type Service struct {
	store   Store
	clock   func() time.Time
	log     *slog.Logger
	conns   *connection.Service
	archive *archive.Service
	blobs   blob.Store
	stale   time.Duration
	lang    func(string) string
	loc     *time.Location // the city's time zone
	public  string         // PublicURL
}

// New returns a Service.
func New(c Config) *Service {
	s := &Service{store: c.Store, clock: c.Clock, log: c.Logger, conns: c.Connections, archive: c.Archive, blobs: c.Blobs, stale: c.Stale, lang: c.Language, loc: c.Location, public: strings.TrimRight(c.PublicURL, "/")}
	if s.loc == nil {
		s.loc = time.UTC
	}
	if s.clock == nil {
		s.clock = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.stale == 0 {
		s.stale = 2 * time.Minute
	}
	return s
}

func (s *Service) now() time.Time { return s.clock().UTC().Truncate(time.Microsecond) }

// CategoriesSetting is the setting holding a city's content categories,
// one per line; empty: civic.DefaultPostCategories.
const CategoriesSetting = "publish.categories"
