package civic

import (
	"context"
	"encoding/json"
	"time"
)

// PublishReader reads drafts, their revisions and reviews, the accounts'
// approval rules and publications (PUB-1, PUB-3, PUB-5, PUB-7).
type PublishReader interface {
	Draft(ctx context.Context, id int64) (*Draft, error)
	// Drafts lists drafts matching f, newest first, each with its accounts
	// and its current revision.
	Drafts(ctx context.Context, f DraftFilter) ([]*Draft, error)
	// DraftRevisions lists every revision of a draft, oldest first.
	DraftRevisions(ctx context.Context, draftID int64) ([]*DraftRevision, error)
	// DraftReviews lists the reviews of a draft, oldest first.
	DraftReviews(ctx context.Context, draftID int64) ([]*DraftReview, error)
	// PublishRule returns the rule of an account, or the default rule when
	// it has none of its own.
	PublishRule(ctx context.Context, accountID int64) (*PublishRule, error)
	Publication(ctx context.Context, id int64) (*Publication, error)
	// Publications lists publications matching f, newest first.
	Publications(ctx context.Context, f PublicationFilter) ([]*Publication, error)
	// PublicationByPlatformID returns the publication that made the post
	// with the given id on a platform (KindNotFound: none did).
	PublicationByPlatformID(ctx context.Context, platform, platformID string) (*Publication, error)
	// MediaUpload returns the upload of the file with the hash by the
	// user (KindNotFound: the user never uploaded it).
	MediaUpload(ctx context.Context, userID int64, sha256 string) (*MediaUpload, error)
	// MediaInUse reports whether anyone uploaded the file with the hash
	// for a draft: such a file may be in a draft or a publication, and is
	// never deleted from the blob store.
	MediaInUse(ctx context.Context, sha256 string) (bool, error)
	// MediaLink returns the link whose token has the SHA-256 (hex),
	// expired or not (KindNotFound: none has).
	MediaLink(ctx context.Context, tokenSHA256 string) (*MediaLink, error)
}

// PublishWriter writes drafts, reviews, rules and publications; each write
// records its audit event.
type PublishWriter interface {
	// CreateDraft stores d with its first revision (d.Current).
	CreateDraft(ctx context.Context, d *Draft) error
	// AddDraftRevision stores r as the draft's next revision; earlier ones
	// are kept.
	AddDraftRevision(ctx context.Context, r *DraftRevision) error
	SetDraftStatus(ctx context.Context, draftID int64, status DraftStatus, action string) error
	AddDraftReview(ctx context.Context, r *DraftReview) error
	SetPublishRule(ctx context.Context, r *PublishRule) error
	// CreatePublication stores the intent to publish before the platform is
	// called; a second intent for the same draft and account is a conflict.
	CreatePublication(ctx context.Context, p *Publication) error
	// UpdatePublication records the platform's answer.
	UpdatePublication(ctx context.Context, p *Publication) error
	// AddMediaUpload records that a user uploaded a file for a draft; the
	// same file uploaded again by the same user keeps the first record.
	AddMediaUpload(ctx context.Context, m *MediaUpload) error
	// AddMediaLink stores a public link to a file of a publication; its
	// CreatedAt is the transaction's time.
	AddMediaLink(ctx context.Context, l *MediaLink) error
}

// DraftStatus is where a draft is.
type DraftStatus string

// The draft statuses.
const (
	DraftOpen      DraftStatus = "draft"     // being written; not yet submitted
	DraftInReview  DraftStatus = "in_review" // submitted, waiting for approvals
	DraftChanges   DraftStatus = "changes"   // a reviewer asked for changes
	DraftApproved  DraftStatus = "approved"  // approved; waits for its time or a publish
	DraftConfirm   DraftStatus = "confirm"   // approved after its time: someone must confirm
	DraftRefused   DraftStatus = "refused"   // a reviewer refused it
	DraftPublished DraftStatus = "published" // out on every account
	DraftFailed    DraftStatus = "failed"    // at least one account refused it
)

