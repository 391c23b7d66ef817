package youtube

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/platform"
)

type snippet struct {
	AuthorDisplayName string `json:"authorDisplayName"`
	AuthorChannelID   *struct {
		Value string `json:"value"`
	} `json:"authorChannelId"`
	AuthorChannelURL string `json:"authorChannelUrl"`
	VideoID          string `json:"videoId"`
	TextOriginal     string `json:"textOriginal"`
	TextDisplay      string `json:"textDisplay"`
	ParentID         string `json:"parentId"`
	ModerationStatus string `json:"moderationStatus"`
	PublishedAt      string `json:"publishedAt"`
	UpdatedAt        string `json:"updatedAt"`
}

type comment struct {
	ID      string  `json:"id"`
	Snippet snippet `json:"snippet"`
}

type commentThread struct {
	ID      string `json:"id"`
	Snippet struct {
		TopLevelComment json.RawMessage `json:"topLevelComment"`
		TotalReplyCount int             `json:"totalReplyCount"`
	} `json:"snippet"`
	Replies struct {
		Comments []json.RawMessage `json:"comments"`
	} `json:"replies"`
}

// thread reads every comment thread of a video, published and held for
// review, and every reply (comments.list when the thread holds more
// replies than commentThreads returns).
func (a *Adapter) thread(ctx context.Context, ep *civic.Endpoint, root civic.Observation) (civic.Thread, error) {
	th := civic.Thread{Root: root, Complete: true}
	for _, status := range []string{"published", "heldForReview"} {
		q := url.Values{"part": {"snippet,replies"}, "videoId": {root.PlatformID}, "maxResults": {"100"},
			"textFormat": {"plainText"}, "moderationStatus": {status}}
		for pages := 0; ; pages++ {
			l, err := a.get(ctx, ep, "/commentThreads", q)
			if civic.PlatformErrorKindOf(err) == civic.PlatformNotFound {
				th.Complete = false // comments disabled or the video is gone
				break
			}
			if err != nil {
				return th, err
			}
			for i, raw := range l.Items {
				if err := a.addThread(ctx, ep, &th, raw); err != nil {
					return th, malformedOr(fmt.Sprintf("commentThreads of %s items[%d]", root.PlatformID, i), err)
				}
			}
			if l.NextPageToken == "" {
				break
			}
			if pages > 1000 {
				return th, malformed("commentThreads of "+root.PlatformID, fmt.Errorf("paging did not end"))
			}
			q.Set("pageToken", l.NextPageToken)
		}
	}
	return th, nil
}

func (a *Adapter) addThread(ctx context.Context, ep *civic.Endpoint, th *civic.Thread, raw json.RawMessage) error {
	var ct commentThread
	if err := json.Unmarshal(raw, &ct); err != nil {
		return err
	}
	top, err := observe(ct.Snippet.TopLevelComment, th.Root.PlatformID)
	if err != nil {
		return fmt.Errorf("snippet.topLevelComment: %w", err)
	}
	th.Items = append(th.Items, top)
	replies := ct.Replies.Comments
	if ct.Snippet.TotalReplyCount > len(replies) {
		all, err := a.replies(ctx, ep, top.PlatformID)
		if err != nil {
			return err
		}
		replies = all
	}
	for j, r := range replies {
		o, err := observe(r, th.Root.PlatformID)
		if err != nil {
			return fmt.Errorf("replies.comments[%d]: %w", j, err)
		}
		th.Items = append(th.Items, o)
	}
	return nil
}

func (a *Adapter) replies(ctx context.Context, ep *civic.Endpoint, parent string) ([]json.RawMessage, error) {
	q := url.Values{"part": {"snippet"}, "parentId": {parent}, "maxResults": {"100"}, "textFormat": {"plainText"}}
	var all []json.RawMessage
	for range 1000 {
		l, err := a.get(ctx, ep, "/comments", q)
		if err != nil {
			return nil, err
		}
		all = append(all, l.Items...)
		if l.NextPageToken == "" {
			return all, nil
		}
		q.Set("pageToken", l.NextPageToken)
	}
	return nil, malformed("comments of "+parent, fmt.Errorf("paging did not end"))
}

func observe(raw json.RawMessage, videoID string) (civic.Observation, error) {
	var c comment
	if err := json.Unmarshal(raw, &c); err != nil {
		return civic.Observation{}, err
	}
	if c.ID == "" {
		return civic.Observation{}, fmt.Errorf("id is missing")
	}
	s := c.Snippet
	o := civic.Observation{PlatformID: c.ID, Kind: civic.ItemComment, ParentID: videoID, ThreadID: videoID,
		Text: s.TextOriginal, State: civic.StateVisible, Raw: append([]byte(nil), raw...),
		Author: civic.Author{Name: s.AuthorDisplayName}, PlatformTime: parseTime(s.PublishedAt)}
	if o.Text == "" {
		o.Text = s.TextDisplay
	}
	if s.AuthorChannelID != nil {
		o.Author.ID = s.AuthorChannelID.Value
	}
	if s.ParentID != "" {
		o.Kind, o.ParentID = civic.ItemReply, s.ParentID
	}
	switch s.ModerationStatus {
	case "heldForReview", "likelySpam":
		o.State = civic.StateHeld
	case "rejected":
		o.State = civic.StateHidden
	}
	if u := parseTime(s.UpdatedAt); u != nil && o.PlatformTime != nil && u.After(*o.PlatformTime) {
		o.EditedAt = u
	}
	return o, nil
}

func malformedOr(where string, err error) error {
	if civic.PlatformErrorKindOf(err) != "" {
		return err
	}
	return malformed(where, err)
}

// Moderate implements civic.Platform through comments.setModerationStatus:
// hide holds the comment for review, unhide and approve publish it,
// delete rejects it (YouTube's removal, which cannot be undone).
// banAuthor is never sent.
func (a *Adapter) Moderate(ctx context.Context, ep *civic.Endpoint, id string, action civic.PlatformAction) error {
	status := map[civic.PlatformAction]string{civic.ActionHide: "heldForReview", civic.ActionUnhide: "published",
		civic.ActionApprove: "published", civic.ActionDelete: "rejected"}[action]
	if status == "" {
		return civic.ErrUnsupported
	}
	_, err := a.c.Do(ctx, platform.Request{Method: http.MethodPost, URL: base(ep) + "/comments/setModerationStatus",
		Query: url.Values{"id": {id}, "moderationStatus": {status}}, Token: ep.Token.AccessToken})
	return err
}
