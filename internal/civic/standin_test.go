package civic

import (
	"testing"
	"time"
)

func day(s string) *time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return &t
}

func TestTurnOf(t *testing.T) {
	now := time.Date(2026, 11, 21, 15, 0, 0, 0, time.UTC)
	gone := now
	comms := &User{ID: 1, Email: "c@x", Grants: []Grant{{Role: RoleCommunications}}}
	dirA := &User{ID: 2, Email: "a@x", Grants: []Grant{{Role: RoleDirector, DepartmentID: 10}}}
	dirB := &User{ID: 3, Email: "b@x", Grants: []Grant{{Role: RoleDirector, DepartmentID: 20}}}
	old := &User{ID: 4, Email: "old@x", Grants: []Grant{{Role: RoleCommunications}}, DisabledAt: &gone}
	users := []*User{comms, dirA, dirB, old}
	commsStep := ApprovalStep{Label: "Communications", Role: RoleCommunications}
	dirStep := ApprovalStep{Label: "Director", Role: RoleDirector}
	designee := &StandIn{Kind: StandInDesignee, Role: RoleCommunications, UserID: dirB.ID}
	next := &StandIn{Kind: StandInNextRole, Role: RoleDirector, NextRole: RoleCommunications}
	deleg := &StandIn{Kind: StandInDelegation, UserID: dirB.ID, ForUserID: dirA.ID, From: day("2026-11-21"), Until: day("2026-11-22")}

	for _, c := range []struct {
		name     string
		step     ApprovalStep
		dept     int64
		excluded []int64
		sis      []*StandIn
		at       time.Time
		may      map[int64]bool
		nobody   bool
		via      string
	}{
		{"the holder", commsStep, 10, nil, []*StandIn{designee}, now, map[int64]bool{1: true, 3: false, 4: false}, false, ""},
		{"the only holder filed it: nobody", commsStep, 10, []int64{1}, nil, now, map[int64]bool{1: false}, true, ""},
		{"the only holder filed it: the designee", commsStep, 10, []int64{1}, []*StandIn{designee}, now, map[int64]bool{1: false, 3: true}, false, "designee"},
		{"a designee who filed it is no fallback", commsStep, 10, []int64{1, 3}, []*StandIn{designee}, now, map[int64]bool{3: false}, true, ""},
		{"no director: nobody", dirStep, 30, nil, nil, now, map[int64]bool{2: false, 3: false}, true, ""},
		{"no director: the next role", dirStep, 30, nil, []*StandIn{next}, now, map[int64]bool{1: true, 2: false}, false, "next role: Communications"},
		{"a director holds it: the next role stands back", dirStep, 10, nil, []*StandIn{next}, now, map[int64]bool{1: false, 2: true}, false, ""},
		{"delegation on its first day", dirStep, 10, nil, []*StandIn{deleg}, now, map[int64]bool{2: true, 3: true}, false, ""},
		{"delegation on its last day", dirStep, 10, nil, []*StandIn{deleg}, now.Add(24*time.Hour + 8*time.Hour), map[int64]bool{3: true}, false, ""},
		{"delegation the day after", dirStep, 10, nil, []*StandIn{deleg}, now.Add(48 * time.Hour), map[int64]bool{3: false}, false, ""},
		{"delegation the day before", dirStep, 10, nil, []*StandIn{deleg}, now.Add(-time.Hour * 16), map[int64]bool{3: false}, false, ""},
		{"no delegation for whoever filed it", dirStep, 10, []int64{2}, []*StandIn{deleg}, now, map[int64]bool{3: false}, true, ""},
	} {
		turn := TurnOf(c.step, c.dept, users, c.excluded, c.sis, c.at)
		for id, want := range c.may {
			var u *User
			for _, x := range users {
				if x.ID == id {
					u = x
				}
			}
			if got, _ := turn.May(u); got != want {
				t.Errorf("%s: %s may: %v, want %v", c.name, u.Email, got, want)
			}
		}
		if turn.Nobody() != c.nobody || turn.Via != c.via {
			t.Errorf("%s: nobody %v via %q, want %v %q", c.name, turn.Nobody(), turn.Via, c.nobody, c.via)
		}
	}
}

func TestSecondReviewers(t *testing.T) {
	comms := &User{ID: 1, Email: "c@x", Grants: []Grant{{Role: RoleCommunications}}}
	att := &User{ID: 2, Email: "att@x", Grants: []Grant{{Role: RoleAttorney}}}
	fb := []*StandIn{{Kind: StandInSecondReview, UserID: att.ID}, {Kind: StandInSecondReview, UserID: comms.ID}}
	if who, fallback := SecondReviewers(1, []*User{comms, att}, nil); len(who) != 0 || !fallback {
		t.Errorf("one Communications user, no fallback: %v %v", Emails(who), fallback)
	}
	if who, fallback := SecondReviewers(1, []*User{comms, att}, fb); len(who) != 1 || who[0] != att || !fallback {
		t.Errorf("the fallback, never the decider: %v %v", Emails(who), fallback)
	}
	other := &User{ID: 3, Email: "c2@x", Grants: []Grant{{Role: RoleCommunications}}}
	if who, fallback := SecondReviewers(1, []*User{comms, att, other}, fb); len(who) != 1 || who[0] != other || fallback {
		t.Errorf("another Communications user: %v %v", Emails(who), fallback)
	}
}

func TestStandInValidate(t *testing.T) {
	for _, c := range []struct {
		s     StandIn
		field string
	}{
		{StandIn{Kind: "x"}, "kind"},
		{StandIn{Kind: StandInDesignee, UserID: 1}, "role"},
		{StandIn{Kind: StandInDesignee, Role: RoleDirector}, "user_id"},
		{StandIn{Kind: StandInDelegation, UserID: 1, ForUserID: 2, From: day("2026-01-02")}, "until"},
		{StandIn{Kind: StandInDelegation, UserID: 1, ForUserID: 2, From: day("2026-01-02"), Until: day("2026-01-01")}, "until"},
		{StandIn{Kind: StandInDelegation, UserID: 1, ForUserID: 2, From: day("2026-01-02"), Until: day("2027-06-01")}, "until"},
		{StandIn{Kind: StandInNextRole, Role: RoleDirector, NextRole: RoleAdmin}, "next_role"},
		{StandIn{Kind: StandInNextRole, Role: RoleCommunications, NextRole: RoleCommunications}, "next_role"},
		{StandIn{Kind: StandInSecondReview}, "user_id"},
	} {
		if err := c.s.Validate(); ErrorField(err) != c.field {
			t.Errorf("%+v: %v, want an error naming %s", c.s, err, c.field)
		}
	}
}
