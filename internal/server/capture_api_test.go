package server_test

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"strings"
	"testing"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/storetest"
)

// TestCaptureAPIAndPages reads the demo city's broken connection and its
// block flag through the API and the pages, resolves the flag, and checks
// that the webhook receiver answers 404 for a connection whose platform
// does not push, storing nothing. Its server opens no vault.
func TestCaptureAPIAndPages(t *testing.T) {
	app := newAppVault(t, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite}, nil, nil, nil)
	comms := app.token(demoEmail(civic.RoleCommunications))
	res := app.do(request{method: "GET", path: "/api/v1/capture/connections", bearer: comms})
	var conns struct {
		Items []struct {
			ID        int64  `json:"id"`
			Status    string `json:"status"`
			ErrorKind string `json:"error_kind"`
			LastError string `json:"last_error"`
			Ref       string `json:"account_ref"`
			Interval  int64  `json:"interval_seconds"`
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(readBody(t, res)), &conns); err != nil || res.StatusCode != 200 || len(conns.Items) != 1 {
		t.Fatalf("connections: %d %+v %v", res.StatusCode, conns, err)
	}
	c := conns.Items[0]
	if c.Status != "broken" || c.ErrorKind != "auth" || c.Ref != "mastodon:@city@demo-city.example" || c.Interval != 600 {
		t.Errorf("demo connection %+v", c)
	}
	res = app.do(request{method: "GET", path: fmt.Sprintf("/api/v1/capture/connections/%d", c.ID), bearer: comms})
	if body := readBody(t, res); res.StatusCode != 200 || !strings.Contains(body, `"stored": 7`) {
		t.Errorf("connection view %d %s", res.StatusCode, body)
	}
	// The broken connection is on Communications' work list, linking to
	// the connection, and on the account page.
	page := readBody(t, app.do(request{method: "GET", path: "/", cookie: app.session(demoEmail(civic.RoleCommunications))}))
	if !strings.Contains(page, "Capture of @city@demo-city.example on Mastodon is broken") || !strings.Contains(page, fmt.Sprintf(`href="/capture/%d"`, c.ID)) {
		t.Errorf("the dashboard does not show the broken connection")
	}
	// It says in plain words what broke and what to do; the platform's
	// own message is kept for IT, folded away.
	if !strings.Contains(page, "The platform refused Steward&#39;s token") {
		t.Errorf("the dashboard does not say in plain words why capture is broken")
	}
	conn := readBody(t, app.do(request{method: "GET", path: fmt.Sprintf("/capture/%d", c.ID), cookie: app.session(demoEmail(civic.RoleCommunications))}))
	if !strings.Contains(conn, "someone gives a new token") || !strings.Contains(conn, "<summary>Details for IT</summary>") || !strings.Contains(conn, html.EscapeString(c.LastError)) {
		t.Errorf("the connection page does not explain the error and keep its details")
	}

	res = app.do(request{method: "GET", path: "/api/v1/capture/flags?open=true&kind=block", bearer: comms})
	var flags struct {
		Items []civic.CaptureFlag `json:"items"`
	}
	if err := json.Unmarshal([]byte(readBody(t, res)), &flags); err != nil || len(flags.Items) != 1 || flags.Items[0].Kind != civic.FlagBlock {
		t.Fatalf("flags %+v %v", flags, err)
	}
	path := fmt.Sprintf("/api/v1/capture/flags/%d/resolve", flags.Items[0].ID)
	if res := app.do(request{method: "POST", path: path, body: `{}`, bearer: comms}); res.StatusCode != 422 {
		t.Errorf("resolve without a note: %d", res.StatusCode)
	}
	if res := app.do(request{method: "POST", path: path, body: `{"resolution":"the block was removed on the platform"}`, bearer: app.token(demoEmail(civic.RoleClerk))}); res.StatusCode != 403 {
		t.Errorf("resolve as the clerk: %d", res.StatusCode)
	}
	if res := app.do(request{method: "POST", path: path, body: `{"resolution":"the block was removed on the platform"}`, bearer: comms}); res.StatusCode != 200 {
		t.Errorf("resolve: %d %s", res.StatusCode, readBody(t, res))
	}
	if res := app.do(request{method: "POST", path: path, body: `{"resolution":"again"}`, bearer: comms}); res.StatusCode != 409 {
		t.Errorf("resolve twice: %d", res.StatusCode)
	}
	// Connecting needs the vault, which this test server does not open.
	res = app.do(request{method: "POST", path: "/api/v1/capture/connections", bearer: app.token(demoEmail(civic.RoleIT)),
		body: `{"account_id": 1, "remote_id": "1", "handle": "@parks", "token": {"access_token": "x"}}`})
	if res.StatusCode != 422 && res.StatusCode != 503 {
		t.Errorf("connect without a vault: %d %s", res.StatusCode, readBody(t, res))
	}
	res = app.do(request{method: "POST", path: "/api/v1/capture/connections", bearer: app.token(demoEmail(civic.RoleIT)), body: `{"account_id": 999, "token": {"access_token": "x"}}`})
	if body := readBody(t, res); res.StatusCode != 422 || !strings.Contains(body, "account_id") {
		t.Errorf("connect an unknown account: %d %s", res.StatusCode, body)
	}

	// The webhook receiver: Mastodon does not push.
	for _, p := range []string{fmt.Sprintf("/hooks/%d", c.ID), "/hooks/999", "/hooks/x"} {
		res := app.do(request{method: "POST", path: p, body: "x=1"})
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("POST %s: %d", p, res.StatusCode)
		}
	}
}
