// Package replay serves recorded platform answers to adapter tests: an
// httptest server that answers each request with a file from testdata,
// chosen by method, path and the paging parameter, and remembers every
// request it received, so a test can prove what never reached it.
package replay

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/platform"
)

// Answer is a recorded answer: a status (0 is 200), headers and a file
// under testdata (or Body, when File is empty).
type Answer struct {
	Status int
	Header map[string]string
	File   string
	Body   string
}

// Server is a fake platform API.
type Server struct {
	*httptest.Server
	t       testing.TB
	routes  map[string]Answer
	cursors []string

	mu       sync.Mutex
	received []string
	bodies   []string
}

// New starts a server answering routes. A route's key is "METHOD /path",
// followed by " param=value" when the request has one of the paging
// parameters cursors (for example "GET /v21.0/123/feed after=QVFI").
// A request with no route gets 404 and fails the test.
func New(t testing.TB, routes map[string]Answer, cursors ...string) *Server {
	t.Helper()
	s := &Server{t: t, routes: routes, cursors: cursors}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// Key is the route key of r with its body: a paging parameter may be in
// the query or, for APIs that page with a JSON body (TikTok), a top-level
// field of the body.
func (s *Server) Key(r *http.Request, body []byte) string {
	k := r.Method + " " + r.URL.Path
	var fields map[string]any
	if len(body) > 0 {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		_ = dec.Decode(&fields)
	}
	for _, c := range s.cursors {
		if v := r.URL.Query().Get(c); v != "" {
			k += " " + c + "=" + v
		} else if v, ok := fields[c]; ok && v != nil {
			k += " " + c + "=" + fmt.Sprint(v)
		}
	}
	return k
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	k := s.Key(r, body)
	s.mu.Lock()
	s.received = append(s.received, k)
	s.bodies = append(s.bodies, string(body))
	s.mu.Unlock()
	a, ok := s.routes[k]
	if !ok {
		s.t.Errorf("replay: no recorded answer for %s (query %s)", k, r.URL.RawQuery)
		http.Error(w, `{"error":"no recorded answer"}`, http.StatusNotFound)
		return
	}
	data := []byte(a.Body)
	if a.File != "" {
		var err error
		if data, err = os.ReadFile(filepath.Join("testdata", a.File)); err != nil {
			s.t.Errorf("replay: %v", err)
		}
	}
	for h, v := range a.Header {
		w.Header().Set(h, v)
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	if a.Status != 0 {
		w.WriteHeader(a.Status)
	}
	w.Write(data)
}

// Received lists the route keys of the requests received so far.
func (s *Server) Received() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.received...)
}

// Bodies lists the bodies of the requests received so far.
func (s *Server) Bodies() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.bodies...)
}

// Got reports whether a request with key k arrived.
func (s *Server) Got(k string) bool {
	for _, r := range s.Received() {
		if r == k {
			return true
		}
	}
	return false
}

// RefusedRequest sends req through c (an adapter's client) and fails the
// test unless the guard refused it as civic.PlatformRefused and the server
// received nothing at all.
func RefusedRequest(t testing.TB, s *Server, c *platform.Client, req platform.Request) {
	t.Helper()
	before := len(s.Received())
	_, err := c.Do(context.Background(), req)
	var pe *civic.PlatformError
	if !errors.As(err, &pe) || pe.Kind != civic.PlatformRefused {
		t.Fatalf("%s %s: got %v, want a refused platform error", req.Method, req.URL, err)
	}
	if !errors.Is(err, platform.ErrRefused) {
		t.Errorf("%s %s: the error does not wrap platform.ErrRefused: %v", req.Method, req.URL, err)
	}
	if got := s.Received(); len(got) != before {
		t.Fatalf("%s %s: the server received %v", req.Method, req.URL, got[before:])
	}
}

// Kind fails the test unless err is a platform error of kind want, and
// returns it.
func Kind(t testing.TB, err error, want civic.PlatformErrorKind) *civic.PlatformError {
	t.Helper()
	var pe *civic.PlatformError
	if !errors.As(err, &pe) {
		t.Fatalf("got %v, want a %s platform error", err, want)
	}
	if pe.Kind != want {
		t.Fatalf("got kind %s (%v), want %s", pe.Kind, err, want)
	}
	return pe
}

// Contains fails the test unless err's text holds every part.
func Contains(t testing.TB, err error, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("error %v does not say %q", err, p)
		}
	}
}

// Honest fails the test when p declares less than it does: every
// moderation action, follows and blocks call whose capability p does not
// declare must be ErrUnsupported without a request reaching s.
func Honest(t testing.TB, p civic.Platform, s *Server, ep *civic.Endpoint) {
	t.Helper()
	ctx := context.Background()
	caps := p.Capabilities()
	for _, c := range caps {
		if !slices.Contains(civic.AllCapabilities, c) {
			t.Errorf("%s declares an unknown capability %q", p.Name(), c)
		}
	}
	before := len(s.Received())
	check := func(what string, err error) {
		if !errors.Is(err, civic.ErrUnsupported) {
			t.Errorf("%s: %s is not declared but answered %v", p.Name(), what, err)
		}
	}
	gated := map[civic.PlatformAction]civic.Capability{civic.ActionHide: civic.CapHide, civic.ActionUnhide: civic.CapHide,
		civic.ActionDelete: civic.CapDelete, civic.ActionApprove: civic.CapHold}
	for action, c := range gated {
		if !caps.Has(c) {
			check(string(action), p.Moderate(ctx, ep, "some-comment", action))
		}
	}
	if !caps.Has(civic.CapReadFollows) {
		_, err := p.Follows(ctx, ep)
		check("follows", err)
	}
	if !caps.Has(civic.CapReadBlocks) {
		_, err := p.Blocks(ctx, ep)
		check("blocks", err)
	}
	if !caps.Has(civic.CapReadProfile) {
		_, err := p.Profile(ctx, ep)
		check("profile", err)
	}
	if got := s.Received(); len(got) != before {
		t.Errorf("%s: undeclared calls reached the server: %v", p.Name(), got[before:])
	}
}
