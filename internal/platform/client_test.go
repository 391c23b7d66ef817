package platform

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/civic"
)

func PlatformKind(err error) civic.PlatformErrorKind { return civic.PlatformErrorKindOf(err) }

func TestClientClassifies(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	cases := []struct {
		name   string
		status int
		header http.Header
		body   string
		kind   civic.PlatformErrorKind
		retry  time.Duration
	}{
		{"rate limited, seconds", 429, http.Header{"Retry-After": {"120"}}, "slow down", civic.PlatformRateLimited, 2 * time.Minute},
		{"rate limited, date", 429, http.Header{"Retry-After": {now.Add(90 * time.Second).Format(http.TimeFormat)}}, "", civic.PlatformRateLimited, 90 * time.Second},
		{"rate limited, Mastodon reset", 429, http.Header{"X-Ratelimit-Reset": {now.Add(5 * time.Minute).Format(time.RFC3339)}}, "", civic.PlatformRateLimited, 5 * time.Minute},
		{"rate limited, unix reset", 429, http.Header{"X-Rate-Limit-Reset": {"1772442000"}}, "", civic.PlatformRateLimited, 0},
		{"rate limited, no hint", 429, nil, "", civic.PlatformRateLimited, time.Minute},
		{"expired token", 401, nil, `{"error":"The access token expired"}`, civic.PlatformAuth, 0},
		{"forbidden", 403, nil, `{"error":"This action is not allowed"}`, civic.PlatformAuth, 0},
		{"not found", 404, nil, `{"error":"Record not found"}`, civic.PlatformNotFound, 0},
		{"gone", 410, nil, "", civic.PlatformNotFound, 0},
		{"server error", 503, nil, "<html>down</html>", civic.PlatformUnavailable, 0},
		{"bad request", 400, nil, "bad", civic.PlatformMalformed, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				for k, v := range c.header {
					w.Header()[k] = v
				}
				w.WriteHeader(c.status)
				w.Write([]byte(c.body))
			}))
			defer srv.Close()
			cl := Config{Now: func() time.Time { return now }}.Client("test")
			_, err := cl.Do(t.Context(), Request{URL: srv.URL + "/x"})
			var pe *civic.PlatformError
			if !errors.As(err, &pe) || pe.Kind != c.kind || pe.Status != c.status || pe.Platform != "test" {
				t.Fatalf("err %v, want kind %s", err, c.kind)
			}
			if pe.RetryAfter != c.retry {
				t.Errorf("retry after %s, want %s", pe.RetryAfter, c.retry)
			}
			if c.body != "" && !strings.Contains(pe.Error(), c.body) {
				t.Errorf("message %q does not quote the answer", pe.Error())
			}
		})
	}
}

func TestClientDecodeNamesWhereItBroke(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/syntax" {
			w.Write([]byte(`[{"id": "1"},`))
			return
		}
		w.Write([]byte(`{"id": 5}`))
	}))
	defer srv.Close()
	cl := Config{}.Client("test")
	var list []map[string]any
	_, err := cl.GetJSON(t.Context(), Request{URL: srv.URL + "/syntax"}, &list)
	if PlatformKind(err) != civic.PlatformMalformed {
		t.Errorf("truncated JSON: %v", err)
	}
	var one struct {
		ID string `json:"id"`
	}
	_, err = cl.GetJSON(t.Context(), Request{URL: srv.URL + "/type"}, &one)
	if PlatformKind(err) != civic.PlatformMalformed || !strings.Contains(err.Error(), `"id"`) {
		t.Errorf("wrong type: %v", err)
	}
}

func TestClientUnavailableAndTooLarge(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	url := srv.URL
	srv.Close()
	_, err := Config{}.Client("test").Do(t.Context(), Request{URL: url + "/x", Token: "secret"})
	if PlatformKind(err) != civic.PlatformUnavailable {
		t.Errorf("closed server: %v", err)
	}
	big := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(make([]byte, MaxResponse+1))
	}))
	defer big.Close()
	_, err = Config{}.Client("test").Do(t.Context(), Request{URL: big.URL})
	if PlatformKind(err) != civic.PlatformMalformed {
		t.Errorf("oversized answer: %v", err)
	}
}

func TestHTMLText(t *testing.T) {
	for in, want := range map[string]string{
		`<p>Hello &amp; welcome</p><p>Second</p>`:                       "Hello & welcome\nSecond",
		`line<br>two<br/>three`:                                         "line\ntwo\nthree",
		`<p><a href="https://x.example"><span>x.example</span></a></p>`: "x.example",
		`plain text`: "plain text",
	} {
		if got := HTMLText(in); got != want {
			t.Errorf("HTMLText(%q) = %q, want %q", in, got, want)
		}
	}
}
