package audit_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"steward.city/steward/internal/audit"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/storetest"
)

// BenchmarkList measures one page of 50 events for a viewer from whom one
// event in fifty is hidden, in an SQLite chain of 50,000 events (1,000
// hidden), as the audit page and the API list them.
func BenchmarkList(b *testing.B) {
	ctx := context.Background()
	s := storetest.OpenSQLite(b, storetest.NewClock(time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)).Now)
	for batch := range 50 {
		if err := s.Update(ctx, civic.System, func(tx civic.Tx) error {
			for i := range 1000 {
				ot := "department"
				if i%50 == 0 {
					ot = "covert_profile"
				}
				if err := tx.Record(ctx, civic.Change{Action: ot + ".touch", ObjectType: ot, ObjectID: fmt.Sprint(batch*1000 + i)}); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
	auditor := &civic.User{ID: 9, Grants: []civic.Grant{{Role: civic.RoleAuditor}}}
	b.Run("numbered", func(b *testing.B) {
		for b.Loop() {
			p, err := audit.List(ctx, s, auditor, civic.AuditFilter{Limit: 50, BeforeSeq: 20000})
			if err != nil || len(p.Entries) != 50 {
				b.Fatal(err)
			}
		}
	})
	b.Run("chain numbers", func(b *testing.B) { // what the listing cost before
		for b.Loop() {
			es, err := s.AuditEvents(ctx, civic.AuditFilter{Limit: 50, BeforeSeq: 20000, HideObjectTypes: civic.HiddenObjectTypes(auditor)})
			if err != nil || len(es) != 50 {
				b.Fatal(err)
			}
		}
	})
}
