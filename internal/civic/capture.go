package civic

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"time"
)

// CaptureReader reads platform connections, capture cursors and capture
// flags (REC-1, MOD-4, PUB-5, ACC-3, ACC-7).
type CaptureReader interface {
	Connection(ctx context.Context, id int64) (*Connection, error)
	// Connections lists every connection by ID.
	Connections(ctx context.Context) ([]*Connection, error)
	// CaptureCursor returns where capture of a connection's stream stands
	// ("" when it starts from the newest page).
	CaptureCursor(ctx context.Context, connectionID int64, stream string) (string, error)
	// CaptureRuns lists a connection's last runs, newest first.
	CaptureRuns(ctx context.Context, connectionID int64, limit int) ([]*CaptureRun, error)
	CaptureFlag(ctx context.Context, id int64) (*CaptureFlag, error)
	// CaptureFlags lists flags, newest first.
	CaptureFlags(ctx context.Context, f CaptureFlagFilter) ([]*CaptureFlag, error)
	// CapturedItem returns the archive item with the given platform id on
	// the account ref ("mastodon:@parks@city.example"), KindNotFound if none.
	CapturedItem(ctx context.Context, ref, platformID string) (*ArchiveItem, error)
	// CapturedLast returns, in one read, the last version (in captured
	// order) of every item of the account ref whose platform id or thread
	// id is one of ids: what capture compares a page with, and the
	// comments of its threads. Items never captured are simply absent.
	CapturedLast(ctx context.Context, ref string, ids []string) ([]*Version, error)
	// CapturedSpan returns the last version of every item of the account
	// ref that has a version by authorID whose platform time lies in
	// [from, to) (a zero from or to leaves that end open): the account's
	// own posts a contiguous page should have listed.
	CapturedSpan(ctx context.Context, ref, authorID string, from, to time.Time) ([]*Version, error)
}

// CaptureWriter changes them; each write records its audit event, except
// the bookkeeping of runs and cursors (as sign-in throttles), which would
// otherwise flood the audit chain every few minutes: the archive ingest of
// what a run captured is audited.
type CaptureWriter interface {
	// CreateConnection stores a new connection; one per account.
	CreateConnection(ctx context.Context, c *Connection) error
	// UpdateConnection stores c's settings and status, recording action
	// ("capture.connection_pause", …) as its audit event.
	UpdateConnection(ctx context.Context, c *Connection, action string) error
	// SetConnectionRun stores the outcome fields of c (status, last error,
	// failures, last run and success, next run) without an audit event.
	SetConnectionRun(ctx context.Context, c *Connection) error
	// SetCaptureCursor stores a stream's cursor; no audit event.
	SetCaptureCursor(ctx context.Context, connectionID int64, stream, cursor string) error
	// AddCaptureRun stores what a run did; no audit event.
	AddCaptureRun(ctx context.Context, r *CaptureRun) error
	// RaiseCaptureFlag stores f unless a flag of the same connection, kind
	// and subject exists; it reports whether f is new.
	RaiseCaptureFlag(ctx context.Context, f *CaptureFlag) (bool, error)
	// ResolveCaptureFlag closes a flag with a note.
	ResolveCaptureFlag(ctx context.Context, id int64, note string) error
}

// CredentialPlatformToken is the credential kind of a connection's platform
// token (a PlatformToken as JSON, sealed by the vault).
const CredentialPlatformToken CredentialKind = "platform_token"

// ConnectionStatus is whether capture of a connection works.
type ConnectionStatus string

// The connection statuses.
const (
	ConnectionOK     ConnectionStatus = "ok"
	ConnectionBroken ConnectionStatus = "broken" // auth failed or too many failures in a row
	ConnectionPaused ConnectionStatus = "paused" // capture stopped by a person
)

// ConnectionStatuses lists every status.
var ConnectionStatuses = []ConnectionStatus{ConnectionOK, ConnectionBroken, ConnectionPaused}

// Interval bounds of a connection's polling.
const (
	MinCaptureInterval     = time.Minute
	MaxCaptureInterval     = 24 * time.Hour
	DefaultCaptureInterval = 10 * time.Minute
)

// Connection links an official account of the inventory to its account on
// the platform, with the sealed token capture uses.
type Connection struct {
	ID           int64            `json:"id"`
	AccountID    int64            `json:"account_id"`
	Platform     string           `json:"platform"`
	BaseURL      string           `json:"base_url"` // the API's base URL (a Mastodon instance); "" for the platform's own
	RemoteID     string           `json:"remote_id"`
	Handle       string           `json:"handle"`
	CredentialID int64            `json:"credential_id,omitempty"`
	Interval     time.Duration    `json:"-"` // shown as interval_seconds by the API
	Status       ConnectionStatus `json:"status"`
	LastError    string           `json:"last_error"`
	ErrorKind    string           `json:"error_kind"`
	Failures     int              `json:"failures"` // failed runs in a row
	LastRun      *time.Time       `json:"last_run,omitempty"`
	LastSuccess  *time.Time       `json:"last_success,omitempty"`
	NextRun      time.Time        `json:"next_run"`
	CreatedAt    time.Time        `json:"created_at"`
	UpdatedAt    time.Time        `json:"updated_at"`
}

// Ref is the archive account reference of c's account.
func (c *Connection) Ref() string { return c.Platform + ":" + c.Handle }

// Normalize trims c's fields and fills defaults.
func (c *Connection) Normalize() {
	c.Platform = strings.ToLower(strings.TrimSpace(c.Platform))
	c.BaseURL = strings.TrimRight(strings.TrimSpace(c.BaseURL), "/")
	c.RemoteID, c.Handle = strings.TrimSpace(c.RemoteID), strings.TrimSpace(c.Handle)
	if c.Interval == 0 {
		c.Interval = DefaultCaptureInterval
	}
	if c.Status == "" {
		c.Status = ConnectionOK
	}
}

