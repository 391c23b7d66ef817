package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/server"
	"steward.city/steward/internal/storetest"
)

// TestBadText sends text no handler should see, a NUL character or bytes
// that are not UTF-8, in a query, a form and a JSON body, on every engine
// (PostgreSQL refuses both in text, SQLite keeps them): each is a 422
// naming the field, never a 500, and nothing is written.
func TestBadText(t *testing.T) {
	t.Parallel()
	records := func(scope string) string {
		return fmt.Sprintf(`{"requester":"A Resident","received_on":"2026-11-20","description":"d","scope":[%s]}`, scope)
	}
	tests := []struct {
		name, method, path, body string
		api                      bool
		field                    string
	}{
		{"web search NUL", "GET", "/archive/items?q=snow%00plow", "", false, "q"},
		{"web search not UTF-8", "GET", "/archive/items?q=snow%ff", "", false, "q"},
		{"web audit filter NUL", "GET", "/audit?action=x%00", "", false, "action"},
		{"web records scope NUL", "POST", "/records", form("requester", "A Resident", "received_on", "2026-11-20", "description", "d", "scope", "snow\x00plow"), false, "scope"},
		{"web department name NUL", "POST", "/departments", form("slug", "harbor", "name", "Harbor\x00"), false, "name"},
		{"web form not UTF-8", "POST", "/departments", "slug=harbor&name=Harbor%c0%ae", false, "name"},
		{"api search NUL", "GET", "/api/v1/archive/search?q=snow%00plow", "", true, "q"},
		{"api search not UTF-8", "GET", "/api/v1/archive/search?q=%c0%ae", "", true, "q"},
		{"api records scope NUL", "POST", "/api/v1/records/requests", records(`"snow\u0000plow"`), true, "scope[0]"},
		{"api records requester NUL", "POST", "/api/v1/records/requests", records(`"x"`)[:1] + `"contact":"\u0000",` + records(`"x"`)[1:], true, "contact"},
		{"api department NUL", "POST", "/api/v1/departments", `{"slug":"harbor","name":"Harbor\u0000"}`, true, "name"},
		{"api department not UTF-8", "POST", "/api/v1/departments", "{\"slug\":\"harbor\",\"name\":\"Harbor\xff\"}", true, "name"},
	}
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			app := newApp(t, e, nil)
			admin := demoEmail(civic.RoleAdmin)
			clerk := demoEmail(civic.RoleClerk)
			cookies := map[string]string{admin: app.session(admin), clerk: app.session(clerk)}
			tokens := map[string]string{admin: app.token(admin), clerk: app.token(clerk)}
			for _, tt := range tests {
				who := clerk
				if strings.Contains(tt.path, "departments") || strings.HasPrefix(tt.path, "/audit") {
					who = admin
				}
				before, _, _ := app.store.AuditHead(t.Context())
				req := request{method: tt.method, path: tt.path, body: tt.body}
				if tt.api {
					req.bearer = tokens[who]
				} else {
					req.cookie = cookies[who]
				}
				res := app.do(req)
				if tt.api {
					if code, msg, field := apiError(t, res); res.StatusCode != http.StatusUnprocessableEntity || code != "invalid" || field != tt.field {
						t.Errorf("%s: %d %s %q (field %q), want 422 naming %q", tt.name, res.StatusCode, code, msg, field, tt.field)
					}
				} else {
					body := readBody(t, res)
					if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, tt.field) {
						t.Errorf("%s: %d, want 422 naming %q:\n%.2000s", tt.name, res.StatusCode, tt.field, body)
					}
				}
				if after, _, _ := app.store.AuditHead(t.Context()); after != before {
					t.Errorf("%s: %d audit events written", tt.name, after-before)
				}
			}
			if strings.Contains(app.logs.String(), "level=ERROR") {
				t.Errorf("bad text was logged as an error:\n%s", app.logs)
			}
		})
	}
}

// TestBodyTooLarge sends bodies over the limit to a form, a JSON route and
// archive ingest: each answer is 413 with a plain message, never 422 or
// 500.
func TestBodyTooLarge(t *testing.T) {
	t.Parallel()
	app := newApp(t, storetest.Engines(t)[0], nil)
	admin := demoEmail(civic.RoleAdmin)
	cookie, token, clerk := app.session(admin), app.token(admin), app.token(demoEmail(civic.RoleClerk))
	big := strings.Repeat("a", server.MaxBodyBytes)
	tests := []struct {
		name string
		req  request
		api  bool
	}{
		{"form", request{method: "POST", path: "/departments", body: form("slug", "fire", "name", big), cookie: cookie}, false},
		{"json", request{method: "POST", path: "/api/v1/departments", body: `{"slug":"fire","name":"` + big + `"}`, bearer: token}, true},
		{"ingest", request{method: "POST", path: "/api/v1/ingest", body: `{"records":[{"text":"` + big + `"}]}`, bearer: clerk}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := app.do(tt.req)
			if res.StatusCode != http.StatusRequestEntityTooLarge {
				t.Fatalf("%d %.300s, want 413", res.StatusCode, readBody(t, res))
			}
			var msg string
			if tt.api {
				var code string
				code, msg, _ = apiError(t, res)
				if code != "too_large" {
					t.Errorf("code %q, want too_large", code)
				}
			} else {
				msg = readBody(t, res)
			}
			if !strings.Contains(msg, "larger than 1 MiB") {
				t.Errorf("message %.300q does not say the limit plainly", msg)
			}
		})
	}
}

