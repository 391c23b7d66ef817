// Package x is Steward's adapter for X through API v2: the account's
// posts, the replies in each conversation (recent search, the last seven
// days only), edit history, hide and unhide of replies, the profile, the
// accounts followed and the accounts blocked (read only). X charges for
// reads: every call here is a paid read on most plans.
package x

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/platform"
)

// Name is the platform's name.
const Name = "x"

// DefaultBase is the API's production base URL.
const DefaultBase = "https://api.x.com"

// SearchWindow is how far back recent search reaches.
const SearchWindow = 7 * 24 * time.Hour

// Adapter is the X adapter.
type Adapter struct {
	c   *platform.Client
	now func() time.Time
}

// New returns the adapter.
func New(cfg platform.Config) *Adapter {
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	c := cfg.Client("x")
	c.Classify = classify
	return &Adapter{c: c, now: now}
}

// Client is the adapter's HTTP client (its transport is the guard).
func (a *Adapter) Client() *platform.Client { return a.c }

// Name implements civic.Platform.
func (a *Adapter) Name() string { return Name }

// Capabilities implements civic.Platform. X lets an account hide replies
// to its posts but not delete them, and has no hold. It posts as the
// account (Publish, DeletePost); it is no civic.PostEditor (see Publish).
func (a *Adapter) Capabilities() civic.Capabilities {
	return civic.Capabilities{civic.CapListPosts, civic.CapListComments, civic.CapEditHistory, civic.CapDeletions,
		civic.CapHide, civic.CapPublish, civic.CapReadProfile, civic.CapReadFollows, civic.CapReadBlocks}
}

const tweetFields = "id,text,created_at,author_id,conversation_id,in_reply_to_user_id,referenced_tweets,edit_history_tweet_ids,attachments,entities,note_tweet"

type tweet struct {
	ID             string   `json:"id"`
	Text           string   `json:"text"`
	CreatedAt      string   `json:"created_at"`
	AuthorID       string   `json:"author_id"`
	ConversationID string   `json:"conversation_id"`
	EditHistory    []string `json:"edit_history_tweet_ids"`
	Referenced     []struct {
		Type string `json:"type"`
		ID   string `json:"id"`
	} `json:"referenced_tweets"`
	Entities  entities   `json:"entities"`
	NoteTweet *noteTweet `json:"note_tweet"`
}

type user struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Username string `json:"username"`
}

type list struct {
	Data     []json.RawMessage `json:"data"`
	Includes struct {
		Users []user `json:"users"`
	} `json:"includes"`
	Meta struct {
		ResultCount int    `json:"result_count"`
		NextToken   string `json:"next_token"`
	} `json:"meta"`
}

func base(ep *civic.Endpoint) string {
	if ep.BaseURL != "" {
		return strings.TrimRight(ep.BaseURL, "/")
	}
	return DefaultBase
}

func (a *Adapter) get(ctx context.Context, ep *civic.Endpoint, path string, q url.Values) (*list, error) {
	var l list
	if _, err := a.c.GetJSON(ctx, platform.Request{URL: base(ep) + path, Query: q, Token: ep.Token.AccessToken}, &l); err != nil {
		return nil, err
	}
	return &l, nil
}

