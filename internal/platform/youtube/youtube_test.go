package youtube

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/platform"
	"steward.city/steward/internal/platform/replay"
)

var now = time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC) // 04:00 in Los Angeles

func adapter() *Adapter { return New(platform.Config{Now: func() time.Time { return now }}) }

func endpoint(s *replay.Server) *civic.Endpoint {
	return &civic.Endpoint{BaseURL: s.URL + "/youtube/v3", RemoteID: "UCspringfield000000000000",
		Token: civic.PlatformToken{AccessToken: "a", RefreshToken: "r", ClientID: "c", ClientSecret: "s"}}
}

var cursors = []string{"pageToken", "videoId", "moderationStatus"}

func TestPollPages(t *testing.T) {
	s := replay.New(t, map[string]replay.Answer{
		"GET /youtube/v3/channels":                                                          {File: "channels.json"},
		"GET /youtube/v3/playlistItems":                                                     {File: "uploads_1.json"},
		"GET /youtube/v3/playlistItems pageToken=EAAaBlBUOkNBVQ":                            {File: "uploads_2.json"},
		"GET /youtube/v3/commentThreads videoId=vid00000001 moderationStatus=published":     {File: "threads_published.json"},
		"GET /youtube/v3/commentThreads videoId=vid00000001 moderationStatus=heldForReview": {File: "threads_held.json"},
		"GET /youtube/v3/comments":                                                          {File: "replies.json"},
		"GET /youtube/v3/commentThreads videoId=vid00000002 moderationStatus=published":     {Status: 403, File: "disabled.json"},
		"GET /youtube/v3/commentThreads videoId=vid00000002 moderationStatus=heldForReview": {File: "empty.json"},
	}, cursors...)
	a, ctx := adapter(), context.Background()
	p1, err := a.Poll(ctx, endpoint(s), "")
	if err != nil {
		t.Fatal(err)
	}
	if p1.Next != "UUspringfield000000000000 EAAaBlBUOkNBVQ|2026-03-02T01:55:00Z" || len(p1.Threads) != 1 {
		t.Fatalf("page 1: %+v", p1)
	}
	if p1.Span == nil || !p1.Span.To.IsZero() || !p1.Span.From.Equal(time.Date(2026, 3, 2, 1, 55, 0, 0, time.UTC)) {
		t.Errorf("page 1 span %+v", p1.Span)
	}
	th := p1.Threads[0]
	if !th.Complete || th.Root.PlatformID != "vid00000001" || !strings.HasPrefix(th.Root.Text, "City Council, March 1\n\n") {
		t.Errorf("root %+v", th.Root)
	}
	if len(th.Items) != 4 {
		t.Fatalf("items: %d, want top-level, two replies (read with comments.list), held", len(th.Items))
	}
	if top := th.Items[0]; top.Kind != civic.ItemComment || top.EditedAt == nil || top.Author.ID != "UCana000000000000000000" {
		t.Errorf("top %+v", top)
	}
	if r := th.Items[2]; r.Kind != civic.ItemReply || r.ParentID != "UgxTopLevel001" || r.ThreadID != "vid00000001" {
		t.Errorf("reply %+v", r)
	}
	if h := th.Items[3]; h.State != civic.StateHeld {
		t.Errorf("held %+v", h)
	}
	p2, err := a.Poll(ctx, endpoint(s), p1.Next)
	if err != nil {
		t.Fatal(err)
	}
	if p2.Next != "" || len(p2.Threads) != 1 || p2.Threads[0].Complete {
		t.Errorf("page 2 (comments disabled): %+v", p2)
	}
	if sp := p2.Span; sp == nil || !sp.To.Equal(p1.Span.From) || !sp.From.Equal(time.Date(2026, 2, 20, 1, 58, 0, 0, time.UTC)) {
		t.Errorf("page 2 span %+v", p2.Span)
	}
	// A cursor stored before spans still pages, and claims no span.
	p3, err := a.Poll(ctx, endpoint(s), "UUspringfield000000000000 EAAaBlBUOkNBVQ")
	if err != nil || len(p3.Threads) != 1 || p3.Span != nil {
		t.Errorf("old cursor: %+v, %v", p3, err)
	}
	if s.Got("GET /youtube/v3/channels") && strings.Count(strings.Join(s.Received(), "\n"), "/channels") != 1 {
		t.Error("the uploads playlist was looked up again for page 2")
	}
}

