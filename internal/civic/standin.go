package civic

import (
	"slices"
	"strings"
	"time"
)

// StandInKind is how a stand-in lets someone act where the approval chain
// or the second-review rule would otherwise wait for nobody (issue 17).
type StandInKind string

// The kinds of stand-in.
const (
	// StandInDesignee: UserID decides the steps Role holds (a director's of
	// DepartmentID, or of any department when it is 0) when nobody else
	// can: no enabled user holds the role, or the only ones filed or
	// already decided the request.
	StandInDesignee StandInKind = "designee"
	// StandInDelegation: UserID acts for ForUserID from From to Until
	// (whole days, UTC, both included), as if they held ForUserID's roles
	// for approvals.
	StandInDelegation StandInKind = "delegation"
	// StandInNextRole: when nobody can decide a step held by Role (of
	// DepartmentID, or any department when 0), the holders of NextRole
	// decide it: the next role in the chain.
	StandInNextRole StandInKind = "next_role"
	// StandInSecondReview: UserID gives the second review of a hide or
	// removal when no Communications user other than the first reviewer
	// can.
	StandInSecondReview StandInKind = "second_review"
)

// StandInKinds lists the kinds in display order.
var StandInKinds = []StandInKind{StandInDesignee, StandInDelegation, StandInNextRole, StandInSecondReview}

// Label is the kind in plain words.
func (k StandInKind) Label() string {
	switch k {
	case StandInDesignee:
		return "Designee"
	case StandInDelegation:
		return "Delegation while away"
	case StandInNextRole:
		return "Next role in the chain"
	case StandInSecondReview:
		return "Fallback second reviewer"
	}
	return string(k)
}

// StandIn is one configured fallback of the approval chains and the
// second-review rule, edited by administrators on one page.
type StandIn struct {
	ID           int64       `json:"id"`
	Kind         StandInKind `json:"kind"`
	Role         Role        `json:"role,omitempty"`          // designee, next_role: the role stood in for
	DepartmentID int64       `json:"department_id,omitempty"` // designee, next_role: 0 for every department
	UserID       int64       `json:"user_id,omitempty"`       // designee, delegation, second_review: who acts
	User         string      `json:"user,omitempty"`          // their e-mail, read for display
	ForUserID    int64       `json:"for_user_id,omitempty"`   // delegation: for whom
	For          string      `json:"for,omitempty"`           // their e-mail, read for display
	NextRole     Role        `json:"next_role,omitempty"`     // next_role: who decides instead
	From         *time.Time  `json:"from,omitempty"`          // delegation: first day
	Until        *time.Time  `json:"until,omitempty"`         // delegation: last day
	Note         string      `json:"note"`
	CreatedBy    int64       `json:"created_by"`
	CreatedAt    time.Time   `json:"created_at"`
}

// Validate checks what a stand-in needs before it is stored; the store
// checks that the users exist.
func (s *StandIn) Validate() error {
	s.Note = strings.TrimSpace(s.Note)
	if len(s.Note) > 1000 {
		return Invalid("note", "the note is longer than 1,000 characters")
	}
	switch s.Kind {
	case StandInDesignee:
		if !s.Role.Valid() {
			return Invalid("role", "choose the role the designee stands in for")
		}
		if s.UserID == 0 {
			return Invalid("user_id", "choose the designee")
		}
		s.ForUserID, s.NextRole, s.From, s.Until = 0, "", nil, nil
	case StandInDelegation:
		if s.UserID == 0 {
			return Invalid("user_id", "choose who acts while the other is away")
		}
		if s.ForUserID == 0 {
			return Invalid("for_user_id", "choose whom they act for")
		}
		if s.UserID == s.ForUserID {
			return Invalid("for_user_id", "nobody delegates to themselves")
		}
		if s.From == nil {
			return Invalid("from", "give the first day of the delegation")
		}
		if s.Until == nil {
			return Invalid("until", "give the last day of the delegation")
		}
		if s.Until.Before(*s.From) {
			return Invalid("until", "the last day is before the first")
		}
		if s.Until.Sub(*s.From) > 366*24*time.Hour {
			return Invalid("until", "a delegation lasts at most a year")
		}
		s.Role, s.DepartmentID, s.NextRole = "", 0, ""
	case StandInNextRole:
		if !s.Role.Valid() {
			return Invalid("role", "choose the role whose steps fall to the next role")
		}
		if s.NextRole != RoleCommunications && s.NextRole != RoleDirector {
			return Invalid("next_role", "the next role is Communications or a department director: only they open approval pages")
		}
		if s.NextRole == s.Role {
			return Invalid("next_role", "the next role must differ from the role it stands in for")
		}
		s.UserID, s.ForUserID, s.From, s.Until = 0, 0, nil, nil
	case StandInSecondReview:
		if s.UserID == 0 {
			return Invalid("user_id", "choose the fallback second reviewer")
		}
		s.Role, s.DepartmentID, s.ForUserID, s.NextRole, s.From, s.Until = "", 0, 0, "", nil, nil
	default:
		return Invalid("kind", "choose designee, delegation, next_role or second_review")
	}
	if s.Role != RoleDirector {
		s.DepartmentID = 0
	}
	return nil
}

