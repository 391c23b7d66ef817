package threads

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"testing"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/platform/facebook"
	"steward.city/steward/internal/platform/replay"
)

// pubKey is a key Steward made at now.
var pubKey = "steward-" + strconv.FormatInt(now.UnixMicro(), 10) + "-5f0c2a9e4b7d1c3a8e6f0b2d4c6a8e0f"

const (
	poolText    = "Pool hours: \"summer\" schedule\nMon–Fri 6–9 🏊 · Horario de verano · 夏季时间"
	containerID = "17889615691921648"
	mediaID     = "18050206876707200"

	createKey  = "POST /v1.0/2400/threads"
	publishKey = "POST /v1.0/2400/threads_publish"
	statusKey  = "GET /v1.0/" + containerID
	mediaKey   = "GET /v1.0/" + mediaID
	listKey    = "GET /v1.0/2400/threads"
	repliesKey = "GET /v1.0/2400/replies"
)

func form(t *testing.T, s *replay.Server, i int) url.Values {
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

func received(t *testing.T, s *replay.Server, want ...string) {
	t.Helper()
	if got := s.Received(); !slices.Equal(got, want) {
		t.Errorf("requests %v, want %v", got, want)
	}
}

func TestPublishTwoSteps(t *testing.T) {
	t.Parallel()
	s := replay.New(t, map[string]replay.Answer{
		createKey:  {File: "pub_container.json"},
		publishKey: {File: "pub_published.json"},
		mediaKey:   {File: "pub_media.json"},
	})
	p, err := adapter().Publish(context.Background(), endpoint(s), civic.OutgoingPost{Text: poolText, Language: "en", IdempotencyKey: pubKey})
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != mediaID || p.URL != "https://www.threads.net/@springfieldcity/post/C9zPool" || p.Text != poolText || !p.CreatedAt.Equal(now.Add(4*time.Second)) {
		t.Errorf("published %+v", p)
	}
	received(t, s, createKey, publishKey, mediaKey)
	if f := form(t, s, 0); f.Get("media_type") != "TEXT" || f.Get("text") != poolText || len(f) != 2 {
		t.Errorf("container form %v", f)
	}
	if f := form(t, s, 1); f.Get("creation_id") != containerID || len(f) != 1 {
		t.Errorf("publish form %v", f)
	}
	// The key's container is forgotten once published: the same key
	// again is a new post (the service never sends it again after an answer).
	if _, ok := adapter().made.Get("2400 "+pubKey, now); ok {
		t.Error("a fresh adapter remembers a container")
	}
}

// The post went out but reading it back failed: it is answered with what
// was sent, not as a failure (which would make the service try again).
func TestPublishReadBackFails(t *testing.T) {
	t.Parallel()
	s := replay.New(t, map[string]replay.Answer{
		createKey:  {File: "pub_container.json"},
		publishKey: {File: "pub_published.json"},
		mediaKey:   {Status: 500, Body: "<html>oops</html>"},
	})
	a := adapter()
	p, err := a.Publish(context.Background(), endpoint(s), civic.OutgoingPost{Text: "Block party on Elm St. — no ban on 🎶", IdempotencyKey: pubKey})
	if err != nil || p.ID != mediaID || p.URL != "" || !p.CreatedAt.Equal(now) {
		t.Fatalf("published %+v, %v", p, err)
	}
	if _, ok := a.made.Get("2400 "+pubKey, now); ok {
		t.Error("the container is still remembered after its post went out")
	}
}

func TestPublishReply(t *testing.T) {
	t.Parallel()
	s := replay.New(t, map[string]replay.Answer{
		repliesKey: {File: "empty.json"},
		createKey:  {File: "pub_container.json"},
		publishKey: {File: "pub_published.json"},
		mediaKey:   {File: "pub_media.json"},
	})
	text := "Correction: the pool opens at 9, not 8."
	if _, err := adapter().Publish(context.Background(), endpoint(s), civic.OutgoingPost{Text: text, IdempotencyKey: pubKey, InReplyTo: "18050206876707150"}); err != nil {
		t.Fatal(err)
	}
	received(t, s, repliesKey, createKey, publishKey, mediaKey)
	if f := form(t, s, 1); f.Get("reply_to_id") != "18050206876707150" || f.Get("text") != text || f.Get("media_type") != "TEXT" {
		t.Errorf("container form %v", f)
	}
}

// A reply whose answer was lost in another process: the account's reply
// with the text, made since the key's time, is it (its older one with the
// same text is not), and nothing is made.
func TestPublishReplyFound(t *testing.T) {
	t.Parallel()
	s := replay.New(t, map[string]replay.Answer{repliesKey: {File: "pub_replies.json"}})
	p, err := adapter().Publish(context.Background(), endpoint(s),
		civic.OutgoingPost{Text: "Correction: the pool opens at 9, not 8.", IdempotencyKey: pubKey, InReplyTo: mediaID})
	if err != nil || p.ID != "18050206876707300" || p.URL != "https://www.threads.net/@springfieldcity/post/C9zFix" {
		t.Fatalf("found %+v, %v", p, err)
	}
	received(t, s, repliesKey)
}

// The container was made, and threads_publish failed before it took it:
// the retry publishes the same container; no second container is made.
func TestPublishRetryReusesContainer(t *testing.T) {
	t.Parallel()
	a := adapter()
	post := civic.OutgoingPost{Text: poolText, IdempotencyKey: pubKey}
	s1 := replay.New(t, map[string]replay.Answer{
		createKey:  {File: "pub_container.json"},
		publishKey: {Status: 502, Header: map[string]string{"Content-Type": "text/html"}, Body: "<html><h1>502 Bad Gateway</h1></html>"},
		statusKey:  {File: "pub_status_finished.json"},
	})
	_, err := a.Publish(context.Background(), endpoint(s1), post)
	replay.Kind(t, err, civic.PlatformUnavailable)
	received(t, s1, createKey, publishKey, statusKey)

	s2 := replay.New(t, map[string]replay.Answer{
		statusKey:  {File: "pub_status_finished.json"},
		publishKey: {File: "pub_published.json"},
		mediaKey:   {File: "pub_media.json"},
	})
	p, err := a.Publish(context.Background(), endpoint(s2), post)
	if err != nil || p.ID != mediaID {
		t.Fatalf("retry: %+v, %v", p, err)
	}
	received(t, s2, statusKey, publishKey, mediaKey)
	if f := form(t, s2, 1); f.Get("creation_id") != containerID {
		t.Errorf("publish form %v", f)
	}
}

// threads_publish took the container but its answer was lost: the retry
// finds the container PUBLISHED and the post among the account's own, and
// neither makes a container nor publishes again.
func TestPublishRetryAfterLostAnswer(t *testing.T) {
	t.Parallel()
	a := adapter()
	post := civic.OutgoingPost{Text: poolText, IdempotencyKey: pubKey}
	s1 := replay.New(t, map[string]replay.Answer{
		createKey:  {File: "pub_container.json"},
		publishKey: {Status: 400, File: "ratelimit.json"},
	})
	_, err := a.Publish(context.Background(), endpoint(s1), post)
	replay.Kind(t, err, civic.PlatformRateLimited)
	received(t, s1, createKey, publishKey) // a clear refusal: no status read

	// Later, the container is PUBLISHED but the post is not listed yet.
	s2 := replay.New(t, map[string]replay.Answer{statusKey: {File: "pub_status_published.json"}, listKey: {File: "threads_1.json"}})
	_, err = a.Publish(context.Background(), endpoint(s2), post)
	replay.Kind(t, err, civic.PlatformUnavailable)
	replay.Contains(t, err, "not be posted twice")
	received(t, s2, statusKey, listKey)

	s3 := replay.New(t, map[string]replay.Answer{statusKey: {File: "pub_status_published.json"}, listKey: {File: "pub_threads.json"}})
	p, err := a.Publish(context.Background(), endpoint(s3), post)
	if err != nil || p.ID != mediaID || p.URL != "https://www.threads.net/@springfieldcity/post/C9zPool" {
		t.Fatalf("retry: %+v, %v", p, err)
	}
	received(t, s3, statusKey, listKey)
	if _, ok := a.made.Get("2400 "+pubKey, now); ok {
		t.Error("the container is still remembered after its post was found")
	}
}

// threads_publish went through but answered garbage: the container's
// status says so within the same call, and the post is found.
func TestPublishLostAnswerSameCall(t *testing.T) {
	t.Parallel()
	s := replay.New(t, map[string]replay.Answer{
		createKey:  {File: "pub_container.json"},
		publishKey: {Body: `{"id": "../me"}`},
		statusKey:  {File: "pub_status_published.json"},
		listKey:    {File: "pub_threads.json"},
	})
	p, err := adapter().Publish(context.Background(), endpoint(s), civic.OutgoingPost{Text: poolText, IdempotencyKey: pubKey})
	if err != nil || p.ID != mediaID {
		t.Fatalf("published %+v, %v", p, err)
	}
	received(t, s, createKey, publishKey, statusKey, listKey)
}

// An expired container is replaced by a new one.
func TestPublishExpiredContainer(t *testing.T) {
	t.Parallel()
	a := adapter()
	post := civic.OutgoingPost{Text: poolText, IdempotencyKey: pubKey}
	a.made.Put("2400 "+pubKey, facebook.Container{ID: containerID, At: now.Add(-time.Hour)})
	s := replay.New(t, map[string]replay.Answer{
		statusKey:  {File: "pub_status_expired.json"},
		createKey:  {File: "pub_container.json"},
		publishKey: {File: "pub_published.json"},
		mediaKey:   {File: "pub_media.json"},
	})
	if _, err := a.Publish(context.Background(), endpoint(s), post); err != nil {
		t.Fatal(err)
	}
	received(t, s, statusKey, createKey, publishKey, mediaKey)
	// A container older than a day is not even asked about.
	a.made.Put("2400 "+pubKey, facebook.Container{ID: containerID, At: now.Add(-25 * time.Hour)})
	if _, ok := a.made.Get("2400 "+pubKey, now); ok {
		t.Error("a container of yesterday is reused")
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
		{"rate limit", replay.Answer{Status: 400, File: "ratelimit.json"}, civic.PlatformRateLimited, "request limit"},
		{"expired token", replay.Answer{Status: 400, File: "expired.json"}, civic.PlatformAuth, "Session has expired"},
		{"invalid parameter", replay.Answer{Status: 400, Body: `{"error":{"message":"Param text must be at most 500 characters long.","type":"THApiException","code":100,"fbtrace_id":"X"}}`}, civic.PlatformMalformed, "invalid parameter"},
		{"html error page", replay.Answer{Status: 503, Header: map[string]string{"Content-Type": "text/html"}, Body: "<html>Service Unavailable</html>"}, civic.PlatformUnavailable, "Service Unavailable"},
		{"truncated json", replay.Answer{Body: `{"id": "1788`}, civic.PlatformMalformed, "not the JSON"},
		{"forged id", replay.Answer{Body: `{"id": "2400/threads_publish"}`}, civic.PlatformMalformed, "container"},
		{"no id", replay.Answer{Body: `{}`}, civic.PlatformMalformed, "container"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := replay.New(t, map[string]replay.Answer{createKey: tc.answer})
			p, err := adapter().Publish(context.Background(), endpoint(s), civic.OutgoingPost{Text: "Hello", IdempotencyKey: pubKey})
			if p != nil {
				t.Errorf("published %+v", p)
			}
			replay.Kind(t, err, tc.kind)
			replay.Contains(t, err, tc.says)
			received(t, s, createKey)
		})
	}
}

