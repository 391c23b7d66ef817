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

// TestArchiveSearchClerk drives the clerk's search through the API and the
// page on every engine: other forms of a word, OR, the total of all pages,
// and a query with no words to look for refused naming q.
func TestArchiveSearchClerk(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			app := newApp(t, e, nil)
			clerk := demoEmail(civic.RoleClerk)
			token, cookie := app.token(clerk), app.session(clerk)
			now := app.clock.Now().Add(-time.Hour).Format(time.RFC3339)
			rec := func(id, text string) string {
				return fmt.Sprintf(`{"account":"x:@streets","id":%q,"kind":"post","captured_at":%q,"text":%q,"raw":{"id":%q}}`, id, now, text, id)
			}
			body := `{"records":[` + rec("1", "Two culverts blocked on Elm") + `,` + rec("2", "A culvert blocked on Quillfeather Lane") + `,` + rec("3", "New boardwalk on Pine") + `]}`
			if res := app.do(request{method: "POST", path: "/api/v1/ingest", body: body, bearer: token}); res.StatusCode != http.StatusOK {
				t.Fatalf("ingest: %d %s", res.StatusCode, readBody(t, res))
			}
			for q, want := range map[string]int{"culverts": 2, "culvert+OR+boardwalks": 3, "quillfeather": 1, "zzyzx": 0} {
				res := app.do(request{method: "GET", path: "/api/v1/archive/search?limit=1&q=" + q, bearer: token})
				var page struct {
					Items []json.RawMessage
					Total int
				}
				if err := json.Unmarshal([]byte(readBody(t, res)), &page); err != nil || res.StatusCode != 200 || page.Total != want || len(page.Items) != min(want, 1) {
					t.Errorf("api %s: %d, %d items of %d, %v; want %d in all", q, res.StatusCode, len(page.Items), page.Total, err, want)
				}
			}
			for q, want := range map[string]string{"culverts": "2 versions match the search", "quillfeather": "1 version matches the search"} {
				if b := readBody(t, app.do(request{method: "GET", path: "/archive/items?q=" + q, cookie: cookie})); !strings.Contains(b, want) {
					t.Errorf("page %s does not say %q", q, want)
				}
			}
			for _, q := range []string{"%F0%9F%91%8D", "*", "!!!", "culvert+OR", "OR"} {
				res := app.do(request{method: "GET", path: "/api/v1/archive/search?q=" + q, bearer: token})
				b := readBody(t, res)
				var out struct {
					Error struct{ Field, Message string }
				}
				if err := json.Unmarshal([]byte(b), &out); err != nil || res.StatusCode != http.StatusUnprocessableEntity || out.Error.Field != "q" {
					t.Errorf("api %s: %d %s; want 422 naming q", q, res.StatusCode, b)
				}
				res = app.do(request{method: "GET", path: "/archive/items?q=" + q, cookie: cookie})
				if b := readBody(t, res); res.StatusCode != http.StatusUnprocessableEntity || strings.Contains(b, "Two culverts") {
					t.Errorf("page %s: %d; want 422 and no results", q, res.StatusCode)
				}
			}
		})
	}
}
