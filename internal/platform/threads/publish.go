package threads

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
	"steward.city/steward/internal/platform/facebook"
)

// The Threads API calls publishing makes (developers.facebook.com/docs/threads/posts,
// …/threads/troubleshooting, …/threads/posts/delete-posts):
//
//	POST   /{user-id}/threads          media_type=TEXT, text, reply_to_id → {"id": "<container id>"}
//	POST   /{user-id}/threads_publish  creation_id                        → {"id": "<media id>"}
//	GET    /{container-id}             fields=id,status,error_message     → status FINISHED, IN_PROGRESS, PUBLISHED, EXPIRED or ERROR
//	GET    /{media-id}                 fields=id,text,timestamp,permalink
//	GET    /{user-id}/threads          fields=id,text,timestamp,permalink,media_type,owner
//	GET    /{user-id}/replies          fields=id,text,timestamp,permalink,replied_to
//	DELETE /{media-id}                                                     → {"success": true, "deleted_id": "<media id>"}
//
// The API takes no idempotency key and has no edit. A post is made in two
// steps, so a retry may find the first step done: the adapter keeps the
// container it made for each idempotency key (a container expires after 24
// hours) and, on a retry, asks for its status before anything else: a
// container already PUBLISHED is not published again, its post is looked
// up by text among the account's own posts or replies. Across processes
// the publishing service reconciles through Recent, and a reply is looked
// for among the account's replies before it is made.
const (
	recentFields = "id,text,timestamp,permalink,media_type,owner"
	ownReplyMax  = 50 // the newest replies read to find one already made
)

// The container statuses the API documents.
const (
	statusPublished = "PUBLISHED"
	statusExpired   = "EXPIRED"
	statusError     = "ERROR"
)

func (a *Adapter) user(ep *civic.Endpoint) (string, error) {
	if !facebook.IsID(ep.RemoteID) {
		return "", &civic.PlatformError{Platform: "threads", Kind: civic.PlatformMalformed, Message: "the connection has no Threads user id to post as"}
	}
	return ep.RemoteID, nil
}

// Publish implements civic.Publisher: a TEXT container (with reply_to_id
// for a correction reply), then threads_publish of it. With an
// idempotency key, a container made for that key by an earlier call is
// reused: PUBLISHED means the earlier call went through, and its post is
// found, not made again; EXPIRED or ERROR means a new container. When
// threads_publish fails without a clear refusal (a lost answer, a server
// error), the container's status says whether it went through. A reply is
// first looked for among the account's replies made since the key's time.
func (a *Adapter) Publish(ctx context.Context, ep *civic.Endpoint, post civic.OutgoingPost) (*civic.PublishedPost, error) {
	uid, err := a.user(ep)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(post.Text) == "" {
		return nil, civic.Invalid("text", "a Threads post needs text")
	}
	if post.InReplyTo != "" && !facebook.IsID(post.InReplyTo) {
		return nil, civic.Invalid("in_reply_to", "%q is not the id of a Threads post", post.InReplyTo)
	}
	reply := post.InReplyTo != ""
	since, timed := facebook.KeyTime(post.IdempotencyKey)
	if reply && timed {
		if got, err := a.findOwn(ctx, ep, post.Text, since, true); err != nil || got != nil {
			return got, err
		}
	}
	key := ""
	if post.IdempotencyKey != "" {
		key = uid + " " + post.IdempotencyKey
	}
	base := facebook.Base(ep, DefaultBase)
	c, reused := a.made.Get(key, a.now())
	if key != "" && reused {
		if !timed {
			since = c.At
		}
		status, err := a.status(ctx, ep, c.ID)
		switch {
		case civic.PlatformErrorKindOf(err) == civic.PlatformNotFound, status == statusExpired, status == statusError:
			a.made.Forget(key)
			reused = false
		case err != nil:
			return nil, err
		case status == statusPublished:
			return a.alreadyPublished(ctx, ep, key, post.Text, since, reply)
		}
	}
	if key == "" || !reused {
		form := url.Values{"media_type": {"TEXT"}, "text": {post.Text}}
		if reply {
			form.Set("reply_to_id", post.InReplyTo)
		}
		var made struct {
			ID string `json:"id"`
		}
		if _, err := a.c.GetJSON(ctx, platform.Request{Method: http.MethodPost, URL: base + "/" + uid + "/threads", Token: ep.Token.AccessToken, Form: form}, &made); err != nil {
			return nil, err
		}
		if !facebook.IsID(made.ID) {
			return nil, malformed(fmt.Sprintf("the API answered the container with the id %q", made.ID))
		}
		c = facebook.Container{ID: made.ID, At: a.now()}
		if !timed {
			since = c.At
		}
		if key != "" {
			a.made.Put(key, c)
		}
	}
	var out struct {
		ID string `json:"id"`
	}
	_, err = a.c.GetJSON(ctx, platform.Request{Method: http.MethodPost, URL: base + "/" + uid + "/threads_publish", Token: ep.Token.AccessToken,
		Form: url.Values{"creation_id": {c.ID}}}, &out)
	if err == nil && !facebook.IsID(out.ID) {
		err = malformed(fmt.Sprintf("the API answered threads_publish with the id %q", out.ID))
	}
	if err != nil {
		switch civic.PlatformErrorKindOf(err) {
		case civic.PlatformUnavailable, civic.PlatformMalformed, "":
			// The answer may be lost while the post went out.
			if status, serr := a.status(ctx, ep, c.ID); serr == nil && status == statusPublished {
				return a.alreadyPublished(ctx, ep, key, post.Text, since, reply)
			}
		}
		return nil, err
	}
	a.made.Forget(key)
	return a.read(ctx, ep, out.ID, post.Text), nil
}

