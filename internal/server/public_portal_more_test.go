package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/cli"
	"steward.city/steward/internal/server"
	"steward.city/steward/internal/storetest"
)

// TestPublicCaching checks the validators of the portal's pages: an ETag
// and, where the page knows it, Last-Modified; a request holding either
// gets 304 without a body; a change of classification changes the ETag.
func TestPublicCaching(t *testing.T) {
	a := newApp(t, storetest.Engines(t)[0], nil, noLimit)
	s := seedPortal(t, a)
	acct := "/public/accounts/" + strconv.FormatInt(s.pwAccount, 10)
	for _, p := range []string{"/public", acct, acct + "/feed.atom", "/public/search?q=pothole", "/public/items/" + strconv.FormatInt(s.post, 10)} {
		res, body := a.get(p)
		etag := res.Header.Get("ETag")
		if res.StatusCode != http.StatusOK || etag == "" || body == "" || !strings.Contains(res.Header.Get("Cache-Control"), "public") {
			t.Fatalf("GET %s: %d, ETag %q, Cache-Control %q", p, res.StatusCode, etag, res.Header.Get("Cache-Control"))
		}
		res, body = a.get(p, "If-None-Match", etag)
		if res.StatusCode != http.StatusNotModified || body != "" {
			t.Errorf("GET %s with its ETag: %d, %d bytes", p, res.StatusCode, len(body))
		}
		if res, _ = a.get(p, "If-None-Match", `"other"`); res.StatusCode != http.StatusOK {
			t.Errorf("GET %s with another ETag: %d", p, res.StatusCode)
		}
	}
	// Times are the city's (the harness runs in America/Chicago), never UTC.
	if _, body := a.get("/public/items/" + strconv.FormatInt(s.post, 10)); !strings.Contains(body, " CST") || strings.Contains(body, " UTC") {
		t.Errorf("the public item page does not show the city's time")
	}
	res, _ := a.get(acct)
	lm := res.Header.Get("Last-Modified")
	if lm == "" {
		t.Fatal("the account page has no Last-Modified")
	}
	if res, _ = a.get(acct, "If-Modified-Since", lm); res.StatusCode != http.StatusNotModified {
		t.Errorf("If-Modified-Since its Last-Modified: %d", res.StatusCode)
	}
	res, _ = a.get(acct)
	old := res.Header.Get("ETag")
	clerk, err := a.store.UserByEmail(context.Background(), demoEmail(civic.RoleClerk))
	if err != nil {
		t.Fatal(err)
	}
	a.clock.Advance(time.Minute)
	if _, err := a.svcs.Archive.Classify(context.Background(), civic.ActorOf(clerk), s.post, 0, civic.Classification{Class: civic.ClassNonpublic, Statute: "13.37", Reason: "security information"}); err != nil {
		t.Fatal(err)
	}
	if res, _ := a.get(acct, "If-Modified-Since", lm); res.StatusCode != http.StatusOK {
		t.Errorf("If-Modified-Since before the classification changed: %d", res.StatusCode)
	}
	res, body := a.get(acct, "If-None-Match", old)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "Nonpublic data, Minn. Stat. 13.37") || strings.Contains(body, "Pothole repairs on Main Street start Tuesday") {
		t.Errorf("after the post was classified nonpublic: %d\n%s", res.StatusCode, body)
	}
	// An error page is never cached.
	res, _ = a.get("/public/items/987654")
	if res.StatusCode != http.StatusNotFound || res.Header.Get("ETag") != "" || res.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("unknown item: %d, ETag %q, Cache-Control %q", res.StatusCode, res.Header.Get("ETag"), res.Header.Get("Cache-Control"))
	}
}

// atom is what the feed test reads back with encoding/xml.
type atom struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string   `xml:"id"`
	Title   string   `xml:"title"`
	Updated string   `xml:"updated"`
	Author  struct {
		Name string `xml:"name"`
	} `xml:"author"`
	Links []struct {
		Rel  string `xml:"rel,attr"`
		Href string `xml:"href,attr"`
	} `xml:"link"`
	Entries []struct {
		ID      string `xml:"id"`
		Title   string `xml:"title"`
		Updated string `xml:"updated"`
		Link    struct {
			Href string `xml:"href,attr"`
		} `xml:"link"`
		Content struct {
			Type string `xml:"type,attr"`
			Text string `xml:",chardata"`
		} `xml:"content"`
	} `xml:"entry"`
}

