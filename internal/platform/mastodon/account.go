package mastodon

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/platform"
)

// Profile implements civic.Platform: the account as /api/v1/accounts/:id
// shows it. Website is the first profile field holding a link.
func (a *Adapter) Profile(ctx context.Context, ep *civic.Endpoint) (*civic.RemoteProfile, error) {
	var acc account
	resp, err := a.get(ctx, ep, "/api/v1/accounts/"+url.PathEscape(ep.RemoteID), nil, &acc)
	if err != nil {
		return nil, err
	}
	p := &civic.RemoteProfile{RemoteID: acc.ID, Handle: "@" + acc.Acct, DisplayName: acc.DisplayName, Bio: platform.HTMLText(acc.Note), Raw: resp.Body}
	for _, f := range acc.Fields {
		v := platform.HTMLText(f.Value)
		if p.Website == "" && (strings.Contains(f.Value, "href=") || strings.HasPrefix(v, "http://") || strings.HasPrefix(v, "https://")) {
			p.Website = v
		}
		p.Fields = append(p.Fields, platform.HTMLText(f.Name)+": "+v)
	}
	return p, nil
}

// Follows implements civic.Platform: /api/v1/accounts/:id/following, every page.
func (a *Adapter) Follows(ctx context.Context, ep *civic.Endpoint) ([]civic.RemoteAccount, error) {
	return a.accounts(ctx, ep, "/api/v1/accounts/"+url.PathEscape(ep.RemoteID)+"/following", "")
}

// Blocks implements civic.Platform: /api/v1/blocks and /api/v1/mutes (read
// only: Steward never makes a block or a mute).
func (a *Adapter) Blocks(ctx context.Context, ep *civic.Endpoint) ([]civic.RemoteAccount, error) {
	bs, err := a.accounts(ctx, ep, "/api/v1/blocks", "block")
	if err != nil {
		return nil, err
	}
	ms, err := a.accounts(ctx, ep, "/api/v1/mutes", "mute")
	if err != nil {
		return nil, err
	}
	return append(bs, ms...), nil
}

// maxAccountPages bounds a follow or block list (80 per page).
const maxAccountPages = 100

// accounts reads a list of accounts, following the Link header's next page.
func (a *Adapter) accounts(ctx context.Context, ep *civic.Endpoint, path, kind string) ([]civic.RemoteAccount, error) {
	b, err := base(ep)
	if err != nil {
		return nil, err
	}
	next := b + path + "?limit=80"
	var out []civic.RemoteAccount
	for i := 0; next != "" && i < maxAccountPages; i++ {
		var raws []json.RawMessage
		resp, err := a.c.GetJSON(ctx, platform.Request{URL: next, Token: ep.Token.AccessToken}, &raws)
		if err != nil {
			return nil, err
		}
		for _, raw := range raws {
			var acc account
			if err := a.c.Decode(raw, &acc); err != nil {
				return nil, err
			}
			out = append(out, civic.RemoteAccount{RemoteID: acc.ID, Handle: "@" + acc.Acct, Name: acc.DisplayName, URL: acc.URL, Kind: kind})
		}
		next = ""
		if len(raws) > 0 {
			next = nextLink(resp.Header.Get("Link"), b)
		}
	}
	return out, nil
}

// nextLink returns the rel="next" address of a Link header when it is on
// the same server, else "".
func nextLink(h, base string) string {
	for part := range strings.SplitSeq(h, ",") {
		u, rel, ok := strings.Cut(part, ";")
		if !ok || !strings.Contains(rel, `rel="next"`) {
			continue
		}
		u = strings.Trim(strings.TrimSpace(u), "<>")
		if strings.HasPrefix(u, base+"/") {
			return u
		}
	}
	return ""
}
