// Package bluesky is Steward's adapter for Bluesky (the AT Protocol),
// written as a thin XRPC client: the account's posts from its own repo
// (com.atproto.repo.listRecords), each thread's replies
// (app.bsky.feed.getPostThread), hide and unhide through the post's
// threadgate hiddenReplies, the profile, the accounts followed, and the
// account's block records and mutes (read only).
package bluesky

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/platform"
)

// DefaultBase is the account's PDS when an Endpoint names none; the PDS
// proxies app.bsky.* calls to the Bluesky AppView.
const DefaultBase = "https://bsky.social"

// Name is the network's name in Steward.
const Name = "bluesky"

// Adapter is the Bluesky adapter.
type Adapter struct {
	c   *platform.Client
	now func() time.Time
}

// New returns the adapter.
func New(cfg platform.Config) *Adapter {
	a := &Adapter{c: cfg.Client("bluesky"), now: cfg.Now}
	if a.now == nil {
		a.now = time.Now
	}
	a.c.Classify = a.classify
	return a
}

// Client is the adapter's HTTP client (its transport is the guard).
func (a *Adapter) Client() *platform.Client { return a.c }

// Name implements civic.Platform.
func (a *Adapter) Name() string { return Name }

// Capabilities implements civic.Platform. Bluesky has no delete of
// others' replies and no hold; a reply is hidden by listing it in the
// root post's threadgate. Deletions show as absence from a thread. It
// publishes (publish.go), but posts cannot be edited: a correction is a
// reply in the post's thread.
func (a *Adapter) Capabilities() civic.Capabilities {
	return civic.Capabilities{civic.CapListPosts, civic.CapListComments, civic.CapDeletions, civic.CapHide,
		civic.CapPublish, civic.CapReadProfile, civic.CapReadFollows, civic.CapReadBlocks}
}

func (a *Adapter) xrpc(ep *civic.Endpoint, nsid string) string {
	b := DefaultBase
	if ep.BaseURL != "" {
		b = strings.TrimRight(ep.BaseURL, "/")
	}
	return b + "/xrpc/" + nsid
}

func (a *Adapter) get(ctx context.Context, ep *civic.Endpoint, nsid string, q url.Values, out any) (*platform.Response, error) {
	return a.c.GetJSON(ctx, platform.Request{URL: a.xrpc(ep, nsid), Query: q, Token: ep.Token.AccessToken}, out)
}

// repo is the account's DID (the Endpoint's remote id) or its handle.
func repo(ep *civic.Endpoint) string {
	if ep.RemoteID != "" {
		return ep.RemoteID
	}
	return ep.Handle
}

type record struct {
	URI   string          `json:"uri"`
	CID   string          `json:"cid"`
	Value json.RawMessage `json:"value"`
}

type postRecord struct {
	Type      string `json:"$type"`
	Text      string `json:"text"`
	CreatedAt string `json:"createdAt"`
	Reply     *struct {
		Root struct {
			URI string `json:"uri"`
		} `json:"root"`
		Parent struct {
			URI string `json:"uri"`
		} `json:"parent"`
	} `json:"reply"`
	Embed json.RawMessage `json:"embed"`
}

// Poll implements civic.Platform: one page of the account's post records
// and, for each post that starts a thread, its replies. listRecords lists
// every record of the repo by record key, newest first; a post's key is a
// TID, made from the time it was created, so the page is contiguous: its
// span runs from its oldest post up to where the page before stopped,
// carried in the cursor ("cursor|time"; a bare cursor, as stored before,
// claims no span), and the last page reaches back to the first post.
// A post whose createdAt is far from its key's time (imported, backdated)
// does not bound the span: it is listed out of its createdAt's order.
func (a *Adapter) Poll(ctx context.Context, ep *civic.Endpoint, cursor string) (*civic.Page, error) {
	q := url.Values{"repo": {repo(ep)}, "collection": {"app.bsky.feed.post"}, "limit": {"50"}}
	token, to, hasTo := platform.SplitSpanCursor(cursor)
	if token != "" {
		q.Set("cursor", token)
	}
	var l struct {
		Cursor  string   `json:"cursor"`
		Records []record `json:"records"`
	}
	if _, err := a.get(ctx, ep, "com.atproto.repo.listRecords", q, &l); err != nil {
		return nil, err
	}
	page := &civic.Page{}
	more := l.Cursor != "" && len(l.Records) > 0
	ls := platform.Listing{First: cursor == "", To: to, HasTo: hasTo, More: more, Whole: true}
	for i, r := range l.Records {
		root, err := observeRecord(r, ep)
		if err != nil {
			return nil, malformed(fmt.Sprintf("listRecords records[%d]", i), err)
		}
		if inOrder(r.URI, root.PlatformTime) {
			ls.Times = append(ls.Times, root.PlatformTime)
		}
		th := civic.Thread{Root: root}
		if root.Kind == civic.ItemPost {
			if th, err = a.thread(ctx, ep, root); err != nil {
				return nil, err
			}
		}
		page.Threads = append(page.Threads, th)
	}
	if len(l.Records) > 0 && len(ls.Times) == 0 {
		ls.Times = []*time.Time{nil} // nothing on the page bounds it: claim no span
	}
	var next time.Time
	page.Span, next = ls.Span()
	if more {
		page.Next = platform.SpanCursor(l.Cursor, next)
	}
	return page, nil
}

