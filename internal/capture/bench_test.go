package capture_test

import (
	"testing"

	"steward.city/steward/internal/storetest"
)

// BenchmarkFirstPass captures an account of 400 posts (10 pages) from the
// fake Mastodon API on SQLite, from an empty archive: the cost of
// capture's diff and ingest per item, not of a network.
func BenchmarkFirstPass(b *testing.B) {
	const n = 400
	items := 0
	for b.Loop() {
		b.StopTimer()
		e, _, c := engineEnv(b, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite}, n, 100)
		b.StartTimer()
		res, err := e.svc.Pass(e.ctx, c.ID)
		if err != nil || res.Run.Stored != n+1 {
			b.Fatalf("pass %+v, %v", res.Run, err)
		}
		items += res.Run.Stored
	}
	b.ReportMetric(float64(items)/b.Elapsed().Seconds(), "items/s")
}

// BenchmarkUnchangedPass walks the same 400 posts again once they are in
// the archive: the steady-state cost of comparing without storing.
func BenchmarkUnchangedPass(b *testing.B) {
	const n = 400
	e, _, c := engineEnv(b, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite}, n, 100)
	if _, err := e.svc.Pass(e.ctx, c.ID); err != nil {
		b.Fatal(err)
	}
	items := 0
	for b.Loop() {
		res, err := e.svc.Pass(e.ctx, c.ID)
		if err != nil || res.Run.Stored != 0 {
			b.Fatalf("pass %+v, %v", res.Run, err)
		}
		items += n
	}
	b.ReportMetric(float64(items)/b.Elapsed().Seconds(), "items/s")
}
