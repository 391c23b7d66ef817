package mastodon

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/platform"
)

// mediaLimits are the most bytes Mastodon takes for one file of each kind
// (Mastodon 4: 16 MB images, 99 MB video and audio); GoToSocial's default
// is larger.
var mediaLimits = map[string]int64{"image": 16 << 20, "gif": 16 << 20, "video": 99 << 20, "audio": 99 << 20}

// MediaLimit implements civic.MediaPublisher.
func (a *Adapter) MediaLimit(kind string) int64 { return mediaLimits[kind] }

// MediaWait is how long an upload the server processes in the background
// (a 202 answer) is waited for before the post is given up.
const MediaWait = 5 * time.Minute

// upload sends one file with POST /api/v2/media, its alt text as the
// description, and waits until the server has processed it (an answer
// without its url is still being processed: GET /api/v1/media/:id until
// it has one). It returns the attachment's id for the status's media_ids.
func (a *Adapter) upload(ctx context.Context, ep *civic.Endpoint, b string, m civic.OutgoingMedia) (string, error) {
	f, err := m.Open(ctx)
	if err != nil {
		return "", fmt.Errorf("open the attachment %s: %w", m.File, err)
	}
	defer f.Close()
	var fields []platform.Field
	if m.Alt != "" {
		fields = append(fields, platform.Field{Name: "description", Value: m.Alt})
	}
	body, ct, n := platform.Multipart(fields, "file", m.File, m.ContentType, m.Size, f)
	resp, err := a.c.Do(ctx, platform.Request{Method: http.MethodPost, URL: b + "/api/v2/media", Token: ep.Token.AccessToken, Body: body, ContentType: ct, Length: n})
	if err != nil {
		return "", err
	}
	var at media
	if err := a.c.Decode(resp.Body, &at); err != nil {
		return "", err
	}
	if at.ID == "" {
		return "", &civic.PlatformError{Platform: Name, Kind: civic.PlatformMalformed, Message: "the server answered the upload of " + m.File + " without a media id"}
	}
	wait := 500 * time.Millisecond
	deadline := time.Now().Add(MediaWait)
	for at.URL == "" {
		if time.Now().After(deadline) {
			return "", &civic.PlatformError{Platform: Name, Kind: civic.PlatformUnavailable,
				Message: fmt.Sprintf("the server was still processing %s after %s", m.File, MediaWait)}
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return "", ctx.Err()
		case <-t.C:
		}
		wait = min(2*wait, 5*time.Second)
		if _, err := a.get(ctx, ep, "/api/v1/media/"+url.PathEscape(at.ID), nil, &at); err != nil {
			return "", err
		}
	}
	return at.ID, nil
}
