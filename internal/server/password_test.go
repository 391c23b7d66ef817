package server_test

import (
	"fmt"
	"net/http"
	"testing"

	"steward.city/steward/internal/demo"
	"steward.city/steward/internal/storetest"
)

// TestPasswordChangeRevokesTheRest: changing one's own password keeps the
// session that changed it and ends every other session and API token;
// a reset by an administrator ends all of them. Whoever learnt the old
// password keeps nothing.
func TestPasswordChangeRevokesTheRest(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			app := newApp(t, e, nil)
			const clerk = "clerk@demo-city.example"
			works := func(what string, req request, want bool) {
				t.Helper()
				res := app.do(req)
				ok := res.StatusCode == http.StatusOK
				if ok != want {
					t.Errorf("%s: %d, want working=%v", what, res.StatusCode, want)
				}
			}
			mine, other, tok := app.session(clerk), app.session(clerk), app.token(clerk)
			works("the other session before", request{method: "GET", path: "/", cookie: other}, true)
			works("the token before", request{method: "GET", path: "/api/v1/me", bearer: tok}, true)
			res := app.do(request{method: "POST", path: "/account/password", cookie: mine, body: form("current_password", demo.Password, "new_password", "a brand new passphrase")})
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("change: %d", res.StatusCode)
			}
			works("the session that changed it", request{method: "GET", path: "/", cookie: mine}, true)
			works("the other session", request{method: "GET", path: "/", cookie: other}, false)
			works("the token", request{method: "GET", path: "/api/v1/me", bearer: tok}, false)

			// A reset by the administrator ends everything, even the session it is reset from.
			staff := mustUser(t, app, "staff@demo-city.example")
			s1, t1 := app.session(staff.Email), app.token(staff.Email)
			res = app.do(request{method: "POST", path: fmt.Sprintf("/users/%d/password", staff.ID), cookie: app.session("admin@demo-city.example"), body: form("password", "reset by the administrator")})
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("reset: %d", res.StatusCode)
			}
			works("the staff session after the reset", request{method: "GET", path: "/", cookie: s1}, false)
			works("the staff token after the reset", request{method: "GET", path: "/api/v1/me", bearer: t1}, false)
		})
	}
}
