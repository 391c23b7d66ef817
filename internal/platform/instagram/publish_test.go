package instagram

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/platform"
	"steward.city/steward/internal/platform/facebook"
	"steward.city/steward/internal/platform/replay"
)

// pubNow is the adapter's clock in these tests; pubKey is a key Steward
// made then.
var (
	pubNow = time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	pubKey = "steward-" + strconv.FormatInt(pubNow.UnixMicro(), 10) + "-5f0c2a9e4b7d1c3a8e6f0b2d4c6a8e0f"
)

const (
	poolText    = "Pool hours: \"summer\" schedule\nMon–Fri 6–9 🏊 #SpringfieldParks · Horario de verano"
	poolAlt     = "The outdoor pool at Riverside Park, lanes roped off, lifeguard chair in front."
	poolURL     = "https://steward.springfield.example/media/9f86d081884c7d65.jpg?exp=1772460000&sig=4a1b"
	containerID = "17889615691921648"
	mediaID     = "18050206876707200"
	fixText     = "Correction: the pool opens at 9, not 8."

	createKey   = "POST /v21.0/" + ig + "/media"
	publishKey  = "POST /v21.0/" + ig + "/media_publish"
	statusKey   = "GET /v21.0/" + containerID
	mediaKey    = "GET /v21.0/" + mediaID
	listKey     = "GET /v21.0/" + ig + "/media"
	commentsKey = "GET /v21.0/" + mediaID + "/comments"
	commentKey  = "POST /v21.0/" + mediaID + "/comments"
)

func pubAdapter() *Adapter {
	a := New(platform.Config{Now: func() time.Time { return pubNow }})
	a.pause = 0
	return a
}

func jpeg(n int) civic.OutgoingMedia {
	return civic.OutgoingMedia{File: "pool-" + strconv.Itoa(n) + ".jpg", Kind: "image", ContentType: "image/jpeg", Size: 412_000,
		Alt: poolAlt, URL: "https://steward.springfield.example/media/pool-" + strconv.Itoa(n) + ".jpg?sig=" + strconv.Itoa(n)}
}

func poolPost() civic.OutgoingPost {
	m := jpeg(1)
	m.URL = poolURL
	return civic.OutgoingPost{Text: poolText, Language: "en", IdempotencyKey: pubKey, Media: []civic.OutgoingMedia{m}}
}

// form is the i-th request body the replay server received, parsed.
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

func received(t *testing.T, got []string, want ...string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("requests %v,\nwant %v", got, want)
	}
}

func count(got []string, key string) int {
	n := 0
	for _, k := range got {
		if k == key {
			n++
		}
	}
	return n
}

// graph is a fake Graph API whose routes answer in sequence (the last
// answer repeats), for flows where one address answers differently from
// one call to the next (a container's status, a carousel's children).
type graph struct {
	*httptest.Server
	t      *testing.T
	mu     sync.Mutex
	routes map[string][]string
	got    []string
	forms  []url.Values
}

func newGraph(t *testing.T, routes map[string][]string) *graph {
	g := &graph{t: t, routes: routes}
	g.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f, _ := url.ParseQuery(string(body))
		k := r.Method + " " + r.URL.Path
		g.mu.Lock()
		n := count(g.got, k)
		g.got = append(g.got, k)
		g.forms = append(g.forms, f)
		answers := g.routes[k]
		g.mu.Unlock()
		if len(answers) == 0 {
			t.Errorf("graph: no answer for %s", k)
			http.Error(w, `{"error":"no answer"}`, http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, answers[min(n, len(answers)-1)])
	}))
	t.Cleanup(g.Close)
	return g
}

func (g *graph) received() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.got...)
}

func (g *graph) form(i int) url.Values {
	g.mu.Lock()
	defer g.mu.Unlock()
	if i >= len(g.forms) {
		g.t.Fatalf("only %d requests", len(g.forms))
	}
	return g.forms[i]
}

func (g *graph) endpoint() *civic.Endpoint {
	return &civic.Endpoint{BaseURL: g.URL + "/v21.0", RemoteID: ig, Handle: "springfieldparks", Token: civic.PlatformToken{AccessToken: "tok"}}
}

