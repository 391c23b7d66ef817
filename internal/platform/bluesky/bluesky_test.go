package bluesky

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/platform"
	"steward.city/steward/internal/platform/replay"
)

var cursors = []string{"collection", "cursor", "uri", "uris"}

const (
	post1 = "at://did:plc:springfield/app.bsky.feed.post/3lbqnkwzmzc2x"
	post3 = "at://did:plc:springfield/app.bsky.feed.post/3lbqnkwzmzc2k"
	ana   = "at://did:plc:ana/app.bsky.feed.post/3lbqbbbbbbb2b"
	spam  = "at://did:plc:spam/app.bsky.feed.post/3lbqsssssss2s"
)

func adapter() *Adapter {
	return New(platform.Config{Now: func() time.Time { return time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC) }})
}

func endpoint(s *replay.Server) *civic.Endpoint {
	return &civic.Endpoint{BaseURL: s.URL, RemoteID: "did:plc:springfield", Handle: "springfield.gov", Token: civic.PlatformToken{AccessToken: "access", RefreshToken: "refresh"}}
}

func TestPollPages(t *testing.T) {
	s := replay.New(t, map[string]replay.Answer{
		"GET /xrpc/com.atproto.repo.listRecords collection=app.bsky.feed.post":                      {File: "posts_1.json"},
		"GET /xrpc/com.atproto.repo.listRecords collection=app.bsky.feed.post cursor=3lbqnkwzmzc2k": {File: "posts_2.json"},
		"GET /xrpc/app.bsky.feed.getPostThread uri=" + post1:                                        {File: "thread_1.json"},
		"GET /xrpc/app.bsky.feed.getPostThread uri=" + post3:                                        {Status: 400, File: "thread_gone.json"},
	}, cursors...)
	a, ctx := adapter(), context.Background()
	p1, err := a.Poll(ctx, endpoint(s), "")
	if err != nil {
		t.Fatal(err)
	}
	if p1.Next != "3lbqnkwzmzc2k" || len(p1.Threads) != 2 {
		t.Fatalf("page 1: %+v", p1)
	}
	th := p1.Threads[0]
	if th.Complete {
		t.Error("a thread with a reply not found is complete")
	}
	if len(th.Items) != 3 {
		t.Fatalf("items %+v", th.Items)
	}
	if c := th.Items[0]; c.PlatformID != ana || c.Kind != civic.ItemComment || c.Author.Handle != "ana.bsky.social" {
		t.Errorf("comment %+v", c)
	}
	if r := th.Items[1]; r.Kind != civic.ItemReply || r.ParentID != ana || r.ThreadID != post1 {
		t.Errorf("reply %+v", r)
	}
	if h := th.Items[2]; h.PlatformID != spam || h.State != civic.StateHidden {
		t.Errorf("hidden reply %+v", h)
	}
	// The account's own reply in someone else's thread keeps its parent.
	if own := p1.Threads[1].Root; own.Kind != civic.ItemReply || own.ParentID != "at://did:plc:ana/app.bsky.feed.post/3lbqaaaaaaa2a" {
		t.Errorf("own reply %+v", own)
	}
	p2, err := a.Poll(ctx, endpoint(s), p1.Next)
	if err != nil {
		t.Fatal(err)
	}
	if p2.Next != "" || len(p2.Threads) != 1 || p2.Threads[0].Complete {
		t.Errorf("page 2 (post deleted before its thread was read): %+v", p2)
	}
}

func TestErrors(t *testing.T) {
	reset := time.Date(2026, 3, 2, 12, 5, 0, 0, time.UTC).Unix()
	for _, tt := range []struct {
		answer replay.Answer
		kind   civic.PlatformErrorKind
	}{
		{replay.Answer{Status: 400, File: "expired.json"}, civic.PlatformAuth},
		{replay.Answer{Status: 429, File: "ratelimit.json", Header: map[string]string{"RateLimit-Limit": "3000", "RateLimit-Remaining": "0", "RateLimit-Reset": itoa(reset)}}, civic.PlatformRateLimited},
		{replay.Answer{Body: `{"records": [{"uri": "at://x/app.bsky.feed.post/1", "value": {"text": ["not", "text"]}}]}`}, civic.PlatformMalformed},
	} {
		s := replay.New(t, map[string]replay.Answer{"GET /xrpc/com.atproto.repo.listRecords collection=app.bsky.feed.post": tt.answer}, cursors...)
		_, err := adapter().Poll(context.Background(), endpoint(s), "")
		pe := replay.Kind(t, err, tt.kind)
		if tt.kind == civic.PlatformRateLimited && pe.RetryAfter != 5*time.Minute {
			t.Errorf("retry after %v, want 5m from RateLimit-Reset", pe.RetryAfter)
		}
		if tt.kind == civic.PlatformMalformed {
			replay.Contains(t, err, "records[0]")
		}
	}
}

