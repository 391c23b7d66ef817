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

	"steward.city/steward/internal/browsertest"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/platform"
	"steward.city/steward/internal/platform/mastodon/gtstest"
	"steward.city/steward/internal/storetest"
)

// TestBrowserPublishGoToSocial is issue 14's done-when in a real Chromium
// against a real GoToSocial, every page checked with axe-core: staff
// drafts a post with a phone number and an image without alt text, sees
// both findings, fixes them (the live counter counting as they type); the
// Parks director approves and publishes it; capture archives it without an
// unauthorized_post flag while a post made directly on GoToSocial gets
// one; staff writes a correction, revises it (the director sees what
// changed), the director approves and publishes it, the post on GoToSocial
// is edited with "Correction:", capture flags nothing more, and the
// archive's page of the post shows the original and the correction; staff
// asks to delete it with a reason, the director approves and deletes it,
// and the archive keeps it, marked deleted; a draft for a covert profile
// that promotes violence cannot be submitted.
func TestBrowserPublishGoToSocial(t *testing.T) {
	b := browsertest.New(t)
	gts := gtstest.Start(t, "Steward", "cityparks")
	remote := gts.Users["cityparks"]
	app := newApp(t, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite}, nil)
	srv := httptest.NewServer(app.server)
	t.Cleanup(srv.Close)
	tab := &browserTab{Browser: b.Tab(t), t: t, base: srv.URL}
	ctx := context.Background()
	_, dir := grantParks(t, app)
	acct := grantAccount(t, app, "parks", "mastodon", "@cityparks@"+gts.Host, dir)
	it, err := app.store.UserByEmail(ctx, demoEmail(civic.RoleIT))
	if err != nil {
		t.Fatal(err)
	}
	conn := &civic.Connection{AccountID: acct.ID, Platform: "mastodon", BaseURL: gts.URL, RemoteID: remote.ID, Handle: acct.Handle, Interval: 10 * time.Minute}
	if err := app.svcs.Connections.Connect(ctx, civic.ActorOf(it), conn,
		civic.PlatformToken{AccessToken: remote.Token, ClientID: gts.App.ClientID, ClientSecret: gts.App.ClientSecret}); err != nil {
		t.Fatal(err)
	}
	js := func(expr string) { evalJS[any](tab, expr) }
	// textOf is what a screen reader reads of the elements matching sel,
	// hidden words included.
	textOf := func(sel string) string {
		return evalJS[string](tab, `Array.from(document.querySelectorAll(`+"`"+sel+"`"+`)).map(e => e.textContent).join(" ")`)
	}
	post := func(form string) int { return tab.ClickAndWait(form + ` button[type=submit]`) }
	capture := func() []string {
		t.Helper()
		app.clock.Advance(2*conn.Interval + time.Minute)
		res, err := app.svcs.Capture.RunDue(ctx)
		if err != nil || len(res) != 1 || res[0].Err != nil {
			t.Fatalf("capture: %+v, %v", res, err)
		}
		flags, err := app.store.CaptureFlags(ctx, civic.CaptureFlagFilter{Kind: civic.FlagUnauthorizedPost})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, f := range flags {
			out = append(out, f.Subject)
		}
		return out
	}

	// 1. Staff drafts with a phone number and an image without alt text.
	tab.check(tab.signIn(demoEmail(civic.RoleStaff)), http.StatusOK)
	tab.check(tab.open("/drafts"), http.StatusOK)
	js(`document.querySelector('input[name=account][value="` + itoa64(acct.ID) + `"]').checked = true`)
	tab.typeInto("#f-text", "The splash pad opens Saturday at 10. Questions? Text our volunteer lead at 651-555-0142.")
	time.Sleep(700 * time.Millisecond) // the counter speaks once typing pauses
	if got := tab.Text("#c-text"); got != "Mastodon: 88 of 500 characters." {
		t.Errorf("the live counter says %q", got)
	}
	splash := filepath.Join(t.TempDir(), "splash.png")
	if err := os.WriteFile(splash, testPNG(t, 8), 0o600); err != nil {
		t.Fatal(err)
	}
	tab.act("choosing the image", chromedp.SetUploadFiles(chromedp.CSS("#f-upload"), []string{splash}))
	tab.SetValue("#f-category", "announcement")
	tab.check(post(`form[action="/drafts"][method="post"]`), http.StatusOK)
	m := regexp.MustCompile(`^/drafts/(\d+)\?notice=saved$`).FindStringSubmatch(tab.path())
	if m == nil {
		t.Fatalf("after saving the browser is at %s", tab.path())
	}
	page := "/drafts/" + m[1]
	findings := tab.Text("#findings")
	for _, want := range []string{"contact information", "image without alt"} {
		if !strings.Contains(findings, want) {
			t.Errorf("the findings lack %q: %s", want, findings)
		}
	}
	text := "The splash pad opens Saturday at 10. Questions? Call the Parks front desk."
	tab.SetValue("#f-text", text)
	tab.SetValue("#f-alt-0", "Children playing in the splash pad's fountains.")
	tab.check(post(`form[action="`+page+`"]`), http.StatusOK)
	if got := tab.Text("#findings"); !strings.Contains(got, "The screen found nothing") {
		t.Errorf("after the fix: %s", got)
	}
	if got := textOf("#diff"); !strings.Contains(got, "removed: Text our volunteer lead") || !strings.Contains(got, "added: Call the Parks front desk.") {
		t.Errorf("the revision diff says %q", got)
	}
	tab.check(post(`form[action="`+page+`/submit"]`), http.StatusOK)

	// 2. The director approves and publishes.
	tab.check(tab.signIn(dir.Email), http.StatusOK)
	tab.check(tab.open(page), http.StatusOK)
	tab.check(post(`form[action="`+page+`/review"]`), http.StatusOK)
	tab.check(post(`form[action="`+page+`/publish"]`), http.StatusOK)
	if got := tab.Text(".lede"); !strings.Contains(got, "published") {
		t.Fatalf("after publishing: %s", got)
	}
	has := func(sel string) bool { return evalJS[bool](tab, `!!document.querySelector('`+sel+`')`) }
	if has("#f-correction") || has("#f-reason") {
		t.Error("the director, who holds no poster grant, is offered to correct or delete the post")
	}
	pubs, err := app.store.Publications(ctx, civic.PublicationFilter{AccountID: acct.ID})
	if err != nil || len(pubs) != 1 || pubs[0].PlatformID == "" {
		t.Fatalf("publications %+v, %v", pubs, err)
	}
	id := pubs[0].PlatformID
	tab.screenshot("draft-published-gts.png")
	// The post on GoToSocial carries the image, described by its alt text.
	var sent struct {
		Media []struct{ Type, Description string } `json:"media_attachments"`
	}
	gts.JSON(t, remote.Token, "GET", "/api/v1/statuses/"+id, nil, &sent)
	if len(sent.Media) != 1 || sent.Media[0].Type != "image" || sent.Media[0].Description != "Children playing in the splash pad's fountains." {
		t.Fatalf("the published post's media on GoToSocial: %+v", sent.Media)
	}
	// The authority record on the page names the file that went out.
	if got := tab.Text("main"); !strings.Contains(got, "sent splash.png (SHA-256 ") || !strings.Contains(got, "alt text “Children playing") {
		t.Errorf("the publication's authority record does not name the file sent: %s", got)
	}

	// 3. Capture: the published post is Steward's; a direct one is not.
	var direct struct {
		ID string `json:"id"`
	}
	gts.JSON(t, remote.Token, "POST", "/api/v1/statuses", map[string]any{"status": "Posted straight on the server.", "visibility": "public"}, &direct)
	if got := capture(); len(got) != 1 || got[0] != direct.ID {
		t.Fatalf("unauthorized_post flags on %v, want only the direct post %s (published %s)", got, direct.ID, id)
	}

	// 4. Staff corrects the post; the director sees the change, approves
	// and publishes it.
	tab.check(tab.signIn(demoEmail(civic.RoleStaff)), http.StatusOK)
	tab.check(tab.open(page), http.StatusOK)
	// An empty correction is explained next to its field.
	tab.check(post(`form[action="`+page+`/correction"]`), http.StatusUnprocessableEntity)
	tab.checkInvalidField("correction")
	tab.typeInto("#f-correction", "The splash pad opens Sunday at 10. Questions? Call the Parks front desk.")
	time.Sleep(700 * time.Millisecond)
	if got := tab.Text("#c-correction"); !strings.Contains(got, "Mastodon: 84 of 500 characters") {
		t.Errorf("the correction's counter (with “Correction: ”) says %q", got)
	}
	tab.check(post(`form[action="`+page+`/correction"]`), http.StatusOK)
	m = regexp.MustCompile(`^/drafts/(\d+)\?notice=saved$`).FindStringSubmatch(tab.path())
	if m == nil {
		t.Fatalf("after the correction the browser is at %s", tab.path())
	}
	cpage := "/drafts/" + m[1]
	if got := tab.Text("#corrects"); !strings.Contains(got, "Corrects the post "+id) {
		t.Errorf("the correction's page says %q", got)
	}
	tab.SetValue("#f-text", "The splash pad opens Sunday at 11. Questions? Call the Parks front desk.")
	tab.check(post(`form[action="`+cpage+`"]`), http.StatusOK)
	tab.check(post(`form[action="`+cpage+`/submit"]`), http.StatusOK)
	tab.check(tab.signIn(dir.Email), http.StatusOK)
	tab.check(tab.open(cpage), http.StatusOK)
	if got := textOf("#diff"); !strings.Contains(got, "removed: 10.") || !strings.Contains(got, "added: 11.") {
		t.Errorf("the reviewer's diff says %q", got)
	}
	if got := tab.Text("main"); !strings.Contains(got, "Correction: The splash pad opens Sunday at 11.") {
		t.Errorf("the preview lacks the marked text: %s", got)
	}
	tab.check(post(`form[action="`+cpage+`/review"]`), http.StatusOK)
	tab.check(post(`form[action="`+cpage+`/publish"]`), http.StatusOK)
	tab.screenshot("correction-published.png")
	var st struct {
		Content string `json:"content"`
	}
	gts.JSON(t, remote.Token, "GET", "/api/v1/statuses/"+id, nil, &st)
	if got := platform.HTMLText(st.Content); got != "Correction: The splash pad opens Sunday at 11. Questions? Call the Parks front desk." {
		t.Fatalf("the post on GoToSocial says %q", got)
	}
	tab.check(tab.open(page), http.StatusOK)
	if got := tab.Text("#corrections"); !strings.Contains(got, "Correction, draft "+m[1]) {
		t.Errorf("the original draft does not list its correction: %q", got)
	}
	if got := capture(); len(got) != 1 {
		t.Fatalf("capture flagged the correction: %v", got)
	}

	// 5. The archive shows the original and the correction.
	item, err := app.store.CapturedItem(ctx, conn.Ref(), id)
	if err != nil {
		t.Fatal(err)
	}
	tab.check(tab.signIn(demoEmail(civic.RoleClerk)), http.StatusOK)
	tab.check(tab.open("/archive/items/"+itoa64(item.ID)), http.StatusOK)
	if got := tab.Text("#corrections"); !strings.Contains(got, "Corrected on") || !strings.Contains(got, "Sunday at 11") {
		t.Errorf("the archive item's corrections say %q", got)
	}
	if got := tab.Text("main .versions li:first-child"); !strings.Contains(got, text) {
		t.Errorf("the archive's first version is not the original: %s", got)
	}
	if got := textOf("main .versions li:last-child ins"); !strings.Contains(got, "Correction:") || !strings.Contains(got, "Sunday") {
		t.Errorf("the archive's last version does not add the correction: %s", got)
	}
	tab.screenshot("archive-corrected.png")

	// 6. Staff asks to delete the post, with a reason; the director
	// approves and deletes it; the archive keeps it, marked deleted.
	tab.check(tab.signIn(demoEmail(civic.RoleStaff)), http.StatusOK)
	tab.check(tab.open(page), http.StatusOK)
	tab.check(post(`form[action="`+page+`/deletion"]`), http.StatusUnprocessableEntity)
	tab.checkInvalidField("reason")
	tab.SetValue("#f-reason", "The splash pad stays closed this weekend: the post misleads.")
	tab.check(post(`form[action="`+page+`/deletion"]`), http.StatusOK)
	dpage := strings.TrimSuffix(tab.path(), "?notice=saved")
	if got := tab.Text("h1"); !strings.Contains(got, "a request to delete a post") {
		t.Errorf("the deletion request's page is headed %q", got)
	}
	if got := tab.Text("main"); strings.Contains(got, "Delete the post now") {
		t.Error("the writer of a deletion request is offered to delete the post")
	}
	tab.check(tab.signIn(dir.Email), http.StatusOK)
	tab.check(tab.open("/drafts/queue"), http.StatusOK)
	if got := tab.Text("main table"); !strings.Contains(got, "a request to delete a post") {
		t.Errorf("the director's queue: %s", got)
	}
	tab.check(tab.open(dpage), http.StatusOK)
	tab.check(post(`form[action="`+dpage+`/review"]`), http.StatusOK)
	tab.check(post(`form[action="`+dpage+`/publish"]`), http.StatusOK)
	for i := 0; ; i++ {
		if _, code := gts.Do(t, remote.Token, http.MethodGet, "/api/v1/statuses/"+id, nil); code == http.StatusNotFound {
			break
		}
		if i == 100 {
			t.Fatal("the post is still on GoToSocial after its deletion")
		}
		time.Sleep(100 * time.Millisecond)
	}
	tab.check(tab.signIn(demoEmail(civic.RoleStaff)), http.StatusOK)
	tab.check(tab.open(page), http.StatusOK)
	if has("#f-correction") || has("#f-reason") || !strings.Contains(tab.Text("#corrections"), "Request to delete") {
		t.Error("after the deletion the post's page still offers to correct it, or does not list the deletion")
	}
	tab.check(tab.signIn(demoEmail(civic.RoleClerk)), http.StatusOK)
	tab.check(tab.open("/archive/items/"+itoa64(item.ID)), http.StatusOK)
	if got := tab.Text("#corrections"); !strings.Contains(got, "Deleted on its platform through Steward") || !strings.Contains(got, "stays closed") {
		t.Errorf("the archive item after the deletion says %q", got)
	}
	if got := tab.Text("main .versions li:first-child"); !strings.Contains(got, text) {
		t.Errorf("the archive lost the original after the deletion: %s", got)
	}
	if got := capture(); len(got) != 1 {
		t.Fatalf("capture flagged Steward's deletion: %v", got)
	}

	// 7. A covert profile's draft that promotes violence cannot be
	// submitted.
	covert := covertAccount(t, app)
	tab.check(tab.signIn(demoEmail(civic.RoleStaff)), http.StatusOK)
	tab.check(tab.open("/drafts"), http.StatusOK)
	js(`document.querySelector('input[name=account][value="` + itoa64(covert.ID) + `"]').checked = true`)
	tab.SetValue("#f-text", "if that clown from the gas station shows up to the party again im putting him in the hospital fr")
	tab.SetValue("#f-category", "information_sharing")
	tab.check(post(`form[action="/drafts"][method="post"]`), http.StatusOK)
	vpage := strings.TrimSuffix(tab.path(), "?notice=saved")
	if got := tab.Text("#findings"); !strings.Contains(got, "violence or crime") || !strings.Contains(got, "blocks: no approval overrides") {
		t.Errorf("the covert draft's findings: %s", got)
	}
	tab.check(post(`form[action="`+vpage+`/submit"]`), http.StatusUnprocessableEntity)
	if got := tab.Text("main"); !strings.Contains(got, "no approval overrides") {
		t.Errorf("the refused submission says: %s", got)
	}
}