func status(code string) string {
	return `{"status_code": "` + code + `", "id": "` + containerID + `"}`
}

func TestPublishSingleImage(t *testing.T) {
	t.Parallel()
	s := replay.New(t, map[string]replay.Answer{
		createKey:  {File: "pub_container.json"},
		statusKey:  {File: "pub_status_finished.json"},
		publishKey: {File: "pub_published.json"},
		mediaKey:   {File: "pub_media.json"},
	})
	a := pubAdapter()
	p, err := a.Publish(context.Background(), endpoint(s), poolPost())
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != mediaID || p.URL != "https://www.instagram.com/p/DPool123/" || p.Text != poolText || !p.CreatedAt.Equal(pubNow.Add(4*time.Second)) {
		t.Errorf("published %+v", p)
	}
	received(t, s.Received(), createKey, statusKey, publishKey, mediaKey)
	want := url.Values{"image_url": {poolURL}, "caption": {poolText}, "alt_text": {poolAlt}}
	if f := form(t, s, 0); !equalForms(f, want) {
		t.Errorf("container form %v,\nwant %v", f, want)
	}
	if f := form(t, s, 2); !equalForms(f, url.Values{"creation_id": {containerID}}) {
		t.Errorf("publish form %v", f)
	}
	if _, ok := a.made.Get(ig+" "+pubKey, pubNow); ok {
		t.Error("the container is still remembered after its post went out")
	}
}

func equalForms(a, b url.Values) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

// An image without alt text and a post without text send neither field.
func TestPublishBareImage(t *testing.T) {
	t.Parallel()
	s := replay.New(t, map[string]replay.Answer{
		createKey:  {File: "pub_container.json"},
		statusKey:  {File: "pub_status_finished.json"},
		publishKey: {File: "pub_published.json"},
		mediaKey:   {File: "pub_media.json"},
	})
	post := poolPost()
	post.Text, post.Media[0].Alt = "", ""
	if _, err := pubAdapter().Publish(context.Background(), endpoint(s), post); err != nil {
		t.Fatal(err)
	}
	if f := form(t, s, 0); !equalForms(f, url.Values{"image_url": {poolURL}}) {
		t.Errorf("container form %v", f)
	}
}

func TestPublishCarousel(t *testing.T) {
	t.Parallel()
	g := newGraph(t, map[string][]string{
		createKey:  {`{"id": "17889615691921601"}`, `{"id": "17889615691921602"}`, `{"id": "17889615691921603"}`, `{"id": "` + containerID + `"}`},
		statusKey:  {status("FINISHED")},
		publishKey: {`{"id": "` + mediaID + `"}`},
		mediaKey:   {`{"id": "` + mediaID + `", "caption": "x", "permalink": "https://www.instagram.com/p/DCarou/", "timestamp": "2026-03-02T12:00:09+0000"}`},
	})
	post := civic.OutgoingPost{Text: poolText, IdempotencyKey: pubKey, Media: []civic.OutgoingMedia{jpeg(1), jpeg(2), jpeg(3)}}
	post.Media[1].Alt = ""
	p, err := pubAdapter().Publish(context.Background(), g.endpoint(), post)
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != mediaID || p.URL != "https://www.instagram.com/p/DCarou/" {
		t.Errorf("published %+v", p)
	}
	received(t, g.received(), createKey, createKey, createKey, createKey, statusKey, publishKey, mediaKey)
	for i, m := range post.Media {
		want := url.Values{"image_url": {m.URL}, "is_carousel_item": {"true"}}
		if m.Alt != "" {
			want.Set("alt_text", m.Alt)
		}
		if f := g.form(i); !equalForms(f, want) {
			t.Errorf("child %d form %v,\nwant %v", i, f, want)
		}
	}
	want := url.Values{"media_type": {"CAROUSEL"}, "children": {"17889615691921601,17889615691921602,17889615691921603"}, "caption": {poolText}}
	if f := g.form(3); !equalForms(f, want) {
		t.Errorf("carousel form %v,\nwant %v", f, want)
	}
	if f := g.form(5); f.Get("creation_id") != containerID {
		t.Errorf("publish form %v", f)
	}
}

