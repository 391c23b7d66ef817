package facebook

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/platform"
)

// GraphBase is the Graph API version Steward is written against.
const GraphBase = "https://graph.facebook.com/v21.0"

// Paging is the Graph API's cursor paging block.
type Paging struct {
	Cursors struct {
		Before string `json:"before"`
		After  string `json:"after"`
	} `json:"cursors"`
	Next string `json:"next"`
}

// After is the cursor of the next page, or "" when this page was the last
// (the Graph API leaves out "next" on the last page). Edges with cursor
// paging give paging.cursors.after; edges with time paging (until, since,
// __paging_token) give only the next URL, whose query, less any access
// token, is then the cursor, starting with "?".
func (p Paging) After() string {
	if p.Next == "" {
		return ""
	}
	if p.Cursors.After != "" {
		return p.Cursors.After
	}
	u, err := url.Parse(p.Next)
	if err != nil {
		return ""
	}
	q := u.Query()
	q.Del("access_token")
	return "?" + q.Encode()
}

// SetCursor puts a cursor from After into the query of the next call.
func SetCursor(q url.Values, cursor string) {
	if rest, ok := strings.CutPrefix(cursor, "?"); ok {
		next, _ := url.ParseQuery(rest)
		for k, v := range next {
			if k != "access_token" {
				q[k] = v
			}
		}
		return
	}
	q.Set("after", cursor)
}

// List is one page of a Graph API edge, its items kept as raw JSON so
// each observation keeps the platform's own bytes.
type List struct {
	Data   []json.RawMessage `json:"data"`
	Paging Paging            `json:"paging"`
}

// graphError is the Graph API's error body.
type graphError struct {
	Error struct {
		Message   string `json:"message"`
		Type      string `json:"type"`
		Code      int    `json:"code"`
		Subcode   int    `json:"error_subcode"`
		UserMsg   string `json:"error_user_msg"`
		FBTraceID string `json:"fbtrace_id"`
	} `json:"error"`
}

// GraphError is the code of a Graph API error answer, kept in the
// PlatformError's chain so that an adapter can tell one refusal from
// another (Code reads it).
type GraphError struct {
	Code    int
	Subcode int
}

func (g *GraphError) Error() string {
	if g.Subcode != 0 {
		return "graph error code " + itoa(g.Code) + ", subcode " + itoa(g.Subcode)
	}
	return "graph error code " + itoa(g.Code)
}

// Code returns the Graph API error code in err's chain, or 0.
func Code(err error) int {
	var g *GraphError
	if errors.As(err, &g) {
		return g.Code
	}
	return 0
}

// The Graph API error codes a publish may answer besides the general ones.
const (
	CodeInvalidParameter = 100 // a parameter is missing or wrong (subcode 33: the object is gone)
	CodeDuplicate        = 506 // "Duplicate status message": the Page posted the same text just now
	CodePostLimit        = 9   // with SubcodePostLimit: Instagram's posts a day through the API, all used
)

// Instagram's error subcodes Classify tells apart.
const (
	SubcodePostLimit = 2207042 // the account published as many posts as the API allows in 24 hours
	SubcodeSpam      = 2207051 // (code 4) Instagram took the post for spam and restricted it
)

// Classify reads a Graph API error body (Facebook, Instagram and Threads
// share it): code 190 and 102 are expired or revoked tokens, 10 and 200-299
// missing permissions, 4, 17, 32, 613 and 80001-80014 rate limits (the
// X-Business-Use-Case-Usage header says for how long), 100 with subcode 33
// an object that is gone. Code 100 otherwise (an invalid parameter) and 506
// (a duplicate post) are requests the API refused: malformed, with the
// API's message. Instagram's own: code 9 with subcode 2207042 is its limit
// of posts a day through the API (a rate limit, though not a Graph
// rate-limit code), and code 4 with subcode 2207051 a post it took for spam
// (refused, not a rate limit: trying again would not help). Every
// classified error carries its GraphError.
func Classify(status int, h http.Header, body []byte) *civic.PlatformError {
	var g graphError
	if json.Unmarshal(body, &g) != nil || g.Error.Code == 0 {
		return nil
	}
	msg := g.Error.Message
	c := g.Error.Code
	ge := &GraphError{Code: c, Subcode: g.Error.Subcode}
	sub := g.Error.Subcode
	if g.Error.UserMsg != "" && (sub == SubcodePostLimit || sub == SubcodeSpam) {
		msg = g.Error.UserMsg + " (" + msg + ")"
	}
	switch {
	case c == CodePostLimit && sub == SubcodePostLimit:
		return &civic.PlatformError{Kind: civic.PlatformRateLimited, Message: msg, RetryAfter: usageWait(h), Err: ge}
	case c == 4 && sub == SubcodeSpam:
		return &civic.PlatformError{Kind: civic.PlatformMalformed, Message: "refused as suspected spam: " + msg, Err: ge}
	case c == 190 || c == 102 || c == 10 || (c >= 200 && c < 300):
		return &civic.PlatformError{Kind: civic.PlatformAuth, Message: msg, Err: ge}
	case c == 4 || c == 17 || c == 32 || c == 613 || (c >= 80001 && c <= 80014):
		return &civic.PlatformError{Kind: civic.PlatformRateLimited, Message: msg, RetryAfter: usageWait(h), Err: ge}
	case c == CodeInvalidParameter && g.Error.Subcode == 33, c == 803:
		return &civic.PlatformError{Kind: civic.PlatformNotFound, Message: msg, Err: ge}
	case status >= 500 || c == 1 || c == 2:
		return &civic.PlatformError{Kind: civic.PlatformUnavailable, Message: msg, Err: ge}
	case c == CodeInvalidParameter:
		return &civic.PlatformError{Kind: civic.PlatformMalformed, Message: "invalid parameter: " + msg, Err: ge}
	case c == CodeDuplicate:
		return &civic.PlatformError{Kind: civic.PlatformMalformed, Message: "refused as a duplicate of a recent post: " + msg, Err: ge}
	}
	return nil
}

