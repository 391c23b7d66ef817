// Package nextdoor is Steward's adapter for Nextdoor public agency
// accounts. Nextdoor's APIs (Publish, Public Agency Feed, Search) are
// given by agreement, and none documents publicly an endpoint that lists
// an agency's own posts with their comments, its profile, follows or
// blocks. Until a city holds such an agreement and its documented
// endpoints, every read and moderation call is ErrUnsupported: the
// adapter says so rather than guess at an API. Its HTTP client still goes
// through the guard.
package nextdoor

import (
	"context"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/platform"
)

// Adapter is the Nextdoor adapter.
type Adapter struct{ c *platform.Client }

// New returns the adapter.
func New(cfg platform.Config) *Adapter { return &Adapter{c: cfg.Client("nextdoor")} }

// Client is the adapter's HTTP client (its transport is the guard).
func (a *Adapter) Client() *platform.Client { return a.c }

// Name implements civic.Platform.
func (a *Adapter) Name() string { return "nextdoor" }

// Capabilities implements civic.Platform: none Steward can use without an
// agreement with Nextdoor.
func (a *Adapter) Capabilities() civic.Capabilities { return civic.Capabilities{} }

// Poll implements civic.Platform.
func (a *Adapter) Poll(context.Context, *civic.Endpoint, string) (*civic.Page, error) {
	return nil, civic.ErrUnsupported
}

// Profile implements civic.Platform.
func (a *Adapter) Profile(context.Context, *civic.Endpoint) (*civic.RemoteProfile, error) {
	return nil, civic.ErrUnsupported
}

// Follows implements civic.Platform.
func (a *Adapter) Follows(context.Context, *civic.Endpoint) ([]civic.RemoteAccount, error) {
	return nil, civic.ErrUnsupported
}

// Blocks implements civic.Platform.
func (a *Adapter) Blocks(context.Context, *civic.Endpoint) ([]civic.RemoteAccount, error) {
	return nil, civic.ErrUnsupported
}

// Moderate implements civic.Platform.
func (a *Adapter) Moderate(context.Context, *civic.Endpoint, string, civic.PlatformAction) error {
	return civic.ErrUnsupported
}
