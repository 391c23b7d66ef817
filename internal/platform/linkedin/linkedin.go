// Package linkedin is Steward's adapter for LinkedIn organization pages
// through the Community Management API (versioned /rest endpoints, which
// LinkedIn grants to approved applications): the organization's posts,
// their comments and replies, and the page's profile. LinkedIn's API lets
// a page neither hide nor delete someone else's comment, and shows no
// follows or blocks of a page.
package linkedin

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

// Name is the platform's name.
const Name = "linkedin"

// DefaultBase is the API's production base URL.
const DefaultBase = "https://api.linkedin.com"

// TokenURL is LinkedIn's OAuth token endpoint; when an Endpoint has a base
// URL, the token endpoint is its /oauth/v2/accessToken.
const TokenURL = "https://www.linkedin.com/oauth/v2/accessToken"

// Version is the LinkedIn-Version header Steward is written against.
const Version = "202502"

// PageSize is how many posts one Poll asks for.
const PageSize = 20

// Adapter is the LinkedIn adapter.
type Adapter struct {
	c   *platform.Client
	now func() time.Time
}

// New returns the adapter.
func New(cfg platform.Config) *Adapter {
	a := &Adapter{c: cfg.Client("linkedin"), now: cfg.Now}
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

// Capabilities implements civic.Platform. The page posts, edits and
// deletes its own posts and comments as itself on them (Publish, Edit,
// DeletePost).
func (a *Adapter) Capabilities() civic.Capabilities {
	return civic.Capabilities{civic.CapListPosts, civic.CapListComments, civic.CapDeletions, civic.CapPublish, civic.CapReadProfile}
}

func base(ep *civic.Endpoint) string {
	if ep.BaseURL != "" {
		return strings.TrimRight(ep.BaseURL, "/")
	}
	return DefaultBase
}

var headers = http.Header{"Linkedin-Version": {Version}, "X-Restli-Protocol-Version": {"2.0.0"}}

type list struct {
	Paging struct {
		Start int  `json:"start"`
		Count int  `json:"count"`
		Total *int `json:"total"`
		Links []struct {
			Rel  string `json:"rel"`
			Href string `json:"href"`
		} `json:"links"`
	} `json:"paging"`
	Elements []json.RawMessage `json:"elements"`
}

// more reports whether another page follows.
func (l *list) more() bool {
	for _, k := range l.Paging.Links {
		if k.Rel == "next" {
			return true
		}
	}
	if l.Paging.Total != nil {
		return l.Paging.Start+len(l.Elements) < *l.Paging.Total
	}
	return false
}

func (a *Adapter) get(ctx context.Context, ep *civic.Endpoint, path string, q url.Values) (*list, error) {
	var l list
	if _, err := a.c.GetJSON(ctx, platform.Request{URL: base(ep) + path, Query: q, Token: ep.Token.AccessToken, Header: headers}, &l); err != nil {
		return nil, err
	}
	return &l, nil
}

// orgURN is the organization's URN from the Endpoint's remote id.
func orgURN(ep *civic.Endpoint) string {
	if strings.HasPrefix(ep.RemoteID, "urn:li:") {
		return ep.RemoteID
	}
	return "urn:li:organization:" + ep.RemoteID
}

type post struct {
	ID             string `json:"id"`
	Author         string `json:"author"`
	Commentary     string `json:"commentary"`
	CreatedAt      int64  `json:"createdAt"`
	PublishedAt    int64  `json:"publishedAt"`
	LastModifiedAt int64  `json:"lastModifiedAt"`
	LifecycleState string `json:"lifecycleState"`
}

// Poll implements civic.Platform. The cursor is the offset ("start") of
// the next page.
func (a *Adapter) Poll(ctx context.Context, ep *civic.Endpoint, cursor string) (*civic.Page, error) {
	start := 0
	if cursor != "" {
		n, err := strconv.Atoi(cursor)
		if err != nil || n < 0 {
			return nil, civic.Invalid("cursor", "the LinkedIn cursor must be an offset, not %q", cursor)
		}
		start = n
	}
	l, err := a.get(ctx, ep, "/rest/posts", url.Values{"q": {"author"}, "author": {orgURN(ep)}, "count": {strconv.Itoa(PageSize)}, "start": {strconv.Itoa(start)}, "sortBy": {"LAST_MODIFIED"}})
	if err != nil {
		return nil, err
	}
	page := &civic.Page{}
	if l.more() && len(l.Elements) > 0 {
		page.Next = strconv.Itoa(start + len(l.Elements))
	}
	for i, raw := range l.Elements {
		var p post
		if err := json.Unmarshal(raw, &p); err != nil || p.ID == "" {
			return nil, malformed(fmt.Sprintf("posts elements[%d]", i), err)
		}
		th := civic.Thread{Root: observePost(p, raw), Complete: true}
		if err := a.comments(ctx, ep, &th, p.ID, p.ID, 0); err != nil {
			if civic.PlatformErrorKindOf(err) != civic.PlatformNotFound {
				return nil, err
			}
			th.Complete = false
		}
		page.Threads = append(page.Threads, th)
	}
	return page, nil
}

// observePost is a post as capture records it: its commentary as the
// text a reader sees (plainLittle), as Steward archives what it publishes,
// with LinkedIn's escaped text beside it when it differs; edited when it
// was modified after it was published.
func observePost(p post, raw []byte) civic.Observation {
	o := civic.Observation{PlatformID: p.ID, Kind: civic.ItemPost, ThreadID: p.ID, Text: plainLittle(p.Commentary), State: civic.StateVisible,
		Author: civic.Author{ID: p.Author}, PlatformTime: millis(firstNonZero(p.PublishedAt, p.CreatedAt)), Raw: append([]byte(nil), raw...)}
	if o.Text != p.Commentary {
		o.PlatformText = p.Commentary
	}
	if p.LastModifiedAt > firstNonZero(p.PublishedAt, p.CreatedAt) {
		o.EditedAt = millis(p.LastModifiedAt)
	}
	return o
}

type comment struct {
	ID         string `json:"id"`
	CommentURN string `json:"commentUrn"`
	Actor      string `json:"actor"`
	Object     string `json:"object"`
	Message    struct {
		Text string `json:"text"`
	} `json:"message"`
	Created struct {
		Time int64 `json:"time"`
	} `json:"created"`
	LastModified struct {
		Time int64 `json:"time"`
	} `json:"lastModified"`
	ParentComment string `json:"parentComment"`
}

// comments reads the comments on target (a post or, one level down, a
// comment) through socialActions/{urn}/comments.
func (a *Adapter) comments(ctx context.Context, ep *civic.Endpoint, th *civic.Thread, target, parent string, depth int) error {
	start := 0
	for range 1000 {
		l, err := a.get(ctx, ep, "/rest/socialActions/"+url.PathEscape(target)+"/comments", url.Values{"start": {strconv.Itoa(start)}, "count": {"100"}})
		if err != nil {
			return err
		}
		for i, raw := range l.Elements {
			var c comment
			if err := json.Unmarshal(raw, &c); err != nil || (c.ID == "" && c.CommentURN == "") {
				return malformed(fmt.Sprintf("comments of %s elements[%d]", target, i), err)
			}
			id := c.CommentURN
			if id == "" {
				id = c.ID
			}
			o := civic.Observation{PlatformID: id, Kind: civic.ItemComment, ParentID: parent, ThreadID: th.Root.PlatformID, Text: c.Message.Text,
				State: civic.StateVisible, Author: civic.Author{ID: c.Actor}, PlatformTime: millis(c.Created.Time), Raw: append([]byte(nil), raw...)}
			if depth > 0 {
				o.Kind = civic.ItemReply
			}
			if c.ParentComment != "" {
				o.Kind, o.ParentID = civic.ItemReply, c.ParentComment
			}
			if c.LastModified.Time > c.Created.Time {
				o.EditedAt = millis(c.LastModified.Time)
			}
			th.Items = append(th.Items, o)
			if depth == 0 && c.CommentURN != "" {
				err := a.comments(ctx, ep, th, c.CommentURN, c.CommentURN, 1)
				if civic.PlatformErrorKindOf(err) == civic.PlatformNotFound {
					th.Complete = false
				} else if err != nil {
					return err
				}
			}
		}
		if !l.more() || len(l.Elements) == 0 {
			return nil
		}
		start += len(l.Elements)
	}
	return malformed("comments of "+target, fmt.Errorf("paging did not end"))
}

func firstNonZero(a, b int64) int64 {
	if a != 0 {
		return a
	}
	return b
}

func millis(ms int64) *time.Time {
	if ms == 0 {
		return nil
	}
	t := time.UnixMilli(ms).UTC()
	return &t
}

func malformed(where string, err error) error {
	return &civic.PlatformError{Platform: "linkedin", Kind: civic.PlatformMalformed, Message: "the answer is not the JSON the API documents at " + where, Err: err}
}

// classify reads LinkedIn's error bodies: serviceErrorCode 65600-65604
// are invalid or expired tokens; a 429 names the throttle, and a daily
// one waits for midnight UTC.
func (a *Adapter) classify(status int, h http.Header, body []byte) *civic.PlatformError {
	var e struct {
		ServiceErrorCode int    `json:"serviceErrorCode"`
		Message          string `json:"message"`
		Code             string `json:"code"`
	}
	_ = json.Unmarshal(body, &e)
	switch {
	case status == http.StatusTooManyRequests:
		wait := time.Minute
		if strings.Contains(e.Message, "DAY") {
			now := a.now().UTC()
			wait = time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, time.UTC).Sub(now)
		}
		return &civic.PlatformError{Kind: civic.PlatformRateLimited, RetryAfter: wait, Message: e.Message}
	case e.ServiceErrorCode >= 65600 && e.ServiceErrorCode <= 65604, e.Code == "EXPIRED_ACCESS_TOKEN", e.Code == "REVOKED_ACCESS_TOKEN":
		return &civic.PlatformError{Kind: civic.PlatformAuth, Message: e.Message}
	}
	return nil
}
