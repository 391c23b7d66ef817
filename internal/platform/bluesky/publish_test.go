package bluesky

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/platform"
	"steward.city/steward/internal/platform/replay"
)

// The key and the record key it gives (testdata holds the second).
const (
	pubKey  = "steward-5f0c2a9e4b7d1c3a8e6f0b2d4c6a8e0f"
	pubRkey = "steward-pered3fusu3ikdvgickipzzudw"
	pubURI  = "at://did:plc:springfield/app.bsky.feed.post/" + pubRkey
)

var pubCursors = []string{"collection", "rkey", "uris"}

const (
	createKey = "POST /xrpc/com.atproto.repo.createRecord collection=app.bsky.feed.post rkey=" + pubRkey
	getKey    = "GET /xrpc/com.atproto.repo.getRecord collection=app.bsky.feed.post rkey=" + pubRkey
)

// sent is a createRecord body as the PDS reads it.
type sent struct {
	Repo, Collection, Rkey string
	Record                 struct {
		Type      string `json:"$type"`
		Text      string `json:"text"`
		CreatedAt string `json:"createdAt"`
		Facets    []struct {
			Index    struct{ ByteStart, ByteEnd int }
			Features []map[string]string
		}
		Reply *struct{ Root, Parent strongRef }
		Langs []string
	}
}

func lastBody(t *testing.T, s *replay.Server, v any) {
	t.Helper()
	b := s.Bodies()
	if err := json.Unmarshal([]byte(b[len(b)-1]), v); err != nil {
		t.Fatalf("body %q: %v", b[len(b)-1], err)
	}
}

func TestPublishLinkFacet(t *testing.T) {
	s := replay.New(t, map[string]replay.Answer{createKey: {File: "created.json"}}, pubCursors...)
	// "Café" is 5 bytes and "…" 3: the link starts at byte 16, rune 13.
	text := "Café … hours https://www.rosemount.mn.gov/parks?x=1. Thanks!"
	p, err := adapter().Publish(context.Background(), endpoint(s), civic.OutgoingPost{Text: text, Language: "es", IdempotencyKey: pubKey})
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != pubURI || p.URL != "https://bsky.app/profile/springfield.gov/post/"+pubRkey || p.Text != text ||
		!p.CreatedAt.Equal(time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)) {
		t.Errorf("published %+v", p)
	}
	var b sent
	lastBody(t, s, &b)
	if b.Repo != "did:plc:springfield" || b.Collection != "app.bsky.feed.post" || b.Rkey != pubRkey || b.Record.Type != "app.bsky.feed.post" ||
		b.Record.Text != text || b.Record.CreatedAt != "2026-03-02T12:00:00.000Z" || b.Record.Reply != nil || fmt.Sprint(b.Record.Langs) != "[es]" {
		t.Errorf("createRecord body %+v", b)
	}
	if len(b.Record.Facets) != 1 {
		t.Fatalf("facets %+v", b.Record.Facets)
	}
	f := b.Record.Facets[0]
	const link = "https://www.rosemount.mn.gov/parks?x=1"
	if f.Index.ByteStart != 16 || f.Index.ByteEnd != 16+len(link) || text[f.Index.ByteStart:f.Index.ByteEnd] != link {
		t.Errorf("facet at bytes %d-%d, want 16-%d (%q)", f.Index.ByteStart, f.Index.ByteEnd, 16+len(link), link)
	}
	if len(f.Features) != 1 || f.Features[0]["$type"] != "app.bsky.richtext.facet#link" || f.Features[0]["uri"] != link {
		t.Errorf("features %+v", f.Features)
	}
}

func TestLinkFacets(t *testing.T) {
	for text, want := range map[string][]string{
		"no link here": nil,
		"(see https://a.example/x_(1)) and http://b.example.": {"https://a.example/x_(1)", "http://b.example"},
		"(https://c.example/a), [https://d.example/b]!":       {"https://c.example/a", "https://d.example/b"},
		"https:// alone, https://?q":                          nil,
		"émoji 🎉https://c.example/🎉 end":                      {"https://c.example/🎉"},
	} {
		var got []string
		for _, f := range linkFacets(text) {
			if f.Features[0]["uri"] != text[f.Index.ByteStart:f.Index.ByteEnd] {
				t.Errorf("%q: facet %d-%d does not hold its uri %q", text, f.Index.ByteStart, f.Index.ByteEnd, f.Features[0]["uri"])
			}
			got = append(got, f.Features[0]["uri"])
		}
		if !slices.Equal(got, want) {
			t.Errorf("%q: links %q, want %q", text, got, want)
		}
	}
}

