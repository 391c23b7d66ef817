package civic

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// ArchiveReader reads the archive of captured posts and comments (REC-*).
type ArchiveReader interface {
	// ArchiveAccountByRef returns the archive account with the given
	// reference ("mastodon:@parks@city.example").
	ArchiveAccountByRef(ctx context.Context, ref string) (*ArchiveAccount, error)
	ArchiveAccounts(ctx context.Context) ([]*ArchiveAccount, error)
	ArchiveItem(ctx context.Context, id int64) (*ArchiveItem, error)
	// ArchiveItemByPlatformID returns the item of the account with
	// reference accountRef that has the platform's id platformID.
	ArchiveItemByPlatformID(ctx context.Context, accountRef, platformID string) (*ArchiveItem, error)
	// ArchiveVersions lists every version of an item in captured order.
	ArchiveVersions(ctx context.Context, itemID int64) ([]*Version, error)
	// ArchiveThread lists the items of item's thread, oldest first.
	ArchiveThread(ctx context.Context, itemID int64) ([]*ArchiveItem, error)
	// SearchArchive returns one page of versions matching q.
	SearchArchive(ctx context.Context, q *ArchiveQuery) ([]*Version, error)
	// CountArchive returns how many versions match q, all pages together
	// (its offset, limit and order ignored).
	CountArchive(ctx context.Context, q *ArchiveQuery) (int, error)
	// SearchArchiveTotal returns SearchArchive's page and CountArchive's
	// count up to ArchiveTotalCap: when more match, the count is
	// ArchiveTotalCap+1.
	SearchArchiveTotal(ctx context.Context, q *ArchiveQuery) ([]*Version, int, error)
	// WalkVersions calls fn for every version with ID > after, in log
	// order, with the leaf hash the log holds at its index (nil if none).
	WalkVersions(ctx context.Context, after int64, fn func(v *Version, leaf []byte) error) error
	// ScanVersions calls fn for every version with ID > after, in log
	// order: WalkVersions without the log, for exports.
	ScanVersions(ctx context.Context, after int64, fn func(v *Version) error) error
	// ArchiveVersionsBetween returns the versions of archive account
	// accountID whose time (Version.At) is in [from, to), in log order:
	// one account's month for a transfer, without reading the others'.
	ArchiveVersionsBetween(ctx context.Context, accountID int64, from, to time.Time) ([]*Version, error)
	// WalkArchiveItems calls fn for every item in ID order.
	WalkArchiveItems(ctx context.Context, fn func(*ArchiveItem) error) error
	// ArchiveLogHead returns the log's size and root hash as recorded at the
	// last append.
	ArchiveLogHead(ctx context.Context) (size int64, root []byte, err error)
	// ArchiveCheckpoints lists signed checkpoints, newest first.
	ArchiveCheckpoints(ctx context.Context, limit int) ([]*Checkpoint, error)
	Holds(ctx context.Context) ([]*Hold, error)
	Hold(ctx context.Context, id int64) (*Hold, error)
	// HeldItemIDs lists the items an active hold covers, among ids.
	HeldItemIDs(ctx context.Context, ids []int64) (map[int64]bool, error)
	DispositionRuns(ctx context.Context) ([]*DispositionRun, error)
	DispositionRun(ctx context.Context, id int64) (*DispositionRun, error)
	// DispositionEntries lists the disposition list of a run.
	DispositionEntries(ctx context.Context, runID int64) ([]*DispositionEntry, error)
	// DisposedVersion reports whether a version's content was disposed of by
	// an approved disposition run (executed, or being executed).
	DisposedVersion(ctx context.Context, versionID int64) (bool, error)
	// MatchArchive calls fn once with each item that has a version with ID
	// at most upTo (0: any) matching q (its paging and order ignored),
	// evaluated on the versions table itself and the accounts and holds it
	// refers to: never on the search or date indexes, which only speed up
	// SearchArchive and may disagree with the versions.
	MatchArchive(ctx context.Context, q *ArchiveQuery, upTo int64, fn func(itemID int64) error) error
	// ArchiveDays lists the date index: for each day of item time, the
	// lowest and highest version ID on it, by day.
	ArchiveDays(ctx context.Context) ([]DayRange, error)
	// CompareSearchIndex compares the full-text search index with the text
	// of the versions table and calls fn for each version whose entry
	// differs (missing, extra or other words), at most limit times.
	CompareSearchIndex(ctx context.Context, limit int, fn func(versionID int64, problem string) error) error
}

// DayRange is one row of the archive's date index.
type DayRange struct {
	Day          string // 2006-01-02, UTC
	MinID, MaxID int64
}

