// Package instagram is Steward's adapter for Instagram professional
// accounts through the Instagram Graph API: the account's media, their
// comments and replies, hide, unhide and delete of comments, the profile,
// comment webhooks, and publishing through the Content Publishing API:
// posts of one to ten JPEG images and correction comments (publish.go).
// Instagram sends no webhook when a comment is deleted: a comment absent
// from a complete thread is how deletion shows.
package instagram

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

// Adapter is the Instagram adapter.
type Adapter struct {
	c    *platform.Client
	now  func() time.Time
	made facebook.Containers // the container made for each idempotency key (publish.go)
	// pause is the wait between reads of a new container's status while
	// Instagram fetches its images.
	pause time.Duration
}

// New returns the adapter.
func New(cfg platform.Config) *Adapter {
	a := &Adapter{c: facebook.NewClient(cfg, "instagram"), now: cfg.Now, pause: statusPause}
	if a.now == nil {
		a.now = time.Now
	}
	return a
}

// Client is the adapter's HTTP client (its transport is the guard).
func (a *Adapter) Client() *platform.Client { return a.c }

// Name implements civic.Platform.
func (a *Adapter) Name() string { return "instagram" }

// Capabilities implements civic.Platform. The API lists neither the
// accounts followed nor the accounts blocked or restricted. It publishes
// posts and correction comments (publish.go); it cannot edit a caption or
// delete a post.
func (a *Adapter) Capabilities() civic.Capabilities {
	return civic.Capabilities{civic.CapListPosts, civic.CapListComments, civic.CapDeletions, civic.CapWebhooks,
		civic.CapHide, civic.CapDelete, civic.CapPublish, civic.CapReadProfile}
}

const (
	mediaFields   = "id,caption,media_type,media_product_type,media_url,permalink,timestamp,username,owner,comments_count"
	commentFields = "id,text,timestamp,username,from{id,username},hidden,parent_id,like_count"
	maxPages      = 1000
)

type item struct {
	ID        string `json:"id"`
	Caption   string `json:"caption"`
	Text      string `json:"text"`
	Timestamp string `json:"timestamp"`
	Username  string `json:"username"`
	Owner     *struct {
		ID string `json:"id"`
	} `json:"owner"`
	From *struct {
		ID       string `json:"id"`
		Username string `json:"username"`
	} `json:"from"`
	Hidden   bool   `json:"hidden"`
	ParentID string `json:"parent_id"`
}

// Poll implements civic.Platform: one page of media, each with all its
// comments and their replies. /media lists the account's media (up to
// the 10,000 most recently created, stories aside) newest first, so the
// page is contiguous: its span runs from its oldest media up to where the
// page before stopped, carried in the cursor ("after|time"; a bare
// cursor, as stored before, claims no span). The oldest page stays
// closed at its oldest media: the listing may end before the first.
func (a *Adapter) Poll(ctx context.Context, ep *civic.Endpoint, cursor string) (*civic.Page, error) {
	base := facebook.Base(ep, facebook.GraphBase)
	q := url.Values{"fields": {mediaFields}, "limit": {"25"}}
	token, to, hasTo := platform.SplitSpanCursor(cursor)
	if token != "" {
		facebook.SetCursor(q, token)
	}
	l, err := facebook.GetList(ctx, a.c, base+"/"+url.PathEscape(ep.RemoteID)+"/media", ep.Token.AccessToken, q)
	if err != nil {
		return nil, err
	}
	page := &civic.Page{}
	after := l.Paging.After()
	ls := platform.Listing{First: cursor == "", To: to, HasTo: hasTo, More: after != ""}
	for i, raw := range l.Data {
		root, err := observe(raw, civic.ItemPost, "", "")
		if err != nil {
			return nil, facebook.Malformed("instagram", fmt.Sprintf("media data[%d]", i), err)
		}
		th, err := a.thread(ctx, ep, base, root)
		if err != nil {
			return nil, err
		}
		page.Threads = append(page.Threads, th)
		ls.Times = append(ls.Times, root.PlatformTime)
	}
	var next time.Time
	page.Span, next = ls.Span()
	page.Next = platform.SpanCursor(after, next)
	return page, nil
}