func TestPublishRefusesWithoutRequest(t *testing.T) {
	t.Parallel()
	s := replay.New(t, map[string]replay.Answer{})
	a, ctx := pubAdapter(), context.Background()
	with := func(change func(*civic.OutgoingPost)) civic.OutgoingPost {
		p := poolPost()
		change(&p)
		return p
	}
	eleven := make([]civic.OutgoingMedia, 11)
	for i := range eleven {
		eleven[i] = jpeg(i)
	}
	for _, tc := range []struct {
		name  string
		post  civic.OutgoingPost
		field string
		says  string
	}{
		{"no media", with(func(p *civic.OutgoingPost) { p.Media = nil }), "media", "at least one JPEG image"},
		{"png", with(func(p *civic.OutgoingPost) { p.Media[0].ContentType = "image/png" }), "media", "image/png"},
		{"video", with(func(p *civic.OutgoingPost) { p.Media[0].Kind, p.Media[0].ContentType = "video", "video/mp4" }), "media", "video"},
		{"gif", with(func(p *civic.OutgoingPost) { p.Media[0].Kind, p.Media[0].ContentType = "gif", "image/gif" }), "media", "gif"},
		{"eleven images", with(func(p *civic.OutgoingPost) { p.Media = eleven }), "media", "at most 10 images"},
		{"no url", with(func(p *civic.OutgoingPost) { p.Media[0].URL = "" }), "media", "public address"},
		{"not a web address", with(func(p *civic.OutgoingPost) { p.Media[0].URL = "file:///var/lib/steward/blobs/9f86" }), "media", "address"},
		{"too large", with(func(p *civic.OutgoingPost) { p.Media[0].Size = MaxImage + 1 }), "media", "8 MB"},
		{"caption of 2,201 characters", with(func(p *civic.OutgoingPost) { p.Text = strings.Repeat("é", 2201) }), "text", "2,200 characters"},
		{"31 hashtags", with(func(p *civic.OutgoingPost) { p.Text = tags("#", 31) }), "text", "30 hashtags"},
		{"21 mentions", with(func(p *civic.OutgoingPost) { p.Text = tags("@", 21) }), "text", "20 @mentions"},
		{"comment without text", civic.OutgoingPost{Text: " \n", InReplyTo: mediaID, IdempotencyKey: pubKey}, "text", "needs text"},
		{"comment with an image", civic.OutgoingPost{Text: fixText, InReplyTo: mediaID, Media: []civic.OutgoingMedia{jpeg(1)}}, "media", "no images"},
		{"comment of 2,201 characters", civic.OutgoingPost{Text: strings.Repeat("a", 2201), InReplyTo: mediaID}, "text", "2,200"},
		{"comment on a path", civic.OutgoingPost{Text: fixText, InReplyTo: "1805/../" + ig}, "in_reply_to", "not the id"},
		{"comment on a shortcode", civic.OutgoingPost{Text: fixText, InReplyTo: "DPool123"}, "in_reply_to", "not the id"},
		{"comment on a query", civic.OutgoingPost{Text: fixText, InReplyTo: mediaID + "?fields=x"}, "in_reply_to", "not the id"},
	} {
		p, err := a.Publish(ctx, endpoint(s), tc.post)
		var ce *civic.Error
		if p != nil || civic.ErrorKind(err) != civic.KindInvalid || !errors.As(err, &ce) || ce.Field != tc.field || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%s: %+v, %v; want invalid %s saying %q", tc.name, p, err, tc.field, tc.says)
		}
	}
	noUser := endpoint(s)
	noUser.RemoteID = "../me"
	if _, err := a.Publish(ctx, noUser, poolPost()); civic.PlatformErrorKindOf(err) != civic.PlatformMalformed {
		t.Errorf("no user: %v", err)
	}
	if _, err := a.Recent(ctx, noUser, 10); civic.PlatformErrorKindOf(err) != civic.PlatformMalformed {
		t.Errorf("recent without a user: %v", err)
	}
	received(t, s.Received())
}

// tags is n distinct hashtags or mentions.
func tags(mark string, n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(mark + "springfield" + strconv.Itoa(i) + " ")
	}
	return b.String()
}

