package facebook

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

// The Pages API calls publishing makes (developers.facebook.com/docs/pages-api/posts):
//
//	POST   /{page-id}/feed      message            → {"id": "{page-id}_{post-id}"}
//	POST   /{post-id}/comments  message            → {"id": "{post-id}_{comment-id}"} (a reply as the Page)
//	POST   /{post-id}           message            → {"success": true}                (edit)
//	DELETE /{post-id}                              → {"success": true}
//	GET    /{page-id}/posts     fields=id,message,created_time,permalink_url,from
//	GET    /{post-id}/comments  fields=id,message,created_time,from,permalink_url
//
// The Graph API takes no idempotency key. A post whose answer was lost is
// found by the publishing service in Recent (the Page's own posts, by
// text); a correction reply, a comment that Recent does not list, is
// looked for among the post's comments before it is sent (ownComment).
const (
	recentFields  = "id,message,created_time,permalink_url,from"
	ownCommentMax = 100 // the newest comments read to find a reply already made
)

// created is the answer of a Graph create call.
type created struct {
	ID string `json:"id"`
}

// KeyTime reads the time in an idempotency key Steward made
// ("steward-<Unix microseconds>-<hex>", civic.OutgoingPost).
func KeyTime(key string) (time.Time, bool) {
	parts := strings.Split(key, "-")
	if len(parts) != 3 || parts[0] != "steward" || parts[2] == "" {
		return time.Time{}, false
	}
	n, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil || n <= 0 || n >= 1<<53 {
		return time.Time{}, false
	}
	return time.UnixMicro(n).UTC(), true
}

// SameText reports whether two texts are the same post: the platforms
// trim and fold white space, so it is compared word by word.
func SameText(a, b string) bool {
	return strings.Join(strings.Fields(a), " ") == strings.Join(strings.Fields(b), " ")
}

// pageOf checks that ep names the Page to post as.
func pageOf(ep *civic.Endpoint) (string, error) {
	if ep.RemoteID == "" {
		return "", &civic.PlatformError{Platform: "facebook", Kind: civic.PlatformMalformed, Message: "the connection has no Page id to post as"}
	}
	return ep.RemoteID, nil
}

// ownPost checks that id is a Graph id of a post or comment
// ("{page-id}_{post-id}", "{post-id}_{comment-id}"), nothing that could
// name another path. The API lets a Page edit, delete and reply under
// only what it may: a post or comment of someone else is refused there.
func ownPost(ep *civic.Endpoint, id string) error {
	if _, err := pageOf(ep); err != nil {
		return err
	}
	head, tail, ok := strings.Cut(id, "_")
	if !ok || !digits(head) || !digits(tail) || len(id) > 64 {
		return civic.Invalid("platform_id", "%q is not the id of a Facebook post or comment", id)
	}
	return nil
}

func digits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// PostURL is the address of a Page post or of a comment on one.
func PostURL(id string) string {
	page, post, ok := strings.Cut(id, "_")
	if !ok {
		return "https://www.facebook.com/" + url.PathEscape(id)
	}
	return "https://www.facebook.com/" + url.PathEscape(page) + "/posts/" + url.PathEscape(post)
}

// commentURL is the address of a comment under a post: the post's, with
// the comment's own number.
func commentURL(postID, commentID string) string {
	_, n, ok := strings.Cut(commentID, "_")
	if !ok {
		n = commentID
	}
	return PostURL(postID) + "?comment_id=" + url.QueryEscape(n)
}

// Publish implements civic.Publisher: POST /{page-id}/feed with the text
// as message, posted as the Page with its Page token; with InReplyTo, a
// comment as the Page on that post (POST /{post-id}/comments), after the
// post's comments are read for one the Page already made with the same
// text since the key's time (a retry whose answer was lost). The Graph
// API answers a repeat of a text the Page just posted with error 506: the
// Page's newest posts are then read, and the earlier post with that text,
// made since the key's time, is the answer; otherwise the 506 stands.
func (a *Adapter) Publish(ctx context.Context, ep *civic.Endpoint, post civic.OutgoingPost) (*civic.PublishedPost, error) {
	page, err := pageOf(ep)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(post.Text) == "" {
		return nil, civic.Invalid("text", "a Facebook post needs a message")
	}
	since, timed := KeyTime(post.IdempotencyKey)
	base := Base(ep, GraphBase)
	if post.InReplyTo != "" {
		if err := ownPost(ep, post.InReplyTo); err != nil {
			return nil, err
		}
		if timed {
			if got, err := a.ownComment(ctx, ep, post.InReplyTo, post.Text, since); err != nil || got != nil {
				return got, err
			}
		}
		return a.create(ctx, ep, base+"/"+url.PathEscape(post.InReplyTo)+"/comments", post.Text, func(id string) string {
			return commentURL(post.InReplyTo, id)
		})
	}
	p, err := a.create(ctx, ep, base+"/"+url.PathEscape(page)+"/feed", post.Text, PostURL)
	if err != nil && Code(err) == CodeDuplicate && timed {
		if got, lerr := a.findRecent(ctx, ep, post.Text, since); lerr == nil && got != nil {
			return got, nil
		}
	}
	return p, err
}

// create sends message to a Graph edge and reads the new object's id.
func (a *Adapter) create(ctx context.Context, ep *civic.Endpoint, u, text string, link func(id string) string) (*civic.PublishedPost, error) {
	var out created
	if _, err := a.c.GetJSON(ctx, platform.Request{Method: http.MethodPost, URL: u, Token: ep.Token.AccessToken,
		Form: url.Values{"message": {text}}}, &out); err != nil {
		return nil, err
	}
	if out.ID == "" || strings.ContainsAny(out.ID, "/?#") {
		return nil, &civic.PlatformError{Platform: "facebook", Kind: civic.PlatformMalformed, Message: fmt.Sprintf("the API answered the post with the id %q", out.ID)}
	}
	return &civic.PublishedPost{ID: out.ID, URL: link(out.ID), Text: text, CreatedAt: a.now().UTC()}, nil
}