// alreadyPublished finds the post of a container that is PUBLISHED.
func (a *Adapter) alreadyPublished(ctx context.Context, ep *civic.Endpoint, key, text string, since time.Time, reply bool) (*civic.PublishedPost, error) {
	got, err := a.findOwn(ctx, ep, text, since, reply)
	if err != nil {
		return nil, err
	}
	if got == nil {
		return nil, &civic.PlatformError{Platform: "threads", Kind: civic.PlatformUnavailable,
			Message: "the container was published but its post is not listed yet: try again later (it will not be posted twice)"}
	}
	a.made.Forget(key)
	return got, nil
}

// status reads a container's publishing status.
func (a *Adapter) status(ctx context.Context, ep *civic.Endpoint, id string) (string, error) {
	var st struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	if _, err := a.c.GetJSON(ctx, platform.Request{URL: facebook.Base(ep, DefaultBase) + "/" + id, Query: url.Values{"fields": {"id,status,error_message"}},
		Token: ep.Token.AccessToken}, &st); err != nil {
		return "", err
	}
	if st.Status == "" {
		return "", malformed("the container's status is missing")
	}
	return st.Status, nil
}

// read is the published post as the API lists it; when that read fails,
// the post went out all the same, and is answered with what was sent.
func (a *Adapter) read(ctx context.Context, ep *civic.Endpoint, id, text string) *civic.PublishedPost {
	p := &civic.PublishedPost{ID: id, Text: text, CreatedAt: a.now().UTC()}
	var m item
	if _, err := a.c.GetJSON(ctx, platform.Request{URL: facebook.Base(ep, DefaultBase) + "/" + id, Query: url.Values{"fields": {"id,text,timestamp,permalink"}},
		Token: ep.Token.AccessToken}, &m); err != nil || m.ID != id {
		return p
	}
	p.URL = m.Permalink
	if t := facebook.Time(m.Timestamp); t != nil {
		p.CreatedAt = *t
	}
	return p
}

