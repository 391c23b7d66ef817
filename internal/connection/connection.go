// Package connection is what links Steward to the platforms: an official
// account's connection to its platform account (Connect), its token sealed
// in the vault and replaced on reconnection (SetToken), an endpoint to call
// the platform with, its token refreshed before it expires (Endpoint), and
// carrying moderation decisions out on the platform (Carry, civic.Carrier).
//
// Capture and moderation both reach the platforms through it: capture asks
// it for an endpoint on every pass and webhook, moderation hands it each
// decision in force. What concerns only the capture schedule — pausing,
// resuming and the polling interval of a connection, its runs, cursors and
// flags — stays in package capture, which owns that schedule; a connection
// here is the credential and the address, not when it is read.
package connection

import (
	"errors"
	"log/slog"
	"slices"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/vault"
)

// refreshAhead is how long before its expiry a token is refreshed.
const refreshAhead = 10 * time.Minute

// ErrNoAdapter is a connection whose platform has no adapter.
var ErrNoAdapter = errors.New("no adapter for this platform")

// Service holds the connections' tokens and the platform adapters. Methods
// taking an actor check its permissions.
type Service struct {
	store     Store
	clock     func() time.Time
	log       *slog.Logger
	vault     *vault.Vault
	platforms map[string]civic.Platform
}

// Store is what the connection service reads and writes: connections,
// the credentials their tokens are sealed in, and the archived items a
// moderation decision is carried out on.
type Store interface {
	civic.Updater
	civic.CaptureReader
	civic.RegistryReader
	civic.ArchiveReader
}

// Config is what a Service needs.
type Config struct {
	Store  Store
	Clock  func() time.Time // nil: time.Now
	Logger *slog.Logger     // nil: discard
	// Vault seals and opens platform tokens; nil: none can be stored or
	// used (KindUnavailable).
	Vault     *vault.Vault
	Platforms map[string]civic.Platform // by name; adapters.All
}

// New returns a Service.
func New(c Config) *Service {
	s := &Service{store: c.Store, clock: c.Clock, log: c.Logger, vault: c.Vault, platforms: c.Platforms}
	if s.clock == nil {
		s.clock = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s
}

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
