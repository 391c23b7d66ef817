package civic

import (
	"fmt"
	"slices"
	"strings"
)

// Role is a responsibility the policies give someone (PPL-3).
type Role string

// The roles. A director is always the director of one department.
const (
	RoleAdmin          Role = "admin"
	RoleCommunications Role = "communications"
	RoleDirector       Role = "director"
	RoleStaff          Role = "staff"
	RoleClerk          Role = "clerk"
	RoleAttorney       Role = "attorney"
	RoleHR             Role = "hr"
	RoleIT             Role = "it"
	RoleSICCommander   Role = "sic_commander"
	RoleAuditor        Role = "auditor"
)

// Roles lists every role in display order.
var Roles = []Role{RoleAdmin, RoleCommunications, RoleDirector, RoleStaff, RoleClerk, RoleAttorney, RoleHR, RoleIT, RoleSICCommander, RoleAuditor}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// Label returns the role in plain words.
func (r Role) Label() string {
	switch r {
	case RoleAdmin:
		return "Administrator"
	case RoleCommunications:
		return "Communications"
	case RoleDirector:
		return "Department director"
	case RoleStaff:
		return "Staff"
	case RoleClerk:
		return "City Clerk (records)"
	case RoleAttorney:
		return "City Attorney"
	case RoleHR:
		return "Human Resources"
	case RoleIT:
		return "Information Technology"
	case RoleSICCommander:
		return "SIC commander"
	case RoleAuditor:
		return "Auditor"
	}
	return string(r)
}

// Grant gives a user one role. DepartmentID is set for a director (the
// department they direct) and zero for every other role.
type Grant struct {
	Role         Role  `json:"role"`
	DepartmentID int64 `json:"department_id,omitempty"`
}

// String formats g as the CLI writes it: "staff" or "director:12".
func (g Grant) String() string {
	if g.DepartmentID != 0 {
		return fmt.Sprintf("%s:%d", g.Role, g.DepartmentID)
	}
	return string(g.Role)
}

// Validate reports whether g is a known role with a department exactly when
// the role needs one.
func (g Grant) Validate() error {
	if !g.Role.Valid() {
		return Invalid("roles", "unknown role %q", g.Role)
	}
	if g.Role == RoleDirector && g.DepartmentID <= 0 {
		return Invalid("roles", "a director must be the director of a department")
	}
	if g.Role != RoleDirector && g.DepartmentID != 0 {
		return Invalid("roles", "only a director role names a department")
	}
	return nil
}

// NormalizeGrants validates gs and returns them sorted without duplicates.
func NormalizeGrants(gs []Grant) ([]Grant, error) {
	out := make([]Grant, 0, len(gs))
	for _, g := range gs {
		if err := g.Validate(); err != nil {
			return nil, err
		}
		if !slices.Contains(out, g) {
			out = append(out, g)
		}
	}
	slices.SortFunc(out, func(a, b Grant) int {
		if c := slices.Index(Roles, a.Role) - slices.Index(Roles, b.Role); c != 0 {
			return c
		}
		return int(a.DepartmentID - b.DepartmentID)
	})
	return out, nil
}

// FormatGrants joins gs with commas, as the CLI prints them.
func FormatGrants(gs []Grant) string {
	s := make([]string, len(gs))
	for i, g := range gs {
		s[i] = g.String()
	}
	return strings.Join(s, ",")
}
