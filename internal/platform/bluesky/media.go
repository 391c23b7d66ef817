package bluesky

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/platform"
)

// MaxImage is the most bytes Bluesky takes for one image of a post
// (app.bsky.embed.images: 1,000,000).
const MaxImage = 1_000_000

// MediaLimit implements civic.MediaPublisher: still images only. Steward
// does not send Bluesky's videos (a separate video service) yet, nor
// GIFs or recordings, which a post cannot carry.
func (a *Adapter) MediaLimit(kind string) int64 {
	if kind == "image" {
		return MaxImage
	}
	return 0
}

// embedImages is app.bsky.embed.images: up to four images, each with its
// alt text.
type embedImages struct {
	Type   string       `json:"$type"`
	Images []embedImage `json:"images"`
}

type embedImage struct {
	Alt   string          `json:"alt"`
	Image json.RawMessage `json:"image"` // the blob as uploadBlob answered it
}

// images uploads each file with com.atproto.repo.uploadBlob (the body is
// the file, its content type the file's) and returns the embed that
// shows them with their alt text. Uploading the same file again names
// the same blob, so a retry is harmless.
func (a *Adapter) images(ctx context.Context, ep *civic.Endpoint, ms []civic.OutgoingMedia) (*embedImages, error) {
	e := &embedImages{Type: "app.bsky.embed.images", Images: []embedImage{}}
	for _, m := range ms {
		if a.MediaLimit(m.Kind) == 0 {
			return nil, civic.Invalid("media", "Bluesky: Steward cannot send %s %s to Bluesky", m.Kind, m.File)
		}
		f, err := m.Open(ctx)
		if err != nil {
			return nil, fmt.Errorf("open the attachment %s: %w", m.File, err)
		}
		resp, err := a.c.Do(ctx, platform.Request{Method: http.MethodPost, URL: a.xrpc(ep, "com.atproto.repo.uploadBlob"), Token: ep.Token.AccessToken,
			Body: f, ContentType: m.ContentType, Length: m.Size})
		f.Close()
		if err != nil {
			return nil, err
		}
		var out struct {
			Blob json.RawMessage `json:"blob"`
		}
		if err := a.c.Decode(resp.Body, &out); err != nil {
			return nil, err
		}
		var b struct {
			Type string `json:"$type"`
			Ref  struct {
				Link string `json:"$link"`
			} `json:"ref"`
		}
		if err := json.Unmarshal(out.Blob, &b); err != nil || b.Type != "blob" || b.Ref.Link == "" {
			return nil, malformed("uploadBlob of "+m.File, fmt.Errorf("the answer holds no blob reference"))
		}
		e.Images = append(e.Images, embedImage{Alt: m.Alt, Image: out.Blob})
	}
	return e, nil
}
