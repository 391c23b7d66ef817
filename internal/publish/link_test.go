package publish_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/jpeg"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/platform"
	"steward.city/steward/internal/platform/mastodon"
	"steward.city/steward/internal/publish"
	"steward.city/steward/internal/storetest"
)

// fetcher is a network that fetches a post's files from links, as
// Instagram does: while a post is made it reads each file through the
// link it was given, as anyone on the internet would.
type fetcher struct {
	*mastodon.Adapter
	base string
	svc  *publish.Service

	mu      sync.Mutex
	posts   []civic.OutgoingPost
	fetched [][]byte
	types   []string
}

func (f *fetcher) MediaLimit(kind string) int64 {
	if kind == "image" {
		return 8 << 20
	}
	return 0
}

func (f *fetcher) MediaTypeOK(ct string) bool { return ct == "image/jpeg" }

func (f *fetcher) Publish(ctx context.Context, ep *civic.Endpoint, post civic.OutgoingPost) (*civic.PublishedPost, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.posts = append(f.posts, post)
	for _, m := range post.Media {
		token, ok := strings.CutPrefix(m.URL, f.base+publish.MediaLinkPath)
		if !ok {
			return nil, &civic.PlatformError{Platform: "mastodon", Kind: civic.PlatformMalformed, Message: "the file's address is not Steward's: " + m.URL}
		}
		rc, l, err := f.svc.LinkedMedia(ctx, token)
		if err != nil {
			return nil, err
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return nil, err
		}
		f.fetched = append(f.fetched, b)
		f.types = append(f.types, l.ContentType)
	}
	return &civic.PublishedPost{ID: "p1", Text: post.Text, CreatedAt: time.Now().UTC()}, nil
}

func (f *fetcher) Recent(context.Context, *civic.Endpoint, int) ([]civic.PublishedPost, error) {
	return nil, nil
}

