package linkedin

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/platform"
)

// MaxCommentary is the most characters of commentary LinkedIn keeps: a
// longer one is cut short without an error, so Steward refuses it.
// Escapes count: LinkedIn stores the escaped text.
const MaxCommentary = 3000

// outgoingPost is the body of POST /rest/posts for a text post of the
// organization (Posts API): author, commentary (little text),
// visibility, distribution, lifecycleState, isReshareDisabledByAuthor.
type outgoingPost struct {
	Author       string `json:"author"`
	Commentary   string `json:"commentary"`
	Visibility   string `json:"visibility"`
	Distribution struct {
		FeedDistribution               string   `json:"feedDistribution"`
		TargetEntities                 []string `json:"targetEntities"`
		ThirdPartyDistributionChannels []string `json:"thirdPartyDistributionChannels"`
	} `json:"distribution"`
	LifecycleState            string `json:"lifecycleState"`
	IsReshareDisabledByAuthor bool   `json:"isReshareDisabledByAuthor"`
}

// Publish implements civic.Publisher: POST /rest/posts as the
// organization, public, in the main feed; the new post's URN is the
// answer's x-restli-id header (201, no body). The text goes out as little
// text with its reserved characters escaped, so it shows as written.
// LinkedIn has no idempotency key: a retry is made safe by the publishing
// service, which reads Recent before it sends again. With InReplyTo the
// post is a comment of the organization on that post (see comment).
func (a *Adapter) Publish(ctx context.Context, ep *civic.Endpoint, post civic.OutgoingPost) (*civic.PublishedPost, error) {
	text := strings.ToValidUTF8(post.Text, "\uFFFD")
	if strings.TrimSpace(text) == "" {
		return nil, civic.Invalid("text", "a post on LinkedIn needs text")
	}
	if post.InReplyTo != "" {
		return a.comment(ctx, ep, post.InReplyTo, text)
	}
	commentary, err := commentaryOf(text)
	if err != nil {
		return nil, err
	}
	body := outgoingPost{Author: orgURN(ep), Commentary: commentary, Visibility: "PUBLIC", LifecycleState: "PUBLISHED"}
	body.Distribution.FeedDistribution = "MAIN_FEED"
	body.Distribution.TargetEntities, body.Distribution.ThirdPartyDistributionChannels = []string{}, []string{}
	resp, err := a.c.Do(ctx, platform.Request{Method: http.MethodPost, URL: base(ep) + "/rest/posts", Token: ep.Token.AccessToken, Header: headers, JSON: body})
	if err != nil {
		return nil, err
	}
	id := resp.Header.Get("X-Restli-Id")
	if !isPostURN(id) {
		return nil, malformed("POST /rest/posts x-restli-id", fmt.Errorf("%q is not the URN of a post", id))
	}
	return &civic.PublishedPost{ID: id, URL: postURL(id), Text: text, CreatedAt: a.now().UTC()}, nil
}

// commentaryOf is text as little text, refused when LinkedIn would cut it.
func commentaryOf(text string) (string, error) {
	c := escapeLittle(text)
	if n := utf8.RuneCountInString(c); n > MaxCommentary {
		return "", civic.Invalid("text", "LinkedIn keeps %d characters of a post and this one is %d once its reserved characters are escaped", MaxCommentary, n)
	}
	return c, nil
}

// Edit implements civic.PostEditor: a PARTIAL_UPDATE of the post's
// commentary (POST /rest/posts/{encoded urn} with X-RestLi-Method:
// PARTIAL_UPDATE and {"patch": {"$set": {"commentary": …}}}), answered
// 204. LinkedIn keeps no earlier version of the text, and shows no mark
// of the edit; the archive keeps every version Steward sent.
func (a *Adapter) Edit(ctx context.Context, ep *civic.Endpoint, platformID string, post civic.OutgoingPost) (*civic.PublishedPost, error) {
	if !isPostURN(platformID) {
		return nil, civic.Invalid("platform_id", "%q is not the URN of a LinkedIn post", platformID)
	}
	text := strings.ToValidUTF8(post.Text, "\uFFFD")
	if strings.TrimSpace(text) == "" {
		return nil, civic.Invalid("text", "a post on LinkedIn needs text")
	}
	commentary, err := commentaryOf(text)
	if err != nil {
		return nil, err
	}
	h := headers.Clone()
	h.Set("X-Restli-Method", "PARTIAL_UPDATE")
	body := map[string]any{"patch": map[string]any{"$set": map[string]string{"commentary": commentary}}}
	if _, err := a.c.Do(ctx, platform.Request{Method: http.MethodPost, URL: base(ep) + "/rest/posts/" + encodeURN(platformID), Token: ep.Token.AccessToken, Header: h, JSON: body}); err != nil {
		return nil, err
	}
	return &civic.PublishedPost{ID: platformID, URL: postURL(platformID), Text: text, CreatedAt: a.now().UTC()}, nil
}

