package mastodon_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/platform"
	"steward.city/steward/internal/platform/mastodon"
)

// TestGuardStopsBlock proves the adapter's client never sends a block: the
// request fails as refused and the server never sees it.
func TestGuardStopsBlock(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	a := mastodon.New(platform.Config{HTTP: &http.Client{}})
	for _, path := range []string{"/api/v1/accounts/1/block", "/api/v1/accounts/1/mute", "/api/v1/domain_blocks"} {
		_, err := a.Client().Do(t.Context(), platform.Request{Method: "POST", URL: srv.URL + path, Token: "t"})
		if civic.PlatformErrorKindOf(err) != civic.PlatformRefused || !errors.Is(err, platform.ErrRefused) {
			t.Errorf("POST %s: %v, want refused", path, err)
		}
	}
	if hits.Load() != 0 {
		t.Fatalf("%d block or mute requests reached the server", hits.Load())
	}
}

const acct = `{"id":"1","username":"parks","acct":"parks","display_name":"City Parks","note":"","url":"https://social.example/@parks","fields":[]}`
const resident = `{"id":"7","username":"ann","acct":"ann@elsewhere.example","display_name":"Ann","note":"","url":"","fields":[]}`

// A Mastodon server: history newest first (as some servers send it), no
// interaction requests (404), one edited reply.
func mastodonServer(t *testing.T) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/accounts/1/statuses", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `[{"id":"100","created_at":"2026-03-01T10:00:00.000Z","edited_at":null,"in_reply_to_id":null,"content":"<p>Pool opens</p>","spoiler_text":"","account":%s,"application":{"name":"Steward"},"media_attachments":[{"id":"m1","type":"image","url":"https://files.example/m1.jpg"}]}]`, acct)
	})
	mux.HandleFunc("GET /api/v1/statuses/100/context", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"ancestors":[],"descendants":[
			{"id":"101","created_at":"2026-03-01T11:00:00.000Z","edited_at":"2026-03-01T13:00:00.000Z","in_reply_to_id":"100","content":"<p>third</p>","spoiler_text":"","account":%s,"media_attachments":[]},
			{"id":"102","created_at":"2026-03-01T11:30:00.000Z","edited_at":null,"in_reply_to_id":"101","content":"<p>a reply &amp; more</p>","spoiler_text":"","account":%s,"media_attachments":[]}]}`, resident, acct)
	})
	mux.HandleFunc("GET /api/v1/statuses/101/history", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `[{"content":"<p>third</p>","spoiler_text":"","created_at":"2026-03-01T13:00:00.000Z","account":%[1]s,"media_attachments":[]},
			{"content":"<p>first</p>","spoiler_text":"","created_at":"2026-03-01T11:00:00.000Z","account":%[1]s,"media_attachments":[]},
			{"content":"<p>second</p>","spoiler_text":"","created_at":"2026-03-01T12:00:00.000Z","account":%[1]s,"media_attachments":[]}]`, resident)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestPollSortsHistoryAndShapesThreads(t *testing.T) {
	srv := mastodonServer(t)
	a := mastodon.New(platform.Config{})
	ep := &civic.Endpoint{BaseURL: srv.URL, RemoteID: "1", Token: civic.PlatformToken{AccessToken: "t"}}
	page, err := a.Poll(t.Context(), ep, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Threads) != 1 || page.Next != "" {
		t.Fatalf("page %+v", page)
	}
	th := page.Threads[0]
	if !th.Complete || th.Root.Kind != civic.ItemPost || th.Root.ViaApp != "Steward" || th.Root.Text != "Pool opens" || len(th.Root.Media) != 1 || th.Root.Media[0].Type != "image/*" {
		t.Errorf("root %+v", th.Root)
	}
	if len(th.Items) != 2 {
		t.Fatalf("items %+v", th.Items)
	}
	c, r := th.Items[0], th.Items[1]
	if c.Kind != civic.ItemComment || c.ParentID != "100" || c.ThreadID != "100" || c.Author.Handle != "@ann@elsewhere.example" || c.EditedAt == nil {
		t.Errorf("comment %+v", c)
	}
	if len(c.History) != 2 || c.History[0].Text != "first" || c.History[1].Text != "second" || c.Text != "third" || !c.History[0].PlatformTime.Before(*c.History[1].PlatformTime) {
		t.Errorf("history not oldest first without the current version: %+v", c.History)
	}
	if r.Kind != civic.ItemReply || r.ParentID != "101" || r.ThreadID != "100" || r.Text != "a reply & more" {
		t.Errorf("reply %+v", r)
	}
	// Mastodon cannot hide or delete someone else's reply, nor approve.
	for _, act := range []civic.PlatformAction{civic.ActionHide, civic.ActionUnhide, civic.ActionDelete, civic.ActionApprove} {
		if err := a.Moderate(t.Context(), ep, "101", act); !errors.Is(err, civic.ErrUnsupported) {
			t.Errorf("%s: %v, want unsupported", act, err)
		}
	}
	if a.Capabilities().Has(civic.CapHide) || a.Capabilities().Has(civic.CapDelete) || !a.Capabilities().Has(civic.CapReadBlocks) {
		t.Errorf("capabilities %v", a.Capabilities())
	}
}

func TestLookup(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/statuses/100", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"id":"100","created_at":"2026-03-01T10:00:00.000Z","edited_at":null,"in_reply_to_id":null,"content":"<p>Pool opens</p>","spoiler_text":"","account":%s,"application":{"name":"Steward"},"media_attachments":[]}`, acct)
	})
	mux.HandleFunc("GET /api/v1/statuses/101", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(404)
		fmt.Fprint(w, `{"error":"Record not found"}`)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	a := mastodon.New(platform.Config{})
	ep := &civic.Endpoint{BaseURL: srv.URL, RemoteID: "1", Token: civic.PlatformToken{AccessToken: "t"}}
	o, err := a.Lookup(t.Context(), ep, "100")
	if err != nil || o.PlatformID != "100" || o.Kind != civic.ItemPost || o.Text != "Pool opens" {
		t.Fatalf("lookup of a status still there: %+v, %v", o, err)
	}
	if _, err := a.Lookup(t.Context(), ep, "101"); civic.PlatformErrorKindOf(err) != civic.PlatformNotFound {
		t.Errorf("lookup of a deleted status: %v, want not_found", err)
	}
}

// TestPollSpan: a page is contiguous from its oldest status up to the
// cursor's status (open on the newest and the last page); a cursor stored
// without its time leaves the span unknown.
func TestPollSpan(t *testing.T) {
	srv := mastodonServer(t)
	a := mastodon.New(platform.Config{})
	ep := &civic.Endpoint{BaseURL: srv.URL, RemoteID: "1", Token: civic.PlatformToken{AccessToken: "t"}}
	page, err := a.Poll(t.Context(), ep, "")
	if err != nil || page.Span == nil || !page.Span.From.IsZero() || !page.Span.To.IsZero() {
		t.Fatalf("newest and last page: span %+v, %v", page.Span, err)
	}
	page, err = a.Poll(t.Context(), ep, "200|2026-03-02T00:00:00Z")
	if err != nil || page.Span == nil || !page.Span.To.Equal(time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)) || !page.Span.From.IsZero() {
		t.Fatalf("page after a cursor: span %+v, %v", page.Span, err)
	}
	if page, err = a.Poll(t.Context(), ep, "200"); err != nil || page.Span != nil {
		t.Fatalf("page after a bare max_id: span %+v, %v", page.Span, err)
	}
}