// Validate reports the first field of c that is wrong.
func (c *Connection) Validate() error {
	switch {
	case c.AccountID <= 0:
		return Invalid("account_id", "choose the official account to connect")
	case !slices.Contains(Platforms, c.Platform) || c.Platform == "other":
		return Invalid("platform", "platform must be one of the networks Steward knows")
	case c.RemoteID == "" || len(c.RemoteID) > 200:
		return Invalid("remote_id", "give the account's id on the platform (up to 200 characters)")
	case c.Handle == "" || len(c.Handle) > 200 || strings.ContainsAny(c.Handle, " \t\r\n"):
		return Invalid("handle", "give the account's handle on the platform, without spaces")
	case c.Interval < MinCaptureInterval || c.Interval > MaxCaptureInterval:
		return Invalid("interval", "the interval must be between 1 minute and 24 hours") // MinCaptureInterval, MaxCaptureInterval
	case !slices.Contains(ConnectionStatuses, c.Status):
		return Invalid("status", "status must be ok, broken or paused")
	}
	if c.BaseURL != "" {
		u, err := url.Parse(c.BaseURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(c.BaseURL) > 500 {
			return Invalid("base_url", "%q is not a web address like https://mastodon.example", c.BaseURL)
		}
	}
	_, _, err := ParseAccountRef(c.Ref())
	return err
}

// CaptureRun is what one capture pass of a connection did.
type CaptureRun struct {
	ID           int64      `json:"id"`
	ConnectionID int64      `json:"connection_id"`
	StartedAt    time.Time  `json:"started_at"`
	FinishedAt   time.Time  `json:"finished_at"`
	Pages        int        `json:"pages"`
	Stored       int        `json:"stored"` // new versions
	Edits        int        `json:"edits"`
	Deletions    int        `json:"deletions"`
	Flags        int        `json:"flags"`
	Error        string     `json:"error"`
	ErrorKind    string     `json:"error_kind"`
	RetryAt      *time.Time `json:"retry_at,omitempty"`
}

// CaptureFlagKind is why capture raised a flag.
type CaptureFlagKind string

// The flag kinds.
const (
	FlagBlock            CaptureFlagKind = "block"             // the official account blocks or mutes someone (MOD-4)
	FlagUnauthorizedPost CaptureFlagKind = "unauthorized_post" // posted outside Steward or by someone not authorized (PUB-5)
	FlagProfile          CaptureFlagKind = "profile"           // the live profile lacks the link, 911 notice or disclaimer (ACC-3)
	FlagFollow           CaptureFlagKind = "follow"            // a new followed account to review (ACC-7)
	FlagMedia            CaptureFlagKind = "media"             // a media file of a captured item was not kept: too large, download failed, or not a public address
)

// CaptureFlagKinds lists every kind.
var CaptureFlagKinds = []CaptureFlagKind{FlagBlock, FlagUnauthorizedPost, FlagProfile, FlagFollow, FlagMedia}

// Label returns the kind in plain words.
func (k CaptureFlagKind) Label() string {
	switch k {
	case FlagBlock:
		return "Block on an official account"
	case FlagUnauthorizedPost:
		return "Post not made through Steward"
	case FlagProfile:
		return "Profile incomplete"
	case FlagFollow:
		return "New follow to review"
	case FlagMedia:
		return "Media file not kept"
	}
	return string(k)
}

// CaptureFlag is something capture found that a person must look at.
type CaptureFlag struct {
	ID           int64           `json:"id"`
	ConnectionID int64           `json:"connection_id"`
	AccountID    int64           `json:"account_id"`
	Kind         CaptureFlagKind `json:"kind"`
	Subject      string          `json:"subject"` // what it is about: a blocked account's id, a post's id, a profile field
	Detail       string          `json:"detail"`
	ItemID       int64           `json:"item_id,omitempty"` // archive item, for posts
	RaisedAt     time.Time       `json:"raised_at"`
	ResolvedAt   *time.Time      `json:"resolved_at,omitempty"`
	ResolvedBy   string          `json:"resolved_by,omitempty"`
	Resolution   string          `json:"resolution,omitempty"`
}

// CaptureFlagFilter selects flags. Zero fields match all.
type CaptureFlagFilter struct {
	ConnectionID int64
	Kind         CaptureFlagKind
	Subject      string // exactly this subject; "": any
	Open         bool   // unresolved only
	Limit        int    // 0: 500
}

// Trouble says in plain words what a connection's last error kind means
// and what, if anything, someone must do; "" when there is no error. The
// platform's own message stays in LastError, for IT.
func (c *Connection) Trouble() string {
	switch c.ErrorKind {
	case "":
		return ""
	case string(PlatformAuth):
		return "The platform refused Steward's token: it expired, was revoked, or lacks a permission. Capture stops until someone gives a new token on this connection's page."
	case string(PlatformRateLimited):
		return "The platform asked Steward to slow down. Steward waits as long as it asked and tries again by itself; nothing is lost."
	case string(PlatformNotFound):
		return "The platform says the account is gone, or Steward may not see it. Check the account on the platform and the account id on this connection."
	case string(PlatformMalformed):
		return "The platform answered in a form Steward does not understand, perhaps after a change on its side. Steward tries again; if it keeps failing, IT should read the details."
	case string(PlatformUnavailable):
		return "The platform could not be reached or had an error of its own. Steward tries again by itself; nothing is lost."
	case string(PlatformRefused):
		return "Steward refused to call the address, because it is on a private or local network. Check the connection's address."
	}
	return "Something went wrong inside Steward during capture. Steward tries again; if it keeps failing, IT should read the details."
}