// Poll implements civic.Platform: one page of the account's timeline and,
// for each post, its conversation from recent search. The timeline lists
// the account's most recent 3,200 posts (replies and reposts included),
// newest first, leaving none out, so the page is contiguous: its span
// runs from its oldest post up to where the page before stopped, carried
// in the cursor ("pagination_token|time"; a bare token, as stored before,
// still pages but claims no span). The oldest page's span stays closed:
// the 3,200-post window may end before the account's first post.
func (a *Adapter) Poll(ctx context.Context, ep *civic.Endpoint, cursor string) (*civic.Page, error) {
	q := url.Values{"max_results": {"100"}, "tweet.fields": {tweetFields}, "expansions": {"author_id"}, "user.fields": {"username,name"}}
	token, to, hasTo := platform.SplitSpanCursor(cursor)
	if token != "" {
		q.Set("pagination_token", token)
	}
	l, err := a.get(ctx, ep, "/2/users/"+url.PathEscape(ep.RemoteID)+"/tweets", q)
	if err != nil {
		return nil, err
	}
	users := userMap(l)
	page := &civic.Page{}
	ls := platform.Listing{First: cursor == "", To: to, HasTo: hasTo, More: l.Meta.NextToken != ""}
	for i, raw := range l.Data {
		root, t, err := observe(raw, users)
		if err != nil {
			return nil, malformed(fmt.Sprintf("tweets data[%d]", i), err)
		}
		if err := a.history(ctx, ep, &root, t); err != nil {
			return nil, err
		}
		if root.Kind != civic.ItemPost {
			// The account's reply in someone else's conversation: kept
			// with its parent, without reading that whole conversation.
			page.Threads = append(page.Threads, civic.Thread{Root: root})
			continue
		}
		th, err := a.conversation(ctx, ep, root)
		if err != nil {
			return nil, err
		}
		page.Threads = append(page.Threads, th)
	}
	for _, th := range page.Threads {
		ls.Times = append(ls.Times, th.Root.PlatformTime)
	}
	var next time.Time
	page.Span, next = ls.Span()
	page.Next = platform.SpanCursor(l.Meta.NextToken, next)
	return page, nil
}

// Lookup implements civic.Lookuper: GET /2/tweets/:id. X answers a
// deleted post with 200, no data and an error of type resource-not-found
// naming the id: a not_found PlatformError. Any other problem (a post
// made protected, an account suspended) infers nothing.
func (a *Adapter) Lookup(ctx context.Context, ep *civic.Endpoint, id string) (*civic.Observation, error) {
	if id == "" {
		return nil, &civic.PlatformError{Platform: "x", Kind: civic.PlatformMalformed, Message: "no post id to look up"}
	}
	var one struct {
		Data     json.RawMessage `json:"data"`
		Includes struct {
			Users []user `json:"users"`
		} `json:"includes"`
		Errors []struct {
			Type       string `json:"type"`
			Title      string `json:"title"`
			Detail     string `json:"detail"`
			ResourceID string `json:"resource_id"`
		} `json:"errors"`
	}
	q := url.Values{"tweet.fields": {tweetFields}, "expansions": {"author_id"}, "user.fields": {"username,name"}}
	if _, err := a.c.GetJSON(ctx, platform.Request{URL: base(ep) + "/2/tweets/" + url.PathEscape(id), Query: q, Token: ep.Token.AccessToken}, &one); err != nil {
		return nil, err
	}
	if len(one.Data) == 0 || string(one.Data) == "null" {
		for _, e := range one.Errors {
			if e.Type == problemNotFound && (e.ResourceID == "" || e.ResourceID == id) {
				return nil, &civic.PlatformError{Platform: "x", Kind: civic.PlatformNotFound, Message: e.Detail}
			}
		}
		if len(one.Errors) > 0 {
			e := one.Errors[0]
			return nil, &civic.PlatformError{Platform: "x", Kind: civic.PlatformUnavailable, Message: e.Title + ": " + e.Detail + " (" + e.Type + ")"}
		}
		return nil, malformed("tweet "+id, fmt.Errorf("neither data nor errors"))
	}
	users := map[string]user{}
	for _, u := range one.Includes.Users {
		users[u.ID] = u
	}
	o, t, err := observe(one.Data, users)
	if err != nil {
		return nil, malformed("tweet "+id+" data", err)
	}
	if err := a.history(ctx, ep, &o, t); err != nil {
		return nil, err
	}
	return &o, nil
}

// problemNotFound is the problem type of a post that does not exist.
const problemNotFound = "https://api.twitter.com/2/problems/resource-not-found"

