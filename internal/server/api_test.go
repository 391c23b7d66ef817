package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/storetest"
)

// TestAPI drives the JSON API through a full round of changes and bad input
// on every engine.
func TestAPI(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			app := newApp(t, e, nil)
			admin := app.token("admin@demo-city.example")
			it := app.token("it@demo-city.example")
			staff := app.token("staff@demo-city.example")
			ctx := context.Background()

			call := func(method, path, body, bearer string) (*http.Response, map[string]any) {
				t.Helper()
				res := app.do(request{method: method, path: path, body: body, bearer: bearer})
				raw := readBody(t, res)
				var m map[string]any
				if raw != "" {
					if err := json.Unmarshal([]byte(raw), &m); err != nil {
						t.Fatalf("%s %s: body %q is not JSON", method, path, raw)
					}
				}
				return res, m
			}
			wantError := func(method, path, body, bearer string, status int, field string) {
				t.Helper()
				res, m := call(method, path, body, bearer)
				if res.StatusCode != status {
					t.Fatalf("%s %s %s: status %d (%v), want %d", method, path, body, res.StatusCode, m, status)
				}
				eb, _ := m["error"].(map[string]any)
				if eb == nil || eb["code"] == "" || eb["message"] == "" {
					t.Fatalf("%s %s: error body %v lacks code and message", method, path, m)
				}
				if got, _ := eb["field"].(string); got != field {
					t.Fatalf("%s %s %s: error field %q (%v), want %q", method, path, body, got, eb["message"], field)
				}
			}
			countEvents := func() int64 {
				n, _, err := app.store.AuditHead(ctx)
				if err != nil {
					t.Fatal(err)
				}
				return n
			}

			// Departments.
			res, d := call("POST", "/api/v1/departments", `{"slug":"fire","name":"Fire Department"}`, admin)
			if res.StatusCode != http.StatusCreated || d["slug"] != "fire" || res.Header.Get("Location") == "" {
				t.Fatalf("create department: %d %v", res.StatusCode, d)
			}
			id := int64(d["id"].(float64))
			res, d = call("PATCH", fmt.Sprintf("/api/v1/departments/%d", id), `{"name":"Fire and Rescue"}`, admin)
			if res.StatusCode != 200 || d["name"] != "Fire and Rescue" || d["slug"] != "fire" {
				t.Fatalf("patch department: %d %v", res.StatusCode, d)
			}
			before := countEvents()
			for _, c := range []struct {
				body   string
				status int
				field  string
			}{
				{`{"slug":"fire","name":"Another"}`, 409, "slug"},
				{`{"slug":"x","name":"Fire and Rescue"}`, 409, "name"},
				{`{"slug":"Has Spaces","name":"X"}`, 422, "slug"},
				{`{"name":"No slug"}`, 422, "slug"},
				{`{"slug":"ok","name":"Ok","colour":"red"}`, 422, "colour"},
				{`{"slug":"ok","name":42}`, 422, "name"},
				{`{"slug":"ok",`, 422, ""},
				{`{"slug":"ok","name":"Ok"} {"again":1}`, 422, ""},
				{`[1,2]`, 422, ""},
				{`not json`, 422, ""},
				{`{"slug":"ok","name":"` + strings.Repeat("x", 1<<20) + `"}`, 413, ""},
			} {
				wantError("POST", "/api/v1/departments", c.body, admin, c.status, c.field)
			}
			res = app.do(request{method: "POST", path: "/api/v1/departments", bearer: admin})
			if res.StatusCode != 422 {
				t.Errorf("empty body: %d", res.StatusCode)
			}
			res = app.do(request{method: "POST", path: "/api/v1/departments", body: "slug=a&name=b", bearer: admin, header: map[string]string{"Content-Type": "text/plain"}})
			if res.StatusCode != 422 {
				t.Errorf("text/plain body: %d", res.StatusCode)
			}
			if n := countEvents(); n != before {
				t.Errorf("bad requests wrote %d audit events", n-before)
			}
			wantError("GET", "/api/v1/departments/abc", "", admin, 404, "")
			wantError("GET", "/api/v1/departments/424242", "", admin, 404, "")
			wantError("POST", "/api/v1/departments", `{"slug":"a","name":"A"}`, staff, 403, "")
			wantError("GET", "/api/v1/nothing-here", "", admin, 404, "")

			// People: a bad department saves nothing.
			before = countEvents()
			wantError("POST", "/api/v1/people", `{"name":"Pat","kind":"employee"}`, admin, 422, "department_id")
			wantError("POST", "/api/v1/people", `{"name":"Pat","kind":"employee","department_id":999}`, admin, 422, "department_id")
			wantError("POST", "/api/v1/people", `{"name":"Pat","kind":"wizard","department_id":1}`, admin, 422, "kind")
			wantError("POST", "/api/v1/people", `{"name":"Pat","kind":"employee","department_id":"one"}`, admin, 422, "department_id")
			wantError("POST", "/api/v1/people", `{"name":"Pat","email":"pat at city","kind":"employee","department_id":1}`, admin, 422, "email")
			if n := countEvents(); n != before {
				t.Errorf("refused people wrote %d audit events", n-before)
			}
			res, p := call("POST", "/api/v1/people", fmt.Sprintf(`{"name":"Pat Quinn","email":"pat@demo-city.example","kind":"employee","department_id":%d}`, id), admin)
			if res.StatusCode != 201 {
				t.Fatalf("create person: %d %v", res.StatusCode, p)
			}
			personID := int64(p["id"].(float64))
			res, p = call("PATCH", fmt.Sprintf("/api/v1/people/%d", personID), `{"title":"Captain"}`, admin)
			if res.StatusCode != 200 || p["title"] != "Captain" || p["name"] != "Pat Quinn" {
				t.Fatalf("patch person: %d %v", res.StatusCode, p)
			}
			res, list := call("GET", fmt.Sprintf("/api/v1/people?department_id=%d", id), "", admin)
			if items, _ := list["items"].([]any); res.StatusCode != 200 || len(items) != 1 {
				t.Fatalf("people in department: %d %v", res.StatusCode, list)
			}
			wantError("GET", "/api/v1/people?kind=wizard", "", admin, 422, "kind")

			// Users.
			wantError("POST", "/api/v1/users", `{"email":"pat@demo-city.example"}`, admin, 422, "person_id")
			wantError("POST", "/api/v1/users", fmt.Sprintf(`{"person_id":%d,"email":"pat@demo-city.example","roles":[{"role":"director"}]}`, personID), admin, 422, "roles")
			wantError("POST", "/api/v1/users", fmt.Sprintf(`{"person_id":%d,"email":"pat@demo-city.example","password":"short"}`, personID), admin, 422, "password")
			wantError("POST", "/api/v1/users", fmt.Sprintf(`{"person_id":%d,"email":"admin@demo-city.example"}`, personID), admin, 409, "email")
			wantError("POST", "/api/v1/users", fmt.Sprintf(`{"person_id":%d,"email":"pat@demo-city.example","roles":[{"role":"admin"}]}`, personID), it, 403, "")
			res, u := call("POST", "/api/v1/users", fmt.Sprintf(`{"person_id":%d,"email":"pat@demo-city.example","password":"a long enough password","roles":[{"role":"director","department_id":%d},{"role":"staff"}]}`, personID, id), it)
			if res.StatusCode != 201 {
				t.Fatalf("create user: %d %v", res.StatusCode, u)
			}
			if strings.Contains(fmt.Sprint(u), "argon2") {
				t.Fatalf("user JSON shows the password hash: %v", u)
			}
			userID := int64(u["id"].(float64))
			wantError("POST", "/api/v1/users", fmt.Sprintf(`{"person_id":%d,"email":"other@demo-city.example"}`, personID), admin, 409, "person_id")
			pat := app.token("pat@demo-city.example")
			if res, _ := call("GET", "/api/v1/me", "", pat); res.StatusCode != 200 {
				t.Fatalf("me: %d", res.StatusCode)
			}
			res, u = call("PATCH", fmt.Sprintf("/api/v1/users/%d", userID), `{"roles":[{"role":"clerk"}]}`, admin)
			if roles, _ := u["roles"].([]any); res.StatusCode != 200 || len(roles) != 1 {
				t.Fatalf("set roles: %d %v", res.StatusCode, u)
			}
			wantError("PATCH", fmt.Sprintf("/api/v1/users/%d", userID), `{"roles":[{"role":"mayor"}]}`, admin, 422, "roles")
			wantError("PATCH", fmt.Sprintf("/api/v1/users/%d", userID), `{"disabled":"yes"}`, admin, 422, "disabled")
			adminUser, _ := app.store.UserByEmail(ctx, "admin@demo-city.example")
			wantError("PATCH", fmt.Sprintf("/api/v1/users/%d", adminUser.ID), `{"disabled":true}`, it, 403, "")
			wantError("PATCH", fmt.Sprintf("/api/v1/users/%d", adminUser.ID), `{"disabled":true}`, admin, 422, "user")
			wantError("PATCH", fmt.Sprintf("/api/v1/users/%d", adminUser.ID), `{"roles":[]}`, admin, 422, "roles")
			if res, _ := call("PATCH", fmt.Sprintf("/api/v1/users/%d", userID), `{"disabled":true}`, admin); res.StatusCode != 200 {
				t.Fatalf("disable: %d", res.StatusCode)
			}
			wantError("GET", "/api/v1/me", "", pat, 401, "")
			if res, _ := call("PATCH", fmt.Sprintf("/api/v1/users/%d", userID), `{"disabled":false}`, admin); res.StatusCode != 200 {
				t.Fatalf("enable: %d", res.StatusCode)
			}
			if res, _ := call("GET", "/api/v1/me", "", pat); res.StatusCode != 200 {
				t.Fatalf("me after enable: %d", res.StatusCode)
			}
			wantError("POST", fmt.Sprintf("/api/v1/users/%d/password", userID), `{"password":"tiny"}`, admin, 422, "password")
			if res := app.do(request{method: "POST", path: fmt.Sprintf("/api/v1/users/%d/password", userID), body: `{"password":"another long password"}`, bearer: admin}); res.StatusCode != 204 {
				t.Fatalf("reset password: %d", res.StatusCode)
			}
			// The reset revoked the user's tokens.
			wantError("GET", "/api/v1/me", "", pat, 401, "")
			pat = app.token("pat@demo-city.example")

			// Tokens.
			res, tk := call("POST", "/api/v1/tokens", `{"name":"nightly export","expires_in_days":30}`, staff)
			secret, _ := tk["token"].(string)
			if res.StatusCode != 201 || !strings.HasPrefix(secret, "stw_") || tk["expires_at"] == nil {
				t.Fatalf("create token: %d %v", res.StatusCode, tk)
			}
			tokenID := int64(tk["id"].(float64))
			if res, _ := call("GET", "/api/v1/me", "", secret); res.StatusCode != 200 {
				t.Fatalf("new token refused: %d", res.StatusCode)
			}
			wantError("POST", "/api/v1/tokens", `{"name":""}`, staff, 422, "name")
			wantError("POST", "/api/v1/tokens", `{"name":"x","expires_in_days":-1}`, staff, 422, "expires_in_days")
			wantError("POST", "/api/v1/tokens", fmt.Sprintf(`{"name":"x","user_id":%d}`, adminUser.ID), staff, 403, "")
			wantError("GET", "/api/v1/tokens?all=true", "", staff, 403, "")
			wantError("DELETE", fmt.Sprintf("/api/v1/tokens/%d", tokenID), "", pat, 404, "")
			if res := app.do(request{method: "DELETE", path: fmt.Sprintf("/api/v1/tokens/%d", tokenID), bearer: staff}); res.StatusCode != 204 {
				t.Fatalf("revoke: %d", res.StatusCode)
			}
			wantError("GET", "/api/v1/me", "", secret, 401, "")
			wantError("GET", "/api/v1/me", "", "stw_not-a-real-token", 401, "")
			res = app.do(request{method: "GET", path: "/api/v1/me", header: map[string]string{"Authorization": "Basic abc"}})
			if res.StatusCode != 401 || res.Header.Get("WWW-Authenticate") == "" {
				t.Fatalf("basic auth: %d", res.StatusCode)
			}
			app.clock.Advance(31 * 24 * time.Hour)
			_, tk = call("POST", "/api/v1/tokens", `{"name":"short","expires_in_days":1}`, staff)
			short := tk["token"].(string)
			app.clock.Advance(25 * time.Hour)
			wantError("GET", "/api/v1/me", "", short, 401, "")

			// Audit.
			res, ev := call("GET", "/api/v1/audit?action=user.&limit=5", "", admin)
			items, _ := ev["items"].([]any)
			if res.StatusCode != 200 || len(items) != 5 || ev["next_before"] == nil {
				t.Fatalf("audit: %d %d items %v", res.StatusCode, len(items), ev["next_before"])
			}
			for _, it := range items {
				if a := it.(map[string]any)["action"].(string); !strings.HasPrefix(a, "user.") {
					t.Errorf("audit filter let through %s", a)
				}
			}
			res, ev = call("GET", "/api/v1/audit?actor=it@demo-city.example", "", admin)
			items, _ = ev["items"].([]any)
			if res.StatusCode != 200 || len(items) == 0 {
				t.Fatalf("audit by actor: %d %v", res.StatusCode, ev)
			}
			wantError("GET", "/api/v1/audit?since=yesterday", "", admin, 422, "since")
			wantError("GET", "/api/v1/audit?actor=ghost@nowhere.example", "", admin, 422, "actor")
			wantError("GET", "/api/v1/audit?limit=100000", "", admin, 422, "limit")

			// Nothing secret in the audit log or the logs.
			events, err := app.store.AuditEvents(ctx, civic.AuditFilter{Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			var all strings.Builder
			for _, e := range events {
				all.Write(e.Before)
				all.Write(e.After)
			}
			all.WriteString(app.logs.String())
			for _, s := range []string{"a long enough password", "another long password", "$argon2id", secret, short, admin, pat} {
				if strings.Contains(all.String(), s) {
					t.Errorf("audit log or logs contain a secret: %q", s[:8])
				}
			}
		})
	}
}

