package linkedin

import (
	"context"
	"net/http"
	"testing"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/platform"
	"steward.city/steward/internal/platform/replay"
)

var now = time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)

func adapter() *Adapter { return New(platform.Config{Now: func() time.Time { return now }}) }

func endpoint(s *replay.Server) *civic.Endpoint {
	return &civic.Endpoint{BaseURL: s.URL, RemoteID: "5515715", Token: civic.PlatformToken{AccessToken: "a", RefreshToken: "r", ClientID: "c", ClientSecret: "s"}}
}

const (
	share1   = "urn:li:share:7300000000000000001"
	share2   = "urn:li:share:7300000000000000002"
	comment1 = "urn:li:comment:(urn:li:activity:7300000000000000001,7300000000000000100)"
	reply1   = "urn:li:comment:(urn:li:activity:7300000000000000001,7300000000000000101)"
)

func TestPollPages(t *testing.T) {
	s := replay.New(t, map[string]replay.Answer{
		"GET /rest/posts start=0":                                   {File: "posts_1.json"},
		"GET /rest/posts start=1":                                   {File: "posts_2.json"},
		"GET /rest/socialActions/" + share1 + "/comments start=0":   {File: "comments_1.json"},
		"GET /rest/socialActions/" + comment1 + "/comments start=0": {File: "replies_1.json"},
		"GET /rest/socialActions/" + reply1 + "/comments start=0":   {File: "empty.json"},
		"GET /rest/socialActions/" + share2 + "/comments start=0":   {Status: 404, File: "gone.json"},
	}, "start")
	a, ctx := adapter(), context.Background()
	p1, err := a.Poll(ctx, endpoint(s), "")
	if err != nil {
		t.Fatal(err)
	}
	if p1.Next != "1" || len(p1.Threads) != 1 {
		t.Fatalf("page 1 %+v", p1)
	}
	th := p1.Threads[0]
	if !th.Complete || th.Root.EditedAt == nil || len(th.Items) != 2 {
		t.Fatalf("thread %+v", th)
	}
	if c := th.Items[0]; c.PlatformID != comment1 || c.Kind != civic.ItemComment || c.ParentID != share1 {
		t.Errorf("comment %+v", c)
	}
	if r := th.Items[1]; r.PlatformID != reply1 || r.Kind != civic.ItemReply || r.ParentID != comment1 || r.EditedAt == nil {
		t.Errorf("reply %+v", r)
	}
	p2, err := a.Poll(ctx, endpoint(s), p1.Next)
	if err != nil || p2.Next != "" || len(p2.Threads) != 1 || p2.Threads[0].Complete {
		t.Fatalf("page 2 (post deleted): %+v %v", p2, err)
	}
	if _, err := a.Poll(ctx, endpoint(s), "-3"); civic.ErrorKind(err) != civic.KindInvalid {
		t.Errorf("bad cursor: %v", err)
	}
}

func TestErrors(t *testing.T) {
	for _, tt := range []struct {
		answer replay.Answer
		kind   civic.PlatformErrorKind
		wait   time.Duration
	}{
		{replay.Answer{Status: 401, File: "expired.json"}, civic.PlatformAuth, 0},
		{replay.Answer{Status: 429, File: "throttled.json"}, civic.PlatformRateLimited, 12 * time.Hour},
		{replay.Answer{Body: `{"paging": {"start": 0}, "elements": [{"id": 12}]}`}, civic.PlatformMalformed, 0},
	} {
		s := replay.New(t, map[string]replay.Answer{"GET /rest/posts start=0": tt.answer}, "start")
		_, err := adapter().Poll(context.Background(), endpoint(s), "")
		if pe := replay.Kind(t, err, tt.kind); pe.RetryAfter != tt.wait {
			t.Errorf("retry after %v, want %v", pe.RetryAfter, tt.wait)
		}
	}
}

func TestProfileRefresh(t *testing.T) {
	s := replay.New(t, map[string]replay.Answer{
		"GET /rest/organizations/5515715": {File: "organization.json"},
		"POST /oauth/v2/accessToken":      {File: "token.json"},
	})
	a, ep, ctx := adapter(), endpoint(s), context.Background()
	if p, err := a.Profile(ctx, ep); err != nil || p.Website != "https://springfield.example" || p.Handle != "city-of-springfield" {
		t.Errorf("profile %+v %v", p, err)
	}
	if tok, err := a.Refresh(ctx, ep); err != nil || tok.AccessToken != "AQXnew" || tok.RefreshToken != "AQWnew" {
		t.Errorf("refresh %+v %v", tok, err)
	}
	if err := a.Moderate(ctx, ep, reply1, civic.ActionDelete); err != civic.ErrUnsupported {
		t.Errorf("moderate %v", err)
	}
}

func TestGuardRefusesBlocking(t *testing.T) {
	s := replay.New(t, map[string]replay.Answer{})
	c := adapter().Client()
	replay.RefusedRequest(t, s, c, platform.Request{Method: http.MethodPost, URL: s.URL + "/rest/organizations/5515715/blocked", JSON: map[string]string{"member": "urn:li:person:AbC123"}})
	replay.RefusedRequest(t, s, c, platform.Request{Method: http.MethodPut, URL: s.URL + "/v2/blocks/urn:li:person:AbC123"})
}

var (
	_ civic.Platform  = (*Adapter)(nil)
	_ civic.Refresher = (*Adapter)(nil)
)
