package capture_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"steward.city/steward/internal/capture"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/platform"
	"steward.city/steward/internal/platform/mastodon"
	"steward.city/steward/internal/storetest"
)

// fake is a Mastodon API with n statuses of account 1 (ids 1000+i, newest
// first), no replies, and a hook that may answer a request instead.
type fake struct {
	mu     sync.Mutex
	n      int
	maxIDs []string // max_id of each statuses request, in order
	// deleted statuses are neither listed nor found; unlisted ones are
	// found but not listed. lookups counts GET /api/v1/statuses/:id.
	deleted, unlisted map[int]bool
	lookups           []string
	hook              func(r *http.Request) (int, http.Header, string, bool)
	srv               *httptest.Server
}

func newFake(t testing.TB, n int) *fake {
	f := &fake{n: n, deleted: map[int]bool{}, unlisted: map[int]bool{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fake) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	hook := f.hook
	if r.URL.Path == "/api/v1/accounts/1/statuses" {
		f.maxIDs = append(f.maxIDs, r.URL.Query().Get("max_id"))
	}
	deleted, unlisted := maps.Clone(f.deleted), maps.Clone(f.unlisted)
	if strings.HasPrefix(r.URL.Path, "/api/v1/statuses/") && strings.Count(r.URL.Path, "/") == 4 {
		f.lookups = append(f.lookups, strings.TrimPrefix(r.URL.Path, "/api/v1/statuses/"))
	}
	f.mu.Unlock()
	if hook != nil {
		if code, h, body, ok := hook(r); ok {
			for k, v := range h {
				w.Header()[k] = v
			}
			w.WriteHeader(code)
			fmt.Fprint(w, body)
			return
		}
	}
	if r.Header.Get("Authorization") != "Bearer good" {
		w.WriteHeader(401)
		fmt.Fprint(w, `{"error":"The access token is invalid"}`)
		return
	}
	acct := map[string]any{"id": "1", "username": "parks", "acct": "parks", "display_name": "City Parks",
		"note":   "<p>Official account of City Parks. In an emergency call 9-1-1.</p><p>Comment policy: city.example/comments</p>",
		"fields": []map[string]string{{"name": "Website", "value": `<a href="https://www.city.example/parks">https://www.city.example/parks</a>`}}}
	switch {
	case r.URL.Path == "/api/v1/accounts/1/statuses":
		max := f.n + 1000
		if m := r.URL.Query().Get("max_id"); m != "" {
			max, _ = strconv.Atoi(m)
		}
		var out []map[string]any
		for id := max - 1; id >= 1000 && len(out) < mastodon.PageSize; id-- {
			if !deleted[id] && !unlisted[id] {
				out = append(out, fakeStatus(id, acct))
			}
		}
		json.NewEncoder(w).Encode(out)
	case strings.HasPrefix(r.URL.Path, "/api/v1/statuses/") && strings.Count(r.URL.Path, "/") == 4:
		id, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/api/v1/statuses/"))
		if err != nil || id < 1000 || id >= 1000+f.n || deleted[id] {
			w.WriteHeader(404)
			fmt.Fprint(w, `{"error":"Record not found"}`)
			return
		}
		json.NewEncoder(w).Encode(fakeStatus(id, acct))
	case strings.HasSuffix(r.URL.Path, "/context"):
		fmt.Fprint(w, `{"ancestors":[],"descendants":[]}`)
	case r.URL.Path == "/api/v1/accounts/1":
		json.NewEncoder(w).Encode(acct)
	case r.URL.Path == "/api/v1/accounts/1/following", r.URL.Path == "/api/v1/blocks", r.URL.Path == "/api/v1/mutes":
		fmt.Fprint(w, `[]`)
	default:
		http.NotFound(w, r)
	}
}

func fakeStatus(id int, acct map[string]any) map[string]any {
	return map[string]any{"id": strconv.Itoa(id), "created_at": time.Date(2026, 3, 1, 0, 0, id-1000, 0, time.UTC).Format(time.RFC3339),
		"content": fmt.Sprintf("<p>post %d</p>", id), "account": acct, "application": map[string]string{"name": "Steward"}, "media_attachments": []any{}}
}

func (f *fake) requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.maxIDs)
}

