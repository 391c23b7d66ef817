package server_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"steward.city/steward/internal/browsertest"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/storetest"
)

// TestBrowserPublic walks the public records portal as a resident, from
// the sign-in page's link, in Chromium with axe-core on every page: the
// accounts, an account's posts with a removed comment's placeholder and a
// withheld one, a post with its versions, search with results and with a
// mistake, an unknown record; then the clerk classifies an item on its
// archive page, a mistake first. Set $STEWARD_SCREENSHOTS to keep the
// pictures.
func TestBrowserPublic(t *testing.T) {
	b := browsertest.New(t)
	app := newApp(t, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite}, nil, noLimit)
	s := seedPortal(t, app)
	srv := httptest.NewServer(app.server)
	t.Cleanup(srv.Close)
	tab := &browserTab{Browser: b.Tab(t), t: t, base: srv.URL}

	tab.check(tab.open("/signin"), http.StatusOK)
	tab.check(tab.ClickAndWait(`main a[href="/public"]`), http.StatusOK)
	if got := tab.Text("main"); !strings.Contains(got, "Demo City Public Works") || !strings.Contains(got, "Demo Public Library") || strings.Contains(got, "Trap") {
		t.Errorf("accounts page:\n%s", got)
	}
	tab.screenshot("public-accounts.png")

	acct := "/public/accounts/" + strconv.FormatInt(s.pwAccount, 10)
	tab.check(tab.ClickAndWait(`main a[href="`+acct+`"]`), http.StatusOK)
	got := tab.Text("main")
	for _, want := range []string{"Pothole repairs on Main Street start Tuesday", "Hidden on", "Removed Comments Tracking Form No. 1", "This record exists and is withheld: Private data, Minn. Stat. 13.43"} {
		if !strings.Contains(got, want) {
			t.Errorf("account page lacks %q:\n%s", want, got)
		}
	}
	tab.screenshot("public-account.png")

	tab.check(tab.open("/public/items/"+strconv.FormatInt(s.post, 10)), http.StatusOK)
	if got := tab.Text("main"); !strings.Contains(got, "Every version captured") {
		t.Errorf("post page:\n%s", got)
	}
	tab.screenshot("public-item.png")
	tab.check(tab.open("/public/items/"+strconv.FormatInt(s.withheld[0], 10)), http.StatusOK)
	tab.screenshot("public-withheld.png")

	tab.check(tab.open("/public/search"), http.StatusOK)
	tab.typeInto("#f-q", "potholes")
	tab.check(tab.Submit(`form[action="/public/search"] button`), http.StatusOK)
	if got := tab.Text("main"); !strings.Contains(got, "found") || !strings.Contains(got, "Pothole") {
		t.Errorf("search:\n%s", got)
	}
	// The post was edited: both its versions match, and the one with the
	// old words says it is an earlier version; the current one does not.
	if got := tab.Text("main"); strings.Count(got, "an earlier version") != 1 ||
		!regexp.MustCompile(`an earlier version; the record has changed since\) on Demo City Public Works, [^\n]*\n+\s*Pothole repairs on Main Street start Monday`).MatchString(got) {
		t.Errorf("search does not mark the earlier version of the edited post:\n%s", got)
	}
	tab.screenshot("public-search.png")
	tab.check(tab.open("/public/search?"+url.Values{"q": {`"unclosed`}}.Encode()), http.StatusUnprocessableEntity)
	if got := tab.Text("#e-q"); !strings.Contains(got, "quotation mark") {
		t.Errorf("search mistake: %q", got)
	}
	tab.check(tab.open("/public/items/987654"), http.StatusNotFound)
	tab.check(tab.open("/transparency"), http.StatusOK)
	tab.check(tab.open("/inquiry"), http.StatusOK)

	// The clerk classifies on the archive item page.
	if st := tab.signIn(demoEmail(civic.RoleClerk)); st != http.StatusOK {
		t.Fatalf("sign in: %d", st)
	}
	item := "/archive/items/" + strconv.FormatInt(s.public[0], 10)
	tab.check(tab.open(item), http.StatusOK)
	tab.Click(`input[name=class][value=private]`)
	tab.typeInto("#f-statute", "chapter 13")
	tab.typeInto("#f-reason", "names a crime victim")
	tab.check(tab.Submit(`form[action="`+item+`/classification"] button`), http.StatusUnprocessableEntity)
	tab.checkInvalidField("statute")
	tab.typeInto("#f-statute", "13.82")
	tab.check(tab.Submit(`form[action="`+item+`/classification"] button`), http.StatusOK)
	if got := tab.Text("main"); !strings.Contains(got, "names a crime victim") || !strings.Contains(got, "Minn. Stat. 13.82") {
		t.Errorf("classification not shown:\n%s", got)
	}
	tab.screenshot("archive-item-classification.png")
}
