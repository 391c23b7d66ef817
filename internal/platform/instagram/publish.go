package instagram

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/platform"
	"steward.city/steward/internal/platform/facebook"
)

// The Content Publishing API calls publishing makes (Instagram API with
// Facebook Login; developers.facebook.com/docs/instagram-platform/content-publishing,
// …/instagram-api/reference/ig-container, …/ig-media/comments):
//
//	POST /{ig-user-id}/media          image_url, caption, alt_text                → {"id": "<container id>"}
//	POST /{ig-user-id}/media          image_url, is_carousel_item=true, alt_text  → {"id": "<child container id>"}
//	POST /{ig-user-id}/media          media_type=CAROUSEL, children, caption      → {"id": "<container id>"}
//	GET  /{container-id}              fields=id,status_code,status                → status_code FINISHED, IN_PROGRESS, ERROR, EXPIRED or PUBLISHED
//	POST /{ig-user-id}/media_publish  creation_id                                 → {"id": "<media id>"}
//	GET  /{ig-media-id}               fields=id,caption,permalink,timestamp
//	GET  /{ig-user-id}/media          fields=id,caption,permalink,timestamp       (newest first)
//	POST /{ig-media-id}/comments      message                                     → {"id": "<comment id>"}
//	GET  /{ig-media-id}/comments      fields=id,text,timestamp,from{id,username}
//
// Instagram fetches each image from its public address (OutgoingMedia.URL)
// when the container is made; only JPEG images can be posted that way.
// The API takes no idempotency key and can neither edit a caption nor
// delete a post: a correction is a comment by the account on its post.
// A post is made in two steps, so a retry may find the first step done:
// the adapter keeps the container it made for each idempotency key (a
// container expires after 24 hours) and, on a retry, asks for its status
// before anything else: a container already PUBLISHED is not published
// again, its post is looked up by caption among the account's media.
// Across processes the publishing service reconciles through Recent, and
// a comment is looked for among the post's comments before it is made.
// An account may publish 25 posts a day through the API; beyond that
// media_publish is refused (code 9, subcode 2207042), which
// facebook.Classify reads as a rate limit, and the publication fails with
// Instagram's words; a post Instagram takes for spam (code 4, subcode
// 2207051) is a refusal, not a rate limit.
const (
	// MaxImage is the most bytes of one JPEG image Instagram takes.
	MaxImage = 8 << 20

	maxImages   = 10   // a carousel holds 2 to 10
	maxCaption  = 2200 // characters (runes) of a caption
	maxHashtags = 30
	maxMentions = 20

	statusChecks = 3               // reads of a new container's status before giving up for now
	statusPause  = 2 * time.Second // between those reads

	publishFields   = "id,caption,permalink,timestamp"
	ownCommentQuery = "id,text,timestamp,from{id,username}"
	ownMediaMax     = 50 // the newest media read to find a post already made
	ownCommentPages = 20 // pages of 50 comments read to find a comment already made
)

// The container statuses the API documents.
const (
	statusFinished   = "FINISHED"
	statusInProgress = "IN_PROGRESS"
	statusPublished  = "PUBLISHED"
	statusExpired    = "EXPIRED"
	statusError      = "ERROR"
)

func malformed(msg string) error {
	return &civic.PlatformError{Platform: "instagram", Kind: civic.PlatformMalformed, Message: msg}
}

// stillFetching is the answer while Instagram has not yet taken a
// container's images.
func stillFetching() error {
	return &civic.PlatformError{Platform: "instagram", Kind: civic.PlatformUnavailable,
		Message: "Instagram is still fetching the post's images: try again in a minute (the same container is published then, the post is not made twice)"}
}

func (a *Adapter) user(ep *civic.Endpoint) (string, error) {
	if !facebook.IsID(ep.RemoteID) {
		return "", malformed("the connection has no Instagram user id to post as")
	}
	return ep.RemoteID, nil
}

// MediaLimit implements civic.MediaPublisher: JPEG images of up to 8 MB;
// Steward sends no video (Reels) to Instagram.
func (a *Adapter) MediaLimit(kind string) int64 {
	if kind == "image" {
		return MaxImage
	}
	return 0
}

// MediaTypeOK implements civic.URLMediaPublisher: Instagram fetches only
// JPEG images by address.
func (a *Adapter) MediaTypeOK(contentType string) bool { return contentType == "image/jpeg" }

