package civic

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"
)

// Capability is something a network's API lets Steward do for a city. Each
// adapter declares its own; the capture engine, moderation and the pages ask
// before they act, and say plainly what a platform cannot do.
type Capability string

// The capabilities.
const (
	CapListPosts    Capability = "list_posts"    // list the account's own posts
	CapListComments Capability = "list_comments" // list comments and replies on them
	CapEditHistory  Capability = "edit_history"  // earlier versions of an edited item
	CapDeletions    Capability = "deletions"     // deletions can be seen (event, 404 or absence)
	CapWebhooks     Capability = "webhooks"      // the platform pushes changes
	CapHide         Capability = "hide"          // hide a comment from the public
	CapDelete       Capability = "delete"        // delete a comment
	CapHold         Capability = "hold"          // hold comments for review before they show
	CapPublish      Capability = "publish"       // post as the account
	CapReadProfile  Capability = "read_profile"  // read the account's profile (ACC-3)
	CapReadFollows  Capability = "read_follows"  // list the accounts it follows (ACC-7)
	CapReadBlocks   Capability = "read_blocks"   // list the accounts it blocks (MOD-4)
)

// AllCapabilities lists every capability in display order.
var AllCapabilities = []Capability{CapListPosts, CapListComments, CapEditHistory, CapDeletions, CapWebhooks, CapHide, CapDelete, CapHold, CapPublish, CapReadProfile, CapReadFollows, CapReadBlocks}

// Capabilities is the set an adapter declares.
type Capabilities []Capability

// Has reports whether c is in the set.
func (cs Capabilities) Has(c Capability) bool { return slices.Contains(cs, c) }

// Platform is one network's API as Steward uses it: read everything posted
// by or to an official account, read its profile, follows and blocks, and
// carry out moderation decisions where the network allows. Adapters live in
// internal/platform/<name>; they never call a block, ban or mute endpoint
// (their HTTP transport refuses such requests).
type Platform interface {
	// Name is the platform's name as in Platforms ("mastodon").
	Name() string
	// Capabilities lists what the adapter can do on this network.
	Capabilities() Capabilities
	// Poll returns one page of what the account holds, starting at cursor
	// ("" for the newest page) and the cursor of the next page. The capture
	// engine stores the next cursor only after the page is in the archive,
	// so a pass killed mid-page starts that page again.
	Poll(ctx context.Context, ep *Endpoint, cursor string) (*Page, error)
	// Profile reads the account's public profile.
	Profile(ctx context.Context, ep *Endpoint) (*RemoteProfile, error)
	// Follows lists the accounts the official account follows.
	Follows(ctx context.Context, ep *Endpoint) ([]RemoteAccount, error)
	// Blocks lists the accounts the official account blocks or mutes, where
	// the API shows them; ErrUnsupported where it does not.
	Blocks(ctx context.Context, ep *Endpoint) ([]RemoteAccount, error)
	// Moderate carries out a decision on one comment; ErrUnsupported when
	// the platform cannot (the decision is recorded anyway).
	Moderate(ctx context.Context, ep *Endpoint, platformID string, action PlatformAction) error
}

// PlatformAction is what moderation asks a platform to do to a comment.
// There is no edit and no block action, on purpose (MOD-3, MOD-4).
type PlatformAction string

// The platform actions.
const (
	ActionHide    PlatformAction = "hide"
	ActionUnhide  PlatformAction = "unhide"
	ActionDelete  PlatformAction = "delete"
	ActionApprove PlatformAction = "approve" // release a held comment
)

// Endpoint is what an adapter needs to reach one account: the API's base
// URL (a Mastodon instance, a test server), the account's id and handle on
// the platform, and its decrypted credentials. It lives only for a call.
type Endpoint struct {
	BaseURL  string
	RemoteID string // the account's id on the platform
	Handle   string
	Token    PlatformToken
}

// PlatformToken is a platform credential as the vault opens it.
type PlatformToken struct {
	AccessToken  string     `json:"access_token"`
	RefreshToken string     `json:"refresh_token,omitempty"`
	ExpiresAt    *time.Time `json:"expires_at,omitempty"`
	ClientID     string     `json:"client_id,omitempty"`
	ClientSecret string     `json:"client_secret,omitempty"` // also the app secret that signs webhooks
}

// Page is one page of observations.
type Page struct {
	// Threads are posts of the account with the comments and replies
	// fetched for them.
	Threads []Thread
	// Next is the cursor of the next page; "" when this was the last.
	Next string
	// Span, when not nil, says the page is contiguous: it lists every post
	// of the account the platform still shows whose posting time lies in
	// the span (Mastodon's statuses list between its first and last id).
	// A post captured before, inside the span and absent from the page is
	// then asked of the adapter's Lookup: not found records it deleted.
	Span *Span
}

// Span is a range of posting times, From included, To excluded (To is
// where the page before it stopped); a zero From or To leaves that end
// open (the newest page reaches to now, the oldest to the first post).
type Span struct {
	From, To time.Time
}

// Thread is a post and what was fetched under it. When Complete, every
// comment the platform still shows was returned, so a comment captured
// before and absent now was deleted (or hidden) on the platform.
type Thread struct {
	Root     Observation
	Items    []Observation
	Complete bool
}

