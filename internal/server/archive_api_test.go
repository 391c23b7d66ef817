package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/storetest"
)

// TestArchiveAPI drives the archive through the JSON API on every engine:
// a mixed batch with per-record outcomes, idempotence, one audit event per
// batch, search, the item view, a hold, a disposition run and its list, and
// the public checkpoints.
func TestArchiveAPI(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			app := newApp(t, e, nil)
			clerk, attorney, staff := app.token(demoEmail(civic.RoleClerk)), app.token(demoEmail(civic.RoleAttorney)), app.token(demoEmail(civic.RoleStaff))
			now := app.clock.Now().Add(-time.Hour).Format(time.RFC3339)
			good := fmt.Sprintf(`{"account":"x:@cityhall","id":"900","kind":"post","captured_at":%q,"text":"Snow emergency declared tonight","tags":["transitory"],"raw":{"id" : "900"}}`, now)
			body := `{"records":[` + good + `,
				{"account":"x:@cityhall","id":"901","kind":"tweet","captured_at":"` + now + `"},
				{"account":"x:@cityhall","id":902},
				{"account":"x:@cityhall","id":"903","kind":"comment","captured_at":"` + now + `","text":"bad","extra":1},
				` + good + `]}`

			res := app.do(request{method: "POST", path: "/api/v1/ingest", body: body, bearer: staff})
			if res.StatusCode != http.StatusForbidden {
				t.Fatalf("staff ingest: %d, want 403", res.StatusCode)
			}
			before, _, _ := app.store.AuditHead(context.Background())
			res = app.do(request{method: "POST", path: "/api/v1/ingest", body: body, bearer: clerk})
			raw := readBody(t, res)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("ingest: %d %s", res.StatusCode, raw)
			}
			var out struct {
				Stored, Duplicates, Rejected int
				Records                      []struct {
					Index  int
					Status string
					ItemID int64 `json:"item_id"`
					Error  *struct{ Code, Message, Field string }
				}
			}
			if err := json.Unmarshal([]byte(raw), &out); err != nil {
				t.Fatal(err)
			}
			if out.Stored != 1 || out.Duplicates != 1 || out.Rejected != 3 {
				t.Fatalf("outcome %s", raw)
			}
			for i, field := range map[int]string{1: "kind", 2: "id", 3: "extra"} {
				if r := out.Records[i]; r.Status != "rejected" || r.Error == nil || r.Error.Field != field {
					t.Errorf("record %d: %+v, want rejected naming %s", i, r, field)
				}
			}
			if after, _, _ := app.store.AuditHead(context.Background()); after != before+1 {
				t.Errorf("the batch wrote %d audit events, want 1", after-before)
			}
			again := app.do(request{method: "POST", path: "/api/v1/ingest", body: `{"records":[` + good + `]}`, bearer: clerk})
			if b := readBody(t, again); !strings.Contains(b, `"duplicate"`) {
				t.Errorf("the same record again: %s", b)
			}
			for _, bad := range []string{`{"records":`, `[]`, `{"records":[],"x":1}`} {
				if r := app.do(request{method: "POST", path: "/api/v1/ingest", body: bad, bearer: clerk}); r.StatusCode != http.StatusUnprocessableEntity {
					t.Errorf("body %q: %d, want 422", bad, r.StatusCode)
				}
			}

			res = app.do(request{method: "GET", path: `/api/v1/archive/search?q=%22snow+emergency%22+account:x:@cityhall`, bearer: clerk})
			if b := readBody(t, res); res.StatusCode != 200 || !strings.Contains(b, "Snow emergency declared") || !strings.Contains(b, `"next_offset": null`) {
				t.Errorf("search: %d %s", res.StatusCode, b)
			}
			if r := app.do(request{method: "GET", path: `/api/v1/archive/search?q=kind:tweet`, bearer: clerk}); r.StatusCode != 422 {
				t.Errorf("bad query: %d", r.StatusCode)
			}
			item := fmt.Sprintf("/api/v1/archive/items/%d", out.Records[0].ItemID)
			if b := readBody(t, app.do(request{method: "GET", path: item, bearer: attorney})); !strings.Contains(b, `"versions"`) || !strings.Contains(b, `"thread"`) {
				t.Errorf("item: %s", b)
			}

			res = app.do(request{method: "POST", path: "/api/v1/archive/holds", body: `{"matter":"Storm claims","accounts":["x:@cityhall"]}`, bearer: attorney})
			if b := readBody(t, res); res.StatusCode != 201 || !strings.Contains(b, `"items": 1`) || !strings.Contains(b, `"items_covered": 1`) {
				t.Fatalf("hold: %d %s", res.StatusCode, b)
			}
			if r := app.do(request{method: "POST", path: "/api/v1/archive/holds", body: `{"matter":"x"}`, bearer: clerk}); r.StatusCode != 403 {
				t.Errorf("clerk placing a hold: %d", r.StatusCode)
			}
			res = app.do(request{method: "POST", path: "/api/v1/archive/dispositions", body: `{}`, bearer: clerk})
			var run struct{ ID, Items int64 }
			if err := json.Unmarshal([]byte(readBody(t, res)), &run); err != nil || res.StatusCode != 201 {
				t.Fatalf("propose: %d %v", res.StatusCode, err)
			}
			res = app.do(request{method: "GET", path: fmt.Sprintf("/api/v1/archive/dispositions/%d", run.ID), bearer: clerk})
			b := readBody(t, res)
			if strings.Contains(b, `"platform_id": "900"`) {
				t.Errorf("a held transitory item is on the disposition list: %s", b)
			}
			res = app.do(request{method: "POST", path: fmt.Sprintf("/api/v1/archive/dispositions/%d/approve", run.ID), bearer: clerk})
			if b := readBody(t, res); res.StatusCode != http.StatusAccepted || !strings.Contains(b, `"approved"`) || !strings.HasPrefix(res.Header.Get("Location"), fmt.Sprintf("/api/v1/archive/dispositions/%d/task/", run.ID)) {
				t.Errorf("approve: %d %s", res.StatusCode, b)
			}
			if r := app.do(request{method: "POST", path: fmt.Sprintf("/api/v1/archive/dispositions/%d/approve", run.ID), bearer: clerk}); r.StatusCode != 409 {
				t.Errorf("approving twice: %d", r.StatusCode)
			}
			if r := app.do(request{method: "GET", path: "/api/v1/archive/checkpoints"}); r.StatusCode != 200 {
				t.Errorf("public checkpoints: %d", r.StatusCode)
			}
		})
	}
}

