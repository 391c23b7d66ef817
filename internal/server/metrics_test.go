package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/cli"
	"steward.city/steward/internal/storetest"
)

// TestMetricsAccess checks who may read /metrics: nobody without a token
// when one is set, nobody at all on the main address when neither a token
// nor an address of its own is configured (404), and on an address of its
// own only what MetricsHandler serves, with the token when one is set.
func TestMetricsAccess(t *testing.T) {
	t.Parallel()
	e := storetest.Engines(t)[0]
	tests := []struct {
		name      string
		token     string
		elsewhere bool
		bearer    string
		main      int // status of GET /metrics on the main handler
		own       int // status of GET /metrics on MetricsHandler
	}{
		{"off", "", false, "", http.StatusNotFound, http.StatusOK},
		{"off, a token sent", "", false, "anything", http.StatusNotFound, http.StatusOK},
		{"token, none sent", metricsToken, false, "", http.StatusUnauthorized, http.StatusUnauthorized},
		{"token, wrong one", metricsToken, false, metricsToken + "x", http.StatusUnauthorized, http.StatusUnauthorized},
		{"token, a prefix of it", metricsToken, false, metricsToken[:8], http.StatusUnauthorized, http.StatusUnauthorized},
		{"token, an API token instead", metricsToken, false, "stw_" + metricsToken, http.StatusUnauthorized, http.StatusUnauthorized},
		{"token, right one", metricsToken, false, metricsToken, http.StatusOK, http.StatusOK},
		{"own address, no token", "", true, "", http.StatusNotFound, http.StatusOK},
		{"own address and token, none sent", metricsToken, true, "", http.StatusNotFound, http.StatusUnauthorized},
		{"own address and token, right one", metricsToken, true, metricsToken, http.StatusNotFound, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			app := newApp(t, e, nil, func(c *cli.HandlerConfig) { c.MetricsToken, c.MetricsElsewhere = tt.token, tt.elsewhere })
			res := app.do(request{method: "GET", path: "/metrics", bearer: tt.bearer})
			body := readBody(t, res)
			if res.StatusCode != tt.main {
				t.Errorf("main address: %d, want %d", res.StatusCode, tt.main)
			}
			if res.StatusCode != http.StatusOK && strings.Contains(body, "steward_") {
				t.Errorf("main address: metrics in a %d answer", res.StatusCode)
			}
			req := httptest.NewRequest("GET", "http://127.0.0.1:9100/metrics", nil)
			if tt.bearer != "" {
				req.Header.Set("Authorization", "Bearer "+tt.bearer)
			}
			w := httptest.NewRecorder()
			app.server.MetricsHandler().ServeHTTP(w, req)
			if w.Code != tt.own {
				t.Errorf("own address: %d, want %d", w.Code, tt.own)
			}
			if ok := strings.Contains(w.Body.String(), "steward_database_up 1"); ok != (w.Code == http.StatusOK) {
				t.Errorf("own address: %d with metrics %v", w.Code, ok)
			}
			if w.Code == http.StatusUnauthorized && w.Header().Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
		})
	}
	t.Run("own address serves nothing else", func(t *testing.T) {
		t.Parallel()
		app := newApp(t, e, nil, func(c *cli.HandlerConfig) { c.MetricsElsewhere = true })
		for _, path := range []string{"/", "/healthz", "/api/v1/me", "/signin"} {
			w := httptest.NewRecorder()
			app.server.MetricsHandler().ServeHTTP(w, httptest.NewRequest("GET", path, nil))
			if w.Code != http.StatusNotFound {
				t.Errorf("%s: %d, want 404", path, w.Code)
			}
		}
	})
}