// Observation is one item as the platform returned it at one moment. The
// capture engine turns it into an archive version when it differs from the
// last one captured.
type Observation struct {
	PlatformID string
	Kind       ItemKind // post, comment or reply
	ParentID   string
	ThreadID   string
	Author     Author
	// ViaApp names the application the platform says the item was posted
	// with, where it tells (PUB-5).
	ViaApp string
	Text   string
	// PlatformText is the text as the platform gave it, where Text (the
	// text as its author wrote it and a reader sees it) differs: X's t.co
	// links and HTML escapes, LinkedIn's escaped "little" text; "" when
	// they are the same. Capture takes a version archived with it, before
	// the adapters read the text as written, as unchanged, so that no item
	// gains a version by that change.
	PlatformText string
	Media        []Media
	State        ItemState
	PlatformTime *time.Time // when posted
	EditedAt     *time.Time // when last edited, if the platform says
	// History holds earlier versions from the platform's history
	// endpoint, oldest first, when it has one.
	History []Observation
	// Raw is the platform's payload for this item, byte for byte.
	Raw []byte
}

// RemoteProfile is an account's profile as the platform shows it.
type RemoteProfile struct {
	RemoteID    string
	Handle      string
	DisplayName string
	Bio         string
	Website     string   // the link field, where the platform has one
	Fields      []string // other links and profile fields, "name: value"
	Raw         []byte
}

// RemoteAccount is another account on the platform (followed or blocked).
type RemoteAccount struct {
	RemoteID string `json:"remote_id"`
	Handle   string `json:"handle"`
	Name     string `json:"name"`
	URL      string `json:"url"`
	Kind     string `json:"kind"` // block or mute, for Blocks
}

// ErrUnsupported is returned by an adapter asked for something its platform
// does not allow.
var ErrUnsupported = errors.New("the platform does not allow this")

// PlatformError is a failure talking to a platform, classified so that the
// capture engine knows whether to wait, refresh a token or give up.
type PlatformError struct {
	Platform   string
	Kind       PlatformErrorKind
	Status     int           // HTTP status, when there was one
	RetryAfter time.Duration // for rate limits: how long the platform asks to wait
	Message    string
	Err        error
}

// PlatformErrorKind classifies a PlatformError.
type PlatformErrorKind string

// The platform error kinds; they label the capture error metric.
const (
	PlatformRateLimited PlatformErrorKind = "rate_limited" // 429 or a quota; wait RetryAfter
	PlatformAuth        PlatformErrorKind = "auth"         // token expired, revoked or wrong
	PlatformNotFound    PlatformErrorKind = "not_found"    // the item or account is gone
	PlatformMalformed   PlatformErrorKind = "malformed"    // the answer was not what the API documents
	PlatformUnavailable PlatformErrorKind = "unavailable"  // network error or 5xx
	PlatformRefused     PlatformErrorKind = "refused"      // Steward's own guard refused the request
)

func (e *PlatformError) Error() string {
	s := fmt.Sprintf("%s: %s", e.Platform, e.Kind)
	if e.Status != 0 {
		s += fmt.Sprintf(" (HTTP %d)", e.Status)
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *PlatformError) Unwrap() error { return e.Err }

// PlatformErrorKindOf returns the kind of a PlatformError in err's chain,
// or "" when there is none.
func PlatformErrorKindOf(err error) PlatformErrorKind {
	var pe *PlatformError
	if errors.As(err, &pe) {
		return pe.Kind
	}
	return ""
}

// Refresher is implemented by adapters whose tokens expire and can be
// refreshed; the capture engine refreshes a token before it expires and
// seals the new one in the vault.
type Refresher interface {
	Refresh(ctx context.Context, ep *Endpoint) (PlatformToken, error)
}

// Lookuper is implemented by adapters that can read one item by its id.
// The capture engine uses it only to confirm that a post absent from a
// contiguous page (Page.Span) is gone: a PlatformError of kind not_found
// records a deleted version; any other answer infers nothing.
type Lookuper interface {
	Lookup(ctx context.Context, ep *Endpoint, platformID string) (*Observation, error)
}

// Pusher is implemented by adapters whose platform pushes changes by
// webhook (Facebook, Instagram, Threads). The capture engine's public
// receiver hands each request to the connection's adapter.
type Pusher interface {
	// Challenge answers the platform's subscription check (a GET with
	// hub.mode, hub.verify_token and hub.challenge): the body to send back,
	// or an error when the verify token is wrong.
	Challenge(query url.Values, verifyToken string) (string, error)
	// Delivery checks a delivery's signature with the app secret and its
	// age against now, and returns what it announces. An unsigned, wrongly
	// signed or stale delivery is an error and nothing of it is used.
	Delivery(header http.Header, body []byte, appSecret string, now time.Time) ([]Pushed, error)
}

// Pushed is one change a webhook delivery announces, for the account with
// the given id on the platform.
type Pushed struct {
	RemoteAccountID string
	Observation     Observation
}

// Carrier carries out a moderation decision on the platform an archived
// item came from. It returns an error wrapping ErrUnsupported when the
// platform cannot, and a KindUnavailable error when the account is not
// connected; moderation records the decision either way.
type Carrier interface {
	Carry(ctx context.Context, itemID int64, action PlatformAction) error
}

// Label is what the platform lets Steward do, in words, for pages; the
// API keeps the code.
func (c Capability) Label() string {
	switch c {
	case CapListPosts:
		return "list the account's posts"
	case CapListComments:
		return "list comments and replies"
	case CapEditHistory:
		return "read earlier versions of edited items"
	case CapDeletions:
		return "see deletions"
	case CapWebhooks:
		return "be told of changes as they happen"
	case CapHide:
		return "hide a comment"
	case CapDelete:
		return "delete a comment"
	case CapHold:
		return "hold comments for review"
	case CapPublish:
		return "post as the account"
	case CapReadProfile:
		return "read the profile"
	case CapReadFollows:
		return "list the accounts it follows"
	case CapReadBlocks:
		return "list the accounts it blocks"
	}
	return string(c)
}