// TestArchiveLookupAPI finds an item by its account and platform id: the
// latest of its versions, 404 for an id or account the archive does not
// have, and 422 naming a missing parameter.
func TestArchiveLookupAPI(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			app := newApp(t, e, nil)
			clerk, staff := app.token(demoEmail(civic.RoleClerk)), app.token(demoEmail(civic.RoleStaff))
			first := app.clock.Now().Add(-2 * time.Hour).Format(time.RFC3339)
			second := app.clock.Now().Add(-time.Hour).Format(time.RFC3339)
			body := fmt.Sprintf(`{"records":[
				{"account":"x:@cityhall","id":"7/a","kind":"post","captured_at":%q,"text":"Pool opens at nine"},
				{"account":"x:@cityhall","id":"7/a","kind":"post","captured_at":%q,"text":"Pool opens at ten"}]}`, first, second)
			if res := app.do(request{method: "POST", path: "/api/v1/ingest", body: body, bearer: clerk}); res.StatusCode != http.StatusOK {
				t.Fatalf("ingest: %d %s", res.StatusCode, readBody(t, res))
			}
			res := app.do(request{method: "GET", path: "/api/v1/archive/lookup?account=x:@cityhall&platform_id=7%2Fa", bearer: clerk})
			raw := readBody(t, res)
			var got struct {
				Item struct {
					ID         int64  `json:"id"`
					PlatformID string `json:"platform_id"`
					Versions   int    `json:"versions"`
				} `json:"item"`
				Version struct {
					Text string `json:"text"`
				} `json:"version"`
				Held *bool `json:"held"`
			}
			if res.StatusCode != http.StatusOK {
				t.Fatalf("lookup: %d %s", res.StatusCode, raw)
			}
			if err := json.Unmarshal([]byte(raw), &got); err != nil {
				t.Fatal(err)
			}
			if got.Item.PlatformID != "7/a" || got.Item.Versions != 2 || got.Version.Text != "Pool opens at ten" || got.Held == nil || *got.Held {
				t.Errorf("lookup: %s", raw)
			}
			for path, want := range map[string]int{
				"/api/v1/archive/lookup?account=x:@cityhall&platform_id=8":   http.StatusNotFound,
				"/api/v1/archive/lookup?account=x:@nobody&platform_id=7%2Fa": http.StatusNotFound,
				"/api/v1/archive/lookup?platform_id=7%2Fa":                   http.StatusUnprocessableEntity,
				"/api/v1/archive/lookup?account=x:@cityhall":                 http.StatusUnprocessableEntity,
			} {
				res := app.do(request{method: "GET", path: path, bearer: clerk})
				b := readBody(t, res)
				if res.StatusCode != want || !strings.Contains(b, `"error"`) {
					t.Errorf("GET %s: %d %s, want %d", path, res.StatusCode, b, want)
				}
				if want == http.StatusUnprocessableEntity && !strings.Contains(b, `"field": "`) {
					t.Errorf("GET %s: %s does not name the parameter", path, b)
				}
			}
			if res := app.do(request{method: "GET", path: "/api/v1/archive/lookup?account=x:@cityhall&platform_id=7%2Fa", bearer: staff}); res.StatusCode != http.StatusForbidden {
				t.Errorf("staff lookup: %d, want 403", res.StatusCode)
			}
		})
	}
}