func engineEnv(t testing.TB, e storetest.Engine, n, maxPages int) (*env, *fake, *civic.Connection) {
	clock := storetest.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	f := newFake(t, n)
	ev := newEnv(t, e.Open(t, clock.Now), clock, map[string]civic.Platform{mastodon.Name: mastodon.New(platform.Config{Now: clock.Now})}, "@parks@social.example")
	ev.build(map[string]civic.Platform{mastodon.Name: mastodon.New(platform.Config{Now: clock.Now})}, maxPages)
	c := ev.connect(f.srv.URL, "1", civic.PlatformToken{AccessToken: "good"})
	return ev, f, c
}

// restart builds a new service on the same store, as a new process would.
func (e *env) restart(maxPages int) {
	e.build(map[string]civic.Platform{mastodon.Name: mastodon.New(platform.Config{Now: e.clock.Now})}, maxPages)
}

func (e *env) count(ref string, n int) {
	e.t.Helper()
	for id := 1000; id < 1000+n; id++ {
		vs := e.versions(ref, strconv.Itoa(id))
		if len(vs) != 1 {
			e.t.Fatalf("post %d has %d versions", id, len(vs))
		}
	}
}

func TestResumeAfterRestart(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			e, f, c := engineEnv(t, eng, 100, 1)
			res, err := e.svc.Pass(e.ctx, c.ID)
			if err != nil || res.Run.Stored != 40+1 || res.Run.Pages != 1 { // 40 posts and the profile
				t.Fatalf("first pass %+v, %v", res.Run, err)
			}
			if cur, _ := e.store.CaptureCursor(e.ctx, c.ID, capture.StreamPosts); cur != "1060|2026-03-01T00:01:00Z" {
				t.Fatalf("cursor after page 1: %q, want 1060 (the last id of the page) and its posting time", cur)
			}
			e.restart(10)
			res, err = e.svc.Pass(e.ctx, c.ID)
			if err != nil || res.Run.Pages != 2 || res.Run.Stored != 60 {
				t.Fatalf("pass after restart %+v, %v", res.Run, err)
			}
			if got := f.requests(); !slices.Equal(got, []string{"", "1060", "1020"}) {
				t.Errorf("statuses requested with max_id %q, want the newest page, then 1060 and 1020", got)
			}
			e.count(c.Ref(), 100)
			// The walk ended: the next pass starts from the newest page again.
			if cur, _ := e.store.CaptureCursor(e.ctx, c.ID, capture.StreamPosts); cur != "" {
				t.Errorf("cursor after the last page: %q", cur)
			}
		})
	}
}

func TestKilledMidPageSkipsNothing(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			e, f, c := engineEnv(t, eng, 100, 10)
			calls := 0
			f.hook = func(r *http.Request) (int, http.Header, string, bool) {
				if r.URL.Path == "/api/v1/accounts/1/statuses" && r.URL.Query().Get("max_id") == "1060" {
					calls++
					if calls == 1 {
						return 502, nil, "bad gateway", true
					}
				}
				return 0, nil, "", false
			}
			res, err := e.svc.Pass(e.ctx, c.ID)
			if civic.PlatformErrorKindOf(err) != civic.PlatformUnavailable || res.Run.Stored != 40 || res.Run.ErrorKind != "unavailable" {
				t.Fatalf("failing pass %+v, %v", res.Run, err)
			}
			if cur, _ := e.store.CaptureCursor(e.ctx, c.ID, capture.StreamPosts); !strings.HasPrefix(cur, "1060|") {
				t.Fatalf("cursor %q, want 1060: page 2 was not captured", cur)
			}
			got, _ := e.store.Connection(e.ctx, c.ID)
			if got.Failures != 1 || got.Status != civic.ConnectionOK || !got.NextRun.Equal(e.clock.Now().Add(c.Interval)) {
				t.Errorf("after one failure: %+v", got)
			}
			// The retry comes on the back-off, and starts page 2 again.
			e.clock.Advance(c.Interval)
			out, err := e.svc.RunDue(e.ctx)
			if err != nil || len(out) != 1 || out[0].Err != nil || out[0].Run.Stored != 60+1 {
				t.Fatalf("retry %+v, %v", out, err)
			}
			e.count(c.Ref(), 100)
		})
	}
}

