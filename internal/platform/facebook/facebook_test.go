package facebook

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/platform"
	"steward.city/steward/internal/platform/replay"
)

func endpoint(s *replay.Server) *civic.Endpoint {
	return &civic.Endpoint{BaseURL: s.URL + "/v21.0", RemoteID: "1020", Handle: "springfieldparks", Token: civic.PlatformToken{AccessToken: "page-token"}}
}

var feedRoutes = map[string]replay.Answer{
	"GET /v21.0/1020/feed":                    {File: "feed_1.json"},
	"GET /v21.0/1020/feed after=QVFIUnBhZ2Uy": {File: "feed_2.json"},
	"GET /v21.0/1020_501/comments":            {File: "comments_501_1.json"},
	"GET /v21.0/1020_501/comments after=Mg":   {File: "comments_501_2.json"},
	"GET /v21.0/1020_502/comments":            {Status: 400, File: "gone.json"},
	"GET /v21.0/1020_503/comments":            {File: "empty.json"},
}

func TestPollPages(t *testing.T) {
	s := replay.New(t, feedRoutes, "after")
	a := New(platform.Config{})
	ctx := context.Background()
	p1, err := a.Poll(ctx, endpoint(s), "")
	if err != nil {
		t.Fatal(err)
	}
	if p1.Next != "QVFIUnBhZ2Uy" || len(p1.Threads) != 2 {
		t.Fatalf("page 1: next %q, %d threads", p1.Next, len(p1.Threads))
	}
	th := p1.Threads[0]
	if th.Root.PlatformID != "1020_501" || th.Root.ViaApp != "Steward" || th.Root.EditedAt == nil || !th.Complete {
		t.Errorf("root: %+v complete %v", th.Root, th.Complete)
	}
	if len(th.Items) != 4 {
		t.Fatalf("got %d comments across two pages, want 4", len(th.Items))
	}
	want := []struct {
		id, parent string
		kind       civic.ItemKind
		state      civic.ItemState
	}{
		{"501_9001", "1020_501", civic.ItemComment, civic.StateVisible},
		{"501_9002", "1020_501", civic.ItemComment, civic.StateHidden},
		{"501_9003", "501_9001", civic.ItemReply, civic.StateVisible},
		{"501_9004", "501_8999", civic.ItemReply, civic.StateVisible}, // its parent is gone
	}
	for i, w := range want {
		o := th.Items[i]
		if o.PlatformID != w.id || o.ParentID != w.parent || o.Kind != w.kind || o.State != w.state || o.ThreadID != "1020_501" {
			t.Errorf("item %d: %+v, want %+v", i, o, w)
		}
		if len(o.Raw) == 0 || o.PlatformTime == nil || o.Author.ID == "" {
			t.Errorf("item %d lacks raw, time or author", i)
		}
	}
	// The second post disappeared between the feed and its comments.
	if gone := p1.Threads[1]; gone.Complete || len(gone.Items) != 0 || gone.Root.PlatformID != "1020_502" {
		t.Errorf("deleted post: %+v", gone)
	}
	p2, err := a.Poll(ctx, endpoint(s), p1.Next)
	if err != nil {
		t.Fatal(err)
	}
	if p2.Next != "" || len(p2.Threads) != 1 || !p2.Threads[0].Complete {
		t.Errorf("page 2: %+v", p2)
	}
}

// Edges with time paging give only a next URL: its query (less the
// token) is the cursor.
func TestPollTimePaging(t *testing.T) {
	s := replay.New(t, map[string]replay.Answer{
		"GET /v21.0/1020/feed":                         {File: "feed_time_1.json"},
		"GET /v21.0/1020_601/comments":                 {File: "empty.json"},
		"GET /v21.0/1020/feed __paging_token=enc_next": {File: "feed_2.json"},
		"GET /v21.0/1020_503/comments":                 {File: "empty.json"},
	}, "after", "__paging_token")
	a := New(platform.Config{})
	p1, err := a.Poll(context.Background(), endpoint(s), "")
	if err != nil {
		t.Fatal(err)
	}
	if p1.Next == "" || strings.Contains(p1.Next, "EAAB") || !strings.Contains(p1.Next, "until=1772443799") {
		t.Fatalf("next %q", p1.Next)
	}
	p2, err := a.Poll(context.Background(), endpoint(s), p1.Next)
	if err != nil || len(p2.Threads) != 1 || p2.Next != "" {
		t.Fatalf("page 2 %+v %v", p2, err)
	}
}

