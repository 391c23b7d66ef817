// Package archive keeps everything posted by or to an official account as
// an immutable, searchable, verifiable public record (REC-1..5): one ingest
// path, full-text search with one query syntax, thread views with every
// version, a Merkle log with signed checkpoints and its verification,
// retention classes, legal holds and disposition.
//
// The Service keeps no state of its own: its settings (the retention
// schedule, whether accounts must be registered, the checkpoint verifier
// key) are in the store, so that every process and every handler built on
// the same store behaves the same.
package archive

import (
	"context"
	"log/slog"
	"time"

	"golang.org/x/mod/sumdb/note"

	"steward.city/steward/internal/blob"
	"steward.city/steward/internal/civic"
)

// Settings the archive keeps in the store.
const (
	SettingRetention    = "archive.retention"              // the retention schedule, JSON
	SettingRequireKnown = "archive.require_known_accounts" // "true": ingest refuses accounts not registered
	SettingVerifier     = "archive.verifier_key"           // the checkpoint verifier key (signed-note format)
)

// Service is the archive's operations, shared by the pages, the API and the
// command line. Methods taking an actor check its permissions; the command
// line (civic.CLI) and Steward's own processes (civic.System) may do
// everything, an anonymous actor nothing.
type Service struct {
	store     Store
	blobs     blob.Store // may be nil: media are then kept as references only
	signer    note.Signer
	witnesses []Witness
	now       func() time.Time
	log       *slog.Logger
	onIngest  []IngestHook

	queueDisposition DispositionQueue
	dispositionBatch int
}

// IngestHook runs inside the transaction that stored new versions, with
// those versions (IDs set): what it writes commits or rolls back with
// them. The composition root uses it to queue the screening of new
// comments in the same transaction.
type IngestHook func(ctx context.Context, tx civic.Tx, stored []*civic.Version) error

// OnIngest adds a hook run in every ingest transaction that stored at
// least one new version. Call it before the service is used.
func (s *Service) OnIngest(h IngestHook) { s.onIngest = append(s.onIngest, h) }

// Store is what the archive reads and writes: its items, versions, log,
// checkpoints, holds and dispositions; the audit head its checkpoints
// commit to; the department a record names; its settings.
type Store interface {
	civic.Updater
	civic.ArchiveReader
	civic.RecordsReader
	civic.PublicReader
	AuditHead(ctx context.Context) (int64, string, error)
	AuditEvents(ctx context.Context, f civic.AuditFilter) ([]*civic.AuditEvent, error)
	DepartmentBySlug(ctx context.Context, slug string) (*civic.Department, error)
	Department(ctx context.Context, id int64) (*civic.Department, error)
	Setting(ctx context.Context, key string) (string, error)
	// CovertProfiles lists every covert profile (maintainerID 0): a
	// transfer refuses their accounts and leaves out what they wrote.
	CovertProfiles(ctx context.Context, maintainerID int64) ([]*civic.CovertProfile, error)
	// MediaInUse reports whether a draft's attachment is the file with
	// the hash: the media store never deletes such a file (blob.Keep).
	MediaInUse(ctx context.Context, sha256 string) (bool, error)
}

// Config is what a Service needs. Blobs and Signer may be nil.
type Config struct {
	Store     Store
	Blobs     blob.Store
	Signer    note.Signer // signs checkpoints; nil: this process does not sign
	Witnesses []Witness   // cosign each checkpoint as it is signed
	Clock     func() time.Time
	Logger    *slog.Logger
	// DispositionBatch is how many entries of a disposition run one
	// transaction executes (0: DispositionBatch).
	DispositionBatch int
}

// New returns a Service.
func New(c Config) *Service {
	if c.Clock == nil {
		c.Clock = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.DispositionBatch <= 0 {
		c.DispositionBatch = DispositionBatch
	}
	// A file a draft or a publication uses is never deleted, whoever asks.
	blobs := blob.Keep(c.Blobs, c.Store.MediaInUse)
	return &Service{store: c.Store, blobs: blobs, signer: c.Signer, witnesses: c.Witnesses, now: c.Clock, log: c.Logger, dispositionBatch: c.DispositionBatch}
}

// Store returns the service's store.
func (s *Service) Store() Store { return s.store }

// Signer returns the checkpoint signer, or nil when this process does not sign.
func (s *Service) Signer() note.Signer { return s.signer }

// Blobs returns the media store, or nil. Its Delete leaves in place a
// file a draft or a publication uses (blob.Keep).
func (s *Service) Blobs() blob.Store { return s.blobs }

// update runs fn in a transaction on behalf of actor.
func (s *Service) update(ctx context.Context, actor civic.Actor, fn func(civic.Tx) error) error {
	return s.store.Update(ctx, actor, fn)
}
