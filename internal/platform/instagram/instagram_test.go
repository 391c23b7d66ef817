package instagram

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"testing"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/platform"
	"steward.city/steward/internal/platform/facebook"
	"steward.city/steward/internal/platform/replay"
)

const ig = "17841400000000001"

func endpoint(s *replay.Server) *civic.Endpoint {
	return &civic.Endpoint{BaseURL: s.URL + "/v21.0", RemoteID: ig, Handle: "springfieldparks", Token: civic.PlatformToken{AccessToken: "tok"}}
}

func TestPollPages(t *testing.T) {
	s := replay.New(t, map[string]replay.Answer{
		"GET /v21.0/" + ig + "/media":               {File: "media_1.json"},
		"GET /v21.0/" + ig + "/media after=QVFIUzI": {File: "media_2.json"},
		"GET /v21.0/17895695668004550/comments":     {File: "comments_1.json"},
		"GET /v21.0/17858893269000001/replies":      {File: "replies_1.json"},
		"GET /v21.0/17858893269000002/replies":      {Status: 400, File: "gone.json"},
		"GET /v21.0/17895695668004551/comments":     {File: "empty.json"},
	}, "after")
	a, ctx := New(platform.Config{}), context.Background()
	p1, err := a.Poll(ctx, endpoint(s), "")
	if err != nil {
		t.Fatal(err)
	}
	if p1.Span == nil || !p1.Span.To.IsZero() || !p1.Span.From.Equal(time.Date(2026, 3, 2, 18, 0, 0, 0, time.UTC)) {
		t.Errorf("page 1 span %+v", p1.Span)
	}
	if p1.Next != "QVFIUzI|2026-03-02T18:00:00Z" || len(p1.Threads) != 1 {
		t.Fatalf("page 1: %+v", p1)
	}
	th := p1.Threads[0]
	if len(th.Items) != 3 {
		t.Fatalf("items %+v", th.Items)
	}
	if th.Items[2].State != civic.StateHidden || th.Items[1].Kind != civic.ItemReply || th.Items[1].ParentID != "17858893269000001" {
		t.Errorf("items: %+v", th.Items)
	}
	// The hidden comment was deleted while its replies were read: the
	// thread is not complete, so no absence is taken for a deletion.
	if th.Complete {
		t.Error("a thread with a comment gone mid-read is complete")
	}
	p2, err := a.Poll(ctx, endpoint(s), p1.Next)
	// The last page runs up to where page 1 stopped and stays closed at
	// its oldest media (the listing holds at most the newest 10,000).
	if sp := p2.Span; err == nil && (sp == nil || !sp.To.Equal(p1.Span.From) || !sp.From.Equal(time.Date(2026, 2, 27, 12, 0, 0, 0, time.UTC))) {
		t.Errorf("page 2 span %+v", p2.Span)
	}
	if p3, err := a.Poll(ctx, endpoint(s), "QVFIUzI"); err != nil || p3.Span != nil || len(p3.Threads) != 1 {
		t.Errorf("a cursor stored before spans: %+v, %v", p3, err)
	}
	if err != nil || p2.Next != "" || len(p2.Threads) != 1 || !p2.Threads[0].Complete {
		t.Fatalf("page 2: %+v %v", p2, err)
	}
}

func TestErrors(t *testing.T) {
	for _, tt := range []struct {
		answer replay.Answer
		kind   civic.PlatformErrorKind
	}{
		{replay.Answer{Status: 400, File: "expired.json"}, civic.PlatformAuth},
		{replay.Answer{Status: 400, File: "throttled.json"}, civic.PlatformRateLimited},
		{replay.Answer{Status: 429, Header: map[string]string{"Retry-After": "120"}, Body: "{}"}, civic.PlatformRateLimited},
		{replay.Answer{Body: `{"data": [{"id": 17895695668004550}]}`}, civic.PlatformMalformed},
	} {
		s := replay.New(t, map[string]replay.Answer{"GET /v21.0/" + ig + "/media": tt.answer}, "after")
		_, err := New(platform.Config{}).Poll(context.Background(), endpoint(s), "")
		replay.Kind(t, err, tt.kind)
		if tt.kind == civic.PlatformMalformed {
			replay.Contains(t, err, "media data[0]")
		}
	}
}