// countTags counts the hashtags (mark '#') or @mentions (mark '@') in a
// text: the mark at the start of a word, followed by a letter, digit or
// underscore (a '#' in an address or an e-mail's '@' is none).
func countTags(text string, mark rune) int {
	n := 0
	var prev rune = ' '
	for i, r := range text {
		if r == mark && !unicode.IsLetter(prev) && !unicode.IsDigit(prev) && !strings.ContainsRune("_&/.@#", prev) {
			next, _ := utf8.DecodeRuneInString(text[i+utf8.RuneLen(r):])
			if unicode.IsLetter(next) || unicode.IsDigit(next) || next == '_' {
				n++
			}
		}
		prev = r
	}
	return n
}

// checkText checks a caption or comment against Instagram's limits.
func checkText(text string) error {
	if n := utf8.RuneCountInString(text); n > maxCaption {
		return civic.Invalid("text", "Instagram takes at most 2,200 characters of text; this text has %d", n)
	}
	if n := countTags(text, '#'); n > maxHashtags {
		return civic.Invalid("text", "Instagram takes at most 30 hashtags in a post; this text has %d", n)
	}
	if n := countTags(text, '@'); n > maxMentions {
		return civic.Invalid("text", "Instagram takes at most 20 @mentions in a post; this text has %d", n)
	}
	return nil
}

// Precheck implements civic.PostPrechecker: checkPost without the
// addresses, which are made only when the post is published.
func (a *Adapter) Precheck(post civic.OutgoingPost) error { return precheck(post) }

// checkPost checks a new post before anything is sent: 1 to 10 JPEG
// images, each with the address Instagram fetches it from, and a caption
// within the limits (empty is allowed).
func checkPost(post civic.OutgoingPost) error {
	if err := precheck(post); err != nil {
		return err
	}
	for _, m := range post.Media {
		if m.URL == "" {
			return civic.Invalid("media", "Instagram fetches each image from Steward's public address, and %s has none (is --public-url set?)", m.File)
		}
		if u, err := url.Parse(m.URL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return civic.Invalid("media", "the address of %s is not one Instagram can fetch it from", m.File)
		}
	}
	return nil
}

// precheck checks what a post holds: 1 to 10 JPEG images and a caption
// within the limits (empty is allowed).
func precheck(post civic.OutgoingPost) error {
	if len(post.Media) == 0 {
		return civic.Invalid("media", "An Instagram post needs at least one JPEG image: Instagram takes no post of text alone")
	}
	if len(post.Media) > maxImages {
		return civic.Invalid("media", "An Instagram post carries at most 10 images; this one has %d", len(post.Media))
	}
	for _, m := range post.Media {
		switch {
		case m.Kind != "image":
			return civic.Invalid("media", "Steward sends only JPEG images to Instagram, and %s is a %s", m.File, m.Kind)
		case m.ContentType != "image/jpeg":
			return civic.Invalid("media", "Instagram takes only JPEG images by address, and %s is %s", m.File, m.ContentType)
		case m.Size > MaxImage:
			return civic.Invalid("media", "Instagram takes images of at most 8 MB, and %s has %d bytes", m.File, m.Size)
		}
	}
	return checkText(post.Text)
}