// conversation reads the replies of a post. Recent search covers seven
// days: an older post's thread is never complete.
func (a *Adapter) conversation(ctx context.Context, ep *civic.Endpoint, root civic.Observation) (civic.Thread, error) {
	th := civic.Thread{Root: root}
	conv := root.ThreadID
	q := url.Values{"query": {"conversation_id:" + conv}, "max_results": {"100"}, "tweet.fields": {tweetFields},
		"expansions": {"author_id"}, "user.fields": {"username,name"}}
	for range 1000 {
		l, err := a.get(ctx, ep, "/2/tweets/search/recent", q)
		if err != nil {
			return th, err
		}
		users := userMap(l)
		for i, raw := range l.Data {
			o, _, err := observe(raw, users)
			if err != nil {
				return th, malformed(fmt.Sprintf("conversation %s data[%d]", conv, i), err)
			}
			th.Items = append(th.Items, o)
		}
		if l.Meta.NextToken == "" {
			th.Complete = root.PlatformTime != nil && a.now().Sub(*root.PlatformTime) < SearchWindow
			return th, nil
		}
		q.Set("next_token", l.Meta.NextToken)
	}
	return th, malformed("conversation "+conv, fmt.Errorf("paging did not end"))
}

// history reads the earlier versions of an edited post
// (edit_history_tweet_ids lists them oldest first, the current one last).
func (a *Adapter) history(ctx context.Context, ep *civic.Endpoint, o *civic.Observation, t *tweet) error {
	if len(t.EditHistory) < 2 {
		return nil
	}
	earlier := t.EditHistory[:len(t.EditHistory)-1]
	l, err := a.get(ctx, ep, "/2/tweets", url.Values{"ids": {strings.Join(earlier, ",")}, "tweet.fields": {tweetFields}})
	if err != nil {
		return err
	}
	byID := map[string]civic.Observation{}
	for i, raw := range l.Data {
		h, _, err := observe(raw, nil)
		if err != nil {
			return malformed(fmt.Sprintf("edit history of %s data[%d]", o.PlatformID, i), err)
		}
		byID[h.PlatformID] = h
	}
	for _, id := range earlier {
		if h, ok := byID[id]; ok {
			o.History = append(o.History, h)
		}
	}
	o.EditedAt = o.PlatformTime
	if len(o.History) > 0 {
		o.PlatformTime = o.History[0].PlatformTime
	}
	return nil
}

func userMap(l *list) map[string]user {
	m := map[string]user{}
	for _, u := range l.Includes.Users {
		m[u.ID] = u
	}
	return m
}

func observe(raw json.RawMessage, users map[string]user) (civic.Observation, *tweet, error) {
	var t tweet
	if err := json.Unmarshal(raw, &t); err != nil {
		return civic.Observation{}, nil, err
	}
	if t.ID == "" {
		return civic.Observation{}, nil, fmt.Errorf("id is missing")
	}
	// The text as written (links as their authors wrote them, no HTML
	// escapes, a long post whole), as Steward archives what it publishes.
	o := civic.Observation{PlatformID: t.ID, Kind: civic.ItemPost, ThreadID: t.ConversationID, Text: asWritten(t.Text, t.Entities, t.NoteTweet),
		State: civic.StateVisible, Raw: append([]byte(nil), raw...), Author: civic.Author{ID: t.AuthorID}}
	if o.Text != t.Text {
		o.PlatformText = t.Text
	}
	if o.ThreadID == "" {
		o.ThreadID = t.ID
	}
	for _, r := range t.Referenced {
		if r.Type == "replied_to" {
			o.ParentID = r.ID
			o.Kind = civic.ItemReply
			if r.ID == t.ConversationID {
				o.Kind = civic.ItemComment
			}
		}
	}
	if u, ok := users[t.AuthorID]; ok {
		o.Author.Handle, o.Author.Name = u.Username, u.Name
	}
	if tm, err := time.Parse(time.RFC3339, t.CreatedAt); err == nil {
		tm = tm.UTC()
		o.PlatformTime = &tm
	}
	return o, &t, nil
}

func malformed(where string, err error) error {
	return &civic.PlatformError{Platform: "x", Kind: civic.PlatformMalformed, Message: "the answer is not the JSON the API documents at " + where, Err: err}
}
