package server_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/cli"
	"steward.city/steward/internal/server"
	"steward.city/steward/internal/storetest"
)

// echo is what a search page says back of the query.
var echo = regexp.MustCompile(`(?s)<title>.*?</title>|<form .*?</form>|<p class="field-error".*?</p>|<h1>.*?</h1>`)

// noLimit turns the portal's rate limit off, for tests that make many requests.
func noLimit(c *cli.HandlerConfig) { c.PublicLimit = server.PublicLimit{PerMinute: -1} }

// TestPublicPortalMatrix requests every public route, as a stranger, with
// every id, word and page an attacker would try, and checks that no answer
// holds a word seeded only into a covert profile's records, a private or
// a nonpublic one, or an account that is not the city's; that each answers
// 200, 404 or 422; that an item or account the portal hides answers exactly
// as one that does not exist; and that a withheld item says that it exists
// and why, never what it says.
func TestPublicPortalMatrix(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a := newApp(t, e, nil, noLimit)
			s := seedPortal(t, a)
			// A clerk's "public" never makes a covert profile's record public.
			clerk, err := a.store.UserByEmail(context.Background(), demoEmail(civic.RoleClerk))
			if err != nil {
				t.Fatal(err)
			}
			for _, id := range s.covert {
				if _, err := a.svcs.Archive.Classify(context.Background(), civic.ActorOf(clerk), id, 0, civic.Classification{Class: civic.ClassPublic, Reason: "a mistake"}); err != nil {
					t.Fatal(err)
				}
			}
			// Signed checkpoints, so that the integrity routes answer in full.
			signPortal(t, a)
			var paths []string
			for id := 1; id <= 60; id++ {
				paths = append(paths, "/public/items/"+strconv.Itoa(id)+"/proof", "/public/checkpoints/consistency?from="+strconv.Itoa(id)+"&to=29", "/public/accounts/"+strconv.Itoa(id), "/public/accounts/"+strconv.Itoa(id)+"/feed.atom",
					"/public/accounts/"+strconv.Itoa(id)+"?page=2", "/public/accounts/"+strconv.Itoa(id)+"/warc?month="+a.clock.Now().Format("2006-01"))
			}
			for _, m := range portalMarkers {
				paths = append(paths, "/public/search?"+url.Values{"q": {m}}.Encode(), "/public/search?"+url.Values{"q": {`"` + m + `"`}}.Encode(),
					"/public/search?"+url.Values{"q": {m + " OR pothole"}}.Encode())
			}
			paths = append(paths, "/public", "/public/search", "/public/search?q=pothole", "/public/search?q=comment+OR+post",
				"/public/search?q=kind:message", "/public/search?q=kind:comment", "/public/search?q=author:river.fan.2219", "/public/search?q=platform:facebook",
				"/public/search?q=account:facebook:river.fan.2219", "/public/search?q=account:facebook:SomeoneElse", "/public/search?q=removed:yes",
				"/public/search?q=held:yes", "/public/search?q=%22unclosed", "/public/search?q=OR", "/public/search?q=%F0%9F%91%8D",
				"/public/search?q=from:2020-01-01", "/public/search?q=pothole&page=999999999999", "/public/search?q=pothole&page=-1",
				"/public/search?q=pothole&page=abc", "/public/search?q=pothole&page=500", "/public/accounts/1?page=99999999999999999999",
				"/public/items/0", "/public/items/-1", "/public/items/abc", "/public/items/99999999999999999999", "/public/items/1%00",
				"/public/items/01", "/public/accounts/0/feed.atom",
				"/public/checkpoints", "/public/checkpoints?page=2", "/public/checkpoints?page=0", "/public/checkpoints/latest", "/public/dispositions", "/public/reports",
				"/public/checkpoints/consistency", "/public/checkpoints/consistency?from=0&to=99999", "/public/items/abc/proof", "/public/items/0/proof", "/public/accounts/x", "/public/nothing", "/public/items/",
				"/public/search?q="+strings.Repeat("a", 600))
			for _, p := range paths {
				res, body := a.get(p)
				switch res.StatusCode {
				case http.StatusOK, http.StatusNotFound, http.StatusUnprocessableEntity:
				default:
					t.Errorf("GET %s: %d", p, res.StatusCode)
					if res.StatusCode >= 500 {
						t.Log(a.logs.String())
						t.FailNow()
					}
				}
				if res.Header.Get("Content-Type") == "application/warc" {
					body = warcText(t, body) // gzip members: read what they hold
				}
				if strings.HasPrefix(p, "/public/search") {
					// The form, the title and an error say back what was asked.
					body = echo.ReplaceAllString(body, "")
				}
				low := strings.ToLower(body)
				for _, m := range portalMarkers {
					if strings.Contains(low, strings.ToLower(m)) {
						t.Errorf("GET %s (%d) shows %q", p, res.StatusCode, m)
					}
				}
				for _, leak := range []string{"river.fan", "Riley Fan", "SomeoneElse", "Trap:", "home address", "resident.42", "resident.43", "resident.44"} {
					if strings.Contains(body, leak) {
						t.Errorf("GET %s (%d) shows %q", p, res.StatusCode, leak)
					}
				}
			}

			// A hidden item or account answers as an unknown one.
			unknown := func(path string, id int64) (int, string) {
				res, body := a.get(strings.Replace(path, "{id}", strconv.FormatInt(id, 10), 1))
				n := strconv.FormatInt(id, 10)
				return res.StatusCode, strings.NewReplacer("record "+n+"<", "record ID<", "record "+n+`"`, `record ID"`, "account "+n+"<", "account ID<").Replace(body)
			}
			us, ub := unknown("/public/items/{id}", 987654)
			if us != http.StatusNotFound {
				t.Fatalf("unknown item: %d", us)
			}
			for _, id := range s.covert {
				if st, b := unknown("/public/items/{id}", id); st != us || b != ub {
					t.Errorf("covert item %d answers %d %q, an unknown one %d %q", id, st, b, us, ub)
				}
			}
			pus, pub := unknown("/public/items/{id}/proof", 987654)
			for _, id := range s.covert {
				if st, b := unknown("/public/items/{id}/proof", id); st != pus || b != pub || st != http.StatusNotFound {
					t.Errorf("covert item %d's proof answers %d %q, an unknown one's %d %q", id, st, b, pus, pub)
				}
			}
			for _, path := range []string{"/public/accounts/{id}", "/public/accounts/{id}/feed.atom"} {
				us, ub := unknown(path, 987654)
				if st, b := unknown(path, s.trapAccount); st != us || b != ub || st != http.StatusNotFound {
					t.Errorf("%s of the account named like a covert profile answers %d, an unknown one %d", path, st, us)
				}
			}

			// A withheld item says that it exists and why.
			for i, id := range s.withheld {
				res, body := a.get("/public/items/" + strconv.FormatInt(id, 10))
				want := []string{"Private data, Minn. Stat. 13.02, subd. 12", "Private data, Minn. Stat. 13.43", "Private data, Minn. Stat. 13.02, subd. 12"}[i]
				if res.StatusCode != http.StatusOK || !strings.Contains(body, "withheld") || !strings.Contains(body, want) {
					t.Errorf("withheld item %d: %d, want it to say %q:\n%s", id, res.StatusCode, want, body)
				}
			}
			// The removed comment's placeholder names the date, the reason and the form.
			_, body := a.get("/public/accounts/" + strconv.FormatInt(s.pwAccount, 10))
			for _, want := range []string{"Hidden on", "Removed on", "Removed Comments Tracking Form No. 1", "Commercial", "Pothole repairs on Main Street start Tuesday", "Edited"} {
				if !strings.Contains(body, want) {
					t.Errorf("the account's page lacks %q:\n%s", want, body)
				}
			}
			// Search finds public records with their counts, and no hidden one.
			_, body = a.get("/public/search?q=potholes")
			if !regexp.MustCompile(`<h2>[1-9][0-9]* records? found</h2>`).MatchString(body) {
				t.Errorf("search for potholes found nothing:\n%s", body)
			}
			res, body := a.get("/public/search?q=held:yes")
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "held: is not available") {
				t.Errorf("held:yes: %d\n%s", res.StatusCode, body)
			}
		})
	}
}
