package publish

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	_ "image/gif"  // decode GIF headers of uploads
	_ "image/jpeg" // decode JPEG headers of uploads
	_ "image/png"  // decode PNG headers of uploads
	"io"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"steward.city/steward/internal/blob"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/plain"
)

// MediaLimits are the most bytes Steward takes for one uploaded file of
// each kind. A network may take less (civic.MediaPublisher); the draft
// says so when it is checked.
var MediaLimits = map[string]int64{
	"image": 10 << 20,
	"gif":   10 << 20,
	"video": 200 << 20,
	"audio": 100 << 20,
}

// MaxUpload is the largest of MediaLimits: the body limit of the upload
// routes, with room for a form's other fields.
const MaxUpload = 200<<20 + 1<<20

// mediaTypes are the content types, as sniffed from the first bytes
// (net/http.DetectContentType), that each kind of attachment may be.
var mediaTypes = map[string][]string{
	"image": {"image/jpeg", "image/png", "image/webp"},
	"gif":   {"image/gif"},
	"video": {"video/mp4", "video/webm"},
	"audio": {"audio/mpeg", "audio/wave", "audio/ogg", "audio/aiff"},
}

// kindOf is the kind of attachment a sniffed content type is, or "".
func kindOf(ct string) string {
	for _, k := range mediaKinds {
		if slices.Contains(mediaTypes[k], ct) {
			return k
		}
	}
	return ""
}

// UploadInput describes a file being uploaded for a draft: its name as
// the author's computer called it, and the kind the author says it is
// ("" to take the kind the bytes show).
type UploadInput struct {
	File string
	Kind string
}

// Upload stores a file a staff member attaches to a draft: streamed into
// the blob store by SHA-256, never whole in memory, of at most the kind's
// MediaLimits. Its content type is sniffed from its bytes (a JPEG, PNG or
// WebP image, a GIF, an MP4 or WebM video, an MP3, WAV, Ogg or AIFF
// recording), never taken from the request; an image's header must
// decode. A kind given that the bytes do not show is invalid, naming
// "kind"; a file of no kind Steward sends, or an empty one, names "file".
// Only someone holding an active poster grant uploads. The same file
// uploaded again is the same upload.
func (s *Service) Upload(ctx context.Context, actor civic.Actor, in UploadInput, r io.Reader) (*civic.MediaUpload, error) {
	if err := civic.Require(actor, civic.PermSignedIn); err != nil {
		return nil, err
	}
	if !actor.IsUser() {
		return nil, civic.Errorf(civic.KindForbidden, "only a signed-in poster uploads a draft's files")
	}
	in.Kind = strings.TrimSpace(in.Kind)
	if in.Kind != "" && !slices.Contains(mediaKinds, in.Kind) {
		return nil, civic.Invalid("kind", "%q is not a kind of attachment: image, gif, video or audio", in.Kind)
	}
	if s.blobs == nil {
		return nil, civic.Errorf(civic.KindUnavailable, "this process has no file store for attachments")
	}
	name := fileName(in.File)
	head := make([]byte, 512)
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, readErr(err)
	}
	head = head[:n]
	if n == 0 {
		return nil, civic.Invalid("file", "the file %s is empty", name)
	}
	ct := sniff(head)
	kind := kindOf(ct)
	switch {
	case kind == "":
		return nil, civic.Invalid("file", "%s is %s, not a file Steward attaches: a JPEG, PNG or WebP image, a GIF, an MP4 or WebM video, or an MP3, WAV, Ogg or AIFF recording", name, ct)
	case in.Kind != "" && in.Kind != kind:
		return nil, civic.Invalid("kind", "%s is %s (%s), not %s %s", name, article(kind), ct, article(in.Kind), in.Kind)
	}
	// Only a poster stores files; the first bytes, read already, say no
	// more than their type.
	as, err := s.Postable(ctx, actor)
	if err != nil {
		return nil, err
	}
	if len(as) == 0 {
		return nil, civic.Errorf(civic.KindForbidden, "you hold no active authorization to post for any account (PPL-2): nothing to attach files to")
	}
	limit := MediaLimits[kind]
	lr := blob.NewCapped(io.MultiReader(bytes.NewReader(head), r), limit)
	hash, size, err := s.blobs.Put(ctx, "", lr)
	if lr.Over() {
		return nil, &civic.Error{Kind: civic.KindTooLarge, Field: "file",
			Message: fmt.Sprintf("%s is larger than %s, the most Steward takes for %s %s", name, plain.Size(limit), article(kind), kind)}
	}
	if err != nil {
		var ce *civic.Error
		if errors.As(err, &ce) {
			return nil, err
		}
		return nil, fmt.Errorf("store the upload %s: %w", name, err)
	}
	if kind == "image" || kind == "gif" {
		if err := s.decodes(ctx, hash, ct); err != nil {
			// The file is left in the store, unused: the same bytes may be
			// a captured record's media (a platform's damaged image), and
			// an upload must never delete a record.
			return nil, civic.Invalid("file", "%s looks like %s but does not decode as one: %v", name, ct, err)
		}
	}
	m := &civic.MediaUpload{SHA256: hash, UserID: actor.UserID, File: name, Kind: kind, ContentType: ct, Size: size}
	if err := s.store.Update(ctx, actor, func(tx civic.Tx) error { return tx.AddMediaUpload(ctx, m) }); err != nil {
		return nil, err
	}
	return m, nil
}