func TestAccountReads(t *testing.T) {
	s := replay.New(t, map[string]replay.Answer{
		"GET /xrpc/app.bsky.actor.getProfile":                                    {File: "profile.json"},
		"GET /xrpc/app.bsky.graph.getFollows":                                    {File: "follows_1.json"},
		"GET /xrpc/app.bsky.graph.getFollows cursor=3lbqf2":                      {File: "follows_2.json"},
		"GET /xrpc/com.atproto.repo.listRecords collection=app.bsky.graph.block": {File: "blocks.json"},
		"GET /xrpc/app.bsky.graph.getMutes":                                      {File: "mutes.json"},
		"POST /xrpc/com.atproto.server.refreshSession":                           {File: "session.json"},
	}, cursors...)
	a, ep, ctx := adapter(), endpoint(s), context.Background()
	if p, err := a.Profile(ctx, ep); err != nil || p.Handle != "springfield.gov" {
		t.Errorf("profile %+v %v", p, err)
	}
	if f, err := a.Follows(ctx, ep); err != nil || len(f) != 2 {
		t.Errorf("follows %+v %v", f, err)
	}
	b, err := a.Blocks(ctx, ep)
	if err != nil || len(b) != 2 || b[0].RemoteID != "did:plc:troll" || b[0].Kind != "block" || b[1].Kind != "mute" {
		t.Errorf("blocks %+v %v", b, err)
	}
	tok, err := a.Refresh(ctx, ep)
	if err != nil || tok.RefreshToken == "refresh" || tok.ExpiresAt == nil || tok.ExpiresAt.Unix() != 1772456400 {
		t.Errorf("refresh %+v %v", tok, err)
	}
}

func TestHideKeepsThreadgate(t *testing.T) {
	s := replay.New(t, map[string]replay.Answer{
		"GET /xrpc/app.bsky.feed.getPosts uris=" + ana:                              {File: "posts_reply.json"},
		"GET /xrpc/com.atproto.repo.getRecord collection=app.bsky.feed.threadgate":  {File: "threadgate.json"},
		"POST /xrpc/com.atproto.repo.putRecord collection=app.bsky.feed.threadgate": {File: "put.json"},
	}, cursors...)
	a, ep, ctx := adapter(), endpoint(s), context.Background()
	if err := a.Moderate(ctx, ep, ana, civic.ActionHide); err != nil {
		t.Fatal(err)
	}
	bodies := s.Bodies()
	var put struct {
		Repo, Collection, Rkey string
		Record                 struct {
			Allow         []map[string]string `json:"allow"`
			HiddenReplies []string            `json:"hiddenReplies"`
			Post          string              `json:"post"`
		}
	}
	if err := json.Unmarshal([]byte(bodies[len(bodies)-1]), &put); err != nil {
		t.Fatal(err)
	}
	if put.Rkey != "3lbqnkwzmzc2x" || put.Record.Post != post1 || len(put.Record.Allow) != 1 || len(put.Record.HiddenReplies) != 2 {
		t.Errorf("putRecord %+v", put)
	}
	if err := a.Moderate(ctx, ep, ana, civic.ActionDelete); err != civic.ErrUnsupported {
		t.Errorf("delete: %v", err)
	}
}

