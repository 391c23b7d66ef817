package x

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/platform/replay"
)

const (
	createKey = "POST /2/tweets"
	posted    = "1897000000000000001"
)

// sentPost is a POST /2/tweets body as X reads it.
type sentPost struct {
	Text  string `json:"text"`
	Reply *struct {
		InReplyToTweetID string `json:"in_reply_to_tweet_id"`
	} `json:"reply"`
}

func lastPost(t *testing.T, s *replay.Server) sentPost {
	t.Helper()
	b := s.Bodies()
	var p sentPost
	if err := json.Unmarshal([]byte(b[len(b)-1]), &p); err != nil {
		t.Fatalf("body %q: %v", b[len(b)-1], err)
	}
	return p
}

func TestPublish(t *testing.T) {
	t.Parallel()
	for _, text := range []string{
		"Pool hours change Monday: 6–9 a.m. & 5–8 p.m. https://www.springfield.gov/pool",
		"Say \"hello\" to the new\nlibrary 📚 <today>\\ \t ok",
		"Saacadaha barkadda way isbeddelayaan · 泳池时间 · ساعات المسبح · Lub pas dej",
	} {
		s := replay.New(t, map[string]replay.Answer{createKey: {Status: 201, File: "created.json"}})
		p, err := adapter().Publish(context.Background(), endpoint(s), civic.OutgoingPost{Text: text, Language: "en", IdempotencyKey: "steward-1-ab"})
		if err != nil {
			t.Fatal(err)
		}
		if p.ID != posted || p.URL != "https://x.com/springfieldcity/status/"+posted || p.Text != text || !p.CreatedAt.Equal(now) {
			t.Errorf("published %+v", p)
		}
		// Exactly one call, and its text arrives as written.
		if got := s.Received(); len(got) != 1 || got[0] != createKey {
			t.Errorf("requests %v", got)
		}
		if b := lastPost(t, s); b.Text != text || b.Reply != nil {
			t.Errorf("sent %+v, want text %q and no reply", b, text)
		}
		if raw := s.Bodies()[0]; strings.Contains(raw, "steward-1-ab") || strings.Contains(raw, "lang") {
			t.Errorf("body %s carries fields X does not document", raw)
		}
	}
}