// sniff is the content type of a file's first bytes, without parameters;
// Ogg is taken as audio.
func sniff(head []byte) string {
	ct, _, _ := strings.Cut(http.DetectContentType(head), ";")
	if ct == "application/ogg" {
		ct = "audio/ogg"
	}
	return ct
}

// decodes checks that a stored image's header decodes (WebP, which the
// standard library does not read, is taken on its sniffed signature).
func (s *Service) decodes(ctx context.Context, hash, ct string) error {
	if ct == "image/webp" {
		return nil
	}
	f, err := s.blobs.Open(ctx, hash)
	if err != nil {
		return err
	}
	defer f.Close()
	c, _, err := image.DecodeConfig(f)
	if err != nil {
		return err
	}
	if c.Width <= 0 || c.Height <= 0 {
		return errors.New("it has no pixels")
	}
	return nil
}

// readErr passes on an error of the request body that has a kind (a body
// over the route's limit is 413); any other is a failed read.
func readErr(err error) error {
	var ce *civic.Error
	if errors.As(err, &ce) {
		return err
	}
	return civic.Invalid("file", "the file could not be read: %v", err)
}

// article is the indefinite article of a kind's name.
func article(kind string) string {
	if kind == "image" || kind == "audio" {
		return "an"
	}
	return "a"
}

