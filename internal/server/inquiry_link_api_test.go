package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/storetest"
)

// TestInquiryLinkAPI: on every engine, Communications links an unmatched
// inquiry to a removal through the API, by its tracking form; a wrong kind
// or number is a 422 naming the field, linking it again a 409, and anyone
// but Communications is refused.
func TestInquiryLinkAPI(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			app := newApp(t, e, nil)
			comms := app.token(demoEmail(civic.RoleCommunications))
			res := app.do(request{method: "POST", path: "/inquiry", body: form("account", "mastodon:@parks@demo-city.example", "screen_name", "@lena@social.example",
				"name", "L", "contact", "l@example.org", "question", "Why was my comment taken down?")})
			if body := readBody(t, res); res.StatusCode != http.StatusOK {
				t.Fatalf("file an inquiry: %d %s", res.StatusCode, body)
			}
			type inquiry struct {
				ID        int64
				Reference string
				Matched   bool
				FormID    int64 `json:"form_id"`
			}
			list := func() []inquiry {
				t.Helper()
				res := app.do(request{method: "GET", path: "/api/v1/moderation/inquiries?all=true", bearer: comms})
				var l struct{ Items []inquiry }
				if err := json.Unmarshal([]byte(readBody(t, res)), &l); err != nil || res.StatusCode != http.StatusOK {
					t.Fatalf("inquiries: %d %v", res.StatusCode, err)
				}
				return l.Items
			}
			qs := list()
			var matched, unmatched *inquiry
			for i := range qs {
				if qs[i].Matched && matched == nil {
					matched = &qs[i]
				}
				if !qs[i].Matched {
					unmatched = &qs[i]
				}
			}
			if matched == nil || unmatched == nil {
				t.Fatalf("want the demo's matched inquiry and the new unmatched one: %+v", qs)
			}
			path := fmt.Sprintf("/api/v1/moderation/inquiries/%d/link", unmatched.ID)
			for _, c := range []struct{ body, field string }{
				{`{"kind":"comment","number":1}`, "kind"},
				{`{"kind":"form","number":0}`, "number"},
				{`{"kind":"form","number":999999}`, "number"},
			} {
				res := app.do(request{method: "POST", path: path, body: c.body, bearer: comms})
				if code, _, field := apiError(t, res); res.StatusCode != http.StatusUnprocessableEntity || code != "invalid" || field != c.field {
					t.Errorf("link %s: %d %s %q, want 422 naming %s", c.body, res.StatusCode, code, field, c.field)
				}
			}
			body := fmt.Sprintf(`{"kind":"form","number":%d}`, matched.FormID)
			if res := app.do(request{method: "POST", path: path, body: body, bearer: app.token(demoEmail(civic.RoleClerk))}); res.StatusCode != http.StatusForbidden {
				t.Errorf("the clerk linked an inquiry: %d", res.StatusCode)
			}
			res = app.do(request{method: "POST", path: path, body: body, bearer: comms})
			var got inquiry
			if err := json.Unmarshal([]byte(readBody(t, res)), &got); err != nil || res.StatusCode != http.StatusOK || !got.Matched || got.FormID != matched.FormID || got.Reference != unmatched.Reference {
				t.Fatalf("link: %d %+v %v", res.StatusCode, got, err)
			}
			if res := app.do(request{method: "POST", path: path, body: body, bearer: comms}); res.StatusCode != http.StatusConflict {
				t.Errorf("linked twice: %d, want 409", res.StatusCode)
			}
		})
	}
}
