package civic

import (
	"context"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// Class is how the Minnesota Government Data Practices Act classifies an
// archived version: public unless a statute makes it private (data on
// individuals) or nonpublic (data not on individuals).
type Class string

// The classifications.
const (
	ClassPublic    Class = "public"
	ClassPrivate   Class = "private"
	ClassNonpublic Class = "nonpublic"
)

// Classes lists every classification.
var Classes = []Class{ClassPublic, ClassPrivate, ClassNonpublic}

// Valid reports whether c is one of Classes.
func (c Class) Valid() bool { return c == ClassPublic || c == ClassPrivate || c == ClassNonpublic }

// The statute and reason of the default rules (docs/public.md). Data is
// public unless a statute classifies it; these defaults withhold what a
// city must look at before it is published, and the clerk confirms or
// changes them item by item.
const (
	// DefaultPrivateStatute is cited by the default rules that withhold
	// data on individuals: direct messages, and comments removed for
	// private information.
	DefaultPrivateStatute = "13.02, subd. 12"
	ReasonDirectMessage   = "a direct message to the city: data on the individual who sent it"
	ReasonPrivateInfo     = "a comment removed for private information"
	ReasonDefaultPublic   = "posted on or to an official account: public unless a statute classifies it"
)

// Classification is the classification of one archived version. A row of
// the store is a clerk's decision; a version without one has its default
// (Default true, ID 0, SetBy "steward"). Records are never altered: the
// classification is kept beside the version, and every change is a new
// row with its audit event.
type Classification struct {
	ID        int64     `json:"id,omitempty"`
	ItemID    int64     `json:"item_id"`
	VersionID int64     `json:"version_id"`
	Class     Class     `json:"class"`
	Statute   string    `json:"statute"` // "13.356": Minn. Stat. section, for private and nonpublic
	Reason    string    `json:"reason"`
	SetBy     string    `json:"set_by"`
	SetAt     time.Time `json:"set_at,omitzero"`
	Default   bool      `json:"default"` // computed by a default rule, not set by anyone
}

// Withheld reports whether the version's content is kept from the public.
func (c *Classification) Withheld() bool { return c.Class != ClassPublic }

// Citation is what the public reads of a withheld version: "Private data,
// Minn. Stat. 13.43"; empty for a public one.
func (c *Classification) Citation() string {
	switch c.Class {
	case ClassPrivate:
		return "Private data, Minn. Stat. " + c.Statute
	case ClassNonpublic:
		return "Nonpublic data, Minn. Stat. " + c.Statute
	}
	return ""
}

// statuteRE is a section of chapter 13 with an optional subdivision and
// clause: 13.43, 13.601, subd. 2, 13.82, subd. 7(a).
var statuteRE = regexp.MustCompile(`^13\.[0-9]{2,4}[A-Z]?(, subd\. [0-9]{1,3}[a-z]?(\([a-z0-9]{1,3}\))?)?$`)

// Normalize trims c's text fields and drops a leading "Minn. Stat.".
func (c *Classification) Normalize() {
	c.Statute = strings.TrimSpace(c.Statute)
	for _, p := range []string{"Minn. Stat. §", "Minn. Stat. ", "Minn. Stat.", "§"} {
		c.Statute = strings.TrimSpace(strings.TrimPrefix(c.Statute, p))
	}
	c.Reason = strings.TrimSpace(c.Reason)
}

// Validate reports the first field of a clerk's classification that is
// wrong: private and nonpublic need the statute that makes them so; every
// change needs a reason.
func (c *Classification) Validate() error {
	switch {
	case !c.Class.Valid():
		return Invalid("class", "class must be public, private or nonpublic")
	case c.Class == ClassPublic && c.Statute != "":
		return Invalid("statute", "public data cites no statute; leave the statute empty")
	case c.Class != ClassPublic && c.Statute == "":
		return Invalid("statute", "%s data must cite the statute that classifies it (Minn. Stat. 13.xx)", c.Class)
	case c.Class != ClassPublic && !statuteRE.MatchString(c.Statute):
		return Invalid("statute", "write the statute as a section of chapter 13, for example 13.43 or 13.601, subd. 2")
	case c.Reason == "":
		return Invalid("reason", "say why the data has this classification")
	case utf8.RuneCountInString(c.Reason) > 1000 || !utf8.ValidString(c.Reason):
		return Invalid("reason", "the reason must be valid text of at most 1000 characters")
	}
	return nil
}

// PublicAccount is an official account as the public portal lists it:
// registered, and active, suspended or retired. Covert profiles are never
// official accounts and never listed.
type PublicAccount struct {
	ID          int64         `json:"id"`         // the registry's account id
	ArchiveID   int64         `json:"archive_id"` // its archive account; 0 when nothing was captured
	Platform    string        `json:"platform"`
	Handle      string        `json:"handle"`
	DisplayName string        `json:"display_name"`
	URL         string        `json:"url"`
	Department  string        `json:"department"`
	Status      AccountStatus `json:"status"`
	EndedAt     *time.Time    `json:"ended_at,omitempty"`
}

// PublicRemoval is the hide or removal in force on a comment, as the
// public portal shows it: when, why, and the tracking form recording it.
type PublicRemoval struct {
	ItemID    int64          `json:"item_id"`
	Action    DecisionAction `json:"action"`
	Code      string         `json:"code"`
	RemovedAt time.Time      `json:"removed_at"`
	FormID    int64          `json:"form_id"` // 0: no form recorded
}

// PublicReader reads what the public portal may show. Every read applies
// one rule, kept in the store: a version is shown at all only when its
// account is a registered official account (active, suspended or retired)
// and neither its account nor its author is a covert profile; of those,
// only the ones classified public show their content.
type PublicReader interface {
	// PublicAccounts lists the official accounts the portal shows, by
	// display name.
	PublicAccounts(ctx context.Context) ([]*PublicAccount, error)
	// PublicAccountsOf returns, by archive account id, the official
	// accounts of archiveIDs that the portal shows (an archive account it
	// does not show is absent): what PublicAccounts says of them, with each
	// ArchiveID the one asked for, read without listing every account.
	PublicAccountsOf(ctx context.Context, archiveIDs []int64) (map[int64]*PublicAccount, error)
	// PublicClasses returns the classification in force of each of ids
	// that the portal may show at all; a version it may not show is
	// absent from the map.
	PublicClasses(ctx context.Context, ids []int64) (map[int64]*Classification, error)
	// PublicPosts returns one page of the posts of an archive account,
	// newest first, and how many there are: only posts the portal may show.
	PublicPosts(ctx context.Context, archiveAccountID int64, offset, limit int) ([]*ArchiveItem, int, error)
	// PublicThreads returns the items of an archive account that belong to
	// the threads started by the items with platform ids threadIDs (those
	// items too), oldest first; messages are left out.
	PublicThreads(ctx context.Context, archiveAccountID int64, threadIDs []string) ([]*ArchiveItem, error)
	// PublicRemovals returns the hide or removal in force on each of
	// itemIDs that has one.
	PublicRemovals(ctx context.Context, itemIDs []int64) (map[int64]*PublicRemoval, error)
	// PublicSuperseded returns which of the versions ids have a later
	// version of their item, captured after them: a search lists matching
	// versions, and an earlier one is marked as such. That an item has
	// later versions is public: its page lists every version, withheld
	// ones as notices.
	PublicSuperseded(ctx context.Context, ids []int64) (map[int64]bool, error)
	// PublicRedactions returns the spans of each of ids redacted for any
	// records request, by start: the portal shows them as gaps.
	PublicRedactions(ctx context.Context, ids []int64) (map[int64][]*Redaction, error)
	// Classifications lists the clerk's classifications of an item's
	// versions, oldest first: its history.
	Classifications(ctx context.Context, itemID int64) ([]*Classification, error)
}