// jpegOf is a JPEG image w by h pixels, its colour from seed.
func jpegOf(t testing.TB, w, h int, seed byte) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = seed + byte(i%5)
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestMediaLinks: a network that fetches a post's files (Instagram) gets,
// for each file, a link under Steward's public address that serves that
// file, and only it, for an hour. Without a public address, or for a file
// of a type the network does not take, the draft is refused when it is
// written. A link cannot be guessed, forged from another, or used after
// it expires, and the database holds no token that serves anything.
func TestMediaLinks(t *testing.T) {
	const public = "https://steward.city.example"
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			clock := storetest.NewClock(time.Date(2026, 6, 1, 15, 0, 0, 0, time.UTC))
			f := &fetcher{Adapter: mastodon.New(platform.Config{}), base: public}
			e := newEnv(t, eng.Open(t, clock.Now), clock, map[string]civic.Platform{mastodon.Name: f}, "@parks")
			e.connect("https://social.example", "1", civic.PlatformToken{AccessToken: "t"})
			author, director := e.as(e.author), e.as(e.director)
			pic := jpegOf(t, 16, 12, 40)
			up := e.upload(e.author, "rink.jpg", pic)
			in := publish.DraftInput{AccountIDs: []int64{e.acct.ID}, Category: "announcement", Text: "The rink opens Saturday.",
				Media: []civic.DraftMedia{{SHA256: up.SHA256, Alt: "Skaters on the rink at dusk."}}}

			// No public address: the draft is refused when it is written.
			_, err := e.svc.CreateDraft(e.ctx, author, in)
			wantErr(t, err, civic.KindInvalid, "media", "--public-url")

			e.svc = publish.New(publish.Config{Store: e.store, Archive: e.arch, Connections: e.conns, Blobs: e.arch.Blobs(), Clock: clock.Now, PublicURL: public + "/"})
			f.svc = e.svc
			// A PNG: refused, naming the file and what to do.
			png := e.upload(e.author, "rink.png", pngOf(t, 8, 8, 1))
			_, err = e.svc.CreateDraft(e.ctx, author, publish.DraftInput{AccountIDs: []int64{e.acct.ID}, Category: "announcement", Text: "The rink.",
				Media: []civic.DraftMedia{{SHA256: png.SHA256, Alt: "The rink."}}})
			wantErr(t, err, civic.KindInvalid, "media[0]", "rink.png is a PNG image")

			d, err := e.svc.CreateDraft(e.ctx, author, in)
			if err != nil {
				t.Fatal(err)
			}
			approve(t, e, author, director, d)
			out, err := e.svc.Publish(e.ctx, author, d.ID)
			if err != nil || len(out) != 1 || out[0].Status != civic.PublicationPublished {
				t.Fatalf("publish: %+v, %v", out, err)
			}
			if len(f.posts) != 1 || len(f.posts[0].Media) != 1 || len(f.fetched) != 1 {
				t.Fatalf("the network got %d posts and fetched %d files", len(f.posts), len(f.fetched))
			}
			m := f.posts[0].Media[0]
			if !bytes.Equal(f.fetched[0], pic) || f.types[0] != "image/jpeg" || m.Alt != "Skaters on the rink at dusk." {
				t.Fatalf("fetched %d bytes of %s (want %d of image/jpeg), alt %q", len(f.fetched[0]), f.types[0], len(pic), m.Alt)
			}
			token := strings.TrimPrefix(m.URL, public+publish.MediaLinkPath)
			if len(token) != 43 {
				t.Fatalf("link %q", m.URL)
			}
			gone := func(what, tok string) {
				t.Helper()
				rc, _, err := e.svc.LinkedMedia(e.ctx, tok)
				if rc != nil {
					rc.Close()
				}
				if civic.ErrorKind(err) != civic.KindNotFound || !strings.Contains(civic.ErrorMessage(err), "no such file") {
					t.Errorf("%s: %v, want not found", what, err)
				}
			}
			// Forgeries: another token, one character changed, the file's
			// own hash (what an insider with the blob store knows), the
			// token's hash (what the database holds), malformed ones.
			flip := []byte(token)
			flip[10] ^= 1
			if flip[10] == '-' || flip[10] == '_' {
				flip[10] = 'A'
			}
			sum := sha256.Sum256([]byte(token))
			for what, tok := range map[string]string{
				"one character changed": string(flip),
				"a random token":        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
				"the file's hash":       up.SHA256,
				"the token's hash":      hex.EncodeToString(sum[:]),
				"the token's hash, cut": hex.EncodeToString(sum[:])[:43],
				"empty":                 "",
				"a path":                "../../../../etc/passwd/AAAAAAAAAAAAAAAAAAAAA",
				"too long":              token + "A",
			} {
				gone(what, tok)
			}
			// The database holds the token's hash, never the token.
			l, err := e.store.MediaLink(e.ctx, hex.EncodeToString(sum[:]))
			if err != nil || l.SHA256 != up.SHA256 || l.PublicationID == 0 || !l.ExpiresAt.Equal(l.CreatedAt.Add(time.Hour)) {
				t.Fatalf("stored link %+v, %v", l, err)
			}
			events, err := e.store.AuditEvents(e.ctx, civic.AuditFilter{Action: "publication.media_link"})
			if err != nil || len(events) != 1 {
				t.Fatalf("audit events %d, %v", len(events), err)
			}
			if strings.Contains(string(events[0].After), token) {
				t.Error("the audit log holds the token")
			}
			// Someone who can write the database adds a link of their own
			// to a captured file no one uploaded for a draft (a message's
			// photo): it serves nothing.
			captured, _, err := e.arch.Blobs().Put(e.ctx, "", bytes.NewReader([]byte("a resident's private photo, captured from a message")))
			if err != nil {
				t.Fatal(err)
			}
			forged := strings.Repeat("F", 43)
			fsum := sha256.Sum256([]byte(forged))
			if err := e.store.Update(e.ctx, civic.System, func(tx civic.Tx) error {
				return tx.AddMediaLink(e.ctx, &civic.MediaLink{TokenSHA256: hex.EncodeToString(fsum[:]), SHA256: captured, ContentType: "image/jpeg",
					File: "photo.jpg", Size: 50, PublicationID: l.PublicationID, ExpiresAt: clock.Now().Add(time.Hour)})
			}); err != nil {
				t.Fatal(err)
			}
			gone("a row added by hand for a captured file", forged)
			// Within the hour it serves; at the hour it does not.
			clock.Advance(59 * time.Minute)
			rc, _, err := e.svc.LinkedMedia(e.ctx, token)
			if err != nil {
				t.Fatalf("at 59 minutes: %v", err)
			}
			rc.Close()
			clock.Advance(time.Minute)
			gone("expired", token)
		})
	}
}
