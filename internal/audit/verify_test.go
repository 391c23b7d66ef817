package audit_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"steward.city/steward/internal/audit"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/sqlstore"
	"steward.city/steward/internal/storetest"
)

// chain writes five departments, so five audit events, and returns the store.
func chain(t *testing.T, e storetest.Engine) *sqlstore.Store {
	clock := storetest.NewClock(time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC))
	s := e.Open(t, clock.Now)
	for i := 1; i <= 5; i++ {
		clock.Advance(time.Minute)
		err := s.Update(context.Background(), civic.System, func(tx civic.Tx) error {
			return tx.CreateDepartment(context.Background(), &civic.Department{Slug: fmt.Sprintf("d%d", i), Name: fmt.Sprintf("Department %d", i)})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// TestVerifyFindsTampering changes the audit table behind Steward's back in
// each way and checks that Verify names the first broken event.
func TestVerifyFindsTampering(t *testing.T) {
	ctx := context.Background()
	forge := func(s *sqlstore.Store, seq int64, prev string) string {
		e := civic.AuditEvent{Seq: seq, Time: time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC), Actor: "mallory", Action: "department.create", ObjectType: "department", ObjectID: "99", PrevHash: prev}
		e.Hash = e.ComputeHash()
		exec(t, s, `INSERT INTO audit_events (seq, time, actor_id, actor, action, object_type, object_id, before_json, after_json, prev_hash, hash) VALUES (?, ?, 0, ?, ?, ?, ?, '', '', ?, ?)`,
			e.Seq, e.Time, e.Actor, e.Action, e.ObjectType, e.ObjectID, e.PrevHash, e.Hash)
		return e.Hash
	}
	hashAt := func(s *sqlstore.Store, seq int64) string {
		var h string
		if err := s.DB().QueryRow(s.Dialect().Rebind(`SELECT hash FROM audit_events WHERE seq = ?`), seq).Scan(&h); err != nil {
			t.Fatal(err)
		}
		return h
	}
	cases := []struct {
		name   string
		tamper func(*sqlstore.Store)
		seq    int64
	}{
		{"untouched", func(*sqlstore.Store) {}, 0},
		{"altered actor", func(s *sqlstore.Store) { exec(t, s, `UPDATE audit_events SET actor = 'mallory' WHERE seq = 3`) }, 3},
		{"altered after", func(s *sqlstore.Store) {
			exec(t, s, `UPDATE audit_events SET after_json = '{"name":"Forged"}' WHERE seq = 2`)
		}, 2},
		{"altered time", func(s *sqlstore.Store) {
			exec(t, s, `UPDATE audit_events SET time = ? WHERE seq = 4`, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC))
		}, 4},
		{"altered and rehashed", func(s *sqlstore.Store) {
			// The forger recomputes the event's own hash, but the next
			// event still points at the original.
			exec(t, s, `DELETE FROM audit_events WHERE seq = 2`)
			forge(s, 2, hashAt(s, 1))
		}, 3},
		{"removed from the middle", func(s *sqlstore.Store) { exec(t, s, `DELETE FROM audit_events WHERE seq = 3`) }, 3},
		{"removed first", func(s *sqlstore.Store) { exec(t, s, `DELETE FROM audit_events WHERE seq = 1`) }, 1},
		{"removed from the end", func(s *sqlstore.Store) { exec(t, s, `DELETE FROM audit_events WHERE seq = 5`) }, 5},
		{"all removed", func(s *sqlstore.Store) { exec(t, s, `DELETE FROM audit_events`) }, 1},
		{"inserted at the end", func(s *sqlstore.Store) { forge(s, 6, hashAt(s, 5)) }, 6},
		{"inserted in the middle", func(s *sqlstore.Store) {
			// Make room after event 2 and insert a well-formed event there.
			exec(t, s, `UPDATE audit_events SET seq = seq + 100 WHERE seq >= 3`)
			exec(t, s, `UPDATE audit_events SET seq = seq - 99 WHERE seq >= 100`)
			forge(s, 3, hashAt(s, 2))
			exec(t, s, `UPDATE audit_head SET seq = 6`)
		}, 4},
		{"reordered", func(s *sqlstore.Store) {
			exec(t, s, `UPDATE audit_events SET seq = 100 WHERE seq = 2`)
			exec(t, s, `UPDATE audit_events SET seq = 2 WHERE seq = 3`)
			exec(t, s, `UPDATE audit_events SET seq = 3 WHERE seq = 100`)
		}, 2},
	}
	for _, e := range storetest.Engines(t) {
		for _, c := range cases {
			t.Run(e.Name+"/"+c.name, func(t *testing.T) {
				t.Parallel()
				s := chain(t, e)
				c.tamper(s)
				n, err := audit.Verify(ctx, s)
				if c.seq == 0 {
					if err != nil || n != 5 {
						t.Fatalf("Verify = %d, %v; want 5 events, no error", n, err)
					}
					return
				}
				var be *audit.BrokenError
				if !errors.As(err, &be) {
					t.Fatalf("Verify = %d, %v; want a broken chain at event %d", n, err, c.seq)
				}
				if be.Seq != c.seq {
					t.Fatalf("Verify broke at event %d (%s), want %d", be.Seq, be.Reason, c.seq)
				}
			})
		}
	}
}

func exec(t *testing.T, s *sqlstore.Store, q string, args ...any) {
	t.Helper()
	if _, err := s.DB().Exec(s.Dialect().Rebind(q), args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}
