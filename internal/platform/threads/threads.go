// Package threads is Steward's adapter for Threads through the Threads
// API: the account's threads, every reply in each conversation, hide and
// unhide of top-level replies (manage_reply, which hides the replies under
// them too), the profile, reply webhooks, the long-lived token's refresh,
// and publishing: posts, correction replies and deletes of its own posts. Threads lets no account delete or hold another's reply.
package threads

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/platform"
	"steward.city/steward/internal/platform/facebook"
)

// DefaultBase is the Threads API's production base URL.
const DefaultBase = "https://graph.threads.net/v1.0"

// Adapter is the Threads adapter.
type Adapter struct {
	c    *platform.Client
	now  func() time.Time
	made facebook.Containers // the container made for each idempotency key (publish.go)
}

// New returns the adapter.
func New(cfg platform.Config) *Adapter {
	a := &Adapter{c: facebook.NewClient(cfg, "threads"), now: cfg.Now}
	if a.now == nil {
		a.now = time.Now
	}
	return a
}

// Client is the adapter's HTTP client (its transport is the guard).
func (a *Adapter) Client() *platform.Client { return a.c }

// Name implements civic.Platform.
func (a *Adapter) Name() string { return "threads" }

// Capabilities implements civic.Platform. It publishes and deletes the
// account's own posts (publish.go); the API has no edit.
func (a *Adapter) Capabilities() civic.Capabilities {
	return civic.Capabilities{civic.CapListPosts, civic.CapListComments, civic.CapDeletions, civic.CapWebhooks,
		civic.CapHide, civic.CapPublish, civic.CapReadProfile}
}

const (
	threadFields = "id,media_product_type,media_type,media_url,permalink,owner,username,text,timestamp,shortcode,is_quote_post"
	replyFields  = "id,text,timestamp,username,permalink,media_type,replied_to,root_post,is_reply,hide_status"
)

type media struct {
	ID        string `json:"id"`
	Text      string `json:"text"`
	Timestamp string `json:"timestamp"`
	Username  string `json:"username"`
	Owner     *struct {
		ID string `json:"id"`
	} `json:"owner"`
	RepliedTo *struct {
		ID string `json:"id"`
	} `json:"replied_to"`
	RootPost *struct {
		ID       string `json:"id"`
		OwnerID  string `json:"owner_id"`
		Username string `json:"username"`
	} `json:"root_post"`
	HideStatus string `json:"hide_status"`
}

// Poll implements civic.Platform: one page of the account's threads and
// each one's whole conversation.
func (a *Adapter) Poll(ctx context.Context, ep *civic.Endpoint, cursor string) (*civic.Page, error) {
	base := facebook.Base(ep, DefaultBase)
	q := url.Values{"fields": {threadFields}, "limit": {"25"}}
	if cursor != "" {
		facebook.SetCursor(q, cursor)
	}
	l, err := facebook.GetList(ctx, a.c, base+"/"+url.PathEscape(ep.RemoteID)+"/threads", ep.Token.AccessToken, q)
	if err != nil {
		return nil, err
	}
	page := &civic.Page{Next: l.Paging.After()}
	for i, raw := range l.Data {
		root, err := observe(raw, "")
		if err != nil {
			return nil, facebook.Malformed("threads", fmt.Sprintf("threads data[%d]", i), err)
		}
		th := civic.Thread{Root: root}
		replies, err := facebook.GetAll(ctx, a.c, base+"/"+url.PathEscape(root.PlatformID)+"/conversation", ep.Token.AccessToken,
			url.Values{"fields": {replyFields}, "reverse": {"false"}, "limit": {"100"}}, 1000)
		switch civic.PlatformErrorKindOf(err) {
		case "":
			th.Complete = true
		case civic.PlatformNotFound:
		default:
			return nil, err
		}
		for j, raw := range replies {
			o, err := observe(raw, root.PlatformID)
			if err != nil {
				return nil, facebook.Malformed("threads", fmt.Sprintf("conversation of %s data[%d]", root.PlatformID, j), err)
			}
			th.Items = append(th.Items, o)
		}
		page.Threads = append(page.Threads, th)
	}
	return page, nil
}

func observe(raw json.RawMessage, rootID string) (civic.Observation, error) {
	var m media
	if err := json.Unmarshal(raw, &m); err != nil {
		return civic.Observation{}, err
	}
	if m.ID == "" {
		return civic.Observation{}, fmt.Errorf("id is missing")
	}
	o := civic.Observation{PlatformID: m.ID, Kind: civic.ItemPost, ThreadID: m.ID, Text: m.Text, State: civic.StateVisible,
		PlatformTime: facebook.Time(m.Timestamp), Author: civic.Author{Handle: m.Username}, Raw: append([]byte(nil), raw...)}
	if m.Owner != nil {
		o.Author.ID = m.Owner.ID
	}
	if rootID != "" {
		o.ThreadID, o.Kind, o.ParentID = rootID, civic.ItemComment, rootID
		if m.RepliedTo != nil && m.RepliedTo.ID != "" && m.RepliedTo.ID != rootID {
			o.Kind, o.ParentID = civic.ItemReply, m.RepliedTo.ID
		}
	}
	if m.HideStatus == "HIDDEN" || m.HideStatus == "COVERED" {
		o.State = civic.StateHidden
	}
	return o, nil
}

