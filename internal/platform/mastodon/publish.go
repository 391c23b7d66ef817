package mastodon

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/platform"
)

// Publish implements civic.Publisher: it posts a public status as the
// account with Mastodon's Idempotency-Key header, so that the same key sent
// again (a retry after a lost answer) returns the first status instead of
// posting twice. The post's media are uploaded first, each with its alt
// text as the description, and named in media_ids[]; a retry uploads them
// again (the server drops an upload no status uses), the status is not
// made twice.
func (a *Adapter) Publish(ctx context.Context, ep *civic.Endpoint, post civic.OutgoingPost) (*civic.PublishedPost, error) {
	b, err := base(ep)
	if err != nil {
		return nil, err
	}
	h := http.Header{}
	if post.IdempotencyKey != "" {
		h.Set("Idempotency-Key", post.IdempotencyKey)
	}
	form := url.Values{"status": {post.Text}, "visibility": {"public"}}
	if post.Language != "" {
		form.Set("language", post.Language)
	}
	for _, m := range post.Media {
		id, err := a.upload(ctx, ep, b, m)
		if err != nil {
			return nil, err
		}
		form.Add("media_ids[]", id)
	}
	if post.InReplyTo != "" {
		form.Set("in_reply_to_id", post.InReplyTo)
	}
	resp, err := a.c.Do(ctx, platform.Request{Method: "POST", URL: b + "/api/v1/statuses", Token: ep.Token.AccessToken, Header: h, Form: form})
	if err != nil {
		return nil, err
	}
	var st status
	if err := a.c.Decode(resp.Body, &st); err != nil {
		return nil, err
	}
	if st.ID == "" {
		return nil, &civic.PlatformError{Platform: Name, Kind: civic.PlatformMalformed, Message: "the server answered the post without a status id"}
	}
	return published(st), nil
}

// Recent implements civic.Publisher: the account's newest statuses.
func (a *Adapter) Recent(ctx context.Context, ep *civic.Endpoint, limit int) ([]civic.PublishedPost, error) {
	if ep.RemoteID == "" {
		return nil, &civic.PlatformError{Platform: Name, Kind: civic.PlatformMalformed, Message: "the connection has no account id to list statuses of"}
	}
	var sts []status
	if _, err := a.get(ctx, ep, "/api/v1/accounts/"+url.PathEscape(ep.RemoteID)+"/statuses",
		url.Values{"limit": {strconv.Itoa(limit)}, "exclude_reblogs": {"true"}}, &sts); err != nil {
		return nil, err
	}
	out := make([]civic.PublishedPost, 0, len(sts))
	for _, st := range sts {
		out = append(out, *published(st))
	}
	return out, nil
}

func published(st status) *civic.PublishedPost {
	p := &civic.PublishedPost{ID: st.ID, Text: platform.HTMLText(st.Content), CreatedAt: st.CreatedAt.UTC()}
	if st.URL != nil {
		p.URL = *st.URL
	}
	return p
}

// Edit implements civic.PostEditor: PUT /api/v1/statuses/:id replaces the
// text of a status the account made; the server keeps the earlier
// version in the status's history, where capture reads it. An edit that
// names no media_ids[] drops the status's attachments (GoToSocial), so the
// status is read first and its attachments are named again, in order:
// a correction changes the words, never the images.
func (a *Adapter) Edit(ctx context.Context, ep *civic.Endpoint, platformID string, post civic.OutgoingPost) (*civic.PublishedPost, error) {
	b, err := base(ep)
	if err != nil {
		return nil, err
	}
	if platformID == "" {
		return nil, &civic.PlatformError{Platform: Name, Kind: civic.PlatformMalformed, Message: "no status id to edit"}
	}
	form := url.Values{"status": {post.Text}}
	if post.Language != "" {
		form.Set("language", post.Language)
	}
	var cur status
	if _, err := a.get(ctx, ep, "/api/v1/statuses/"+url.PathEscape(platformID), nil, &cur); err != nil {
		return nil, err
	}
	for _, m := range cur.Media {
		form.Add("media_ids[]", m.ID)
	}
	resp, err := a.c.Do(ctx, platform.Request{Method: "PUT", URL: b + "/api/v1/statuses/" + url.PathEscape(platformID), Token: ep.Token.AccessToken, Form: form})
	if err != nil {
		return nil, err
	}
	var st status
	if err := a.c.Decode(resp.Body, &st); err != nil {
		return nil, err
	}
	if st.ID != platformID {
		return nil, &civic.PlatformError{Platform: Name, Kind: civic.PlatformMalformed, Message: "the server answered the edit with another status"}
	}
	p := published(st)
	if st.EditedAt != nil {
		p.CreatedAt = st.EditedAt.UTC()
	}
	return p, nil
}

// DeletePost implements civic.PostDeleter: DELETE /api/v1/statuses/:id on
// a status the account made. A status already gone answers not_found.
func (a *Adapter) DeletePost(ctx context.Context, ep *civic.Endpoint, platformID string) error {
	b, err := base(ep)
	if err != nil {
		return err
	}
	if platformID == "" {
		return &civic.PlatformError{Platform: Name, Kind: civic.PlatformMalformed, Message: "no status id to delete"}
	}
	_, err = a.c.Do(ctx, platform.Request{Method: "DELETE", URL: b + "/api/v1/statuses/" + url.PathEscape(platformID), Token: ep.Token.AccessToken})
	return err
}