func TestPollErrors(t *testing.T) {
	tests := []struct {
		name   string
		answer replay.Answer
		kind   civic.PlatformErrorKind
		says   string
	}{
		{"expired token", replay.Answer{Status: 400, File: "expired.json"}, civic.PlatformAuth, "Session has expired"},
		{"rate limit", replay.Answer{Status: 400, File: "throttled.json", Header: map[string]string{
			"X-Business-Use-Case-Usage": `{"1020":[{"type":"pages","call_count":100,"estimated_time_to_regain_access":17}]}`}}, civic.PlatformRateLimited, "limit"},
		{"malformed", replay.Answer{File: "truncated.json"}, civic.PlatformMalformed, "byte"},
		{"server", replay.Answer{Status: 503, Body: "busy"}, civic.PlatformUnavailable, "busy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := replay.New(t, map[string]replay.Answer{"GET /v21.0/1020/feed": tt.answer}, "after")
			_, err := New(platform.Config{}).Poll(context.Background(), endpoint(s), "")
			pe := replay.Kind(t, err, tt.kind)
			replay.Contains(t, err, tt.says)
			if tt.kind == civic.PlatformRateLimited && pe.RetryAfter != 17*time.Minute {
				t.Errorf("retry after %v, want 17m from the usage header", pe.RetryAfter)
			}
		})
	}
}

func TestMalformedComment(t *testing.T) {
	s := replay.New(t, map[string]replay.Answer{
		"GET /v21.0/1020/feed":         {File: "feed_2.json"},
		"GET /v21.0/1020_503/comments": {Body: `{"data":[{"id":"503_1","message":42}]}`},
	}, "after")
	_, err := New(platform.Config{}).Poll(context.Background(), endpoint(s), "")
	replay.Kind(t, err, civic.PlatformMalformed)
	replay.Contains(t, err, "comments of 1020_503 data[0]")
}

func TestProfileFollowsBlocks(t *testing.T) {
	s := replay.New(t, map[string]replay.Answer{
		"GET /v21.0/1020":         {File: "profile.json"},
		"GET /v21.0/1020/likes":   {File: "likes.json"},
		"GET /v21.0/1020/blocked": {File: "blocked.json"},
	}, "after")
	a, ep, ctx := New(platform.Config{}), endpoint(s), context.Background()
	p, err := a.Profile(ctx, ep)
	if err != nil {
		t.Fatal(err)
	}
	if p.Website != "https://springfield.example/parks" || p.Handle != "springfieldparks" || len(p.Fields) != 3 {
		t.Errorf("profile: %+v", p)
	}
	f, err := a.Follows(ctx, ep)
	if err != nil || len(f) != 2 || f[0].Handle != "springfieldlibrary" {
		t.Errorf("follows: %+v %v", f, err)
	}
	b, err := a.Blocks(ctx, ep)
	if err != nil || len(b) != 1 || b[0].RemoteID != "7002" || b[0].Kind != "block" {
		t.Errorf("blocks: %+v %v", b, err)
	}
}

func TestModerate(t *testing.T) {
	s := replay.New(t, map[string]replay.Answer{
		"POST /v21.0/501_9002":   {File: "success.json"},
		"DELETE /v21.0/501_9002": {File: "success.json"},
	})
	a, ep, ctx := New(platform.Config{}), endpoint(s), context.Background()
	for _, act := range []civic.PlatformAction{civic.ActionHide, civic.ActionUnhide, civic.ActionDelete} {
		if err := a.Moderate(ctx, ep, "501_9002", act); err != nil {
			t.Errorf("%s: %v", act, err)
		}
	}
	if b := s.Bodies(); b[0] != "is_hidden=true" || b[1] != "is_hidden=false" {
		t.Errorf("bodies %q", b)
	}
	if err := a.Moderate(ctx, ep, "501_9002", civic.ActionApprove); err != civic.ErrUnsupported {
		t.Errorf("approve: %v", err)
	}
}