func TestPublishMendsText(t *testing.T) {
	// A byte that is not UTF-8 becomes U+FFFD (3 bytes) in JSON: the
	// facet is counted on the mended text, so it still holds the link.
	s := replay.New(t, map[string]replay.Answer{createKey: {File: "created.json"}}, pubCursors...)
	if _, err := adapter().Publish(context.Background(), endpoint(s), civic.OutgoingPost{Text: "caf\xe9 https://e.example/x", IdempotencyKey: pubKey}); err != nil {
		t.Fatal(err)
	}
	var b sent
	lastBody(t, s, &b)
	if len(b.Record.Facets) != 1 {
		t.Fatalf("facets %+v", b.Record.Facets)
	}
	f := b.Record.Facets[0].Index
	if b.Record.Text != "caf\uFFFD https://e.example/x" || b.Record.Text[f.ByteStart:f.ByteEnd] != "https://e.example/x" {
		t.Errorf("text %q, facet %d-%d", b.Record.Text, f.ByteStart, f.ByteEnd)
	}
}

func TestPublishRetryReturnsFirstPost(t *testing.T) {
	// The first call went through but its answer was lost; the second
	// names the same record, which the PDS refuses: the post is the one
	// already there, and nothing is posted twice.
	s := replay.New(t, map[string]replay.Answer{
		createKey: {Status: 400, File: "create_taken.json"},
		getKey:    {File: "record_steward.json"},
	}, pubCursors...)
	p, err := adapter().Publish(context.Background(), endpoint(s), civic.OutgoingPost{Text: "Café hours change Monday: https://www.rosemount.mn.gov/parks.", IdempotencyKey: pubKey})
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != pubURI || !p.CreatedAt.Equal(time.Date(2026, 3, 2, 11, 58, 0, 0, time.UTC)) || !strings.HasPrefix(p.Text, "Café hours") {
		t.Errorf("retry gave %+v, want the first post", p)
	}
	if got := s.Received(); len(got) != 2 || got[0] != createKey || got[1] != getKey {
		t.Errorf("requests %v", got)
	}
	if rkeyOf(pubKey) != pubRkey || rkeyOf(pubKey+"x") == pubRkey {
		t.Errorf("record key of the key: %s", rkeyOf(pubKey))
	}
}

func TestPublishFailureNotSwallowed(t *testing.T) {
	// The PDS failed and did not take the record: its error is the answer.
	s := replay.New(t, map[string]replay.Answer{
		createKey: {Status: 502, Body: `{"error": "UpstreamFailure"}`},
		getKey:    {Status: 400, File: "record_gone.json"},
	}, pubCursors...)
	_, err := adapter().Publish(context.Background(), endpoint(s), civic.OutgoingPost{Text: "hello", IdempotencyKey: pubKey})
	replay.Kind(t, err, civic.PlatformUnavailable)
	// Without a key there is no record to look for.
	s = replay.New(t, map[string]replay.Answer{
		"POST /xrpc/com.atproto.repo.createRecord collection=app.bsky.feed.post": {Status: 400, File: "create_taken.json"},
	}, pubCursors...)
	_, err = adapter().Publish(context.Background(), endpoint(s), civic.OutgoingPost{Text: "hello"})
	replay.Kind(t, err, civic.PlatformMalformed)
	if len(s.Received()) != 1 {
		t.Errorf("requests %v", s.Received())
	}
}

func TestPublishCorrectionReply(t *testing.T) {
	for _, tt := range []struct {
		name, parent, file string
		root, parentRef    strongRef
	}{
		// Replying to the account's own post: it is the thread's root.
		{"to a root post", post1, "posts_own.json", strongRef{post1, "bafyreia1"}, strongRef{post1, "bafyreia1"}},
		// Replying to a reply: the root comes from the reply's record.
		{"to a reply", ana, "posts_reply.json", strongRef{post1, "bafyreia1"}, strongRef{ana, "bafyreib1"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := replay.New(t, map[string]replay.Answer{
				"GET /xrpc/app.bsky.feed.getPosts uris=" + tt.parent: {File: tt.file},
				createKey: {File: "created.json"},
			}, pubCursors...)
			p, err := adapter().Publish(context.Background(), endpoint(s), civic.OutgoingPost{Text: "Correction: Farmers market opens May 2.", IdempotencyKey: pubKey, InReplyTo: tt.parent})
			if err != nil || p.ID != pubURI {
				t.Fatalf("reply %+v %v", p, err)
			}
			var b sent
			lastBody(t, s, &b)
			if r := b.Record.Reply; r == nil || r.Root != tt.root || r.Parent != tt.parentRef {
				t.Errorf("reply refs %+v", b.Record.Reply)
			}
		})
	}
	// A post that is gone cannot be replied to; nothing is created.
	s := replay.New(t, map[string]replay.Answer{"GET /xrpc/app.bsky.feed.getPosts uris=" + post3: {Body: `{"posts": []}`}}, pubCursors...)
	_, err := adapter().Publish(context.Background(), endpoint(s), civic.OutgoingPost{Text: "Correction", IdempotencyKey: pubKey, InReplyTo: post3})
	replay.Kind(t, err, civic.PlatformNotFound)
	// A parent answered without its cid cannot make a strong reference.
	s = replay.New(t, map[string]replay.Answer{"GET /xrpc/app.bsky.feed.getPosts uris=" + post1: {Body: `{"posts": [{"uri": "` + post1 + `"}]}`}}, pubCursors...)
	_, err = adapter().Publish(context.Background(), endpoint(s), civic.OutgoingPost{Text: "Correction", IdempotencyKey: pubKey, InReplyTo: post1})
	replay.Kind(t, err, civic.PlatformMalformed)
	if s.Got(createKey) {
		t.Error("a reply without a strong reference was created")
	}
}