// The limits are Instagram's, not lower: a caption at each limit passes,
// and a '#' in an address or an e-mail's '@' is no tag.
func TestCaptionLimits(t *testing.T) {
	t.Parallel()
	ok := []string{
		"",
		strings.Repeat("é", 2200),
		tags("#", 30) + tags("@", 20),
		"Schedule at https://springfield.example/pools#summer, questions to parks@springfield.example. " + tags("#", 30),
		"Room #5 is #1 " + tags("#", 28), // "#5" and "#1" count: 30
	}
	for _, text := range ok {
		p := poolPost()
		p.Text = text
		if err := checkPost(p); err != nil {
			t.Errorf("%.40q…: %v", text, err)
		}
	}
	if n := countTags("#a #b #é x#d &#39; /#e #", '#'); n != 3 {
		t.Errorf("hashtags counted %d, want 3", n)
	}
	if n := countTags("@parks @city.hall mail@x.org @ @@x", '@'); n != 2 {
		t.Errorf("mentions counted %d, want 2", n)
	}
	p := poolPost()
	p.Media = make([]civic.OutgoingMedia, 10)
	for i := range p.Media {
		p.Media[i] = jpeg(i)
	}
	if err := checkPost(p); err != nil {
		t.Errorf("ten images: %v", err)
	}
}

// Instagram is still fetching the image: the call answers unavailable
// without publishing, and the retry with the same key publishes the same
// container, once.
func TestPublishInProgressThenRetry(t *testing.T) {
	t.Parallel()
	a := pubAdapter()
	s1 := replay.New(t, map[string]replay.Answer{
		createKey: {File: "pub_container.json"},
		statusKey: {File: "pub_status_in_progress.json"},
	})
	_, err := a.Publish(context.Background(), endpoint(s1), poolPost())
	replay.Kind(t, err, civic.PlatformUnavailable)
	replay.Contains(t, err, "still fetching", "try again")
	received(t, s1.Received(), createKey, statusKey, statusKey, statusKey)

	// Still in progress on the retry: no new container, no publish.
	s2 := replay.New(t, map[string]replay.Answer{statusKey: {File: "pub_status_in_progress.json"}})
	_, err = a.Publish(context.Background(), endpoint(s2), poolPost())
	replay.Kind(t, err, civic.PlatformUnavailable)
	received(t, s2.Received(), statusKey)

	s3 := replay.New(t, map[string]replay.Answer{
		statusKey:  {File: "pub_status_finished.json"},
		publishKey: {File: "pub_published.json"},
		mediaKey:   {File: "pub_media.json"},
	})
	p, err := a.Publish(context.Background(), endpoint(s3), poolPost())
	if err != nil || p.ID != mediaID {
		t.Fatalf("retry: %+v, %v", p, err)
	}
	received(t, s3.Received(), statusKey, publishKey, mediaKey)
	if f := form(t, s3, 1); f.Get("creation_id") != containerID {
		t.Errorf("publish form %v", f)
	}
}

// A new container still IN_PROGRESS at the first read is published once
// it is FINISHED within the same call.
func TestPublishWaitsForContainer(t *testing.T) {
	t.Parallel()
	g := newGraph(t, map[string][]string{
		createKey:  {`{"id": "` + containerID + `"}`},
		statusKey:  {status("IN_PROGRESS"), status("FINISHED")},
		publishKey: {`{"id": "` + mediaID + `"}`},
		mediaKey:   {`{"id": "` + mediaID + `", "permalink": "https://www.instagram.com/p/DPool123/", "timestamp": "2026-03-02T12:00:04+0000"}`},
	})
	if _, err := pubAdapter().Publish(context.Background(), g.endpoint(), poolPost()); err != nil {
		t.Fatal(err)
	}
	received(t, g.received(), createKey, statusKey, statusKey, publishKey, mediaKey)
}