// Publish implements civic.Publisher. A new post is a container of its
// one image (with alt_text), or child containers of two to ten images
// (is_carousel_item) and a CAROUSEL container of them with the caption;
// the container's status is read (IN_PROGRESS while Instagram fetches
// the images: unavailable, try again), then media_publish of it. With an
// idempotency key, the container made for that key by an earlier call is
// reused: PUBLISHED means the earlier call went through, and its post is
// found by caption among the account's media, not made again; EXPIRED or
// ERROR means a new container. When media_publish fails without a clear
// refusal (a lost answer, a server error), the container's status says
// whether it went through. With InReplyTo, the post is a correction: a
// comment by the account on its post (comment).
func (a *Adapter) Publish(ctx context.Context, ep *civic.Endpoint, post civic.OutgoingPost) (*civic.PublishedPost, error) {
	uid, err := a.user(ep)
	if err != nil {
		return nil, err
	}
	if post.InReplyTo != "" {
		return a.comment(ctx, ep, post)
	}
	if err := checkPost(post); err != nil {
		return nil, err
	}
	since, timed := facebook.KeyTime(post.IdempotencyKey)
	key := ""
	if post.IdempotencyKey != "" {
		key = uid + " " + post.IdempotencyKey
	}
	var c facebook.Container
	reused := false
	if key != "" {
		c, reused = a.made.Get(key, a.now())
	}
	if reused {
		if !timed {
			since = c.At
		}
		st, err := a.status(ctx, ep, c.ID)
		switch {
		case civic.PlatformErrorKindOf(err) == civic.PlatformNotFound, err == nil && (st.Code == statusExpired || st.Code == statusError):
			a.made.Forget(key)
			reused = false
		case err != nil:
			return nil, err
		case st.Code == statusPublished:
			return a.alreadyPublished(ctx, ep, key, post.Text, since)
		case st.Code == statusInProgress:
			return nil, stillFetching()
		case st.Code != statusFinished:
			return nil, malformed(fmt.Sprintf("the container's status is %q, not one the API documents", st.Code))
		}
	}
	if !reused {
		if c, err = a.container(ctx, ep, uid, post); err != nil {
			return nil, err
		}
		if !timed {
			since = c.At
		}
		if key != "" {
			a.made.Put(key, c)
		}
		switch published, err := a.ready(ctx, ep, key, c.ID); {
		case err != nil:
			return nil, err
		case published:
			return a.alreadyPublished(ctx, ep, key, post.Text, since)
		}
	}
	var out struct {
		ID string `json:"id"`
	}
	_, err = a.c.GetJSON(ctx, platform.Request{Method: http.MethodPost, URL: facebook.Base(ep, facebook.GraphBase) + "/" + uid + "/media_publish",
		Token: ep.Token.AccessToken, Form: url.Values{"creation_id": {c.ID}}}, &out)
	if err == nil && !facebook.IsID(out.ID) {
		err = malformed(fmt.Sprintf("the API answered media_publish with the id %q", out.ID))
	}
	if err != nil {
		switch civic.PlatformErrorKindOf(err) {
		case civic.PlatformUnavailable, civic.PlatformMalformed, "":
			// The answer may be lost while the post went out.
			if st, serr := a.status(ctx, ep, c.ID); serr == nil {
				switch st.Code {
				case statusPublished:
					return a.alreadyPublished(ctx, ep, key, post.Text, since)
				case statusInProgress:
					return nil, stillFetching()
				}
			}
		}
		return nil, err
	}
	a.made.Forget(key)
	return a.read(ctx, ep, out.ID, post.Text), nil
}

// container makes the post's container: one image's, or a carousel's
// after a child container for each image, in order.
func (a *Adapter) container(ctx context.Context, ep *civic.Endpoint, uid string, post civic.OutgoingPost) (facebook.Container, error) {
	if len(post.Media) == 1 {
		m := post.Media[0]
		form := url.Values{"image_url": {m.URL}}
		if post.Text != "" {
			form.Set("caption", post.Text)
		}
		if m.Alt != "" {
			form.Set("alt_text", m.Alt)
		}
		return a.create(ctx, ep, uid, form, "the container")
	}
	children := make([]string, 0, len(post.Media))
	for i, m := range post.Media {
		form := url.Values{"image_url": {m.URL}, "is_carousel_item": {"true"}}
		if m.Alt != "" {
			form.Set("alt_text", m.Alt)
		}
		child, err := a.create(ctx, ep, uid, form, fmt.Sprintf("the container of image %d", i+1))
		if err != nil {
			return facebook.Container{}, err
		}
		children = append(children, child.ID)
	}
	form := url.Values{"media_type": {"CAROUSEL"}, "children": {strings.Join(children, ",")}}
	if post.Text != "" {
		form.Set("caption", post.Text)
	}
	return a.create(ctx, ep, uid, form, "the carousel container")
}

// create is POST /{ig-user-id}/media with the form.
func (a *Adapter) create(ctx context.Context, ep *civic.Endpoint, uid string, form url.Values, what string) (facebook.Container, error) {
	var made struct {
		ID string `json:"id"`
	}
	if _, err := a.c.GetJSON(ctx, platform.Request{Method: http.MethodPost, URL: facebook.Base(ep, facebook.GraphBase) + "/" + uid + "/media",
		Token: ep.Token.AccessToken, Form: form}, &made); err != nil {
		return facebook.Container{}, err
	}
	if !facebook.IsID(made.ID) {
		return facebook.Container{}, malformed(fmt.Sprintf("the API answered %s with the id %q", what, made.ID))
	}
	return facebook.Container{ID: made.ID, At: a.now()}, nil
}

