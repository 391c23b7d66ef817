// Package tiktok is Steward's adapter for TikTok through the Display API
// (open.tiktokapis.com v2): the account's profile and its own videos.
// TikTok's public APIs give an account's own comments to nobody but
// approved researchers, and offer no hide, delete, follows or blocks: those
// are ErrUnsupported, and comments must be kept another way (a records
// export from TikTok's data download).
package tiktok

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

// DefaultBase is the API's production base URL.
const DefaultBase = "https://open.tiktokapis.com"

// Adapter is the TikTok adapter.
type Adapter struct {
	c   *platform.Client
	now func() time.Time
}

// New returns the adapter.
func New(cfg platform.Config) *Adapter {
	a := &Adapter{c: cfg.Client("tiktok"), now: cfg.Now}
	if a.now == nil {
		a.now = time.Now
	}
	a.c.Classify = classify
	return a
}

// Client is the adapter's HTTP client (its transport is the guard).
func (a *Adapter) Client() *platform.Client { return a.c }

// Name implements civic.Platform.
func (a *Adapter) Name() string { return "tiktok" }

// Capabilities implements civic.Platform.
func (a *Adapter) Capabilities() civic.Capabilities {
	return civic.Capabilities{civic.CapListPosts, civic.CapReadProfile}
}

func base(ep *civic.Endpoint) string {
	if ep.BaseURL != "" {
		return strings.TrimRight(ep.BaseURL, "/")
	}
	return DefaultBase
}

// apiError is the error block every answer carries ("ok" on success).
type apiError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	LogID   string `json:"log_id"`
}

func classify(status int, h http.Header, body []byte) *civic.PlatformError {
	var e struct {
		Error apiError `json:"error"`
	}
	if json.Unmarshal(body, &e) != nil {
		return nil
	}
	switch e.Error.Code {
	case "access_token_invalid", "scope_not_authorized", "scope_permission_missed":
		return &civic.PlatformError{Kind: civic.PlatformAuth, Message: e.Error.Code + ": " + e.Error.Message}
	case "rate_limit_exceeded":
		return nil // a 429: the default rules read Retry-After
	case "invalid_params":
		return &civic.PlatformError{Kind: civic.PlatformMalformed, Message: e.Error.Message}
	}
	return nil
}

type video struct {
	ID               string `json:"id"`
	Title            string `json:"title"`
	VideoDescription string `json:"video_description"`
	CreateTime       int64  `json:"create_time"`
	ShareURL         string `json:"share_url"`
}

// Poll implements civic.Platform: one page of the account's videos, each
// a thread with no comments (the API does not give them). The cursor is
// TikTok's own (a time in milliseconds).
func (a *Adapter) Poll(ctx context.Context, ep *civic.Endpoint, cursor string) (*civic.Page, error) {
	body := map[string]any{"max_count": 20}
	if cursor != "" {
		n, err := strconv.ParseInt(cursor, 10, 64)
		if err != nil {
			return nil, civic.Invalid("cursor", "the TikTok cursor must be a number, not %q", cursor)
		}
		body["cursor"] = n
	}
	var out struct {
		Data struct {
			Videos  []json.RawMessage `json:"videos"`
			Cursor  int64             `json:"cursor"`
			HasMore bool              `json:"has_more"`
		} `json:"data"`
		Error apiError `json:"error"`
	}
	_, err := a.c.GetJSON(ctx, platform.Request{Method: http.MethodPost, URL: base(ep) + "/v2/video/list/",
		Query: url.Values{"fields": {"id,title,video_description,create_time,share_url,embed_link,duration"}}, JSON: body, Token: ep.Token.AccessToken}, &out)
	if err != nil {
		return nil, err
	}
	if out.Error.Code != "" && out.Error.Code != "ok" {
		return nil, &civic.PlatformError{Platform: "tiktok", Kind: civic.PlatformMalformed, Message: out.Error.Code + ": " + out.Error.Message}
	}
	page := &civic.Page{}
	if out.Data.HasMore {
		page.Next = strconv.FormatInt(out.Data.Cursor, 10)
	}
	for i, raw := range out.Data.Videos {
		var v video
		if err := json.Unmarshal(raw, &v); err != nil || v.ID == "" {
			return nil, &civic.PlatformError{Platform: "tiktok", Kind: civic.PlatformMalformed, Message: fmt.Sprintf("the answer is not the JSON the API documents at data.videos[%d]", i), Err: err}
		}
		text := v.Title
		if v.VideoDescription != "" && v.VideoDescription != v.Title {
			text = strings.TrimSpace(text + "\n\n" + v.VideoDescription)
		}
		o := civic.Observation{PlatformID: v.ID, Kind: civic.ItemPost, ThreadID: v.ID, Text: text, State: civic.StateVisible,
			Author: civic.Author{ID: ep.RemoteID, Handle: ep.Handle}, Raw: append([]byte(nil), raw...)}
		if v.CreateTime > 0 {
			t := time.Unix(v.CreateTime, 0).UTC()
			o.PlatformTime = &t
		}
		page.Threads = append(page.Threads, civic.Thread{Root: o})
	}
	return page, nil
}

