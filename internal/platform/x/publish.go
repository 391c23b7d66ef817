package x

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/platform"
)

// createBody is the body of POST /2/tweets (docs.x.com, "Create or Edit
// Post"): the text and, for a reply, reply.in_reply_to_tweet_id. X takes
// no language (it detects one) and no idempotency key.
type createBody struct {
	Text  string `json:"text"`
	Reply *struct {
		InReplyToTweetID string `json:"in_reply_to_tweet_id"`
	} `json:"reply,omitempty"`
}

// problem is an entry of a v2 answer's "errors" (a Problem object).
type problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Detail string `json:"detail"`
}

// Publish implements civic.Publisher: POST /2/tweets with {"text": …}
// and, for a correction reply, "reply": {"in_reply_to_tweet_id": …}. The
// answer (201) is {"data": {"id", "text"}}, its text with links as t.co
// addresses; the post's text here is the text sent. X has no idempotency
// key: a retry is made safe by the publishing service, which reads Recent
// before it sends again. X refuses a text the account posted recently
// (403 "duplicate content"), a malformed PlatformError that says so.
func (a *Adapter) Publish(ctx context.Context, ep *civic.Endpoint, post civic.OutgoingPost) (*civic.PublishedPost, error) {
	// JSON carries only valid UTF-8: send, and answer with, the mended text.
	text := strings.ToValidUTF8(post.Text, "\uFFFD")
	if strings.TrimSpace(text) == "" {
		return nil, civic.Invalid("text", "a post on X needs text")
	}
	body := createBody{Text: text}
	if post.InReplyTo != "" {
		if !isID(post.InReplyTo) {
			return nil, civic.Invalid("in_reply_to", "%q is not the id of a post on X", post.InReplyTo)
		}
		body.Reply = &struct {
			InReplyToTweetID string `json:"in_reply_to_tweet_id"`
		}{post.InReplyTo}
	}
	var out struct {
		Data *struct {
			ID   string `json:"id"`
			Text string `json:"text"`
		} `json:"data"`
		Errors []problem `json:"errors"`
	}
	if _, err := a.c.GetJSON(ctx, platform.Request{Method: http.MethodPost, URL: base(ep) + "/2/tweets", Token: ep.Token.AccessToken, JSON: body}, &out); err != nil {
		return nil, err
	}
	if out.Data == nil || out.Data.ID == "" {
		if len(out.Errors) > 0 {
			e := out.Errors[0]
			return nil, &civic.PlatformError{Platform: Name, Kind: civic.PlatformMalformed, Message: "X answered the post with no post: " + e.Title + ": " + e.Detail + " (" + e.Type + ")"}
		}
		return nil, malformed("POST /2/tweets data", fmt.Errorf("no post id"))
	}
	if !isID(out.Data.ID) {
		return nil, malformed("POST /2/tweets data.id", fmt.Errorf("%q is not a post id", out.Data.ID))
	}
	return &civic.PublishedPost{ID: out.Data.ID, URL: postURL(ep, out.Data.ID), Text: text, CreatedAt: a.now().UTC()}, nil
}

// recentFields are the fields Recent reads: the author (only the
// account's own posts are listed), the links (t.co addresses are put
// back as written), a long post's full text and what a post refers to
// (a repost is not the account's text).
const recentFields = "created_at,author_id,entities,note_tweet,referenced_tweets"

// recentTweet is a post as GET /2/users/:id/tweets lists it with
// recentFields.
type recentTweet struct {
	ID         string   `json:"id"`
	Text       string   `json:"text"`
	CreatedAt  string   `json:"created_at"`
	AuthorID   string   `json:"author_id"`
	Entities   entities `json:"entities"`
	Referenced []struct {
		Type string `json:"type"`
	} `json:"referenced_tweets"`
	NoteTweet *noteTweet `json:"note_tweet"`
}

// noteTweet is a long post's whole text with its entities.
type noteTweet struct {
	Text     string   `json:"text"`
	Entities entities `json:"entities"`
}

// entities are a post's entities; only its links matter here:
// entities.urls[] with url (the t.co address in the text), expanded_url
// (the address as written) and media_key (set for the link X appends to
// a post's attached media).
type entities struct {
	URLs []struct {
		URL         string `json:"url"`
		ExpandedURL string `json:"expanded_url"`
		MediaKey    string `json:"media_key"`
	} `json:"urls"`
}