// usageWait reads estimated_time_to_regain_access (minutes) from the
// X-Business-Use-Case-Usage or X-App-Usage headers; an hour when absent.
func usageWait(h http.Header) time.Duration {
	for _, k := range []string{"X-Business-Use-Case-Usage", "X-Page-Usage", "X-App-Usage"} {
		v := h.Get(k)
		if v == "" {
			continue
		}
		var byID map[string][]struct {
			Minutes int `json:"estimated_time_to_regain_access"`
		}
		if json.Unmarshal([]byte(v), &byID) == nil {
			for _, l := range byID {
				for _, u := range l {
					if u.Minutes > 0 {
						return time.Duration(u.Minutes) * time.Minute
					}
				}
			}
		}
		var flat struct {
			Minutes int `json:"estimated_time_to_regain_access"`
		}
		if json.Unmarshal([]byte(v), &flat) == nil && flat.Minutes > 0 {
			return time.Duration(flat.Minutes) * time.Minute
		}
	}
	return time.Hour
}

// NewClient returns the Graph client for one platform name, with Graph
// error classification.
func NewClient(cfg platform.Config, name string) *platform.Client {
	c := cfg.Client(name)
	c.Classify = Classify
	return c
}

// Base returns ep's base URL, or def.
func Base(ep *civic.Endpoint, def string) string {
	if ep.BaseURL != "" {
		return strings.TrimRight(ep.BaseURL, "/")
	}
	return def
}

// GetList reads one page of an edge.
func GetList(ctx context.Context, c *platform.Client, u, token string, q url.Values) (*List, error) {
	var l List
	if _, err := c.GetJSON(ctx, platform.Request{URL: u, Query: q, Token: token}, &l); err != nil {
		return nil, err
	}
	return &l, nil
}

// GetAll reads every page of an edge, following paging.cursors.after, up
// to max pages (a guard against a server that never stops).
func GetAll(ctx context.Context, c *platform.Client, u, token string, q url.Values, max int) ([]json.RawMessage, error) {
	var all []json.RawMessage
	for range max {
		l, err := GetList(ctx, c, u, token, q)
		if err != nil {
			return all, err
		}
		all = append(all, l.Data...)
		after := l.Paging.After()
		if after == "" {
			return all, nil
		}
		q = cloneValues(q)
		SetCursor(q, after)
	}
	return all, &civic.PlatformError{Platform: c.Platform, Kind: civic.PlatformMalformed, Message: "paging did not end after " + strconv.Itoa(max) + " pages of " + u}
}

func cloneValues(q url.Values) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = append([]string(nil), v...)
	}
	return out
}

// Time parses a Graph API time ("2026-03-02T09:30:00+0000").
func Time(s string) *time.Time {
	if s == "" {
		return nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05-0700", time.RFC3339} {
		if t, err := time.Parse(layout, s); err == nil {
			t = t.UTC()
			return &t
		}
	}
	return nil
}

// Malformed is a decoding failure of one item, naming where.
func Malformed(platformName, where string, err error) error {
	return &civic.PlatformError{Platform: platformName, Kind: civic.PlatformMalformed, Message: "the answer is not the JSON the API documents at " + where, Err: err}
}

func itoa(n int) string { return strconv.Itoa(n) }

type missingError string

func (m missingError) Error() string { return string(m) + " is missing" }

func errMissing(field string) error { return missingError(field) }
