package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/storetest"
)

// TestSearchTotalCapped searches a word more versions have than a search
// counts (civic.ArchiveTotalCap): the archive page, the API and the public
// portal say "more than 1,000" instead of a number they did not count, and
// their next pages still lead past it to the oldest match.
func TestSearchTotalCapped(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			app := newApp(t, e, nil, noLimit)
			seedPortal(t, app)
			ctx := context.Background()
			now := app.clock.Now()
			n := civic.ArchiveTotalCap + 5
			var vs []*civic.Version
			for i := range n {
				at := now.Add(-time.Duration(n-i) * time.Minute)
				r := archive.Record{Account: "facebook:DemoCityPublicWorks", ID: fmt.Sprintf("sw-%d", i), Kind: "post", CapturedAt: at.Format(time.RFC3339Nano),
					Author: civic.Author{ID: "DemoCityPublicWorks", Handle: "DemoCityPublicWorks", Name: "Demo City Public Works"}, Text: fmt.Sprintf("Street sweeping on route %d", i), Raw: []byte(`{}`)}
				v, err := r.Version(now)
				if err != nil {
					t.Fatal(err)
				}
				vs = append(vs, v)
			}
			if err := app.store.Update(ctx, civic.CLI, func(tx civic.Tx) error { _, err := tx.IngestVersions(ctx, vs, 0); return err }); err != nil {
				t.Fatal(err)
			}
			clerk := demoEmail(civic.RoleClerk)
			token, cookie := app.token(clerk), app.session(clerk)

			res := app.do(request{method: "GET", path: "/api/v1/archive/search?limit=5&q=sweeping", bearer: token})
			var page struct {
				Items []struct {
					PlatformID string `json:"platform_id"`
				}
				Total       int
				TotalCapped bool `json:"total_capped"`
				NextOffset  *int `json:"next_offset"`
			}
			if err := json.Unmarshal([]byte(readBody(t, res)), &page); err != nil || res.StatusCode != 200 {
				t.Fatalf("api: %d, %v", res.StatusCode, err)
			}
			if page.Total != civic.ArchiveTotalCap || !page.TotalCapped || len(page.Items) != 5 || page.NextOffset == nil || *page.NextOffset != 5 {
				t.Errorf("api: total %d capped %v, %d items, next %v; want %d, capped, 5, 5", page.Total, page.TotalCapped, len(page.Items), page.NextOffset, civic.ArchiveTotalCap)
			}
			// Past the cap, the last page: the oldest five, no next page.
			res = app.do(request{method: "GET", path: fmt.Sprintf("/api/v1/archive/search?limit=10&offset=%d&q=sweeping", n-5), bearer: token})
			page.Items, page.NextOffset = nil, nil
			if err := json.Unmarshal([]byte(readBody(t, res)), &page); err != nil || len(page.Items) != 5 || page.Items[4].PlatformID != "sw-0" || page.NextOffset != nil || !page.TotalCapped {
				t.Errorf("api last page: %+v, %v; want the five oldest, sw-0 last", page, err)
			}
			// A count under the cap is exact and says so.
			res = app.do(request{method: "GET", path: "/api/v1/archive/search?limit=1&q=sweeping+route+7", bearer: token})
			page.Items, page.NextOffset = nil, nil
			if err := json.Unmarshal([]byte(readBody(t, res)), &page); err != nil || page.TotalCapped || page.Total == 0 || page.Total > civic.ArchiveTotalCap {
				t.Errorf("api exact count: %+v, %v", page, err)
			}

			b := readBody(t, app.do(request{method: "GET", path: "/archive/items?q=sweeping", cookie: cookie}))
			if !strings.Contains(b, "More than 1,000 versions match the search") {
				t.Errorf("archive page does not say more than 1,000:\n%.2000s", b)
			}

			b = readBody(t, app.do(request{method: "GET", path: "/public/search?q=sweeping"}))
			if !strings.Contains(b, "<h2>More than 1,000 records found; the newest first</h2>") || !strings.Contains(b, "More results") || !strings.Contains(b, "route "+fmt.Sprint(n-1)) {
				t.Errorf("public search, page 1, does not say more than 1,000 with a next page:\n%.3000s", b)
			}
			last := (n + 19) / 20
			res = app.do(request{method: "GET", path: fmt.Sprintf("/public/search?q=sweeping&page=%d", last)})
			b = readBody(t, res)
			if res.StatusCode != http.StatusOK || !strings.Contains(b, "Street sweeping on route 0<") || strings.Contains(b, "More results") {
				t.Errorf("public search, page %d: %d; want the oldest record and no next page:\n%.3000s", last, res.StatusCode, b)
			}
		})
	}
}
