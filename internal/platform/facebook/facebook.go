// Package facebook is Steward's adapter for Facebook Pages through the
// Graph API: the Page's feed and every comment under it (filter=stream),
// hide, unhide and delete of comments, the Page's profile, the Pages it
// likes and the people it has blocked, and the Page's feed webhooks.
// Its Graph helpers (paging, error codes, webhook signatures) are shared
// with the Instagram and Threads adapters.
package facebook

import (
	"context"
	"encoding/json"
	"net/url"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/platform"
)

// Adapter is the Facebook Pages adapter.
type Adapter struct {
	c   *platform.Client
	now func() time.Time
}

// New returns the adapter.
func New(cfg platform.Config) *Adapter {
	a := &Adapter{c: NewClient(cfg, "facebook"), now: cfg.Now}
	if a.now == nil {
		a.now = time.Now
	}
	return a
}

// Client is the adapter's HTTP client (its transport is the guard).
func (a *Adapter) Client() *platform.Client { return a.c }

// Name implements civic.Platform.
func (a *Adapter) Name() string { return "facebook" }

// Capabilities implements civic.Platform. Facebook keeps no edit history
// Steward can read; edits and removals arrive by webhook. It publishes as
// the Page (publish.go).
func (a *Adapter) Capabilities() civic.Capabilities {
	return civic.Capabilities{civic.CapListPosts, civic.CapListComments, civic.CapDeletions, civic.CapWebhooks,
		civic.CapHide, civic.CapDelete, civic.CapPublish, civic.CapReadProfile, civic.CapReadFollows, civic.CapReadBlocks}
}

const (
	postFields    = "id,message,created_time,updated_time,from,application,permalink_url,is_hidden,attachments{media_type,url,media}"
	commentFields = "id,message,created_time,from,parent{id},is_hidden,attachment,application"
	maxPages      = 1000
)

type post struct {
	ID          string  `json:"id"`
	Message     string  `json:"message"`
	CreatedTime string  `json:"created_time"`
	UpdatedTime string  `json:"updated_time"`
	From        *person `json:"from"`
	Application *struct {
		Name string `json:"name"`
	} `json:"application"`
	IsHidden bool `json:"is_hidden"`
	Parent   *struct {
		ID string `json:"id"`
	} `json:"parent"`
}

type person struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Poll implements civic.Platform: one page of the Page's feed, with every
// comment and reply of each post.
func (a *Adapter) Poll(ctx context.Context, ep *civic.Endpoint, cursor string) (*civic.Page, error) {
	base := Base(ep, GraphBase)
	q := url.Values{"fields": {postFields}, "limit": {"25"}}
	if cursor != "" {
		SetCursor(q, cursor)
	}
	l, err := GetList(ctx, a.c, base+"/"+url.PathEscape(ep.RemoteID)+"/feed", ep.Token.AccessToken, q)
	if err != nil {
		return nil, err
	}
	page := &civic.Page{Next: l.Paging.After()}
	for i, raw := range l.Data {
		root, err := a.observe(raw, civic.ItemPost, "", "")
		if err != nil {
			return nil, Malformed("facebook", "feed data["+itoa(i)+"]", err)
		}
		th := civic.Thread{Root: root}
		cq := url.Values{"fields": {commentFields}, "filter": {"stream"}, "order": {"chronological"}, "limit": {"100"}}
		items, err := GetAll(ctx, a.c, base+"/"+url.PathEscape(root.PlatformID)+"/comments", ep.Token.AccessToken, cq, maxPages)
		switch civic.PlatformErrorKindOf(err) {
		case "":
			th.Complete = true
		case civic.PlatformNotFound:
			// The post went between the two calls: keep what was read.
		default:
			return nil, err
		}
		for j, raw := range items {
			o, err := a.observe(raw, civic.ItemComment, root.PlatformID, root.PlatformID)
			if err != nil {
				return nil, Malformed("facebook", "comments of "+root.PlatformID+" data["+itoa(j)+"]", err)
			}
			th.Items = append(th.Items, o)
		}
		page.Threads = append(page.Threads, th)
	}
	return page, nil
}

// observe turns a post or comment into an observation. A comment whose
// parent is another comment is a reply, even when that parent is gone.
func (a *Adapter) observe(raw json.RawMessage, kind civic.ItemKind, postID, threadID string) (civic.Observation, error) {
	var p post
	if err := json.Unmarshal(raw, &p); err != nil {
		return civic.Observation{}, err
	}
	o := civic.Observation{PlatformID: p.ID, Kind: kind, ThreadID: threadID, Text: p.Message, State: civic.StateVisible,
		PlatformTime: Time(p.CreatedTime), Raw: append([]byte(nil), raw...)}
	if o.PlatformID == "" {
		return o, errMissing("id")
	}
	if kind == civic.ItemPost {
		o.ThreadID = p.ID
		if u := Time(p.UpdatedTime); u != nil && o.PlatformTime != nil && u.After(*o.PlatformTime) {
			o.EditedAt = u
		}
	} else {
		o.ParentID = postID
		if p.Parent != nil && p.Parent.ID != "" && p.Parent.ID != postID {
			o.Kind, o.ParentID = civic.ItemReply, p.Parent.ID
		}
	}
	if p.From != nil {
		o.Author = civic.Author{ID: p.From.ID, Name: p.From.Name}
	}
	if p.Application != nil {
		o.ViaApp = p.Application.Name
	}
	if p.IsHidden {
		o.State = civic.StateHidden
	}
	return o, nil
}

