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
// posting twice.
func (a *Adapter) Publish(ctx context.Context, ep *civic.Endpoint, post civic.OutgoingPost) (*civic.PublishedPost, error) {
	b, err := base(ep)
	if err != nil {
		return nil, err
	}
	h := http.Header{}
	if post.IdempotencyKey != "" {
		h.Set("Idempotency-Key", post.IdempotencyKey)
	}
	resp, err := a.c.Do(ctx, platform.Request{Method: "POST", URL: b + "/api/v1/statuses", Token: ep.Token.AccessToken, Header: h,
		Form: url.Values{"status": {post.Text}, "visibility": {"public"}}})
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
