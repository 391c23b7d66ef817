package mastodon

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/platform"
)

// Poll implements civic.Platform: one page of the account's statuses,
// newest first, each with its replies (complete: /context returns every
// reply the server still shows), earlier versions of edited items and, on
// GoToSocial, the replies held for approval. The cursor is a max_id and
// the posting time of that status ("max_id|time"; a bare max_id, as
// stored before, still pages). The list holds every status of the account
// in id order, so the page is contiguous: its Span runs from its oldest
// status up to the cursor's status, which the page before showed (to now
// on the newest page, from the first post on the last page).
func (a *Adapter) Poll(ctx context.Context, ep *civic.Endpoint, cursor string) (*civic.Page, error) {
	if ep.RemoteID == "" {
		return nil, &civic.PlatformError{Platform: Name, Kind: civic.PlatformMalformed, Message: "the connection has no account id"}
	}
	q := url.Values{"limit": {strconv.Itoa(PageSize)}, "exclude_reblogs": {"true"}}
	span := &civic.Span{}
	if cursor != "" {
		maxID, at, _ := strings.Cut(cursor, "|")
		q.Set("max_id", maxID)
		t, err := time.Parse(time.RFC3339Nano, at)
		if err != nil {
			span = nil // a cursor without its time: the span's newer end is unknown
		} else {
			span.To = t
		}
	}
	var raws []json.RawMessage
	if _, err := a.get(ctx, ep, "/api/v1/accounts/"+url.PathEscape(ep.RemoteID)+"/statuses", q, &raws); err != nil {
		return nil, err
	}
	page := &civic.Page{}
	for _, raw := range raws {
		root, err := a.observe(ctx, ep, raw, "")
		if err != nil {
			return nil, err
		}
		th := civic.Thread{Root: *root, Complete: true}
		var sc statusContext
		if _, err := a.get(ctx, ep, "/api/v1/statuses/"+url.PathEscape(root.PlatformID)+"/context", nil, &sc); err != nil {
			if civic.PlatformErrorKindOf(err) != civic.PlatformNotFound {
				return nil, err
			}
			th.Complete = false // gone between the two calls: the next pass sees it
		}
		seen := map[string]int{}
		for _, d := range sc.Descendants {
			o, err := a.observe(ctx, ep, d, root.ThreadID)
			if err != nil {
				return nil, err
			}
			seen[o.PlatformID] = len(th.Items)
			th.Items = append(th.Items, *o)
		}
		held, err := a.held(ctx, ep, root.PlatformID, root.ThreadID)
		if err != nil {
			return nil, err
		}
		for _, o := range held {
			if i, ok := seen[o.PlatformID]; ok {
				th.Items[i].State = civic.StateHeld
				continue
			}
			th.Items = append(th.Items, o)
		}
		page.Threads = append(page.Threads, th)
	}
	if len(raws) == PageSize {
		last := page.Threads[len(page.Threads)-1].Root
		page.Next = last.PlatformID + "|" + last.PlatformTime.Format(time.RFC3339Nano)
		if span != nil {
			span.From = *last.PlatformTime
		}
	}
	if span != nil && (len(raws) > 0 || cursor == "") {
		page.Span = span
	}
	return page, nil
}

// Lookup implements civic.Lookuper: GET /api/v1/statuses/:id, a
// not_found PlatformError when the server no longer shows the status.
func (a *Adapter) Lookup(ctx context.Context, ep *civic.Endpoint, platformID string) (*civic.Observation, error) {
	if platformID == "" {
		return nil, &civic.PlatformError{Platform: Name, Kind: civic.PlatformMalformed, Message: "no status id to look up"}
	}
	var raw json.RawMessage
	if _, err := a.get(ctx, ep, "/api/v1/statuses/"+url.PathEscape(platformID), nil, &raw); err != nil {
		return nil, err
	}
	return a.observe(ctx, ep, raw, "")
}