// ready waits until a new container is FINISHED: its status is read up to
// statusChecks times, a.pause apart. Still IN_PROGRESS answers
// unavailable (the retry reuses the container); ERROR or EXPIRED forgets
// it (the retry makes a new one) and answers why. PUBLISHED (which a new
// container should never be) is reported, so that it is not published
// again.
func (a *Adapter) ready(ctx context.Context, ep *civic.Endpoint, key, id string) (published bool, err error) {
	for i := range statusChecks {
		if i > 0 && a.pause > 0 {
			t := time.NewTimer(a.pause)
			select {
			case <-ctx.Done():
				t.Stop()
				return false, ctx.Err()
			case <-t.C:
			}
		}
		st, err := a.status(ctx, ep, id)
		if err != nil {
			return false, err
		}
		switch st.Code {
		case statusFinished:
			return false, nil
		case statusPublished:
			return true, nil
		case statusInProgress:
			continue
		case statusError, statusExpired:
			a.made.Forget(key)
			msg := "Instagram could not take the post's images (container " + st.Code
			if st.Status != "" {
				msg += ": " + st.Status
			}
			return false, malformed(msg + "); check that each is a JPEG image Instagram accepts and that Steward's public address is reachable")
		default:
			return false, malformed(fmt.Sprintf("the container's status is %q, not one the API documents", st.Code))
		}
	}
	return false, stillFetching()
}

// containerStatus is a container's publishing status; Status is the
// error subcode when Code is ERROR.
type containerStatus struct {
	ID     string `json:"id"`
	Code   string `json:"status_code"`
	Status string `json:"status"`
}

// status reads a container's publishing status.
func (a *Adapter) status(ctx context.Context, ep *civic.Endpoint, id string) (containerStatus, error) {
	var st containerStatus
	if _, err := a.c.GetJSON(ctx, platform.Request{URL: facebook.Base(ep, facebook.GraphBase) + "/" + id, Query: url.Values{"fields": {"id,status_code,status"}},
		Token: ep.Token.AccessToken}, &st); err != nil {
		return st, err
	}
	if st.Code == "" {
		return st, malformed("the container's status_code is missing")
	}
	return st, nil
}

// alreadyPublished finds the post of a container that is PUBLISHED.
func (a *Adapter) alreadyPublished(ctx context.Context, ep *civic.Endpoint, key, text string, since time.Time) (*civic.PublishedPost, error) {
	ps, err := a.Recent(ctx, ep, ownMediaMax)
	if err != nil {
		return nil, err
	}
	for i := range ps {
		if facebook.SameText(ps[i].Text, text) && !ps[i].CreatedAt.Before(since.Add(-time.Minute)) {
			a.made.Forget(key)
			return &ps[i], nil
		}
	}
	return nil, &civic.PlatformError{Platform: "instagram", Kind: civic.PlatformUnavailable,
		Message: "the container was published but its post is not listed yet: try again later (it will not be posted twice)"}
}

// media is a post as GET /{ig-media-id} and /{ig-user-id}/media answer.
type media struct {
	ID        string `json:"id"`
	Caption   string `json:"caption"`
	Permalink string `json:"permalink"`
	Timestamp string `json:"timestamp"`
}

// read is the published post as the API lists it; when that read fails,
// the post went out all the same, and is answered with what was sent.
func (a *Adapter) read(ctx context.Context, ep *civic.Endpoint, id, text string) *civic.PublishedPost {
	p := &civic.PublishedPost{ID: id, Text: text, CreatedAt: a.now().UTC()}
	var m media
	if _, err := a.c.GetJSON(ctx, platform.Request{URL: facebook.Base(ep, facebook.GraphBase) + "/" + id, Query: url.Values{"fields": {publishFields}},
		Token: ep.Token.AccessToken}, &m); err != nil || m.ID != id {
		return p
	}
	p.URL = m.Permalink
	if t := facebook.Time(m.Timestamp); t != nil {
		p.CreatedAt = *t
	}
	return p
}

// Recent implements civic.Publisher: the account's newest media (GET
// /{ig-user-id}/media), newest first, each with its caption as text.
func (a *Adapter) Recent(ctx context.Context, ep *civic.Endpoint, limit int) ([]civic.PublishedPost, error) {
	uid, err := a.user(ep)
	if err != nil {
		return nil, err
	}
	limit = min(max(limit, 1), 100)
	l, err := facebook.GetList(ctx, a.c, facebook.Base(ep, facebook.GraphBase)+"/"+uid+"/media", ep.Token.AccessToken,
		url.Values{"fields": {publishFields}, "limit": {strconv.Itoa(limit)}})
	if err != nil {
		return nil, err
	}
	out := make([]civic.PublishedPost, 0, len(l.Data))
	for i, raw := range l.Data {
		var m media
		if err := json.Unmarshal(raw, &m); err != nil || !facebook.IsID(m.ID) {
			if err == nil {
				err = fmt.Errorf("id %q is not an Instagram id", m.ID)
			}
			return nil, facebook.Malformed("instagram", fmt.Sprintf("media data[%d]", i), err)
		}
		p := civic.PublishedPost{ID: m.ID, URL: m.Permalink, Text: m.Caption}
		if t := facebook.Time(m.Timestamp); t != nil {
			p.CreatedAt = *t
		}
		out = append(out, p)
	}
	return platform.NewestFirst(out, limit), nil
}