func TestPublishRefusesWithoutRequest(t *testing.T) {
	t.Parallel()
	s := replay.New(t, map[string]replay.Answer{})
	a, ctx := adapter(), context.Background()
	noUser := endpoint(s)
	noUser.RemoteID = "../me"
	if _, err := a.Publish(ctx, noUser, civic.OutgoingPost{Text: "x"}); civic.PlatformErrorKindOf(err) != civic.PlatformMalformed {
		t.Errorf("no user: %v", err)
	}
	if _, err := a.Publish(ctx, endpoint(s), civic.OutgoingPost{Text: "\t"}); civic.ErrorKind(err) != civic.KindInvalid {
		t.Errorf("empty: %v", err)
	}
	for _, id := range []string{"1805/../2400", "C9zPool", "18050206876707200?x=1"} {
		if _, err := a.Publish(ctx, endpoint(s), civic.OutgoingPost{Text: "x", InReplyTo: id}); civic.ErrorKind(err) != civic.KindInvalid {
			t.Errorf("reply to %q: %v", id, err)
		}
		if err := a.DeletePost(ctx, endpoint(s), id); civic.ErrorKind(err) != civic.KindInvalid {
			t.Errorf("delete %q: %v", id, err)
		}
	}
	received(t, s)
}

func TestRecentOwnThreads(t *testing.T) {
	t.Parallel()
	s := replay.New(t, map[string]replay.Answer{listKey: {File: "pub_threads.json"}})
	ps, err := adapter().Recent(context.Background(), endpoint(s), 40)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range ps {
		ids = append(ids, p.ID)
	}
	// Newest first; the repost of someone else's post left out.
	if !slices.Equal(ids, []string{mediaID, "18050206876707180", "18050206876707150"}) {
		t.Fatalf("ids %v", ids)
	}
	if ps[0].Text != poolText || !ps[0].CreatedAt.Equal(now.Add(4*time.Second)) {
		t.Errorf("first %+v", ps[0])
	}
	s2 := replay.New(t, map[string]replay.Answer{listKey: {Body: `{"data":[{"id":"x/../1","text":"forged"}]}`}})
	_, err = adapter().Recent(context.Background(), endpoint(s2), 10)
	replay.Kind(t, err, civic.PlatformMalformed)
}

