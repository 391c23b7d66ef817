package civic

import "time"

// PosterStatus is where an authorization to post is (PPL-2).
type PosterStatus string

// The poster statuses.
const (
	PosterRequested PosterStatus = "requested"
	PosterGranted   PosterStatus = "granted"
	PosterRefused   PosterStatus = "refused"
	PosterRevoked   PosterStatus = "revoked"
)

// RecertifyEvery is how long a grant stays certified before its director
// must certify it again.
const RecertifyEvery = 365 * 24 * time.Hour

// Poster is a written request by a user to post for an account, and the
// director's decision on it (PPL-2).
type Poster struct {
	ID            int64        `json:"id"`
	AccountID     int64        `json:"account_id"`
	UserID        int64        `json:"user_id"`
	Reason        string       `json:"reason"` // the written request
	Status        PosterStatus `json:"status"`
	RequestedAt   time.Time    `json:"requested_at"`
	DecidedBy     int64        `json:"decided_by,omitempty"`
	DecidedAt     *time.Time   `json:"decided_at,omitempty"`
	ExpiresAt     *time.Time   `json:"expires_at,omitempty"` // the grant stops working at this instant (midnight UTC of the expiry day)
	CertifiedAt   *time.Time   `json:"certified_at,omitempty"`
	RevokedAt     *time.Time   `json:"revoked_at,omitempty"`
	Note          string       `json:"note"` // the decision's or revocation's reason
	UserEmail     string       `json:"user_email,omitempty"`
	AccountHandle string       `json:"account_handle,omitempty"`
	DepartmentID  int64        `json:"department_id,omitempty"` // of the account
}

// Active reports whether p lets its user post at now.
func (p *Poster) Active(now time.Time) bool {
	return p.Status == PosterGranted && p.ExpiresAt != nil && now.Before(*p.ExpiresAt)
}

// RecertifyDue returns when p must next be certified.
func (p *Poster) RecertifyDue() time.Time {
	base := p.RequestedAt
	if p.CertifiedAt != nil {
		base = *p.CertifiedAt
	} else if p.DecidedAt != nil {
		base = *p.DecidedAt
	}
	return base.Add(RecertifyEvery)
}

// Overdue reports whether an active grant has not been certified within a year.
func (p *Poster) Overdue(now time.Time) bool {
	return p.Active(now) && !now.Before(p.RecertifyDue())
}

// PosterFilter selects poster grants. Zero fields match all.
type PosterFilter struct {
	AccountID    int64
	UserID       int64
	DepartmentID int64 // of the account
	Status       PosterStatus
}