func (a *Adapter) thread(ctx context.Context, ep *civic.Endpoint, base string, root civic.Observation) (civic.Thread, error) {
	th := civic.Thread{Root: root}
	q := url.Values{"fields": {commentFields}, "limit": {"50"}}
	comments, err := facebook.GetAll(ctx, a.c, base+"/"+url.PathEscape(root.PlatformID)+"/comments", ep.Token.AccessToken, q, maxPages)
	if civic.PlatformErrorKindOf(err) == civic.PlatformNotFound {
		return th, nil // the media went between the two calls
	}
	if err != nil {
		return th, err
	}
	th.Complete = true
	for i, raw := range comments {
		c, err := observe(raw, civic.ItemComment, root.PlatformID, root.PlatformID)
		if err != nil {
			return th, facebook.Malformed("instagram", fmt.Sprintf("comments of %s data[%d]", root.PlatformID, i), err)
		}
		th.Items = append(th.Items, c)
		replies, err := facebook.GetAll(ctx, a.c, base+"/"+url.PathEscape(c.PlatformID)+"/replies", ep.Token.AccessToken, q, maxPages)
		if civic.PlatformErrorKindOf(err) == civic.PlatformNotFound {
			th.Complete = false // the comment went while its replies were read
			continue
		}
		if err != nil {
			return th, err
		}
		for j, raw := range replies {
			r, err := observe(raw, civic.ItemReply, c.PlatformID, root.PlatformID)
			if err != nil {
				return th, facebook.Malformed("instagram", fmt.Sprintf("replies of %s data[%d]", c.PlatformID, j), err)
			}
			th.Items = append(th.Items, r)
		}
	}
	return th, nil
}

func observe(raw json.RawMessage, kind civic.ItemKind, parent, thread string) (civic.Observation, error) {
	var it item
	if err := json.Unmarshal(raw, &it); err != nil {
		return civic.Observation{}, err
	}
	if it.ID == "" {
		return civic.Observation{}, fmt.Errorf("id is missing")
	}
	o := civic.Observation{PlatformID: it.ID, Kind: kind, ParentID: parent, ThreadID: thread, State: civic.StateVisible,
		PlatformTime: facebook.Time(it.Timestamp), Raw: append([]byte(nil), raw...)}
	if kind == civic.ItemPost {
		o.ThreadID, o.Text = it.ID, it.Caption
		o.Author.Handle = it.Username
		if it.Owner != nil {
			o.Author.ID = it.Owner.ID
		}
		return o, nil
	}
	o.Text = it.Text
	if it.ParentID != "" {
		o.ParentID = it.ParentID
	}
	o.Author.Handle = it.Username
	if it.From != nil {
		o.Author = civic.Author{ID: it.From.ID, Handle: it.From.Username}
	}
	if it.Hidden {
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
		Biography string `json:"biography"`
		Website   string `json:"website"`
	}
	resp, err := a.c.GetJSON(ctx, platform.Request{URL: facebook.Base(ep, facebook.GraphBase) + "/" + url.PathEscape(ep.RemoteID),
		Query: url.Values{"fields": {"id,username,name,biography,website"}}, Token: ep.Token.AccessToken}, &p)
	if err != nil {
		return nil, err
	}
	return &civic.RemoteProfile{RemoteID: p.ID, Handle: p.Username, DisplayName: p.Name, Bio: p.Biography, Website: p.Website, Raw: resp.Body}, nil
}

// Follows implements civic.Platform: the API does not list them.
func (a *Adapter) Follows(context.Context, *civic.Endpoint) ([]civic.RemoteAccount, error) {
	return nil, civic.ErrUnsupported
}

// Blocks implements civic.Platform: the API does not list them.
func (a *Adapter) Blocks(context.Context, *civic.Endpoint) ([]civic.RemoteAccount, error) {
	return nil, civic.ErrUnsupported
}