// TestPublicFeed parses an account's Atom feed and checks the elements
// Atom 1.0 requires (RFC 4287: feed id, title, updated, author, a self
// link; entry id, title, updated), that it carries the public posts and
// none withheld, and its content type.
func TestPublicFeed(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a := newApp(t, e, nil, noLimit)
			s := seedPortal(t, a)
			res, body := a.get("/public/accounts/" + strconv.FormatInt(s.pwAccount, 10) + "/feed.atom")
			if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/atom+xml") {
				t.Fatalf("feed: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
			}
			var f atom
			if err := xml.Unmarshal([]byte(body), &f); err != nil {
				t.Fatalf("the feed is not Atom: %v\n%s", err, body)
			}
			rfc := func(s string) bool { _, err := time.Parse(time.RFC3339, s); return err == nil }
			self := false
			for _, l := range f.Links {
				self = self || (l.Rel == "self" && strings.HasSuffix(l.Href, "/feed.atom"))
			}
			if f.ID == "" || f.Title == "" || !rfc(f.Updated) || f.Author.Name == "" || !self {
				t.Errorf("feed lacks a required element: %+v", f)
			}
			if len(f.Entries) != 1 {
				t.Fatalf("want the one public post, got %d entries:\n%s", len(f.Entries), body)
			}
			en := f.Entries[0]
			if en.ID == "" || en.Title == "" || !rfc(en.Updated) || !strings.HasSuffix(en.Link.Href, "/public/items/"+strconv.FormatInt(s.post, 10)) ||
				en.Content.Type != "text" || !strings.Contains(en.Content.Text, "Pothole repairs on Main Street start Tuesday") {
				t.Errorf("entry: %+v", en)
			}
			for _, m := range portalMarkers {
				if strings.Contains(body, m) {
					t.Errorf("the feed shows %q", m)
				}
			}
		})
	}
}

// TestPublicRateLimit checks the portal's per-client limit: a client over
// it waits (429 with Retry-After) and is served again once the allowance
// refills; a shared address (city hall) gets its own larger allowance; a
// trusted proxy's X-Forwarded-For names the client, an untrusted peer's
// does not.
func TestPublicRateLimit(t *testing.T) {
	clock := storetest.NewClock(time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC))
	cityHall := netip.MustParsePrefix("198.51.100.7/32")
	proxy := netip.MustParsePrefix("10.0.0.0/8")
	a := newApp(t, storetest.Engines(t)[0], nil, func(c *cli.HandlerConfig) {
		c.PublicLimit = server.PublicLimit{PerMinute: 3, Shared: []netip.Prefix{cityHall}, SharedPerMinute: 30, Clock: clock.Now}
		c.TrustedProxies = []netip.Prefix{proxy}
	})
	get := func(remote string, h map[string]string) int {
		return a.do(request{method: http.MethodGet, path: "/public", remote: remote, header: h}).StatusCode
	}
	for i := range 3 {
		if st := get("203.0.113.5", nil); st != http.StatusOK {
			t.Fatalf("request %d: %d", i+1, st)
		}
	}
	res := a.do(request{method: http.MethodGet, path: "/public", remote: "203.0.113.5"})
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
		t.Fatalf("fourth request in a minute: %d, Retry-After %q", res.StatusCode, res.Header.Get("Retry-After"))
	}
	// The rest of the server is not limited by the portal's allowance.
	if st := a.do(request{method: http.MethodGet, path: "/transparency", remote: "203.0.113.5"}).StatusCode; st != http.StatusOK {
		t.Errorf("/transparency: %d", st)
	}
	// Another client is served; a spoofed X-Forwarded-For from an untrusted peer changes nothing.
	if st := get("203.0.113.6", nil); st != http.StatusOK {
		t.Errorf("another client: %d", st)
	}
	if st := get("203.0.113.5", map[string]string{"X-Forwarded-For": "192.0.2.99"}); st != http.StatusTooManyRequests {
		t.Errorf("spoofed X-Forwarded-For from an untrusted peer: %d", st)
	}
	// An IPv6 client rotating its addresses within its /64 is one client.
	for i := range 4 {
		st := get("2001:db8:1:2::"+strconv.Itoa(i+1), nil)
		if want := map[bool]int{true: http.StatusOK, false: http.StatusTooManyRequests}[i < 3]; st != want {
			t.Errorf("IPv6 request %d from the same /64: %d, want %d", i+1, st, want)
		}
	}
	// Behind the trusted proxy each client has its own allowance.
	for i := range 3 {
		for _, c := range []string{"192.0.2.10", "192.0.2.11"} {
			if st := get("10.1.2.3", map[string]string{"X-Forwarded-For": c}); st != http.StatusOK {
				t.Errorf("client %s behind the proxy, request %d: %d", c, i+1, st)
			}
		}
	}
	// City hall's shared address is served well past one client's allowance.
	for i := range 25 {
		if st := get("198.51.100.7", nil); st != http.StatusOK {
			t.Fatalf("city hall request %d: %d", i+1, st)
		}
	}
	// Twenty seconds later the first client has one request again: it waited, it was not locked out.
	clock.Advance(20 * time.Second)
	if st := get("203.0.113.5", nil); st != http.StatusOK {
		t.Errorf("after 20 seconds: %d", st)
	}
}