// Recent implements civic.Publisher: the account's newest posts, newest
// first, from GET /2/users/:id/tweets?exclude=retweets. Replies are kept:
// a correction is a reply to the account's own post, and reconciling one
// needs it listed (the account's replies to others are its posts too).
// Reposts are left out (their text is someone else's). Each text is
// plain: t.co links put back as written, the link X adds for attached
// media removed, and the &amp; &lt; &gt; X escapes unescaped.
func (a *Adapter) Recent(ctx context.Context, ep *civic.Endpoint, limit int) ([]civic.PublishedPost, error) {
	if !isID(ep.RemoteID) {
		return nil, &civic.PlatformError{Platform: Name, Kind: civic.PlatformMalformed, Message: "the connection has no account id to list posts of"}
	}
	limit = min(max(limit, 1), 100)
	q := url.Values{"max_results": {strconv.Itoa(max(limit, 5))}, "exclude": {"retweets"}, "tweet.fields": {recentFields}}
	var l struct {
		Data []json.RawMessage `json:"data"`
	}
	if _, err := a.c.GetJSON(ctx, platform.Request{URL: base(ep) + "/2/users/" + ep.RemoteID + "/tweets", Query: q, Token: ep.Token.AccessToken}, &l); err != nil {
		return nil, err
	}
	out := make([]civic.PublishedPost, 0, len(l.Data))
	for i, raw := range l.Data {
		var t recentTweet
		if err := json.Unmarshal(raw, &t); err != nil {
			return nil, malformed(fmt.Sprintf("tweets data[%d]", i), err)
		}
		if !isID(t.ID) {
			return nil, malformed(fmt.Sprintf("tweets data[%d].id", i), fmt.Errorf("%q is not a post id", t.ID))
		}
		if t.AuthorID != ep.RemoteID || slices.ContainsFunc(t.Referenced, func(r struct {
			Type string `json:"type"`
		}) bool {
			return r.Type == "retweeted"
		}) {
			continue
		}
		p := civic.PublishedPost{ID: t.ID, URL: postURL(ep, t.ID), Text: plainText(t)}
		if tm, err := time.Parse(time.RFC3339, t.CreatedAt); err == nil {
			p.CreatedAt = tm.UTC()
		} else {
			return nil, malformed(fmt.Sprintf("tweets data[%d].created_at", i), err)
		}
		out = append(out, p)
	}
	// The timeline is newest first; sorting keeps that promise (ids grow
	// with time, for two posts in the same second).
	slices.SortStableFunc(out, func(x, y civic.PublishedPost) int {
		if c := y.CreatedAt.Compare(x.CreatedAt); c != 0 {
			return c
		}
		if c := cmp.Compare(len(y.ID), len(x.ID)); c != 0 {
			return c
		}
		return cmp.Compare(y.ID, x.ID)
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// unescaper undoes the three escapes X applies to a post's text.
var unescaper = strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">")

// plainText is a post's text as its author wrote it.
func plainText(t recentTweet) string { return asWritten(t.Text, t.Entities, t.NoteTweet) }

// asWritten is a post's text as its author wrote it, from X's text, its
// entities and, for a long post, its note_tweet.
func asWritten(text string, ents entities, note *noteTweet) string {
	if note != nil && note.Text != "" {
		text, ents = note.Text, note.Entities // a long post: text is cut short
	}
	for _, u := range ents.URLs {
		if u.URL == "" {
			continue
		}
		switch {
		case u.MediaKey != "":
			text = strings.ReplaceAll(text, u.URL, "")
		case u.ExpandedURL != "":
			text = strings.ReplaceAll(text, u.URL, u.ExpandedURL)
		}
	}
	return strings.TrimSpace(unescaper.Replace(text))
}

// DeletePost implements civic.PostDeleter: DELETE /2/tweets/:id, answered
// {"data": {"deleted": true}}. A post that is gone answers not_found (a
// 404, or "deleted": false and a lookup that finds nothing).
func (a *Adapter) DeletePost(ctx context.Context, ep *civic.Endpoint, platformID string) error {
	if !isID(platformID) {
		return civic.Invalid("platform_id", "%q is not the id of a post on X", platformID)
	}
	var out struct {
		Data *struct {
			Deleted bool `json:"deleted"`
		} `json:"data"`
	}
	if _, err := a.c.GetJSON(ctx, platform.Request{Method: http.MethodDelete, URL: base(ep) + "/2/tweets/" + platformID, Token: ep.Token.AccessToken}, &out); err != nil {
		return err
	}
	if out.Data == nil {
		return malformed("DELETE /2/tweets/"+platformID, fmt.Errorf("no data.deleted"))
	}
	if out.Data.Deleted {
		return nil
	}
	if _, err := a.Lookup(ctx, ep, platformID); err != nil {
		return err
	}
	return &civic.PlatformError{Platform: Name, Kind: civic.PlatformMalformed, Message: "X answered deleted: false and the post " + platformID + " is still there"}
}

// postURL is the post's address on x.com.
func postURL(ep *civic.Endpoint, id string) string {
	if h := strings.TrimPrefix(ep.Handle, "@"); h != "" {
		return "https://x.com/" + url.PathEscape(h) + "/status/" + id
	}
	return "https://x.com/i/web/status/" + id
}

// isID reports whether s is a post or user id: decimal digits.
func isID(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
