package cli

import (
	"context"
	"log/slog"
	"net/netip"
	"time"

	"steward.city/steward/internal/api"
	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/auth"
	"steward.city/steward/internal/capture"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/classify"
	"steward.city/steward/internal/connection"
	"steward.city/steward/internal/jobs"
	"steward.city/steward/internal/moderation"
	"steward.city/steward/internal/people"
	"steward.city/steward/internal/platform"
	"steward.city/steward/internal/platform/adapters"
	"steward.city/steward/internal/public"
	"steward.city/steward/internal/publish"
	"steward.city/steward/internal/records"
	"steward.city/steward/internal/registry"
	"steward.city/steward/internal/server"
	"steward.city/steward/internal/vault"
	"steward.city/steward/internal/web"
	"steward.city/steward/internal/worklist"
)

// Services is every service of one Steward process, each built once, by
// NewServices, and handed to the pages, the API and the server. No other
// package builds another package's service.
type Services struct {
	Auth       *auth.Service
	People     *people.Service
	Registry   *registry.Service
	Archive    *archive.Service
	Records    *records.Service
	Moderation *moderation.Service
	Capture    *capture.Service
	// Connections holds the platform tokens and carries moderation
	// decisions out; capture and moderation share it.
	Connections *connection.Service
	// Worklist is what waits for each person (the dashboard, /api/v1/me/work).
	Worklist *worklist.Service
	// Jobs is the job queue: the services' background work, worked by
	// the processes that start it (serve --role worker or all).
	Jobs *jobs.Queue
	// Publish drafts, reviews and publishes official posts; PublishDue is
	// its scheduled step.
	Publish *publish.Service

	store  civic.Store
	clock  func() time.Time
	logger *slog.Logger
	loc    *time.Location
}

// Mailer sends notification e-mail (account approvals, inquiry answers).
type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
}

// ServicesConfig is what the services are built from: Store, Clock and
// Logger are shared by all; the rest is what one of them needs.
type ServicesConfig struct {
	Store  civic.Store
	Clock  func() time.Time // nil: time.Now
	Logger *slog.Logger     // nil: discard
	// Location is the city's time zone (--time-zone), loaded once: pages,
	// forms, PDFs, e-mails and due dates use it; stored times stay UTC.
	// nil: UTC.
	Location *time.Location

	// Archive is the archive, built before the others because it needs
	// the checkpoint key, the witnesses and the media store (startArchive);
	// nil: an archive on Store with none of them.
	Archive *archive.Service
	// Vault seals credentials and platform tokens; nil: none can be
	// stored or revealed.
	Vault *vault.Vault
	// Mailer sends notifications and inquiry answers; nil: none are
	// e-mailed (they stay in Steward). With a mailer, every notification
	// stored queues its notification_mail job in the same transaction.
	Mailer Mailer
	// PublicURL is the address people open Steward at (--public-url); the
	// links in notification e-mail start with it ("": they are paths).
	PublicURL string
	// Screener screens public comments into the moderation queue; nil:
	// only held comments and staff reports enter it.
	Screener civic.Screener
	// Platforms are the platform adapters by name; nil: every adapter.
	Platforms map[string]civic.Platform
	// AppName is the application name Steward publishes with ("" is
	// "Steward"); posts made with another app are flagged.
	AppName string
	// CovertApprover is the slug of the department whose director
	// approves covert access; "": civic.DefaultCovertApprover.
	CovertApprover string
	// MediaAllow are the non-public networks capture may fetch media
	// from (--media-allow); every other media address must be public.
	MediaAllow []netip.Prefix
	// MediaMax is the largest media file capture keeps (--media-max):
	// bytes; 0: capture.DefaultMediaMax; negative: no limit.
	MediaMax int64
	// Jobs is the job queue; nil: one on Store's database, which can
	// queue and list jobs but not work them on PostgreSQL (the workers
	// need the database's URL).
	Jobs *jobs.Queue
	// Schedule is how often the periodic jobs run, for the processes
	// that work jobs; the zero value schedules none.
	Schedule Schedule
}

