package platform

import (
	"context"
	"encoding/base64"
	"errors"
	"net/url"
	"time"

	"steward.city/steward/internal/civic"
)

// RefreshGrant sends an OAuth 2.0 refresh_token grant (RFC 6749 §6) and
// returns the new token: old with its access token, expiry and, when the
// server rotates it, refresh token replaced. A server that sends no
// access token is PlatformMalformed; a refused grant is PlatformAuth.
func RefreshGrant(ctx context.Context, c *Client, req Request, old civic.PlatformToken, now time.Time) (civic.PlatformToken, error) {
	var out struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
		ExpiresIn    int64  `json:"expires_in"`
		Error        string `json:"error"`
		Description  string `json:"error_description"`
	}
	resp, err := c.Do(ctx, req)
	if err != nil {
		// RFC 6749 answers a refused grant with 400 invalid_grant: the
		// credential must be connected again.
		var pe *civic.PlatformError
		if errors.As(err, &pe) && pe.Kind == civic.PlatformMalformed && pe.Status == 400 {
			pe.Kind = civic.PlatformAuth
		}
		return old, err
	}
	if err := c.Decode(resp.Body, &out); err != nil {
		return old, err
	}
	if out.AccessToken == "" {
		return old, &civic.PlatformError{Platform: c.Platform, Kind: civic.PlatformMalformed, Message: "the token answer has no access_token " + out.Error + " " + out.Description}
	}
	t := old
	t.AccessToken = out.AccessToken
	if out.RefreshToken != "" {
		t.RefreshToken = out.RefreshToken
	}
	t.ExpiresAt = nil
	if out.ExpiresIn > 0 {
		exp := now.Add(time.Duration(out.ExpiresIn) * time.Second).UTC()
		t.ExpiresAt = &exp
	}
	return t, nil
}

// BasicAuth is the Authorization header value for HTTP Basic with an
// OAuth client's id and secret (form-encoded first, as RFC 6749 §2.3.1 asks).
func BasicAuth(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret)))
}
