package facebook

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"testing"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/platform"
	"steward.city/steward/internal/platform/replay"
)

var pubClock = time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)

// pubKey is a key Steward made at pubClock.
var pubKey = "steward-" + strconv.FormatInt(pubClock.UnixMicro(), 10) + "-5f0c2a9e4b7d1c3a8e6f0b2d4c6a8e0f"

func pubAdapter() *Adapter { return New(platform.Config{Now: func() time.Time { return pubClock }}) }

// sentForm is the form body of the i-th request s received.
func sentForm(t *testing.T, s *replay.Server, i int) url.Values {
	t.Helper()
	b := s.Bodies()
	if i >= len(b) {
		t.Fatalf("only %d requests", len(b))
	}
	v, err := url.ParseQuery(b[i])
	if err != nil {
		t.Fatalf("body %q: %v", b[i], err)
	}
	return v
}

func TestPublishPost(t *testing.T) {
	t.Parallel()
	// Quotes, a newline, an en dash, emoji, Spanish and Chinese, and the
	// words block, ban and mute, which the guard must let through in a
	// post's text.
	text := "Pool hours: \"summer\" schedule\nMon–Fri 6–9 🏊 · Horario de verano · 夏季时间 & the ban on glass; don't block the mute swans' nest"
	s := replay.New(t, map[string]replay.Answer{"POST /v21.0/1020/feed": {File: "pub_created.json"}})
	p, err := pubAdapter().Publish(context.Background(), endpoint(s), civic.OutgoingPost{Text: text, Language: "en", IdempotencyKey: pubKey})
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != "1020_601" || p.URL != "https://www.facebook.com/1020/posts/601" || p.Text != text || !p.CreatedAt.Equal(pubClock) {
		t.Errorf("published %+v", p)
	}
	if got := s.Received(); !slices.Equal(got, []string{"POST /v21.0/1020/feed"}) {
		t.Errorf("requests %v, want only the post", got)
	}
	f := sentForm(t, s, 0)
	if f.Get("message") != text || len(f) != 1 {
		t.Errorf("form %v", f)
	}
}

func TestPublishReplyAsPage(t *testing.T) {
	t.Parallel()
	s := replay.New(t, map[string]replay.Answer{
		"GET /v21.0/1020_501/comments":  {File: "empty.json"},
		"POST /v21.0/1020_501/comments": {File: "pub_comment_created.json"},
	})
	text := "Correction: the café opens Sunday."
	p, err := pubAdapter().Publish(context.Background(), endpoint(s), civic.OutgoingPost{Text: text, IdempotencyKey: pubKey, InReplyTo: "1020_501"})
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != "501_9100" || p.URL != "https://www.facebook.com/1020/posts/501?comment_id=9100" || p.Text != text {
		t.Errorf("reply %+v", p)
	}
	if got := s.Received(); !slices.Equal(got, []string{"GET /v21.0/1020_501/comments", "POST /v21.0/1020_501/comments"}) {
		t.Errorf("requests %v", got)
	}
	if f := sentForm(t, s, 1); f.Get("message") != text || len(f) != 1 {
		t.Errorf("form %v", f)
	}
}

// A reply whose answer was lost: the Page's comment with the text, made
// since the key's time, is the reply; nothing is posted again. A visitor's
// comment with the same text, and the Page's own older one, are not it.
func TestPublishReplyRetryFindsComment(t *testing.T) {
	t.Parallel()
	s := replay.New(t, map[string]replay.Answer{"GET /v21.0/1020_501/comments": {File: "pub_comments_own.json"}})
	p, err := pubAdapter().Publish(context.Background(), endpoint(s),
		civic.OutgoingPost{Text: "Correction:  the café opens Sunday.\n", IdempotencyKey: pubKey, InReplyTo: "1020_501"})
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != "501_9100" || p.URL != "https://www.facebook.com/springfieldparks/posts/pfbid02abc501?comment_id=9100" ||
		!p.CreatedAt.Equal(pubClock.Add(2*time.Second)) {
		t.Errorf("found %+v", p)
	}
	if s.Got("POST /v21.0/1020_501/comments") {
		t.Error("the reply was posted again")
	}
}

