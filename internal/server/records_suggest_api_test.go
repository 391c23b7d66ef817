package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/storetest"
)

// TestRecordsSuggestionsAPI finds a telephone number and an e-mail address
// in a request's scope on every engine, applies one suggestion as a
// redaction, and no longer suggests it.
func TestRecordsSuggestionsAPI(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			app := newApp(t, e, nil)
			clerk, staff := app.token(demoEmail(civic.RoleClerk)), app.token(demoEmail(civic.RoleStaff))
			text := "Call Dana at 651-555-0199 or dana@example.org about the zebra crossing"
			body := fmt.Sprintf(`{"records":[{"account":"x:@cityhall","id":"4242","kind":"comment","captured_at":%q,"text":%q}]}`,
				app.clock.Now().Add(-time.Hour).Format(time.RFC3339), text)
			if res := app.do(request{method: "POST", path: "/api/v1/ingest", body: body, bearer: clerk}); res.StatusCode != http.StatusOK {
				t.Fatalf("ingest: %d %s", res.StatusCode, readBody(t, res))
			}
			res := app.do(request{method: "POST", path: "/api/v1/records/requests", bearer: clerk,
				body: `{"requester":"A Resident","received_on":"2026-11-20","description":"zebra crossing","scope":["zebra"]}`})
			var q struct{ ID int64 }
			if err := json.Unmarshal([]byte(readBody(t, res)), &q); err != nil || res.StatusCode != http.StatusCreated {
				t.Fatalf("create: %d %v", res.StatusCode, err)
			}
			path := fmt.Sprintf("/api/v1/records/requests/%d/suggestions", q.ID)
			type suggestion struct {
				VersionID  int64 `json:"version_id"`
				Start, End int
				Reason     string
				Text       string
			}
			suggestions := func() []suggestion {
				t.Helper()
				res := app.do(request{method: "GET", path: path, bearer: clerk})
				var out struct{ Items []suggestion }
				if err := json.Unmarshal([]byte(readBody(t, res)), &out); err != nil || res.StatusCode != 200 {
					t.Fatalf("suggestions: %d %v", res.StatusCode, err)
				}
				return out.Items
			}
			got := suggestions()
			if len(got) != 2 || got[0].Text != "651-555-0199" || got[1].Text != "dana@example.org" || got[0].Reason != "13.356" || text[got[0].Start:got[0].End] != got[0].Text {
				t.Fatalf("suggestions: %+v", got)
			}
			s := got[0]
			res = app.do(request{method: "POST", path: fmt.Sprintf("/api/v1/records/requests/%d/redactions", q.ID), bearer: clerk,
				body: fmt.Sprintf(`{"version_id":%d,"start":%d,"end":%d,"reason":%q}`, s.VersionID, s.Start, s.End, s.Reason)})
			if res.StatusCode != http.StatusCreated {
				t.Fatalf("applying a suggestion: %d %s", res.StatusCode, readBody(t, res))
			}
			if got := suggestions(); len(got) != 1 || got[0].Text != "dana@example.org" {
				t.Errorf("after applying one: %+v", got)
			}
			if res := app.do(request{method: "GET", path: "/api/v1/records/requests/999999/suggestions", bearer: clerk}); res.StatusCode != http.StatusNotFound {
				t.Errorf("a missing request: %d", res.StatusCode)
			}
			if res := app.do(request{method: "GET", path: path, bearer: staff}); res.StatusCode != http.StatusForbidden {
				t.Errorf("staff: %d, want 403", res.StatusCode)
			}
		})
	}
}
