package tiktok

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/platform"
	"steward.city/steward/internal/platform/replay"
)

func adapter() *Adapter {
	return New(platform.Config{Now: func() time.Time { return time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC) }})
}

func endpoint(s *replay.Server) *civic.Endpoint {
	return &civic.Endpoint{BaseURL: s.URL, RemoteID: "723f24d7-e717-40f8-a2b6-cb8464cd23b4", Handle: "springfieldcity",
		Token: civic.PlatformToken{AccessToken: "act.old", RefreshToken: "rft.old", ClientID: "key", ClientSecret: "secret"}}
}

func TestPollPages(t *testing.T) {
	s := replay.New(t, map[string]replay.Answer{
		"POST /v2/video/list/":                      {File: "videos_1.json"},
		"POST /v2/video/list/ cursor=1772442000000": {File: "videos_2.json"},
	}, "cursor")
	a, ctx := adapter(), context.Background()
	p1, err := a.Poll(ctx, endpoint(s), "")
	if err != nil {
		t.Fatal(err)
	}
	if p1.Next != "1772442000000" || len(p1.Threads) != 1 || p1.Threads[0].Root.Text != "Spring cleanup day\n\nSpring cleanup day #springfield" {
		t.Fatalf("page 1 %+v", p1)
	}
	// No comments API: a thread is never complete, so nothing is taken for deleted.
	if p1.Threads[0].Complete {
		t.Error("a video thread without comments is complete")
	}
	p2, err := a.Poll(ctx, endpoint(s), p1.Next)
	if err != nil || p2.Next != "" || len(p2.Threads) != 1 {
		t.Fatalf("page 2 %+v %v", p2, err)
	}
}

func TestErrors(t *testing.T) {
	for _, tt := range []struct {
		answer replay.Answer
		kind   civic.PlatformErrorKind
		wait   time.Duration
	}{
		{replay.Answer{Status: 401, File: "expired.json"}, civic.PlatformAuth, 0},
		{replay.Answer{Status: 429, File: "ratelimit.json", Header: map[string]string{"Retry-After": "60"}}, civic.PlatformRateLimited, time.Minute},
		{replay.Answer{Body: `{"data": {"videos": [{"id": 7341000000000000001}]}, "error": {"code": "ok"}}`}, civic.PlatformMalformed, 0},
	} {
		s := replay.New(t, map[string]replay.Answer{"POST /v2/video/list/": tt.answer}, "cursor")
		_, err := adapter().Poll(context.Background(), endpoint(s), "")
		if pe := replay.Kind(t, err, tt.kind); pe.RetryAfter != tt.wait {
			t.Errorf("retry after %v", pe.RetryAfter)
		}
		if tt.kind == civic.PlatformMalformed {
			replay.Contains(t, err, "data.videos[0]")
		}
	}
}

func TestProfileRefresh(t *testing.T) {
	s := replay.New(t, map[string]replay.Answer{
		"GET /v2/user/info/":    {File: "user.json"},
		"POST /v2/oauth/token/": {File: "token.json"},
	})
	a, ep, ctx := adapter(), endpoint(s), context.Background()
	if p, err := a.Profile(ctx, ep); err != nil || p.Handle != "springfieldcity" || !strings.Contains(p.Bio, "9-1-1") {
		t.Errorf("profile %+v %v", p, err)
	}
	tok, err := a.Refresh(ctx, ep)
	if err != nil || tok.AccessToken != "act.new" || tok.RefreshToken != "rft.new" {
		t.Errorf("refresh %+v %v", tok, err)
	}
	if b := s.Bodies()[1]; !strings.Contains(b, "client_key=key") || !strings.Contains(b, "grant_type=refresh_token") {
		t.Errorf("refresh body %s", b)
	}
	for _, err := range []error{a.Moderate(ctx, ep, "1", civic.ActionHide), func() error { _, err := a.Blocks(ctx, ep); return err }()} {
		if err != civic.ErrUnsupported {
			t.Errorf("got %v, want unsupported", err)
		}
	}
}

func TestGuardRefusesBlocking(t *testing.T) {
	s := replay.New(t, map[string]replay.Answer{})
	c := adapter().Client()
	replay.RefusedRequest(t, s, c, platform.Request{Method: http.MethodPost, URL: s.URL + "/v2/user/block/", JSON: map[string]string{"open_id": "x"}})
	replay.RefusedRequest(t, s, c, platform.Request{Method: http.MethodPost, URL: s.URL + "/v2/user/mute/", JSON: map[string]string{"open_id": "x"}})
}

var (
	_ civic.Platform  = (*Adapter)(nil)
	_ civic.Refresher = (*Adapter)(nil)
)