func TestDeleteThread(t *testing.T) {
	t.Parallel()
	s := replay.New(t, map[string]replay.Answer{
		"DELETE /v1.0/" + mediaID:        {File: "pub_deleted.json"},
		"DELETE /v1.0/18050206876707199": {Status: 400, File: "thread_gone.json"},
		"DELETE /v1.0/18050206876707198": {File: "success.json"},
		"DELETE /v1.0/18050206876707197": {Body: `{"success": true, "deleted_id": "1"}`},
		"DELETE /v1.0/18050206876707196": {Status: 400, File: "expired.json"},
	})
	a, ctx := adapter(), context.Background()
	if err := a.DeletePost(ctx, endpoint(s), mediaID); err != nil {
		t.Fatal(err)
	}
	replay.Kind(t, a.DeletePost(ctx, endpoint(s), "18050206876707199"), civic.PlatformNotFound)
	if err := a.DeletePost(ctx, endpoint(s), "18050206876707198"); err != nil {
		t.Errorf("success without deleted_id: %v", err)
	}
	replay.Kind(t, a.DeletePost(ctx, endpoint(s), "18050206876707197"), civic.PlatformMalformed)
	replay.Kind(t, a.DeletePost(ctx, endpoint(s), "18050206876707196"), civic.PlatformAuth)
}

// Threads has no edit: corrections are replies in the thread.
func TestNoEdit(t *testing.T) {
	var p civic.Platform = adapter()
	if _, ok := p.(civic.PostEditor); ok {
		t.Error("the adapter claims to edit posts")
	}
	_, isPub := p.(civic.Publisher)
	_, isDel := p.(civic.PostDeleter)
	if !isPub || !isDel || !p.Capabilities().Has(civic.CapPublish) {
		t.Errorf("publisher %v, deleter %v, caps %v", isPub, isDel, p.Capabilities())
	}
}