// TestOpenAPIMatchesRoutes checks the OpenAPI document against the routes
// the server really has, both ways, and every list answer against its schema.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	app := newApp(t, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite}, nil)
	res := app.do(request{method: "GET", path: "/api/v1/openapi.json"})
	var doc struct {
		OpenAPI    string                                `json:"openapi"`
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Schemas map[string]map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal([]byte(readBody(t, res)), &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi version %q", doc.OpenAPI)
	}
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			if method == "parameters" {
				continue
			}
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	served := map[string]bool{}
	for _, rt := range app.server.Routes() {
		if rt.API {
			served[rt.Pattern()] = true
			if !documented[rt.Pattern()] {
				t.Errorf("route %s is not in openapi.json", rt.Pattern())
			}
		}
	}
	for op := range documented {
		if !served[op] {
			t.Errorf("openapi.json documents %s, which the server does not serve", op)
		}
	}

	// Every GET without parameters answers what its schema promises.
	admin := app.token("admin@demo-city.example")
	for path, ops := range doc.Paths {
		raw, ok := ops["get"]
		if !ok || strings.Contains(path, "{") || path == "/api/v1/openapi.json" {
			continue
		}
		var get map[string]any
		if err := json.Unmarshal(raw, &get); err != nil {
			t.Fatal(err)
		}
		if requiresParameter(get) {
			continue
		}
		schema := get["responses"].(map[string]any)["200"].(map[string]any)["content"].(map[string]any)["application/json"].(map[string]any)["schema"].(map[string]any)
		res := app.do(request{method: "GET", path: path, bearer: admin})
		var body any
		if err := json.Unmarshal([]byte(readBody(t, res)), &body); err != nil || res.StatusCode != 200 {
			t.Fatalf("GET %s: %d %v", path, res.StatusCode, err)
		}
		checkSchema(t, "GET "+path, doc.Components.Schemas, schema, body)
	}
}