func TestProfileModerate(t *testing.T) {
	s := replay.New(t, map[string]replay.Answer{
		"GET /v21.0/" + ig:                {File: "profile.json"},
		"POST /v21.0/17858893269000002":   {File: "success.json"},
		"DELETE /v21.0/17858893269000002": {File: "success.json"},
	})
	a, ep, ctx := New(platform.Config{}), endpoint(s), context.Background()
	p, err := a.Profile(ctx, ep)
	if err != nil || p.Website != "https://springfield.example/parks" {
		t.Fatalf("profile %+v %v", p, err)
	}
	for _, act := range []civic.PlatformAction{civic.ActionHide, civic.ActionUnhide, civic.ActionDelete} {
		if err := a.Moderate(ctx, ep, "17858893269000002", act); err != nil {
			t.Errorf("%s: %v", act, err)
		}
	}
	if b := s.Bodies(); b[1] != "hide=true" || b[2] != "hide=false" {
		t.Errorf("bodies %q", b)
	}
	if _, err := a.Blocks(ctx, ep); err != civic.ErrUnsupported {
		t.Errorf("blocks: %v", err)
	}
}

func TestGuardRefusesBlocking(t *testing.T) {
	s := replay.New(t, map[string]replay.Answer{})
	c := New(platform.Config{}).Client()
	replay.RefusedRequest(t, s, c, platform.Request{Method: "POST", URL: s.URL + "/v21.0/" + ig + "/blocked", Form: url.Values{"user": {"17841400000000078"}}})
	replay.RefusedRequest(t, s, c, platform.Request{Method: "POST", URL: s.URL + "/v21.0/" + ig + "/mute"})
}

func TestWebhook(t *testing.T) {
	body, err := os.ReadFile("testdata/comment_change.json")
	if err != nil {
		t.Fatal(err)
	}
	sent := time.Unix(1772474400, 0)
	a := New(platform.Config{})
	got, err := a.Delivery(http.Header{"X-Hub-Signature-256": {facebook.Sign(body, "s")}}, body, "s", sent)
	if err != nil || len(got) != 1 {
		t.Fatalf("%+v %v", got, err)
	}
	if o := got[0].Observation; o.Kind != civic.ItemReply || o.ParentID != "17858893269000003" || o.ThreadID != "17895695668004550" || got[0].RemoteAccountID != ig {
		t.Errorf("%+v", got[0])
	}
	for name, h := range map[string]http.Header{"unsigned": {}, "wrong": {"X-Hub-Signature-256": {facebook.Sign(body, "t")}}} {
		if _, err := a.Delivery(h, body, "s", sent); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
	if _, err := a.Delivery(http.Header{"X-Hub-Signature-256": {facebook.Sign(body, "s")}}, body, "s", sent.Add(3*time.Hour)); err == nil {
		t.Error("stale accepted")
	}
}

var (
	_ civic.Platform = (*Adapter)(nil)
	_ civic.Pusher   = (*Adapter)(nil)
)

func TestLookup(t *testing.T) {
	s := replay.New(t, map[string]replay.Answer{
		"GET /v21.0/17895695668004550": {File: "media_one.json"},
		"GET /v21.0/17895695668004559": {Status: 400, File: "gone.json"},
	}, "after")
	a := New(platform.Config{})
	o, err := a.Lookup(context.Background(), endpoint(s), "17895695668004550")
	if err != nil || o.PlatformID != "17895695668004550" || o.Kind != civic.ItemPost {
		t.Fatalf("lookup of media still there: %+v, %v", o, err)
	}
	if _, err := a.Lookup(context.Background(), endpoint(s), "17895695668004559"); civic.PlatformErrorKindOf(err) != civic.PlatformNotFound {
		t.Errorf("lookup of deleted media: %v, want not_found", err)
	}
}
