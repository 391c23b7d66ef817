package civic

import (
	"context"
	"io"
	"time"
)

// MediaUpload is a file a staff member uploaded for a draft's attachment:
// its bytes are in the blob store by SHA-256; its kind was checked against
// the bytes (ContentType is sniffed, not taken from the request).
type MediaUpload struct {
	SHA256      string    `json:"sha256"`
	UserID      int64     `json:"user_id"`
	File        string    `json:"file"`
	Kind        string    `json:"kind"` // image, gif, video, audio
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	CreatedAt   time.Time `json:"created_at"`
}

// OutgoingMedia is one file a post sends: Open reads its bytes (from the
// blob store; each call starts again, so an upload may be repeated), with
// its sniffed content type, size and alt text.
type OutgoingMedia struct {
	Open        func(ctx context.Context) (io.ReadCloser, error)
	File        string
	Kind        string // image, gif, video, audio
	ContentType string
	Size        int64
	SHA256      string
	Alt         string
	// URL is a public address the network fetches the file from, valid
	// for a short while; set only for a URLMediaPublisher.
	URL string
}

// MediaPublisher is a Publisher that sends a post's attachments with it
// (Mastodon's media API, Bluesky's uploadBlob). A Publisher that is not
// one cannot: a draft with media for its account is refused, naming the
// network, rather than published without them.
type MediaPublisher interface {
	// MediaLimit is the most bytes one file of the kind (image, gif,
	// video, audio) may have on the network; 0 when it cannot send that
	// kind through Steward.
	MediaLimit(kind string) int64
}

// MediaLink is a public address for one file of a post, made for a
// network that fetches a post's files (a URLMediaPublisher): a random
// token, kept only as its SHA-256, serves the file without sign-in until
// ExpiresAt. Links are kept after they expire: they say which file was
// made public, for which publication, and for how long.
type MediaLink struct {
	TokenSHA256   string    `json:"token_sha256"`
	SHA256        string    `json:"sha256"`
	ContentType   string    `json:"content_type"`
	File          string    `json:"file"`
	Size          int64     `json:"size"`
	PublicationID int64     `json:"publication_id"`
	CreatedAt     time.Time `json:"created_at"`
	ExpiresAt     time.Time `json:"expires_at"`
}

// URLMediaPublisher is a MediaPublisher whose network fetches each file
// from a public address instead of taking its bytes (Instagram's Content
// Publishing API). The publishing service gives each OutgoingMedia a URL
// that serves that one file for a short while; without a public address
// for Steward (--public-url) a draft with files for such a network is
// refused when it is written.
type URLMediaPublisher interface {
	MediaPublisher
	// MediaTypeOK reports whether the network takes a file of the
	// sniffed content type ("image/jpeg").
	MediaTypeOK(contentType string) bool
}