// observe turns one status into an observation, with the earlier versions
// of an edited status. thread is the thread's root id ("" for a root).
func (a *Adapter) observe(ctx context.Context, ep *civic.Endpoint, raw json.RawMessage, thread string) (*civic.Observation, error) {
	var s status
	if err := a.c.Decode(raw, &s); err != nil {
		return nil, err
	}
	if s.ID == "" {
		return nil, &civic.PlatformError{Platform: Name, Kind: civic.PlatformMalformed, Message: "a status has no id"}
	}
	o := toObservation(&s, thread, localDomain(ep))
	o.Raw = raw
	if s.EditedAt != nil {
		var hist []edit
		if _, err := a.get(ctx, ep, "/api/v1/statuses/"+url.PathEscape(s.ID)+"/history", nil, &hist); err != nil {
			if civic.PlatformErrorKindOf(err) != civic.PlatformNotFound {
				return nil, err
			}
		}
		// Servers disagree on the order: sort by time, oldest first.
		sort.SliceStable(hist, func(i, j int) bool { return hist[i].CreatedAt.Before(hist[j].CreatedAt) })
		// The last entry is the current version.
		if len(hist) > 0 {
			hist = hist[:len(hist)-1]
		}
		for _, h := range hist {
			t := h.CreatedAt.UTC()
			hraw, _ := json.Marshal(h)
			o.History = append(o.History, civic.Observation{
				PlatformID: o.PlatformID, Kind: o.Kind, ParentID: o.ParentID, ThreadID: o.ThreadID, Author: author(h.Account, localDomain(ep)), ViaApp: o.ViaApp,
				Text: text(h.SpoilerText, h.Content), Media: mediaOf(h.Media), State: o.State, PlatformTime: &t, Raw: hraw,
			})
		}
	}
	return o, nil
}

func toObservation(s *status, thread, local string) *civic.Observation {
	o := &civic.Observation{PlatformID: s.ID, Author: author(s.Account, local), Text: text(s.SpoilerText, s.Content), Media: mediaOf(s.Media), State: civic.StateVisible}
	if strings.Contains(s.Content, `class="gts-system-message gts-pending-reply"`) {
		o.State = civic.StateHeld // GoToSocial's note to the account a reply waits for
	}
	t := s.CreatedAt.UTC()
	o.PlatformTime = &t
	if s.EditedAt != nil {
		e := s.EditedAt.UTC()
		o.EditedAt = &e
	}
	if s.Application != nil {
		o.ViaApp = s.Application.Name
	}
	parent := ""
	if s.InReplyToID != nil {
		parent = *s.InReplyToID
	}
	switch {
	case thread == "" && parent == "":
		o.Kind, o.ThreadID = civic.ItemPost, s.ID
	case thread == "":
		// The account's own reply to someone else's status.
		o.Kind, o.ParentID, o.ThreadID = civic.ItemReply, parent, parent
	case parent == thread:
		o.Kind, o.ParentID, o.ThreadID = civic.ItemComment, parent, thread
	default:
		o.Kind, o.ParentID, o.ThreadID = civic.ItemReply, parent, thread
	}
	return o
}

// author is who wrote a status, with the full address @user@server.
// Mastodon's acct gives the server only for accounts on other servers; an
// account on the server Steward talks to has acct "user", and gets the
// server's domain (local): without it "@resident" names a different
// person on every server.
func author(a account, local string) civic.Author {
	return civic.Author{ID: a.ID, Handle: fullHandle(a, local), Name: a.DisplayName}
}

// fullHandle is @user@server for an account: its acct when that names the
// server; else the local domain; else the host of the account's url.
func fullHandle(a account, local string) string {
	acct := strings.TrimPrefix(a.Acct, "@")
	if acct == "" || strings.Contains(acct, "@") {
		return "@" + acct
	}
	host := local
	if host == "" {
		if u, err := url.Parse(a.URL); err == nil {
			host = u.Host
		}
	}
	if host == "" {
		return "@" + acct
	}
	return "@" + acct + "@" + strings.ToLower(host)
}

