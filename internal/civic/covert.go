package civic

import (
	"strings"
	"time"
)

// CovertStatus is where a covert profile is (CVT-3).
type CovertStatus string

// The covert profile statuses.
const (
	CovertActive      CovertStatus = "active"
	CovertDeactivated CovertStatus = "deactivated"
	CovertDeleted     CovertStatus = "deleted"
)

// CovertAuditEvery is how often each covert profile is audited (CVT-2).
const CovertAuditEvery = 365 * 24 * time.Hour

// CovertProfile is a police covert social media profile (CVT-1). Only SIC
// commanders and its own maintainer know it exists.
type CovertProfile struct {
	ID           int64        `json:"id"`
	SiteName     string       `json:"site_name"`
	SiteURL      string       `json:"site_url"`
	Username     string       `json:"username"`
	ScreenName   string       `json:"screen_name"`
	MaintainerID int64        `json:"maintainer_id"` // the user responsible (CVT-4)
	Purpose      string       `json:"purpose"`
	RegisteredOn time.Time    `json:"registered_on"`
	NextAuditOn  time.Time    `json:"next_audit_on"`
	Status       CovertStatus `json:"status"`
	EndedOn      *time.Time   `json:"ended_on,omitempty"`
	EndReason    string       `json:"end_reason"`
	CreatedAt    time.Time    `json:"created_at"`
	UpdatedAt    time.Time    `json:"updated_at"`
	Maintainer   string       `json:"maintainer,omitempty"` // e-mail, read for display
}

// Normalize trims p's text fields.
func (p *CovertProfile) Normalize() {
	for _, s := range []*string{&p.SiteName, &p.SiteURL, &p.Username, &p.ScreenName, &p.Purpose} {
		*s = strings.TrimSpace(*s)
	}
}

// Validate reports the first field of p that is wrong.
func (p *CovertProfile) Validate() error {
	switch {
	case p.SiteName == "":
		return Invalid("site_name", "give the site's name")
	case p.Username == "":
		return Invalid("username", "give the username")
	case p.ScreenName == "":
		return Invalid("screen_name", "give the screen name")
	case p.MaintainerID <= 0:
		return Invalid("maintainer_id", "choose the employee responsible for the profile")
	case p.Purpose == "":
		return Invalid("purpose", "say what the profile is for")
	}
	return validURL("site_url", p.SiteURL, true)
}

// AuditOverdue reports whether an active profile's yearly audit is late.
func (p *CovertProfile) AuditOverdue(now time.Time) bool {
	return p.Status == CovertActive && !now.Before(p.NextAuditOn)
}

// CovertAudit is one yearly audit of a covert profile (CVT-2).
type CovertAudit struct {
	ID          int64     `json:"id"`
	ProfileID   int64     `json:"profile_id"`
	AuditorID   int64     `json:"auditor_id"`
	Auditor     string    `json:"auditor"`
	AuditedAt   time.Time `json:"audited_at"`
	StillActive bool      `json:"still_active"`
	StillNeeded bool      `json:"still_needed"`
	Note        string    `json:"note"`
}

// Notification is a message for one user in Steward (approval waiting,
// grant expiring, audit overdue, profile deactivated, rotation needed).
type Notification struct {
	ID        int64      `json:"id"`
	UserID    int64      `json:"user_id"`
	Kind      string     `json:"kind"`
	Message   string     `json:"message"`
	Link      string     `json:"link"`
	CreatedAt time.Time  `json:"created_at"`
	ReadAt    *time.Time `json:"read_at,omitempty"`
}

// Object types whose audit events only some roles may list.
var (
	CovertObjectTypes  = []string{"covert_profile", "covert_credential", CovertAccessObject}
	ConductObjectTypes = []string{"conduct_case"}
)

// HiddenObjectTypes returns the audit object types u may not list: covert
// profiles, their credentials and grants of covert access (with the
// refused attempts on covert users) unless u is a SIC commander; conduct cases
// unless u is HR, the City Attorney or an administrator. The chain itself
// stays whole; only listings leave these out.
func HiddenObjectTypes(u *User) []string {
	var out []string
	if u == nil || !u.Has(RoleSICCommander) {
		out = append(out, CovertObjectTypes...)
	}
	if u == nil || !(u.Has(RoleHR) || u.Has(RoleAttorney) || u.Has(RoleAdmin)) {
		out = append(out, ConductObjectTypes...)
	}
	return out
}
