package linkedin

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/platform"
)

// Profile implements civic.Platform: the organization's name, vanity name,
// description and website.
func (a *Adapter) Profile(ctx context.Context, ep *civic.Endpoint) (*civic.RemoteProfile, error) {
	var o struct {
		ID                   int64  `json:"id"`
		LocalizedName        string `json:"localizedName"`
		VanityName           string `json:"vanityName"`
		LocalizedDescription string `json:"localizedDescription"`
		LocalizedWebsite     string `json:"localizedWebsite"`
	}
	id := strings.TrimPrefix(ep.RemoteID, "urn:li:organization:")
	resp, err := a.c.GetJSON(ctx, platform.Request{URL: base(ep) + "/rest/organizations/" + url.PathEscape(id), Token: ep.Token.AccessToken, Header: headers}, &o)
	if err != nil {
		return nil, err
	}
	return &civic.RemoteProfile{RemoteID: id, Handle: o.VanityName, DisplayName: o.LocalizedName, Bio: o.LocalizedDescription, Website: o.LocalizedWebsite, Raw: resp.Body}, nil
}

// Follows implements civic.Platform: the API does not list them.
func (a *Adapter) Follows(context.Context, *civic.Endpoint) ([]civic.RemoteAccount, error) {
	return nil, civic.ErrUnsupported
}

// Blocks implements civic.Platform: the API does not list them.
func (a *Adapter) Blocks(context.Context, *civic.Endpoint) ([]civic.RemoteAccount, error) {
	return nil, civic.ErrUnsupported
}

// Moderate implements civic.Platform: the API lets a page neither hide
// nor delete another member's comment.
func (a *Adapter) Moderate(context.Context, *civic.Endpoint, string, civic.PlatformAction) error {
	return civic.ErrUnsupported
}

// Refresh implements civic.Refresher: LinkedIn's programmatic refresh
// tokens (granted to approved partners) with grant_type=refresh_token.
func (a *Adapter) Refresh(ctx context.Context, ep *civic.Endpoint) (civic.PlatformToken, error) {
	t := ep.Token
	if t.RefreshToken == "" {
		return t, &civic.PlatformError{Platform: "linkedin", Kind: civic.PlatformAuth, Message: "the credential has no refresh token; LinkedIn grants them to approved partners only"}
	}
	u := TokenURL
	if ep.BaseURL != "" {
		u = base(ep) + "/oauth/v2/accessToken"
	}
	return platform.RefreshGrant(ctx, a.c, platform.Request{Method: http.MethodPost, URL: u, Form: url.Values{
		"grant_type": {"refresh_token"}, "refresh_token": {t.RefreshToken}, "client_id": {t.ClientID}, "client_secret": {t.ClientSecret}}}, t, a.now())
}
