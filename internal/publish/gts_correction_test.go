package publish_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/platform"
	"steward.city/steward/internal/platform/mastodon"
	"steward.city/steward/internal/platform/mastodon/gtstest"
	"steward.city/steward/internal/publish"
	"steward.city/steward/internal/storetest"
)

// TestGoToSocialCorrections is PUB-4 against a real GoToSocial: a
// correction, approved like a draft, edits the post with "Correction:"; the
// archive keeps the original and the correction as versions of the post,
// and capture raises no flag for it, while an edit made on the server
// itself is flagged. A crash after the edit went through, before its
// answer was stored, is reconciled by reading the post: it is not edited
// again. Where the city corrects by reply, the correction is posted in the
// thread and capture takes it as Steward's. A deletion needs a reason and
// a second person, deletes the post on the server, and the archive keeps
// the post, marked deleted.
func TestGoToSocialCorrections(t *testing.T) {
	gts := gtstest.Start(t, "Steward", "parks")
	parks := gts.Users["parks"]
	clock := storetest.NewClock(time.Now().UTC().Add(-time.Minute).Truncate(time.Second))
	e := newEnv(t, storetest.OpenSQLite(t, clock.Now), clock, map[string]civic.Platform{mastodon.Name: mastodon.New(platform.Config{})}, "@parks@"+gts.Host)
	conn := e.connect(gts.URL, parks.ID, civic.PlatformToken{AccessToken: parks.Token, ClientID: gts.App.ClientID, ClientSecret: gts.App.ClientSecret})
	author, director := e.as(e.author), e.as(e.director)

	approve := func(d *civic.Draft) {
		t.Helper()
		if _, err := e.svc.Submit(e.ctx, author, d.ID); err != nil {
			t.Fatal(err)
		}
		d, err := e.store.Draft(e.ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Review(e.ctx, director, d.ID, publish.ReviewInput{Revision: d.Revision, Decision: civic.ReviewApprove}); err != nil {
			t.Fatal(err)
		}
	}
	post := func(text string) (*civic.Draft, string) {
		t.Helper()
		d, err := e.svc.CreateDraft(e.ctx, author, publish.DraftInput{AccountIDs: []int64{e.acct.ID}, Category: "announcement", Text: text})
		if err != nil {
			t.Fatal(err)
		}
		approve(d)
		out, err := e.svc.Publish(e.ctx, author, d.ID)
		if err != nil || out[0].PlatformID == "" {
			t.Fatalf("publish: %+v, %v", out, err)
		}
		return d, out[0].PlatformID
	}
	type status struct {
		ID          string  `json:"id"`
		Content     string  `json:"content"`
		InReplyToID *string `json:"in_reply_to_id"`
	}
	textOf := func(id string) string {
		t.Helper()
		var st status
		gts.JSON(t, parks.Token, "GET", "/api/v1/statuses/"+id, nil, &st)
		return platform.HTMLText(st.Content)
	}
	history := func(id string) int {
		t.Helper()
		var h []any
		gts.JSON(t, parks.Token, "GET", "/api/v1/statuses/"+id+"/history", nil, &h)
		return len(h)
	}
	capture := func() []*civic.CaptureFlag {
		t.Helper()
		clock.Advance(conn.Interval + time.Minute)
		res, err := e.cap.RunDue(e.ctx)
		if err != nil || len(res) != 1 || res[0].Err != nil {
			t.Fatalf("capture: %+v, %v", res, err)
		}
		flags, err := e.store.CaptureFlags(e.ctx, civic.CaptureFlagFilter{Kind: civic.FlagUnauthorizedPost})
		if err != nil {
			t.Fatal(err)
		}
		return flags
	}
	// gone waits until GoToSocial, which deletes in the background,
	// answers 404 for a status.
	gone := func(id string) {
		t.Helper()
		for range 100 {
			if _, code := gts.Do(t, parks.Token, http.MethodGet, "/api/v1/statuses/"+id, nil); code == http.StatusNotFound {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Fatalf("GoToSocial still shows the deleted post %s after 10 seconds", id)
	}
	versions := func(id string) []*civic.Version {
		t.Helper()
		item, err := e.store.CapturedItem(e.ctx, conn.Ref(), id)
		if err != nil {
			t.Fatalf("item %s is not in the archive: %v", id, err)
		}
		vs, err := e.store.ArchiveVersions(e.ctx, item.ID)
		if err != nil {
			t.Fatal(err)
		}
		return vs
	}

	// 1. A correction by edit.
	orig, id := post("The splash pad opens Saturday at 10.")
	c, err := e.svc.Correct(e.ctx, author, orig.ID, publish.CorrectionInput{Text: "The splash pad opens Sunday at 10."})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Publish(e.ctx, author, c.ID); civic.ErrorKind(err) != civic.KindConflict {
		t.Fatalf("publishing a correction before approval: %v", err)
	}
	approve(c)
	start := time.Now()
	out, err := e.svc.Publish(e.ctx, author, c.ID)
	t.Logf("edited the post on GoToSocial as a correction and archived it in %s", time.Since(start).Round(time.Millisecond))
	if err != nil || out[0].Status != civic.PublicationPublished || out[0].PlatformID != id {
		t.Fatalf("publish the correction: %+v, %v", out, err)
	}
	if got := textOf(id); got != "Correction: The splash pad opens Sunday at 10." {
		t.Fatalf("the post says %q after the correction", got)
	}
	// Asked again, it does not edit again.
	if _, err := e.svc.Publish(e.ctx, director, c.ID); err != nil {
		t.Fatal(err)
	}
	if n := history(id); n != 2 {
		t.Fatalf("the post has %d versions on the server, want the original and one correction", n)
	}
	vs := versions(id)
	if len(vs) < 2 || vs[0].Text != "The splash pad opens Saturday at 10." || vs[len(vs)-1].Text != "Correction: The splash pad opens Sunday at 10." {
		t.Fatalf("archived versions: %d, first %q", len(vs), vs[0].Text)
	}
	if flags := capture(); len(flags) != 0 {
		t.Fatalf("capture flagged Steward's own correction: %+v", flags[0])
	}
	if vs := versions(id); vs[len(vs)-1].Text != "Correction: The splash pad opens Sunday at 10." {
		t.Fatalf("after capture the post's last version says %q", vs[len(vs)-1].Text)
	}

	// 2. An edit made on the server, not by a correction, is flagged.
	if _, code := gts.Do(t, parks.Token, http.MethodPut, "/api/v1/statuses/"+id, map[string]any{"status": "The splash pad is open all week."}); code != http.StatusOK {
		t.Fatalf("editing on the server: %d", code)
	}
	flags := capture()
	if len(flags) != 1 || flags[0].Subject != id || !strings.Contains(flags[0].Detail, "not by a Steward correction") {
		t.Fatalf("flags after an edit on the server: %+v", flags)
	}
	if vs := versions(id); vs[len(vs)-1].Text != "The splash pad is open all week." {
		t.Fatalf("the edit on the server is not a new version: %q", vs[len(vs)-1].Text)
	}

	// 3. A crash after the edit went through, before the answer was
	// stored: the intent is reconciled by reading the post.
	orig2, id2 := post("Story time is at 3 on Tuesday.")
	c2, err := e.svc.Correct(e.ctx, author, orig2.ID, publish.CorrectionInput{Text: "Story time is at 4 on Tuesday."})
	if err != nil {
		t.Fatal(err)
	}
	approve(c2)
	p2, err := e.store.PublicationByPlatformID(e.ctx, "mastodon", id2)
	if err != nil {
		t.Fatal(err)
	}
	marked := "Correction: Story time is at 4 on Tuesday."
	intent := &civic.Publication{DraftID: c2.ID, Revision: 1, AccountID: e.acct.ID, ConnectionID: conn.ID, IdempotencyKey: "steward-crashed-edit",
		Platform: "mastodon", Kind: civic.PublishEdit, Corrects: p2.ID, Body: marked, Authority: &civic.Authority{DraftID: c2.ID}}
	if err := e.store.Update(e.ctx, civic.Actor{Label: "test"}, func(tx civic.Tx) error { return tx.CreatePublication(e.ctx, intent) }); err != nil {
		t.Fatal(err)
	}
	if _, code := gts.Do(t, parks.Token, http.MethodPut, "/api/v1/statuses/"+id2, map[string]any{"status": marked}); code != http.StatusOK {
		t.Fatalf("the edit the crashed process made: %d", code)
	}
	if out, _ := e.svc.Publish(e.ctx, author, c2.ID); out[0].Status != civic.PublicationIntent {
		t.Fatalf("a fresh edit intent was not left alone: %+v", out)
	}
	clock.Advance(3 * time.Minute)
	start = time.Now()
	if _, err := e.svc.PublishDue(e.ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("reconciled a stale edit intent by reading the post in %s", time.Since(start).Round(time.Millisecond))
	if p, err := e.store.Publication(e.ctx, intent.ID); err != nil || p.Status != civic.PublicationPublished || p.PlatformID != id2 {
		t.Fatalf("reconciled edit %+v, %v", p, err)
	}
	if n := history(id2); n != 2 {
		t.Fatalf("after reconciliation the post has %d versions on the server: it was edited again", n)
	}

	// 4. Corrections by reply, where the city chooses them.
	if err := e.store.Update(e.ctx, civic.Actor{Label: "test"}, func(tx civic.Tx) error {
		return tx.SetSetting(e.ctx, publish.CorrectionModeSetting, "reply")
	}); err != nil {
		t.Fatal(err)
	}
	orig3, id3 := post("The library book sale is on the 12th.")
	c3, err := e.svc.Correct(e.ctx, author, orig3.ID, publish.CorrectionInput{Text: "The library book sale is on the 13th."})
	if err != nil {
		t.Fatal(err)
	}
	approve(c3)
	out, err = e.svc.Publish(e.ctx, author, c3.ID)
	if err != nil || out[0].PlatformID == "" || out[0].PlatformID == id3 {
		t.Fatalf("publish the correction reply: %+v, %v", out, err)
	}
	var reply status
	gts.JSON(t, parks.Token, "GET", "/api/v1/statuses/"+out[0].PlatformID, nil, &reply)
	if reply.InReplyToID == nil || *reply.InReplyToID != id3 || platform.HTMLText(reply.Content) != "Correction: The library book sale is on the 13th." {
		t.Fatalf("the correction reply: %+v", reply)
	}
	if got := textOf(id3); got != "The library book sale is on the 12th." {
		t.Fatalf("a correction by reply changed the post: %q", got)
	}
	if vs := versions(out[0].PlatformID); vs[0].ParentID != id3 {
		t.Fatalf("the archived reply answers %q, want %s", vs[0].ParentID, id3)
	}

	// 5. A deletion: a reason, a second person, the post gone on the
	// server, kept in the archive and marked deleted.
	orig4, id4 := post("Free swim this Friday.")
	if _, err := e.svc.RequestDeletion(e.ctx, author, orig4.ID, publish.DeletionInput{}); civic.ErrorField(err) != "reason" {
		t.Fatalf("a deletion without a reason: %v", err)
	}
	del, err := e.svc.RequestDeletion(e.ctx, author, orig4.ID, publish.DeletionInput{Reason: "Free swim was cancelled; the post misleads."})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Review(e.ctx, author, del.ID, publish.ReviewInput{Revision: 1, Decision: civic.ReviewApprove}); civic.ErrorKind(err) != civic.KindForbidden {
		t.Fatalf("self-approving a deletion: %v", err)
	}
	if _, err := e.svc.Review(e.ctx, director, del.ID, publish.ReviewInput{Revision: 1, Decision: civic.ReviewApprove}); err != nil {
		t.Fatal(err)
	}
	if out, err := e.svc.Publish(e.ctx, author, del.ID); err != nil || out[0].Status != civic.PublicationPublished {
		t.Fatalf("delete: %+v, %v", out, err)
	}
	gone(id4)
	vs = versions(id4)
	if last := vs[len(vs)-1]; last.State != civic.StateDeleted || last.Text != "Free swim this Friday." || vs[0].State == civic.StateDeleted {
		t.Fatalf("archived versions of the deleted post: first %s, last %s %q", vs[0].State, last.State, last.Text)
	}
	p4, err := e.store.Publications(e.ctx, civic.PublicationFilter{DraftID: del.ID})
	if err != nil || len(p4) != 1 || p4[0].Kind != civic.PublishDelete || p4[0].Authority.Extra["reason"] == "" || len(p4[0].Authority.Approvers) != 1 {
		t.Fatalf("the deletion's publication %+v, %v", p4, err)
	}
	// A post deleted on the server itself, not by an approved deletion, is
	// flagged; Steward's own deletion is not.
	_, id5 := post("Skate park reopens Friday.")
	if _, code := gts.Do(t, parks.Token, http.MethodDelete, "/api/v1/statuses/"+id5, nil); code != http.StatusOK {
		t.Fatalf("deleting on the server: %d", code)
	}
	gone(id5)
	flags = capture()
	subjects := map[string]string{}
	for _, f := range flags {
		subjects[f.Subject] = f.Detail
	}
	if len(flags) != 2 || subjects[id] == "" || !strings.Contains(subjects[id5], "not by an approved Steward deletion") {
		t.Fatalf("flags at the end: %+v (want the edit on the server, %s, and the deletion on the server, %s)", subjects, id, id5)
	}
	if vs := versions(id5); vs[len(vs)-1].State != civic.StateDeleted {
		t.Fatalf("the post deleted on the server is archived as %s", vs[len(vs)-1].State)
	}
}