// requiresParameter reports whether an operation has a required query
// parameter, which a GET without parameters cannot answer.
func requiresParameter(op map[string]any) bool {
	ps, _ := op["parameters"].([]any)
	for _, p := range ps {
		if m, ok := p.(map[string]any); ok && m["required"] == true {
			return true
		}
	}
	return false
}

// checkSchema checks required properties and types, following $ref.
func checkSchema(t *testing.T, at string, defs map[string]map[string]any, schema map[string]any, v any) {
	t.Helper()
	if ref, ok := schema["$ref"].(string); ok {
		schema = defs[strings.TrimPrefix(ref, "#/components/schemas/")]
	}
	if all, ok := schema["allOf"].([]any); ok {
		for _, s := range all {
			checkSchema(t, at, defs, s.(map[string]any), v)
		}
		return
	}
	if v == nil {
		if schema["nullable"] != true && schema["type"] != nil {
			t.Errorf("%s: null where %v is required", at, schema["type"])
		}
		return
	}
	switch schema["type"] {
	case "object":
		m, ok := v.(map[string]any)
		if !ok {
			t.Errorf("%s: %T, want an object", at, v)
			return
		}
		for _, r := range schema["required"].([]any) {
			if _, ok := m[r.(string)]; !ok {
				t.Errorf("%s: missing required property %q", at, r)
			}
		}
		props, _ := schema["properties"].(map[string]any)
		for k, pv := range m {
			ps, ok := props[k].(map[string]any)
			if !ok {
				t.Errorf("%s: property %q is not documented", at, k)
				continue
			}
			checkSchema(t, at+"."+k, defs, ps, pv)
		}
	case "array":
		items, ok := v.([]any)
		if !ok {
			t.Errorf("%s: %T, want an array", at, v)
			return
		}
		for i, it := range items {
			checkSchema(t, fmt.Sprintf("%s[%d]", at, i), defs, schema["items"].(map[string]any), it)
		}
	case "string":
		s, ok := v.(string)
		if !ok {
			t.Errorf("%s: %T, want a string", at, v)
		}
		if enum, ok := schema["enum"].([]any); ok && !slices.Contains(enum, any(s)) {
			t.Errorf("%s: %q is not one of %v", at, s, enum)
		}
	case "integer":
		if f, ok := v.(float64); !ok || f != float64(int64(f)) {
			t.Errorf("%s: %v, want an integer", at, v)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			t.Errorf("%s: %T, want a boolean", at, v)
		}
	}
}