// TestStaticPaths asks for static files by paths that are not valid: an
// overlong UTF-8 encoding of "." and others. Each is a 404, never a 500;
// the real files are served, and only they are kept by browsers.
func TestStaticPaths(t *testing.T) {
	t.Parallel()
	app := newApp(t, storetest.Engines(t)[0], nil)
	tests := []struct {
		path string
		want int
	}{
		{"/static/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd", http.StatusNotFound},
		{"/static/%c0%ae", http.StatusNotFound},
		{"/static/%ff", http.StatusNotFound},
		{"/static/a%00b", http.StatusNotFound},
		{"/static/..%5c..%5cetc%5cpasswd", http.StatusNotFound},
		{"/static/%2e%2e/%2e%2e/go.mod", http.StatusNotFound},
		{"/static/no-such-file.css", http.StatusNotFound},
		{"/static/", http.StatusNotFound}, // no folder listing
		{"/static/style.css", http.StatusOK},
		{"/static/favicon.svg", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			t.Parallel()
			res := app.do(request{method: "GET", path: tt.path})
			if res.StatusCode != tt.want {
				t.Errorf("%d, want %d", res.StatusCode, tt.want)
			}
			if cache := res.Header.Get("Cache-Control"); (tt.want == http.StatusOK) != strings.HasPrefix(cache, "public") {
				t.Errorf("Cache-Control %q", cache)
			}
		})
	}
}

// TestStrictJSON sends the API bodies that Go's encoding/json would take
// but read differently from other parsers: a name twice, a name in another
// case, invalid UTF-8. Each is refused naming the field, in a plain body
// and in an archive ingest batch (there per record where the record alone
// is wrong).
func TestStrictJSON(t *testing.T) {
	t.Parallel()
	app := newApp(t, storetest.Engines(t)[0], nil)
	admin, clerk := app.token(demoEmail(civic.RoleAdmin)), app.token(demoEmail(civic.RoleClerk))
	rec := func(extra string) string {
		return `{"account":"x:@cityhall","id":"1","kind":"post","captured_at":"2026-11-20T09:00:00Z","text":"snow"` + extra + `}`
	}
	tests := []struct {
		name, path, body string
		bearer           string
		field            string // of the 422, or of the rejected record
		record           bool   // the batch is taken and the record rejected
	}{
		{"duplicate", "/api/v1/departments", `{"slug":"harbor","name":"Harbor","name":"Port"}`, admin, "name", false},
		{"duplicate differing in case only", "/api/v1/departments", `{"slug":"harbor","name":"Harbor","Name":"Port"}`, admin, "Name", false},
		{"case variant", "/api/v1/departments", `{"Slug":"harbor","name":"Harbor"}`, admin, "Slug", false},
		{"invalid UTF-8", "/api/v1/departments", "{\"slug\":\"harbor\",\"name\":\"Harbor\xc3\"}", admin, "name", false},
		{"ingest duplicate", "/api/v1/ingest", `{"records":[` + rec(`,"text":"sun"`) + `]}`, clerk, "records[0].text", false},
		{"ingest duplicate records", "/api/v1/ingest", `{"records":[],"records":[` + rec("") + `]}`, clerk, "records", false},
		{"ingest invalid UTF-8", "/api/v1/ingest", `{"records":[` + rec(",\"tags\":[\"\xff\"]") + `]}`, clerk, "records[0].tags[0]", false},
		{"ingest case variant", "/api/v1/ingest", `{"records":[` + rec(`,"Text":"sun"`) + `]}`, clerk, "Text", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, _, _ := app.store.AuditHead(t.Context())
			res := app.do(request{method: "POST", path: tt.path, body: tt.body, bearer: tt.bearer})
			if tt.record {
				var out struct {
					Stored, Rejected int
					Records          []struct{ Error *struct{ Field string } }
				}
				if err := json.Unmarshal([]byte(readBody(t, res)), &out); err != nil || res.StatusCode != http.StatusOK {
					t.Fatalf("%d %v", res.StatusCode, err)
				}
				if out.Stored != 0 || out.Rejected != 1 || out.Records[0].Error == nil || out.Records[0].Error.Field != tt.field {
					t.Errorf("batch outcome %+v, want the record rejected naming %q", out, tt.field)
				}
				return
			}
			if code, msg, field := apiError(t, res); res.StatusCode != http.StatusUnprocessableEntity || field != tt.field {
				t.Errorf("%d %s %q (field %q), want 422 naming %q", res.StatusCode, code, msg, field, tt.field)
			}
			if after, _, _ := app.store.AuditHead(t.Context()); after != before {
				t.Errorf("%d audit events written", after-before)
			}
		})
	}
}
