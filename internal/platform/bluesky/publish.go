package bluesky

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/platform"
)

const postCollection = "app.bsky.feed.post"

// strongRef is com.atproto.repo.strongRef: a record by URI and content id.
type strongRef struct {
	URI string `json:"uri"`
	CID string `json:"cid"`
}

type facet struct {
	Index struct {
		ByteStart int `json:"byteStart"`
		ByteEnd   int `json:"byteEnd"`
	} `json:"index"`
	Features []map[string]string `json:"features"`
}

type outgoingRecord struct {
	Type      string   `json:"$type"`
	Text      string   `json:"text"`
	CreatedAt string   `json:"createdAt"`
	Facets    []facet  `json:"facets,omitempty"`
	Langs     []string `json:"langs,omitempty"`
	Embed     any      `json:"embed,omitempty"`
	Reply     *struct {
		Root   strongRef `json:"root"`
		Parent strongRef `json:"parent"`
	} `json:"reply,omitempty"`
}

// rkeyOf is the record key a post made with an idempotency key gets, the
// same every time, so that a second createRecord with the same key names
// the same record and cannot make a second post (Bluesky has no
// idempotency header; this is its stand-in). A key Steward made
// ("steward-<Unix microseconds>-<hex>", civic.OutgoingPost) gives a TID
// of the intent's time, its clock id taken from the key's SHA-256, so
// that the post sorts by time in listRecords like any other. Any other
// key gives "steward-" and 26 base32 characters of its SHA-256: a valid
// record key, which the PDS accepts, but one listed out of time order.
func rkeyOf(key string) string {
	sum := sha256.Sum256([]byte(key))
	if micros, ok := keyTime(key); ok {
		return tid(micros, uint64(sum[0])<<2|uint64(sum[1])>>6)
	}
	return "steward-" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:]))[:26]
}

// keyTime reads the Unix microseconds in a key Steward made.
func keyTime(key string) (int64, bool) {
	parts := strings.Split(key, "-")
	if len(parts) != 3 || parts[0] != "steward" || parts[2] == "" {
		return 0, false
	}
	n, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil || n <= 0 || n >= 1<<53 {
		return 0, false
	}
	return n, true
}

// tid writes a TID: 13 base32-sortable characters of 64 bits, the top
// one 0, then 53 bits of microseconds since 1970 and a 10-bit clock id.
func tid(micros int64, clock uint64) string {
	const alphabet = "234567abcdefghijklmnopqrstuvwxyz"
	v := uint64(micros)<<10 | clock&0x3ff
	var b [13]byte
	for i := 12; i >= 0; i-- {
		b[i] = alphabet[v&31]
		v >>= 5
	}
	return string(b[:])
}

// linkPattern finds the web addresses in a post's text; trailing
// punctuation of the sentence is not part of the address.
var linkPattern = regexp.MustCompile(`https?://[^\s<>"]+`)

// linkFacets marks each web address in text as a link facet. The AT
// Protocol counts facet offsets in bytes of the UTF-8 text (Go strings
// are UTF-8, so the regexp's indexes are those bytes).
func linkFacets(text string) []facet {
	var out []facet
	for _, m := range linkPattern.FindAllStringIndex(text, -1) {
		u := trimLink(text[m[0]:m[1]])
		if p, err := url.Parse(u); err != nil || p.Host == "" {
			continue
		}
		var f facet
		f.Index.ByteStart, f.Index.ByteEnd = m[0], m[0]+len(u)
		f.Features = []map[string]string{{"$type": "app.bsky.richtext.facet#link", "uri": u}}
		out = append(out, f)
	}
	return out
}

// trimLink takes the sentence's punctuation off the end of an address:
// a closing bracket stays when the address opened it.
func trimLink(u string) string {
	for len(u) > 0 {
		last := u[len(u)-1]
		switch {
		case strings.IndexByte(".,;:!?'", last) >= 0:
		case last == ')' && strings.Count(u, "(") < strings.Count(u, ")"):
		case last == ']' && strings.Count(u, "[") < strings.Count(u, "]"):
		case last == '}' && strings.Count(u, "{") < strings.Count(u, "}"):
		default:
			return u
		}
		u = u[:len(u)-1]
	}
	return u
}

