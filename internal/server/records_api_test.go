package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/storetest"
)

// TestRecordsAPI logs a request on every engine: a scope query that matches
// nothing keeps the request and says so, a bad query is 422 naming the
// scope, a redaction outside the text is 422, and an export from a process
// without a signing key is 503 before anything is streamed.
func TestRecordsAPI(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			app := newApp(t, e, nil)
			clerk := app.token(demoEmail(civic.RoleClerk))
			body := `{"requester":"A Resident","received_on":"2026-11-20","subject":true,"description":"splash pad comments","scope":["zzz-no-such-word","\"splash pad\""]}`
			res := app.do(request{method: "POST", path: "/api/v1/records/requests", body: body, bearer: clerk})
			raw := readBody(t, res)
			if res.StatusCode != http.StatusCreated {
				t.Fatalf("create: %d %s", res.StatusCode, raw)
			}
			var got struct {
				ID         int64
				DueOn      string `json:"due_on"`
				ScopeItems []int  `json:"scope_items"`
			}
			if err := json.Unmarshal([]byte(raw), &got); err != nil {
				t.Fatal(err)
			}
			if len(got.ScopeItems) != 2 || got.ScopeItems[0] != 0 || got.ScopeItems[1] == 0 || !strings.HasPrefix(got.DueOn, "2026-12-04") {
				t.Errorf("created %s: want scope_items [0, n>0] and due 2026-12-04", raw)
			}
			res = app.do(request{method: "POST", path: "/api/v1/records/requests", body: `{"requester":"X","received_on":"2026-11-20","description":"d","scope":["from:yesterday"]}`, bearer: clerk})
			if raw := readBody(t, res); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(raw, `"field": "scope"`) {
				t.Errorf("bad scope: %d %s", res.StatusCode, raw)
			}
			res = app.do(request{method: "GET", path: "/api/v1/archive/search?q=%22splash+pad%22", bearer: clerk})
			var hits struct{ Items []struct{ ID int64 } }
			if err := json.Unmarshal([]byte(readBody(t, res)), &hits); err != nil || len(hits.Items) == 0 {
				t.Fatalf("search: %v %+v", err, hits)
			}
			redact := func(start, end int) *http.Response {
				return app.do(request{method: "POST", path: fmt.Sprintf("/api/v1/records/requests/%d/redactions", got.ID),
					body: fmt.Sprintf(`{"version_id":%d,"start":%d,"end":%d,"reason":"13.356"}`, hits.Items[0].ID, start, end), bearer: clerk})
			}
			if res := redact(4, 100000); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(readBody(t, res), "outside the text") {
				t.Errorf("redaction outside the text: %d", res.StatusCode)
			}
			if res := redact(0, 3); res.StatusCode != http.StatusCreated {
				t.Errorf("redaction: %d %s", res.StatusCode, readBody(t, res))
			}
			res = app.do(request{method: "GET", path: fmt.Sprintf("/api/v1/records/requests/%d", got.ID), bearer: clerk})
			if raw := readBody(t, res); res.StatusCode != 200 || !strings.Contains(raw, `"reason": "13.356"`) {
				t.Errorf("get: %d %s", res.StatusCode, raw)
			}
			res = app.do(request{method: "POST", path: fmt.Sprintf("/api/v1/records/requests/%d/export", got.ID), bearer: clerk})
			if raw := readBody(t, res); res.StatusCode != http.StatusServiceUnavailable || strings.Contains(res.Header.Get("Content-Type"), "zip") {
				t.Errorf("export without a key: %d %s", res.StatusCode, raw)
			}
		})
	}
}
