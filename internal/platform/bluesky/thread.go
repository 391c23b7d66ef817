package bluesky

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"

	"steward.city/steward/internal/civic"
)

// threadView is app.bsky.feed.defs#threadViewPost (or #notFoundPost,
// #blockedPost) as getPostThread returns it.
type threadView struct {
	Type    string            `json:"$type"`
	URI     string            `json:"uri"`
	Post    json.RawMessage   `json:"post"`
	Replies []json.RawMessage `json:"replies"`
}

type postView struct {
	URI    string `json:"uri"`
	CID    string `json:"cid"`
	Author struct {
		DID         string `json:"did"`
		Handle      string `json:"handle"`
		DisplayName string `json:"displayName"`
	} `json:"author"`
	Record     postRecord `json:"record"`
	IndexedAt  string     `json:"indexedAt"`
	Threadgate *struct {
		Record struct {
			HiddenReplies []string `json:"hiddenReplies"`
		} `json:"record"`
	} `json:"threadgate"`
}

// thread reads a post's replies. The thread is complete unless a reply
// could not be shown (blocked, not found or beyond the depth limit).
func (a *Adapter) thread(ctx context.Context, ep *civic.Endpoint, root civic.Observation) (civic.Thread, error) {
	th := civic.Thread{Root: root}
	var out struct {
		Thread json.RawMessage `json:"thread"`
	}
	_, err := a.get(ctx, ep, "app.bsky.feed.getPostThread", url.Values{"uri": {root.PlatformID}, "depth": {"1000"}, "parentHeight": {"0"}}, &out)
	if civic.PlatformErrorKindOf(err) == civic.PlatformNotFound {
		return th, nil // deleted between the two calls
	}
	if err != nil {
		return th, err
	}
	var tv threadView
	if err := json.Unmarshal(out.Thread, &tv); err != nil {
		return th, malformed("getPostThread of "+root.PlatformID+" thread", err)
	}
	var pv postView
	if err := json.Unmarshal(tv.Post, &pv); err != nil {
		return th, malformed("getPostThread of "+root.PlatformID+" thread.post", err)
	}
	hidden := map[string]bool{}
	if pv.Threadgate != nil {
		for _, u := range pv.Threadgate.Record.HiddenReplies {
			hidden[u] = true
		}
	}
	th.Complete = true
	if err := a.walk(&th, tv.Replies, root.PlatformID, hidden, "thread"); err != nil {
		return th, malformed("getPostThread of "+root.PlatformID+" "+err.Error(), err)
	}
	return th, nil
}

func (a *Adapter) walk(th *civic.Thread, replies []json.RawMessage, parent string, hidden map[string]bool, where string) error {
	for i, raw := range replies {
		at := fmt.Sprintf("%s.replies[%d]", where, i)
		var tv threadView
		if err := json.Unmarshal(raw, &tv); err != nil {
			return fmt.Errorf("%s", at)
		}
		if tv.Type != "" && tv.Type != "app.bsky.feed.defs#threadViewPost" {
			th.Complete = false // not found, blocked: the platform does not show it
			continue
		}
		var pv postView
		if err := json.Unmarshal(tv.Post, &pv); err != nil || pv.URI == "" {
			return fmt.Errorf("%s.post", at)
		}
		o := civic.Observation{PlatformID: pv.URI, Kind: civic.ItemComment, ParentID: parent, ThreadID: th.Root.PlatformID,
			Text: pv.Record.Text, State: civic.StateVisible, PlatformTime: parseTime(pv.Record.CreatedAt),
			Author: civic.Author{ID: pv.Author.DID, Handle: pv.Author.Handle, Name: pv.Author.DisplayName}, Raw: append([]byte(nil), tv.Post...)}
		if pv.Record.Reply != nil && pv.Record.Reply.Parent.URI != "" {
			o.ParentID = pv.Record.Reply.Parent.URI
		}
		if o.ParentID != th.Root.PlatformID {
			o.Kind = civic.ItemReply
		}
		if hidden[o.PlatformID] {
			o.State = civic.StateHidden
		}
		th.Items = append(th.Items, o)
		if err := a.walk(th, tv.Replies, o.PlatformID, hidden, at); err != nil {
			return err
		}
	}
	return nil
}
