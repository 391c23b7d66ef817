package platform

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

func TestGuardRefusesBlocksBansMutes(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	c := NewHTTPClient(nil, 0)
	refused := []struct{ method, path, body string }{
		{"POST", "/api/v1/accounts/1/block", ""},
		{"POST", "/api/v1/accounts/1/mute", ""},
		{"POST", "/api/v1/domain_blocks", "domain=example.org"},
		{"POST", "/api/v1/admin/accounts/1/action", "type=suspend"},
		{"POST", "/2/users/9/blocking", `{"target_user_id":"8"}`},
		{"POST", "/2/users/9/muting", `{"target_user_id":"8"}`},
		{"POST", "/v19.0/123/blocked", "user=5"},
		{"POST", "/youtube/v3/liveChat/bans", `{"snippet":{}}`},
		{"POST", "/youtube/v3/comments/setModerationStatus?id=1&moderationStatus=rejected&banAuthor=true", ""},
		{"POST", "/youtube/v3/comments/setModerationStatus", `{"banAuthor": true}`},
		{"POST", "/xrpc/com.atproto.repo.createRecord", `{"collection":"app.bsky.graph.block","record":{}}`},
		{"POST", "/xrpc/app.bsky.graph.muteActor", `{"actor":"did:plc:x"}`},
		{"DELETE", "/api/v1/accounts/1/BLOCK", ""},
	}
	for _, r := range refused {
		req, _ := http.NewRequest(r.method, srv.URL+r.path, strings.NewReader(r.body))
		_, err := c.Do(req)
		if !errors.Is(err, ErrRefused) {
			t.Errorf("%s %s %s: %v, want refused", r.method, r.path, r.body, err)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("%d refused requests reached the server", n)
	}
	allowed := []struct{ method, path, body string }{
		{"GET", "/api/v1/blocks", ""},
		{"GET", "/api/v1/mutes", ""},
		{"GET", "/xrpc/com.atproto.repo.listRecords?collection=app.bsky.graph.block", ""},
		{"POST", "/api/v1/statuses", `{"status":"The pool opens at noon; no blocking of lanes."}`},
		{"POST", "/api/v1/interaction_requests/1/authorize", ""},
		{"POST", "/v19.0/456", "is_hidden=true"},
	}
	for _, r := range allowed {
		req, _ := http.NewRequest(r.method, srv.URL+r.path, strings.NewReader(r.body))
		resp, err := c.Do(req)
		if err != nil {
			t.Errorf("%s %s: %v, want it sent", r.method, r.path, err)
			continue
		}
		resp.Body.Close()
	}
	if n := hits.Load(); int(n) != len(allowed) {
		t.Errorf("%d requests reached the server, want %d", n, len(allowed))
	}
}

func TestGuardKeepsTheBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Write(b)
	}))
	defer srv.Close()
	req, _ := http.NewRequest("POST", srv.URL+"/api/v1/statuses", strings.NewReader(`{"status":"hello"}`))
	resp, err := NewHTTPClient(nil, 0).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if b, _ := io.ReadAll(resp.Body); string(b) != `{"status":"hello"}` {
		t.Errorf("the server got %q", b)
	}
}

func TestClientWrapsAnyTransportInGuard(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	// A caller's own client, without the guard, is wrapped by Config.
	cl := Config{HTTP: &http.Client{Transport: http.DefaultTransport}}.Client("mastodon")
	_, err := cl.Do(t.Context(), Request{Method: "POST", URL: srv.URL + "/api/v1/accounts/1/block"})
	if PlatformKind(err) != "refused" || hits.Load() != 0 {
		t.Fatalf("block through a caller's client: %v, %d hits", err, hits.Load())
	}
}