func TestGuardRefusesBlocking(t *testing.T) {
	s := replay.New(t, map[string]replay.Answer{})
	c := adapter().Client()
	for _, r := range []platform.Request{
		{Method: http.MethodPost, URL: s.URL + "/xrpc/com.atproto.repo.createRecord", JSON: map[string]any{
			"repo": "did:plc:springfield", "collection": "app.bsky.graph.block",
			"record": map[string]string{"$type": "app.bsky.graph.block", "subject": "did:plc:troll", "createdAt": "2026-03-02T00:00:00Z"}}},
		{Method: http.MethodPost, URL: s.URL + "/xrpc/app.bsky.graph.muteActor", JSON: map[string]string{"actor": "did:plc:troll"}},
		{Method: http.MethodPost, URL: s.URL + "/xrpc/app.bsky.graph.muteThread", JSON: map[string]string{"root": post1}},
	} {
		replay.RefusedRequest(t, s, c, r)
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

var (
	_ civic.Platform  = (*Adapter)(nil)
	_ civic.Refresher = (*Adapter)(nil)
	_ civic.Lookuper  = (*Adapter)(nil)
)

func TestPollSpans(t *testing.T) {
	s := replay.New(t, map[string]replay.Answer{
		"GET /xrpc/com.atproto.repo.listRecords collection=app.bsky.feed.post":                      {File: "posts_span_1.json"},
		"GET /xrpc/com.atproto.repo.listRecords collection=app.bsky.feed.post cursor=3mfthahm4222b": {File: "posts_span_2.json"},
	}, cursors...)
	a, ctx := adapter(), context.Background()
	p1, err := a.Poll(ctx, endpoint(s), "")
	if err != nil {
		t.Fatal(err)
	}
	// The imported post (createdAt 2019, key made in 2026) does not drag
	// the span back to 2019.
	stop := time.Date(2026, 3, 1, 20, 0, 0, 0, time.UTC)
	if p1.Span == nil || !p1.Span.To.IsZero() || !p1.Span.From.Equal(stop) {
		t.Fatalf("page 1 span %+v", p1.Span)
	}
	if p1.Next != "3mfthahm4222b|2026-03-01T20:00:00Z" || len(p1.Threads) != 3 {
		t.Fatalf("page 1: next %q, %d threads", p1.Next, len(p1.Threads))
	}
	p2, err := a.Poll(ctx, endpoint(s), p1.Next)
	if err != nil {
		t.Fatal(err)
	}
	// The last page reaches back to the account's first post.
	if p2.Next != "" || p2.Span == nil || !p2.Span.From.IsZero() || !p2.Span.To.Equal(stop) {
		t.Errorf("page 2: next %q, span %+v", p2.Next, p2.Span)
	}
	// A cursor stored before spans claims none.
	p3, err := a.Poll(ctx, endpoint(s), "3mfthahm4222b")
	if err != nil || p3.Span != nil || len(p3.Threads) != 1 {
		t.Errorf("old cursor: %+v, %v", p3, err)
	}
}

func TestTIDTime(t *testing.T) {
	got, ok := tidTime("3mg2vbwr3222b")
	if !ok || !got.Equal(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("3mg2vbwr3222b: %v %v", got, ok)
	}
	for _, bad := range []string{"", "self", "3mg2vbwr3222", "3mg2vbwr3222B", "zzzzzzzzzzzzz", "k222222222222"} {
		if _, ok := tidTime(bad); ok {
			t.Errorf("%q read as a TID", bad)
		}
	}
}

func TestLookup(t *testing.T) {
	s := replay.New(t, map[string]replay.Answer{
		"GET /xrpc/com.atproto.repo.getRecord repo=did:plc:springfield collection=app.bsky.feed.post rkey=3mg2vbwr3222b": {File: "record.json"},
		"GET /xrpc/com.atproto.repo.getRecord repo=did:plc:springfield collection=app.bsky.feed.post rkey=3mfzjp6sg222c": {Status: 400, File: "record_gone.json"},
	}, "repo", "collection", "rkey")
	a, ctx := adapter(), context.Background()
	uri := "at://did:plc:springfield/app.bsky.feed.post/3mg2vbwr3222b"
	o, err := a.Lookup(ctx, endpoint(s), uri)
	if err != nil || o.PlatformID != uri || o.Kind != civic.ItemPost || o.Author.ID != "did:plc:springfield" ||
		o.PlatformTime == nil || !o.PlatformTime.Equal(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)) {
		t.Fatalf("lookup of a post still there: %+v, %v", o, err)
	}
	_, err = a.Lookup(ctx, endpoint(s), "at://did:plc:springfield/app.bsky.feed.post/3mfzjp6sg222c")
	replay.Kind(t, err, civic.PlatformNotFound)
	_, err = a.Lookup(ctx, endpoint(s), "3mfzjp6sg222c")
	replay.Kind(t, err, civic.PlatformMalformed)
}
