package linkedin

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/platform"
	"steward.city/steward/internal/platform/replay"
)

const (
	org       = "urn:li:organization:5515715"
	newPost   = "urn:li:share:7300000000000000030"
	newReply  = "urn:li:comment:(urn:li:activity:7300000000000000030,7300000000000000300)"
	createKey = "POST /rest/posts"
	postKey   = "/rest/posts/" + newPost
)

// recorder keeps every request that passed the guard, headers and all
// (replay keeps only keys and bodies).
type recorder struct {
	mu   sync.Mutex
	reqs []*http.Request
}

func (r *recorder) RoundTrip(q *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.reqs = append(r.reqs, q.Clone(context.Background()))
	r.mu.Unlock()
	return http.DefaultTransport.RoundTrip(q)
}

func (r *recorder) last(t *testing.T) *http.Request {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.reqs) == 0 {
		t.Fatal("no request was sent")
	}
	return r.reqs[len(r.reqs)-1]
}

func recording() (*Adapter, *recorder) {
	rec := &recorder{}
	return New(platform.Config{Now: func() time.Time { return now }, HTTP: &http.Client{Transport: rec}}), rec
}

// checkHeaders fails unless q carries the headers every /rest call needs.
func checkHeaders(t *testing.T, q *http.Request, method string) {
	t.Helper()
	if q.Header.Get("LinkedIn-Version") != Version || q.Header.Get("X-Restli-Protocol-Version") != "2.0.0" || q.Header.Get("X-RestLi-Method") != method {
		t.Errorf("%s %s headers %v", q.Method, q.URL, q.Header)
	}
}

func lastJSON(t *testing.T, s *replay.Server, v any) string {
	t.Helper()
	b := s.Bodies()
	if err := json.Unmarshal([]byte(b[len(b)-1]), v); err != nil {
		t.Fatalf("body %q: %v", b[len(b)-1], err)
	}
	return b[len(b)-1]
}

var created = replay.Answer{Status: 201, Header: map[string]string{"x-restli-id": newPost}}

func TestPublishEscapesLittleText(t *testing.T) {
	t.Parallel()
	for text, commentary := range map[string]string{
		"Pool hours (summer): 6–9 a.m. & 5–8 p.m. <today> @ Elm St_pool *new* ~ [map] {free} a|b \\ #SpringfieldParks": `Pool hours \(summer\): 6–9 a.m. & 5–8 p.m. \<today\> \@ Elm St\_pool \*new\* \~ \[map\] \{free\} a\|b \\ #SpringfieldParks`,
		"Say \"hello\"\nto the library 📚 — ساعات المسبح · 泳池时间":                                                        "Say \"hello\"\nto the library 📚 — ساعات المسبح · 泳池时间",
		"@[Not a mention](urn:li:organization:1)":                                                                      `\@\[Not a mention\]\(urn:li:organization:1\)`,
		"{hashtag|#|notatag}": `\{hashtag\|#\|notatag\}`,
		// Words of blocking and muting in a city's text are no block: the guard lets it through.
		"Block party: Elm St blocked 5–9 p.m.; mute your phones; ban on fireworks": "Block party: Elm St blocked 5–9 p.m.; mute your phones; ban on fireworks",
	} {
		s := replay.New(t, map[string]replay.Answer{createKey: created})
		a, rec := recording()
		p, err := a.Publish(context.Background(), endpoint(s), civic.OutgoingPost{Text: text, Language: "en", IdempotencyKey: "steward-1-ab"})
		if err != nil {
			t.Fatal(err)
		}
		if p.ID != newPost || p.URL != "https://www.linkedin.com/feed/update/"+newPost+"/" || p.Text != text || !p.CreatedAt.Equal(now) {
			t.Errorf("published %+v", p)
		}
		var b outgoingPost
		raw := lastJSON(t, s, &b)
		if b.Commentary != commentary {
			t.Errorf("commentary %q, want %q", b.Commentary, commentary)
		}
		if b.Author != org || b.Visibility != "PUBLIC" || b.LifecycleState != "PUBLISHED" || b.Distribution.FeedDistribution != "MAIN_FEED" ||
			!strings.Contains(raw, `"isReshareDisabledByAuthor":false`) || !strings.Contains(raw, `"targetEntities":[]`) {
			t.Errorf("body %s", raw)
		}
		// What LinkedIn shows is what was written.
		if plainLittle(b.Commentary) != text {
			t.Errorf("shown as %q", plainLittle(b.Commentary))
		}
		checkHeaders(t, rec.last(t), "")
		if got := s.Received(); len(got) != 1 || got[0] != createKey {
			t.Errorf("requests %v", got)
		}
	}
}