// tidSkew is how far a post's createdAt may be from its key's time and
// still bound a span (clients set both, from their own clocks).
const tidSkew = 10 * time.Minute

// inOrder reports whether a post's createdAt agrees with the time in its
// record key (a TID), so that it sits in listRecords' order by time.
func inOrder(uri string, created *time.Time) bool {
	_, rkey, ok := splitURI(uri)
	if !ok || created == nil {
		return false
	}
	t, ok := tidTime(rkey)
	if !ok {
		return false
	}
	d := created.Sub(t)
	return d <= tidSkew && d >= -tidSkew
}

// tidTime reads the creation time in a TID record key: 13 characters of
// base32-sortable, 64 bits whose top bit is 0, then 53 bits of
// microseconds since 1970 and 10 bits of clock id.
func tidTime(rkey string) (time.Time, bool) {
	const alphabet = "234567abcdefghijklmnopqrstuvwxyz"
	if len(rkey) != 13 || strings.IndexByte(alphabet, rkey[0]) >= 8 {
		return time.Time{}, false // 65 bits of base32: the first two must be 0
	}
	var v uint64
	for _, c := range rkey {
		i := strings.IndexRune(alphabet, c)
		if i < 0 {
			return time.Time{}, false
		}
		v = v<<5 | uint64(i)
	}
	if v>>63 != 0 {
		return time.Time{}, false
	}
	return time.UnixMicro(int64(v >> 10)).UTC(), true
}

// Lookup implements civic.Lookuper: com.atproto.repo.getRecord of the
// post in the account's repo. A deleted record answers 400 with the error
// RecordNotFound: a not_found PlatformError.
func (a *Adapter) Lookup(ctx context.Context, ep *civic.Endpoint, uri string) (*civic.Observation, error) {
	did, rkey, ok := splitURI(uri)
	if !ok {
		return nil, &civic.PlatformError{Platform: "bluesky", Kind: civic.PlatformMalformed, Message: fmt.Sprintf("%q is not the at:// URI of a record", uri)}
	}
	var r record
	if _, err := a.get(ctx, ep, "com.atproto.repo.getRecord", url.Values{"repo": {did}, "collection": {"app.bsky.feed.post"}, "rkey": {rkey}}, &r); err != nil {
		return nil, err
	}
	o, err := observeRecord(r, ep)
	if err != nil {
		return nil, malformed("getRecord of "+uri, err)
	}
	return &o, nil
}

func observeRecord(r record, ep *civic.Endpoint) (civic.Observation, error) {
	var p postRecord
	if err := json.Unmarshal(r.Value, &p); err != nil {
		return civic.Observation{}, fmt.Errorf("value: %w", err)
	}
	if r.URI == "" {
		return civic.Observation{}, fmt.Errorf("uri is missing")
	}
	o := civic.Observation{PlatformID: r.URI, Kind: civic.ItemPost, ThreadID: r.URI, Text: p.Text, State: civic.StateVisible,
		Author: civic.Author{ID: ep.RemoteID, Handle: ep.Handle}, PlatformTime: parseTime(p.CreatedAt), Raw: append([]byte(nil), r.Value...)}
	if p.Reply != nil {
		// The account's own reply in a thread: kept with its parent.
		o.Kind, o.ParentID, o.ThreadID = civic.ItemReply, p.Reply.Parent.URI, p.Reply.Root.URI
	}
	return o, nil
}

func parseTime(s string) *time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return nil
	}
	t = t.UTC()
	return &t
}

func malformed(where string, err error) error {
	return &civic.PlatformError{Platform: "bluesky", Kind: civic.PlatformMalformed, Message: "the answer is not the JSON the lexicon documents at " + where, Err: err}
}

// classify reads XRPC error bodies ({"error": "ExpiredToken", ...}) and
// the ratelimit-reset header (Unix seconds).
func (a *Adapter) classify(status int, h http.Header, body []byte) *civic.PlatformError {
	var e struct {
		Error   string `json:"error"`
		Message string `json:"message"`
	}
	_ = json.Unmarshal(body, &e)
	switch {
	case status == http.StatusTooManyRequests || e.Error == "RateLimitExceeded":
		pe := &civic.PlatformError{Kind: civic.PlatformRateLimited, Message: e.Message, RetryAfter: time.Minute}
		if n, err := strconv.ParseInt(h.Get("Ratelimit-Reset"), 10, 64); err == nil {
			pe.RetryAfter = max(time.Unix(n, 0).Sub(a.now()), 0)
		}
		return pe
	case e.Error == "ExpiredToken" || e.Error == "InvalidToken" || e.Error == "AuthenticationRequired" || e.Error == "AccountTakedown":
		return &civic.PlatformError{Kind: civic.PlatformAuth, Message: e.Error + ": " + e.Message}
	case e.Error == "NotFound" || e.Error == "RecordNotFound" || e.Error == "RepoNotFound":
		return &civic.PlatformError{Kind: civic.PlatformNotFound, Message: e.Error + ": " + e.Message}
	}
	return nil
}