// item is a post or reply as the user's edges list it.
type item struct {
	ID        string `json:"id"`
	Text      string `json:"text"`
	Timestamp string `json:"timestamp"`
	Permalink string `json:"permalink"`
	MediaType string `json:"media_type"`
	Owner     *struct {
		ID string `json:"id"`
	} `json:"owner"`
}

// list reads the newest items of one of the user's edges (threads or
// replies), newest first.
func (a *Adapter) list(ctx context.Context, ep *civic.Endpoint, edge, fields string, limit int) ([]civic.PublishedPost, error) {
	uid, err := a.user(ep)
	if err != nil {
		return nil, err
	}
	limit = min(max(limit, 1), 100)
	l, err := facebook.GetList(ctx, a.c, facebook.Base(ep, DefaultBase)+"/"+uid+"/"+edge, ep.Token.AccessToken,
		url.Values{"fields": {fields}, "limit": {strconv.Itoa(limit)}})
	if err != nil {
		return nil, err
	}
	out := make([]civic.PublishedPost, 0, len(l.Data))
	for i, raw := range l.Data {
		var m item
		if err := json.Unmarshal(raw, &m); err != nil || !facebook.IsID(m.ID) {
			return nil, facebook.Malformed("threads", fmt.Sprintf("%s data[%d]", edge, i), err)
		}
		if m.MediaType == "REPOST_FACADE" || (m.Owner != nil && m.Owner.ID != uid) {
			continue // a repost of someone else's post
		}
		p := civic.PublishedPost{ID: m.ID, URL: m.Permalink, Text: m.Text}
		if t := facebook.Time(m.Timestamp); t != nil {
			p.CreatedAt = *t
		}
		out = append(out, p)
	}
	return platform.NewestFirst(out, limit), nil
}

// findOwn is the account's newest post (or reply) with text made since
// the time, or nil.
func (a *Adapter) findOwn(ctx context.Context, ep *civic.Endpoint, text string, since time.Time, reply bool) (*civic.PublishedPost, error) {
	edge, fields := "threads", recentFields
	if reply {
		edge, fields = "replies", "id,text,timestamp,permalink,replied_to"
	}
	ps, err := a.list(ctx, ep, edge, fields, ownReplyMax)
	if err != nil {
		return nil, err
	}
	for i := range ps {
		if facebook.SameText(ps[i].Text, text) && !ps[i].CreatedAt.Before(since.Add(-time.Minute)) {
			return &ps[i], nil
		}
	}
	return nil, nil
}

// Recent implements civic.Publisher: the account's own newest threads
// (GET /{user-id}/threads), newest first, its reposts of others left out.
func (a *Adapter) Recent(ctx context.Context, ep *civic.Endpoint, limit int) ([]civic.PublishedPost, error) {
	return a.list(ctx, ep, "threads", recentFields, limit)
}

// DeletePost implements civic.PostDeleter: DELETE /{threads-media-id} of
// a post the account made (permission threads_delete; 100 deletes a day).
// A post already gone answers error 100, subcode 33: not_found.
func (a *Adapter) DeletePost(ctx context.Context, ep *civic.Endpoint, platformID string) error {
	if !facebook.IsID(platformID) {
		return civic.Invalid("platform_id", "%q is not the id of a Threads post", platformID)
	}
	var ok struct {
		Success   *bool  `json:"success"`
		DeletedID string `json:"deleted_id"`
	}
	if _, err := a.c.GetJSON(ctx, platform.Request{Method: http.MethodDelete, URL: facebook.Base(ep, DefaultBase) + "/" + platformID, Token: ep.Token.AccessToken}, &ok); err != nil {
		return err
	}
	if ok.Success == nil || !*ok.Success || (ok.DeletedID != "" && ok.DeletedID != platformID) {
		return malformed("the API did not answer the delete with success and the post's id")
	}
	return nil
}

func malformed(msg string) error {
	return &civic.PlatformError{Platform: "threads", Kind: civic.PlatformMalformed, Message: msg}
}
