package demo_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/demo"
	"steward.city/steward/internal/storetest"
)

// TestDemoTellsOneStory checks that the demo city is consistent: every
// archived account is in the registry's inventory, each hold holds exactly
// what its scope finds, every removal or hide has its tracking form (some
// of them of comments in Somali, Arabic and Vietnamese), each role has a
// user, and nothing happened after the demo's clock.
func TestDemoTellsOneStory(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			now := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
			clock := storetest.NewClock(now)
			s := e.Open(t, clock.Now)
			ctx := context.Background()
			if _, err := demo.Seed(ctx, s); err != nil {
				t.Fatal(err)
			}

			// Every archived account is in the inventory.
			arch, err := s.ArchiveAccounts(ctx)
			if err != nil || len(arch) == 0 {
				t.Fatalf("archive accounts: %v %v", arch, err)
			}
			inv, err := s.Accounts(ctx, civic.AccountFilter{})
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range arch {
				if !slices.ContainsFunc(inv, func(o *civic.Account) bool { return o.Platform == a.Platform && civic.SameHandle(o.Handle, a.Handle) }) {
					t.Errorf("archived account %s is not in the inventory", a.Ref)
				}
			}

			// Each hold holds exactly what its scope finds.
			holds, err := s.Holds(ctx)
			if err != nil || len(holds) == 0 {
				t.Fatalf("holds: %v %v", holds, err)
			}
			want := map[int64]bool{}
			for _, h := range holds {
				ids, err := archive.HoldItems(ctx, s, h)
				if err != nil {
					t.Fatal(err)
				}
				if h.Items != len(ids) {
					t.Errorf("hold %q covers %d items; its scope finds %d", h.Matter, h.Items, len(ids))
				}
				for _, id := range ids {
					want[id] = true
				}
			}
			var all []int64
			if err := s.WalkArchiveItems(ctx, func(it *civic.ArchiveItem) error { all = append(all, it.ID); return nil }); err != nil {
				t.Fatal(err)
			}
			held, err := s.HeldItemIDs(ctx, all)
			if err != nil {
				t.Fatal(err)
			}
			for _, id := range all {
				if held[id] != want[id] {
					t.Errorf("item %d: held %v, but the holds' scopes find it: %v", id, held[id], want[id])
				}
			}

			// Every removal or hide has its tracking form; the forms include
			// comments in Somali, Arabic and Vietnamese.
			forms, err := s.TrackingForms(ctx)
			if err != nil {
				t.Fatal(err)
			}
			formOf := map[int64]*civic.TrackingForm{}
			for _, f := range forms {
				formOf[f.DecisionID] = f
			}
			reviews, err := s.Reviews(ctx, false)
			if err != nil {
				t.Fatal(err)
			}
			removals := 0
			for _, r := range reviews {
				ds, err := s.Decisions(ctx, r.ID)
				if err != nil {
					t.Fatal(err)
				}
				for _, d := range ds {
					if d.Action == civic.DecisionKeep || d.Status != civic.DecisionFinal {
						continue
					}
					removals++
					if formOf[d.ID] == nil {
						t.Errorf("decision %d (%s, %s) has no tracking form", d.ID, d.Action, d.Code)
					}
					if d.FinalAt != nil && d.FinalAt.After(now) {
						t.Errorf("decision %d is final at %v, after the demo's now", d.ID, d.FinalAt)
					}
				}
			}
			if removals < 4 {
				t.Errorf("%d removals, want the spam hide and the three in other languages", removals)
			}
			has := func(pred func(string) bool) bool {
				return slices.ContainsFunc(forms, func(f *civic.TrackingForm) bool { return pred(f.Comment) })
			}
			if !has(func(s string) bool {
				return strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(unicode.Arabic, r) })
			}) {
				t.Error("no tracking form of a comment in Arabic")
			}
			if !has(func(s string) bool { return strings.Contains(s, "Dịch vụ") }) {
				t.Error("no tracking form of a comment in Vietnamese")
			}
			if !has(func(s string) bool { return strings.Contains(s, "lambarkiisuna") }) {
				t.Error("no tracking form of a comment in Somali")
			}
			for _, f := range forms {
				if f.RemovedAt.After(now) {
					t.Errorf("form %d removed at %v, after the demo's now", f.ID, f.RemovedAt)
				}
			}

			// Each role has a user.
			users, err := s.Users(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, role := range civic.Roles {
				if !slices.ContainsFunc(users, func(u *civic.User) bool {
					return slices.ContainsFunc(u.Grants, func(g civic.Grant) bool { return g.Role == role })
				}) {
					t.Errorf("no demo user holds the role %s", role)
				}
			}

			// Nothing was captured or run after the demo's now.
			if err := s.ScanVersions(ctx, 0, func(v *civic.Version) error {
				if v.CapturedAt.After(now) {
					t.Errorf("version %d captured at %v, after now", v.ID, v.CapturedAt)
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			conns, err := s.Connections(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range conns {
				runs, err := s.CaptureRuns(ctx, c.ID, 100)
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range runs {
					if r.StartedAt.After(now) || r.FinishedAt.After(now) {
						t.Errorf("capture run %d ran %v–%v, after now", r.ID, r.StartedAt, r.FinishedAt)
					}
				}
			}
		})
	}
}