// findRecent is the Page's newest post with text made since the time.
func (a *Adapter) findRecent(ctx context.Context, ep *civic.Endpoint, text string, since time.Time) (*civic.PublishedPost, error) {
	ps, err := a.Recent(ctx, ep, 25)
	if err != nil {
		return nil, err
	}
	for i := range ps {
		if SameText(ps[i].Text, text) && !ps[i].CreatedAt.Before(since.Add(-time.Minute)) {
			return &ps[i], nil
		}
	}
	return nil, nil
}

// ownComment is a comment the Page made on postID with text since the
// time, or nil. GET /{post-id}/comments, newest first.
func (a *Adapter) ownComment(ctx context.Context, ep *civic.Endpoint, postID, text string, since time.Time) (*civic.PublishedPost, error) {
	l, err := GetList(ctx, a.c, Base(ep, GraphBase)+"/"+url.PathEscape(postID)+"/comments", ep.Token.AccessToken,
		url.Values{"fields": {"id,message,created_time,from,permalink_url"}, "filter": {"toplevel"}, "order": {"reverse_chronological"},
			"limit": {strconv.Itoa(ownCommentMax)}})
	if err != nil {
		return nil, err
	}
	for i, raw := range l.Data {
		var c struct {
			post
			Permalink string `json:"permalink_url"`
		}
		if err := json.Unmarshal(raw, &c); err != nil || c.ID == "" {
			return nil, Malformed("facebook", "comments of "+postID+" data["+itoa(i)+"]", err)
		}
		at := Time(c.CreatedTime)
		if c.From == nil || c.From.ID != ep.RemoteID || at == nil || at.Before(since.Add(-time.Minute)) || !SameText(c.Message, text) {
			continue
		}
		u := c.Permalink
		if u == "" {
			u = commentURL(postID, c.ID)
		}
		return &civic.PublishedPost{ID: c.ID, URL: u, Text: c.Message, CreatedAt: *at}, nil
	}
	return nil, nil
}

// Recent implements civic.Publisher: the Page's own newest posts (GET
// /{page-id}/posts, which lists only what the Page published, not
// visitors' posts on it), newest first, with their plain-text message.
func (a *Adapter) Recent(ctx context.Context, ep *civic.Endpoint, limit int) ([]civic.PublishedPost, error) {
	page, err := pageOf(ep)
	if err != nil {
		return nil, err
	}
	limit = min(max(limit, 1), 100)
	l, err := GetList(ctx, a.c, Base(ep, GraphBase)+"/"+url.PathEscape(page)+"/posts", ep.Token.AccessToken,
		url.Values{"fields": {recentFields}, "limit": {strconv.Itoa(limit)}})
	if err != nil {
		return nil, err
	}
	out := make([]civic.PublishedPost, 0, len(l.Data))
	for i, raw := range l.Data {
		var p struct {
			post
			Permalink string `json:"permalink_url"`
		}
		if err := json.Unmarshal(raw, &p); err != nil {
			return nil, Malformed("facebook", "posts data["+itoa(i)+"]", err)
		}
		if p.ID == "" {
			return nil, Malformed("facebook", "posts data["+itoa(i)+"]", errMissing("id"))
		}
		if p.From != nil && p.From.ID != page {
			continue // not the Page's own
		}
		rp := civic.PublishedPost{ID: p.ID, URL: p.Permalink, Text: p.Message}
		if rp.URL == "" {
			rp.URL = PostURL(p.ID)
		}
		if t := Time(p.CreatedTime); t != nil {
			rp.CreatedAt = *t
		}
		out = append(out, rp)
	}
	return platform.NewestFirst(out, limit), nil
}

// Edit implements civic.PostEditor: POST /{post-id} with a new message
// edits a post the Page made (a Page can edit its own posts' text, not a
// visitor's). The API answers {"success": true} and keeps no history
// Steward can read: the archive keeps the earlier version.
func (a *Adapter) Edit(ctx context.Context, ep *civic.Endpoint, platformID string, post civic.OutgoingPost) (*civic.PublishedPost, error) {
	if err := ownPost(ep, platformID); err != nil {
		return nil, err
	}
	if strings.TrimSpace(post.Text) == "" {
		return nil, civic.Invalid("text", "a Facebook post needs a message")
	}
	if err := Success(ctx, a.c, platform.Request{Method: http.MethodPost, URL: Base(ep, GraphBase) + "/" + url.PathEscape(platformID),
		Token: ep.Token.AccessToken, Form: url.Values{"message": {post.Text}}}); err != nil {
		return nil, err
	}
	return &civic.PublishedPost{ID: platformID, URL: PostURL(platformID), Text: post.Text, CreatedAt: a.now().UTC()}, nil
}

// DeletePost implements civic.PostDeleter: DELETE /{post-id} of a post the
// Page made. A post already gone answers error 100, subcode 33: not_found.
func (a *Adapter) DeletePost(ctx context.Context, ep *civic.Endpoint, platformID string) error {
	if err := ownPost(ep, platformID); err != nil {
		return err
	}
	return Success(ctx, a.c, platform.Request{Method: http.MethodDelete, URL: Base(ep, GraphBase) + "/" + url.PathEscape(platformID), Token: ep.Token.AccessToken})
}