// media_publish took the container but its answer was lost: the retry
// finds the container PUBLISHED and the post among the account's media,
// and neither makes a container nor publishes again.
func TestPublishRetryAfterLostAnswer(t *testing.T) {
	t.Parallel()
	a := pubAdapter()
	s1 := replay.New(t, map[string]replay.Answer{
		createKey:  {File: "pub_container.json"},
		statusKey:  {File: "pub_status_finished.json"},
		publishKey: {Status: 502, Header: map[string]string{"Content-Type": "text/html"}, Body: "<html><h1>502 Bad Gateway</h1></html>"},
	})
	_, err := a.Publish(context.Background(), endpoint(s1), poolPost())
	replay.Kind(t, err, civic.PlatformUnavailable)
	// No clear refusal: the status is read again to see whether it went out.
	received(t, s1.Received(), createKey, statusKey, publishKey, statusKey)

	// Later, the container is PUBLISHED but the post is not listed yet
	// (only an older post with the same caption is).
	s2 := replay.New(t, map[string]replay.Answer{statusKey: {File: "pub_status_published.json"}, listKey: {File: "pub_media_old.json"}})
	_, err = a.Publish(context.Background(), endpoint(s2), poolPost())
	replay.Kind(t, err, civic.PlatformUnavailable)
	replay.Contains(t, err, "not be posted twice")
	received(t, s2.Received(), statusKey, listKey)

	s3 := replay.New(t, map[string]replay.Answer{statusKey: {File: "pub_status_published.json"}, listKey: {File: "pub_media_list.json"}})
	p, err := a.Publish(context.Background(), endpoint(s3), poolPost())
	if err != nil || p.ID != mediaID || p.URL != "https://www.instagram.com/p/DPool123/" {
		t.Fatalf("retry: %+v, %v", p, err)
	}
	received(t, s3.Received(), statusKey, listKey)
	if _, ok := a.made.Get(ig+" "+pubKey, pubNow); ok {
		t.Error("the container is still remembered after its post was found")
	}
	all := append(append(s1.Received(), s2.Received()...), s3.Received()...)
	if n := count(all, publishKey); n != 1 {
		t.Errorf("media_publish called %d times, want 1", n)
	}
	if n := count(all, createKey); n != 1 {
		t.Errorf("%d containers made, want 1", n)
	}
}

// media_publish went through but answered garbage: the container's
// status says so within the same call, and the post is found.
func TestPublishLostAnswerSameCall(t *testing.T) {
	t.Parallel()
	g := newGraph(t, map[string][]string{
		createKey:  {`{"id": "` + containerID + `"}`},
		statusKey:  {status("FINISHED"), status("PUBLISHED")},
		publishKey: {`{"id": "../` + ig + `"}`},
		listKey:    {`{"data": [{"id": "` + mediaID + `", "caption": "` + strings.ReplaceAll(strings.ReplaceAll(poolText, `"`, `\"`), "\n", `\n`) + `", "permalink": "https://www.instagram.com/p/DPool123/", "timestamp": "2026-03-02T12:00:04+0000"}]}`},
	})
	p, err := pubAdapter().Publish(context.Background(), g.endpoint(), poolPost())
	if err != nil || p.ID != mediaID {
		t.Fatalf("published %+v, %v", p, err)
	}
	received(t, g.received(), createKey, statusKey, publishKey, statusKey, listKey)
}

// A remembered container that expired is replaced by a new one; a
// container of yesterday is not even asked about.
func TestPublishExpiredContainer(t *testing.T) {
	t.Parallel()
	a := pubAdapter()
	a.made.Put(ig+" "+pubKey, facebook.Container{ID: containerID, At: pubNow.Add(-time.Hour)})
	const fresh = "17889615691921649"
	g := newGraph(t, map[string][]string{
		statusKey:             {status("EXPIRED")},
		createKey:             {`{"id": "` + fresh + `"}`},
		"GET /v21.0/" + fresh: {status("FINISHED")},
		publishKey:            {`{"id": "` + mediaID + `"}`},
		mediaKey:              {`{"id": "` + mediaID + `"}`},
	})
	if _, err := a.Publish(context.Background(), g.endpoint(), poolPost()); err != nil {
		t.Fatal(err)
	}
	received(t, g.received(), statusKey, createKey, "GET /v21.0/"+fresh, publishKey, mediaKey)
	if f := g.form(3); f.Get("creation_id") != fresh {
		t.Errorf("published container %v", f)
	}
	a.made.Put(ig+" "+pubKey, facebook.Container{ID: containerID, At: pubNow.Add(-25 * time.Hour)})
	if _, ok := a.made.Get(ig+" "+pubKey, pubNow); ok {
		t.Error("a container of yesterday is reused")
	}
}