// DeletePost implements civic.PostDeleter: DELETE /rest/posts/{encoded
// urn} (X-RestLi-Method: DELETE), answered 204. A post already gone
// answers 404, not_found.
func (a *Adapter) DeletePost(ctx context.Context, ep *civic.Endpoint, platformID string) error {
	if !isPostURN(platformID) {
		return civic.Invalid("platform_id", "%q is not the URN of a LinkedIn post", platformID)
	}
	h := headers.Clone()
	h.Set("X-Restli-Method", "DELETE")
	_, err := a.c.Do(ctx, platform.Request{Method: http.MethodDelete, URL: base(ep) + "/rest/posts/" + encodeURN(platformID), Token: ep.Token.AccessToken, Header: h})
	return err
}

// Lookup implements civic.Lookuper: GET /rest/posts/{encoded urn}; 404
// is not_found. The publishing service reads it to tell whether an edit
// whose answer was lost went through.
func (a *Adapter) Lookup(ctx context.Context, ep *civic.Endpoint, platformID string) (*civic.Observation, error) {
	if !isPostURN(platformID) {
		return nil, civic.Invalid("platform_id", "%q is not the URN of a LinkedIn post", platformID)
	}
	resp, err := a.c.Do(ctx, platform.Request{URL: base(ep) + "/rest/posts/" + encodeURN(platformID), Token: ep.Token.AccessToken, Header: headers})
	if err != nil {
		return nil, err
	}
	var p post
	if err := json.Unmarshal(resp.Body, &p); err != nil || p.ID != platformID {
		if err == nil {
			err = fmt.Errorf("the answer is post %q", p.ID)
		}
		return nil, malformed("post "+platformID, err)
	}
	o := observePost(p, resp.Body)
	return &o, nil
}

// Recent implements civic.Publisher: the organization's newest posts,
// newest first (GET /rest/posts?author=…&q=author&sortBy=CREATED), their
// commentary as plain text. Drafts and failed posts are not posts; a
// post by another author (a forged answer) is left out.
func (a *Adapter) Recent(ctx context.Context, ep *civic.Endpoint, limit int) ([]civic.PublishedPost, error) {
	if ep.RemoteID == "" {
		return nil, &civic.PlatformError{Platform: Name, Kind: civic.PlatformMalformed, Message: "the connection has no organization to list posts of"}
	}
	limit = min(max(limit, 1), 100)
	l, err := a.get(ctx, ep, "/rest/posts", url.Values{"q": {"author"}, "author": {orgURN(ep)}, "count": {strconv.Itoa(limit)}, "sortBy": {"CREATED"}})
	if err != nil {
		return nil, err
	}
	out := make([]civic.PublishedPost, 0, len(l.Elements))
	for i, raw := range l.Elements {
		var p post
		if err := json.Unmarshal(raw, &p); err != nil {
			return nil, malformed(fmt.Sprintf("posts elements[%d]", i), err)
		}
		if !isPostURN(p.ID) {
			return nil, malformed(fmt.Sprintf("posts elements[%d].id", i), fmt.Errorf("%q is not the URN of a post", p.ID))
		}
		if p.Author != orgURN(ep) || p.LifecycleState == "DRAFT" || p.LifecycleState == "PUBLISH_FAILED" {
			continue
		}
		rp := civic.PublishedPost{ID: p.ID, URL: postURL(p.ID), Text: plainLittle(p.Commentary)}
		if t := millis(firstNonZero(p.PublishedAt, p.CreatedAt)); t != nil {
			rp.CreatedAt = *t
		}
		out = append(out, rp)
	}
	return platform.NewestFirst(out, limit), nil
}

// isPostURN reports whether s is the URN of a post: urn:li:share:… or
// urn:li:ugcPost:…, with a numeric id.
func isPostURN(s string) bool {
	id, ok := strings.CutPrefix(s, "urn:li:share:")
	if !ok {
		id, ok = strings.CutPrefix(s, "urn:li:ugcPost:")
	}
	if !ok || id == "" || len(id) > 25 {
		return false
	}
	for _, r := range id {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// encodeURN is a URN as one path segment, every reserved character
// percent-encoded, as the API asks of URNs in paths.
func encodeURN(urn string) string { return url.QueryEscape(urn) }

// postURL is the post's address on linkedin.com.
func postURL(urn string) string { return "https://www.linkedin.com/feed/update/" + urn + "/" }

// sameText reports whether two texts are the same but for spacing.
func sameText(a, b string) bool {
	return strings.Join(strings.Fields(a), " ") == strings.Join(strings.Fields(b), " ")
}