// Active reports whether the stand-in applies at now: a delegation within
// its days, every other kind always.
func (s *StandIn) Active(now time.Time) bool {
	if s.Kind != StandInDelegation {
		return true
	}
	day := now.UTC().Truncate(24 * time.Hour)
	return s.From != nil && s.Until != nil && !day.Before(*s.From) && !day.After(*s.Until)
}

func (s *StandIn) covers(role Role, dept int64) bool {
	return s.Role == role && (s.DepartmentID == 0 || role != RoleDirector || s.DepartmentID == dept)
}

// Turn is who may decide one waiting step, after the stand-ins.
type Turn struct {
	// Holders may decide: the step's own holders, else the fallbacks.
	Holders []*User
	// Via says how the holders came to it when a fallback applies
	// ("designee", "next role: Communications"), "" when they hold it.
	Via string
	// Delegates act, within their days, for a holder who is away.
	Delegates []Delegate
}

// Delegate is someone acting for another.
type Delegate struct{ By, For *User }

// Nobody reports whether nobody at all may decide.
func (t Turn) Nobody() bool { return len(t.Holders) == 0 && len(t.Delegates) == 0 }

// May reports whether u may decide, and for whom when by delegation.
func (t Turn) May(u *User) (bool, *User) {
	if u == nil || u.DisabledAt != nil {
		return false, nil
	}
	for _, h := range t.Holders {
		if h.ID == u.ID {
			return true, nil
		}
	}
	for _, d := range t.Delegates {
		if d.By.ID == u.ID {
			return true, d.For
		}
	}
	return false, nil
}

// Names lists who may decide, by e-mail address, a delegate with the
// person they act for.
func (t Turn) Names() []string {
	var out []string
	for _, h := range t.Holders {
		out = append(out, h.Email)
	}
	for _, d := range t.Delegates {
		out = append(out, d.By.Email+" (for "+d.For.Email+")")
	}
	return out
}

// TurnOf works out who may decide step of a request from department dept:
// the step's holders other than those excluded (the requester, who already
// decided); when there are none, the designees, else the holders of the
// next role; and whoever acts, within their days, for a holder.
func TurnOf(step ApprovalStep, dept int64, users []*User, excluded []int64, sis []*StandIn, now time.Time) Turn {
	var t Turn
	eligible := func(u *User) bool { return u.DisabledAt == nil && !slices.Contains(excluded, u.ID) }
	byID := map[int64]*User{}
	for _, u := range users {
		byID[u.ID] = u
		if eligible(u) && step.Holds(u, dept) {
			t.Holders = append(t.Holders, u)
		}
	}
	if len(t.Holders) == 0 && step.UserID == 0 {
		for _, s := range sis {
			if s.Kind == StandInDesignee && s.covers(step.Role, stepDept(step, dept)) {
				if u := byID[s.UserID]; u != nil && eligible(u) {
					t.Holders, t.Via = append(t.Holders, u), "designee"
				}
			}
		}
	}
	if len(t.Holders) == 0 && step.UserID == 0 {
		for _, s := range sis {
			if s.Kind != StandInNextRole || !s.covers(step.Role, stepDept(step, dept)) {
				continue
			}
			next := ApprovalStep{Role: s.NextRole}
			for _, u := range users {
				if eligible(u) && next.Holds(u, dept) && !slices.Contains(t.Holders, u) {
					t.Holders, t.Via = append(t.Holders, u), "next role: "+s.NextRole.Label()
				}
			}
		}
	}
	for _, s := range sis {
		if s.Kind != StandInDelegation || !s.Active(now) {
			continue
		}
		d, f := byID[s.UserID], byID[s.ForUserID]
		if d == nil || f == nil || !eligible(d) || slices.Contains(excluded, f.ID) {
			continue
		}
		if f.DisabledAt == nil && step.Holds(f, dept) {
			t.Delegates = append(t.Delegates, Delegate{By: d, For: f})
		}
	}
	return t
}

func stepDept(step ApprovalStep, dept int64) int64 {
	if step.DepartmentID != 0 {
		return step.DepartmentID
	}
	return dept
}

// SecondReviewers is who may give the second review of a hide or removal
// decided by decidedBy: the other enabled Communications users; when there
// are none, the fallback second reviewers other than the decider
// (fallback true). The rule's intent holds either way: never the decider.
func SecondReviewers(decidedBy int64, users []*User, sis []*StandIn) (who []*User, fallback bool) {
	byID := map[int64]*User{}
	for _, u := range users {
		byID[u.ID] = u
		if u.ID != decidedBy && u.DisabledAt == nil && u.Can(PermModerationDecide) {
			who = append(who, u)
		}
	}
	if len(who) > 0 {
		return who, false
	}
	for _, s := range sis {
		if s.Kind != StandInSecondReview {
			continue
		}
		if u := byID[s.UserID]; u != nil && u.ID != decidedBy && u.DisabledAt == nil && !slices.Contains(who, u) {
			who = append(who, u)
		}
	}
	return who, true
}

// Emails lists users' e-mail addresses.
func Emails(us []*User) []string {
	out := make([]string, 0, len(us))
	for _, u := range us {
		out = append(out, u.Email)
	}
	return out
}