// ArchiveWriter changes the archive; each write records its audit event.
type ArchiveWriter interface {
	// IngestVersions stores each version not already stored (by Hash),
	// creating accounts and items on first sight, appends it to the Merkle
	// log and the search index, and records one audit event for the batch.
	// It sets ID, ItemID, AccountID and LogIndex of stored and duplicate
	// versions and returns, for each, whether it was new. rejected is how
	// many records of the batch failed validation, for the audit event.
	IngestVersions(ctx context.Context, vs []*Version, rejected int) ([]bool, error)
	// RegisterArchiveAccount adds an account before anything is captured
	// from it; a.Ref must be new.
	RegisterArchiveAccount(ctx context.Context, a *ArchiveAccount) error
	// AddCheckpoint keeps a signed checkpoint.
	AddCheckpoint(ctx context.Context, c *Checkpoint) error
	// PlaceHold stores h and the items it covers now.
	PlaceHold(ctx context.Context, h *Hold, itemIDs []int64) error
	// ReleaseHold ends a hold; its history stays.
	ReleaseHold(ctx context.Context, id int64, reason string) error
	// CreateDispositionRun stores a proposed run and its list.
	CreateDispositionRun(ctx context.Context, r *DispositionRun, entries []*DispositionEntry) error
	// ApproveDispositionRun records the approval of a proposed run by the
	// transaction's actor, with its audit event: the run becomes approved
	// and nothing is disposed of yet (ExecuteDispositionBatch does it). A
	// run that is not proposed (approved already, or executed) is a
	// conflict.
	ApproveDispositionRun(ctx context.Context, id int64) (*DispositionRun, error)
	// ExecuteDispositionBatch handles up to limit entries of an approved
	// run that are not handled yet, in item order from the item after
	// after: an item an active hold covers now is skipped ("under legal
	// hold"); every version of any other is replaced by a tombstone that
	// keeps its hash. Each entry is handled once, however often it is
	// called. The run's counts grow with each batch; once no entry is
	// left, the run becomes executed, with its audit event (once). It returns the run as it is after the batch and the
	// after of the next batch (0: from the first entry again), and does
	// nothing to an executed run. A proposed run is a conflict.
	ExecuteDispositionBatch(ctx context.Context, id, after int64, limit int) (run *DispositionRun, next int64, err error)
	// Classify stores a clerk's classification of each of cs (ID, SetBy
	// and SetAt set here), with one audit event per item.
	Classify(ctx context.Context, cs []*Classification) error
}

// ItemKind is what an archived item is on its platform.
type ItemKind string

// The item kinds.
const (
	ItemPost    ItemKind = "post"
	ItemComment ItemKind = "comment"
	ItemReply   ItemKind = "reply"
	ItemMessage ItemKind = "message"
	ItemMedia   ItemKind = "media"
	ItemProfile ItemKind = "profile"
)

// ItemKinds lists every kind.
var ItemKinds = []ItemKind{ItemPost, ItemComment, ItemReply, ItemMessage, ItemMedia, ItemProfile}

// Label returns the kind as a heading or a list starts it: "Post",
// "Comment". A kind Steward does not know is returned as it is.
func (k ItemKind) Label() string {
	if !k.Valid() {
		return string(k)
	}
	return strings.ToUpper(string(k[:1])) + string(k[1:])
}

// Valid reports whether k is one of ItemKinds.
func (k ItemKind) Valid() bool {
	for _, v := range ItemKinds {
		if v == k {
			return true
		}
	}
	return false
}

// ItemState is what the platform showed when a version was captured.
type ItemState string

// The platform states.
const (
	StateVisible ItemState = "visible"
	StateHidden  ItemState = "hidden"
	StateDeleted ItemState = "deleted"
	StateHeld    ItemState = "held" // held for review by the platform
	// StateUnseen: the platform no longer shows the item to the official
	// account, and did not say it was deleted: its author is blocked or
	// muted, or the item could not be looked up. Not a deletion.
	StateUnseen ItemState = "unseen"
)

// ItemStates lists every state.
var ItemStates = []ItemState{StateVisible, StateHidden, StateDeleted, StateHeld, StateUnseen}

// Valid reports whether s is one of ItemStates.
func (s ItemState) Valid() bool {
	for _, v := range ItemStates {
		if v == s {
			return true
		}
	}
	return false
}

// Removed reports whether the state takes the item out of public view.
func (s ItemState) Removed() bool { return s == StateHidden || s == StateDeleted }

