package platform

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"steward.city/steward/internal/civic"
)

// MaxResponse bounds how much of one API answer an adapter reads.
const MaxResponse = 16 << 20

// Client is a small JSON-over-HTTP client for one network. Its transport
// is always wrapped in Guard. The zero Timeout means 30 seconds.
type Client struct {
	Platform  string
	HTTP      *http.Client // nil: a client with the default transport
	UserAgent string
	Timeout   time.Duration
	Now       func() time.Time // for Retry-After dates; nil: time.Now
	// Classify, when set, reads a non-2xx answer before the default rules:
	// networks that put the meaning in the body (Graph API error codes,
	// YouTube quota reasons, AT Protocol error names) say it here. It
	// returns nil to leave the answer to the default rules; Platform,
	// Status and Message are filled in when it leaves them empty.
	Classify func(status int, h http.Header, body []byte) *civic.PlatformError
}

// NewHTTPClient returns an *http.Client whose transport is next (nil: the
// default) wrapped in Guard. Adapters that use a third-party client library
// hand it this one.
func NewHTTPClient(next http.RoundTripper, timeout time.Duration) *http.Client {
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	if g, ok := next.(Guard); ok {
		next = g.Next
	}
	return &http.Client{Transport: Guard{Next: next}, Timeout: timeout}
}

func (c *Client) http() *http.Client {
	if c.HTTP == nil {
		c.HTTP = NewHTTPClient(nil, c.Timeout)
	}
	if _, ok := c.HTTP.Transport.(Guard); !ok {
		c.HTTP = NewHTTPClient(c.HTTP.Transport, c.HTTP.Timeout)
	}
	return c.HTTP
}

// Request is one API call.
type Request struct {
	Method string // "" is GET
	URL    string // absolute
	Query  url.Values
	Token  string      // bearer token, if any
	Header http.Header // extra headers
	JSON   any         // body, encoded as JSON, when not nil
	Form   url.Values  // body, form-encoded, when not nil
	// Body, when not nil, is sent as it is, streamed (a media file, or a
	// multipart form holding one), with ContentType and, when more than
	// 0, Length as its Content-Length. Such a call is given Upload as its
	// time limit instead of the client's Timeout. The guard scans it as
	// it is sent (Guard).
	Body        io.Reader
	ContentType string
	Length      int64
}

// Upload is the time limit of a call that sends a Body.
const Upload = 15 * time.Minute

// Response is an API answer that arrived with a 2xx status.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Do sends req and returns the answer, or a *civic.PlatformError that says
// what went wrong: rate limited (with how long to wait), auth, not found,
// unavailable, malformed, or refused by the guard.
func (c *Client) Do(ctx context.Context, req Request) (*Response, error) {
	u := req.URL
	if len(req.Query) > 0 {
		sep := "?"
		if strings.Contains(u, "?") {
			sep = "&"
		}
		u += sep + req.Query.Encode()
	}
	var body io.Reader
	ctype := ""
	switch {
	case req.JSON != nil:
		b, err := json.Marshal(req.JSON)
		if err != nil {
			return nil, c.fail(civic.PlatformMalformed, 0, "encoding the request", err)
		}
		body, ctype = bytes.NewReader(b), "application/json"
	case req.Form != nil:
		body, ctype = strings.NewReader(req.Form.Encode()), "application/x-www-form-urlencoded"
	case req.Body != nil:
		body, ctype = req.Body, req.ContentType
	}
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	hr, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, c.fail(civic.PlatformMalformed, 0, "building the request", err)
	}
	for k, vs := range req.Header {
		hr.Header[k] = vs
	}
	if ctype != "" {
		hr.Header.Set("Content-Type", ctype)
	}
	hr.Header.Set("Accept", "application/json")
	if c.UserAgent != "" {
		hr.Header.Set("User-Agent", c.UserAgent)
	}
	if req.Token != "" {
		hr.Header.Set("Authorization", "Bearer "+req.Token)
	}
	hc := c.http()
	if req.Body != nil {
		if req.Length > 0 {
			hr.ContentLength = req.Length
		}
		long := *hc
		long.Timeout = max(Upload, hc.Timeout)
		hc = &long
	}
	resp, err := hc.Do(hr)
	if err != nil {
		if errors.Is(err, ErrRefused) {
			return nil, c.fail(civic.PlatformRefused, 0, "", err)
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, c.fail(civic.PlatformUnavailable, 0, "", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponse+1))
	if err != nil {
		return nil, c.fail(civic.PlatformUnavailable, resp.StatusCode, "reading the answer", err)
	}
	if len(data) > MaxResponse {
		return nil, c.fail(civic.PlatformMalformed, resp.StatusCode, fmt.Sprintf("the answer is larger than %d bytes", MaxResponse), nil)
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return &Response{Status: resp.StatusCode, Header: resp.Header, Body: data}, nil
	}
	msg := Snippet(data)
	if c.Classify != nil {
		if e := c.Classify(resp.StatusCode, resp.Header, data); e != nil {
			if e.Platform == "" {
				e.Platform = c.Platform
			}
			if e.Status == 0 {
				e.Status = resp.StatusCode
			}
			if e.Message == "" {
				e.Message = msg
			}
			return nil, e
		}
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		e := c.fail(civic.PlatformRateLimited, resp.StatusCode, msg, nil)
		e.RetryAfter = c.RetryAfter(resp.Header)
		return nil, e
	case resp.StatusCode == http.StatusUnauthorized:
		return nil, c.fail(civic.PlatformAuth, resp.StatusCode, msg, nil)
	case resp.StatusCode == http.StatusForbidden:
		return nil, c.fail(civic.PlatformAuth, resp.StatusCode, msg, nil)
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone:
		return nil, c.fail(civic.PlatformNotFound, resp.StatusCode, msg, nil)
	case resp.StatusCode >= 500:
		return nil, c.fail(civic.PlatformUnavailable, resp.StatusCode, msg, nil)
	}
	return nil, c.fail(civic.PlatformMalformed, resp.StatusCode, msg, nil)
}