// Moderate implements civic.Platform: hide and unhide (POST hide=), delete.
func (a *Adapter) Moderate(ctx context.Context, ep *civic.Endpoint, id string, action civic.PlatformAction) error {
	u := facebook.Base(ep, facebook.GraphBase) + "/" + url.PathEscape(id)
	var req platform.Request
	switch action {
	case civic.ActionHide:
		req = platform.Request{Method: "POST", URL: u, Form: url.Values{"hide": {"true"}}}
	case civic.ActionUnhide:
		req = platform.Request{Method: "POST", URL: u, Form: url.Values{"hide": {"false"}}}
	case civic.ActionDelete:
		req = platform.Request{Method: "DELETE", URL: u}
	default:
		return civic.ErrUnsupported
	}
	req.Token = ep.Token.AccessToken
	return facebook.Success(ctx, a.c, req)
}

// Challenge implements civic.Pusher.
func (a *Adapter) Challenge(q url.Values, verifyToken string) (string, error) {
	return facebook.Challenge(q, verifyToken)
}

// commentValue is the value of an Instagram "comments" change.
type commentValue struct {
	ID   string `json:"id"`
	Text string `json:"text"`
	From *struct {
		ID       string `json:"id"`
		Username string `json:"username"`
	} `json:"from"`
	Media *struct {
		ID string `json:"id"`
	} `json:"media"`
	ParentID string `json:"parent_id"`
}

// Delivery implements civic.Pusher: new comments and replies ("comments"
// and "live_comments" fields). Other fields are skipped.
func (a *Adapter) Delivery(h http.Header, body []byte, appSecret string, now time.Time) ([]civic.Pushed, error) {
	d, err := facebook.ReadDelivery(h, body, appSecret, now)
	if err != nil {
		return nil, err
	}
	var out []civic.Pushed
	for i, e := range d.Entry {
		for j, ch := range e.Changes {
			if ch.Field != "comments" && ch.Field != "live_comments" {
				continue
			}
			var v commentValue
			if err := json.Unmarshal(ch.Value, &v); err != nil {
				return nil, fmt.Errorf("entry[%d].changes[%d].value: %w", i, j, err)
			}
			if v.ID == "" || v.Media == nil || v.Media.ID == "" {
				return nil, fmt.Errorf("entry[%d].changes[%d].value: id and media.id are required", i, j)
			}
			o := civic.Observation{PlatformID: v.ID, Kind: civic.ItemComment, ParentID: v.Media.ID, ThreadID: v.Media.ID,
				Text: v.Text, State: civic.StateVisible, Raw: append([]byte(nil), ch.Value...)}
			if v.ParentID != "" {
				o.Kind, o.ParentID = civic.ItemReply, v.ParentID
			}
			if v.From != nil {
				o.Author = civic.Author{ID: v.From.ID, Handle: v.From.Username}
			}
			out = append(out, civic.Pushed{RemoteAccountID: e.ID, Observation: o})
		}
	}
	return out, nil
}

// Lookup implements civic.Lookuper: GET /{media-id}. The Graph API answers
// deleted media with error 100, subcode 33: a not_found PlatformError.
func (a *Adapter) Lookup(ctx context.Context, ep *civic.Endpoint, id string) (*civic.Observation, error) {
	if id == "" {
		return nil, &civic.PlatformError{Platform: "instagram", Kind: civic.PlatformMalformed, Message: "no media id to look up"}
	}
	var raw json.RawMessage
	if _, err := a.c.GetJSON(ctx, platform.Request{URL: facebook.Base(ep, facebook.GraphBase) + "/" + url.PathEscape(id), Query: url.Values{"fields": {mediaFields}}, Token: ep.Token.AccessToken}, &raw); err != nil {
		return nil, err
	}
	o, err := observe(raw, civic.ItemPost, "", "")
	if err != nil {
		return nil, facebook.Malformed("instagram", "media "+id, err)
	}
	return &o, nil
}