// grantAccount registers an active account of a department and grants
// the demo staff member the right to post for it, decided by who.
func grantAccount(t *testing.T, app *testApp, dept, platform, handle string, who *civic.User) *civic.Account {
	t.Helper()
	ctx := context.Background()
	d, err := app.store.DepartmentBySlug(ctx, dept)
	if err != nil {
		t.Fatal(err)
	}
	staff, err := app.store.UserByEmail(ctx, demoEmail(civic.RoleStaff))
	if err != nil {
		t.Fatal(err)
	}
	var a *civic.Account
	err = app.store.Update(ctx, civic.System, func(tx civic.Tx) error {
		a = &civic.Account{DepartmentID: d.ID, Platform: platform, Handle: handle, DisplayName: "City " + handle, Purpose: "news",
			Audience: "residents", Categories: []string{"announcements"}, WebsiteURL: "https://www.city.example/", ProfileText: "Official. Call 9-1-1.",
			RequestedBy: who.ID, AdminIDs: []int64{staff.PersonID, who.PersonID}}
		if err := tx.CreateAccount(ctx, a); err != nil {
			return err
		}
		a.Status = civic.AccountActive
		if err := tx.UpdateAccount(ctx, a, "account.activate"); err != nil {
			return err
		}
		now := tx.Now()
		exp := now.Add(30 * 24 * time.Hour)
		g := &civic.Poster{AccountID: a.ID, UserID: staff.ID, Reason: "I post the department's news."}
		if err := tx.CreatePoster(ctx, g); err != nil {
			return err
		}
		g.Status, g.DecidedBy, g.DecidedAt, g.ExpiresAt = civic.PosterGranted, who.ID, &now, &exp
		return tx.UpdatePoster(ctx, g, "poster.grant")
	})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// covertAccount registers an active Facebook account of Police whose
// handle is the demo city's covert profile's username, with the demo staff
// member allowed to post for it.
func covertAccount(t *testing.T, app *testApp) *civic.Account {
	t.Helper()
	ps, err := app.store.CovertProfiles(context.Background(), 0)
	if err != nil || len(ps) == 0 {
		t.Fatalf("covert profiles: %d, %v", len(ps), err)
	}
	comms, err := app.store.UserByEmail(context.Background(), demoEmail(civic.RoleCommunications))
	if err != nil {
		t.Fatal(err)
	}
	return grantAccount(t, app, "police", "facebook", "@"+ps[0].Username, comms)
}