// Label is the status in words, for pages; the API shows the code.
func (s DraftStatus) Label() string {
	switch s {
	case DraftInReview:
		return "in review"
	case DraftChanges:
		return "changes asked for"
	case DraftConfirm:
		return "approved after its time: waits for confirmation"
	case DraftFailed:
		return "not published on every account"
	}
	return string(s)
}

// DraftStatuses lists every draft status.
var DraftStatuses = []DraftStatus{DraftOpen, DraftInReview, DraftChanges, DraftApproved, DraftConfirm, DraftRefused, DraftPublished, DraftFailed}

// NetworkLimits are the most characters a post may have on each network.
var NetworkLimits = map[string]int{
	"mastodon":  500,
	"bluesky":   300,
	"x":         280,
	"facebook":  63206,
	"instagram": 2200,
	"threads":   500,
	"linkedin":  3000,
}

// DefaultPostCategories is the content categories a city posts in (PUB-1,
// Rosemount's list); a city sets its own with the setting
// "publish.categories" (one per line).
var DefaultPostCategories = []string{"announcement", "crime_prevention_tip", "community_engagement_request",
	"real_time_safety_information", "information_sharing", "press_release", "recruitment"}

// RealTimeSafety is the category that may go out without approval from
// the roles an account's rule names.
const RealTimeSafety = "real_time_safety_information"

// Draft is a post being written for one or several official accounts.
type Draft struct {
	ID       int64     `json:"id"`
	AuthorID int64     `json:"author_id"`
	Author   string    `json:"author,omitempty"` // e-mail, read for display
	Kind     DraftKind `json:"kind"`
	// Corrects is the publication a correction corrects or a deletion
	// deletes (0 for a post).
	Corrects  int64          `json:"corrects_publication_id,omitempty"`
	Status    DraftStatus    `json:"status"`
	Revision  int            `json:"revision"` // the current revision's number
	Accounts  []DraftAccount `json:"accounts"`
	CreatedAt time.Time      `json:"created_at"`
	UpdatedAt time.Time      `json:"updated_at"`
	Current   *DraftRevision `json:"current,omitempty"`
}

// DraftKind is what a draft does once approved (PUB-4).
type DraftKind string

// The draft kinds.
const (
	KindPost       DraftKind = "post"       // a new post
	KindCorrection DraftKind = "correction" // corrects a published post: an edit marked as a correction, or a reply
	KindDeletion   DraftKind = "deletion"   // deletes a published post; its text is the reason
)

// DraftAccount is an account a draft is for, and the poster grant its
// author holds for it (PPL-2).
type DraftAccount struct {
	AccountID int64  `json:"account_id"`
	GrantID   int64  `json:"grant_id"`
	Handle    string `json:"handle,omitempty"`
	Platform  string `json:"platform,omitempty"`
}

// DraftRevision is one version of a draft; none is ever overwritten.
type DraftRevision struct {
	DraftID     int64           `json:"draft_id"`
	Number      int             `json:"number"`
	AuthorID    int64           `json:"author_id"`
	Text        string          `json:"text"`
	Media       []DraftMedia    `json:"media"`
	Links       []string        `json:"links"`
	Category    string          `json:"category"`
	ScheduledAt *time.Time      `json:"scheduled_at,omitempty"`
	Screen      json.RawMessage `json:"screen"` // the pre-post screen's result on this revision
	CreatedAt   time.Time       `json:"created_at"`
}

// DraftMedia is an attachment of a draft: a file its author uploaded
// (MediaUpload), named by its SHA-256 in the blob store, with the alt text
// and captions flag the author gave it. A revision keeps its media's
// hashes, so every revision says exactly which bytes it would send.
type DraftMedia struct {
	File        string `json:"file"`
	Kind        string `json:"kind"` // image, gif, video, audio
	Alt         string `json:"alt"`
	Captions    bool   `json:"captions"`
	SHA256      string `json:"sha256"`       // the uploaded file's hash; "" only in drafts written before uploads
	Size        int64  `json:"size"`         // bytes, from the upload
	ContentType string `json:"content_type"` // sniffed from the bytes at upload
}