// fileName is an uploaded file's name as Steward keeps it: its base name,
// printable, at most 200 characters; "attachment" when it has none.
func fileName(s string) string {
	s = path.Base(strings.ReplaceAll(s, "\\", "/"))
	s = strings.Map(func(r rune) rune {
		if !unicode.IsPrint(r) {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, ""))
	if utf8.RuneCountInString(s) > 200 {
		s = string([]rune(s)[:200])
	}
	if s == "" || s == "." || s == "/" || s == ".." {
		return "attachment"
	}
	return s
}

// checkMedia checks a draft's attachments: each names a file its author
// uploaded (by sha256), of the kind the bytes show, and every account's
// network can send it through Steward. It returns them as the revision
// keeps them, with the upload's size and content type.
func (s *Service) checkMedia(ctx context.Context, authorID int64, ms []civic.DraftMedia, ts []target) ([]civic.DraftMedia, error) {
	if len(ms) > MaxMedia {
		return nil, civic.Invalid("media", "a post carries at most %d attachments", MaxMedia)
	}
	out := []civic.DraftMedia{}
	for i, m := range ms {
		field := func(f string) string { return fmt.Sprintf("media[%d].%s", i, f) }
		m.File, m.Kind, m.Alt, m.SHA256 = strings.TrimSpace(m.File), strings.TrimSpace(m.Kind), strings.TrimSpace(m.Alt), strings.ToLower(strings.TrimSpace(m.SHA256))
		if m.Kind != "" && !slices.Contains(mediaKinds, m.Kind) {
			return nil, civic.Invalid(field("kind"), "%q is not a kind of attachment: image, gif, video or audio", m.Kind)
		}
		if !utf8.ValidString(m.Alt) || strings.ContainsRune(m.Alt, 0) {
			return nil, civic.Invalid(field("alt"), "the alt text is not valid UTF-8")
		}
		if m.SHA256 == "" {
			return nil, civic.Invalid(field("sha256"), "upload the file first (POST /api/v1/drafts/media, or the form's file field) and name it by its sha256")
		}
		if !blob.ValidHash(m.SHA256) {
			return nil, civic.Invalid(field("sha256"), "sha256 must be 64 hexadecimal digits")
		}
		up, err := s.store.MediaUpload(ctx, authorID, m.SHA256)
		if civic.ErrorKind(err) == civic.KindNotFound {
			return nil, civic.Invalid(field("sha256"), "no file you uploaded has the sha256 %s: upload it first", m.SHA256)
		}
		if err != nil {
			return nil, err
		}
		if m.Kind == "" {
			m.Kind = up.Kind
		}
		if m.Kind != up.Kind {
			return nil, civic.Invalid(field("kind"), "%s is %s (%s), not %s %s", up.File, article(up.Kind), up.ContentType, article(m.Kind), m.Kind)
		}
		if m.File == "" {
			m.File = up.File
		}
		m.Size, m.ContentType = up.Size, up.ContentType
		out = append(out, m)
	}
	if len(out) == 0 {
		return out, nil
	}
	for _, t := range ts {
		var p civic.Platform
		if s.conns != nil {
			p = s.conns.Platform(t.acct.Platform)
		}
		if err := s.sendable(p, t.acct.Platform, t.acct.Handle, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// sendable says why the adapter p of a network cannot send a draft's
// media through Steward, naming the network and the account; nil when it
// can. An adapter that is not a civic.MediaPublisher sends none; one that
// fetches the files (a civic.URLMediaPublisher) needs Steward's public
// address and files of the types it takes.
func (s *Service) sendable(p civic.Platform, network, handle string, ms []civic.DraftMedia) error {
	if len(ms) == 0 {
		return nil
	}
	mp, ok := p.(civic.MediaPublisher)
	if !ok {
		return civic.Invalid("media", "%s: Steward cannot send attachments to %s yet; remove them or post there without Steward (%s)",
			networkName(network), networkName(network), handle)
	}
	up, fetches := p.(civic.URLMediaPublisher)
	if fetches && s.public == "" {
		return civic.Invalid("media", "%s fetches a post's files from Steward's public address, and this Steward has none: an administrator sets --public-url, or remove the files (%s)",
			networkName(network), handle)
	}
	for i, m := range ms {
		limit := mp.MediaLimit(m.Kind)
		switch {
		case limit <= 0:
			return civic.Invalid(fmt.Sprintf("media[%d].kind", i), "%s: Steward cannot send %s %s to %s yet; remove it or post there without Steward (%s)",
				networkName(network), article(m.Kind), m.Kind, networkName(network), handle)
		case m.SHA256 == "":
			return civic.Invalid(fmt.Sprintf("media[%d].sha256", i), "the attachment %s was never uploaded, only named: upload it, or remove it", m.File)
		case m.Size > limit:
			return civic.Invalid(fmt.Sprintf("media[%d]", i), "%s is %s; %s takes %s %s of at most %s (%s)",
				m.File, plain.Size(m.Size), networkName(network), article(m.Kind), m.Kind, plain.Size(limit), handle)
		case fetches && !up.MediaTypeOK(m.ContentType):
			return civic.Invalid(fmt.Sprintf("media[%d]", i), "%s is %s; %s takes only %s through Steward: save it as a JPEG and attach it again (%s)",
				m.File, typeName(m.ContentType), networkName(network), "JPEG images", handle)
		}
	}
	return nil
}

// typeName is a content type as people say it.
func typeName(ct string) string {
	switch ct {
	case "image/png":
		return "a PNG image"
	case "image/webp":
		return "a WebP image"
	case "image/jpeg":
		return "a JPEG image"
	case "image/gif":
		return "a GIF"
	}
	return "a file of type " + ct
}

// networkName is a network's name as people write it.
func networkName(p string) string {
	switch p {
	case "x":
		return "X"
	case "linkedin":
		return "LinkedIn"
	case "tiktok":
		return "TikTok"
	case "youtube":
		return "YouTube"
	case "":
		return "the network"
	}
	return strings.ToUpper(p[:1]) + p[1:]
}

// outgoingMedia are the files a revision sends, read from the blob store.
// For a network that fetches the files (a civic.URLMediaPublisher), each
// gets a link under the public address that serves it for linkLife,
// stored with the publication rec (a retry makes new links).
func (s *Service) outgoingMedia(ctx context.Context, r *civic.DraftRevision, p civic.Platform, rec *civic.Publication) ([]civic.OutgoingMedia, error) {
	_, fetches := p.(civic.URLMediaPublisher)
	var out []civic.OutgoingMedia
	for _, m := range r.Media {
		hash := m.SHA256
		om := civic.OutgoingMedia{File: m.File, Kind: m.Kind, ContentType: m.ContentType, Size: m.Size, SHA256: hash, Alt: m.Alt,
			Open: func(ctx context.Context) (io.ReadCloser, error) {
				if s.blobs == nil {
					return nil, civic.Errorf(civic.KindUnavailable, "this process has no file store for attachments")
				}
				return s.blobs.Open(ctx, hash)
			}}
		if fetches {
			u, err := s.link(ctx, rec, m)
			if err != nil {
				return nil, err
			}
			om.URL = u
		}
		out = append(out, om)
	}
	return out, nil
}

// linkLife is how long a link to a post's file serves it: long enough for
// the network to fetch it while the post is made, short enough that the
// address is of no use later.
const linkLife = time.Hour

// MediaLinkPath is where the links to posts' files are served.
const MediaLinkPath = "/media/out/"

// link stores a new public link to the file m of the publication rec and
// returns its address. The token is 32 random bytes; only its SHA-256 is
// stored, so the table alone serves nothing.
func (s *Service) link(ctx context.Context, rec *civic.Publication, m civic.DraftMedia) (string, error) {
	if s.public == "" {
		return "", civic.Invalid("media", "this Steward has no public address for a network to fetch the files from: an administrator sets --public-url")
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	token := base64.RawURLEncoding.EncodeToString(b[:])
	sum := sha256.Sum256([]byte(token))
	l := &civic.MediaLink{TokenSHA256: hex.EncodeToString(sum[:]), SHA256: m.SHA256, ContentType: m.ContentType, File: m.File, Size: m.Size,
		PublicationID: rec.ID, ExpiresAt: s.now().Add(linkLife)}
	if err := s.store.Update(ctx, civic.Process("publish"), func(tx civic.Tx) error { return tx.AddMediaLink(ctx, l) }); err != nil {
		return "", err
	}
	return s.public + MediaLinkPath + token, nil
}

// LinkedMedia opens the file a public link serves, for anyone: the token
// must be one Steward made and not expired, and the file must be one
// uploaded for a draft and still in the blob store. Every other token,
// well formed or not, is KindNotFound with the same words, so a caller
// learns nothing from trying.
func (s *Service) LinkedMedia(ctx context.Context, token string) (io.ReadCloser, *civic.MediaLink, error) {
	gone := civic.Errorf(civic.KindNotFound, "no such file: a link to a post's file serves it for an hour")
	if len(token) != 43 || strings.Trim(token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
		return nil, nil, gone
	}
	sum := sha256.Sum256([]byte(token))
	l, err := s.store.MediaLink(ctx, hex.EncodeToString(sum[:]))
	if civic.ErrorKind(err) == civic.KindNotFound {
		return nil, nil, gone
	}
	if err != nil {
		return nil, nil, err
	}
	if !s.now().Before(l.ExpiresAt) || s.blobs == nil {
		return nil, nil, gone
	}
	// Only a file staff uploaded for a draft is ever linked: a row written
	// into the table by hand for a captured file (a message's photo, a
	// covert profile's media) serves nothing.
	if used, err := s.store.MediaInUse(ctx, l.SHA256); err != nil {
		return nil, nil, err
	} else if !used {
		return nil, nil, gone
	}
	f, err := s.blobs.Open(ctx, l.SHA256)
	if errors.Is(err, blob.ErrNotFound) {
		return nil, nil, gone
	}
	if err != nil {
		return nil, nil, err
	}
	return f, l, nil
}

// DraftMedia opens a file of a draft's attachment for one who may read
// the draft: the file must be one of its revisions' attachments; any
// other hash, and a draft the actor may not read, is not found.
func (s *Service) DraftMedia(ctx context.Context, actor civic.Actor, draftID int64, sha256 string) (io.ReadCloser, *civic.DraftMedia, error) {
	if err := civic.Require(actor, civic.PermSignedIn); err != nil {
		return nil, nil, err
	}
	d, err := s.store.Draft(ctx, draftID)
	if err != nil {
		return nil, nil, err
	}
	if err := s.mayRead(ctx, actor, d); err != nil {
		return nil, nil, err
	}
	revs, err := s.store.DraftRevisions(ctx, draftID)
	if err != nil {
		return nil, nil, err
	}
	var found *civic.DraftMedia
	for _, r := range revs {
		for i := range r.Media {
			if r.Media[i].SHA256 != "" && r.Media[i].SHA256 == sha256 {
				found = &r.Media[i]
			}
		}
	}
	if found == nil {
		return nil, nil, civic.Errorf(civic.KindNotFound, "the draft has no such attachment")
	}
	if s.blobs == nil {
		return nil, nil, civic.Errorf(civic.KindUnavailable, "this process has no file store for attachments")
	}
	f, err := s.blobs.Open(ctx, sha256)
	if errors.Is(err, blob.ErrNotFound) {
		return nil, nil, civic.Errorf(civic.KindNotFound, "the attachment's file is not in the file store")
	}
	if err != nil {
		return nil, nil, err
	}
	return f, found, nil
}