func TestDeletePost(t *testing.T) {
	s := replay.New(t, map[string]replay.Answer{
		getKey: {File: "record_steward.json"},
		"POST /xrpc/com.atproto.repo.deleteRecord collection=app.bsky.feed.post rkey=" + pubRkey: {File: "deleted.json"},
	}, pubCursors...)
	a, ctx := adapter(), context.Background()
	if err := a.DeletePost(ctx, endpoint(s), pubURI); err != nil {
		t.Fatal(err)
	}
	var b struct{ Repo, Collection, Rkey string }
	lastBody(t, s, &b)
	if b.Repo != "did:plc:springfield" || b.Collection != "app.bsky.feed.post" || b.Rkey != pubRkey {
		t.Errorf("deleteRecord body %+v", b)
	}
	// A post already gone: not_found, and no delete is sent.
	s = replay.New(t, map[string]replay.Answer{
		"GET /xrpc/com.atproto.repo.getRecord collection=app.bsky.feed.post rkey=3mfzjp6sg222c": {Status: 400, File: "record_gone.json"},
	}, pubCursors...)
	err := a.DeletePost(ctx, endpoint(s), "at://did:plc:springfield/app.bsky.feed.post/3mfzjp6sg222c")
	replay.Kind(t, err, civic.PlatformNotFound)
	// Someone else's post, another collection, or no URI at all: refused
	// before any request.
	for _, id := range []string{ana, "at://did:plc:springfield/app.bsky.feed.threadgate/3lbqnkwzmzc2x", "3lbqnkwzmzc2x", ""} {
		if err := a.DeletePost(ctx, endpoint(s), id); civic.ErrorKind(err) != civic.KindInvalid {
			t.Errorf("delete %q: %v, want invalid", id, err)
		}
	}
	if len(s.Received()) != 1 {
		t.Errorf("requests %v", s.Received())
	}
}

func TestPublishErrors(t *testing.T) {
	reset := time.Date(2026, 3, 2, 12, 5, 0, 0, time.UTC).Unix()
	huge := `{"uri": "` + strings.Repeat("a", platform.MaxResponse) + `"}`
	for _, tt := range []struct {
		name   string
		answer replay.Answer
		kind   civic.PlatformErrorKind
	}{
		{"rate limit", replay.Answer{Status: 429, File: "ratelimit.json", Header: map[string]string{"RateLimit-Reset": itoa(reset)}}, civic.PlatformRateLimited},
		{"expired token", replay.Answer{Status: 401, File: "expired.json"}, civic.PlatformAuth},
		{"not json", replay.Answer{Body: `<html>bad gateway</html>`}, civic.PlatformMalformed},
		{"uri of the wrong type", replay.Answer{Body: `{"uri": 5, "cid": ["x"]}`}, civic.PlatformMalformed},
		{"no uri", replay.Answer{Body: `{"cid": "bafy"}`}, civic.PlatformMalformed},
		{"another record", replay.Answer{Body: `{"uri": "at://did:plc:springfield/app.bsky.feed.post/3lbqnkwzmzc2x", "cid": "bafy"}`}, civic.PlatformMalformed},
		{"huge", replay.Answer{Body: huge}, civic.PlatformMalformed},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// An answer too large to read may hide a record that was
			// made: it is looked for, and is not there.
			s := replay.New(t, map[string]replay.Answer{createKey: tt.answer, getKey: {Status: 400, File: "record_gone.json"}}, pubCursors...)
			p, err := adapter().Publish(context.Background(), endpoint(s), civic.OutgoingPost{Text: "hello", IdempotencyKey: pubKey})
			pe := replay.Kind(t, err, tt.kind)
			if p != nil {
				t.Errorf("a post with the error: %+v", p)
			}
			if tt.kind == civic.PlatformRateLimited && pe.RetryAfter != 5*time.Minute {
				t.Errorf("retry after %v, want 5m from RateLimit-Reset", pe.RetryAfter)
			}
			// A refusal that is not about the record is not looked up.
			if tt.name != "huge" && len(s.Received()) != 1 {
				t.Errorf("requests %v", s.Received())
			}
		})
	}
}