// TestClassificationAPI classifies through the API as the clerk: a bad
// class, statute or reason is a 422 naming the field and changes nothing;
// staff without records.manage are refused; each change is in the audit
// log and the item's history, and the version itself is unchanged.
func TestClassificationAPI(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a := newApp(t, e, nil, noLimit)
			s := seedPortal(t, a)
			clerk := a.token(demoEmail(civic.RoleClerk))
			comms := a.token(demoEmail(civic.RoleCommunications))
			path := "/api/v1/archive/items/" + strconv.FormatInt(s.post, 10) + "/classification"
			before, err := a.store.ArchiveVersions(context.Background(), s.post)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct{ body, field string }{
				{`{"class":"secret","reason":"x"}`, "class"},
				{`{"class":"private","reason":"x"}`, "statute"},
				{`{"class":"private","statute":"99.1","reason":"x"}`, "statute"},
				{`{"class":"public","statute":"13.43","reason":"x"}`, "statute"},
				{`{"class":"private","statute":"13.43","reason":"  "}`, "reason"},
				{`{"class":"private","statute":"13.43","reason":"x","version_id":1}`, "version_id"},
				{`{"class":"private","statute":"13.43","reason":"x","extra":1}`, "extra"},
			} {
				res := a.do(request{method: http.MethodPost, path: path, bearer: clerk, body: c.body})
				code, msg, field := apiError(t, res)
				if res.StatusCode != http.StatusUnprocessableEntity || field != c.field {
					t.Errorf("%s: %d %s %q field %q, want 422 naming %s", c.body, res.StatusCode, code, msg, field, c.field)
				}
			}
			if res := a.do(request{method: http.MethodPost, path: path, bearer: comms, body: `{"class":"public","reason":"x"}`}); res.StatusCode != http.StatusForbidden {
				t.Errorf("communications classifies: %d", res.StatusCode)
			}
			res := a.do(request{method: http.MethodPost, path: path, bearer: clerk, body: `{"class":"private","statute":"Minn. Stat. 13.601, subd. 2","reason":"correspondence with an elected official"}`})
			if body := compact(t, readBody(t, res)); res.StatusCode != http.StatusOK || !strings.Contains(body, `"statute":"13.601, subd. 2"`) {
				t.Fatalf("classify: %d %s", res.StatusCode, body)
			}
			res = a.do(request{method: http.MethodGet, path: path, bearer: comms})
			body := compact(t, readBody(t, res))
			if res.StatusCode != http.StatusOK || !strings.Contains(body, `"history":[{`) || !strings.Contains(body, "correspondence with an elected official") {
				t.Errorf("classification: %d %s", res.StatusCode, body)
			}
			evs, err := a.store.AuditEvents(context.Background(), civic.AuditFilter{Limit: 5})
			if err != nil {
				t.Fatal(err)
			}
			if len(evs) == 0 || evs[0].Action != "archive.classify" || evs[0].ObjectID != strconv.FormatInt(s.post, 10) {
				t.Errorf("newest audit event: %+v", evs[0])
			}
			after, err := a.store.ArchiveVersions(context.Background(), s.post)
			if err != nil {
				t.Fatal(err)
			}
			for i := range before {
				if before[i].Hash != after[i].Hash || before[i].Text != after[i].Text {
					t.Errorf("version %d changed", before[i].ID)
				}
			}
			_, page := a.get("/public/items/" + strconv.FormatInt(s.post, 10))
			if !strings.Contains(page, "Private data, Minn. Stat. 13.601, subd. 2") {
				t.Errorf("the portal does not show the new classification:\n%s", page)
			}
		})
	}
}

// compact removes the insignificant white space of a JSON body.
func compact(t *testing.T, s string) string {
	t.Helper()
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(s)); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, s)
	}
	return b.String()
}
