package server_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"steward.city/steward/internal/auth"
	"steward.city/steward/internal/browsertest"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/demo"
	"steward.city/steward/internal/plain"
	"steward.city/steward/internal/publish"
	"steward.city/steward/internal/storetest"
)

// grantParks grants the demo staff member's request to post for
// @cityparks and adds a Parks director who signs in with the demo
// password; it returns the account and the director.
func grantParks(t *testing.T, app *testApp) (*civic.Account, *civic.User) {
	t.Helper()
	ctx := context.Background()
	parks, err := app.store.DepartmentBySlug(ctx, "parks")
	if err != nil {
		t.Fatal(err)
	}
	dir := app.addUser("parks-director@demo-city.example", "parks", civic.Grant{Role: civic.RoleDirector, DepartmentID: parks.ID})
	h, err := auth.HashPassword(demo.Password)
	if err != nil {
		t.Fatal(err)
	}
	staff, err := app.store.UserByEmail(ctx, demoEmail(civic.RoleStaff))
	if err != nil {
		t.Fatal(err)
	}
	ps, err := app.store.Posters(ctx, civic.PosterFilter{UserID: staff.ID})
	if err != nil || len(ps) == 0 {
		t.Fatalf("the demo staff member's poster request: %v", err)
	}
	p := ps[0]
	acct, err := app.store.Account(ctx, p.AccountID)
	if err != nil {
		t.Fatal(err)
	}
	err = app.store.Update(ctx, civic.System, func(tx civic.Tx) error {
		if err := tx.SetUserPassword(ctx, dir.ID, h); err != nil {
			return err
		}
		now := tx.Now()
		exp := now.Add(365 * 24 * time.Hour)
		p.Status, p.DecidedBy, p.DecidedAt, p.ExpiresAt = civic.PosterGranted, dir.ID, &now, &exp
		return tx.UpdatePoster(ctx, p, "poster.grant")
	})
	if err != nil {
		t.Fatal(err)
	}
	return acct, dir
}

// seedDraft gives the demo city a draft, so that the page walk reaches a
// draft page.
func seedDraft(t *testing.T, app *testApp) {
	t.Helper()
	acct, _ := grantParks(t, app)
	staff, err := app.store.UserByEmail(context.Background(), demoEmail(civic.RoleStaff))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.svcs.Publish.CreateDraft(context.Background(), civic.ActorOf(staff), publish.DraftInput{AccountIDs: []int64{acct.ID}, Category: "announcement",
		Text: "Summer day camp sign-ups open Monday. Text our camp lead at 651-555-0188 with questions."}); err != nil {
		t.Fatal(err)
	}
}

