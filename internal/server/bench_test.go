package server_test

import (
	"testing"

	"steward.city/steward/internal/storetest"
)

// BenchmarkPages measures serving signed-in pages and API calls end to end
// (session or token lookup, authorization, queries, rendering) on SQLite.
func BenchmarkPages(b *testing.B) {
	app := newApp(b, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite}, nil)
	cookie := app.session("admin@demo-city.example")
	token := app.token("admin@demo-city.example")
	for _, c := range []struct{ name, path, cookie, bearer string }{
		{"dashboard", "/", cookie, ""},
		{"users", "/users", cookie, ""},
		{"audit", "/audit", cookie, ""},
		{"api-people", "/api/v1/people", "", token},
		// The work list of the role with the most kinds of work.
		{"dashboard-communications", "/", app.session("communications@demo-city.example"), ""},
		{"api-me-work-communications", "/api/v1/me/work", "", app.token("communications@demo-city.example")},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				res := app.do(request{method: "GET", path: c.path, cookie: c.cookie, bearer: c.bearer})
				if res.StatusCode != 200 {
					b.Fatalf("%s: %d", c.path, res.StatusCode)
				}
			}
		})
	}
}