// A remembered container that is gone or in ERROR is replaced as well.
func TestPublishReplacesFailedContainer(t *testing.T) {
	t.Parallel()
	for name, answer := range map[string]replay.Answer{
		"error": {File: "pub_status_error.json"},
		"gone":  {Status: 400, File: "gone.json"},
	} {
		a := pubAdapter()
		a.made.Put(ig+" "+pubKey, facebook.Container{ID: "17889615691921600", At: pubNow.Add(-time.Hour)})
		s := replay.New(t, map[string]replay.Answer{
			"GET /v21.0/17889615691921600": answer,
			createKey:                      {File: "pub_container.json"},
			statusKey:                      {File: "pub_status_finished.json"},
			publishKey:                     {File: "pub_published.json"},
			mediaKey:                       {File: "pub_media.json"},
		})
		if _, err := a.Publish(context.Background(), endpoint(s), poolPost()); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		received(t, s.Received(), "GET /v21.0/17889615691921600", createKey, statusKey, publishKey, mediaKey)
	}
}

// A new container in ERROR (Instagram could not take the image) is
// refused with the reason, not published, and forgotten: the retry makes
// a new one.
func TestPublishContainerError(t *testing.T) {
	t.Parallel()
	a := pubAdapter()
	s := replay.New(t, map[string]replay.Answer{
		createKey: {File: "pub_container.json"},
		statusKey: {File: "pub_status_error.json"},
	})
	_, err := a.Publish(context.Background(), endpoint(s), poolPost())
	replay.Kind(t, err, civic.PlatformMalformed)
	replay.Contains(t, err, "could not take", "2207052")
	received(t, s.Received(), createKey, statusKey)
	if _, ok := a.made.Get(ig+" "+pubKey, pubNow); ok {
		t.Error("a container in ERROR is remembered")
	}
}

// The post went out but reading it back failed: it is answered with what
// was sent, not as a failure (which would make the service try again).
func TestPublishReadBackFails(t *testing.T) {
	t.Parallel()
	s := replay.New(t, map[string]replay.Answer{
		createKey:  {File: "pub_container.json"},
		statusKey:  {File: "pub_status_finished.json"},
		publishKey: {File: "pub_published.json"},
		mediaKey:   {Status: 500, Body: "<html>oops</html>"},
	})
	p, err := pubAdapter().Publish(context.Background(), endpoint(s), poolPost())
	if err != nil || p.ID != mediaID || p.URL != "" || p.Text != poolText || !p.CreatedAt.Equal(pubNow) {
		t.Fatalf("published %+v, %v", p, err)
	}
}