// ReviewDecision is what a reviewer did.
type ReviewDecision string

// The review decisions.
const (
	ReviewApprove ReviewDecision = "approve"
	ReviewChanges ReviewDecision = "changes" // request changes, with a comment
	ReviewRefuse  ReviewDecision = "refuse"
	ReviewConfirm ReviewDecision = "confirm" // confirm publishing after the scheduled time passed
)

// DraftReview is one reviewer's decision on one revision.
type DraftReview struct {
	ID         int64          `json:"id"`
	DraftID    int64          `json:"draft_id"`
	Revision   int            `json:"revision"`
	ReviewerID int64          `json:"reviewer_id"`
	Reviewer   string         `json:"reviewer,omitempty"`
	Decision   ReviewDecision `json:"decision"`
	Comment    string         `json:"comment"`
	// Override is why the reviewer approved despite findings that block
	// until a reviewer records why (missing alt text or captions).
	Override  string    `json:"override"`
	CreatedAt time.Time `json:"created_at"`
}

// Approver is who approves an account's drafts.
type Approver string

// The approvers.
const (
	ApproverDirector       Approver = "director"       // the account's department director
	ApproverCommunications Approver = "communications" // the Communications coordinator
	ApproverNone           Approver = "none"
)

// PublishRule is an account's review rule (PUB-3).
type PublishRule struct {
	AccountID int64    `json:"account_id"`
	Approver  Approver `json:"approver"`
	Approvals int      `json:"approvals"` // how many distinct approvers
	// RealTimeRoles may publish real-time safety information without
	// approval.
	RealTimeRoles []Role `json:"realtime_roles"`
}

// DefaultPublishRule is the rule of an account that has none: one
// approval by its department director.
func DefaultPublishRule(accountID int64) *PublishRule {
	return &PublishRule{AccountID: accountID, Approver: ApproverDirector, Approvals: 1, RealTimeRoles: []Role{}}
}

// PublicationStatus is where one publish to one account is.
type PublicationStatus string

// The publication statuses.
const (
	PublicationIntent    PublicationStatus = "intent"    // stored before the platform was called
	PublicationPublished PublicationStatus = "published" // the platform has it; PlatformID set
	PublicationFailed    PublicationStatus = "failed"    // the platform refused it; Error says why
)

// PublicationKind is what a publication did on the platform.
type PublicationKind string

// The publication kinds.
const (
	PublishPost   PublicationKind = "post"
	PublishEdit   PublicationKind = "edit"
	PublishReply  PublicationKind = "reply"
	PublishDelete PublicationKind = "delete"
)

// Publication is one draft published (or being published) on one account.
type Publication struct {
	ID             int64             `json:"id"`
	DraftID        int64             `json:"draft_id"`
	Revision       int               `json:"revision"`
	AccountID      int64             `json:"account_id"`
	ConnectionID   int64             `json:"connection_id"`
	IdempotencyKey string            `json:"idempotency_key"`
	Status         PublicationStatus `json:"status"`
	Platform       string            `json:"platform"`
	// Kind is what the call did: post, edit (a correction made by editing
	// the post), reply (a correction posted in the post's thread) or
	// delete.
	Kind PublicationKind `json:"kind"`
	// Corrects is the publication an edit, reply or delete acts on.
	Corrects int64 `json:"corrects_publication_id,omitempty"`
	// Body is the exact text sent (empty for a delete).
	Body        string     `json:"body"`
	PlatformID  string     `json:"platform_id"`
	URL         string     `json:"url"`
	Error       string     `json:"error"`
	Authority   *Authority `json:"authority"`
	CreatedAt   time.Time  `json:"created_at"`
	PublishedAt *time.Time `json:"published_at,omitempty"`
}

