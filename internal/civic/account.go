package civic

import (
	"net/url"
	"slices"
	"strings"
	"time"
)

// AccountStatus is where an official account is in its life (ACC-2).
type AccountStatus string

// The account statuses, in order of a normal life.
const (
	AccountRequested AccountStatus = "requested" // asked for, waiting for the approval chain
	AccountApproved  AccountStatus = "approved"  // every step approved; not yet in use
	AccountActive    AccountStatus = "active"
	AccountSuspended AccountStatus = "suspended"
	AccountRetired   AccountStatus = "retired"
	AccountRefused   AccountStatus = "refused"   // a step refused the request
	AccountWithdrawn AccountStatus = "withdrawn" // the requester withdrew it
)

// AccountStatuses lists every status in display order.
var AccountStatuses = []AccountStatus{AccountRequested, AccountApproved, AccountActive, AccountSuspended, AccountRetired, AccountRefused, AccountWithdrawn}

// Valid reports whether s is one of AccountStatuses.
func (s AccountStatus) Valid() bool { return slices.Contains(AccountStatuses, s) }

// Platforms are the networks Steward knows; an account may name another.
var Platforms = []string{"facebook", "instagram", "x", "youtube", "threads", "mastodon", "bluesky", "linkedin", "nextdoor", "tiktok", "other"}

// platformNames are the networks of Platforms as people write them.
var platformNames = map[string]string{"facebook": "Facebook", "instagram": "Instagram", "x": "X", "youtube": "YouTube", "threads": "Threads",
	"mastodon": "Mastodon", "bluesky": "Bluesky", "linkedin": "LinkedIn", "nextdoor": "Nextdoor", "tiktok": "TikTok", "other": "Other"}

// PlatformName returns a platform as people write it ("youtube" is
// "YouTube"): what pages, work lists and messages show. Forms, the API
// and CSV files keep the platform's key. A value not in Platforms is
// returned as it is.
func PlatformName(p string) string {
	if n, ok := platformNames[p]; ok {
		return n
	}
	return p
}

// ContentCategories are the authorized content categories (PUB-1, 002).
var ContentCategories = []string{"announcements", "crime_prevention", "community_engagement", "safety", "information", "press_releases", "recruitment"}

// Account is one official account: first as a request (ACC-1), then as an
// entry of the inventory (ACC-2). Records stay when it is suspended or
// retired (ACC-4).
type Account struct {
	ID           int64         `json:"id"`
	DepartmentID int64         `json:"department_id"`
	Platform     string        `json:"platform"`
	Handle       string        `json:"handle"`
	DisplayName  string        `json:"display_name"`
	URL          string        `json:"url"`
	Purpose      string        `json:"purpose"`
	Audience     string        `json:"audience"`
	Categories   []string      `json:"categories"`
	WebsiteURL   string        `json:"website_url"`  // the city website the profile links to
	ProfileText  string        `json:"profile_text"` // the profile's description as proposed
	Status       AccountStatus `json:"status"`
	StatusReason string        `json:"status_reason"` // why it was suspended, retired, refused or withdrawn
	// OfficialID is the elected official the account belongs to, if any
	// (ACC-5): a city-affiliated account of the office, never a personal one.
	OfficialID int64 `json:"official_id,omitempty"`
	// Institutional is the requester's answer to "is this account
	// institutional, run for the City?" (CND-2), asked on every request
	// and not stored: a "no" is refused, so every registered account is.
	Institutional *bool      `json:"institutional,omitempty"`
	AdminIDs      []int64    `json:"administrator_ids"` // covered persons who administer it
	RequestedBy   int64      `json:"requested_by"`      // user
	RequestedAt   time.Time  `json:"requested_at"`
	ApprovedAt    *time.Time `json:"approved_at,omitempty"`
	ActivatedAt   *time.Time `json:"activated_at,omitempty"`
	EndedAt       *time.Time `json:"ended_at,omitempty"` // suspended, retired, refused or withdrawn at
	UpdatedAt     time.Time  `json:"updated_at"`

	// Profile compliance (ACC-3): what the live profile shows.
	ProfileWebsite    string     `json:"profile_website"`
	ProfileEmergency  string     `json:"profile_emergency"`
	ProfileDisclaimer string     `json:"profile_disclaimer"`
	ProfileCheckedAt  *time.Time `json:"profile_checked_at,omitempty"`
}

