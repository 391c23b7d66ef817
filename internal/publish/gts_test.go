package publish_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/draftscreen"
	"steward.city/steward/internal/platform"
	"steward.city/steward/internal/platform/mastodon"
	"steward.city/steward/internal/platform/mastodon/gtstest"
	"steward.city/steward/internal/publish"
	"steward.city/steward/internal/sqlstore"
	"steward.city/steward/internal/storetest"
)

// TestGoToSocial is the done-when against a real GoToSocial: staff
// drafts a post with a private phone number and an image without alt text,
// sees both findings, fixes them; the director approves; Steward publishes
// it once however often it is asked; capture archives it without an
// unauthorized_post flag, while a post made directly on GoToSocial gets
// one. A publish intent left without an answer (a crash mid-call) is
// reconciled from the account's statuses, not posted twice; a scheduled
// post goes out from PublishDue.
func TestGoToSocial(t *testing.T) {
	gts := gtstest.Start(t, "Steward", "parks")
	parks := gts.Users["parks"]
	clock := storetest.NewClock(time.Now().UTC().Add(-time.Minute).Truncate(time.Second))
	e := newEnv(t, storetest.OpenSQLite(t, clock.Now), clock, map[string]civic.Platform{mastodon.Name: mastodon.New(platform.Config{})}, "@parks@"+gts.Host)
	conn := e.connect(gts.URL, parks.ID, civic.PlatformToken{AccessToken: parks.Token, ClientID: gts.App.ClientID, ClientSecret: gts.App.ClientSecret})
	author, director := e.as(e.author), e.as(e.director)

	statuses := func() []string {
		t.Helper()
		var sts []struct {
			ID      string `json:"id"`
			Content string `json:"content"`
		}
		gts.JSON(t, parks.Token, "GET", "/api/v1/accounts/"+parks.ID+"/statuses?limit=40", nil, &sts)
		var out []string
		for _, s := range sts {
			out = append(out, platform.HTMLText(s.Content))
		}
		return out
	}

	// 1. The draft, its findings, the fix.
	splash := pngOf(t, 64, 48, 9)
	up := e.upload(e.author, "splash.png", splash)
	in := publish.DraftInput{AccountIDs: []int64{e.acct.ID}, Category: "announcement",
		Text:  "The splash pad opens Saturday at 10. Questions? Text our volunteer lead at 651-555-0142.",
		Media: []civic.DraftMedia{{SHA256: up.SHA256, Kind: "image"}}}
	d, err := e.svc.CreateDraft(e.ctx, author, in)
	if err != nil {
		t.Fatal(err)
	}
	if cs := codes(publish.Screen(d.Current)); !slices.Contains(cs, draftscreen.ContactInfo) || !slices.Contains(cs, draftscreen.ImageNoAlt) {
		t.Fatalf("findings %v", cs)
	}
	in.Text = "The splash pad opens Saturday at 10. Questions? Call the Parks front desk."
	in.Media[0].Alt = "Children playing in the splash pad's fountains."
	if d, err = e.svc.Revise(e.ctx, author, d.ID, in); err != nil || len(publish.Screen(d.Current).Findings) != 0 {
		t.Fatalf("revise: %v, findings %v", err, codes(publish.Screen(d.Current)))
	}
	if _, err := e.svc.Submit(e.ctx, author, d.ID); err != nil {
		t.Fatal(err)
	}
	// Not approved yet: nothing goes out.
	if _, err := e.svc.Publish(e.ctx, author, d.ID); civic.ErrorKind(err) != civic.KindConflict {
		t.Fatalf("publish before approval: %v", err)
	}
	if _, err := e.svc.Review(e.ctx, director, d.ID, publish.ReviewInput{Revision: 2, Decision: civic.ReviewApprove}); err != nil {
		t.Fatal(err)
	}

	// 2. Published once, however often asked.
	start := time.Now()
	out, err := e.svc.Publish(e.ctx, author, d.ID)
	t.Logf("published on GoToSocial and archived in %s", time.Since(start).Round(time.Millisecond))
	if err != nil || len(out) != 1 || out[0].Status != civic.PublicationPublished || out[0].PlatformID == "" {
		t.Fatalf("publish: %+v, %v", out, err)
	}
	again, err := e.svc.Publish(e.ctx, director, d.ID)
	if err != nil || again[0].PlatformID != out[0].PlatformID {
		t.Fatalf("publish again: %+v, %v", again, err)
	}
	if n, err := e.svc.PublishDue(e.ctx); n != 0 || err != nil {
		t.Fatalf("PublishDue after publishing: %d, %v", n, err)
	}
	if got := statuses(); len(got) != 1 || got[0] != in.Text {
		t.Fatalf("the account's statuses: %q", got)
	}
	// The post says its language, for screen readers and residents' filters.
	var st struct {
		Language string `json:"language"`
		Media    []struct {
			Type        string `json:"type"`
			Description string `json:"description"`
			URL         string `json:"url"`
		} `json:"media_attachments"`
	}
	gts.JSON(t, parks.Token, "GET", "/api/v1/statuses/"+out[0].PlatformID, nil, &st)
	if st.Language != "en" {
		t.Errorf("the post's language on GoToSocial is %q, want en", st.Language)
	}
	// It carries the image, described by its alt text.
	if len(st.Media) != 1 || st.Media[0].Type != "image" || st.Media[0].Description != in.Media[0].Alt || st.Media[0].URL == "" {
		t.Fatalf("the post's media on GoToSocial: %+v", st.Media)
	}
	pub, err := e.store.PublicationByPlatformID(e.ctx, "mastodon", out[0].PlatformID)
	if err != nil {
		t.Fatal(err)
	}
	a := pub.Authority
	if a.DraftID != d.ID || a.Revision != 2 || a.Author != e.author.Email || !slices.Equal(a.Approvers, []string{e.director.Email}) ||
		a.Category != "announcement" || a.GrantID != e.grant.ID {
		t.Fatalf("authority record %+v", a)
	}
	if len(a.Media) != 1 || a.Media[0].SHA256 != up.SHA256 || a.Media[0].Alt != in.Media[0].Alt || a.Media[0].ContentType != "image/png" {
		t.Fatalf("the authority record's media %+v", a.Media)
	}
	// Archived at once, with its authority record.
	item, err := e.store.CapturedItem(e.ctx, conn.Ref(), out[0].PlatformID)
	if err != nil {
		t.Fatalf("the published post is not in the archive: %v", err)
	}
	vs, err := e.store.ArchiveVersions(e.ctx, item.ID)
	if err != nil || len(vs) == 0 {
		t.Fatal(err)
	}
	var raw struct {
		Authority civic.Authority `json:"authority"`
	}
	if err := json.Unmarshal(vs[0].Raw, &raw); err != nil || raw.Authority.DraftID != d.ID || raw.Authority.Author != e.author.Email {
		t.Fatalf("archived raw %s: %v", vs[0].Raw, err)
	}
	if len(vs[0].Media) != 1 || vs[0].Media[0].SHA256 != up.SHA256 {
		t.Fatalf("the archived version's media %+v", vs[0].Media)
	}

	// 2b. Two processes asked at once post once.
	approved := func(text string) *civic.Draft {
		t.Helper()
		d, err := e.svc.CreateDraft(e.ctx, author, publish.DraftInput{AccountIDs: []int64{e.acct.ID}, Category: "announcement", Text: text})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Submit(e.ctx, author, d.ID); err != nil {
			t.Fatal(err)
		}
		if d, err = e.svc.Review(e.ctx, director, d.ID, publish.ReviewInput{Revision: 1, Decision: civic.ReviewApprove}); err != nil {
			t.Fatal(err)
		}
		return d
	}
	count := func(text string) int {
		n := 0
		for _, s := range statuses() {
			if s == text {
				n++
			}
		}
		return n
	}
	race := approved("Swim lessons registration opens Monday.")
	other := publish.New(publish.Config{Store: e.store, Archive: e.arch, Connections: e.conns, Clock: clock.Now})
	done := make(chan error, 2)
	for _, svc := range []*publish.Service{e.svc, other} {
		go func() {
			_, err := svc.Publish(e.ctx, author, race.ID)
			done <- err
		}()
	}
	<-done
	<-done
	if n := count("Swim lessons registration opens Monday."); n != 1 {
		t.Fatalf("two processes posted it %d times", n)
	}
	if v, _ := e.svc.Get(e.ctx, author, race.ID); v.Draft.Status != civic.DraftPublished {
		t.Fatalf("after two processes the draft is %s", v.Draft.Status)
	}

	// 2c. The platform refuses (an expired token): the draft says so and
	// keeps its approval; with a good token the retry posts once.
	refused := approved("The dog park is closed for reseeding this week.")
	if err := e.conns.SetToken(e.ctx, e.as(e.it), conn.ID, civic.PlatformToken{AccessToken: "expired-token"}); err != nil {
		t.Fatal(err)
	}
	out2, err := e.svc.Publish(e.ctx, author, refused.ID)
	if err == nil || len(out2) != 1 || out2[0].Status != civic.PublicationFailed || !strings.Contains(out2[0].Error, "mastodon") ||
		!strings.Contains(civic.ErrorMessage(err), "did not go out on "+e.acct.Handle) {
		t.Fatalf("publish with a refused token: %+v, %v", out2, err)
	}
	if v, _ := e.svc.Get(e.ctx, author, refused.ID); v.Draft.Status != civic.DraftFailed || len(v.Reviews) != 1 {
		t.Fatalf("after the refusal: %s with %d reviews", v.Draft.Status, len(v.Reviews))
	}
	if err := e.conns.SetToken(e.ctx, e.as(e.it), conn.ID, civic.PlatformToken{AccessToken: parks.Token, ClientID: gts.App.ClientID, ClientSecret: gts.App.ClientSecret}); err != nil {
		t.Fatal(err)
	}
	if out2, err = e.svc.Publish(e.ctx, author, refused.ID); err != nil || out2[0].Status != civic.PublicationPublished {
		t.Fatalf("retry: %+v, %v", out2, err)
	}
	if n := count("The dog park is closed for reseeding this week."); n != 1 {
		t.Fatalf("the retried post is there %d times", n)
	}

	// 3. A crash after the platform took the post, before the answer was
	// stored: the intent is reconciled from the account's statuses.
	d2, err := e.svc.CreateDraft(e.ctx, author, publish.DraftInput{AccountIDs: []int64{e.acct.ID}, Category: "announcement",
		Text: "Lifeguards are hiring for the summer.", Links: []string{"https://www.city.example/jobs"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Submit(e.ctx, author, d2.ID); err != nil {
		t.Fatal(err)
	}
	if d2, err = e.svc.Review(e.ctx, director, d2.ID, publish.ReviewInput{Revision: 1, Decision: civic.ReviewApprove}); err != nil {
		t.Fatal(err)
	}
	intent := &civic.Publication{DraftID: d2.ID, Revision: 1, AccountID: e.acct.ID, ConnectionID: conn.ID, IdempotencyKey: "steward-crashed",
		Platform: "mastodon", Authority: &civic.Authority{DraftID: d2.ID}}
	if err := e.store.Update(e.ctx, civic.Actor{Label: "test"}, func(tx civic.Tx) error { return tx.CreatePublication(e.ctx, intent) }); err != nil {
		t.Fatal(err)
	}
	var crashed struct {
		ID string `json:"id"`
	}
	gts.JSON(t, parks.Token, "POST", "/api/v1/statuses", map[string]any{"status": publish.Outgoing(d2.Current), "visibility": "public"}, &crashed)
	// A fresh intent belongs to a process that may still be waiting.
	if out, _ := e.svc.Publish(e.ctx, author, d2.ID); out[0].Status != civic.PublicationIntent {
		t.Fatalf("a fresh intent was not left alone: %+v", out)
	}
	clock.Advance(3 * time.Minute)
	start = time.Now()
	_, err = e.svc.PublishDue(e.ctx)
	t.Logf("reconciled a stale intent from the account's statuses in %s", time.Since(start).Round(time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if p, err := e.store.Publication(e.ctx, intent.ID); err != nil || p.Status != civic.PublicationPublished || p.PlatformID != crashed.ID {
		t.Fatalf("reconciled intent %+v, %v (want the status %s)", p, err, crashed.ID)
	}
	if n := count(publish.Outgoing(d2.Current)); n != 1 {
		t.Fatalf("after reconciliation the post is there %d times", n)
	}

	// 4. A scheduled post goes out from PublishDue at its time.
	at := clock.Now().Add(30 * time.Second)
	d3, err := e.svc.CreateDraft(e.ctx, author, publish.DraftInput{AccountIDs: []int64{e.acct.ID}, Category: "announcement",
		Text: "Reminder: the pool closes at 6 tonight.", ScheduledAt: &at})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Submit(e.ctx, author, d3.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Review(e.ctx, director, d3.ID, publish.ReviewInput{Revision: 1, Decision: civic.ReviewApprove}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Publish(e.ctx, author, d3.ID); civic.ErrorKind(err) != civic.KindConflict {
		t.Fatalf("publishing a scheduled post early: %v", err)
	}
	if n, err := e.svc.PublishDue(e.ctx); n != 0 || err != nil {
		t.Fatalf("PublishDue before the time: %d, %v", n, err)
	}
	clock.Advance(time.Minute)
	if n, err := e.svc.PublishDue(e.ctx); n != 1 || err != nil {
		t.Fatalf("PublishDue at the time: %d, %v", n, err)
	}

	// 5. A post made directly on GoToSocial, and capture (PUB-5).
	var direct struct {
		ID string `json:"id"`
	}
	gts.JSON(t, parks.Token, "POST", "/api/v1/statuses", map[string]any{"status": "Posted straight on the server.", "visibility": "public"}, &direct)
	// An insider writes a publication row for a post made outside
	// Steward, straight into the database: without the audit event of its
	// publishing it does not pass the post off as Steward's.
	var forged struct {
		ID string `json:"id"`
	}
	gts.JSON(t, parks.Token, "POST", "/api/v1/statuses", map[string]any{"status": "Passed off as official.", "visibility": "public"}, &forged)
	shell, err := e.svc.CreateDraft(e.ctx, author, publish.DraftInput{AccountIDs: []int64{e.acct.ID}, Category: "announcement", Text: "Passed off as official."})
	if err != nil {
		t.Fatal(err)
	}
	db := e.store.(*sqlstore.Store)
	if _, err := db.DB().ExecContext(e.ctx, db.Dialect().Rebind(`INSERT INTO publications (draft_id, revision, account_id, connection_id, idempotency_key, status, platform,
		platform_id, url, error, authority, created_at, published_at) VALUES (?, 1, ?, ?, 'forged', 'published', 'mastodon', ?, '', '', '{}', ?, ?)`),
		shell.ID, e.acct.ID, conn.ID, forged.ID, clock.Now(), clock.Now()); err != nil {
		t.Fatal(err)
	}

	clock.Advance(conn.Interval + time.Minute)
	res, err := e.cap.RunDue(e.ctx)
	if err != nil || len(res) != 1 || res[0].Err != nil {
		t.Fatalf("capture: %+v, %v", res, err)
	}
	flags, err := e.store.CaptureFlags(e.ctx, civic.CaptureFlagFilter{Kind: civic.FlagUnauthorizedPost})
	if err != nil {
		t.Fatal(err)
	}
	var flagged []string
	for _, f := range flags {
		flagged = append(flagged, f.Subject)
	}
	slices.Sort(flagged)
	want := []string{direct.ID, forged.ID}
	slices.Sort(want)
	if !slices.Equal(flagged, want) {
		t.Fatalf("unauthorized_post flags on %v, want only the direct post %s and the forged one %s (published: %s, %s)", flagged, direct.ID, forged.ID, out[0].PlatformID, crashed.ID)
	}
	for _, f := range flags {
		if f.Subject == direct.ID && !strings.Contains(f.Detail, "no publication") || f.Subject == forged.ID && !strings.Contains(f.Detail, "audit log has no record") {
			t.Errorf("flag on %s: %q", f.Subject, f.Detail)
		}
	}
	// Capture keeps the published image's alt text: in the status it
	// archives as the post's newest version.
	if vs, err = e.store.ArchiveVersions(e.ctx, item.ID); err != nil {
		t.Fatal(err)
	}
	if last := vs[len(vs)-1]; !strings.Contains(string(last.Raw), `"description":"`+in.Media[0].Alt+`"`) || len(last.Media) != 1 || last.Media[0].SHA256 == "" {
		t.Errorf("the captured post (%d versions) keeps no alt text or image: media %+v, raw %s", len(vs), last.Media, last.Raw)
	}
}
