package server_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/storetest"
)

// Who may use each route, written out by hand from the policy (PPL-3) so
// that the test does not merely repeat the code's own table. "signed-in"
// means any signed-in user, even one without roles; "public" means anyone.
var matrix = map[string][]string{
	"GET /signin":         {"public"},
	"POST /signin":        {"public"},
	"GET /signin/forgot":  {"public"},
	"POST /signin/forgot": {"public"},
	"GET /signin/reset":   {"public"},
	"POST /signin/reset":  {"public"},
	"GET /sso/start":      {"public"},
	"GET /sso/callback":   {"public"},
	"POST /signout":       {"signed-in"},

	"GET /{$}":                        {"signed-in"},
	"GET /account":                    {"signed-in"},
	"POST /account/password":          {"signed-in"},
	"POST /account/personal-accounts": {"signed-in"},

	"GET /departments":       roles("admin communications director staff clerk attorney hr it sic_commander auditor"),
	"POST /departments":      roles("admin"),
	"GET /departments/{id}":  roles("admin communications director staff clerk attorney hr it sic_commander auditor"),
	"POST /departments/{id}": roles("admin"),

	"GET /people":       roles("admin communications director clerk attorney hr it auditor"),
	"POST /people":      roles("admin hr"),
	"GET /people/{id}":  roles("admin communications director clerk attorney hr it auditor"),
	"POST /people/{id}": roles("admin hr"),

	"GET /users":                       roles("admin it auditor"),
	"POST /users":                      roles("admin it"),
	"GET /users/{id}":                  roles("admin it auditor"),
	"POST /users/{id}/roles":           roles("admin it"),
	"POST /users/{id}/disable":         roles("admin it"),
	"POST /users/{id}/enable":          roles("admin it"),
	"POST /users/{id}/password":        roles("admin it"),
	"GET /tokens":                      {"signed-in"},
	"POST /tokens":                     {"signed-in"},
	"POST /tokens/{id}/revoke":         {"signed-in"},
	"GET /audit":                       roles("admin clerk attorney auditor"),
	"GET /admin/jobs":                  roles("admin"),
	"POST /admin/jobs/{id}/retry":      roles("admin"),
	"POST /admin/jobs/{id}/cancel":     roles("admin"),
	"GET /api/v1/openapi.json":         {"public"},
	"GET /api/v1/me":                   {"signed-in"},
	"GET /api/v1/departments":          roles("admin communications director staff clerk attorney hr it sic_commander auditor"),
	"POST /api/v1/departments":         roles("admin"),
	"GET /api/v1/departments/{id}":     roles("admin communications director staff clerk attorney hr it sic_commander auditor"),
	"PATCH /api/v1/departments/{id}":   roles("admin"),
	"GET /api/v1/people":               roles("admin communications director clerk attorney hr it auditor"),
	"POST /api/v1/people":              roles("admin hr"),
	"GET /api/v1/people/{id}":          roles("admin communications director clerk attorney hr it auditor"),
	"PATCH /api/v1/people/{id}":        roles("admin hr"),
	"GET /api/v1/users":                roles("admin it auditor"),
	"POST /api/v1/users":               roles("admin it"),
	"GET /api/v1/users/{id}":           roles("admin it auditor"),
	"PATCH /api/v1/users/{id}":         roles("admin it"),
	"POST /api/v1/users/{id}/password": roles("admin it"),
	"GET /api/v1/tokens":               {"signed-in"},
	"POST /api/v1/tokens":              {"signed-in"},
	"DELETE /api/v1/tokens/{id}":       {"signed-in"},
	"GET /api/v1/audit":                roles("admin clerk attorney auditor"),
	"GET /api/v1/jobs":                 roles("admin"),
	"POST /api/v1/jobs/{id}/retry":     roles("admin"),
	"POST /api/v1/jobs/{id}/cancel":    roles("admin"),
}

func roles(s string) []string { return strings.Fields(s) }

// TestRoleMatrix requests every route as every role, as a user without
// roles and as nobody, and checks each answer against the matrix.
func TestRoleMatrix(t *testing.T) {
	app := newApp(t, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite}, nil)
	ctx := context.Background()

	// A user with no roles at all.
	p := &civic.Person{Name: "No Roles", Kind: civic.KindVolunteer, DepartmentID: 1}
	nobody := &civic.User{Email: "noroles@demo-city.example"}
	if err := app.store.Update(ctx, civic.System, func(tx civic.Tx) error {
		if err := tx.CreatePerson(ctx, p); err != nil {
			return err
		}
		nobody.PersonID = p.ID
		return tx.CreateUser(ctx, nobody)
	}); err != nil {
		t.Fatal(err)
	}

	type subject struct{ name, email string }
	subjects := []subject{{"anonymous", ""}, {"noroles", nobody.Email}}
	for _, r := range civic.Roles {
		subjects = append(subjects, subject{string(r), demoEmail(r)})
	}
	seen := map[string]bool{}
	for _, rt := range app.server.Routes() {
		pattern := rt.Pattern()
		seen[pattern] = true
		allowed, ok := matrix[pattern]
		if !ok {
			t.Errorf("route %s is not in the role matrix: add who may use it", pattern)
			continue
		}
		for _, s := range subjects {
			want := slices.Contains(allowed, "public") || slices.Contains(allowed, s.name) ||
				(s.name != "anonymous" && slices.Contains(allowed, "signed-in"))
			req := request{method: rt.Method, path: strings.ReplaceAll(strings.ReplaceAll(rt.Path, "{$}", ""), "{id}", "999999")}
			if rt.Method != http.MethodGet {
				req.body = "{}"
				if !rt.API {
					req.body = "x=1"
				}
			}
			if s.email != "" {
				u, err := app.store.UserByEmail(ctx, s.email)
				if err != nil {
					t.Fatal(err)
				}
				if rt.API {
					secret, _, err := app.auth.CreateToken(ctx, civic.ActorOf(u), u.ID, "matrix", 0)
					if err != nil {
						t.Fatal(err)
					}
					req.bearer = secret
				} else {
					secret, err := app.auth.StartSession(ctx, u, "password")
					if err != nil {
						t.Fatal(err)
					}
					req.cookie = secret
				}
			}
			res := app.do(req)
			got := res.StatusCode
			denied := got == http.StatusForbidden || got == http.StatusUnauthorized ||
				(got == http.StatusSeeOther && strings.HasPrefix(res.Header.Get("Location"), "/signin?next="))
			switch {
			case want && denied:
				t.Errorf("%s as %s: got %d, want it allowed", pattern, s.name, got)
			case !want && !denied:
				t.Errorf("%s as %s: got %d, want it denied", pattern, s.name, got)
			case !want && s.name == "anonymous" && rt.API && got != http.StatusUnauthorized:
				t.Errorf("%s as anonymous: got %d, want 401", pattern, got)
			case !want && s.name != "anonymous" && got != http.StatusForbidden:
				t.Errorf("%s as %s: got %d, want 403", pattern, s.name, got)
			}
		}
	}
	for pattern := range matrix {
		if !seen[pattern] {
			t.Errorf("the matrix names %s, which is not a route", pattern)
		}
	}
}