// Publish implements civic.Publisher: com.atproto.repo.createRecord of
// an app.bsky.feed.post in the account's repo, its links marked as link
// facets, and, for a reply, the thread's root and parent read with
// app.bsky.feed.getPosts. The record key comes from the idempotency key
// (rkeyOf): when the call fails, the record is asked for by that key,
// and a record already there (an earlier call that went through, whose
// answer was lost) is the post, not posted again. The post's images are
// uploaded first (uploadBlob) and embedded with their alt text
// (app.bsky.embed.images).
func (a *Adapter) Publish(ctx context.Context, ep *civic.Endpoint, post civic.OutgoingPost) (*civic.PublishedPost, error) {
	did := repo(ep)
	if did == "" {
		return nil, &civic.PlatformError{Platform: Name, Kind: civic.PlatformMalformed, Message: "the connection has no account to post as"}
	}
	// JSON carries only valid UTF-8: mend the text before the facets'
	// byte offsets are counted, or they would point past the encoded text.
	text := strings.ToValidUTF8(post.Text, "\uFFFD")
	rec := outgoingRecord{Type: postCollection, Text: text, CreatedAt: a.now().UTC().Format("2006-01-02T15:04:05.000Z"), Facets: linkFacets(text)}
	if post.Language != "" {
		rec.Langs = []string{post.Language}
	}
	if len(post.Media) > 0 {
		e, err := a.images(ctx, ep, post.Media)
		if err != nil {
			return nil, err
		}
		rec.Embed = e
	}
	if post.InReplyTo != "" {
		parent, root, err := a.replyRefs(ctx, ep, post.InReplyTo)
		if err != nil {
			return nil, err
		}
		rec.Reply = &struct {
			Root   strongRef `json:"root"`
			Parent strongRef `json:"parent"`
		}{root, parent}
	}
	body := map[string]any{"repo": did, "collection": postCollection, "record": rec}
	rkey := ""
	if post.IdempotencyKey != "" {
		rkey = rkeyOf(post.IdempotencyKey)
		body["rkey"] = rkey
	}
	resp, err := a.c.Do(ctx, platform.Request{Method: http.MethodPost, URL: a.xrpc(ep, "com.atproto.repo.createRecord"), Token: ep.Token.AccessToken, JSON: body})
	if err != nil {
		switch civic.PlatformErrorKindOf(err) {
		case civic.PlatformRateLimited, civic.PlatformAuth, civic.PlatformRefused, "":
			return nil, err
		}
		if rkey == "" {
			return nil, err
		}
		// The record key is taken (the PDS refuses the write), or the call
		// failed after the PDS took it: the record there is the post.
		got, lerr := a.postAt(ctx, ep, did, rkey)
		if lerr != nil {
			return nil, err
		}
		return got, nil
	}
	var out strongRef
	if err := a.c.Decode(resp.Body, &out); err != nil {
		return nil, err
	}
	odid, orkey, ok := splitURI(out.URI)
	if !ok || odid == "" {
		return nil, malformed("createRecord uri", fmt.Errorf("%q is not the at:// URI of a record", out.URI))
	}
	if rkey != "" && orkey != rkey {
		return nil, malformed("createRecord uri", fmt.Errorf("asked for record key %s, got %s", rkey, orkey))
	}
	return &civic.PublishedPost{ID: out.URI, URL: postURL(ep, odid, orkey), Text: text, CreatedAt: *parseTime(rec.CreatedAt)}, nil
}

// replyRefs reads the post replied to (app.bsky.feed.getPosts) for the
// strong references a reply needs: the parent, and the root of its
// thread (the parent's own root, or the parent when it starts one).
func (a *Adapter) replyRefs(ctx context.Context, ep *civic.Endpoint, uri string) (parent, root strongRef, err error) {
	if _, _, ok := splitURI(uri); !ok {
		return parent, root, civic.Invalid("in_reply_to", "%q is not the at:// URI of a post", uri)
	}
	var posts struct {
		Posts []struct {
			URI    string `json:"uri"`
			CID    string `json:"cid"`
			Record struct {
				Reply *struct {
					Root strongRef `json:"root"`
				} `json:"reply"`
			} `json:"record"`
		} `json:"posts"`
	}
	if _, err := a.get(ctx, ep, "app.bsky.feed.getPosts", url.Values{"uris": {uri}}, &posts); err != nil {
		return parent, root, err
	}
	if len(posts.Posts) == 0 {
		return parent, root, &civic.PlatformError{Platform: Name, Kind: civic.PlatformNotFound, Message: "no post " + uri + " to reply to"}
	}
	p := posts.Posts[0]
	if p.URI != uri || p.CID == "" {
		return parent, root, malformed("getPosts of "+uri, fmt.Errorf("the answer is another post or has no cid"))
	}
	parent, root = strongRef{URI: p.URI, CID: p.CID}, strongRef{URI: p.URI, CID: p.CID}
	if r := p.Record.Reply; r != nil {
		if _, _, ok := splitURI(r.Root.URI); !ok || r.Root.CID == "" {
			return parent, root, malformed("getPosts of "+uri, fmt.Errorf("the post's reply.root is not a strong reference"))
		}
		root = r.Root
	}
	return parent, root, nil
}

