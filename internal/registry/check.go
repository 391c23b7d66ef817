package registry

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"steward.city/steward/internal/civic"
)

// legacyPrefix starts the reason migration 007 recorded for access held
// before it.
const legacyPrefix = "held before covert access needed two people"

// CheckCovert compares who holds covert access with how they got it, for
// someone who suspects the database was written to directly: every holder
// of the sic_commander role has an approved grant and every approved
// commander grant its role; every approved grant has its proposal and its
// approval (or, for the first commander, its bootstrap) in the audit log,
// by the people the grant names. It returns the problems, and notes on
// access held before migration 007, which has no approval on record. The
// audit chain itself is checked by audit.Verify.
func CheckCovert(ctx context.Context, r civic.Reader) (problems, notes []string, err error) {
	us, err := r.Users(ctx)
	if err != nil {
		return nil, nil, err
	}
	gs, err := r.CovertAccesses(ctx, civic.CovertAccessFilter{Status: civic.CovertApproved})
	if err != nil {
		return nil, nil, err
	}
	commanders := map[int64]bool{}
	for _, g := range gs {
		if g.Kind == civic.CovertCommander {
			commanders[g.UserID] = true
		}
	}
	for _, u := range us {
		if u.Has(civic.RoleSICCommander) && !commanders[u.ID] {
			problems = append(problems, fmt.Sprintf("%s holds the sic_commander role without an approved grant", u.Email))
		}
		if u.Has(civic.RoleSICCommander) && civic.ManagesUsers(u.Grants) {
			problems = append(problems, fmt.Sprintf("%s holds covert access and manages users", u.Email))
		}
		delete(commanders, u.ID)
	}
	byID := map[int64]*civic.User{}
	for _, u := range us {
		byID[u.ID] = u
	}
	for _, g := range gs {
		if u := byID[g.UserID]; g.Kind == civic.CovertCommander && (u == nil || !u.Has(civic.RoleSICCommander)) {
			problems = append(problems, fmt.Sprintf("grant %d makes %s a commander, who lacks the role", g.ID, g.User))
		}
		if g.ProposedBy == 0 && g.DecidedBy == 0 {
			if ok, err := event(ctx, r, "covert_access.bootstrap", g.ID, 0); err != nil {
				return nil, nil, err
			} else if !ok && strings.HasPrefix(g.Reason, legacyPrefix) {
				notes = append(notes, fmt.Sprintf("%s: %s access held before migration 007, no approval on record", g.User, g.Kind))
			} else if !ok {
				problems = append(problems, fmt.Sprintf("grant %d (%s for %s) has neither a proposal nor a bootstrap in the audit log", g.ID, g.Kind, g.User))
			}
			continue
		}
		for _, want := range []struct {
			action string
			by     int64
		}{{"covert_access.propose", g.ProposedBy}, {"covert_access.approve", g.DecidedBy}} {
			ok, err := event(ctx, r, want.action, g.ID, want.by)
			if err != nil {
				return nil, nil, err
			}
			if !ok {
				problems = append(problems, fmt.Sprintf("grant %d (%s for %s): no %s by user %d in the audit log", g.ID, g.Kind, g.User, want.action, want.by))
			}
		}
	}
	return problems, notes, nil
}

// event reports whether the audit log holds action on grant id, by user
// by (any actor when by is 0).
func event(ctx context.Context, r civic.Reader, action string, id, by int64) (bool, error) {
	es, err := r.AuditEvents(ctx, civic.AuditFilter{Action: action, ObjectType: civic.CovertAccessObject, ObjectID: strconv.FormatInt(id, 10), Limit: 10})
	if err != nil {
		return false, err
	}
	for _, e := range es {
		if by == 0 || e.ActorID == by {
			return true, nil
		}
	}
	return false, nil
}
