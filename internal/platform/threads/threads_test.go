package threads

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

var now = time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)

func adapter() *Adapter { return New(platform.Config{Now: func() time.Time { return now }}) }

func endpoint(s *replay.Server) *civic.Endpoint {
	return &civic.Endpoint{BaseURL: s.URL + "/v1.0", RemoteID: "2400", Handle: "springfieldcity", Token: civic.PlatformToken{AccessToken: "THQVJold"}}
}

func TestPollPages(t *testing.T) {
	s := replay.New(t, map[string]replay.Answer{
		"GET /v1.0/2400/threads":                   {File: "threads_1.json"},
		"GET /v1.0/2400/threads after=QVFIUb":      {File: "threads_2.json"},
		"GET /v1.0/18050206876707110/conversation": {File: "conversation_1.json"},
		"GET /v1.0/18050206876707111/conversation": {Status: 400, File: "gone.json"},
	}, "after")
	a, ctx := adapter(), context.Background()
	p1, err := a.Poll(ctx, endpoint(s), "")
	if err != nil {
		t.Fatal(err)
	}
	if p1.Next != "QVFIUb" || len(p1.Threads) != 1 || !p1.Threads[0].Complete {
		t.Fatalf("page 1 %+v", p1)
	}
	items := p1.Threads[0].Items
	want := []struct {
		kind   civic.ItemKind
		parent string
		state  civic.ItemState
	}{
		{civic.ItemComment, "18050206876707110", civic.StateVisible},
		{civic.ItemReply, "18050206876707200", civic.StateVisible},
		{civic.ItemComment, "18050206876707110", civic.StateHidden},
		{civic.ItemReply, "18050206876707199", civic.StateVisible}, // its parent is gone
	}
	if len(items) != len(want) {
		t.Fatalf("items %+v", items)
	}
	for i, w := range want {
		if items[i].Kind != w.kind || items[i].ParentID != w.parent || items[i].State != w.state || items[i].ThreadID != "18050206876707110" {
			t.Errorf("item %d: %+v, want %+v", i, items[i], w)
		}
	}
	p2, err := a.Poll(ctx, endpoint(s), p1.Next)
	if err != nil || p2.Next != "" || len(p2.Threads) != 1 || p2.Threads[0].Complete {
		t.Fatalf("page 2 %+v %v", p2, err)
	}
}

func TestErrors(t *testing.T) {
	for _, tt := range []struct {
		answer replay.Answer
		kind   civic.PlatformErrorKind
	}{
		{replay.Answer{Status: 400, File: "expired.json"}, civic.PlatformAuth},
		{replay.Answer{Status: 400, File: "ratelimit.json"}, civic.PlatformRateLimited},
		{replay.Answer{Body: `{"data": [{"id": "1", "timestamp": 5}]}`}, civic.PlatformMalformed},
	} {
		s := replay.New(t, map[string]replay.Answer{"GET /v1.0/2400/threads": tt.answer}, "after")
		_, err := adapter().Poll(context.Background(), endpoint(s), "")
		replay.Kind(t, err, tt.kind)
	}
}

func TestModerateProfileRefresh(t *testing.T) {
	s := replay.New(t, map[string]replay.Answer{
		"POST /v1.0/18050206876707202/manage_reply": {File: "success.json"},
		"GET /v1.0/2400":                 {File: "profile.json"},
		"GET /v1.0/refresh_access_token": {File: "refreshed.json"},
	})
	a, ep, ctx := adapter(), endpoint(s), context.Background()
	if err := a.Moderate(ctx, ep, "18050206876707202", civic.ActionHide); err != nil {
		t.Fatal(err)
	}
	if b := s.Bodies()[0]; b != "hide=true" {
		t.Errorf("body %q", b)
	}
	if err := a.Moderate(ctx, ep, "18050206876707202", civic.ActionDelete); err != civic.ErrUnsupported {
		t.Errorf("delete %v", err)
	}
	if p, err := a.Profile(ctx, ep); err != nil || p.Handle != "springfieldcity" {
		t.Errorf("profile %+v %v", p, err)
	}
	tok, err := a.Refresh(ctx, ep)
	if err != nil || tok.AccessToken != "THQVJnew" || tok.ExpiresAt == nil || !tok.ExpiresAt.Equal(now.Add(5183944*time.Second)) {
		t.Errorf("refresh %+v %v", tok, err)
	}
}

func TestGuardRefusesBlocking(t *testing.T) {
	s := replay.New(t, map[string]replay.Answer{})
	c := adapter().Client()
	replay.RefusedRequest(t, s, c, platform.Request{Method: http.MethodPost, URL: s.URL + "/v1.0/2400/blocked", Form: url.Values{"user_id": {"99"}}})
	replay.RefusedRequest(t, s, c, platform.Request{Method: http.MethodPost, URL: s.URL + "/v1.0/2400/mute", Form: url.Values{"user_id": {"99"}}})
}

func TestWebhook(t *testing.T) {
	body, err := os.ReadFile("testdata/reply_hook.json")
	if err != nil {
		t.Fatal(err)
	}
	a := adapter()
	sent := time.Unix(1772442000, 0)
	signed := http.Header{"X-Hub-Signature-256": {facebook.Sign(body, "sec")}}
	got, err := a.Delivery(signed, body, "sec", sent.Add(time.Minute))
	if err != nil || len(got) != 1 {
		t.Fatalf("%+v %v", got, err)
	}
	if o := got[0].Observation; got[0].RemoteAccountID != "2400" || o.Kind != civic.ItemReply || o.ParentID != "18050206876707201" || o.ThreadID != "18050206876707110" {
		t.Errorf("%+v", got[0])
	}
	for name, c := range map[string]struct {
		h   http.Header
		now time.Time
	}{
		"unsigned": {http.Header{}, sent},
		"wrong":    {http.Header{"X-Hub-Signature-256": {facebook.Sign(body, "other")}}, sent},
		"stale":    {signed, sent.Add(90 * time.Minute)},
	} {
		if got, err := a.Delivery(c.h, body, "sec", c.now); err == nil || got != nil {
			t.Errorf("%s accepted", name)
		}
	}
}

var (
	_ civic.Platform  = (*Adapter)(nil)
	_ civic.Pusher    = (*Adapter)(nil)
	_ civic.Refresher = (*Adapter)(nil)
	_ civic.Lookuper  = (*Adapter)(nil)
)

func TestLookup(t *testing.T) {
	s := replay.New(t, map[string]replay.Answer{
		"GET /v1.0/18050206876707110": {File: "thread.json"},
		"GET /v1.0/18050206876707199": {Status: 400, File: "thread_gone.json"},
		"GET /v1.0/18050206876707198": {Status: 400, File: "expired.json"},
	})
	a, ctx := adapter(), context.Background()
	o, err := a.Lookup(ctx, endpoint(s), "18050206876707110")
	if err != nil || o.PlatformID != "18050206876707110" || o.Kind != civic.ItemPost || o.Author.ID != "2400" ||
		o.PlatformTime == nil || !o.PlatformTime.Equal(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)) {
		t.Fatalf("lookup of a thread still there: %+v, %v", o, err)
	}
	_, err = a.Lookup(ctx, endpoint(s), "18050206876707199")
	replay.Kind(t, err, civic.PlatformNotFound)
	// An expired token is not a deleted post.
	_, err = a.Lookup(ctx, endpoint(s), "18050206876707198")
	replay.Kind(t, err, civic.PlatformAuth)
}
