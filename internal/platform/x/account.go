package x

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

// Profile implements civic.Platform.
func (a *Adapter) Profile(ctx context.Context, ep *civic.Endpoint) (*civic.RemoteProfile, error) {
	var p struct {
		Data struct {
			ID          string `json:"id"`
			Name        string `json:"name"`
			Username    string `json:"username"`
			Description string `json:"description"`
			URL         string `json:"url"`
			Location    string `json:"location"`
			Entities    struct {
				URL struct {
					URLs []struct {
						ExpandedURL string `json:"expanded_url"`
					} `json:"urls"`
				} `json:"url"`
			} `json:"entities"`
		} `json:"data"`
	}
	resp, err := a.c.GetJSON(ctx, platform.Request{URL: base(ep) + "/2/users/" + url.PathEscape(ep.RemoteID),
		Query: url.Values{"user.fields": {"description,url,entities,location"}}, Token: ep.Token.AccessToken}, &p)
	if err != nil {
		return nil, err
	}
	d := p.Data
	rp := &civic.RemoteProfile{RemoteID: d.ID, Handle: d.Username, DisplayName: d.Name, Bio: d.Description, Website: d.URL, Raw: resp.Body}
	if u := d.Entities.URL.URLs; len(u) > 0 && u[0].ExpandedURL != "" {
		rp.Website = u[0].ExpandedURL // url is a t.co link
	}
	if d.Location != "" {
		rp.Fields = append(rp.Fields, "location: "+d.Location)
	}
	return rp, nil
}

// Follows implements civic.Platform.
func (a *Adapter) Follows(ctx context.Context, ep *civic.Endpoint) ([]civic.RemoteAccount, error) {
	return a.users(ctx, ep, "following", "")
}

// Blocks implements civic.Platform: GET /2/users/:id/blocking, read only.
// Mutes are listed too (GET /2/users/:id/muting).
func (a *Adapter) Blocks(ctx context.Context, ep *civic.Endpoint) ([]civic.RemoteAccount, error) {
	b, err := a.users(ctx, ep, "blocking", "block")
	if err != nil {
		return nil, err
	}
	m, err := a.users(ctx, ep, "muting", "mute")
	if err != nil {
		return nil, err
	}
	return append(b, m...), nil
}

func (a *Adapter) users(ctx context.Context, ep *civic.Endpoint, edge, kind string) ([]civic.RemoteAccount, error) {
	q := url.Values{"max_results": {"1000"}}
	var out []civic.RemoteAccount
	for range 1000 {
		l, err := a.get(ctx, ep, "/2/users/"+url.PathEscape(ep.RemoteID)+"/"+edge, q)
		if err != nil {
			return nil, err
		}
		for i, raw := range l.Data {
			var u user
			if err := json.Unmarshal(raw, &u); err != nil {
				return nil, malformed(fmt.Sprintf("%s data[%d]", edge, i), err)
			}
			out = append(out, civic.RemoteAccount{RemoteID: u.ID, Handle: u.Username, Name: u.Name, URL: "https://x.com/" + u.Username, Kind: kind})
		}
		if l.Meta.NextToken == "" {
			return out, nil
		}
		q.Set("pagination_token", l.Meta.NextToken)
	}
	return out, malformed(edge, fmt.Errorf("paging did not end"))
}

// Moderate implements civic.Platform: hide and unhide a reply to the
// account's post (PUT /2/tweets/:id/hidden). X does not let an account
// delete or hold someone else's reply.
func (a *Adapter) Moderate(ctx context.Context, ep *civic.Endpoint, id string, action civic.PlatformAction) error {
	if action != civic.ActionHide && action != civic.ActionUnhide {
		return civic.ErrUnsupported
	}
	var out struct {
		Data struct {
			Hidden bool `json:"hidden"`
		} `json:"data"`
	}
	_, err := a.c.GetJSON(ctx, platform.Request{Method: http.MethodPut, URL: base(ep) + "/2/tweets/" + url.PathEscape(id) + "/hidden",
		JSON: map[string]bool{"hidden": action == civic.ActionHide}, Token: ep.Token.AccessToken}, &out)
	if err != nil {
		return err
	}
	if out.Data.Hidden != (action == civic.ActionHide) {
		return &civic.PlatformError{Platform: "x", Kind: civic.PlatformMalformed, Message: fmt.Sprintf("asked hidden=%v, the API answered %v", action == civic.ActionHide, out.Data.Hidden)}
	}
	return nil
}

// Refresh implements civic.Refresher: the OAuth 2.0 refresh_token grant
// at /2/oauth2/token (confidential clients authenticate with Basic).
func (a *Adapter) Refresh(ctx context.Context, ep *civic.Endpoint) (civic.PlatformToken, error) {
	t := ep.Token
	if t.RefreshToken == "" {
		return t, &civic.PlatformError{Platform: "x", Kind: civic.PlatformAuth, Message: "the credential has no refresh token"}
	}
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {t.RefreshToken}, "client_id": {t.ClientID}}
	req := platform.Request{Method: http.MethodPost, URL: base(ep) + "/2/oauth2/token", Form: form}
	if t.ClientSecret != "" {
		req.Header = http.Header{"Authorization": {platform.BasicAuth(t.ClientID, t.ClientSecret)}}
	}
	return platform.RefreshGrant(ctx, a.c, req, t, a.now())
}

// classify reads X's error bodies: a 403 "client-not-enrolled" or
// "usage-capped" is an account problem or a spent monthly cap.
func classify(status int, h http.Header, body []byte) *civic.PlatformError {
	var e struct {
		Title  string `json:"title"`
		Detail string `json:"detail"`
		Type   string `json:"type"`
		Reason string `json:"reason"`
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	if json.Unmarshal(body, &e) != nil {
		return nil
	}
	if e.Title == "UsageCapExceeded" || e.Reason == "usage-capped" {
		return &civic.PlatformError{Kind: civic.PlatformRateLimited, RetryAfter: 24 * time.Hour, Message: e.Detail}
	}
	// POST /2/tweets refuses with 403 what is neither a token nor a plan
	// problem: a text the account posted recently, and a reply to a post
	// that is gone. Left to the default rules, both would read as "auth"
	// and ask for the account to be connected again.
	if status == http.StatusForbidden {
		d := strings.ToLower(e.Detail)
		switch {
		case strings.Contains(d, "duplicate content"):
			return &civic.PlatformError{Kind: civic.PlatformMalformed,
				Message: "X refused the text as a duplicate of a recent post of the account (" + e.Detail + "): change the text, or find the earlier post"}
		case strings.Contains(d, "deleted or not visible"):
			return &civic.PlatformError{Kind: civic.PlatformNotFound, Message: e.Detail}
		}
	}
	// An invalid request (a text too long, a field refused) names what
	// was wrong in errors[].message, past the start of the body.
	if status == http.StatusBadRequest && len(e.Errors) > 0 && e.Errors[0].Message != "" {
		return &civic.PlatformError{Kind: civic.PlatformMalformed, Message: "X refused the request: " + e.Errors[0].Message}
	}
	return nil
}