// Authority is what shows a post was made in the city's official capacity
// (PUB-7): who drafted and approved it, under which grant and category, and
// what the screen found and how each finding was resolved.
type Authority struct {
	DraftID   int64             `json:"draft_id"`
	Revision  int               `json:"revision"`
	Author    string            `json:"author"`
	Approvers []string          `json:"approvers"`
	Category  string            `json:"category"`
	GrantID   int64             `json:"grant_id"`
	Findings  []AuthorityNote   `json:"findings"`
	Rule      PublishRule       `json:"rule"`
	Extra     map[string]string `json:"extra,omitempty"`
	// Media are the files the post sent, with their alt text.
	Media []AuthorityMedia `json:"media,omitempty"`
}

// AuthorityMedia is one file a publication sent: its hash in the blob
// store, what it is and the alt text that went with it.
type AuthorityMedia struct {
	SHA256      string `json:"sha256"`
	File        string `json:"file"`
	Kind        string `json:"kind"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	Alt         string `json:"alt"`
}

// AuthorityNote is one finding of the screen on the published revision and
// how it was resolved.
type AuthorityNote struct {
	Code       string `json:"code"`
	Span       string `json:"span"`
	Block      string `json:"block"`
	Resolution string `json:"resolution"`
}

// DraftFilter selects drafts. Zero fields match all.
type DraftFilter struct {
	AuthorID  int64
	AccountID int64
	Status    DraftStatus
	Corrects  int64 // corrections and deletion requests of this publication
}

// PublicationFilter selects publications. Zero fields match all.
type PublicationFilter struct {
	DraftID    int64
	Corrects   int64 // the publications that act on this one
	Platform   string
	PlatformID string
	AccountID  int64
	Status     PublicationStatus
}

// Publisher is a platform adapter that can post as an account. Publish
// sends the post with the idempotency key (a platform that honours one,
// like Mastodon, answers a repeated key with the first post); Recent lists
// the account's newest posts so that an intent left without an answer (a
// crash mid-call) is reconciled by its text instead of posted again.
type Publisher interface {
	Publish(ctx context.Context, ep *Endpoint, post OutgoingPost) (*PublishedPost, error)
	Recent(ctx context.Context, ep *Endpoint, limit int) ([]PublishedPost, error)
}

// OutgoingPost is what is sent to a platform.
type OutgoingPost struct {
	Text string
	// Language is the text's language as a BCP 47 tag ("en", "es", "so",
	// "hmn"), so that screen readers pronounce it and residents can filter
	// by it; "" when unknown.
	Language string
	// IdempotencyKey is the same on every retry of one publication. The
	// keys Steward makes are "steward-<Unix microseconds of the
	// intent>-<random hex>"; an adapter may read the time from one (the
	// Bluesky adapter makes its record key from it).
	IdempotencyKey string
	// InReplyTo is the platform id of the post this one answers in its
	// thread (a correction reply); empty for a new post.
	InReplyTo string
	// Media are the files the post carries, in order. Only an adapter that
	// is a MediaPublisher is given any; publish refuses a post with media
	// for any other rather than send its text alone.
	Media []OutgoingMedia
}

// PostPrechecker is a Publisher that can say, from a post alone and before
// anything is sent or any link is made, why its network would refuse it
// (Instagram takes no post of text alone). The draft page shows the answer
// while the draft is written and reviewed, not only when publishing fails.
type PostPrechecker interface {
	Precheck(post OutgoingPost) error
}

// PostEditor is a Publisher that can edit a post the account made
// (Mastodon's PUT /api/v1/statuses/:id). A correction is made by editing
// where the adapter is one, by a reply in the thread elsewhere.
type PostEditor interface {
	Edit(ctx context.Context, ep *Endpoint, platformID string, post OutgoingPost) (*PublishedPost, error)
}

// PostDeleter is a Publisher that can delete a post the account made. A
// post already gone answers a not_found PlatformError.
type PostDeleter interface {
	DeletePost(ctx context.Context, ep *Endpoint, platformID string) error
}

// PublishedPost is a post as the platform answers for it.
type PublishedPost struct {
	ID        string
	URL       string
	Text      string // plain text
	CreatedAt time.Time
}