// TestCovertMetrics uses the covert profile registry through the pages and
// the API and checks that nothing in /metrics names it: no metric name or
// label holds "covert" or a covert route's path; its requests are counted
// under the name every registry route shares.
func TestCovertMetrics(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			app := newApp(t, e, nil)
			sic := demoEmail(civic.RoleSICCommander)
			tok, cookie := app.token(sic), app.session(sic)
			maint := app.addUser("undercover@demo-city.example", "police", civic.Grant{Role: civic.RoleStaff})
			maint = app.grantCovert(t, maint, civic.CovertMaintainer)
			c := apiClient{t, app}
			p := c.want(201, "POST", "/api/v1/covert-profiles", fmt.Sprintf(`{"site_name":"Reddit","site_url":"https://www.reddit.com/","username":"quiet.otter","screen_name":"QuietOtter","maintainer_id":%d,"purpose":"stolen bikes","registered_on":"2025-10-01"}`, maint.ID), tok)
			path := fmt.Sprintf("/api/v1/covert-profiles/%d", idOf(p))
			c.want(200, "GET", path, "", tok)
			c.want(200, "GET", "/api/v1/covert-profiles", "", tok)
			c.want(200, "POST", path+"/audit", `{"still_active":true,"still_needed":true}`, tok)
			c.want(404, "GET", "/api/v1/covert-profiles/999999", "", tok)
			for _, r := range []request{
				{method: "GET", path: "/covert", cookie: cookie},
				{method: "GET", path: fmt.Sprintf("/covert?profile=%d", idOf(p)), cookie: cookie},
				{method: "POST", path: fmt.Sprintf("/covert/%d/audit", idOf(p)), body: form("still_active", "yes", "still_needed", "yes"), cookie: cookie},
			} {
				if res := app.do(r); res.StatusCode >= 500 {
					t.Fatalf("%s %s: %d", r.method, r.path, res.StatusCode)
				}
			}
			c.want(200, "GET", "/api/v1/accounts", "", app.token(demoEmail(civic.RoleAdmin)))

			body := readBody(t, app.do(request{method: "GET", path: "/metrics", bearer: metricsToken}))
			for _, line := range strings.Split(body, "\n") {
				if strings.HasPrefix(line, "#") && !strings.HasPrefix(line, "# HELP") && !strings.HasPrefix(line, "# TYPE") {
					continue
				}
				if l := strings.ToLower(line); strings.Contains(l, "covert") || strings.Contains(l, "/api/v1/covert-profiles") || strings.Contains(l, "quiet") {
					t.Errorf("metrics name the covert registry: %s", line)
				}
			}
			for _, want := range []*regexp.Regexp{
				regexp.MustCompile(`steward_http_requests_total\{code="201",route="POST registry API"\} 2\n`), // the covert access proposal and the profile
				regexp.MustCompile(`steward_http_requests_total\{code="200",route="GET registry API"\} 3\n`),  // two covert reads and the inventory
				regexp.MustCompile(`steward_http_requests_total\{code="200",route="GET registry pages"\} 2\n`),
			} {
				if !want.MatchString(body) {
					t.Errorf("metrics lack %s:\n%s", want, grep(body, "steward_http_requests_total"))
				}
			}
		})
	}
}

// TestClientCancel sends requests whose client has already gone away, to a
// page, to the API and to the public portal's search, and checks that they are logged at info as client
// cancels (499), never as errors, and counted as 499.
func TestClientCancel(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			app := newApp(t, e, nil)
			clerk := demoEmail(civic.RoleClerk)
			tok, cookie := app.token(clerk), app.session(clerk)
			for _, r := range []request{
				{method: "GET", path: "/api/v1/archive/search?q=snow", bearer: tok},
				{method: "GET", path: "/archive/items?q=snow", cookie: cookie},
				{method: "GET", path: "/api/v1/records/requests", bearer: tok},
				{method: "GET", path: "/public/search?q=snow"},
			} {
				ctx, cancel := context.WithCancel(context.Background())
				cancel()
				req := httptest.NewRequestWithContext(ctx, r.method, "http://steward.test"+r.path, nil)
				if r.bearer != "" {
					req.Header.Set("Authorization", "Bearer "+r.bearer)
				} else if r.cookie != "" {
					req.AddCookie(&http.Cookie{Name: "__Host-steward", Value: r.cookie})
				}
				w := httptest.NewRecorder()
				app.server.ServeHTTP(w, req)
				if w.Body.Len() != 0 {
					t.Errorf("%s: an answer was written to a client that is gone: %d %.200s", r.path, w.Code, w.Body)
				}
			}
			logs := app.logs.String()
			if strings.Contains(logs, "level=ERROR") || strings.Contains(logs, "status=500") {
				t.Errorf("a client cancel was logged as an error:\n%s", logs)
			}
			if n := strings.Count(logs, `level=INFO msg="request cancelled by client"`); n != 4 {
				t.Errorf("%d client cancels logged at info, want 4:\n%s", n, logs)
			}
			if n := strings.Count(logs, "status=499"); n != 4 {
				t.Errorf("%d log lines with status=499, want 4", n)
			}
			body := readBody(t, app.do(request{method: "GET", path: "/metrics", bearer: metricsToken}))
			for _, want := range []string{
				`steward_http_requests_total{code="499",route="GET /api/v1/archive/search"} 1`,
				`steward_http_requests_total{code="499",route="GET /archive/items"} 1`,
			} {
				if !strings.Contains(body, want) {
					t.Errorf("metrics lack %s:\n%s", want, grep(body, "steward_http_requests_total"))
				}
			}
			if strings.Contains(body, `code="500"`) {
				t.Errorf("a client cancel was counted as 500")
			}
		})
	}
}

// grep returns the lines of s that contain sub.
func grep(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
