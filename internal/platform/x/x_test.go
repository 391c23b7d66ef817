package x

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/platform"
	"steward.city/steward/internal/platform/replay"
)

var now = time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)

func adapter() *Adapter { return New(platform.Config{Now: func() time.Time { return now }}) }

func endpoint(s *replay.Server) *civic.Endpoint {
	return &civic.Endpoint{BaseURL: s.URL, RemoteID: "4400", Handle: "springfieldcity",
		Token: civic.PlatformToken{AccessToken: "a", RefreshToken: "r", ClientID: "cid", ClientSecret: "cs"}}
}

const (
	conv1 = "query=conversation_id:1896000000000000002"
	conv2 = "query=conversation_id:1890000000000000000"
)

func TestPollPages(t *testing.T) {
	s := replay.New(t, map[string]replay.Answer{
		"GET /2/users/4400/tweets":                                        {File: "tweets_1.json"},
		"GET /2/users/4400/tweets pagination_token=7140dibdnow9c7btw3w29": {File: "tweets_2.json"},
		"GET /2/tweets":                        {File: "history.json"},
		"GET /2/tweets/search/recent " + conv1: {File: "conversation_1.json"},
		"GET /2/tweets/search/recent next_token=b26v89c19zqg8o3fpzbkk " + conv1: {File: "conversation_2.json"},
		"GET /2/tweets/search/recent " + conv2:                                  {File: "empty.json"},
	}, "pagination_token", "next_token", "query")
	a, ctx := adapter(), context.Background()
	p1, err := a.Poll(ctx, endpoint(s), "")
	if err != nil {
		t.Fatal(err)
	}
	if p1.Next != "7140dibdnow9c7btw3w29|2026-03-02T09:30:00Z" || len(p1.Threads) != 1 {
		t.Fatalf("page 1: %+v", p1)
	}
	// The newest page reaches to now, down to its oldest post (the edited
	// post's first version).
	if p1.Span == nil || !p1.Span.To.IsZero() || !p1.Span.From.Equal(time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)) {
		t.Errorf("page 1 span %+v", p1.Span)
	}
	th := p1.Threads[0]
	root := th.Root
	if len(root.History) != 1 || !strings.Contains(root.History[0].Text, "even side") || root.EditedAt == nil || root.Author.Handle != "springfieldcity" {
		t.Errorf("root: %+v", root)
	}
	if root.PlatformTime == nil || !root.PlatformTime.Equal(time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)) {
		t.Errorf("posted at %v, want the first version's time", root.PlatformTime)
	}
	if !th.Complete || len(th.Items) != 2 {
		t.Fatalf("thread: complete %v, %d items", th.Complete, len(th.Items))
	}
	if c := th.Items[0]; c.Kind != civic.ItemComment || c.ParentID != root.PlatformID || c.Author.Handle != "anaruiz" {
		t.Errorf("comment: %+v", c)
	}
	// Its parent was deleted: still a reply, still in the thread.
	if r := th.Items[1]; r.Kind != civic.ItemReply || r.ParentID != "1896000000000000011" || r.ThreadID != root.PlatformID {
		t.Errorf("reply: %+v", r)
	}
	p2, err := a.Poll(ctx, endpoint(s), p1.Next)
	if err != nil {
		t.Fatal(err)
	}
	if p2.Next != "" || len(p2.Threads) != 2 || p2.Threads[0].Complete {
		t.Errorf("page 2 (older than recent search): %+v", p2)
	}
	// The last page runs up to where page 1 stopped and, the timeline
	// being capped at 3,200 posts, stays closed at its oldest post.
	if sp := p2.Span; sp == nil || !sp.To.Equal(p1.Span.From) || !sp.From.Equal(time.Date(2026, 2, 9, 16, 0, 0, 0, time.UTC)) {
		t.Errorf("page 2 span %+v", p2.Span)
	}
	// A cursor stored before spans (a bare token) still pages, claiming
	// no span: where the page before stopped is unknown.
	p3, err := a.Poll(ctx, endpoint(s), "7140dibdnow9c7btw3w29")
	if err != nil || len(p3.Threads) != 2 || p3.Span != nil {
		t.Errorf("old cursor: %+v, %v", p3, err)
	}
	// The account's own reply in someone else's conversation: no search of
	// that conversation (the server would have failed the test).
	if own := p2.Threads[1]; own.Root.Kind != civic.ItemReply || own.Root.ParentID != "1889000000000000003" || own.Complete || len(own.Items) != 0 {
		t.Errorf("own reply %+v", own)
	}
}

func TestErrors(t *testing.T) {
	reset := now.Add(15 * time.Minute).Unix()
	for _, tt := range []struct {
		answer replay.Answer
		kind   civic.PlatformErrorKind
		wait   time.Duration
	}{
		{replay.Answer{Status: 401, File: "unauthorized.json"}, civic.PlatformAuth, 0},
		{replay.Answer{Status: 429, File: "too_many.json", Header: map[string]string{"x-rate-limit-limit": "1500", "x-rate-limit-remaining": "0", "x-rate-limit-reset": strconv.FormatInt(reset, 10)}}, civic.PlatformRateLimited, 15 * time.Minute},
		{replay.Answer{Body: `{"data": [{"id": "1", "text": "x", "created_at": "2026-03-02T09:35:00.000Z", "edit_history_tweet_ids": "1"}]}`}, civic.PlatformMalformed, 0},
	} {
		s := replay.New(t, map[string]replay.Answer{"GET /2/users/4400/tweets": tt.answer}, "pagination_token")
		_, err := adapter().Poll(context.Background(), endpoint(s), "")
		pe := replay.Kind(t, err, tt.kind)
		if pe.RetryAfter != tt.wait {
			t.Errorf("retry after %v, want %v", pe.RetryAfter, tt.wait)
		}
		if tt.kind == civic.PlatformMalformed {
			replay.Contains(t, err, "tweets data[0]", "edit_history_tweet_ids")
		}
	}
}