func TestErrors(t *testing.T) {
	for _, tt := range []struct {
		answer replay.Answer
		kind   civic.PlatformErrorKind
		wait   time.Duration
	}{
		{replay.Answer{Status: 403, File: "quota.json"}, civic.PlatformRateLimited, 20 * time.Hour},
		{replay.Answer{Status: 401, File: "expired.json"}, civic.PlatformAuth, 0},
		{replay.Answer{Body: `{"items": [{"contentDetails": {"relatedPlaylists": {"uploads": 7}}}]}`}, civic.PlatformMalformed, 0},
	} {
		s := replay.New(t, map[string]replay.Answer{"GET /youtube/v3/channels": tt.answer}, cursors...)
		_, err := adapter().Poll(context.Background(), endpoint(s), "")
		pe := replay.Kind(t, err, tt.kind)
		if pe.RetryAfter != tt.wait {
			t.Errorf("%s: retry after %v, want %v", tt.kind, pe.RetryAfter, tt.wait)
		}
		if tt.kind == civic.PlatformMalformed {
			replay.Contains(t, err, "relatedPlaylists.uploads")
		}
	}
}

func TestModerateNeverBans(t *testing.T) {
	s := replay.New(t, map[string]replay.Answer{"POST /youtube/v3/comments/setModerationStatus": {Status: 204}})
	a, ep, ctx := adapter(), endpoint(s), context.Background()
	for _, act := range []civic.PlatformAction{civic.ActionHide, civic.ActionApprove, civic.ActionDelete} {
		if err := a.Moderate(ctx, ep, "UgxHeld0001", act); err != nil {
			t.Fatalf("%s: %v", act, err)
		}
	}
	if got := s.Received(); len(got) != 3 {
		t.Fatalf("received %v", got)
	}
	// The guard refuses banAuthor, whichever way it is written.
	c := a.Client()
	for _, q := range []url.Values{
		{"id": {"UgxHeld0001"}, "moderationStatus": {"rejected"}, "banAuthor": {"true"}},
		{"id": {"UgxHeld0001"}, "moderationStatus": {"rejected"}, "BANAUTHOR": {"TRUE"}},
	} {
		replay.RefusedRequest(t, s, c, platform.Request{Method: http.MethodPost, URL: s.URL + "/youtube/v3/comments/setModerationStatus", Query: q})
	}
	replay.RefusedRequest(t, s, c, platform.Request{Method: http.MethodPost, URL: s.URL + "/youtube/v3/liveChat/bans", JSON: map[string]any{"snippet": map[string]string{"type": "permanent"}}})
}

func TestRefreshProfileFollows(t *testing.T) {
	s := replay.New(t, map[string]replay.Answer{
		"POST /youtube/v3/token":        {File: "token.json"},
		"GET /youtube/v3/channels":      {File: "channels.json"},
		"GET /youtube/v3/subscriptions": {File: "subscriptions.json"},
	}, cursors...)
	a, ep, ctx := adapter(), endpoint(s), context.Background()
	tok, err := a.Refresh(ctx, ep)
	if err != nil || tok.AccessToken != "ya29.new-access" || tok.RefreshToken != "r" || tok.ExpiresAt == nil {
		t.Errorf("refresh %+v %v", tok, err)
	}
	p, err := a.Profile(ctx, ep)
	if err != nil || p.Handle != "@springfieldcity" {
		t.Errorf("profile %+v %v", p, err)
	}
	f, err := a.Follows(ctx, ep)
	if err != nil || len(f) != 1 || f[0].RemoteID != "UClibrary00000000000000" {
		t.Errorf("follows %+v %v", f, err)
	}
	if _, err := a.Blocks(ctx, ep); err != civic.ErrUnsupported {
		t.Errorf("blocks %v", err)
	}
}

var (
	_ civic.Platform  = (*Adapter)(nil)
	_ civic.Refresher = (*Adapter)(nil)
	_ civic.Lookuper  = (*Adapter)(nil)
)

func TestLookup(t *testing.T) {
	s := replay.New(t, map[string]replay.Answer{
		"GET /youtube/v3/videos id=vid00000001": {File: "video.json"},
		"GET /youtube/v3/videos id=vid00000009": {File: "video_gone.json"},
	}, "id")
	a, ctx := adapter(), context.Background()
	o, err := a.Lookup(ctx, endpoint(s), "vid00000001")
	if err != nil || o.PlatformID != "vid00000001" || o.Kind != civic.ItemPost || o.Author.ID != "UCspringfield000000000000" ||
		!strings.HasPrefix(o.Text, "City Council, March 1\n\n") || o.PlatformTime == nil || !o.PlatformTime.Equal(time.Date(2026, 3, 2, 1, 55, 0, 0, time.UTC)) {
		t.Fatalf("lookup of a video still there: %+v, %v", o, err)
	}
	_, err = a.Lookup(ctx, endpoint(s), "vid00000009")
	replay.Kind(t, err, civic.PlatformNotFound)
}
