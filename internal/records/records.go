// Package records answers records requests (REC-2, REC-5, REC-6): the
// clerk or the attorney logs a request with its scope as archive queries,
// redacts private data span by span, and exports a BagIt bag that anyone
// can verify offline against the archive's signed checkpoint.
package records

import (
	"context"
	"log/slog"
	"time"

	"golang.org/x/mod/sumdb/note"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/blob"
	"steward.city/steward/internal/civic"
)

// Service is the records operations, shared by the pages, the API and the
// command line. Each method checks the actor it is given (civic.Actor).
type Service struct {
	store    Store
	archive  *archive.Service
	blobs    blob.Store
	signer   note.Signer
	now      func() time.Time
	log      *slog.Logger
	reasons  []Reason
	holidays map[string]bool
	pageFee  int64
	loc      *time.Location
}

// Store is what records requests read and write: the requests and their
// redactions, and the archive they export.
type Store interface {
	civic.Updater
	civic.RecordsReader
	civic.ArchiveReader
}

// Config is what a Service needs. Blobs and Signer may be nil: an export
// then lists media by hash without their files, and signs no statement of
// completeness (the checkpoint still proves each version).
type Config struct {
	Store    Store
	Archive  *archive.Service // required for scopes and exports; signs a checkpoint before an export if it has a key
	Blobs    blob.Store
	Signer   note.Signer
	Clock    func() time.Time
	Logger   *slog.Logger
	Reasons  []Reason    // redaction reasons; nil: DefaultReasons
	Holidays []time.Time // days that are not business days, besides weekends
	PageFee  int64       // cents per copied page up to 100 pages; 0: 25
	// Location is the city's time zone: due dates are counted on its
	// calendar and the report shows its times; nil: UTC.
	Location *time.Location
}

// New returns a Service.
func New(c Config) *Service {
	if c.Clock == nil {
		c.Clock = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Reasons == nil {
		c.Reasons = DefaultReasons
	}
	if c.PageFee == 0 {
		c.PageFee = 25
	}
	if c.Location == nil {
		c.Location = time.UTC
	}
	h := map[string]bool{}
	for _, d := range c.Holidays {
		h[d.Format(time.DateOnly)] = true
	}
	return &Service{store: c.Store, archive: c.Archive, blobs: c.Blobs, signer: c.Signer, now: c.Clock, log: c.Logger, reasons: c.Reasons, holidays: h, pageFee: c.PageFee, loc: c.Location}
}

func (s *Service) update(ctx context.Context, actor civic.Actor, fn func(civic.Tx) error) error {
	return s.store.Update(ctx, actor, fn)
}