func TestAccountReads(t *testing.T) {
	s := replay.New(t, map[string]replay.Answer{
		"GET /2/users/4400":           {File: "user.json"},
		"GET /2/users/4400/blocking":  {File: "blocking.json"},
		"GET /2/users/4400/muting":    {File: "empty.json"},
		"GET /2/users/4400/following": {File: "following_1.json"},
		"GET /2/users/4400/following pagination_token=DFEDBNRFT3MHCZZZ": {File: "following_2.json"},
	}, "pagination_token")
	a, ep, ctx := adapter(), endpoint(s), context.Background()
	p, err := a.Profile(ctx, ep)
	if err != nil || p.Website != "https://springfield.example" || !strings.Contains(p.Bio, "9-1-1") {
		t.Errorf("profile %+v %v", p, err)
	}
	b, err := a.Blocks(ctx, ep)
	if err != nil || len(b) != 1 || b[0].Handle != "troll_account" || b[0].Kind != "block" {
		t.Errorf("blocks %+v %v", b, err)
	}
	f, err := a.Follows(ctx, ep)
	if err != nil || len(f) != 2 {
		t.Errorf("follows %+v %v", f, err)
	}
}

func TestModerate(t *testing.T) {
	s := replay.New(t, map[string]replay.Answer{"PUT /2/tweets/1896000000000000010/hidden": {File: "hidden.json"}})
	a, ep, ctx := adapter(), endpoint(s), context.Background()
	if err := a.Moderate(ctx, ep, "1896000000000000010", civic.ActionHide); err != nil {
		t.Fatal(err)
	}
	if b := s.Bodies()[0]; b != `{"hidden":true}` {
		t.Errorf("body %s", b)
	}
	// The recorded answer says hidden: an unhide that the API did not do is an error.
	if err := a.Moderate(ctx, ep, "1896000000000000010", civic.ActionUnhide); err == nil {
		t.Error("an unhide answered hidden=true was taken as done")
	}
	if err := a.Moderate(ctx, ep, "1896000000000000010", civic.ActionDelete); err != civic.ErrUnsupported {
		t.Errorf("delete: %v", err)
	}
}

func TestRefresh(t *testing.T) {
	s := replay.New(t, map[string]replay.Answer{"POST /2/oauth2/token": {File: "token.json"}})
	tok, err := adapter().Refresh(context.Background(), endpoint(s))
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken != "bmV3LWFjY2Vzcw" || tok.RefreshToken != "bmV3LXJlZnJlc2g" || tok.ExpiresAt == nil || !tok.ExpiresAt.Equal(now.Add(2*time.Hour)) || tok.ClientID != "cid" {
		t.Errorf("token %+v", tok)
	}
	if b := s.Bodies()[0]; !strings.Contains(b, "grant_type=refresh_token") || !strings.Contains(b, "refresh_token=r") {
		t.Errorf("body %s", b)
	}
	bad := replay.New(t, map[string]replay.Answer{"POST /2/oauth2/token": {Status: 400, File: "invalid_grant.json"}})
	_, err = adapter().Refresh(context.Background(), endpoint(bad))
	replay.Kind(t, err, civic.PlatformAuth)
}

func TestGuardRefusesBlocking(t *testing.T) {
	s := replay.New(t, map[string]replay.Answer{})
	c := adapter().Client()
	for _, r := range []platform.Request{
		{Method: http.MethodPost, URL: s.URL + "/2/users/4400/blocking", JSON: map[string]string{"target_user_id": "6601"}},
		{Method: http.MethodPost, URL: s.URL + "/2/users/4400/muting", JSON: map[string]string{"target_user_id": "6601"}},
		{Method: http.MethodDelete, URL: s.URL + "/2/users/4400/blocking/6601"},
	} {
		replay.RefusedRequest(t, s, c, r)
	}
}

var (
	_ civic.Platform  = (*Adapter)(nil)
	_ civic.Refresher = (*Adapter)(nil)
	_ civic.Lookuper  = (*Adapter)(nil)
)

func TestLookup(t *testing.T) {
	s := replay.New(t, map[string]replay.Answer{
		"GET /2/tweets/1890000000000000000": {File: "tweet.json"},
		"GET /2/tweets/1880000000000000000": {File: "tweet_deleted.json"},
		"GET /2/tweets/1870000000000000000": {File: "tweet_protected.json"},
	})
	a, ctx := adapter(), context.Background()
	o, err := a.Lookup(ctx, endpoint(s), "1890000000000000000")
	if err != nil || o.PlatformID != "1890000000000000000" || o.Kind != civic.ItemPost || o.Author.Handle != "springfieldcity" ||
		o.PlatformTime == nil || !o.PlatformTime.Equal(time.Date(2026, 2, 10, 16, 0, 0, 0, time.UTC)) {
		t.Fatalf("lookup of a post still there: %+v, %v", o, err)
	}
	_, err = a.Lookup(ctx, endpoint(s), "1880000000000000000")
	replay.Kind(t, err, civic.PlatformNotFound)
	// Not authorized is not gone: nothing may be inferred from it.
	_, err = a.Lookup(ctx, endpoint(s), "1870000000000000000")
	if k := civic.PlatformErrorKindOf(err); err == nil || k == civic.PlatformNotFound {
		t.Errorf("lookup of a protected post: %v", err)
	}
	if _, err := a.Lookup(ctx, endpoint(s), ""); civic.PlatformErrorKindOf(err) != civic.PlatformMalformed {
		t.Errorf("lookup without an id: %v", err)
	}
}