// comment is a correction: a comment by the account on its post (POST
// /{ig-media-id}/comments), after the post's comments are read for one
// the account already made with the same text since the key's time (a
// retry whose answer was lost). Its address is the post's.
func (a *Adapter) comment(ctx context.Context, ep *civic.Endpoint, post civic.OutgoingPost) (*civic.PublishedPost, error) {
	if !facebook.IsID(post.InReplyTo) {
		return nil, civic.Invalid("in_reply_to", "%q is not the id of an Instagram post", post.InReplyTo)
	}
	if len(post.Media) > 0 {
		return nil, civic.Invalid("media", "An Instagram correction is a comment, which carries no images")
	}
	if strings.TrimSpace(post.Text) == "" {
		return nil, civic.Invalid("text", "An Instagram correction comment needs text")
	}
	if err := checkText(post.Text); err != nil {
		return nil, err
	}
	if since, timed := facebook.KeyTime(post.IdempotencyKey); timed {
		if got, err := a.ownComment(ctx, ep, post.InReplyTo, post.Text, since); err != nil || got != nil {
			return got, err
		}
	}
	var made struct {
		ID string `json:"id"`
	}
	if _, err := a.c.GetJSON(ctx, platform.Request{Method: http.MethodPost, URL: facebook.Base(ep, facebook.GraphBase) + "/" + post.InReplyTo + "/comments",
		Token: ep.Token.AccessToken, Form: url.Values{"message": {post.Text}}}, &made); err != nil {
		return nil, err
	}
	if !facebook.IsID(made.ID) {
		return nil, malformed(fmt.Sprintf("the API answered the comment with the id %q", made.ID))
	}
	return &civic.PublishedPost{ID: made.ID, URL: a.permalink(ctx, ep, post.InReplyTo), Text: post.Text, CreatedAt: a.now().UTC()}, nil
}

// ownComment is a comment the account made on the media with the text
// since the time, or nil. It reads up to ownCommentPages pages.
func (a *Adapter) ownComment(ctx context.Context, ep *civic.Endpoint, mediaID, text string, since time.Time) (*civic.PublishedPost, error) {
	q := url.Values{"fields": {ownCommentQuery}, "limit": {"50"}}
	for range ownCommentPages {
		l, err := facebook.GetList(ctx, a.c, facebook.Base(ep, facebook.GraphBase)+"/"+mediaID+"/comments", ep.Token.AccessToken, q)
		if err != nil {
			return nil, err
		}
		for i, raw := range l.Data {
			var c struct {
				ID        string `json:"id"`
				Text      string `json:"text"`
				Timestamp string `json:"timestamp"`
				From      *struct {
					ID string `json:"id"`
				} `json:"from"`
			}
			if err := json.Unmarshal(raw, &c); err != nil || !facebook.IsID(c.ID) {
				if err == nil {
					err = fmt.Errorf("id %q is not an Instagram id", c.ID)
				}
				return nil, facebook.Malformed("instagram", fmt.Sprintf("comments of %s data[%d]", mediaID, i), err)
			}
			at := facebook.Time(c.Timestamp)
			if c.From == nil || c.From.ID != ep.RemoteID || at == nil || at.Before(since.Add(-time.Minute)) || !facebook.SameText(c.Text, text) {
				continue
			}
			return &civic.PublishedPost{ID: c.ID, URL: a.permalink(ctx, ep, mediaID), Text: c.Text, CreatedAt: *at}, nil
		}
		after := l.Paging.After()
		if after == "" {
			return nil, nil
		}
		facebook.SetCursor(q, after)
	}
	return nil, nil
}

// permalink is the address of the account's post, or "" when it cannot
// be read.
func (a *Adapter) permalink(ctx context.Context, ep *civic.Endpoint, id string) string {
	var m media
	if _, err := a.c.GetJSON(ctx, platform.Request{URL: facebook.Base(ep, facebook.GraphBase) + "/" + id, Query: url.Values{"fields": {"id,permalink"}},
		Token: ep.Token.AccessToken}, &m); err != nil || m.ID != id {
		return ""
	}
	return m.Permalink
}
