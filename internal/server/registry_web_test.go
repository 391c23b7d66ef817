package server_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"steward.city/steward/internal/civic"
)

// TestRegistryFormsRejectBadInput posts bad registry forms and checks each
// answer marks the field, ties it to its message and writes nothing.
func TestRegistryFormsRejectBadInput(t *testing.T) {
	app := sqliteApp(t)
	ctx := context.Background()
	as, _ := app.store.Accounts(ctx, civic.AccountFilter{Status: civic.AccountActive})
	acc := as[0].ID
	head := func() int64 { n, _, _ := app.store.AuditHead(ctx); return n }
	for _, c := range []struct {
		who    civic.Role
		path   string
		body   string
		status int
		field  string
	}{
		{civic.RoleCommunications, "/accounts", form("department_id", "1", "platform", "facebook", "handle", "h", "display_name", "d", "purpose", "p", "audience", "a",
			"categories", "announcements", "administrator_ids", "1", "administrator_ids", "2", "website_url", "www.city", "profile_text", "t"), 422, "website_url"},
		{civic.RoleCommunications, "/accounts", form("department_id", "1", "platform", "myspace"), 422, "platform"},
		{civic.RoleCommunications, fmt.Sprintf("/accounts/%d/status", acc), form("status", "suspended"), 422, "reason"},
		{civic.RoleCommunications, fmt.Sprintf("/accounts/%d/follows", acc), form("follow_handle", ""), 422, "follow_handle"},
		{civic.RoleStaff, fmt.Sprintf("/accounts/%d/posters", acc), form("poster_reason", " "), 422, "poster_reason"},
		{civic.RoleIT, fmt.Sprintf("/accounts/%d/credentials", acc), form("kind", "password", "secret", ""), 422, "secret"},
		{civic.RoleSICCommander, "/covert", form("site_name", "Reddit", "site_url", "https://reddit.com/", "username", "u", "screen_name", "s", "purpose", "p"), 422, "maintainer_id"},
		{civic.RoleCommunications, "/contracts", form("platform", "x", "title", "Terms", "accepted_by", "J", "authority", "C", "accepted_on", "2026-11-01"), 422, "version"},
		{civic.RoleHR, "/policies", form("slug", "Social Media", "title", "T", "version", "1"), 422, "slug"},
		{civic.RoleHR, "/cases", form("summary", "x"), 422, "person_id"},
	} {
		cookie := app.session(demoEmail(c.who))
		before := head()
		res := app.do(request{method: "POST", path: c.path, body: c.body, cookie: cookie})
		body := readBody(t, res)
		if res.StatusCode != c.status {
			t.Errorf("%s %s: status %d, want %d", c.who, c.path, res.StatusCode, c.status)
			continue
		}
		input := regexp.MustCompile(`<(input|select|textarea)[^>]*id="f-` + c.field + `"[^>]*>`).FindString(body)
		if !strings.Contains(input, `aria-invalid="true"`) || !strings.Contains(input, "e-"+c.field) {
			t.Errorf("%s %s: field %s is not marked and described: %q", c.who, c.path, c.field, input)
		}
		if !strings.Contains(body, `id="e-`+c.field+`"`) || !strings.Contains(body, `href="#f-`+c.field+`"`) {
			t.Errorf("%s %s: no message for %s, or the summary does not link to it", c.who, c.path, c.field)
		}
		if head() != before {
			t.Errorf("%s %s: a refused form wrote audit events", c.who, c.path)
		}
	}
	// A reveal without a reason is refused, and shows no secret.
	if _, err := app.reg.StoreCredential(ctx, civic.CLI, acc, civic.CredentialPassword, "form-SECRET"); err != nil {
		t.Fatal(err)
	}
	cs, _ := app.store.Credentials(ctx, acc, 0)
	res := app.do(request{method: "POST", path: fmt.Sprintf("/credentials/%d/reveal", cs[0].ID), body: form("reason", ""), cookie: app.session(demoEmail(civic.RoleIT))})
	if body := readBody(t, res); res.StatusCode != http.StatusUnprocessableEntity || strings.Contains(body, "form-SECRET") {
		t.Fatalf("reveal without a reason: %d", res.StatusCode)
	}
	res = app.do(request{method: "GET", path: fmt.Sprintf("/accounts/%d", acc), cookie: app.session(demoEmail(civic.RoleIT))})
	if body := readBody(t, res); strings.Contains(body, "form-SECRET") {
		t.Fatal("the account page source holds the secret")
	}
}