// Profile implements civic.Platform.
func (a *Adapter) Profile(ctx context.Context, ep *civic.Endpoint) (*civic.RemoteProfile, error) {
	var out struct {
		Data struct {
			User struct {
				OpenID          string `json:"open_id"`
				Username        string `json:"username"`
				DisplayName     string `json:"display_name"`
				BioDescription  string `json:"bio_description"`
				ProfileDeepLink string `json:"profile_deep_link"`
			} `json:"user"`
		} `json:"data"`
	}
	resp, err := a.c.GetJSON(ctx, platform.Request{URL: base(ep) + "/v2/user/info/",
		Query: url.Values{"fields": {"open_id,union_id,avatar_url,display_name,bio_description,profile_deep_link,username"}}, Token: ep.Token.AccessToken}, &out)
	if err != nil {
		return nil, err
	}
	u := out.Data.User
	rp := &civic.RemoteProfile{RemoteID: u.OpenID, Handle: u.Username, DisplayName: u.DisplayName, Bio: u.BioDescription, Raw: resp.Body}
	if u.ProfileDeepLink != "" {
		rp.Fields = append(rp.Fields, "profile: "+u.ProfileDeepLink)
	}
	return rp, nil
}

// Follows implements civic.Platform: the API does not list them.
func (a *Adapter) Follows(context.Context, *civic.Endpoint) ([]civic.RemoteAccount, error) {
	return nil, civic.ErrUnsupported
}

// Blocks implements civic.Platform: the API does not list them.
func (a *Adapter) Blocks(context.Context, *civic.Endpoint) ([]civic.RemoteAccount, error) {
	return nil, civic.ErrUnsupported
}

// Moderate implements civic.Platform: the API offers no comment moderation.
func (a *Adapter) Moderate(context.Context, *civic.Endpoint, string, civic.PlatformAction) error {
	return civic.ErrUnsupported
}

// Refresh implements civic.Refresher: POST /v2/oauth/token/ with
// grant_type=refresh_token, the client key and secret. Access tokens last
// a day, refresh tokens a year.
func (a *Adapter) Refresh(ctx context.Context, ep *civic.Endpoint) (civic.PlatformToken, error) {
	t := ep.Token
	if t.RefreshToken == "" {
		return t, &civic.PlatformError{Platform: "tiktok", Kind: civic.PlatformAuth, Message: "the credential has no refresh token"}
	}
	return platform.RefreshGrant(ctx, a.c, platform.Request{Method: http.MethodPost, URL: base(ep) + "/v2/oauth/token/", Form: url.Values{
		"client_key": {t.ClientID}, "client_secret": {t.ClientSecret}, "grant_type": {"refresh_token"}, "refresh_token": {t.RefreshToken}}}, t, a.now())
}