// Profile implements civic.Platform.
func (a *Adapter) Profile(ctx context.Context, ep *civic.Endpoint) (*civic.RemoteProfile, error) {
	var p struct {
		ID          string   `json:"id"`
		Name        string   `json:"name"`
		Username    string   `json:"username"`
		About       string   `json:"about"`
		Description string   `json:"description"`
		Website     string   `json:"website"`
		Phone       string   `json:"phone"`
		Emails      []string `json:"emails"`
		Link        string   `json:"link"`
	}
	resp, err := a.c.GetJSON(ctx, platform.Request{URL: Base(ep, GraphBase) + "/" + url.PathEscape(ep.RemoteID),
		Query: url.Values{"fields": {"id,name,username,about,description,website,phone,emails,link"}}, Token: ep.Token.AccessToken}, &p)
	if err != nil {
		return nil, err
	}
	rp := &civic.RemoteProfile{RemoteID: p.ID, Handle: p.Username, DisplayName: p.Name, Bio: p.About, Website: p.Website, Raw: resp.Body}
	if p.Description != "" {
		rp.Fields = append(rp.Fields, "description: "+p.Description)
	}
	if p.Phone != "" {
		rp.Fields = append(rp.Fields, "phone: "+p.Phone)
	}
	for _, e := range p.Emails {
		rp.Fields = append(rp.Fields, "email: "+e)
	}
	if p.Link != "" {
		rp.Fields = append(rp.Fields, "link: "+p.Link)
	}
	return rp, nil
}

// Follows implements civic.Platform: the Pages this Page likes.
func (a *Adapter) Follows(ctx context.Context, ep *civic.Endpoint) ([]civic.RemoteAccount, error) {
	return a.accounts(ctx, ep, "likes", "id,name,link", "")
}

// Blocks implements civic.Platform: the people blocked from the Page
// (read with GET; Steward never adds to it).
func (a *Adapter) Blocks(ctx context.Context, ep *civic.Endpoint) ([]civic.RemoteAccount, error) {
	return a.accounts(ctx, ep, "blocked", "id,name,link", "block")
}

func (a *Adapter) accounts(ctx context.Context, ep *civic.Endpoint, edge, fields, kind string) ([]civic.RemoteAccount, error) {
	items, err := GetAll(ctx, a.c, Base(ep, GraphBase)+"/"+url.PathEscape(ep.RemoteID)+"/"+edge, ep.Token.AccessToken,
		url.Values{"fields": {fields}, "limit": {"100"}}, maxPages)
	if err != nil {
		return nil, err
	}
	var out []civic.RemoteAccount
	for i, raw := range items {
		var p struct {
			ID       string `json:"id"`
			Name     string `json:"name"`
			Username string `json:"username"`
			Link     string `json:"link"`
		}
		if err := json.Unmarshal(raw, &p); err != nil {
			return nil, Malformed("facebook", edge+" data["+itoa(i)+"]", err)
		}
		out = append(out, civic.RemoteAccount{RemoteID: p.ID, Handle: p.Username, Name: p.Name, URL: p.Link, Kind: kind})
	}
	return out, nil
}

// Moderate implements civic.Platform: hide and unhide set is_hidden,
// delete deletes the comment. Facebook has no hold.
func (a *Adapter) Moderate(ctx context.Context, ep *civic.Endpoint, id string, action civic.PlatformAction) error {
	u := Base(ep, GraphBase) + "/" + url.PathEscape(id)
	var req platform.Request
	switch action {
	case civic.ActionHide, civic.ActionUnhide:
		req = platform.Request{Method: "POST", URL: u, Form: url.Values{"is_hidden": {boolString(action == civic.ActionHide)}}}
	case civic.ActionDelete:
		req = platform.Request{Method: "DELETE", URL: u}
	default:
		return civic.ErrUnsupported
	}
	req.Token = ep.Token.AccessToken
	return Success(ctx, a.c, req)
}

// Success sends a Graph write and checks its {"success": true} answer.
func Success(ctx context.Context, c *platform.Client, req platform.Request) error {
	var ok struct {
		Success *bool `json:"success"`
	}
	if _, err := c.GetJSON(ctx, req, &ok); err != nil {
		return err
	}
	if ok.Success != nil && !*ok.Success {
		return &civic.PlatformError{Platform: c.Platform, Kind: civic.PlatformMalformed, Message: "the API answered success: false"}
	}
	return nil
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// Lookup implements civic.Lookuper: GET /{post-id}. The Graph API answers
// a deleted post with error 100, subcode 33: a not_found PlatformError.
func (a *Adapter) Lookup(ctx context.Context, ep *civic.Endpoint, id string) (*civic.Observation, error) {
	if id == "" {
		return nil, &civic.PlatformError{Platform: "facebook", Kind: civic.PlatformMalformed, Message: "no post id to look up"}
	}
	var raw json.RawMessage
	if _, err := a.c.GetJSON(ctx, platform.Request{URL: Base(ep, GraphBase) + "/" + url.PathEscape(id), Query: url.Values{"fields": {postFields}}, Token: ep.Token.AccessToken}, &raw); err != nil {
		return nil, err
	}
	o, err := a.observe(raw, civic.ItemPost, "", "")
	if err != nil {
		return nil, Malformed("facebook", "post "+id, err)
	}
	return &o, nil
}