// TestBrowserPublish walks the draft-to-approval in a real
// Chromium, checking every page with axe-core: staff writes a post with a
// private phone number and attaches an image without alt text; a mistake
// is explained next to its field, the chosen file kept; the draft page
// marks both findings and shows the image; staff fixes them and submits;
// the Parks director finds it in the review queue with its waiting time,
// sees the image with its alt text, approves, and the calendar shows it
// scheduled.
func TestBrowserPublish(t *testing.T) {
	b := browsertest.New(t)
	app := newApp(t, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite}, nil)
	srv := httptest.NewServer(app.server)
	t.Cleanup(srv.Close)
	tab := &browserTab{Browser: b.Tab(t), t: t, base: srv.URL}
	_, dir := grantParks(t, app)
	acct := mastodonParks(t, app, dir)
	splash := filepath.Join(t.TempDir(), "splash.png")
	if err := os.WriteFile(splash, testPNG(t, 5), 0o600); err != nil {
		t.Fatal(err)
	}
	js := func(expr string) { evalJS[any](tab, expr) }
	post := func(form string) int { return tab.ClickAndWait(form + ` button[type=submit]`) }

	tab.check(tab.signIn(demoEmail(civic.RoleStaff)), http.StatusOK)
	tab.check(tab.open("/drafts"), http.StatusOK)
	form := `form[action="/drafts"][method="post"]`
	js(`document.querySelector('input[name=account][value="` + itoa64(acct.ID) + `"]').checked = true`)
	tab.SetValue("#f-text", "The splash pad opens Saturday at 10. Questions? Text our volunteer lead at 651-555-0142.")
	tab.act("choosing the image", chromedp.SetUploadFiles(chromedp.CSS("#f-upload"), []string{splash}))
	// No category: explained next to the field, nothing lost.
	tab.check(post(form), http.StatusUnprocessableEntity)
	tab.checkInvalidField("category")
	if !strings.Contains(tab.Value("#f-text"), "651-555-0142") {
		t.Error("the form lost the text")
	}
	if got := tab.Text("#f-m0 legend"); !strings.Contains(got, "splash.png") {
		t.Errorf("the form lost the image: %q", got)
	}
	tab.screenshot("drafts-invalid.png")
	tab.SetValue("#f-category", "announcement")
	tab.check(post(form), http.StatusOK)
	m := regexp.MustCompile(`^/drafts/(\d+)\?notice=saved$`).FindStringSubmatch(tab.path())
	if m == nil {
		t.Fatalf("after saving the browser is at %s", tab.path())
	}
	page := "/drafts/" + m[1]
	if got := tab.Text("#marked mark"); got != "651-555-0142" {
		t.Errorf("the marked words are %q, want the phone number", got)
	}
	findings := tab.Text("#findings")
	for _, want := range []string{"contact information", "image without alt", "blocks until a reviewer records why"} {
		if !strings.Contains(findings, want) {
			t.Errorf("the findings table lacks %q: %s", want, findings)
		}
	}
	if got := tab.Text("main"); !strings.Contains(got, "Mastodon: 88 of 500 characters") {
		t.Errorf("no per-network counter: %s", got)
	}
	// The image is shown, loaded from the draft's own address, its alt
	// empty (and said to be missing).
	if got := evalJS[string](tab, `(() => { const i = document.querySelector('#media img'); return i && i.complete && i.naturalWidth > 0 ? 'alt=' + i.getAttribute('alt') : 'none' })()`); got != "alt=" {
		t.Errorf("the draft's image: %s", got)
	}
	tab.screenshot("draft-findings.png")

	// Fix both, schedule it, submit.
	tab.SetValue("#f-text", "The splash pad opens Saturday at 10. Questions? Call the Parks front desk.")
	tab.SetValue("#f-alt-0", "Children playing in the splash pad's fountains.")
	// The time to publish at is typed in the city's time (Chicago), not UTC.
	when := app.clock.Now().Add(48 * time.Hour).In(cityZone(t)).Truncate(time.Minute)
	tab.SetValue("#f-scheduled", when.Format("2006-01-02T15:04"))
	tab.check(post(`form[action="`+page+`"]`), http.StatusOK)
	if got := tab.Text("#findings"); !strings.Contains(got, "The screen found nothing") {
		t.Errorf("after the fix: %s", got)
	}
	tab.check(post(`form[action="`+page+`/submit"]`), http.StatusOK)
	if got := tab.Text(".lede"); !strings.Contains(got, "in review") {
		t.Errorf("after submitting: %s", got)
	}

	// The director reviews it from the queue.
	app.clock.Advance(90 * time.Minute)
	tab.check(tab.signIn(dir.Email), http.StatusOK)
	tab.check(tab.open("/drafts/queue"), http.StatusOK)
	if got := tab.Text("main table"); !strings.Contains(got, "1 hour 30 minutes") || !strings.Contains(got, "staff@demo-city.example") {
		t.Errorf("the queue: %s", got)
	}
	tab.screenshot("drafts-queue.png")
	tab.check(tab.open(page), http.StatusOK)
	if got := evalJS[string](tab, `(() => { const i = document.querySelector('#media img'); return i && i.complete && i.naturalWidth > 0 ? i.getAttribute('alt') : 'none' })()`); got != "Children playing in the splash pad's fountains." {
		t.Errorf("the director sees the image with alt %q", got)
	}
	tab.check(post(`form[action="`+page+`/review"]`), http.StatusOK)
	if got := tab.Text(".lede"); !strings.Contains(got, "approved") || !strings.Contains(got, "waiting for its scheduled time, Nov 23, 2026, 3:00 AM CST") {
		t.Errorf("after approval (the scheduled time in the city's zone): %s", got)
	}
	tab.screenshot("draft-approved.png")
	tab.check(tab.open("/calendar"), http.StatusOK)
	if got := tab.Text("main table"); !strings.Contains(got, "scheduled") || !strings.Contains(got, acct.Handle) || !strings.Contains(got, plain.Time(when, cityZone(t))) {
		t.Errorf("the calendar does not show the post at %s, city time: %s", plain.Time(when, cityZone(t)), got)
	}
	tab.screenshot("calendar.png")
}
