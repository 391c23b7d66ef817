package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"steward.city/steward/internal/audit"
	"steward.city/steward/internal/civic"
)

// BenchmarkAuditedWrite measures one write transaction with its audit
// event: the cost every change in Steward pays.
func BenchmarkAuditedWrite(b *testing.B) {
	for _, e := range Engines(b) {
		b.Run(e.Name, func(b *testing.B) {
			s := e.Open(b, time.Now)
			ctx := context.Background()
			i := 0
			for b.Loop() {
				i++
				err := s.Update(ctx, civic.System, func(tx civic.Tx) error {
					return tx.CreateDepartment(ctx, &civic.Department{Slug: fmt.Sprintf("d%d", i), Name: fmt.Sprintf("D %d", i)})
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkAuditVerify measures walking and checking a chain of 10,000 events.
func BenchmarkAuditVerify(b *testing.B) {
	for _, e := range Engines(b) {
		b.Run(e.Name, func(b *testing.B) {
			s := e.Open(b, time.Now)
			ctx := context.Background()
			const n = 10000
			for i := 0; i < n; i += 500 {
				err := s.Update(ctx, civic.System, func(tx civic.Tx) error {
					for j := i; j < i+500; j++ {
						if err := tx.Record(ctx, civic.Change{Action: "bench.event", ObjectType: "bench", ObjectID: fmt.Sprint(j), After: map[string]int{"n": j}}); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ResetTimer()
			for b.Loop() {
				if got, err := audit.Verify(ctx, s); err != nil || got != n {
					b.Fatalf("Verify = %d, %v", got, err)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
