package audit_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/audit"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/storetest"
)

// TestNumbering checks a viewer's numbers against counting by hand, for
// every event of a chain where events 3, 4, 7 and 10 are hidden.
func TestNumbering(t *testing.T) {
	t.Parallel()
	hidden := []int64{3, 4, 7, 10}
	// A Numbering is built from the store; build one over a fake reader.
	n, err := audit.NewNumbering(context.Background(), seqReader(hidden), []string{"covert_profile"})
	if err != nil {
		t.Fatal(err)
	}
	num := int64(0)
	for seq := int64(1); seq <= 14; seq++ {
		if slices.Contains(hidden, seq) {
			if !n.Hidden(seq) {
				t.Errorf("event %d is not hidden", seq)
			}
			continue
		}
		num++
		if n.Hidden(seq) {
			t.Errorf("event %d is hidden", seq)
		}
		if got := n.Number(seq); got != num {
			t.Errorf("Number(%d) = %d, want %d", seq, got, num)
		}
		if got := n.Seq(num); got != seq {
			t.Errorf("Seq(%d) = %d, want %d", num, got, seq)
		}
	}
}

// seqReader is a civic.Reader whose only answer is AuditSeqs.
type seqReader []int64

func (r seqReader) AuditSeqs(context.Context, []string) ([]int64, error) { return r, nil }

// TestListHidesGaps writes events about covert profiles and conduct cases
// between ordinary ones, on every engine, and lists them as each kind of
// viewer: each sees 1, 2, 3… over what they may see, pages by their own
// numbers, and finds no hash that would show where the others sit.
func TestListHidesGaps(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	// The chain: d1, covert, d2, conduct, covert, d3 (types by position).
	kinds := []string{"department", "covert_profile", "department", "conduct_case", "covert_profile", "department"}
	viewers := []struct {
		name  string
		roles []civic.Role
		see   []int // positions (1-based) the viewer sees
	}{
		{"auditor", []civic.Role{civic.RoleAuditor}, []int{1, 3, 6}},
		{"hr", []civic.Role{civic.RoleHR}, []int{1, 3, 4, 6}},
		{"commander", []civic.Role{civic.RoleSICCommander}, []int{1, 2, 3, 5, 6}},
		{"commander and attorney", []civic.Role{civic.RoleSICCommander, civic.RoleAttorney}, []int{1, 2, 3, 4, 5, 6}},
	}
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			t.Parallel()
			s := eng.Open(t, storetest.NewClock(time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)).Now)
			for i, k := range kinds {
				if err := s.Update(ctx, civic.System, func(tx civic.Tx) error {
					return tx.Record(ctx, civic.Change{Action: k + ".touch", ObjectType: k, ObjectID: fmt.Sprint(i + 1)})
				}); err != nil {
					t.Fatal(err)
				}
			}
			for _, v := range viewers {
				u := &civic.User{ID: 9, Email: v.name + "@city.example"}
				for _, r := range v.roles {
					u.Grants = append(u.Grants, civic.Grant{Role: r})
				}
				p, err := audit.List(ctx, s, u, civic.AuditFilter{Limit: 50})
				if err != nil {
					t.Fatal(err)
				}
				var seqs []int64
				var ids []string
				for _, e := range p.Entries {
					seqs = append(seqs, e.Seq)
					ids = append(ids, e.ObjectID)
				}
				var want []string
				var wantSeqs []int64
				for i := len(v.see) - 1; i >= 0; i-- {
					want = append(want, fmt.Sprint(v.see[i]))
					wantSeqs = append(wantSeqs, int64(i+1))
				}
				if !slices.Equal(ids, want) || !slices.Equal(seqs, wantSeqs) {
					t.Errorf("%s sees objects %v numbered %v, want %v numbered %v", v.name, ids, seqs, want, wantSeqs)
				}
				b, _ := json.Marshal(p.Entries)
				if strings.Contains(string(b), "hash") {
					t.Errorf("%s's listing carries hashes: %s", v.name, b)
				}
				// Paging by the viewer's own numbers: the page before the
				// newest event is the rest, and one at a time walks them all.
				var walked []int64
				for before := int64(0); ; {
					p, err := audit.List(ctx, s, u, civic.AuditFilter{Limit: 1, BeforeSeq: before})
					if err != nil {
						t.Fatal(err)
					}
					for _, e := range p.Entries {
						walked = append(walked, e.Seq)
					}
					if p.Next == 0 || len(walked) > 10 {
						break
					}
					before = p.Next
				}
				if !slices.Equal(walked, wantSeqs) {
					t.Errorf("%s walks pages %v, want %v", v.name, walked, wantSeqs)
				}
			}
		})
	}
}
