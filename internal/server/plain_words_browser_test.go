package server_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/browsertest"
	"steward.city/steward/internal/storetest"
)

// demoLogins are the demo's sign-ins, one per role.
var demoLogins = []string{
	"admin", "communications", "director", "staff", "clerk", "attorney",
	"hr", "it", "sic", "auditor", "police-admin",
}

// internalCode finds what a person should never read on a page: audit
// action codes (auth.sign_in), permission names (records.manage),
// snake_case enum values (local_media), Go durations (10m0s), Go zero
// times, fmt's %! errors, <nil> and "1 items"-style plurals.
var internalCode = regexp.MustCompile(`\b[a-z]+\.[a-z]+(?:_[a-z]+)*\b|\b[a-z]+(?:_[a-z]+)+\b|\b\d+h\d+m|\b\d+m\d+(?:\.\d+)?s\b|0001-01-01|%!|<nil>|\b1 [a-z]+s\b`)

// typedByPeople removes from visible text what a person typed and may
// rightly contain dots or underscores: e-mail addresses and handles
// (@city@demo-city.example, jordan_o), web addresses, host names and
// file names. Each pattern says why it is allowed.
var typedByPeople = []*regexp.Regexp{
	// E-mail addresses and fediverse handles: typed when a user or
	// account was added.
	regexp.MustCompile(`@?[\w.+-]+@[\w.-]+`),
	// Handles on platforms without a server: @PW_Alerts.
	regexp.MustCompile(`@[\w.]+`),
	// Web addresses: typed as an account's website or a link.
	regexp.MustCompile(`https?://\S+`),
	// Host names such as demo-city.example or mastodon.social, typed
	// as a platform's server.
	regexp.MustCompile(`\b[\w-]+(?:\.[\w-]+)*\.(?:example|social|com|org|gov|net|us|city)\b`),
	// File names of attachments, typed or uploaded: report.pdf.
	regexp.MustCompile(`\b[\w-]+\.(?:pdf|csv|json|png|jpe?g|txt|zip)\b`),
}

// plainOf returns the internal codes in text, after removing what people
// typed: the patterns above and the handles in typed, word for word.
func plainOf(text string, typed ...string) []string {
	for _, h := range typed {
		if h != "" {
			text = strings.ReplaceAll(text, h, " ")
		}
	}
	for _, re := range typedByPeople {
		text = re.ReplaceAllString(text, " ")
	}
	return internalCode.FindAllString(text, -1)
}

// typedHandles returns every handle stored in the database: platform
// handles such as Facebook's sam.lee.501 were typed by the people who
// chose them and may look like codes.
func typedHandles(t *testing.T, app *testApp) []string {
	t.Helper()
	rows, err := app.store.DB().Query(`SELECT handle FROM accounts UNION SELECT handle FROM follows
		UNION SELECT handle FROM archive_accounts UNION SELECT author_handle FROM archive_versions
		UNION SELECT handle FROM capture_connections UNION SELECT handle FROM personal_accounts
		UNION SELECT username FROM covert_profiles UNION SELECT screen_name FROM covert_profiles`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var hs []string
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			t.Fatal(err)
		}
		hs = append(hs, h)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	// Longest first, so that a handle inside another goes after it.
	sort.Slice(hs, func(i, j int) bool { return len(hs[i]) > len(hs[j]) })
	return hs
}

func TestPlainOf(t *testing.T) {
	for text, want := range map[string]string{
		"Signed in (auth.sign_in)":              "auth.sign_in",
		"Reason: private_info":                  "private_info",
		"Every 10m0s":                           "10m0s",
		"Since 0001-01-01":                      "0001-01-01",
		"%!s(MISSING)":                          "%!",
		"Owner: <nil>":                          "<nil>",
		"1 items":                               "1 items",
		"needs records.manage":                  "records.manage",
		"Written by jordan@demo-city.example":   "",
		"@city@demo-city.example on mastodon":   "",
		"See https://www.demo-city.example/a_b": "",
		"3 items. Saved. Every 10 minutes.":     "",
	} {
		if got := strings.Join(plainOf(text), ","); got != want {
			t.Errorf("plainOf(%q) = %q, want %q", text, got, want)
		}
	}
}

// TestBrowserPlainWords signs in as each demo user and follows every link
// the dashboard and navigation lead to, two clicks deep, as that person
// could. Every page must come with status 200, pass axe-core and show no
// internal code in its visible text.
func TestBrowserPlainWords(t *testing.T) {
	// It opens some hundreds of pages: 175 s under the race detector on a
	// loaded 2-core machine, so more than the default five minutes' room.
	b := browsertest.NewFor(t, 12*time.Minute)
	app := newApp(t, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite}, nil)
	srv := httptest.NewServer(app.server)
	t.Cleanup(srv.Close)
	tab := &browserTab{Browser: b.Tab(t), t: t, base: srv.URL}
	checked := map[string]bool{} // page shapes axe-core has checked
	typed := typedHandles(t, app)
	for _, who := range demoLogins {
		email := who + "@demo-city.example"
		tab.check(tab.signIn(email), http.StatusOK)
		seen := map[string]bool{"/": true}
		queue := []string{"/"}
		shapes := map[string]int{}
		for depth := 0; depth < 3 && len(queue) > 0; depth++ {
			var next []string
			for _, p := range queue {
				status := http.StatusOK
				if p != "/" || depth > 0 {
					status = tab.open(p)
				}
				shape := regexp.MustCompile(`[0-9]+`).ReplaceAllString(strings.SplitN(p, "?", 2)[0], "N")
				if status != http.StatusOK {
					t.Errorf("%s: %s answers %d", who, p, status)
					continue
				}
				if !checked[who+shape] {
					checked[who+shape] = true
					tab.check(status, http.StatusOK)
				}
				text := evalJS[string](tab, `document.body.innerText`)
				if codes := plainOf(text, typed...); len(codes) > 0 {
					t.Errorf("%s: %s shows internal codes %q", who, p, codes)
				}
				if depth == 2 {
					continue
				}
				hrefs := evalJS[[]string](tab, `[...document.querySelectorAll('a[href]')].map(a => a.href)`)
				sort.Strings(hrefs)
				for _, h := range hrefs {
					u, err := url.Parse(h)
					if err != nil || u.Host != strings.TrimPrefix(srv.URL, "http://") {
						continue
					}
					p := u.Path
					if u.RawQuery != "" {
						p += "?" + u.RawQuery
					}
					s := regexp.MustCompile(`[0-9]+`).ReplaceAllString(u.Path, "N")
					if seen[p] || skipCrawl(p) || shapes[s] >= 2 {
						continue
					}
					seen[p] = true
					shapes[s]++
					next = append(next, p)
				}
			}
			queue = next
		}
		t.Logf("%s: %d pages", who, len(seen))
	}
}

// skipCrawl tells the pages the walk does not open: downloads, which are
// not pages, and the sign-out link.
func skipCrawl(p string) bool {
	// p is the path and query.
	for _, s := range []string{"format=", ".pdf", ".csv", ".json", "/export", "/signout", "/download", "/metrics", "/static/", "/api/"} {
		if strings.Contains(p, s) {
			return true
		}
	}
	return false
}