// localDomain is the domain of the accounts local to the server of an
// endpoint: the one in the official account's handle (@parks@city.example;
// the account is on that server), else the host of its base URL.
func localDomain(ep *civic.Endpoint) string {
	if ep == nil {
		return ""
	}
	if _, d, ok := strings.Cut(strings.TrimPrefix(ep.Handle, "@"), "@"); ok && d != "" {
		return strings.ToLower(d)
	}
	if u, err := url.Parse(ep.BaseURL); err == nil {
		return strings.ToLower(u.Host)
	}
	return ""
}

func mediaOf(ms []media) []civic.Media {
	var out []civic.Media
	for _, m := range ms {
		u := m.URL
		if u == "" && m.RemoteURL != nil {
			u = *m.RemoteURL
		}
		if u == "" {
			continue
		}
		out = append(out, civic.Media{Type: mediaType(m.Type), URL: u})
	}
	return out
}

func mediaType(t string) string {
	switch t {
	case "image":
		return "image/*"
	case "video", "gifv":
		return "video/*"
	case "audio":
		return "audio/*"
	}
	return "application/octet-stream"
}

// systemMessage is a note GoToSocial adds to a status's content for its
// reader (a reply pending approval): not what the author wrote.
var systemMessage = regexp.MustCompile(`(?s)<div class="gts-system-message[^"]*">.*?</div>`)

func text(spoiler, content string) string {
	t := platform.HTMLText(systemMessage.ReplaceAllString(content, ""))
	if s := strings.TrimSpace(spoiler); s != "" {
		return "CW: " + s + "\n\n" + t
	}
	return t
}

// held returns the replies to a post that GoToSocial holds for approval;
// none on a server without interaction requests (Mastodon).
func (a *Adapter) held(ctx context.Context, ep *civic.Endpoint, statusID, thread string) ([]civic.Observation, error) {
	reqs, err := a.pending(ctx, ep, statusID)
	if errors.Is(err, civic.ErrUnsupported) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []civic.Observation
	for _, r := range reqs {
		if r.Reply == nil || r.Type != "reply" {
			continue
		}
		o := toObservation(r.Reply, thread, localDomain(ep))
		o.State = civic.StateHeld
		o.Raw = r.RawRep
		out = append(out, *o)
	}
	return out, nil
}

// pending lists GoToSocial's pending reply requests, for one status or all.
func (a *Adapter) pending(ctx context.Context, ep *civic.Endpoint, statusID string) ([]interactionRequest, error) {
	if _, no := a.noRequests.Load(ep.BaseURL); no {
		return nil, civic.ErrUnsupported
	}
	q := url.Values{"favourites": {"false"}, "reblogs": {"false"}, "replies": {"true"}, "limit": {"80"}}
	if statusID != "" {
		q.Set("status_id", statusID)
	}
	var raws []json.RawMessage
	if _, err := a.get(ctx, ep, "/api/v1/interaction_requests", q, &raws); err != nil {
		if civic.PlatformErrorKindOf(err) == civic.PlatformNotFound {
			a.noRequests.Store(ep.BaseURL, true)
			return nil, civic.ErrUnsupported
		}
		return nil, err
	}
	out := make([]interactionRequest, 0, len(raws))
	for _, raw := range raws {
		var r struct {
			interactionRequest
			Reply json.RawMessage `json:"reply"`
		}
		if err := a.c.Decode(raw, &r); err != nil {
			return nil, err
		}
		ir := r.interactionRequest
		if len(r.Reply) > 0 && string(r.Reply) != "null" {
			var s status
			if err := a.c.Decode(r.Reply, &s); err != nil {
				return nil, err
			}
			ir.Reply, ir.RawRep = &s, r.Reply
		}
		out = append(out, ir)
	}
	return out, nil
}