func TestGuardRefusesBlocking(t *testing.T) {
	s := replay.New(t, map[string]replay.Answer{})
	c := New(platform.Config{}).Client()
	replay.RefusedRequest(t, s, c, platform.Request{Method: "POST", URL: s.URL + "/v21.0/1020/blocked", Form: url.Values{"user": {"7002"}}})
	replay.RefusedRequest(t, s, c, platform.Request{Method: "DELETE", URL: s.URL + "/v21.0/1020/blocked", Form: url.Values{"user": {"7002"}}})
}

func TestWebhook(t *testing.T) {
	body, err := os.ReadFile("testdata/feed_change.json")
	if err != nil {
		t.Fatal(err)
	}
	const secret = "app-secret"
	sent := time.Unix(1772444400, 0)
	a := New(platform.Config{})
	signed := http.Header{"X-Hub-Signature-256": {Sign(body, secret)}}
	got, err := a.Delivery(signed, body, secret, sent.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("got %d changes, want 2 (the reaction is skipped)", len(got))
	}
	if o := got[0].Observation; got[0].RemoteAccountID != "1020" || o.PlatformID != "501_9005" || o.Kind != civic.ItemReply || o.ParentID != "501_9001" || o.Text != "Thank you!" {
		t.Errorf("reply: %+v", got[0])
	}
	if o := got[1].Observation; o.PlatformID != "501_9002" || o.State != civic.StateHidden || o.Kind != civic.ItemComment {
		t.Errorf("hide: %+v", o)
	}
	refused := []struct {
		name   string
		header http.Header
		now    time.Time
	}{
		{"unsigned", http.Header{}, sent},
		{"wrong secret", http.Header{"X-Hub-Signature-256": {Sign(body, "other")}}, sent},
		{"garbled", http.Header{"X-Hub-Signature-256": {"sha1=abc"}}, sent},
		{"stale", signed, sent.Add(2 * time.Hour)},
		{"future", signed, sent.Add(-time.Hour)},
	}
	for _, r := range refused {
		if got, err := a.Delivery(r.header, body, secret, r.now); err == nil || got != nil {
			t.Errorf("%s: accepted (%v)", r.name, got)
		}
	}
	tampered := bytes.Replace(body, []byte("Thank you!"), []byte("Thank you?"), 1)
	if _, err := a.Delivery(signed, tampered, secret, sent); err != ErrBadSignature {
		t.Errorf("tampered body: %v", err)
	}
}

func TestChallenge(t *testing.T) {
	a := New(platform.Config{})
	q := url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {"tok"}, "hub.challenge": {"1158201444"}}
	if c, err := a.Challenge(q, "tok"); err != nil || c != "1158201444" {
		t.Errorf("challenge %q %v", c, err)
	}
	if _, err := a.Challenge(q, "other"); err == nil {
		t.Error("a wrong verify token was accepted")
	}
	if _, err := a.Challenge(q, ""); err == nil {
		t.Error("an empty verify token was accepted")
	}
}

var (
	_ civic.Platform = (*Adapter)(nil)
	_ civic.Pusher   = (*Adapter)(nil)
)

func TestLookup(t *testing.T) {
	s := replay.New(t, map[string]replay.Answer{
		"GET /v21.0/1020_501": {File: "post_501.json"},
		"GET /v21.0/1020_502": {Status: 400, File: "gone.json"},
	}, "after")
	a := New(platform.Config{})
	o, err := a.Lookup(context.Background(), endpoint(s), "1020_501")
	if err != nil || o.PlatformID != "1020_501" || o.Kind != civic.ItemPost || o.ThreadID != "1020_501" {
		t.Fatalf("lookup of a post still there: %+v, %v", o, err)
	}
	if _, err := a.Lookup(context.Background(), endpoint(s), "1020_502"); civic.PlatformErrorKindOf(err) != civic.PlatformNotFound {
		t.Errorf("lookup of a deleted post: %v, want not_found", err)
	}
}