func TestRateLimitHonorsRetryAfter(t *testing.T) {
	e, f, c := engineEnv(t, storetest.Engines(t)[0], 10, 10)
	f.hook = func(r *http.Request) (int, http.Header, string, bool) {
		return 429, http.Header{"Retry-After": {"3600"}}, `{"error":"Too many requests"}`, true
	}
	res, err := e.svc.Pass(e.ctx, c.ID)
	if civic.PlatformErrorKindOf(err) != civic.PlatformRateLimited || res.Run.RetryAt == nil || !res.Run.RetryAt.Equal(e.clock.Now().Add(time.Hour)) {
		t.Fatalf("rate-limited pass %+v, %v", res.Run, err)
	}
	f.hook = nil
	e.clock.Advance(59 * time.Minute)
	if out, _ := e.svc.RunDue(e.ctx); len(out) != 0 {
		t.Fatalf("polled %d connections before Retry-After passed", len(out))
	}
	e.clock.Advance(time.Minute)
	out, _ := e.svc.RunDue(e.ctx)
	if len(out) != 1 || out[0].Err != nil || out[0].Run.Stored != 11 {
		t.Fatalf("after Retry-After: %+v", out)
	}
	got, _ := e.store.Connection(e.ctx, c.ID)
	if got.Failures != 0 || got.LastSuccess == nil || got.LastError != "" {
		t.Errorf("after success: %+v", got)
	}
	runs, _ := e.store.CaptureRuns(e.ctx, c.ID, 10)
	if len(runs) != 2 || runs[1].ErrorKind != "rate_limited" || runs[0].Error != "" {
		t.Errorf("runs %+v", runs)
	}
}

func TestExpiredTokenBreaksConnection(t *testing.T) {
	e, _, c := engineEnv(t, storetest.Engines(t)[0], 5, 10)
	if err := e.conns.SetToken(e.ctx, civic.ActorOf(e.it), c.ID, civic.PlatformToken{AccessToken: "expired"}); err != nil {
		t.Fatal(err)
	}
	res, err := e.svc.Pass(e.ctx, c.ID)
	if civic.PlatformErrorKindOf(err) != civic.PlatformAuth || res.Run.Stored != 0 {
		t.Fatalf("pass with an expired token %+v, %v", res.Run, err)
	}
	got, _ := e.store.Connection(e.ctx, c.ID)
	if got.Status != civic.ConnectionBroken || got.ErrorKind != "auth" || !strings.Contains(got.LastError, "access token is invalid") {
		t.Fatalf("connection %+v", got)
	}
	// Broken by auth: not polled again until a new token is given.
	e.clock.Advance(48 * time.Hour)
	if out, _ := e.svc.RunDue(e.ctx); len(out) != 0 {
		t.Fatalf("polled a connection whose token is refused")
	}
	if err := e.conns.SetToken(e.ctx, civic.ActorOf(e.comms), c.ID, civic.PlatformToken{AccessToken: "good"}); err != nil {
		t.Fatal(err)
	}
	out, _ := e.svc.RunDue(e.ctx)
	if len(out) != 1 || out[0].Err != nil || out[0].Run.Stored != 6 {
		t.Fatalf("after reconnecting: %+v", out)
	}
	// The token is sealed, never stored in plain text.
	cred, err := e.store.Credential(e.ctx, got.CredentialID)
	if err != nil || cred.Kind != civic.CredentialPlatformToken || strings.Contains(string(cred.Sealed.Ciphertext), "good") {
		t.Errorf("credential %+v, %v", cred, err)
	}
}

func TestMalformedAnswerStoresNothing(t *testing.T) {
	e, f, c := engineEnv(t, storetest.Engines(t)[0], 5, 10)
	f.hook = func(r *http.Request) (int, http.Header, string, bool) {
		if r.URL.Path == "/api/v1/accounts/1/statuses" {
			return 200, nil, `[{"id": "1004", "created_at": "yesterday"`, true
		}
		return 0, nil, "", false
	}
	res, err := e.svc.Pass(e.ctx, c.ID)
	if civic.PlatformErrorKindOf(err) != civic.PlatformMalformed || res.Run.Stored != 0 {
		t.Fatalf("malformed pass %+v, %v", res.Run, err)
	}
	if _, err := e.store.CapturedItem(e.ctx, c.Ref(), "1004"); civic.ErrorKind(err) != civic.KindNotFound {
		t.Errorf("an item of a malformed page was stored: %v", err)
	}
	if cur, _ := e.store.CaptureCursor(e.ctx, c.ID, capture.StreamPosts); cur != "" {
		t.Errorf("cursor moved: %q", cur)
	}
}

