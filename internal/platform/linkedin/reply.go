package linkedin

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/platform"
)

// maxCommentPages bounds how many pages of a post's comments a reply
// reads for an earlier copy of itself.
const maxCommentPages = 10

// comment posts text as a comment of the organization on the post target
// (Comments API: POST /rest/socialActions/{encoded urn}/comments with
// actor the organization, object the post and message.text; w_organization_social
// lets a page administrator comment as the page). Comments are not posts,
// so Recent cannot find one whose answer was lost: the post's comments
// are read first, and a comment of the organization there with the same
// text is the reply, not posted again.
func (a *Adapter) comment(ctx context.Context, ep *civic.Endpoint, target, text string) (*civic.PublishedPost, error) {
	if !isPostURN(target) {
		return nil, civic.Invalid("in_reply_to", "%q is not the URN of a LinkedIn post", target)
	}
	org := orgURN(ep)
	if got, err := a.ownComment(ctx, ep, target, org, text); err != nil || got != nil {
		return got, err
	}
	body := map[string]any{"actor": org, "object": target, "message": map[string]string{"text": text}}
	resp, err := a.c.Do(ctx, platform.Request{Method: http.MethodPost, URL: base(ep) + "/rest/socialActions/" + encodeURN(target) + "/comments",
		Token: ep.Token.AccessToken, Header: headers, JSON: body})
	if err != nil {
		return nil, err
	}
	var c comment
	if len(resp.Body) > 0 {
		if err := json.Unmarshal(resp.Body, &c); err != nil {
			return nil, malformed("the comment created on "+target, err)
		}
	}
	id := commentID(c)
	if id == "" {
		id = resp.Header.Get("X-Restli-Id")
	}
	if id == "" || (c.Actor != "" && c.Actor != org) {
		return nil, malformed("the comment created on "+target, fmt.Errorf("no comment URN, or a comment of %q", c.Actor))
	}
	p := &civic.PublishedPost{ID: id, URL: commentURL(target, id), Text: text, CreatedAt: a.now().UTC()}
	if t := millis(c.Created.Time); t != nil {
		p.CreatedAt = *t
	}
	return p, nil
}

// ownComment returns the organization's comment on target that says
// text, or nil when there is none (GET /rest/socialActions/{urn}/comments,
// offset paging).
func (a *Adapter) ownComment(ctx context.Context, ep *civic.Endpoint, target, org, text string) (*civic.PublishedPost, error) {
	start := 0
	for range maxCommentPages {
		l, err := a.get(ctx, ep, "/rest/socialActions/"+encodeURN(target)+"/comments", url.Values{"start": {strconv.Itoa(start)}, "count": {"100"}})
		if err != nil {
			return nil, err
		}
		for i, raw := range l.Elements {
			var c comment
			if err := json.Unmarshal(raw, &c); err != nil {
				return nil, malformed(fmt.Sprintf("comments of %s elements[%d]", target, i), err)
			}
			if id := commentID(c); id != "" && c.Actor == org && sameText(c.Message.Text, text) {
				p := &civic.PublishedPost{ID: id, URL: commentURL(target, id), Text: c.Message.Text}
				if t := millis(c.Created.Time); t != nil {
					p.CreatedAt = *t
				}
				return p, nil
			}
		}
		if !l.more() || len(l.Elements) == 0 {
			return nil, nil
		}
		start += len(l.Elements)
	}
	return nil, nil
}

// commentID is a comment's id as capture records it: its URN, or its
// bare id when the answer has no URN.
func commentID(c comment) string {
	if c.CommentURN != "" {
		return c.CommentURN
	}
	return c.ID
}

// commentURL is the comment's address: its post, opened at the comment.
func commentURL(post, id string) string {
	return postURL(post) + "?commentUrn=" + url.QueryEscape(id)
}