// The 25-posts-a-day limit: media_publish refuses, nothing is posted and
// the error says why.
func TestPublishDailyLimit(t *testing.T) {
	t.Parallel()
	s := replay.New(t, map[string]replay.Answer{
		createKey:  {File: "pub_container.json"},
		statusKey:  {File: "pub_status_finished.json"},
		publishKey: {Status: 400, File: "pub_limit.json"},
	})
	p, err := pubAdapter().Publish(context.Background(), endpoint(s), poolPost())
	if p != nil {
		t.Fatalf("published %+v", p)
	}
	// A rate limit (it passes), in Instagram's words to the user.
	pe := replay.Kind(t, err, civic.PlatformRateLimited)
	if pe.RetryAfter <= 0 {
		t.Errorf("retry after %v", pe.RetryAfter)
	}
	replay.Contains(t, err, "maximum number of posts")
	if n := count(s.Received(), publishKey); n != 1 {
		t.Errorf("media_publish called %d times", n)
	}
	if s.Got(mediaKey) {
		t.Error("a post was read after a refusal")
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
		{"rate limit", replay.Answer{Status: 400, File: "throttled.json"}, civic.PlatformRateLimited, "request limit"},
		{"taken for spam", replay.Answer{Status: 400, Body: `{"error":{"message":"Application request limit reached","type":"OAuthException","code":4,"error_subcode":2207051,"is_transient":false,"error_user_msg":"We restrict certain activity to protect our community.","fbtrace_id":"X"}}`}, civic.PlatformMalformed, "refused as suspected spam: We restrict certain activity"},
		{"code 9 without the subcode", replay.Answer{Status: 400, Body: `{"error":{"message":"Something else","type":"OAuthException","code":9,"fbtrace_id":"X"}}`}, civic.PlatformMalformed, "Something else"},
		{"expired token", replay.Answer{Status: 400, File: "expired.json"}, civic.PlatformAuth, "Session has expired"},
		{"invalid parameter", replay.Answer{Status: 400, Body: `{"error":{"message":"Only photo or video can be accepted as media type.","type":"OAuthException","code":100,"fbtrace_id":"X"}}`}, civic.PlatformMalformed, "invalid parameter"},
		{"html error page", replay.Answer{Status: 503, Header: map[string]string{"Content-Type": "text/html"}, Body: "<html>Service Unavailable</html>"}, civic.PlatformUnavailable, "Service Unavailable"},
		{"truncated json", replay.Answer{Body: `{"id": "1788`}, civic.PlatformMalformed, "not the JSON"},
		{"forged id", replay.Answer{Body: `{"id": "` + ig + `/media_publish"}`}, civic.PlatformMalformed, "container"},
		{"no id", replay.Answer{Body: `{}`}, civic.PlatformMalformed, "the API answered the container with the id \"\""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a := pubAdapter()
			s := replay.New(t, map[string]replay.Answer{createKey: tc.answer})
			p, err := a.Publish(context.Background(), endpoint(s), poolPost())
			if p != nil {
				t.Errorf("published %+v", p)
			}
			replay.Kind(t, err, tc.kind)
			replay.Contains(t, err, tc.says)
			received(t, s.Received(), createKey)
			if _, ok := a.made.Get(ig+" "+pubKey, pubNow); ok {
				t.Error("a container that was not made is remembered")
			}
		})
	}
	// A carousel child without an id: the carousel is not made.
	s := replay.New(t, map[string]replay.Answer{createKey: {Body: `{"id": null}`}})
	post := poolPost()
	post.Media = []civic.OutgoingMedia{jpeg(1), jpeg(2)}
	_, err := pubAdapter().Publish(context.Background(), endpoint(s), post)
	replay.Kind(t, err, civic.PlatformMalformed)
	replay.Contains(t, err, "image 1")
	received(t, s.Received(), createKey)
	// A status without its status_code.
	s2 := replay.New(t, map[string]replay.Answer{createKey: {File: "pub_container.json"}, statusKey: {Body: `{"id": "` + containerID + `"}`}})
	_, err = pubAdapter().Publish(context.Background(), endpoint(s2), poolPost())
	replay.Kind(t, err, civic.PlatformMalformed)
	replay.Contains(t, err, "status_code")
	if s2.Got(publishKey) {
		t.Error("published without a status")
	}
}

// A correction is a comment by the account on its post; the post's
// comments are read first (every page) for one already made.
func TestPublishCorrectionComment(t *testing.T) {
	t.Parallel()
	s := replay.New(t, map[string]replay.Answer{
		commentsKey:                    {File: "pub_comments.json"},
		commentsKey + " after=QVFIUmB": {File: "empty.json"},
		commentKey:                     {File: "pub_comment.json"},
		mediaKey:                       {File: "pub_media.json"},
	}, "after")
	p, err := pubAdapter().Publish(context.Background(), endpoint(s), civic.OutgoingPost{Text: fixText, IdempotencyKey: pubKey, InReplyTo: mediaID})
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != "17858893269000042" || p.URL != "https://www.instagram.com/p/DPool123/" || p.Text != fixText || !p.CreatedAt.Equal(pubNow) {
		t.Errorf("comment %+v", p)
	}
	received(t, s.Received(), commentsKey, commentsKey+" after=QVFIUmB", commentKey, mediaKey)
	if f := form(t, s, 2); !equalForms(f, url.Values{"message": {fixText}}) {
		t.Errorf("comment form %v", f)
	}
}