func TestRecent(t *testing.T) {
	s := replay.New(t, map[string]replay.Answer{"GET /xrpc/app.bsky.feed.getAuthorFeed actor=did:plc:springfield": {File: "author_feed.json"}}, "actor")
	ps, err := adapter().Recent(context.Background(), endpoint(s), 500)
	if err != nil {
		t.Fatal(err)
	}
	// The repost of someone else's post is not the account's post.
	if len(ps) != 2 || ps[0].ID != pubURI || ps[0].Text != "Correction: Farmers market opens May 2." || ps[1].ID != post1 ||
		!ps[0].CreatedAt.Equal(time.Date(2026, 3, 2, 11, 58, 0, 0, time.UTC)) || ps[1].URL != "https://bsky.app/profile/springfield.gov/post/3lbqnkwzmzc2x" {
		t.Errorf("recent %+v", ps)
	}
	s = replay.New(t, map[string]replay.Answer{"GET /xrpc/app.bsky.feed.getAuthorFeed actor=did:plc:springfield": {Body: `{"feed": [{"post": {"uri": "nope"}}]}`}}, "actor")
	_, err = adapter().Recent(context.Background(), endpoint(s), 10)
	replay.Contains(t, err, "feed[0]")
	replay.Kind(t, err, civic.PlatformMalformed)
	s = replay.New(t, map[string]replay.Answer{"GET /xrpc/app.bsky.feed.getAuthorFeed actor=did:plc:springfield": {Body: `{"feed": {"post": 1}}`}}, "actor")
	_, err = adapter().Recent(context.Background(), endpoint(s), 10)
	replay.Kind(t, err, civic.PlatformMalformed)
}

var (
	_ civic.Publisher   = (*Adapter)(nil)
	_ civic.PostDeleter = (*Adapter)(nil)
)

func TestNoEdit(t *testing.T) {
	// Bluesky posts cannot be edited: publishing makes corrections replies.
	if _, ok := any(adapter()).(civic.PostEditor); ok {
		t.Error("the Bluesky adapter claims to edit posts")
	}
	if !adapter().Capabilities().Has(civic.CapPublish) {
		t.Error("publish is not declared")
	}
}

func TestRecordKeyFromKey(t *testing.T) {
	valid := regexp.MustCompile(`^[a-zA-Z0-9._:~-]{1,512}$`)
	intent := time.Date(2026, 3, 2, 11, 58, 0, 0, time.UTC)
	key := "steward-" + strconv.FormatInt(intent.UnixMicro(), 10) + "-0a1b2c3d"
	r := rkeyOf(key)
	if at, ok := tidTime(r); !ok || !at.Equal(intent) || rkeyOf(key) != r {
		t.Fatalf("record key %q of %q: a TID of %v, %v", r, key, at, ok)
	}
	if other := rkeyOf("steward-" + strconv.FormatInt(intent.UnixMicro(), 10) + "-ffee"); other == r {
		t.Errorf("two keys of the same microsecond give one record key %s", r)
	}
	// A post made a little after its intent sorts by time in listRecords.
	if !inOrder("at://did:plc:springfield/app.bsky.feed.post/"+r, &[]time.Time{intent.Add(3 * time.Second)}[0]) {
		t.Errorf("%s is not in order with its createdAt", r)
	}
	// Keys not made by Steward, or crafted, still give a valid record key
	// (never a TID read from garbage).
	for _, k := range []string{pubKey, "steward--x", "steward-99999999999999999999-x", "steward-12-", "steward--5-a", "x", "../../..", "ключ/🎉"} {
		r := rkeyOf(k)
		if !valid.MatchString(r) || r == "." || r == ".." || !strings.HasPrefix(r, "steward-") {
			t.Errorf("key %q gives record key %q", k, r)
		}
	}
}

func TestPublishTIDKey(t *testing.T) {
	key := "steward-1772452680000000-0a1b2c3d"
	r := rkeyOf(key)
	uri := "at://did:plc:springfield/app.bsky.feed.post/" + r
	s := replay.New(t, map[string]replay.Answer{
		"POST /xrpc/com.atproto.repo.createRecord collection=app.bsky.feed.post rkey=" + r: {Body: `{"uri": "` + uri + `", "cid": "bafyreipub2"}`},
	}, pubCursors...)
	p, err := adapter().Publish(context.Background(), endpoint(s), civic.OutgoingPost{Text: "Pool opens at 9.", IdempotencyKey: key})
	if err != nil || p.ID != uri {
		t.Fatalf("published %+v %v", p, err)
	}
}
