package civic

import (
	"net/mail"
	"strings"
	"time"
)

// PersonKind is how a covered person is related to the city (PPL-1).
type PersonKind string

// The kinds of covered persons named by the policies.
const (
	KindEmployee        PersonKind = "employee"
	KindElectedOfficial PersonKind = "elected_official"
	KindVolunteer       PersonKind = "volunteer"
	KindContractor      PersonKind = "contractor"
	KindBoardMember     PersonKind = "board_member" // board or commission member
)

// PersonKinds lists every PersonKind in display order.
var PersonKinds = []PersonKind{KindEmployee, KindElectedOfficial, KindVolunteer, KindContractor, KindBoardMember}

// Label returns the kind in plain words.
func (k PersonKind) Label() string {
	switch k {
	case KindEmployee:
		return "Employee"
	case KindElectedOfficial:
		return "Elected official"
	case KindVolunteer:
		return "Volunteer"
	case KindContractor:
		return "Contractor"
	case KindBoardMember:
		return "Board or commission member"
	}
	return string(k)
}

// Valid reports whether k is one of PersonKinds.
func (k PersonKind) Valid() bool {
	for _, v := range PersonKinds {
		if k == v {
			return true
		}
	}
	return false
}

// Person is a covered person: someone the social media policy applies to,
// with their department. A person may or may not have a User to sign in.
type Person struct {
	ID           int64      `json:"id"`
	Name         string     `json:"name"`
	Email        string     `json:"email"`
	Title        string     `json:"title"`
	Kind         PersonKind `json:"kind"`
	DepartmentID int64      `json:"department_id"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
}

// Normalize trims p's text fields and lower-cases its e-mail address.
func (p *Person) Normalize() {
	p.Name = strings.TrimSpace(p.Name)
	p.Email = strings.ToLower(strings.TrimSpace(p.Email))
	p.Title = strings.TrimSpace(p.Title)
}

// Validate reports the first field of p that is wrong. It does not check
// that the department exists; the store does.
func (p *Person) Validate() error {
	if p.Name == "" {
		return Invalid("name", "a person needs a name")
	}
	if len(p.Name) > 200 {
		return Invalid("name", "name is longer than 200 characters")
	}
	if p.Email != "" {
		if err := ValidateEmail(p.Email); err != nil {
			return err
		}
	}
	if len(p.Title) > 200 {
		return Invalid("title", "title is longer than 200 characters")
	}
	if !p.Kind.Valid() {
		return Invalid("kind", "kind must be one of employee, elected_official, volunteer, contractor, board_member")
	}
	if p.DepartmentID <= 0 {
		return Invalid("department_id", "a covered person belongs to a department")
	}
	return nil
}

// ValidateEmail reports whether s is a plain e-mail address (no display name).
func ValidateEmail(s string) error {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || len(s) > 254 {
		return Invalid("email", "%q is not an e-mail address", s)
	}
	return nil
}
