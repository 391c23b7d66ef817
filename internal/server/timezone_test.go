package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/pdf/pdftest"
	"steward.city/steward/internal/storetest"
)

// TestPagesShowCityTime: the demo city is in Chicago. What happens at
// 6:22 PM on Dec 2 there (Dec 3, 00:22 UTC) reads Dec 2, 6:22 PM CST on the
// pages and Dec 2 on the tracking form's PDF, while the API keeps RFC 3339
// UTC; a records request received at 11:30 PM that evening (Dec 3, 05:30
// UTC) is counted from Dec 2.
func TestPagesShowCityTime(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			app := newApp(t, e, nil)
			evening := time.Date(2026, 12, 3, 0, 22, 0, 0, time.UTC)
			app.clock.Advance(evening.Sub(app.clock.Now()))
			clerkEmail := demoEmail(civic.RoleClerk)
			clerk := app.token(clerkEmail) // created now: the evening of Dec 2

			res := app.do(request{method: "GET", path: "/tokens", cookie: app.session(clerkEmail)})
			page := readBody(t, res)
			if res.StatusCode != http.StatusOK || !strings.Contains(page, "Dec 2, 2026, 6:22 PM CST") {
				t.Errorf("tokens page: %d; want the token created Dec 2, 2026, 6:22 PM CST", res.StatusCode)
			}
			if strings.Contains(page, "Dec 3, 2026") || strings.Contains(page, " UTC") {
				t.Errorf("the tokens page shows UTC")
			}

			// A request received late on Dec 2, given as an instant.
			body := `{"requester":"A Resident","received_on":"2026-12-03T05:30:00Z","subject":true,"description":"late","scope":["\"splash pad\""]}`
			res = app.do(request{method: "POST", path: "/api/v1/records/requests", body: body, bearer: clerk})
			raw := readBody(t, res)
			var got struct {
				ID         int64
				ReceivedOn string `json:"received_on"`
				DueOn      string `json:"due_on"`
			}
			if err := json.Unmarshal([]byte(raw), &got); err != nil || res.StatusCode != http.StatusCreated {
				t.Fatalf("create: %d %s", res.StatusCode, raw)
			}
			if got.ReceivedOn != "2026-12-02T00:00:00Z" || got.DueOn != "2026-12-16T00:00:00Z" {
				t.Errorf("received %s, due %s; want 2026-12-02T00:00:00Z and 2026-12-16T00:00:00Z (RFC 3339, the city's days)", got.ReceivedOn, got.DueOn)
			}
			res = app.do(request{method: "GET", path: "/records/" + strconv.FormatInt(got.ID, 10), cookie: app.session(clerkEmail)})
			page = readBody(t, res)
			if !strings.Contains(page, "<dd>Dec 2, 2026</dd>") || !strings.Contains(page, "Dec 16, 2026") {
				t.Errorf("request page: %d; want received Dec 2, 2026 and due Dec 16, 2026", res.StatusCode)
			}

			// Remove a comment now, the evening of Dec 2.
			comms := app.token(demoEmail(civic.RoleCommunications))
			res = app.do(request{method: "GET", path: "/api/v1/moderation/queue", bearer: comms})
			var q struct{ Items []*civic.Review }
			if err := json.Unmarshal([]byte(readBody(t, res)), &q); err != nil || len(q.Items) == 0 {
				t.Fatalf("queue: %d %v", res.StatusCode, err)
			}
			res = app.do(request{method: "POST", path: "/api/v1/moderation/reviews/" + strconv.FormatInt(q.Items[0].ID, 10) + "/decisions", bearer: comms, body: `{"action":"remove","code":"spam","note":"an advertisement"}`})
			if b := readBody(t, res); res.StatusCode != http.StatusCreated {
				t.Fatalf("remove: %d %s", res.StatusCode, b)
			}
			forms, err := app.store.TrackingForms(context.Background())
			if err != nil || len(forms) == 0 {
				t.Fatalf("no tracking form: %v", err)
			}
			var form *civic.TrackingForm
			for _, f := range forms {
				if f.RemovedAt.Equal(evening) {
					form = f
				}
			}
			if form == nil {
				t.Fatalf("no form removed at %s", evening)
			}
			path := "/api/v1/moderation/forms/" + strconv.FormatInt(form.ID, 10)
			res = app.do(request{method: "GET", path: path, bearer: clerk})
			if b := readBody(t, res); !strings.Contains(b, `"removed_at": "2026-12-03T00:22:00Z"`) {
				t.Errorf("the API's form is not in RFC 3339 UTC: %s", b)
			}
			res = app.do(request{method: "GET", path: path + "?format=pdf", bearer: clerk})
			if text, ok := pdftest.Text(t, []byte(readBody(t, res))); ok {
				text = pdftest.Normalize(text)
				if i := strings.Index(text, "Date comment removed"); i < 0 || !strings.Contains(text[i:min(len(text), i+200)], "Dec 2, 2026") {
					t.Errorf("the PDF does not show the removal on Dec 2, 2026: %s", text)
				}
			}
			res = app.do(request{method: "GET", path: "/moderation/forms/" + strconv.FormatInt(form.ID, 10), cookie: app.session(demoEmail(civic.RoleCommunications))})
			if page := readBody(t, res); !strings.Contains(page, "Dec 2, 2026") {
				t.Errorf("form page: %d; want Dec 2, 2026", res.StatusCode)
			}
		})
	}
}