// Profile implements civic.Platform.
func (a *Adapter) Profile(ctx context.Context, ep *civic.Endpoint) (*civic.RemoteProfile, error) {
	var p struct {
		ID        string `json:"id"`
		Username  string `json:"username"`
		Name      string `json:"name"`
		Biography string `json:"threads_biography"`
	}
	resp, err := a.c.GetJSON(ctx, platform.Request{URL: facebook.Base(ep, DefaultBase) + "/" + url.PathEscape(ep.RemoteID),
		Query: url.Values{"fields": {"id,username,name,threads_biography,threads_profile_picture_url"}}, Token: ep.Token.AccessToken}, &p)
	if err != nil {
		return nil, err
	}
	return &civic.RemoteProfile{RemoteID: p.ID, Handle: p.Username, DisplayName: p.Name, Bio: p.Biography, Raw: resp.Body}, nil
}

// Follows implements civic.Platform: the API does not list them.
func (a *Adapter) Follows(context.Context, *civic.Endpoint) ([]civic.RemoteAccount, error) {
	return nil, civic.ErrUnsupported
}

// Blocks implements civic.Platform: the API does not list them.
func (a *Adapter) Blocks(context.Context, *civic.Endpoint) ([]civic.RemoteAccount, error) {
	return nil, civic.ErrUnsupported
}

// Moderate implements civic.Platform: hide and unhide a top-level reply.
func (a *Adapter) Moderate(ctx context.Context, ep *civic.Endpoint, id string, action civic.PlatformAction) error {
	if action != civic.ActionHide && action != civic.ActionUnhide {
		return civic.ErrUnsupported
	}
	hide := "false"
	if action == civic.ActionHide {
		hide = "true"
	}
	return facebook.Success(ctx, a.c, platform.Request{Method: http.MethodPost, URL: facebook.Base(ep, DefaultBase) + "/" + url.PathEscape(id) + "/manage_reply",
		Form: url.Values{"hide": {hide}}, Token: ep.Token.AccessToken})
}

// Refresh implements civic.Refresher: a long-lived token (60 days) is
// refreshed with grant_type=th_refresh_token before it expires.
func (a *Adapter) Refresh(ctx context.Context, ep *civic.Endpoint) (civic.PlatformToken, error) {
	return platform.RefreshGrant(ctx, a.c, platform.Request{URL: facebook.Base(ep, "https://graph.threads.net") + "/refresh_access_token",
		Query: url.Values{"grant_type": {"th_refresh_token"}, "access_token": {ep.Token.AccessToken}}}, ep.Token, a.now())
}

// Challenge implements civic.Pusher.
func (a *Adapter) Challenge(q url.Values, verifyToken string) (string, error) {
	return facebook.Challenge(q, verifyToken)
}

// delivery is a Threads webhook delivery.
type delivery struct {
	AppID    string `json:"app_id"`
	Topic    string `json:"topic"`
	TargetID string `json:"target_id"`
	Time     int64  `json:"time"`
	Values   struct {
		Value json.RawMessage `json:"value"`
		Field string          `json:"field"`
	} `json:"values"`
}

// Delivery implements civic.Pusher: "replies" notifications on the
// account's threads, signed like every Meta webhook.
func (a *Adapter) Delivery(h http.Header, body []byte, appSecret string, now time.Time) ([]civic.Pushed, error) {
	if err := facebook.VerifySignature(h, body, appSecret); err != nil {
		return nil, err
	}
	var d delivery
	if err := json.Unmarshal(body, &d); err != nil {
		return nil, fmt.Errorf("the delivery is not JSON: %w", err)
	}
	if err := facebook.CheckAge(d.Time, now); err != nil {
		return nil, err
	}
	if d.Values.Field != "replies" {
		return nil, nil
	}
	var m media
	if err := json.Unmarshal(d.Values.Value, &m); err != nil {
		return nil, fmt.Errorf("values.value: %w", err)
	}
	if m.RootPost == nil || m.RootPost.ID == "" {
		return nil, fmt.Errorf("values.value.root_post.id is required")
	}
	o, err := observe(d.Values.Value, m.RootPost.ID)
	if err != nil {
		return nil, fmt.Errorf("values.value: %w", err)
	}
	return []civic.Pushed{{RemoteAccountID: d.TargetID, Observation: o}}, nil
}

// Lookup implements civic.Lookuper: GET /{thread-id}. The Threads API,
// like the Graph API, answers a deleted post with error 100, subcode 33:
// a not_found PlatformError.
func (a *Adapter) Lookup(ctx context.Context, ep *civic.Endpoint, id string) (*civic.Observation, error) {
	if id == "" {
		return nil, &civic.PlatformError{Platform: "threads", Kind: civic.PlatformMalformed, Message: "no thread id to look up"}
	}
	var raw json.RawMessage
	if _, err := a.c.GetJSON(ctx, platform.Request{URL: facebook.Base(ep, DefaultBase) + "/" + url.PathEscape(id),
		Query: url.Values{"fields": {threadFields}}, Token: ep.Token.AccessToken}, &raw); err != nil {
		return nil, err
	}
	o, err := observe(raw, "")
	if err != nil {
		return nil, facebook.Malformed("threads", "thread "+id, err)
	}
	return &o, nil
}
