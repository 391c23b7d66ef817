// Package platform holds what every network adapter shares: the HTTP
// transport guard that refuses block, ban and mute requests (MOD-4), and a
// small JSON client that classifies failures (rate limits, expired tokens,
// malformed answers) the same way for every network. Adapters live in its
// sub-packages, one per network.
package platform

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// forbiddenSegments are path segments of endpoints that block, ban, mute or
// suspend someone, on any network: Mastodon's /accounts/:id/block and
// /mute and /domain_blocks, X's /users/:id/blocking and /muting,
// Facebook's /{page}/blocked, YouTube's liveChatBans. Reading a list of
// blocks (GET) is allowed: Steward watches blocks, it never makes them.
var forbiddenSegments = map[string]bool{
	"block": true, "blocks": true, "blocking": true, "blocked": true,
	"mute": true, "mutes": true, "muting": true, "muted": true,
	"ban": true, "bans": true, "banned": true, "livechatbans": true,
	"domain_blocks": true, "suspend": true, "silence": true,
}

// forbiddenMarks are strings that, found in a request's query or body,
// make it a block, ban or mute: YouTube's banAuthor, AT Protocol block and
// list-block records and mute calls, Mastodon admin actions.
var forbiddenMarks = []string{
	"banauthor=true", `"banauthor":true`, `"banauthor": true`,
	"app.bsky.graph.block", "app.bsky.graph.listblock",
	"app.bsky.graph.muteactor", "app.bsky.graph.mutethread", "app.bsky.graph.muteactorlist",
}

// maxInspect bounds how much of a request body the guard reads.
const maxInspect = 4 << 20

// Guard is an http.RoundTripper that refuses any request that would block,
// ban or mute someone, before it leaves the machine. Every adapter's HTTP
// client goes through it; tests prove it for each adapter.
type Guard struct {
	Next http.RoundTripper // nil: http.DefaultTransport
}

// RoundTrip implements http.RoundTripper.
func (g Guard) RoundTrip(r *http.Request) (*http.Response, error) {
	if err := Check(r); err != nil {
		if r.Body != nil {
			r.Body.Close()
		}
		return nil, err
	}
	next := g.Next
	if next == nil {
		next = http.DefaultTransport
	}
	return next.RoundTrip(r)
}

// ErrRefused is the error the guard returns; it is wrapped with the
// request's method and path.
var ErrRefused = fmt.Errorf("steward never blocks, bans or mutes anyone")

// Check reports whether r may be sent, reading (and restoring) its body.
func Check(r *http.Request) error {
	refuse := func(why string) error {
		return fmt.Errorf("%w: refused %s %s (%s)", ErrRefused, r.Method, r.URL.Path, why)
	}
	// Reading is always allowed, lists of blocks included (Bluesky's
	// listRecords?collection=app.bsky.graph.block is how blocks are read).
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return nil
	}
	path := strings.ToLower(r.URL.Path)
	query, _ := url.QueryUnescape(strings.ToLower(r.URL.RawQuery))
	if hasMark(query) {
		return refuse("query asks for a block, ban or mute")
	}
	// AT Protocol calls are named in the path: /xrpc/app.bsky.graph.muteActor.
	if i := strings.Index(path, "/xrpc/"); i >= 0 && hasMark(path[i+6:]) {
		return refuse("AT Protocol mute or block call")
	}
	for _, seg := range strings.Split(path, "/") {
		if forbiddenSegments[seg] {
			return refuse("endpoint " + seg)
		}
	}
	if strings.Contains(path, "/admin/") {
		return refuse("moderation-administration endpoint")
	}
	if r.Body == nil || r.Body == http.NoBody {
		return nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxInspect+1))
	if err != nil {
		r.Body.Close()
		return fmt.Errorf("reading the request body: %w", err)
	}
	if len(body) > maxInspect {
		if !streamed(r.Header.Get("Content-Type")) {
			r.Body.Close()
			return refuse("body too large to inspect")
		}
		// A media file, or a form holding one: its first part is checked
		// now, the rest as it is sent, and the call fails before any
		// bytes that complete a mark leave.
		if hasMark(strings.ToLower(string(body))) {
			r.Body.Close()
			return refuse("body asks for a block, ban or mute")
		}
		r.Body = &scanned{r: io.MultiReader(bytes.NewReader(body), r.Body), c: r.Body, done: int64(len(body)),
			tail: []byte(strings.ToLower(string(body[len(body)-(maxMark-1):]))), refuse: refuse}
		r.GetBody = nil
		return nil
	}
	r.Body.Close()
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	lower := strings.ToLower(string(body))
	if hasMark(lower) {
		return refuse("body asks for a block, ban or mute")
	}
	if form, err := url.QueryUnescape(lower); err == nil && hasMark(form) {
		return refuse("form asks for a block, ban or mute")
	}
	return nil
}

// streamed reports whether a body of the content type may be larger than
// the guard holds to inspect: a media file (image, video, audio) or a
// multipart form holding one. It is scanned as it is sent instead.
func streamed(ct string) bool {
	ct = strings.ToLower(strings.TrimSpace(ct))
	for _, p := range []string{"multipart/form-data", "image/", "video/", "audio/"} {
		if strings.HasPrefix(ct, p) {
			return true
		}
	}
	return false
}

// maxMark is the length of the longest of forbiddenMarks.
var maxMark = func() int {
	n := 0
	for _, m := range forbiddenMarks {
		n = max(n, len(m))
	}
	return n
}()

// scanned is a request body the guard reads as it is sent: the bytes
// before the first mark found go out, the read that completes one fails
// with the guard's error, so the request never arrives whole.
type scanned struct {
	r      io.Reader
	c      io.Closer
	tail   []byte // the last maxMark-1 bytes passed on, lower case
	done   int64
	err    error
	refuse func(string) error
}

func (s *scanned) Read(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	n, err := s.r.Read(p)
	if n > 0 {
		win := append(s.tail, bytes.ToLower(p[:n])...)
		if hasMark(string(win)) {
			s.err = s.refuse(fmt.Sprintf("body asks for a block, ban or mute after %d bytes", s.done))
			return 0, s.err
		}
		keep := min(len(win), maxMark-1)
		s.tail = append(s.tail[:0], win[len(win)-keep:]...)
		s.done += int64(n)
	}
	return n, err
}

func (s *scanned) Close() error { return s.c.Close() }

func hasMark(s string) bool {
	for _, m := range forbiddenMarks {
		if strings.Contains(s, m) {
			return true
		}
	}
	return false
}
