package bluesky

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/platform"
)

type actor struct {
	DID         string `json:"did"`
	Handle      string `json:"handle"`
	DisplayName string `json:"displayName"`
}

// Profile implements civic.Platform (app.bsky.actor.getProfile).
func (a *Adapter) Profile(ctx context.Context, ep *civic.Endpoint) (*civic.RemoteProfile, error) {
	var p struct {
		actor
		Description string `json:"description"`
		Website     string `json:"website"`
	}
	resp, err := a.get(ctx, ep, "app.bsky.actor.getProfile", url.Values{"actor": {repo(ep)}}, &p)
	if err != nil {
		return nil, err
	}
	return &civic.RemoteProfile{RemoteID: p.DID, Handle: p.Handle, DisplayName: p.DisplayName, Bio: p.Description, Website: p.Website, Raw: resp.Body}, nil
}

// Follows implements civic.Platform (app.bsky.graph.getFollows).
func (a *Adapter) Follows(ctx context.Context, ep *civic.Endpoint) ([]civic.RemoteAccount, error) {
	q := url.Values{"actor": {repo(ep)}, "limit": {"100"}}
	var out []civic.RemoteAccount
	for range 1000 {
		var l struct {
			Cursor  string  `json:"cursor"`
			Follows []actor `json:"follows"`
		}
		if _, err := a.get(ctx, ep, "app.bsky.graph.getFollows", q, &l); err != nil {
			return nil, err
		}
		for _, f := range l.Follows {
			out = append(out, civic.RemoteAccount{RemoteID: f.DID, Handle: f.Handle, Name: f.DisplayName, URL: "https://bsky.app/profile/" + f.Handle})
		}
		if l.Cursor == "" || len(l.Follows) == 0 {
			return out, nil
		}
		q.Set("cursor", l.Cursor)
	}
	return out, malformed("getFollows", fmt.Errorf("paging did not end"))
}

// Blocks implements civic.Platform: the account's app.bsky.graph.block
// records (public, in its repo) and its mutes (app.bsky.graph.getMutes,
// private to the account). Both are read with GET; Steward never writes
// either.
func (a *Adapter) Blocks(ctx context.Context, ep *civic.Endpoint) ([]civic.RemoteAccount, error) {
	var out []civic.RemoteAccount
	q := url.Values{"repo": {repo(ep)}, "collection": {"app.bsky.graph.block"}, "limit": {"100"}}
	for range 1000 {
		var l struct {
			Cursor  string   `json:"cursor"`
			Records []record `json:"records"`
		}
		if _, err := a.get(ctx, ep, "com.atproto.repo.listRecords", q, &l); err != nil {
			return nil, err
		}
		for i, r := range l.Records {
			var b struct {
				Subject string `json:"subject"`
			}
			if err := json.Unmarshal(r.Value, &b); err != nil || b.Subject == "" {
				return nil, malformed(fmt.Sprintf("block records[%d].value.subject", i), err)
			}
			out = append(out, civic.RemoteAccount{RemoteID: b.Subject, URL: "https://bsky.app/profile/" + b.Subject, Kind: "block"})
		}
		if l.Cursor == "" || len(l.Records) == 0 {
			break
		}
		q.Set("cursor", l.Cursor)
	}
	var m struct {
		Mutes []actor `json:"mutes"`
	}
	if _, err := a.get(ctx, ep, "app.bsky.graph.getMutes", url.Values{"limit": {"100"}}, &m); err != nil {
		return nil, err
	}
	for _, x := range m.Mutes {
		out = append(out, civic.RemoteAccount{RemoteID: x.DID, Handle: x.Handle, Name: x.DisplayName, URL: "https://bsky.app/profile/" + x.Handle, Kind: "mute"})
	}
	return out, nil
}