// TestDeletedPostsAreRecorded: posts of the official account deleted on
// the platform (the newest, one in the middle of a page, and the one a
// page ended with, which moves the pages' boundaries) become deleted
// versions, each confirmed by a lookup; a post missing from the list but
// still found infers nothing; a failed lookup infers nothing.
func TestDeletedPostsAreRecorded(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			e, f, c := engineEnv(t, eng, 100, 10)
			if res, err := e.svc.Pass(e.ctx, c.ID); err != nil || res.Run.Stored != 101 || len(f.lookups) != 0 {
				t.Fatalf("first pass %+v, %v, lookups %v", res.Run, err, f.lookups)
			}
			f.mu.Lock()
			f.deleted[1099], f.deleted[1045], f.deleted[1060] = true, true, true
			f.unlisted[1030] = true
			f.lookups = nil
			f.mu.Unlock()
			res, err := e.svc.Pass(e.ctx, c.ID)
			if err != nil || res.Run.Deletions != 3 || res.Run.Stored != 3 {
				t.Fatalf("pass after the deletions %+v, %v", res.Run, err)
			}
			got := slices.Sorted(slices.Values(f.lookups))
			if !slices.Equal(got, []string{"1030", "1045", "1060", "1099"}) {
				t.Errorf("looked up %v, want exactly the posts missing from the list", got)
			}
			for _, id := range []string{"1099", "1045", "1060"} {
				vs := e.versions(c.Ref(), id)
				if len(vs) != 2 || vs[1].State != civic.StateDeleted || vs[1].Text != vs[0].Text || vs[1].PlatformTime != nil {
					t.Errorf("post %s: %s", id, describe(vs))
				}
			}
			if vs := e.versions(c.Ref(), "1030"); len(vs) != 1 || vs[0].State != civic.StateVisible {
				t.Errorf("a post still found was recorded: %s", describe(vs))
			}
			// Once recorded, a deleted post is not asked about again.
			f.mu.Lock()
			f.lookups = nil
			f.mu.Unlock()
			if res, err := e.svc.Pass(e.ctx, c.ID); err != nil || res.Run.Stored != 0 || !slices.Equal(f.lookups, []string{"1030"}) {
				t.Errorf("third pass %+v, %v, lookups %v", res.Run, err, f.lookups)
			}
			// A lookup that fails infers nothing, and the pass goes on.
			f.mu.Lock()
			f.deleted[1010] = true
			f.mu.Unlock()
			f.hook = func(r *http.Request) (int, http.Header, string, bool) {
				if strings.HasPrefix(r.URL.Path, "/api/v1/statuses/10") && strings.Count(r.URL.Path, "/") == 4 {
					return 503, nil, "down", true
				}
				return 0, nil, "", false
			}
			if res, err := e.svc.Pass(e.ctx, c.ID); err != nil || res.Run.Deletions != 0 {
				t.Errorf("pass with failing lookups %+v, %v", res.Run, err)
			}
			if vs := e.versions(c.Ref(), "1010"); len(vs) != 1 {
				t.Errorf("a deletion was inferred from a failed lookup: %s", describe(vs))
			}
			f.hook = nil
			if res, err := e.svc.Pass(e.ctx, c.ID); err != nil || res.Run.Deletions != 1 {
				t.Errorf("pass once lookups answer %+v, %v", res.Run, err)
			}
		})
	}
}

// TestPassIsAuditedAsCapture: a pass's archive ingest is one audit event
// per batch naming the capture loop, not a person and not the command line.
func TestPassIsAuditedAsCapture(t *testing.T) {
	e, _, c := engineEnv(t, storetest.Engines(t)[0], 5, 10)
	if res, err := e.svc.Pass(e.ctx, c.ID); err != nil || res.Run.Stored != 6 {
		t.Fatalf("pass %+v, %v", res.Run, err)
	}
	evs, err := e.store.AuditEvents(e.ctx, civic.AuditFilter{Action: "archive.ingest", Limit: 10})
	if err != nil || len(evs) == 0 {
		t.Fatalf("ingest events %v, %v", evs, err)
	}
	for _, ev := range evs {
		if ev.Actor != "system:capture" || ev.ActorID != 0 {
			t.Errorf("ingest event by %q (user %d), want system:capture", ev.Actor, ev.ActorID)
		}
	}
}
