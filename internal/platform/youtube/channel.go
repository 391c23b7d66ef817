package youtube

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/platform"
)

// Profile implements civic.Platform: the channel's title, handle and
// description (the API no longer returns the channel's links).
func (a *Adapter) Profile(ctx context.Context, ep *civic.Endpoint) (*civic.RemoteProfile, error) {
	var l struct {
		Items []struct {
			ID      string `json:"id"`
			Snippet struct {
				Title       string `json:"title"`
				Description string `json:"description"`
				CustomURL   string `json:"customUrl"`
				Country     string `json:"country"`
			} `json:"snippet"`
		} `json:"items"`
	}
	resp, err := a.c.GetJSON(ctx, platform.Request{URL: base(ep) + "/channels", Query: url.Values{"part": {"snippet"}, "id": {ep.RemoteID}}, Token: ep.Token.AccessToken}, &l)
	if err != nil {
		return nil, err
	}
	if len(l.Items) == 0 {
		return nil, &civic.PlatformError{Platform: "youtube", Kind: civic.PlatformNotFound, Message: "no channel with the id " + ep.RemoteID}
	}
	c := l.Items[0]
	rp := &civic.RemoteProfile{RemoteID: c.ID, Handle: c.Snippet.CustomURL, DisplayName: c.Snippet.Title, Bio: c.Snippet.Description, Raw: resp.Body}
	if c.Snippet.Country != "" {
		rp.Fields = append(rp.Fields, "country: "+c.Snippet.Country)
	}
	return rp, nil
}

// Follows implements civic.Platform: the channel's public subscriptions.
func (a *Adapter) Follows(ctx context.Context, ep *civic.Endpoint) ([]civic.RemoteAccount, error) {
	q := url.Values{"part": {"snippet"}, "channelId": {ep.RemoteID}, "maxResults": {"50"}}
	var out []civic.RemoteAccount
	for range 1000 {
		l, err := a.get(ctx, ep, "/subscriptions", q)
		if err != nil {
			return nil, err
		}
		for i, raw := range l.Items {
			var s struct {
				Snippet struct {
					Title      string `json:"title"`
					ResourceID struct {
						ChannelID string `json:"channelId"`
					} `json:"resourceId"`
				} `json:"snippet"`
			}
			if err := json.Unmarshal(raw, &s); err != nil {
				return nil, malformed(fmt.Sprintf("subscriptions items[%d]", i), err)
			}
			id := s.Snippet.ResourceID.ChannelID
			out = append(out, civic.RemoteAccount{RemoteID: id, Name: s.Snippet.Title, URL: "https://www.youtube.com/channel/" + id})
		}
		if l.NextPageToken == "" {
			return out, nil
		}
		q.Set("pageToken", l.NextPageToken)
	}
	return out, malformed("subscriptions", fmt.Errorf("paging did not end"))
}

// Blocks implements civic.Platform: the API does not show them.
func (a *Adapter) Blocks(context.Context, *civic.Endpoint) ([]civic.RemoteAccount, error) {
	return nil, civic.ErrUnsupported
}

// Refresh implements civic.Refresher: Google's refresh_token grant.
// Google keeps the refresh token; the answer carries a new access token.
func (a *Adapter) Refresh(ctx context.Context, ep *civic.Endpoint) (civic.PlatformToken, error) {
	t := ep.Token
	if t.RefreshToken == "" {
		return t, &civic.PlatformError{Platform: "youtube", Kind: civic.PlatformAuth, Message: "the credential has no refresh token"}
	}
	u := TokenURL
	if ep.BaseURL != "" {
		u = base(ep) + "/token"
	}
	return platform.RefreshGrant(ctx, a.c, platform.Request{Method: http.MethodPost, URL: u, Form: url.Values{
		"grant_type": {"refresh_token"}, "refresh_token": {t.RefreshToken}, "client_id": {t.ClientID}, "client_secret": {t.ClientSecret}}}, t, a.now())
}
