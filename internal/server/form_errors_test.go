package server_test

import (
	"net/http"
	"strings"
	"testing"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/storetest"
)

// TestFormsShowEveryError: a form with several mistakes shows each next
// to its field on the first submission, not one per try.
func TestFormsShowEveryError(t *testing.T) {
	e := storetest.Engines(t)[0]
	app := newApp(t, e, nil)
	clerk := app.session(demoEmail(civic.RoleClerk))
	res := app.do(request{method: "POST", path: "/records", cookie: clerk,
		body: form("requester", "", "received_on", "Dec 2", "description", "", "scope", "", "pages", "many", "actual_cost", "free")})
	body := readBody(t, res)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("records form: %d", res.StatusCode)
	}
	for _, f := range []string{"requester", "received_on", "description", "scope"} {
		if !strings.Contains(body, `id="e-`+f+`"`) || !strings.Contains(body, `href="#f-`+f+`"`) {
			t.Errorf("records form: no error shown for %s", f)
		}
	}
	// The new-request form has no fee fields; the summary still lists them.
	for _, f := range []string{"pages", "actual_cost"} {
		if !strings.Contains(body, `href="#f-`+f+`"`) {
			t.Errorf("records form: the summary lacks %s", f)
		}
	}
	if !strings.Contains(body, "There are 6 problems") {
		t.Error("records form: the summary does not count the problems")
	}
	if !strings.Contains(body, "enter a date like 2025-01-31") {
		t.Error("records form: the date's own error is not the one shown")
	}

	res = app.do(request{method: "POST", path: "/inquiry", body: form("account", "", "screen_name", "", "name", "", "contact", "", "question", "?", "posted_on", "yesterday")})
	body = readBody(t, res)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("inquiry form: %d", res.StatusCode)
	}
	for _, f := range []string{"account", "screen_name", "name", "contact", "posted_on"} {
		if !strings.Contains(body, `id="e-`+f+`"`) {
			t.Errorf("inquiry form: no error shown for %s", f)
		}
	}
}