func TestLittleRoundTrip(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", `\`, `\\\`, "a\\", "(((", "@[x](y)", "{hashtag|#|x}", "{a|b}", "@[", "é🎉 ✓", "trailing \\"} {
		if got := plainLittle(escapeLittle(s)); got != s {
			t.Errorf("%q: round trip gives %q", s, got)
		}
	}
	for in, want := range map[string]string{
		"Hi @[Acme Corp](urn:li:organization:1234)!":      "Hi Acme Corp!",
		"{hashtag|\\#|Technology} and {hashtag|＃|Parks}":  "#Technology and ＃Parks",
		"@[Esc\\]aped](urn:li:person:1) @[broken](no end": "Esc]aped @[broken](no end",
		"{notatemplate} {hashtag|#} {open":                "{notatemplate} {hashtag|#} {open",
	} {
		if got := plainLittle(in); got != want {
			t.Errorf("plainLittle(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPublishFailures(t *testing.T) {
	t.Parallel()
	midnight := time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC).Sub(now)
	for _, tt := range []struct {
		name   string
		answer replay.Answer
		kind   civic.PlatformErrorKind
		says   string
		wait   time.Duration
	}{
		{"no urn", replay.Answer{Status: 201}, civic.PlatformMalformed, "x-restli-id", 0},
		{"forged urn", replay.Answer{Status: 201, Header: map[string]string{"x-restli-id": "urn:li:share:1/../../organizationAcls"}}, civic.PlatformMalformed, "not the URN of a post", 0},
		{"not a post", replay.Answer{Status: 201, Header: map[string]string{"x-restli-id": "urn:li:person:AbC123"}}, civic.PlatformMalformed, "not the URN of a post", 0},
		{"revoked token", replay.Answer{Status: 401, File: "expired.json"}, civic.PlatformAuth, "revoked", 0},
		{"daily throttle", replay.Answer{Status: 429, File: "throttled.json"}, civic.PlatformRateLimited, "DAY", midnight},
		{"duplicate", replay.Answer{Status: 422, File: "unprocessable.json"}, civic.PlatformMalformed, "duplicate", 0},
		{"html error page", replay.Answer{Status: 502, Header: map[string]string{"Content-Type": "text/html"}, Body: "<html><h1>Bad Gateway</h1></html>"}, civic.PlatformUnavailable, "Bad Gateway", 0},
		{"no permission", replay.Answer{Status: 403, File: "denied.json"}, civic.PlatformAuth, "Not enough permissions", 0},
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
			if n := len(s.Received()); n != 1 {
				t.Errorf("%d requests, want 1", n)
			}
		})
	}
	// A text LinkedIn would cut short, once escaped, is refused unsent.
	s := replay.New(t, map[string]replay.Answer{})
	_, err := adapter().Publish(context.Background(), endpoint(s), civic.OutgoingPost{Text: strings.Repeat("(", 1501)})
	if civic.ErrorKind(err) != civic.KindInvalid || len(s.Received()) != 0 {
		t.Errorf("too long: %v, %v", err, s.Received())
	}
	if _, err := adapter().Publish(context.Background(), endpoint(s), civic.OutgoingPost{Text: "\n"}); civic.ErrorKind(err) != civic.KindInvalid {
		t.Errorf("empty: %v", err)
	}
}

func TestPublishCorrectionComment(t *testing.T) {
	t.Parallel()
	const text = "Correction: the pool opens at 6 a.m. (not 7)."
	comments := "GET /rest/socialActions/" + newPost + "/comments"
	post := "POST /rest/socialActions/" + newPost + "/comments"
	s := replay.New(t, map[string]replay.Answer{comments: {File: "empty.json"}, post: {Status: 201, File: "comment_created.json"}})
	a, rec := recording()
	p, err := a.Publish(context.Background(), endpoint(s), civic.OutgoingPost{Text: text, InReplyTo: newPost, IdempotencyKey: "steward-1-ab"})
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != newReply || p.Text != text || p.URL != "https://www.linkedin.com/feed/update/"+newPost+"/?commentUrn=urn%3Ali%3Acomment%3A%28urn%3Ali%3Aactivity%3A7300000000000000030%2C7300000000000000300%29" ||
		!p.CreatedAt.Equal(time.UnixMilli(1772452800000).UTC()) {
		t.Errorf("reply %+v", p)
	}
	var b struct {
		Actor, Object string
		Message       struct{ Text string }
	}
	lastJSON(t, s, &b)
	// A comment's message is plain text, not little text: not escaped.
	if b.Actor != org || b.Object != newPost || b.Message.Text != text {
		t.Errorf("comment body %+v", b)
	}
	q := rec.last(t)
	checkHeaders(t, q, "")
	if !strings.Contains(q.URL.EscapedPath(), "urn%3Ali%3Ashare%3A7300000000000000030") {
		t.Errorf("path %s: the URN is not encoded", q.URL.EscapedPath())
	}
	if got := s.Received(); len(got) != 2 || got[0] != comments || got[1] != post {
		t.Errorf("requests %v", got)
	}

	// The comment went out but its answer was lost: the organization's
	// comment with the text is found, and nothing is posted again. A
	// resident's comment with the same words is not the city's.
	s = replay.New(t, map[string]replay.Answer{comments: {File: "comments_own.json"}})
	p, err = adapter().Publish(context.Background(), endpoint(s), civic.OutgoingPost{Text: text, InReplyTo: newPost})
	if err != nil || p.ID != newReply {
		t.Fatalf("retry: %+v %v", p, err)
	}
	if got := s.Received(); len(got) != 1 {
		t.Errorf("requests %v", got)
	}

	// Not a post URN: nothing is sent.
	s = replay.New(t, map[string]replay.Answer{})
	for _, bad := range []string{"1897000000000000001", "urn:li:share:1/comments", newReply} {
		if _, err := adapter().Publish(context.Background(), endpoint(s), civic.OutgoingPost{Text: text, InReplyTo: bad}); civic.ErrorKind(err) != civic.KindInvalid {
			t.Errorf("reply to %q: %v", bad, err)
		}
	}
	if len(s.Received()) != 0 {
		t.Errorf("requests %v", s.Received())
	}
	// A comment answered as someone else's is not taken for the city's.
	s = replay.New(t, map[string]replay.Answer{comments: {File: "empty.json"}, post: {Status: 201,
		Body: `{"actor": "urn:li:person:AbC123", "commentUrn": "urn:li:comment:(urn:li:activity:7300000000000000030,7300000000000000301)", "message": {"text": "x"}}`}})
	if _, err := adapter().Publish(context.Background(), endpoint(s), civic.OutgoingPost{Text: text, InReplyTo: newPost}); civic.PlatformErrorKindOf(err) != civic.PlatformMalformed {
		t.Errorf("forged comment answer: %v", err)
	}
}

func TestEdit(t *testing.T) {
	t.Parallel()
	s := replay.New(t, map[string]replay.Answer{"POST " + postKey: {Status: 204}})
	a, rec := recording()
	const text = "Correction: pool hours (summer) start at 6 a.m."
	p, err := a.Edit(context.Background(), endpoint(s), newPost, civic.OutgoingPost{Text: text})
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != newPost || p.Text != text || !p.CreatedAt.Equal(now) {
		t.Errorf("edited %+v", p)
	}
	var b struct {
		Patch struct {
			Set map[string]string `json:"$set"`
		} `json:"patch"`
	}
	lastJSON(t, s, &b)
	if len(b.Patch.Set) != 1 || b.Patch.Set["commentary"] != `Correction: pool hours \(summer\) start at 6 a.m.` {
		t.Errorf("patch %+v", b)
	}
	q := rec.last(t)
	checkHeaders(t, q, "PARTIAL_UPDATE")
	if q.URL.EscapedPath() != "/rest/posts/urn%3Ali%3Ashare%3A7300000000000000030" {
		t.Errorf("path %s", q.URL.EscapedPath())
	}
	// A post that is gone, and ids that are not post URNs.
	s = replay.New(t, map[string]replay.Answer{"POST " + postKey: {Status: 404, File: "gone.json"}})
	_, err = adapter().Edit(context.Background(), endpoint(s), newPost, civic.OutgoingPost{Text: text})
	replay.Kind(t, err, civic.PlatformNotFound)
	for _, bad := range []string{"", "7300000000000000030", newReply} {
		if _, err := adapter().Edit(context.Background(), endpoint(s), bad, civic.OutgoingPost{Text: text}); civic.ErrorKind(err) != civic.KindInvalid {
			t.Errorf("edit %q: %v", bad, err)
		}
	}
	if n := len(s.Received()); n != 1 {
		t.Errorf("%d requests", n)
	}
}

func TestDeletePost(t *testing.T) {
	t.Parallel()
	s := replay.New(t, map[string]replay.Answer{"DELETE " + postKey: {Status: 204}})
	a, rec := recording()
	if err := a.DeletePost(context.Background(), endpoint(s), newPost); err != nil {
		t.Fatal(err)
	}
	checkHeaders(t, rec.last(t), "DELETE")
	s = replay.New(t, map[string]replay.Answer{"DELETE " + postKey: {Status: 404, File: "gone.json"}})
	replay.Kind(t, adapter().DeletePost(context.Background(), endpoint(s), newPost), civic.PlatformNotFound)
	if err := adapter().DeletePost(context.Background(), endpoint(s), "urn:li:organization:5515715"); civic.ErrorKind(err) != civic.KindInvalid {
		t.Errorf("delete the organization: %v", err)
	}
	if n := len(s.Received()); n != 1 {
		t.Errorf("%d requests", n)
	}
}

func TestLookup(t *testing.T) {
	t.Parallel()
	s := replay.New(t, map[string]replay.Answer{"GET " + postKey: {File: "post.json"}})
	o, err := adapter().Lookup(context.Background(), endpoint(s), newPost)
	if err != nil {
		t.Fatal(err)
	}
	if o.PlatformID != newPost || o.Text != "Correction: pool hours (summer) start at 6 a.m." || o.EditedAt == nil || !o.EditedAt.Equal(time.UnixMilli(1772452800000).UTC()) {
		t.Errorf("lookup %+v", o)
	}
	s = replay.New(t, map[string]replay.Answer{"GET " + postKey: {Status: 404, File: "gone.json"}})
	_, err = adapter().Lookup(context.Background(), endpoint(s), newPost)
	replay.Kind(t, err, civic.PlatformNotFound)
	// An answer about another post is not this one.
	s = replay.New(t, map[string]replay.Answer{"GET /rest/posts/urn:li:share:7300000000000000001": {File: "post.json"}})
	_, err = adapter().Lookup(context.Background(), endpoint(s), "urn:li:share:7300000000000000001")
	replay.Kind(t, err, civic.PlatformMalformed)
}

func TestRecent(t *testing.T) {
	t.Parallel()
	key := "GET /rest/posts q=author author=" + org + " count=40 sortBy=CREATED"
	s := replay.New(t, map[string]replay.Answer{key: {File: "recent.json"}}, "q", "author", "count", "sortBy")
	got, err := adapter().Recent(context.Background(), endpoint(s), 40)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		id, text string
		at       int64
	}{
		{"urn:li:ugcPost:7300000000000000035", "Café ☕ — ساعات المسبح · 泳池时间\nLine two \"quoted\"", 1772450400000},
		{newPost, "Pool hours (summer): 6–9 a.m. & 5–8 p.m. <today> @ Elm St_pool *new* ~ [map] {free} a|b \\ #SpringfieldParks with Springfield Library", 1772449800000},
		{"urn:li:share:7300000000000000001", "We are hiring seasonal park staff. Apply by April 1.", 1772442000000},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d posts (no draft, no other page's post), want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		if got[i].ID != w.id || got[i].Text != w.text || !got[i].CreatedAt.Equal(time.UnixMilli(w.at).UTC()) || got[i].URL != postURL(w.id) {
			t.Errorf("post %d: %+v, want %s %q", i, got[i], w.id, w.text)
		}
	}
	for name, body := range map[string]string{
		"not JSON":    "<html>",
		"forged id":   `{"elements": [{"id": "urn:li:share:1/../x", "author": "` + org + `"}]}`,
		"no id":       `{"elements": [{"author": "` + org + `"}]}`,
		"id a number": `{"elements": [{"id": 7}]}`,
	} {
		s := replay.New(t, map[string]replay.Answer{"GET /rest/posts": {Body: body}})
		if _, err := adapter().Recent(context.Background(), endpoint(s), 40); civic.PlatformErrorKindOf(err) != civic.PlatformMalformed {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestPublishCapabilities(t *testing.T) {
	t.Parallel()
	var p civic.Platform = adapter()
	if !p.Capabilities().Has(civic.CapPublish) {
		t.Error("publish is not declared")
	}
	var _ civic.Publisher = adapter()
	var _ civic.PostEditor = adapter()
	var _ civic.PostDeleter = adapter()
	var _ civic.Lookuper = adapter()
}