// GetJSON sends req and decodes a 2xx answer into out, returning the raw
// body too. An answer that is not the JSON out expects is PlatformMalformed,
// naming where it broke.
func (c *Client) GetJSON(ctx context.Context, req Request, out any) (*Response, error) {
	resp, err := c.Do(ctx, req)
	if err != nil {
		return nil, err
	}
	if err := c.Decode(resp.Body, out); err != nil {
		return resp, err
	}
	return resp, nil
}

// Decode decodes a JSON answer into out, as PlatformMalformed on failure.
func (c *Client) Decode(data []byte, out any) error {
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		where := ""
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			where = fmt.Sprintf(" at byte %d", se.Offset)
		case errors.As(err, &te):
			where = fmt.Sprintf(" at field %q (byte %d)", te.Field, te.Offset)
		}
		return c.fail(civic.PlatformMalformed, 0, "the answer is not the JSON the API documents"+where, err)
	}
	return nil
}

// RetryAfter reads how long a rate-limited answer asks to wait: the
// Retry-After header (seconds or an HTTP date), else X-RateLimit-Reset or
// x-rate-limit-reset (Unix seconds), else a minute.
func (c *Client) RetryAfter(h http.Header) time.Duration {
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	if v := h.Get("Retry-After"); v != "" {
		if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n >= 0 {
			return time.Duration(n) * time.Second
		}
		if t, err := http.ParseTime(v); err == nil {
			if d := t.Sub(now()); d > 0 {
				return d
			}
			return 0
		}
	}
	for _, k := range []string{"X-RateLimit-Reset", "X-Rate-Limit-Reset"} {
		v := h.Get(k)
		if v == "" {
			continue
		}
		if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
			if d := time.Unix(n, 0).Sub(now()); d > 0 {
				return d
			}
			return 0
		}
		if t, err := time.Parse(time.RFC3339, v); err == nil { // Mastodon sends an ISO time
			if d := t.Sub(now()); d > 0 {
				return d
			}
			return 0
		}
	}
	return time.Minute
}

func (c *Client) fail(kind civic.PlatformErrorKind, status int, msg string, err error) *civic.PlatformError {
	return &civic.PlatformError{Platform: c.Platform, Kind: kind, Status: status, Message: msg, Err: err}
}

// Snippet returns the start of an answer body as printable text for an
// error message.
func Snippet(b []byte) string {
	const max = 200
	s := strings.TrimSpace(string(b))
	if !utf8.ValidString(s) {
		return fmt.Sprintf("%d bytes that are not text", len(b))
	}
	if len(s) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}