// ArchiveAccount is an official account as the archive knows it: a
// reference "platform:handle" and an optional department. It will be joined
// to the account registry by (platform, handle).
type ArchiveAccount struct {
	ID           int64     `json:"id"`
	Ref          string    `json:"ref"`
	Platform     string    `json:"platform"`
	Handle       string    `json:"handle"`
	DepartmentID int64     `json:"department_id,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
}

// ParseAccountRef splits "platform:handle" and checks both parts.
func ParseAccountRef(ref string) (platform, handle string, err error) {
	platform, handle, ok := strings.Cut(ref, ":")
	if !ok || platform == "" || handle == "" {
		return "", "", Invalid("account", "account must be platform:handle, for example mastodon:@parks@city.example")
	}
	if len(platform) > 32 {
		return "", "", Invalid("account", "the platform name is longer than 32 characters")
	}
	for _, c := range platform {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return "", "", Invalid("account", "the platform must be lower-case letters, digits, - or _")
		}
	}
	if len(handle) > 256 || !utf8.ValidString(handle) {
		return "", "", Invalid("account", "the handle must be valid UTF-8 of at most 256 bytes")
	}
	for _, c := range handle {
		if c <= ' ' || c == 0x7f {
			return "", "", Invalid("account", "the handle may not contain spaces or control characters")
		}
	}
	return platform, handle, nil
}

// ArchiveItem is one thing on a platform: a post, comment, reply, message,
// media or profile of an official account. Its content is in its versions.
type ArchiveItem struct {
	ID           int64     `json:"id"`
	AccountID    int64     `json:"account_id"`
	Account      string    `json:"account"`
	PlatformID   string    `json:"platform_id"`
	Kind         ItemKind  `json:"kind"`
	ParentID     string    `json:"parent_id"` // platform id of the item it answers
	ThreadID     string    `json:"thread_id"` // platform id of the thread's first item
	Tags         []string  `json:"tags"`
	FirstCapture time.Time `json:"first_captured_at"`
	LastCapture  time.Time `json:"last_captured_at"`
	State        ItemState `json:"state"` // of the latest version
	Versions     int       `json:"versions"`
	Text         string    `json:"text"` // of the latest version
	Disposed     bool      `json:"disposed"`
}

// Author is who wrote a version, as the platform names them.
type Author struct {
	ID     string `json:"id"`
	Handle string `json:"handle"`
	Name   string `json:"name"`
}

// Media is a file attached to a version, kept by content hash.
type Media struct {
	SHA256 string `json:"sha256"`
	Type   string `json:"type"`
	Size   int64  `json:"size"`
	URL    string `json:"url,omitempty"`
}

// Version is one immutable observation of an item. Edits and deletions are
// new versions. Hash is the SHA-256 of its content (ComputeHash); the
// version is appended to the Merkle log at LogIndex (its ID minus one).
type Version struct {
	ID           int64      `json:"id"`
	ItemID       int64      `json:"item_id"`
	AccountID    int64      `json:"account_id"`
	Account      string     `json:"account"`
	DepartmentID int64      `json:"department_id,omitempty"` // used when the account is first seen
	PlatformID   string     `json:"platform_id"`
	Kind         ItemKind   `json:"kind"`
	ParentID     string     `json:"parent_id"`
	ThreadID     string     `json:"thread_id"`
	CapturedAt   time.Time  `json:"captured_at"`
	PlatformTime *time.Time `json:"platform_time"`
	Author       Author     `json:"author"`
	Text         string     `json:"text"`
	Media        []Media    `json:"media"`
	State        ItemState  `json:"state"`
	Tags         []string   `json:"tags"`
	Raw          []byte     `json:"raw"`
	Hash         string     `json:"hash"`
	LogIndex     int64      `json:"log_index"`
	DisposedAt   *time.Time `json:"disposed_at"`
	// Holds lists the active holds that cover the version's item; ingest
	// fills it in, the store links the item to them.
	Holds []int64 `json:"-"`
}

// At is the version's time for search and display: the platform's time when
// known, else when it was captured.
func (v *Version) At() time.Time {
	if v.PlatformTime != nil {
		return *v.PlatformTime
	}
	return v.CapturedAt
}

// ComputeHash returns the hex SHA-256 of v's content. Each field is written
// with its length so that no two versions share an encoding. Times are taken
// in UTC to the microsecond, as the stores keep them.
func (v *Version) ComputeHash() string {
	h := sha256.New()
	field := func(s string) {
		h.Write([]byte(strconv.Itoa(len(s))))
		h.Write([]byte{':'})
		h.Write([]byte(s))
		h.Write([]byte{'\n'})
	}
	tm := func(t time.Time) string { return t.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano) }
	field("steward-archive-version-v1")
	field(v.Account)
	field(v.PlatformID)
	field(string(v.Kind))
	field(v.ParentID)
	field(v.ThreadID)
	field(tm(v.CapturedAt))
	if v.PlatformTime != nil {
		field(tm(*v.PlatformTime))
	} else {
		field("")
	}
	field(v.Author.ID)
	field(v.Author.Handle)
	field(v.Author.Name)
	field(v.Text)
	field(strconv.Itoa(len(v.Media)))
	for _, m := range v.Media {
		field(m.SHA256)
		field(m.Type)
		field(strconv.FormatInt(m.Size, 10))
		field(m.URL)
	}
	field(string(v.State))
	field(strconv.Itoa(len(v.Tags)))
	for _, t := range v.Tags {
		field(t)
	}
	field(string(v.Raw))
	return hex.EncodeToString(h.Sum(nil))
}

// Checkpoint is a signed statement of the Merkle log's size and root hash
// at a time, in the signed-note format.
type Checkpoint struct {
	ID       int64     `json:"id"`
	Size     int64     `json:"size"`
	RootHash string    `json:"root_hash"` // base64, as in the note
	Time     time.Time `json:"time"`
	Note     string    `json:"note"` // the signed note, text and signature
}

// Hold is a legal hold placed by the attorney: items in its scope are
// exempt from disposition until it is released (REC-4).
type Hold struct {
	ID            int64      `json:"id"`
	Matter        string     `json:"matter"`
	Accounts      []string   `json:"accounts"` // account references; empty: every account
	From          *time.Time `json:"from"`     // item time range; nil: open
	Until         *time.Time `json:"until"`
	Query         string     `json:"query"` // search words; empty: everything in scope
	PlacedBy      string     `json:"placed_by"`
	PlacedAt      time.Time  `json:"placed_at"`
	ReleasedBy    string     `json:"released_by"`
	ReleasedAt    *time.Time `json:"released_at"`
	ReleaseReason string     `json:"release_reason"`
	Items         int        `json:"items"` // items it covers
}

// Active reports whether the hold has not been released.
func (h *Hold) Active() bool { return h.ReleasedAt == nil }

// DispositionRun is a list of items whose retention has ended, proposed and
// then approved (and executed) by the clerk (REC-3).
type DispositionRun struct {
	ID         int64      `json:"id"`
	Status     string     `json:"status"` // proposed, approved (being executed), executed
	AsOf       time.Time  `json:"as_of"`
	CreatedBy  string     `json:"created_by"`
	CreatedAt  time.Time  `json:"created_at"`
	ApprovedBy string     `json:"approved_by"`
	ApprovedAt *time.Time `json:"approved_at"`
	Items      int        `json:"items"`
	Disposed   int        `json:"disposed"` // so far, while approved
	Skipped    int        `json:"skipped"`  // held when their turn came
}

// DispositionEntry is one line of the disposition list: what, when, under
// which retention class.
type DispositionEntry struct {
	RunID        int64      `json:"run_id"`
	ItemID       int64      `json:"item_id"`
	Account      string     `json:"account"`
	Kind         ItemKind   `json:"kind"`
	PlatformID   string     `json:"platform_id"`
	FirstCapture time.Time  `json:"first_captured_at"`
	LastCapture  time.Time  `json:"last_captured_at"`
	Versions     int        `json:"versions"`
	Class        string     `json:"class"`
	EligibleAt   time.Time  `json:"eligible_at"`
	DisposedAt   *time.Time `json:"disposed_at"`
	Skipped      string     `json:"skipped"` // why it was not disposed of
}

// ArchiveQuery selects versions. Zero fields match all.
type ArchiveQuery struct {
	ItemID int64    // versions of this item only
	Terms  []string // words or phrases, all of which must occur
	// AnyOf is groups of words or phrases (a query's "a OR b"): one of
	// each group must occur, as well as every one of Terms.
	AnyOf        [][]string
	Account      string // account reference
	DepartmentID int64
	Platform     string
	Kind         ItemKind
	Author       string // platform id or handle
	From, Until  time.Time
	State        ItemState
	Removed      *bool // hidden or deleted
	Held         *bool // under an active hold
	Relevance    bool  // order by relevance instead of newest first
	// Public keeps only versions the public portal shows with their
	// content: of an official account, from no covert profile, and
	// classified public (civic.PublicReader).
	Public bool
	Offset int
	// Limit is how many versions to return: 0 means 50; at most
	// MaxArchiveLimit+1 (a caller showing MaxArchiveLimit asks for one
	// more to learn whether another page follows). A store refuses more
	// with KindInvalid; it never shortens the page silently.
	Limit int
}

// MaxArchiveLimit is the most results one archive search shows, in the
// pages, the API and steward search alike.
const MaxArchiveLimit = 1000

// ArchiveTotalCap is the most matches a search counts exactly: when more
// match, ArchiveReader.SearchArchiveTotal gives ArchiveTotalCap+1, which
// the pages and the API say as "more than 1,000". Counting every version
// a common word is in would cost as much as reading them all.
const ArchiveTotalCap = 1000