// NewServices builds every service once and wires the hooks between them:
// disabling a user flags the credentials they could reveal, the registry
// keeps a SIC commander, capture reaches the platforms through the
// connection service, which carries out moderation decisions; every
// background job is registered on the job queue, each ingest that stores
// a comment queues its screening in the same transaction, and, with a
// mailer, each notification stored queues its e-mail in the same
// transaction.
func NewServices(c ServicesConfig) *Services {
	if c.Clock == nil {
		c.Clock = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Location == nil {
		c.Location = time.UTC
	}
	if c.Archive == nil {
		c.Archive = archive.New(archive.Config{Store: c.Store, Clock: c.Clock, Logger: c.Logger})
	}
	if c.Platforms == nil {
		c.Platforms = adapters.All(platform.Config{UserAgent: "Steward/" + Version + " (+https://steward.city)", Now: c.Clock})
	}
	if c.CovertApprover == "" {
		c.CovertApprover = civic.DefaultCovertApprover
	}
	s := &Services{Archive: c.Archive}
	var am auth.Mailer
	if c.Mailer != nil {
		am = c.Mailer
	}
	s.Auth = auth.New(auth.Config{Store: c.Store, Clock: c.Clock, Logger: c.Logger, Mailer: am})
	s.People = people.New(people.Config{Store: c.Store})
	var rm registry.Mailer
	var mm moderation.Mailer
	if c.Mailer != nil {
		rm, mm = c.Mailer, c.Mailer
	}
	s.Registry = registry.New(registry.Config{Store: c.Store, Vault: c.Vault, Mailer: rm, PublicURL: c.PublicURL, Logger: c.Logger, Clock: c.Clock, Location: c.Location})
	s.Registry.SetCovertApprover(c.CovertApprover)
	s.People.OnDisable(s.Registry.OnDisable)
	s.People.OnSetRoles(s.Registry.OnSetRoles)
	s.Records = records.New(records.Config{Store: c.Store, Archive: c.Archive, Blobs: c.Archive.Blobs(), Signer: c.Archive.Signer(), Clock: c.Clock, Logger: c.Logger, Location: c.Location})
	s.Connections = connection.New(connection.Config{Store: c.Store, Clock: c.Clock, Logger: c.Logger, Vault: c.Vault, Platforms: c.Platforms})
	s.Capture = capture.New(capture.Config{Store: c.Store, Archive: c.Archive, Connections: s.Connections, AppName: c.AppName, Clock: c.Clock, Logger: c.Logger, MediaAllow: c.MediaAllow,
		MediaMax: c.MediaMax})
	s.Publish = publish.New(publish.Config{Store: c.Store, Archive: c.Archive, Connections: s.Connections, Blobs: c.Archive.Blobs(), Clock: c.Clock, Logger: c.Logger,
		Language: classify.DetectLanguage, Location: c.Location, PublicURL: c.PublicURL})
	// The connection service carries moderation decisions out on the
	// platforms; where a platform cannot, or the account is not connected,
	// the decision is recorded with the reason.
	s.Moderation = moderation.New(moderation.Config{Store: c.Store, Screener: c.Screener, Carrier: s.Connections, Mailer: mm, Clock: c.Clock, Logger: c.Logger, Location: c.Location})
	s.Worklist = worklist.New(worklist.Config{Store: c.Store, Registry: s.Registry, Drafts: s.draftsToReview, Clock: c.Clock, Location: c.Location, Logger: c.Logger})
	s.store, s.clock, s.logger, s.loc = c.Store, c.Clock, c.Logger, c.Location
	if c.Jobs == nil {
		q, err := newQueue(c.Store, jobs.Config{Logger: c.Logger})
		if err != nil {
			c.Logger.Error("job queue", "err", err)
		}
		c.Jobs = q
	}
	if c.Jobs != nil {
		s.Jobs = c.Jobs
		s.registerJobs(c.Jobs, c.Schedule)
		if c.Mailer != nil {
			mailOnNotify(c.Store, c.Jobs, c.Logger)
		}
	}
	return s
}

// HandlerConfig is what the HTTP server adds to the services.
type HandlerConfig struct {
	SSO              web.SSO // nil: no single sign-on
	MetricsToken     string
	MetricsElsewhere bool
	TrustedProxies   []netip.Prefix
	// PublicLimit is the per-client rate limit of the public portal.
	PublicLimit server.PublicLimit
	// PublicURL is the address people open Steward at; reset links in
	// e-mail start with it ("": none are e-mailed).
	PublicURL string
	// ImportMax is the largest export one may upload to import
	// (--import-max): bytes; 0: importer.DefaultUploadMax.
	ImportMax int64
}

// Handler builds the pages, the API and the server on the services.
func (s *Services) Handler(c HandlerConfig) (*server.Server, error) {
	wh, err := web.New(web.Config{Store: s.store, Clock: s.clock, Logger: s.logger, Location: s.loc, SSO: c.SSO, Version: Version, PublicURL: c.PublicURL, ImportMax: c.ImportMax,
		Auth: s.Auth, People: s.People, Registry: s.Registry, Archive: s.Archive, Records: s.Records, Moderation: s.Moderation, Capture: s.Capture, Connections: s.Connections, Worklist: s.Worklist, Jobs: s.Jobs, Publish: s.Publish})
	if err != nil {
		return nil, err
	}
	ah, err := api.New(api.Config{Store: s.store, Clock: s.clock, Logger: s.logger, Location: s.loc, ImportMax: c.ImportMax,
		Auth: s.Auth, People: s.People, Registry: s.Registry, Archive: s.Archive, Records: s.Records, Moderation: s.Moderation, Capture: s.Capture, Connections: s.Connections, Worklist: s.Worklist, Jobs: s.Jobs, Publish: s.Publish})
	if err != nil {
		return nil, err
	}
	ph, err := public.New(public.Config{Archive: s.Archive, Codes: s.Moderation.Codes, Health: s.Capture.PublicHealth, Card: s.Moderation.ModelCard, Logger: s.logger, Version: Version, Location: s.loc})
	if err != nil {
		return nil, err
	}
	return server.New(server.Config{Store: s.store, Auth: s.Auth, Web: wh, API: ah, Public: ph, Log: s.logger,
		Collectors: s.Capture.Metrics().Collectors(), MetricsToken: c.MetricsToken, MetricsElsewhere: c.MetricsElsewhere,
		TrustedProxies: c.TrustedProxies, PublicLimit: c.PublicLimit}), nil
}

// draftsToReview is the publishing service's review queue as the work list
// reads it.
func (s *Services) draftsToReview(ctx context.Context, actor civic.Actor) ([]*civic.Draft, error) {
	q, err := s.Publish.Queue(ctx, actor)
	if err != nil {
		return nil, err
	}
	ds := make([]*civic.Draft, len(q))
	for i, it := range q {
		ds[i] = it.Draft
	}
	return ds, nil
}