func TestPublishReply(t *testing.T) {
	t.Parallel()
	s := replay.New(t, map[string]replay.Answer{createKey: {Status: 201, File: "created.json"}})
	a, ep := adapter(), endpoint(s)
	if _, err := a.Publish(context.Background(), ep, civic.OutgoingPost{Text: "Correction: 6 a.m.", InReplyTo: "1896000000000000002"}); err != nil {
		t.Fatal(err)
	}
	if b := lastPost(t, s); b.Reply == nil || b.Reply.InReplyToTweetID != "1896000000000000002" || b.Text != "Correction: 6 a.m." {
		t.Errorf("reply body %+v", b)
	}
	// An id that is not one is refused before anything is sent.
	for _, bad := range []string{"../users/4400/blocking", "12a", "at://did:plc:x/app.bsky.feed.post/1"} {
		_, err := a.Publish(context.Background(), ep, civic.OutgoingPost{Text: "Correction", InReplyTo: bad})
		if civic.ErrorKind(err) != civic.KindInvalid {
			t.Errorf("reply to %q: %v, want invalid", bad, err)
		}
	}
	if _, err := a.Publish(context.Background(), ep, civic.OutgoingPost{Text: " \n "}); civic.ErrorKind(err) != civic.KindInvalid {
		t.Errorf("empty text: %v", err)
	}
	if n := len(s.Received()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

func TestPublishMendsText(t *testing.T) {
	t.Parallel()
	s := replay.New(t, map[string]replay.Answer{createKey: {Status: 201, File: "created.json"}})
	p, err := adapter().Publish(context.Background(), endpoint(s), civic.OutgoingPost{Text: "caf\xe9 open"})
	if err != nil {
		t.Fatal(err)
	}
	if b := lastPost(t, s); b.Text != "caf\uFFFD open" || p.Text != b.Text {
		t.Errorf("sent %q, answered %q", b.Text, p.Text)
	}
}

func TestPublishFailures(t *testing.T) {
	t.Parallel()
	reset := now.Add(7 * time.Minute).Unix()
	for _, tt := range []struct {
		name   string
		answer replay.Answer
		kind   civic.PlatformErrorKind
		says   string
		wait   time.Duration
	}{
		{"duplicate", replay.Answer{Status: 403, File: "duplicate.json"}, civic.PlatformMalformed, "duplicate", 0},
		{"reply to a deleted post", replay.Answer{Status: 403, File: "reply_gone.json"}, civic.PlatformNotFound, "deleted or not visible", 0},
		{"rate limited", replay.Answer{Status: 429, File: "too_many.json", Header: map[string]string{"x-rate-limit-reset": strconv.FormatInt(reset, 10)}}, civic.PlatformRateLimited, "Too Many Requests", 7 * time.Minute},
		{"monthly cap", replay.Answer{Status: 429, File: "usage_capped.json"}, civic.PlatformRateLimited, "Usage cap", 24 * time.Hour},
		{"expired or revoked token", replay.Answer{Status: 401, File: "unauthorized.json"}, civic.PlatformAuth, "Unauthorized", 0},
		{"app not enrolled", replay.Answer{Status: 403, File: "not_enrolled.json"}, civic.PlatformAuth, "developer App", 0},
		{"too long", replay.Answer{Status: 400, File: "too_long.json"}, civic.PlatformMalformed, "text is too long", 0},
		{"html error page", replay.Answer{Status: 503, Header: map[string]string{"Content-Type": "text/html"}, Body: "<html><body>Over capacity</body></html>"}, civic.PlatformUnavailable, "Over capacity", 0},
		{"html with 200", replay.Answer{Status: 200, Header: map[string]string{"Content-Type": "text/html"}, Body: "<html>Something went wrong</html>"}, civic.PlatformMalformed, "JSON", 0},
		{"cut short", replay.Answer{Status: 201, Body: `{"data": {"id": "18970`}, civic.PlatformMalformed, "JSON", 0},
		{"forged id", replay.Answer{Status: 201, Body: `{"data": {"id": "../2/users/4400/blocking", "text": "x"}}`}, civic.PlatformMalformed, "not a post id", 0},
		{"number id", replay.Answer{Status: 201, Body: `{"data": {"id": 1897000000000000001, "text": "x"}}`}, civic.PlatformMalformed, "JSON", 0},
		{"errors only", replay.Answer{Status: 200, Body: `{"errors": [{"title": "Forbidden", "detail": "not permitted", "type": "about:blank"}]}`}, civic.PlatformMalformed, "not permitted", 0},
		{"no data", replay.Answer{Status: 201, Body: `{}`}, civic.PlatformMalformed, "no post id", 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := replay.New(t, map[string]replay.Answer{createKey: tt.answer})
			_, err := adapter().Publish(context.Background(), endpoint(s), civic.OutgoingPost{Text: "Pool hours change Monday."})
			pe := replay.Kind(t, err, tt.kind)
			replay.Contains(t, err, tt.says)
			if tt.wait != 0 && pe.RetryAfter != tt.wait {
				t.Errorf("retry after %v, want %v", pe.RetryAfter, tt.wait)
			}
			// Never sent again by the adapter: a retry is the service's.
			if n := len(s.Received()); n != 1 {
				t.Errorf("%d requests, want 1", n)
			}
		})
	}
}

func TestPublishNotRefusedByGuard(t *testing.T) {
	t.Parallel()
	// Words of blocking and muting in a city's text are not a block.
	s := replay.New(t, map[string]replay.Answer{createKey: {Status: 201, File: "created.json"}})
	text := "Block party Saturday: Elm St blocked 5–9 p.m.; mute your phones during the ban on fireworks."
	if _, err := adapter().Publish(context.Background(), endpoint(s), civic.OutgoingPost{Text: text}); err != nil {
		t.Fatal(err)
	}
	if lastPost(t, s).Text != text {
		t.Error("the text did not arrive")
	}
}

func TestRecent(t *testing.T) {
	t.Parallel()
	// The query is part of the route: what Recent reads, reposts left out.
	key := "GET /2/users/4400/tweets exclude=retweets max_results=%d tweet.fields=" + recentFields
	s := replay.New(t, map[string]replay.Answer{
		fmt.Sprintf(key, 40): {File: "recent.json"},
		fmt.Sprintf(key, 5):  {File: "recent.json"}, // X's smallest page
	}, "exclude", "max_results", "tweet.fields")
	a, ep := adapter(), endpoint(s)
	got, err := a.Recent(context.Background(), ep, 40)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ id, text string }{
		// The correction reply is listed: reconciling one needs it.
		{"1897000000000000040", "Correction: the pool opens at 6 a.m. <not 7> — details https://www.springfield.gov/pool?a=1&b=2"},
		{"1897000000000000030", "Ice rink photos 📸 \"Winter fest\" 冬祭り"},
		{posted, "Pool hours change Monday: 6–9 a.m. & 5–8 p.m. https://www.springfield.gov/pool"},
		{"1896990000000000000", "Budget hearing: a long notice with the agenda, the rooms and how to speak at the hearing, cut short here because it runs past two hundred and eighty characters, as X does with every long post in its text field, so that the note_tweet field carries the whole text. Agenda: https://www.springfield.gov/budget"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d posts, want %d (no repost, no one else's post): %+v", len(got), len(want), got)
	}
	for i, w := range want {
		if got[i].ID != w.id || got[i].Text != w.text || got[i].URL != "https://x.com/springfieldcity/status/"+w.id {
			t.Errorf("post %d: %+v, want %s %q", i, got[i], w.id, w.text)
		}
		if i > 0 && got[i].CreatedAt.After(got[i-1].CreatedAt) {
			t.Errorf("post %d is newer than post %d", i, i-1)
		}
	}
	if r := s.Received(); len(r) != 1 {
		t.Errorf("requests %v", r)
	}
	// A smaller limit is kept, below X's minimum page too.
	if got, err := a.Recent(context.Background(), ep, 2); err != nil || len(got) != 2 || got[0].ID != "1897000000000000040" {
		t.Errorf("limit 2: %+v %v", got, err)
	}
	// An account id that is not one sends nothing.
	ep.RemoteID = "4400/blocking"
	if _, err := a.Recent(context.Background(), ep, 5); civic.PlatformErrorKindOf(err) != civic.PlatformMalformed {
		t.Errorf("bad account id: %v", err)
	}
	if n := len(s.Received()); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}

func TestRecentMalformed(t *testing.T) {
	t.Parallel()
	for name, body := range map[string]string{
		"not JSON":     `<html>`,
		"id a number":  `{"data": [{"id": 5, "text": "x", "author_id": "4400"}]}`,
		"forged id":    `{"data": [{"id": "1/../2", "text": "x", "author_id": "4400", "created_at": "2026-03-02T11:00:00.000Z"}]}`,
		"no time":      `{"data": [{"id": "1897000000000000001", "text": "x", "author_id": "4400"}]}`,
		"data a value": `{"data": "none"}`,
	} {
		s := replay.New(t, map[string]replay.Answer{"GET /2/users/4400/tweets": {Body: body}})
		_, err := adapter().Recent(context.Background(), endpoint(s), 10)
		if civic.PlatformErrorKindOf(err) != civic.PlatformMalformed {
			t.Errorf("%s: %v, want malformed", name, err)
		}
	}
}

func TestDeletePost(t *testing.T) {
	t.Parallel()
	del := "DELETE /2/tweets/" + posted
	look := "GET /2/tweets/" + posted
	s := replay.New(t, map[string]replay.Answer{del: {File: "deleted.json"}})
	a := adapter()
	if err := a.DeletePost(context.Background(), endpoint(s), posted); err != nil {
		t.Fatal(err)
	}
	// "deleted": false for a post that is gone: not_found.
	s = replay.New(t, map[string]replay.Answer{del: {File: "not_deleted.json"}, look: {Body: strings.ReplaceAll(readFile(t, "tweet_deleted.json"), "1880000000000000000", posted)}})
	replay.Kind(t, a.DeletePost(context.Background(), endpoint(s), posted), civic.PlatformNotFound)
	// "deleted": false for a post still there: an error, not success.
	s = replay.New(t, map[string]replay.Answer{del: {File: "not_deleted.json"}, look: {Body: strings.ReplaceAll(readFile(t, "tweet.json"), "1890000000000000000", posted)}})
	replay.Contains(t, a.DeletePost(context.Background(), endpoint(s), posted), "still there")
	for _, tt := range []struct {
		answer replay.Answer
		kind   civic.PlatformErrorKind
	}{
		{replay.Answer{Status: 404, Body: `{"title": "Not Found Error", "detail": "gone", "type": "about:blank"}`}, civic.PlatformNotFound},
		{replay.Answer{Status: 401, File: "unauthorized.json"}, civic.PlatformAuth},
		{replay.Answer{Status: 200, Body: `{}`}, civic.PlatformMalformed},
	} {
		s = replay.New(t, map[string]replay.Answer{del: tt.answer})
		replay.Kind(t, a.DeletePost(context.Background(), endpoint(s), posted), tt.kind)
	}
	// Not a post id: nothing is sent.
	s = replay.New(t, map[string]replay.Answer{})
	if err := a.DeletePost(context.Background(), endpoint(s), "4400/blocking"); civic.ErrorKind(err) != civic.KindInvalid {
		t.Errorf("bad id: %v", err)
	}
	if len(s.Received()) != 0 {
		t.Errorf("requests %v", s.Received())
	}
}

func TestNoEditor(t *testing.T) {
	t.Parallel()
	// X's edit (POST /2/tweets with edit_options) makes a new post id and
	// closes 30 minutes after posting: corrections are replies.
	var p civic.Platform = adapter()
	if _, ok := p.(civic.PostEditor); ok {
		t.Error("the X adapter is a PostEditor")
	}
	if !p.Capabilities().Has(civic.CapPublish) {
		t.Error("publish is not declared")
	}
	var _ civic.Publisher = adapter()
	var _ civic.PostDeleter = adapter()
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