// postAt reads the post record with key rkey in the account's repo.
func (a *Adapter) postAt(ctx context.Context, ep *civic.Endpoint, did, rkey string) (*civic.PublishedPost, error) {
	var r record
	if _, err := a.get(ctx, ep, "com.atproto.repo.getRecord", url.Values{"repo": {did}, "collection": {postCollection}, "rkey": {rkey}}, &r); err != nil {
		return nil, err
	}
	o, err := observeRecord(r, ep)
	if err != nil {
		return nil, malformed("getRecord of "+rkey, err)
	}
	p := &civic.PublishedPost{ID: o.PlatformID, URL: postURL(ep, did, rkey), Text: o.Text}
	if o.PlatformTime != nil {
		p.CreatedAt = *o.PlatformTime
	}
	return p, nil
}

// postURL is the post's address on bsky.app.
func postURL(ep *civic.Endpoint, did, rkey string) string {
	who := did
	if ep.Handle != "" && (ep.RemoteID == "" || ep.RemoteID == did) {
		who = ep.Handle
	}
	return "https://bsky.app/profile/" + url.PathEscape(who) + "/post/" + url.PathEscape(rkey)
}

// Recent implements civic.Publisher: the account's newest posts and
// replies (app.bsky.feed.getAuthorFeed), without its reposts of others.
func (a *Adapter) Recent(ctx context.Context, ep *civic.Endpoint, limit int) ([]civic.PublishedPost, error) {
	did := repo(ep)
	if did == "" {
		return nil, &civic.PlatformError{Platform: Name, Kind: civic.PlatformMalformed, Message: "the connection has no account to list posts of"}
	}
	limit = min(max(limit, 1), 100)
	var feed struct {
		Feed []struct {
			Post   postView        `json:"post"`
			Reason *map[string]any `json:"reason"`
		} `json:"feed"`
	}
	if _, err := a.get(ctx, ep, "app.bsky.feed.getAuthorFeed", url.Values{"actor": {did}, "limit": {strconv.Itoa(limit)}, "filter": {"posts_with_replies"}}, &feed); err != nil {
		return nil, err
	}
	out := make([]civic.PublishedPost, 0, len(feed.Feed))
	for i, it := range feed.Feed {
		if it.Reason != nil {
			continue // a repost
		}
		pdid, rkey, ok := splitURI(it.Post.URI)
		if !ok {
			return nil, malformed(fmt.Sprintf("getAuthorFeed feed[%d].post.uri", i), fmt.Errorf("%q is not the at:// URI of a record", it.Post.URI))
		}
		if ep.RemoteID != "" && pdid != ep.RemoteID {
			continue
		}
		p := civic.PublishedPost{ID: it.Post.URI, URL: postURL(ep, pdid, rkey), Text: it.Post.Record.Text}
		if t := parseTime(it.Post.Record.CreatedAt); t != nil {
			p.CreatedAt = *t
		} else if t := parseTime(it.Post.IndexedAt); t != nil {
			p.CreatedAt = *t
		}
		out = append(out, p)
	}
	return out, nil
}

// DeletePost implements civic.PostDeleter: com.atproto.repo.deleteRecord
// of a post in the account's own repo. The PDS answers a delete of a
// record that is not there as if it had deleted it, so the record is
// read first: one already gone is a not_found PlatformError.
func (a *Adapter) DeletePost(ctx context.Context, ep *civic.Endpoint, platformID string) error {
	did, rkey, ok := splitURI(platformID)
	if !ok || !strings.HasPrefix(platformID, "at://"+did+"/"+postCollection+"/") {
		return civic.Invalid("platform_id", "%q is not the at:// URI of a post", platformID)
	}
	if did != repo(ep) {
		return civic.Invalid("platform_id", "%s is not a post of this account", platformID)
	}
	if _, err := a.postAt(ctx, ep, did, rkey); err != nil {
		return err
	}
	_, err := a.c.Do(ctx, platform.Request{Method: http.MethodPost, URL: a.xrpc(ep, "com.atproto.repo.deleteRecord"), Token: ep.Token.AccessToken,
		JSON: map[string]string{"repo": did, "collection": postCollection, "rkey": rkey}})
	return err
}
