package server_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/storetest"
)

// TestAPIBoolParams checks on every engine that the yes-or-no query
// parameters of the API read alike: true and false, the deprecated yes and
// no, and 422 naming the parameter for anything else. all=true on the
// records list shows a closed request that the default leaves out.
func TestAPIBoolParams(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			app := newApp(t, e, nil)
			comms, clerk, admin := app.token(demoEmail(civic.RoleCommunications)), app.token(demoEmail(civic.RoleClerk)), app.token(demoEmail(civic.RoleAdmin))
			for _, c := range []struct{ path, param, bearer string }{
				{"/api/v1/moderation/queue", "all", comms},
				{"/api/v1/moderation/inquiries", "all", comms},
				{"/api/v1/records/requests", "all", clerk},
				{"/api/v1/tokens", "all", admin},
				{"/api/v1/capture/flags", "open", comms},
			} {
				for _, v := range []string{"true", "false", "yes", "no", ""} {
					res := app.do(request{method: "GET", path: c.path + "?" + c.param + "=" + v, bearer: c.bearer})
					if b := readBody(t, res); res.StatusCode != http.StatusOK {
						t.Errorf("%s?%s=%s: %d %s", c.path, c.param, v, res.StatusCode, b)
					}
				}
				for _, v := range []string{"1", "TRUE", "maybe"} {
					res := app.do(request{method: "GET", path: c.path + "?" + c.param + "=" + v, bearer: c.bearer})
					if code, _, field := apiError(t, res); res.StatusCode != http.StatusUnprocessableEntity || code != "invalid" || field != c.param {
						t.Errorf("%s?%s=%s: %d %s %q, want 422 naming %s", c.path, c.param, v, res.StatusCode, code, field, c.param)
					}
				}
			}
			count := func(query string) int {
				t.Helper()
				res := app.do(request{method: "GET", path: "/api/v1/records/requests" + query, bearer: clerk})
				var l struct{ Items []json.RawMessage }
				if err := json.Unmarshal([]byte(readBody(t, res)), &l); err != nil {
					t.Fatal(err)
				}
				return len(l.Items)
			}
			if open, all, yes := count(""), count("?all=true"), count("?all=yes"); all < open || all != yes {
				t.Errorf("records requests: %d open, %d with all=true, %d with all=yes", open, all, yes)
			}
		})
	}
}
