package server_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/storetest"
)

// BenchmarkPublic measures the public portal's pages end to end on SQLite,
// with an account of 1,000 posts of 5 comments each beside the portal's
// seed: the first and the last page of its timeline (20 posts with their
// threads), a post, a search and the feed.
func BenchmarkPublic(b *testing.B) {
	app, s := benchPortal(b)
	acct := "/public/accounts/" + strconv.FormatInt(s.pwAccount, 10)
	for _, c := range []struct{ name, path string }{
		{"accounts", "/public"},
		{"timeline-first", acct},
		{"timeline-last", acct + "?page=50"},
		{"item", "/public/items/" + strconv.FormatInt(s.post, 10)},
		{"search", "/public/search?q=sweeping+route"},
		{"feed", acct + "/feed.atom"},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if res := app.do(request{method: http.MethodGet, path: c.path}); res.StatusCode != http.StatusOK {
					b.Fatalf("%s: %d", c.path, res.StatusCode)
				}
			}
		})
	}
}

// benchPortal is the portal's seed and an account of 1,000 posts with 5
// comments each, on SQLite.
func benchPortal(b testing.TB) (*testApp, *portalSeed) {
	app := newApp(b, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite}, nil, noLimit)
	s := seedPortal(b, app)
	ctx := context.Background()
	now := app.clock.Now()
	var vs []*civic.Version
	for p := range 1000 {
		post := fmt.Sprintf("bp-%d", p)
		at := now.Add(-time.Duration(2000-p) * time.Hour)
		recs := []archive.Record{{Account: "facebook:DemoCityPublicWorks", ID: post, Kind: "post", CapturedAt: at.Format(time.RFC3339Nano),
			Author: civic.Author{ID: "DemoCityPublicWorks", Handle: "DemoCityPublicWorks", Name: "Demo City Public Works"}, Text: fmt.Sprintf("Street sweeping on route %d starts at dawn", p), Raw: []byte(`{}`)}}
		for c := range 5 {
			recs = append(recs, archive.Record{Account: "facebook:DemoCityPublicWorks", ID: fmt.Sprintf("%s-c%d", post, c), Kind: "comment", Parent: post, Thread: post,
				CapturedAt: at.Add(time.Duration(c+1) * time.Minute).Format(time.RFC3339Nano), Author: civic.Author{ID: "r" + strconv.Itoa(c), Handle: "r" + strconv.Itoa(c), Name: "Resident"},
				Text: "Thanks for the notice about the sweeping", Raw: []byte(`{}`)})
		}
		for _, r := range recs {
			v, err := r.Version(now)
			if err != nil {
				b.Fatal(err)
			}
			vs = append(vs, v)
		}
	}
	if err := app.store.Update(ctx, civic.CLI, func(tx civic.Tx) error { _, err := tx.IngestVersions(ctx, vs, 0); return err }); err != nil {
		b.Fatal(err)
	}
	return app, s
}