// Normalize trims a's text fields.
func (a *Account) Normalize() {
	for _, s := range []*string{&a.Platform, &a.Handle, &a.DisplayName, &a.URL, &a.Purpose, &a.Audience, &a.WebsiteURL, &a.ProfileText} {
		*s = strings.TrimSpace(*s)
	}
	a.Platform = strings.ToLower(a.Platform)
	var cs []string
	for _, c := range a.Categories {
		if c = strings.TrimSpace(c); c != "" && !slices.Contains(cs, c) {
			cs = append(cs, c)
		}
	}
	a.Categories = cs
	var ids []int64
	for _, id := range a.AdminIDs {
		if id != 0 && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	a.AdminIDs = ids
}

// ValidateRequest reports the first field of a request that is wrong. It
// does not check that referenced rows exist; the store does.
func (a *Account) ValidateRequest() error {
	switch {
	case a.DepartmentID <= 0:
		return Invalid("department_id", "choose the department the account is for")
	case !slices.Contains(Platforms, a.Platform):
		return Invalid("platform", "platform must be one of %s", strings.Join(Platforms, ", "))
	case a.Handle == "" || len(a.Handle) > 200:
		return Invalid("handle", "give the proposed handle (up to 200 characters)")
	case a.DisplayName == "" || len(a.DisplayName) > 200:
		return Invalid("display_name", "give the proposed display name (up to 200 characters)")
	case a.Purpose == "":
		return Invalid("purpose", "say what the account is for")
	case a.Audience == "":
		return Invalid("audience", "say who the account is meant to reach")
	case len(a.Categories) == 0:
		return Invalid("categories", "choose at least one content category")
	case len(a.AdminIDs) < 2:
		return Invalid("administrator_ids", "name at least two administrators, so that the account never depends on one person")
	case a.ProfileText == "":
		return Invalid("profile_text", "give the profile text")
	}
	for _, c := range a.Categories {
		if !slices.Contains(ContentCategories, c) {
			return Invalid("categories", "unknown content category %q", c)
		}
	}
	return a.ValidateURLs()
}

// ValidateURLs checks the city website link and the account's address.
func (a *Account) ValidateURLs() error {
	if err := validURL("website_url", a.WebsiteURL, true); err != nil {
		return err
	}
	return validURL("url", a.URL, false)
}

func validURL(field, s string, required bool) error {
	if s == "" {
		if required {
			return Invalid(field, "give the link (https://…)")
		}
		return nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(s) > 500 {
		return Invalid(field, "%q is not a web address like https://www.city.gov", s)
	}
	return nil
}

// Missing lists what the profile lacks (ACC-3): the link to the city
// website, the emergency notice and the comment disclaimer.
func (a *Account) Missing() []string {
	var out []string
	if a.ProfileWebsite == "" || (a.WebsiteURL != "" && !strings.Contains(strings.ToLower(a.ProfileWebsite), strings.ToLower(hostOf(a.WebsiteURL)))) {
		out = append(out, "link to the official city website")
	}
	e := strings.ToLower(a.ProfileEmergency)
	if !strings.Contains(e, "9-1-1") && !strings.Contains(e, "911") {
		out = append(out, "emergency notice (call 9-1-1)")
	}
	if strings.TrimSpace(a.ProfileDisclaimer) == "" {
		out = append(out, "comment disclaimer")
	}
	return out
}

func hostOf(s string) string {
	if u, err := url.Parse(s); err == nil && u.Host != "" {
		return u.Host
	}
	return s
}

// AccountFilter selects accounts. Zero fields match all.
type AccountFilter struct {
	DepartmentID int64
	Platform     string
	Status       AccountStatus
	Query        string // part of the handle or display name
	// Inventory leaves out requests that never became accounts (refused,
	// withdrawn).
	Inventory bool
}

// AccountCount is how many accounts one department has on one platform.
type AccountCount struct {
	DepartmentID int64  `json:"department_id"`
	Platform     string `json:"platform"`
	Count        int    `json:"count"`
}

// Decision is an approver's answer at one step.
type Decision string

// The decisions.
const (
	DecisionApprove Decision = "approve"
	DecisionRefuse  Decision = "refuse"
)

// ApprovalStep is one step of a department's approval chain: someone
// holding Role (for a director, of DepartmentID, or of the requesting
// department when DepartmentID is 0), or the user UserID when set.
type ApprovalStep struct {
	Label        string `json:"label"` // "Director", "Police Administration", "Communications"
	Role         Role   `json:"role"`
	DepartmentID int64  `json:"department_id,omitempty"`
	UserID       int64  `json:"user_id,omitempty"`
}

// DefaultChain is the approval chain of a department that has none of its
// own: its director, then Communications.
func DefaultChain() []ApprovalStep {
	return []ApprovalStep{{Label: "Department director", Role: RoleDirector}, {Label: "Communications", Role: RoleCommunications}}
}

// ValidateChain reports whether steps is a usable chain.
func ValidateChain(steps []ApprovalStep) error {
	if len(steps) == 0 || len(steps) > 6 {
		return Invalid("steps", "a chain has one to six steps")
	}
	for _, s := range steps {
		if strings.TrimSpace(s.Label) == "" {
			return Invalid("steps", "every step needs a label")
		}
		if s.UserID == 0 && !s.Role.Valid() {
			return Invalid("steps", "step %q needs a role or a user", s.Label)
		}
	}
	return nil
}

// Holds reports whether u may decide step s of a request from department
// dept.
func (s ApprovalStep) Holds(u *User, dept int64) bool {
	if u == nil || u.DisabledAt != nil {
		return false
	}
	if s.UserID != 0 && u.ID == s.UserID {
		return true
	}
	if s.Role == "" {
		return false
	}
	for _, g := range u.Grants {
		if g.Role != s.Role {
			continue
		}
		if g.Role != RoleDirector {
			return true
		}
		want := s.DepartmentID
		if want == 0 {
			want = dept
		}
		if g.DepartmentID == want {
			return true
		}
	}
	return false
}

// Approval is one recorded step of a request's approval chain.
type Approval struct {
	ID         int64     `json:"id"`
	AccountID  int64     `json:"account_id"`
	Step       int       `json:"step"` // index into the chain
	Label      string    `json:"label"`
	ApproverID int64     `json:"approver_id"`
	Approver   string    `json:"approver"` // e-mail, read for display
	Decision   Decision  `json:"decision"`
	Comment    string    `json:"comment"`
	DecidedAt  time.Time `json:"decided_at"`
}
