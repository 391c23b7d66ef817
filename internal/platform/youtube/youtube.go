// Package youtube is Steward's adapter for YouTube channels through the
// Data API v3: the channel's uploads, every comment thread and reply under
// each video (published and held for review), moderation by
// setModerationStatus (hold, publish, reject), the channel's profile and
// subscriptions. It never passes banAuthor. Every call spends quota
// (10,000 units a day by default); a spent quota waits for midnight
// Pacific time, when YouTube resets it.
package youtube

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/platform"
)

// DefaultBase is the API's production base URL.
const DefaultBase = "https://www.googleapis.com/youtube/v3"

// TokenURL is Google's OAuth token endpoint; when an Endpoint has a base
// URL (a test server), the token endpoint is its /token.
const TokenURL = "https://oauth2.googleapis.com/token"

// Adapter is the YouTube adapter.
type Adapter struct {
	c   *platform.Client
	now func() time.Time
}

// New returns the adapter.
func New(cfg platform.Config) *Adapter {
	a := &Adapter{c: cfg.Client("youtube"), now: cfg.Now}
	if a.now == nil {
		a.now = time.Now
	}
	a.c.Classify = a.classify
	return a
}

// Client is the adapter's HTTP client (its transport is the guard).
func (a *Adapter) Client() *platform.Client { return a.c }

// Name implements civic.Platform.
func (a *Adapter) Name() string { return "youtube" }

// Capabilities implements civic.Platform. The API shows no blocked users
// ("hidden users" are kept in YouTube Studio only) and no edit history.
func (a *Adapter) Capabilities() civic.Capabilities {
	return civic.Capabilities{civic.CapListPosts, civic.CapListComments, civic.CapDeletions, civic.CapHide,
		civic.CapDelete, civic.CapHold, civic.CapReadProfile, civic.CapReadFollows}
}

func base(ep *civic.Endpoint) string {
	if ep.BaseURL != "" {
		return strings.TrimRight(ep.BaseURL, "/")
	}
	return DefaultBase
}

type list struct {
	NextPageToken string            `json:"nextPageToken"`
	Items         []json.RawMessage `json:"items"`
}

func (a *Adapter) get(ctx context.Context, ep *civic.Endpoint, path string, q url.Values) (*list, error) {
	var l list
	if _, err := a.c.GetJSON(ctx, platform.Request{URL: base(ep) + path, Query: q, Token: ep.Token.AccessToken}, &l); err != nil {
		return nil, err
	}
	return &l, nil
}

// Poll implements civic.Platform. The cursor is the uploads playlist's id
// and its page token, separated by a space, then "|" and the posting time
// where the page stopped; "" starts at the newest video. The uploads
// playlist lists every video of the channel newest first, so the page is
// contiguous: its span runs from its oldest video up to where the page
// before stopped (a cursor without the time, as stored before, claims
// none). The oldest page stays closed at its oldest video.
func (a *Adapter) Poll(ctx context.Context, ep *civic.Endpoint, cursor string) (*civic.Page, error) {
	rest, to, hasTo := platform.SplitSpanCursor(cursor)
	playlist, token, _ := strings.Cut(rest, " ")
	if playlist == "" {
		var err error
		if playlist, err = a.uploads(ctx, ep); err != nil {
			return nil, err
		}
	}
	q := url.Values{"part": {"snippet,contentDetails"}, "playlistId": {playlist}, "maxResults": {"50"}}
	if token != "" {
		q.Set("pageToken", token)
	}
	l, err := a.get(ctx, ep, "/playlistItems", q)
	if err != nil {
		return nil, err
	}
	page := &civic.Page{}
	ls := platform.Listing{First: cursor == "", To: to, HasTo: hasTo, More: l.NextPageToken != ""}
	for i, raw := range l.Items {
		root, err := video(raw)
		if err != nil {
			return nil, malformed(fmt.Sprintf("playlistItems items[%d]", i), err)
		}
		th, err := a.thread(ctx, ep, root)
		if err != nil {
			return nil, err
		}
		page.Threads = append(page.Threads, th)
		ls.Times = append(ls.Times, root.PlatformTime)
	}
	var next time.Time
	page.Span, next = ls.Span()
	if l.NextPageToken != "" {
		page.Next = platform.SpanCursor(playlist+" "+l.NextPageToken, next)
	}
	return page, nil
}

// Lookup implements civic.Lookuper: videos.list?id=…&part=snippet. The
// API answers a video that no longer exists with no items: a not_found
// PlatformError.
func (a *Adapter) Lookup(ctx context.Context, ep *civic.Endpoint, id string) (*civic.Observation, error) {
	if id == "" {
		return nil, &civic.PlatformError{Platform: "youtube", Kind: civic.PlatformMalformed, Message: "no video id to look up"}
	}
	l, err := a.get(ctx, ep, "/videos", url.Values{"part": {"snippet"}, "id": {id}})
	if err != nil {
		return nil, err
	}
	if len(l.Items) == 0 {
		return nil, &civic.PlatformError{Platform: "youtube", Kind: civic.PlatformNotFound, Message: "no video with the id " + id}
	}
	var v struct {
		ID      string `json:"id"`
		Snippet struct {
			PublishedAt  string `json:"publishedAt"`
			ChannelID    string `json:"channelId"`
			ChannelTitle string `json:"channelTitle"`
			Title        string `json:"title"`
			Description  string `json:"description"`
		} `json:"snippet"`
	}
	if err := json.Unmarshal(l.Items[0], &v); err != nil {
		return nil, malformed("videos items[0]", err)
	}
	if v.ID != id {
		return nil, malformed("videos items[0].id", fmt.Errorf("got video %q, asked for %q", v.ID, id))
	}
	text := v.Snippet.Title
	if v.Snippet.Description != "" {
		text += "\n\n" + v.Snippet.Description
	}
	return &civic.Observation{PlatformID: id, Kind: civic.ItemPost, ThreadID: id, Text: text, State: civic.StateVisible,
		Author: civic.Author{ID: v.Snippet.ChannelID, Name: v.Snippet.ChannelTitle}, PlatformTime: parseTime(v.Snippet.PublishedAt),
		Raw: append([]byte(nil), l.Items[0]...)}, nil
}

