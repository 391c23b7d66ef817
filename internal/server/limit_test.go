package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/storetest"
)

// TestSearchLimit stores 60 versions and asks the API for them: every
// limit from 1 to 1000 gives that many (or all), with the next page's
// offset when more follow; a limit out of range is a 422 that says the
// range, in the API and on the audit pages alike. (A limit of 1000 used to
// give 50.)
func TestSearchLimit(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			app := newApp(t, e, nil)
			clerk := app.token(demoEmail(civic.RoleClerk))
			var recs []string
			at := app.clock.Now().Add(-time.Hour)
			for i := range 60 {
				recs = append(recs, fmt.Sprintf(`{"account":"x:@cityhall","id":"%d","kind":"post","captured_at":%q,"text":"plow route %d"}`, i, at.Add(time.Duration(i)*time.Second).Format(time.RFC3339), i))
			}
			res := app.do(request{method: "POST", path: "/api/v1/ingest", body: `{"records":[` + strings.Join(recs, ",") + `]}`, bearer: clerk})
			if res.StatusCode != http.StatusOK {
				t.Fatalf("ingest: %d %s", res.StatusCode, readBody(t, res))
			}
			tests := []struct {
				limit string
				items int
				next  int // 0: none
			}{
				{"", 50, 50},
				{"1", 1, 1},
				{"59", 59, 59},
				{"60", 60, 0},
				{"1000", 60, 0},
			}
			for _, tt := range tests {
				res := app.do(request{method: "GET", path: "/api/v1/archive/search?q=plow&limit=" + tt.limit, bearer: clerk})
				var page struct {
					Items      []json.RawMessage
					NextOffset *int `json:"next_offset"`
				}
				if err := json.Unmarshal([]byte(readBody(t, res)), &page); err != nil || res.StatusCode != http.StatusOK {
					t.Fatalf("limit %q: %d %v", tt.limit, res.StatusCode, err)
				}
				next := 0
				if page.NextOffset != nil {
					next = *page.NextOffset
				}
				if len(page.Items) != tt.items || next != tt.next {
					t.Errorf("limit %q: %d items, next %d; want %d, %d", tt.limit, len(page.Items), next, tt.items, tt.next)
				}
			}
			admin := app.token(demoEmail(civic.RoleAdmin))
			adminPage := app.session(demoEmail(civic.RoleAdmin))
			for _, r := range []request{
				{method: "GET", path: "/api/v1/archive/search?q=plow&limit=5000", bearer: clerk},
				{method: "GET", path: "/api/v1/archive/search?q=plow&limit=1001", bearer: clerk},
				{method: "GET", path: "/api/v1/archive/search?q=plow&limit=0", bearer: clerk},
				{method: "GET", path: "/api/v1/audit?limit=5000", bearer: admin},
				{method: "GET", path: "/audit?limit=5000", cookie: adminPage},
			} {
				res := app.do(r)
				body := readBody(t, res)
				if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "between 1 and 1000") {
					t.Errorf("%s: %d, want 422 saying the range:\n%.500s", r.path, res.StatusCode, body)
				}
			}
		})
	}
}