// Error 506: the Page posted this text just now. When that post is ours
// (made since the key's time), it is the answer; otherwise the refusal
// stands as a clear error, and nothing is posted again either way.
func TestPublishDuplicate(t *testing.T) {
	t.Parallel()
	routes := map[string]replay.Answer{
		"POST /v21.0/1020/feed": {Status: 400, File: "pub_duplicate.json"},
		"GET /v21.0/1020/posts": {File: "pub_posts.json"},
	}
	s := replay.New(t, routes)
	text := "Pool hours: \"summer\" schedule\nMon–Fri 6–9 🏊 · Horario de verano · 夏季时间"
	p, err := pubAdapter().Publish(context.Background(), endpoint(s), civic.OutgoingPost{Text: text, IdempotencyKey: pubKey})
	if err != nil || p.ID != "1020_601" || p.URL != "https://www.facebook.com/springfieldparks/posts/pfbid02abc601" {
		t.Fatalf("duplicate of our own post: %+v, %v", p, err)
	}
	if got := s.Received(); !slices.Equal(got, []string{"POST /v21.0/1020/feed", "GET /v21.0/1020/posts"}) {
		t.Errorf("requests %v", got)
	}
	// The same text posted before the key's time is someone else's post.
	s = replay.New(t, routes)
	_, err = pubAdapter().Publish(context.Background(), endpoint(s), civic.OutgoingPost{Text: "The trail map is updated.", IdempotencyKey: pubKey})
	pe := replay.Kind(t, err, civic.PlatformMalformed)
	replay.Contains(t, err, "duplicate", "(#506) Duplicate status message")
	if pe.Status != 400 || Code(err) != CodeDuplicate {
		t.Errorf("status %d, code %d", pe.Status, Code(err))
	}
	if n := len(s.Received()); n != 2 {
		t.Errorf("%d requests", n)
	}
}

func TestPublishErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		answer replay.Answer
		kind   civic.PlatformErrorKind
		says   string
	}{
		{"rate limit", replay.Answer{Status: 400, File: "throttled.json", Header: map[string]string{
			"X-Business-Use-Case-Usage": `{"1020":[{"type":"pages","call_count":100,"estimated_time_to_regain_access":7}]}`}}, civic.PlatformRateLimited, "(#32)"},
		{"expired token", replay.Answer{Status: 400, File: "expired.json"}, civic.PlatformAuth, "Session has expired"},
		{"invalid parameter", replay.Answer{Status: 400, File: "pub_invalid.json"}, civic.PlatformMalformed, "invalid parameter: (#100)"},
		{"html error page", replay.Answer{Status: 502, Header: map[string]string{"Content-Type": "text/html"}, Body: "<html><body><h1>502 Bad Gateway</h1></body></html>"}, civic.PlatformUnavailable, "Bad Gateway"},
		{"html with 200", replay.Answer{Header: map[string]string{"Content-Type": "text/html"}, Body: "<!DOCTYPE html><html>Sorry, something went wrong.</html>"}, civic.PlatformMalformed, "not the JSON"},
		{"truncated json", replay.Answer{File: "truncated.json"}, civic.PlatformMalformed, "not the JSON"},
		{"no id", replay.Answer{File: "pub_noid.json"}, civic.PlatformMalformed, `id ""`},
		{"forged id", replay.Answer{Body: `{"id": "1020_601/../../me"}`}, civic.PlatformMalformed, "id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := replay.New(t, map[string]replay.Answer{"POST /v21.0/1020/feed": tc.answer})
			p, err := pubAdapter().Publish(context.Background(), endpoint(s), civic.OutgoingPost{Text: "Hello", IdempotencyKey: pubKey})
			if p != nil {
				t.Errorf("published %+v", p)
			}
			pe := replay.Kind(t, err, tc.kind)
			replay.Contains(t, err, tc.says)
			if tc.kind == civic.PlatformRateLimited && pe.RetryAfter != 7*time.Minute {
				t.Errorf("retry after %v", pe.RetryAfter)
			}
			if n := len(s.Received()); n != 1 {
				t.Errorf("%d requests: a failure is not retried by the adapter", n)
			}
		})
	}
}

func TestPublishRefusesWithoutRequest(t *testing.T) {
	t.Parallel()
	s := replay.New(t, map[string]replay.Answer{})
	a := pubAdapter()
	ctx := context.Background()
	noPage := endpoint(s)
	noPage.RemoteID = ""
	if _, err := a.Publish(ctx, noPage, civic.OutgoingPost{Text: "x"}); civic.PlatformErrorKindOf(err) != civic.PlatformMalformed {
		t.Errorf("no page: %v", err)
	}
	if _, err := a.Publish(ctx, endpoint(s), civic.OutgoingPost{Text: " \n"}); civic.ErrorKind(err) != civic.KindInvalid {
		t.Errorf("empty text: %v", err)
	}
	for _, id := range []string{"501", "1020_", "_501", "1020_501/comments", "1020_501?fields=x", "../me", "1020_5a1"} {
		if _, err := a.Publish(ctx, endpoint(s), civic.OutgoingPost{Text: "x", InReplyTo: id}); civic.ErrorKind(err) != civic.KindInvalid {
			t.Errorf("reply to %q: %v", id, err)
		}
		if _, err := a.Edit(ctx, endpoint(s), id, civic.OutgoingPost{Text: "x"}); civic.ErrorKind(err) != civic.KindInvalid {
			t.Errorf("edit %q: %v", id, err)
		}
		if err := a.DeletePost(ctx, endpoint(s), id); civic.ErrorKind(err) != civic.KindInvalid {
			t.Errorf("delete %q: %v", id, err)
		}
	}
	if got := s.Received(); len(got) != 0 {
		t.Errorf("requests %v", got)
	}
}

