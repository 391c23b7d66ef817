// Package mastodon is the adapter for the Mastodon client API, spoken by
// Mastodon and GoToSocial. It reads an account's statuses page by page
// (max_id paging), the replies under each (/context), the earlier versions
// of edited ones (/history, sorted by time: servers disagree on order), the
// replies GoToSocial holds for approval (/interaction_requests), the
// profile, follows, blocks and mutes. It cannot hide or delete someone
// else's reply (Mastodon has no such API and answers 403); it can approve a
// reply GoToSocial holds. Its transport refuses block, ban and mute calls.
package mastodon

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"sync"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/platform"
)

// Name is the platform's name in civic.Platforms.
const Name = "mastodon"

// PageSize is how many statuses one page asks for (Mastodon's maximum is 40).
const PageSize = 40

// Adapter is the Mastodon-API adapter. It holds no account state; each
// call carries its Endpoint.
type Adapter struct {
	c *platform.Client
	// noRequests remembers servers without interaction requests (Mastodon),
	// by base URL, so they are not asked again on every thread.
	noRequests sync.Map
}

// New returns an adapter whose HTTP calls go through cfg's client, guarded.
func New(cfg platform.Config) *Adapter { return &Adapter{c: cfg.Client(Name)} }

// Client returns the adapter's JSON client (tests send requests through it
// to prove the guard).
func (a *Adapter) Client() *platform.Client { return a.c }

// Name implements civic.Platform.
func (a *Adapter) Name() string { return Name }

// Capabilities implements civic.Platform. Hold is GoToSocial's reply
// approval: on Mastodon, approving answers ErrUnsupported.
func (a *Adapter) Capabilities() civic.Capabilities {
	return civic.Capabilities{civic.CapListPosts, civic.CapListComments, civic.CapEditHistory, civic.CapDeletions, civic.CapHold,
		civic.CapPublish, civic.CapReadProfile, civic.CapReadFollows, civic.CapReadBlocks}
}

func base(ep *civic.Endpoint) (string, error) {
	b := strings.TrimRight(ep.BaseURL, "/")
	if b == "" {
		return "", &civic.PlatformError{Platform: Name, Kind: civic.PlatformMalformed, Message: "a Mastodon connection needs the instance's base URL"}
	}
	return b, nil
}

func (a *Adapter) get(ctx context.Context, ep *civic.Endpoint, path string, q url.Values, out any) (*platform.Response, error) {
	b, err := base(ep)
	if err != nil {
		return nil, err
	}
	return a.c.GetJSON(ctx, platform.Request{URL: b + path, Query: q, Token: ep.Token.AccessToken}, out)
}

// Moderate implements civic.Platform: approve releases a reply GoToSocial
// holds; hide, unhide and delete are not possible on the Mastodon API.
func (a *Adapter) Moderate(ctx context.Context, ep *civic.Endpoint, platformID string, action civic.PlatformAction) error {
	if action != civic.ActionApprove {
		return civic.ErrUnsupported
	}
	reqs, err := a.pending(ctx, ep, "")
	if err != nil {
		if errors.Is(err, civic.ErrUnsupported) {
			return err
		}
		return err
	}
	for _, r := range reqs {
		if r.Reply != nil && r.Reply.ID == platformID {
			b, _ := base(ep)
			_, err := a.c.Do(ctx, platform.Request{Method: "POST", URL: b + "/api/v1/interaction_requests/" + url.PathEscape(r.ID) + "/authorize", Token: ep.Token.AccessToken})
			return err
		}
	}
	return &civic.PlatformError{Platform: Name, Kind: civic.PlatformNotFound, Message: "no reply " + platformID + " is waiting for approval"}
}