// uploads finds the channel's uploads playlist.
func (a *Adapter) uploads(ctx context.Context, ep *civic.Endpoint) (string, error) {
	l, err := a.get(ctx, ep, "/channels", url.Values{"part": {"contentDetails"}, "id": {ep.RemoteID}})
	if err != nil {
		return "", err
	}
	if len(l.Items) == 0 {
		return "", &civic.PlatformError{Platform: "youtube", Kind: civic.PlatformNotFound, Message: "no channel with the id " + ep.RemoteID}
	}
	var ch struct {
		ContentDetails struct {
			RelatedPlaylists struct {
				Uploads string `json:"uploads"`
			} `json:"relatedPlaylists"`
		} `json:"contentDetails"`
	}
	if err := json.Unmarshal(l.Items[0], &ch); err != nil || ch.ContentDetails.RelatedPlaylists.Uploads == "" {
		return "", malformed("channels items[0].contentDetails.relatedPlaylists.uploads", err)
	}
	return ch.ContentDetails.RelatedPlaylists.Uploads, nil
}

func video(raw json.RawMessage) (civic.Observation, error) {
	var it struct {
		Snippet struct {
			PublishedAt  string `json:"publishedAt"`
			ChannelID    string `json:"channelId"`
			ChannelTitle string `json:"channelTitle"`
			Title        string `json:"title"`
			Description  string `json:"description"`
		} `json:"snippet"`
		ContentDetails struct {
			VideoID          string `json:"videoId"`
			VideoPublishedAt string `json:"videoPublishedAt"`
		} `json:"contentDetails"`
	}
	if err := json.Unmarshal(raw, &it); err != nil {
		return civic.Observation{}, err
	}
	id := it.ContentDetails.VideoID
	if id == "" {
		return civic.Observation{}, fmt.Errorf("contentDetails.videoId is missing")
	}
	text := it.Snippet.Title
	if it.Snippet.Description != "" {
		text += "\n\n" + it.Snippet.Description
	}
	o := civic.Observation{PlatformID: id, Kind: civic.ItemPost, ThreadID: id, Text: text, State: civic.StateVisible,
		Author: civic.Author{ID: it.Snippet.ChannelID, Name: it.Snippet.ChannelTitle}, Raw: append([]byte(nil), raw...)}
	o.PlatformTime = parseTime(it.ContentDetails.VideoPublishedAt)
	if o.PlatformTime == nil {
		o.PlatformTime = parseTime(it.Snippet.PublishedAt)
	}
	return o, nil
}

func parseTime(s string) *time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return nil
	}
	t = t.UTC()
	return &t
}

func malformed(where string, err error) error {
	return &civic.PlatformError{Platform: "youtube", Kind: civic.PlatformMalformed, Message: "the answer is not the JSON the API documents at " + where, Err: err}
}

// apiError is the Data API's error body.
type apiError struct {
	Error struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Errors  []struct {
			Reason string `json:"reason"`
			Domain string `json:"domain"`
		} `json:"errors"`
	} `json:"error"`
}

// classify reads the Data API's error reasons: quotaExceeded and
// dailyLimitExceeded wait for midnight Pacific; rateLimitExceeded a
// minute; commentsDisabled and videoNotFound are a thread with no
// comments to read.
func (a *Adapter) classify(status int, h http.Header, body []byte) *civic.PlatformError {
	var e apiError
	if json.Unmarshal(body, &e) != nil || len(e.Error.Errors) == 0 {
		return nil
	}
	switch e.Error.Errors[0].Reason {
	case "quotaExceeded", "dailyLimitExceeded":
		return &civic.PlatformError{Kind: civic.PlatformRateLimited, RetryAfter: untilPacificMidnight(a.now()), Message: e.Error.Message}
	case "rateLimitExceeded", "userRateLimitExceeded":
		return &civic.PlatformError{Kind: civic.PlatformRateLimited, RetryAfter: time.Minute, Message: e.Error.Message}
	case "commentsDisabled", "videoNotFound", "commentNotFound", "channelNotFound", "playlistNotFound":
		return &civic.PlatformError{Kind: civic.PlatformNotFound, Message: e.Error.Message}
	case "authError", "insufficientPermissions", "forbidden":
		return &civic.PlatformError{Kind: civic.PlatformAuth, Message: e.Error.Message}
	}
	return nil
}

// untilPacificMidnight is how long until the quota resets.
func untilPacificMidnight(now time.Time) time.Duration {
	loc, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		loc = time.FixedZone("PST", -8*3600)
	}
	t := now.In(loc)
	next := time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, loc)
	return next.Sub(now)
}
