package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/storetest"
)

// TestModerationFormAPI turns second review off through the API, removes a
// queued comment, and reads its tracking form as JSON and as the PDF, on
// every engine; an unknown code or format is refused naming the field.
func TestModerationFormAPI(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			app := newApp(t, e, nil)
			comms, clerk := app.token(demoEmail(civic.RoleCommunications)), app.token(demoEmail(civic.RoleClerk))
			res := app.do(request{method: "PATCH", path: "/api/v1/moderation/second-review", bearer: clerk, body: `{"officials":false}`})
			if res.StatusCode != http.StatusForbidden {
				t.Errorf("the clerk changed second review: %d", res.StatusCode)
			}
			res = app.do(request{method: "PATCH", path: "/api/v1/moderation/second-review", bearer: comms, body: `{"officials":false,"codes":[{"code":"spam","second_review":true},{"code":"nope","second_review":false}]}`})
			if _, _, field := apiError(t, res); res.StatusCode != http.StatusUnprocessableEntity || field != "codes" {
				t.Errorf("an unknown code: %d %s", res.StatusCode, field)
			}
			var sr struct {
				Officials bool
				Codes     []struct {
					Code         string
					SecondReview bool `json:"second_review"`
				}
			}
			res = app.do(request{method: "GET", path: "/api/v1/moderation/second-review", bearer: clerk})
			if err := json.Unmarshal([]byte(readBody(t, res)), &sr); err != nil || res.StatusCode != 200 || !sr.Officials || len(sr.Codes) == 0 {
				t.Fatalf("second review: %d %+v %v (the refused change must change nothing)", res.StatusCode, sr, err)
			}
			var codes []string
			for _, c := range sr.Codes {
				codes = append(codes, fmt.Sprintf(`{"code":%q,"second_review":false}`, c.Code))
			}
			res = app.do(request{method: "PATCH", path: "/api/v1/moderation/second-review", bearer: comms, body: `{"officials":false,"codes":[` + strings.Join(codes, ",") + `]}`})
			sr.Codes = nil
			if err := json.Unmarshal([]byte(readBody(t, res)), &sr); err != nil || res.StatusCode != 200 || sr.Officials {
				t.Fatalf("turning second review off: %d %+v %v", res.StatusCode, sr, err)
			}
			for _, c := range sr.Codes {
				if c.SecondReview {
					t.Errorf("code %s still needs a second reviewer", c.Code)
				}
			}

			res = app.do(request{method: "GET", path: "/api/v1/moderation/queue", bearer: comms})
			var q struct{ Items []*civic.Review }
			if err := json.Unmarshal([]byte(readBody(t, res)), &q); err != nil || len(q.Items) == 0 {
				t.Fatalf("queue: %d %v", res.StatusCode, err)
			}
			res = app.do(request{method: "POST", path: "/api/v1/moderation/reviews/" + strconv.FormatInt(q.Items[0].ID, 10) + "/decisions", bearer: comms, body: `{"action":"remove","code":"spam","note":"an advertisement"}`})
			if b := readBody(t, res); res.StatusCode != http.StatusCreated || !strings.Contains(b, `"final"`) {
				t.Fatalf("remove: %d %s", res.StatusCode, b)
			}
			forms, err := app.store.TrackingForms(context.Background())
			if err != nil || len(forms) == 0 {
				t.Fatalf("no tracking form: %v", err)
			}
			path := "/api/v1/moderation/forms/" + strconv.FormatInt(forms[0].ID, 10)
			res = app.do(request{method: "GET", path: path, bearer: clerk})
			if b := readBody(t, res); res.StatusCode != 200 || !strings.Contains(b, `"form"`) || !strings.Contains(b, `"decision"`) || !strings.Contains(b, "an advertisement") {
				t.Errorf("form: %d %s", res.StatusCode, b)
			}
			res = app.do(request{method: "GET", path: path + "?format=pdf", bearer: clerk})
			pdf := readBody(t, res)
			if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf, "%PDF-") ||
				res.Header.Get("Content-Disposition") != `attachment; filename=tracking-form-`+strconv.FormatInt(forms[0].ID, 10)+`.pdf` {
				t.Errorf("PDF: %d %q %q", res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"))
			}
			res = app.do(request{method: "GET", path: path + "?format=xml", bearer: clerk})
			if _, _, field := apiError(t, res); res.StatusCode != http.StatusUnprocessableEntity || field != "format" {
				t.Errorf("format=xml: %d %s", res.StatusCode, field)
			}
			if res := app.do(request{method: "GET", path: "/api/v1/moderation/forms/999999", bearer: clerk}); res.StatusCode != http.StatusNotFound {
				t.Errorf("a missing form: %d", res.StatusCode)
			}
		})
	}
}