// Moderate implements civic.Platform: hide and unhide put the reply's
// URI into or out of hiddenReplies of the thread root's threadgate
// (creating one that keeps replies open to everyone when there is none).
// Bluesky lets nobody delete or hold another account's post.
func (a *Adapter) Moderate(ctx context.Context, ep *civic.Endpoint, id string, action civic.PlatformAction) error {
	if action != civic.ActionHide && action != civic.ActionUnhide {
		return civic.ErrUnsupported
	}
	var posts struct {
		Posts []postView `json:"posts"`
	}
	if _, err := a.get(ctx, ep, "app.bsky.feed.getPosts", url.Values{"uris": {id}}, &posts); err != nil {
		return err
	}
	if len(posts.Posts) == 0 {
		return &civic.PlatformError{Platform: "bluesky", Kind: civic.PlatformNotFound, Message: "no post " + id}
	}
	reply := posts.Posts[0].Record.Reply
	if reply == nil {
		return civic.Invalid("platform_id", "%s is not a reply; only replies can be hidden", id)
	}
	root := reply.Root.URI
	did, rkey, ok := splitURI(root)
	if !ok || did != repo(ep) {
		return civic.Invalid("platform_id", "the thread of %s does not start with a post of this account", id)
	}
	var gate map[string]any
	var cur struct {
		Value map[string]any `json:"value"`
	}
	_, err := a.get(ctx, ep, "com.atproto.repo.getRecord", url.Values{"repo": {did}, "collection": {"app.bsky.feed.threadgate"}, "rkey": {rkey}}, &cur)
	switch civic.PlatformErrorKindOf(err) {
	case "":
		gate = cur.Value
	case civic.PlatformNotFound:
		gate = map[string]any{"$type": "app.bsky.feed.threadgate", "post": root, "createdAt": a.now().UTC().Format("2006-01-02T15:04:05.000Z")}
	default:
		return err
	}
	var hidden []string
	if hs, ok := gate["hiddenReplies"].([]any); ok {
		for _, h := range hs {
			if s, ok := h.(string); ok && s != id {
				hidden = append(hidden, s)
			}
		}
	}
	if action == civic.ActionHide {
		hidden = append(hidden, id)
	}
	slices.Sort(hidden)
	gate["hiddenReplies"] = hidden
	if hidden == nil {
		gate["hiddenReplies"] = []string{}
	}
	_, err = a.c.Do(ctx, platform.Request{Method: http.MethodPost, URL: a.xrpc(ep, "com.atproto.repo.putRecord"), Token: ep.Token.AccessToken,
		JSON: map[string]any{"repo": did, "collection": "app.bsky.feed.threadgate", "rkey": rkey, "record": gate}})
	return err
}

// splitURI splits at://did/collection/rkey into the DID and record key.
func splitURI(u string) (did, rkey string, ok bool) {
	rest, ok := strings.CutPrefix(u, "at://")
	parts := strings.Split(rest, "/")
	if !ok || len(parts) != 3 {
		return "", "", false
	}
	return parts[0], parts[2], true
}

// Refresh implements civic.Refresher: com.atproto.server.refreshSession
// with the refresh JWT gives a new access and refresh JWT.
func (a *Adapter) Refresh(ctx context.Context, ep *civic.Endpoint) (civic.PlatformToken, error) {
	t := ep.Token
	if t.RefreshToken == "" {
		return t, &civic.PlatformError{Platform: "bluesky", Kind: civic.PlatformAuth, Message: "the credential has no refresh JWT"}
	}
	var s struct {
		AccessJwt  string `json:"accessJwt"`
		RefreshJwt string `json:"refreshJwt"`
	}
	if _, err := a.c.GetJSON(ctx, platform.Request{Method: http.MethodPost, URL: a.xrpc(ep, "com.atproto.server.refreshSession"), Token: t.RefreshToken}, &s); err != nil {
		return t, err
	}
	if s.AccessJwt == "" || s.RefreshJwt == "" {
		return t, malformed("refreshSession", fmt.Errorf("accessJwt or refreshJwt is missing"))
	}
	t.AccessToken, t.RefreshToken = s.AccessJwt, s.RefreshJwt
	t.ExpiresAt = jwtExpiry(s.AccessJwt)
	return t, nil
}

// jwtExpiry reads the exp claim of a JWT without checking it (the PDS
// checks its own tokens); nil when there is none.
func jwtExpiry(jwt string) *time.Time {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return nil
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil
	}
	var c struct {
		Exp int64 `json:"exp"`
	}
	if json.Unmarshal(b, &c) != nil || c.Exp == 0 {
		return nil
	}
	t := time.Unix(c.Exp, 0).UTC()
	return &t
}
