package civic

import (
	"context"
	"slices"
	"strings"
	"time"
)

// Contract is a platform agreement the city accepted (ACC-6): terms of
// service, a user agreement, community guidelines.
type Contract struct {
	ID         int64     `json:"id"`
	Platform   string    `json:"platform"`
	Title      string    `json:"title"`
	Version    string    `json:"version"`
	URL        string    `json:"url"`
	AcceptedBy string    `json:"accepted_by"` // who clicked "accept"
	Authority  string    `json:"authority"`   // on whose authority: Communications, or the person it authorized
	AcceptedOn time.Time `json:"accepted_on"`
	ReviewOn   time.Time `json:"review_on"`
	AccountIDs []int64   `json:"account_ids"` // the accounts that rely on it
	CreatedAt  time.Time `json:"created_at"`
}

// Validate reports the first field of c that is wrong.
func (c *Contract) Validate() error {
	for _, s := range []*string{&c.Platform, &c.Title, &c.Version, &c.URL, &c.AcceptedBy, &c.Authority} {
		*s = strings.TrimSpace(*s)
	}
	switch {
	case !slices.Contains(Platforms, c.Platform):
		return Invalid("platform", "platform must be one of %s", strings.Join(Platforms, ", "))
	case c.Title == "":
		return Invalid("title", "name the agreement (terms of service, community guidelines…)")
	case c.Version == "" && c.URL == "":
		return Invalid("version", "give the version or the link of the text accepted")
	case c.AcceptedBy == "":
		return Invalid("accepted_by", "say who accepted it")
	case c.Authority == "":
		return Invalid("authority", "say on whose authority: Communications, or the person it authorized")
	case c.AcceptedOn.IsZero():
		return Invalid("accepted_on", "give the date it was accepted")
	case c.ReviewOn.Before(c.AcceptedOn):
		return Invalid("review_on", "the review date comes after the acceptance")
	}
	return validURL("url", c.URL, false)
}

// ReviewDue reports whether the contract should have been reviewed by now.
func (c *Contract) ReviewDue(now time.Time) bool { return !now.Before(c.ReviewOn) }

// FollowKind is what an account an official account follows is (ACC-7).
type FollowKind string

// The allowed kinds, and FollowReview for one to be looked at.
const (
	FollowGovernment FollowKind = "government"
	FollowNonprofit  FollowKind = "nonprofit" // nonprofit or nonpartisan, related to city functions
	FollowMedia      FollowKind = "local_media"
	FollowBusiness   FollowKind = "local_business"
	FollowReview     FollowKind = "review" // not (yet) an allowed kind
)

// FollowKinds lists every kind.
var FollowKinds = []FollowKind{FollowGovernment, FollowNonprofit, FollowMedia, FollowBusiness, FollowReview}

// Follow is an account an official account follows or likes.
type Follow struct {
	ID         int64      `json:"id"`
	AccountID  int64      `json:"account_id"`
	Handle     string     `json:"handle"`
	Name       string     `json:"name"`
	Kind       FollowKind `json:"kind"`
	Note       string     `json:"note"`
	RecordedAt time.Time  `json:"recorded_at"`
}

// PolicyVersion is one version of a policy document covered persons
// acknowledge (PPL-4). The newest version of a slug is its current one.
type PolicyVersion struct {
	ID          int64     `json:"id"`
	Slug        string    `json:"slug"`
	Title       string    `json:"title"`
	Version     string    `json:"version"`
	URL         string    `json:"url"`
	PublishedAt time.Time `json:"published_at"`
}

// Acknowledgement is a covered person's acknowledgement of a policy version.
type Acknowledgement struct {
	PolicyVersionID int64     `json:"policy_version_id"`
	PersonID        int64     `json:"person_id"`
	AcknowledgedAt  time.Time `json:"acknowledged_at"`
}

// CaseStatus is whether a conduct case is open.
type CaseStatus string

// The case statuses.
const (
	CaseOpen   CaseStatus = "open"
	CaseClosed CaseStatus = "closed"
)

// ConductCase is a suspected violation of the policy by a covered person
// (CND-1). Only HR, the City Attorney and administrators see cases.
type ConductCase struct {
	ID       int64      `json:"id"`
	PersonID int64      `json:"person_id"`
	Summary  string     `json:"summary"`
	Status   CaseStatus `json:"status"`
	Outcome  string     `json:"outcome"`
	OpenedBy int64      `json:"opened_by"`
	OpenedAt time.Time  `json:"opened_at"`
	ClosedAt *time.Time `json:"closed_at,omitempty"`
}

// CaseEntry is evidence linked to a case (an audit event now, archived
// items once the archive has them) or a decision recorded in it.
type CaseEntry struct {
	ID      int64     `json:"id"`
	CaseID  int64     `json:"case_id"`
	Kind    string    `json:"kind"` // "audit_event", "archive_item", "decision"
	Ref     string    `json:"ref"`  // the audit event's number, the item's id; "" for a decision
	Text    string    `json:"text"`
	AddedBy int64     `json:"added_by"`
	AddedAt time.Time `json:"added_at"`
}

// GovernanceReader reads contracts, follows, policies and conduct cases.
type GovernanceReader interface {
	Contracts(ctx context.Context) ([]*Contract, error)
	Follows(ctx context.Context, accountID int64) ([]*Follow, error)
	Follow(ctx context.Context, id int64) (*Follow, error)
	// PolicyVersions lists every version, newest first.
	PolicyVersions(ctx context.Context) ([]*PolicyVersion, error)
	Acknowledgements(ctx context.Context, policyVersionID int64) ([]*Acknowledgement, error)
	ConductCase(ctx context.Context, id int64) (*ConductCase, error)
	ConductCases(ctx context.Context) ([]*ConductCase, error)
	CaseEntries(ctx context.Context, caseID int64) ([]*CaseEntry, error)
}

// GovernanceWriter changes them; each write records its audit event.
type GovernanceWriter interface {
	CreateContract(ctx context.Context, c *Contract) error
	PutFollow(ctx context.Context, f *Follow) error
	PublishPolicy(ctx context.Context, p *PolicyVersion) error
	Acknowledge(ctx context.Context, a *Acknowledgement) error
	CreateConductCase(ctx context.Context, c *ConductCase) error
	UpdateConductCase(ctx context.Context, c *ConductCase, action string) error
	AddCaseEntry(ctx context.Context, e *CaseEntry) error
}