// The retry of a correction whose answer was lost finds the account's
// comment made since the key's time (not a resident's with the same text,
// nor the account's older one) and comments nothing.
func TestPublishCorrectionCommentFound(t *testing.T) {
	t.Parallel()
	s := replay.New(t, map[string]replay.Answer{
		commentsKey:                    {File: "pub_comments.json"},
		commentsKey + " after=QVFIUmB": {File: "pub_comments_2.json"},
		mediaKey:                       {File: "pub_media.json"},
	}, "after")
	p, err := pubAdapter().Publish(context.Background(), endpoint(s), civic.OutgoingPost{Text: fixText, IdempotencyKey: pubKey, InReplyTo: mediaID})
	if err != nil || p.ID != "17858893269000042" || p.URL != "https://www.instagram.com/p/DPool123/" || !p.CreatedAt.Equal(pubNow.Add(30*time.Second)) {
		t.Fatalf("found %+v, %v", p, err)
	}
	if s.Got(commentKey) {
		t.Error("the comment was made again")
	}
	received(t, s.Received(), commentsKey, commentsKey+" after=QVFIUmB", mediaKey)
}

// A comment answered without an id is a clear error.
func TestPublishCommentMalformed(t *testing.T) {
	t.Parallel()
	s := replay.New(t, map[string]replay.Answer{commentKey: {Body: `{"success": true}`}})
	_, err := pubAdapter().Publish(context.Background(), endpoint(s), civic.OutgoingPost{Text: fixText, InReplyTo: mediaID})
	replay.Kind(t, err, civic.PlatformMalformed)
	replay.Contains(t, err, "comment")
	// Without a key's time there is nothing to look for first.
	received(t, s.Received(), commentKey)
}

func TestRecentMedia(t *testing.T) {
	t.Parallel()
	s := replay.New(t, map[string]replay.Answer{listKey: {File: "pub_media_list.json"}})
	ps, err := pubAdapter().Recent(context.Background(), endpoint(s), 40)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range ps {
		ids = append(ids, p.ID)
	}
	if !slices.Equal(ids, []string{mediaID, "18050206876707180", "18050206876707150"}) {
		t.Fatalf("ids %v", ids)
	}
	if ps[0].URL != "https://www.instagram.com/p/DPool123/" || !strings.HasPrefix(ps[0].Text, "Pool hours") || !ps[0].CreatedAt.Equal(pubNow.Add(4*time.Second)) {
		t.Errorf("first %+v", ps[0])
	}
	if ps, err := pubAdapter().Recent(context.Background(), endpoint(s), 2); err != nil || len(ps) != 2 || ps[1].ID != "18050206876707180" {
		t.Errorf("limit 2: %+v, %v", ps, err)
	}
	s2 := replay.New(t, map[string]replay.Answer{listKey: {Body: `{"data":[{"id":"x/../1","caption":"forged"}]}`}})
	_, err = pubAdapter().Recent(context.Background(), endpoint(s2), 10)
	replay.Kind(t, err, civic.PlatformMalformed)
	replay.Contains(t, err, "media data[0]")
}

// Instagram has no edit or delete of a post through the API: corrections
// are comments, and the adapter claims neither.
func TestPublisherInterfaces(t *testing.T) {
	var p civic.Platform = pubAdapter()
	if _, ok := p.(civic.PostEditor); ok {
		t.Error("the adapter claims to edit posts")
	}
	if _, ok := p.(civic.PostDeleter); ok {
		t.Error("the adapter claims to delete posts")
	}
	_, isPub := p.(civic.Publisher)
	u, isURL := p.(civic.URLMediaPublisher)
	if !isPub || !isURL || !p.Capabilities().Has(civic.CapPublish) {
		t.Fatalf("publisher %v, url media %v, caps %v", isPub, isURL, p.Capabilities())
	}
	if u.MediaLimit("image") != 8<<20 || u.MediaLimit("video") != 0 || u.MediaLimit("gif") != 0 || u.MediaLimit("audio") != 0 {
		t.Error("media limits")
	}
	if !u.MediaTypeOK("image/jpeg") || u.MediaTypeOK("image/png") || u.MediaTypeOK("video/mp4") || u.MediaTypeOK("") {
		t.Error("media types")
	}
}
