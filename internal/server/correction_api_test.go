package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/publish"
	"steward.city/steward/internal/storetest"
)

// TestCorrectionAPI: corrections and deletion requests under /api/v1 as
// callers and attackers use them: a draft never published cannot be
// corrected (409); someone who may not read the draft is told it is not
// found; a crafted body is refused naming the field; a deletion needs a
// reason (422 on "reason"); a correction of the published post is a new
// draft of kind correction linked to its publication.
func TestCorrectionAPI(t *testing.T) {
	app := newApp(t, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite}, nil)
	ctx := context.Background()
	acct, dir := grantParks(t, app)
	staffUser, err := app.store.UserByEmail(ctx, demoEmail(civic.RoleStaff))
	if err != nil {
		t.Fatal(err)
	}
	staff, clerk := app.token(demoEmail(civic.RoleStaff)), app.token(demoEmail(civic.RoleClerk))
	d, err := app.svcs.Publish.CreateDraft(ctx, civic.ActorOf(staffUser), publish.DraftInput{AccountIDs: []int64{acct.ID}, Category: "announcement",
		Text: "The pool opens Saturday."})
	if err != nil {
		t.Fatal(err)
	}
	page := fmt.Sprintf("/api/v1/drafts/%d", d.ID)
	res := app.do(request{method: "POST", path: page + "/corrections", bearer: staff, body: `{"text":"The pool opens Sunday."}`})
	if got := readBody(t, res); res.StatusCode != 409 || !strings.Contains(got, "never published") {
		t.Fatalf("correcting an unpublished draft: %d %s", res.StatusCode, got)
	}
	if res := app.do(request{method: "POST", path: page + "/corrections", bearer: clerk, body: `{"text":"x"}`}); res.StatusCode != 404 {
		t.Fatalf("a clerk corrects a draft they cannot read: %d", res.StatusCode)
	}

	// Published (as the publish step records it).
	dirActor := civic.ActorOf(dir)
	if _, err := app.svcs.Publish.Submit(ctx, civic.ActorOf(staffUser), d.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := app.svcs.Publish.Review(ctx, dirActor, d.ID, publish.ReviewInput{Revision: 1, Decision: civic.ReviewApprove}); err != nil {
		t.Fatal(err)
	}
	p := &civic.Publication{DraftID: d.ID, Revision: 1, AccountID: acct.ID, ConnectionID: 1, IdempotencyKey: "k1", Platform: acct.Platform,
		Body: "The pool opens Saturday.", Authority: &civic.Authority{DraftID: d.ID}}
	err = app.store.Update(ctx, civic.System, func(tx civic.Tx) error {
		if err := tx.CreatePublication(ctx, p); err != nil {
			return err
		}
		p.Status, p.PlatformID = civic.PublicationPublished, "9001"
		return tx.UpdatePublication(ctx, p)
	})
	if err != nil {
		t.Fatal(err)
	}
	res = app.do(request{method: "POST", path: page + "/corrections", bearer: staff, body: `{"text":"The pool opens Sunday.","kind":"post"}`})
	if got := readBody(t, res); res.StatusCode != 422 || !strings.Contains(got, "kind") {
		t.Fatalf("a crafted correction body: %d %s", res.StatusCode, got)
	}
	res = app.do(request{method: "POST", path: page + "/deletions", bearer: staff, body: `{"reason":""}`})
	if got := readBody(t, res); res.StatusCode != 422 || !strings.Contains(got, `"field": "reason"`) {
		t.Fatalf("a deletion without a reason: %d %s", res.StatusCode, got)
	}
	res = app.do(request{method: "POST", path: page + "/corrections", bearer: staff, body: `{"text":"The pool opens Sunday."}`})
	var c struct {
		ID       int64  `json:"id"`
		Kind     string `json:"kind"`
		Corrects int64  `json:"corrects_publication_id"`
	}
	if err := json.Unmarshal([]byte(readBody(t, res)), &c); err != nil || res.StatusCode != 201 || c.Kind != "correction" || c.Corrects != p.ID {
		t.Fatalf("a correction: %d %+v %v", res.StatusCode, c, err)
	}
	res = app.do(request{method: "GET", path: fmt.Sprintf("/api/v1/drafts/%d", c.ID), bearer: staff})
	if got := readBody(t, res); res.StatusCode != 200 || !strings.Contains(got, `"outgoing": "Correction: The pool opens Sunday."`) {
		t.Fatalf("the correction's view: %d %s", res.StatusCode, got)
	}
}