func TestRecentPageOwnPosts(t *testing.T) {
	t.Parallel()
	s := replay.New(t, map[string]replay.Answer{"GET /v21.0/1020/posts": {File: "pub_posts.json"}})
	ps, err := pubAdapter().Recent(context.Background(), endpoint(s), 3)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range ps {
		ids = append(ids, p.ID)
	}
	// Newest first, the visitor's post left out, three at most.
	if !slices.Equal(ids, []string{"1020_601", "1020_600", "1020_599"}) {
		t.Fatalf("ids %v", ids)
	}
	if ps[0].Text != "Pool hours: \"summer\" schedule\nMon–Fri 6–9 🏊 · Horario de verano · 夏季时间" ||
		ps[0].URL != "https://www.facebook.com/springfieldparks/posts/pfbid02abc601" || !ps[0].CreatedAt.Equal(pubClock.Add(3*time.Second)) {
		t.Errorf("first %+v", ps[0])
	}
	if ps[1].URL != "https://www.facebook.com/1020/posts/600" {
		t.Errorf("a post without permalink_url: %q", ps[1].URL)
	}
	s2 := replay.New(t, map[string]replay.Answer{"GET /v21.0/1020/posts": {Body: `{"data":[{"message":"no id"}]}`}})
	_, err = pubAdapter().Recent(context.Background(), endpoint(s2), 10)
	replay.Kind(t, err, civic.PlatformMalformed)
	s3 := replay.New(t, map[string]replay.Answer{"GET /v21.0/1020/posts": {Status: 400, File: "expired.json"}})
	_, err = pubAdapter().Recent(context.Background(), endpoint(s3), 10)
	replay.Kind(t, err, civic.PlatformAuth)
}

func TestEditPagePost(t *testing.T) {
	t.Parallel()
	s := replay.New(t, map[string]replay.Answer{"POST /v21.0/1020_501": {File: "success.json"}})
	text := "Correction: the café opens \"Sunday\".\n¡Nos vemos! 🎉"
	p, err := pubAdapter().Edit(context.Background(), endpoint(s), "1020_501", civic.OutgoingPost{Text: text})
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != "1020_501" || p.Text != text || !p.CreatedAt.Equal(pubClock) {
		t.Errorf("edited %+v", p)
	}
	if f := sentForm(t, s, 0); f.Get("message") != text || len(f) != 1 {
		t.Errorf("form %v", f)
	}
	s = replay.New(t, map[string]replay.Answer{"POST /v21.0/1020_501": {Body: `{"success": false}`}})
	_, err = pubAdapter().Edit(context.Background(), endpoint(s), "1020_501", civic.OutgoingPost{Text: text})
	replay.Kind(t, err, civic.PlatformMalformed)
}

func TestDeletePagePost(t *testing.T) {
	t.Parallel()
	s := replay.New(t, map[string]replay.Answer{
		"DELETE /v21.0/1020_501": {File: "success.json"},
		"DELETE /v21.0/1020_502": {Status: 400, File: "gone.json"},
	})
	a := pubAdapter()
	if err := a.DeletePost(context.Background(), endpoint(s), "1020_501"); err != nil {
		t.Fatal(err)
	}
	err := a.DeletePost(context.Background(), endpoint(s), "1020_502")
	replay.Kind(t, err, civic.PlatformNotFound)
	if !slices.Equal(s.Received(), []string{"DELETE /v21.0/1020_501", "DELETE /v21.0/1020_502"}) {
		t.Errorf("requests %v", s.Received())
	}
}

func TestKeyTime(t *testing.T) {
	t.Parallel()
	if at, ok := KeyTime(pubKey); !ok || !at.Equal(pubClock) {
		t.Errorf("KeyTime(%q) = %v, %v", pubKey, at, ok)
	}
	for _, k := range []string{"", "steward-x-1", "steward-1", "other-1-2", "steward--1", "steward-9007199254740993-a"} {
		if _, ok := KeyTime(k); ok {
			t.Errorf("KeyTime(%q) ok", k)
		}
	}
}

func TestPublisherInterfaces(t *testing.T) {
	var p civic.Platform = New(platform.Config{})
	_, isPub := p.(civic.Publisher)
	_, isEd := p.(civic.PostEditor)
	_, isDel := p.(civic.PostDeleter)
	if !isPub || !isEd || !isDel || !p.Capabilities().Has(civic.CapPublish) {
		t.Errorf("publisher %v, editor %v, deleter %v, caps %v", isPub, isEd, isDel, p.Capabilities())
	}
}
