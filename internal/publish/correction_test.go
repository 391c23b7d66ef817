package publish_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/publish"
)

// published stores an approved draft by the author as gone out on the
// account, as the publish step records it (the platform is not called).
func (e *env) published(t *testing.T, text string) (*civic.Draft, *civic.Publication) {
	t.Helper()
	author, director := e.as(e.author), e.as(e.director)
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
	p := &civic.Publication{DraftID: d.ID, Revision: 1, AccountID: e.acct.ID, ConnectionID: 1, IdempotencyKey: "k-" + text, Platform: "mastodon",
		Body: text, Authority: &civic.Authority{DraftID: d.ID}}
	err = e.store.Update(e.ctx, civic.Actor{Label: "test"}, func(tx civic.Tx) error {
		if err := tx.CreatePublication(e.ctx, p); err != nil {
			return err
		}
		now := e.clock.Now()
		p.Status, p.PlatformID, p.PublishedAt = civic.PublicationPublished, "1000"+d.Current.Text[:1], &now
		if err := tx.UpdatePublication(e.ctx, p); err != nil {
			return err
		}
		return tx.SetDraftStatus(e.ctx, d.ID, civic.DraftPublished, "draft.published")
	})
	if err != nil {
		t.Fatal(err)
	}
	return d, p
}

// TestCorrectionBadPaths: a draft never published is revised, not
// corrected; someone without a grant cannot correct a post, and one who
// may not read it is told it is not found; a correction that says the
// same, or is too long with its marker, is refused naming the field;
// nothing is stored by a refusal.
func TestCorrectionBadPaths(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		author := e.as(e.author)
		unpub, err := e.svc.CreateDraft(e.ctx, author, publish.DraftInput{AccountIDs: []int64{e.acct.ID}, Category: "announcement", Text: "Not out yet."})
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.Correct(e.ctx, author, unpub.ID, publish.CorrectionInput{Text: "Corrected."})
		wantErr(t, err, civic.KindConflict, "", "never published")
		// A stranger does not learn that the unpublished draft exists.
		if _, err := e.svc.Correct(e.ctx, e.as(e.stranger), unpub.ID, publish.CorrectionInput{Text: "Corrected."}); civic.ErrorKind(err) != civic.KindNotFound {
			t.Fatalf("a stranger corrects an unpublished draft: %v", err)
		}

		d, _ := e.published(t, "The pool opens Saturday at 10.")
		for _, u := range []*civic.User{e.stranger, e.expired, e.revoked} {
			_, err := e.svc.Correct(e.ctx, e.as(u), d.ID, publish.CorrectionInput{Text: "The pool opens Sunday at 10."})
			if k := civic.ErrorKind(err); k != civic.KindForbidden && k != civic.KindNotFound {
				t.Fatalf("%s corrects someone else's post: %v", u.Email, err)
			}
		}
		// The director may read the draft but holds no grant: forbidden,
		// naming the account.
		_, err = e.svc.Correct(e.ctx, e.as(e.director), d.ID, publish.CorrectionInput{Text: "The pool opens Sunday at 10."})
		wantErr(t, err, civic.KindForbidden, "account_ids", "@parks on Mastodon")
		_, err = e.svc.RequestDeletion(e.ctx, e.as(e.stranger), d.ID, publish.DeletionInput{Reason: "wrong day"})
		if k := civic.ErrorKind(err); k != civic.KindForbidden && k != civic.KindNotFound {
			t.Fatalf("a stranger asks to delete the post: %v", err)
		}
		_, err = e.svc.Correct(e.ctx, author, d.ID, publish.CorrectionInput{Text: " The pool opens  Saturday at 10. "})
		wantErr(t, err, civic.KindInvalid, "text", "says the same")
		_, err = e.svc.Correct(e.ctx, author, d.ID, publish.CorrectionInput{Text: strings.Repeat("a", 495)})
		wantErr(t, err, civic.KindInvalid, "text", "allows 500")
		_, err = e.svc.Correct(e.ctx, author, d.ID, publish.CorrectionInput{Text: "  "})
		wantErr(t, err, civic.KindInvalid, "text", "write")
		_, err = e.svc.Correct(e.ctx, author, d.ID, publish.CorrectionInput{AccountID: e.other.ID, Text: "The pool opens Sunday."})
		wantErr(t, err, civic.KindInvalid, "account_id", "did not go out")
		if ds, _ := e.store.Drafts(e.ctx, civic.DraftFilter{}); len(ds) != 2 {
			t.Fatalf("%d drafts after refused corrections, want the 2 posts", len(ds))
		}

		// The author corrects; Communications may too, without a grant.
		c, err := e.svc.Correct(e.ctx, author, d.ID, publish.CorrectionInput{Text: "The pool opens Sunday at 10."})
		if err != nil {
			t.Fatal(err)
		}
		if c.Kind != civic.KindCorrection || c.Corrects == 0 || c.Current.Category != "announcement" || c.Status != civic.DraftOpen {
			t.Fatalf("correction %+v", c)
		}
		cc, err := e.svc.Correct(e.ctx, e.as(e.comms), d.ID, publish.CorrectionInput{Text: "The pool opens Sunday at 11."})
		if err != nil {
			t.Fatalf("Communications corrects: %v", err)
		}
		if _, err := e.svc.Submit(e.ctx, e.as(e.comms), cc.ID); err != nil {
			t.Fatalf("Communications submits its correction without a grant of its own: %v", err)
		}
		// A correction is not itself corrected before it goes out.
		_, err = e.svc.Correct(e.ctx, author, c.ID, publish.CorrectionInput{Text: "Again."})
		wantErr(t, err, civic.KindConflict, "", "never published")
		// It needs the director's approval like any draft; no one approves
		// their own.
		if _, err := e.svc.Submit(e.ctx, author, c.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Publish(e.ctx, author, c.ID); civic.ErrorKind(err) != civic.KindConflict {
			t.Fatalf("publishing an unapproved correction: %v", err)
		}
		if _, err := e.svc.Review(e.ctx, author, c.ID, publish.ReviewInput{Revision: 1, Decision: civic.ReviewApprove}); civic.ErrorKind(err) != civic.KindForbidden {
			t.Fatalf("the author approves the correction: %v", err)
		}
	})
}

// TestDeletionNeedsReasonAndSecondPerson: a deletion request without a
// reason is refused naming the field; its writer cannot approve it; an
// account whose rule needs no approval still needs the Communications
// coordinator's; a second request for the same post is a conflict.
func TestDeletionNeedsReasonAndSecondPerson(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		author := e.as(e.author)
		d, _ := e.published(t, "The library closes at noon.")
		_, err := e.svc.RequestDeletion(e.ctx, author, d.ID, publish.DeletionInput{Reason: "   "})
		wantErr(t, err, civic.KindInvalid, "reason", "say why")
		// No approver on the account: a deletion still needs one.
		if _, err := e.svc.SetRule(e.ctx, e.as(e.comms), e.acct.ID, publish.RuleInput{Approver: civic.ApproverNone}); err != nil {
			t.Fatal(err)
		}
		del, err := e.svc.RequestDeletion(e.ctx, author, d.ID, publish.DeletionInput{Reason: "It gave the wrong closing time."})
		if err != nil {
			t.Fatal(err)
		}
		if del.Kind != civic.KindDeletion || del.Status != civic.DraftInReview {
			t.Fatalf("deletion request %+v", del)
		}
		ns, err := e.store.Notifications(e.ctx, e.comms.ID)
		if err != nil || !slices.ContainsFunc(ns, func(n *civic.Notification) bool {
			return strings.Contains(n.Message, "A request to delete a post for @parks waits for your review")
		}) {
			t.Fatalf("Communications is not told the deletion waits: %v", err)
		}
		if _, err := e.svc.RequestDeletion(e.ctx, author, d.ID, publish.DeletionInput{Reason: "again"}); civic.ErrorKind(err) != civic.KindConflict {
			t.Fatalf("a second deletion request: %v", err)
		}
		if _, err := e.svc.Review(e.ctx, author, del.ID, publish.ReviewInput{Revision: 1, Decision: civic.ReviewApprove}); civic.ErrorKind(err) != civic.KindForbidden {
			t.Fatalf("self-approving a deletion: %v", err)
		}
		if _, err := e.svc.Publish(e.ctx, author, del.ID); civic.ErrorKind(err) != civic.KindConflict {
			t.Fatalf("deleting without approval: %v", err)
		}
		// The director approves nothing under a rule naming no approver;
		// Communications does.
		if _, err := e.svc.Review(e.ctx, e.as(e.director), del.ID, publish.ReviewInput{Revision: 1, Decision: civic.ReviewApprove}); civic.ErrorKind(err) != civic.KindForbidden {
			t.Fatalf("the director approves a deletion under a rule with no approver: %v", err)
		}
		got, err := e.svc.Review(e.ctx, e.as(e.comms), del.ID, publish.ReviewInput{Revision: 1, Decision: civic.ReviewApprove})
		if err != nil || got.Status != civic.DraftApproved {
			t.Fatalf("Communications approves: %+v, %v", got, err)
		}
		evs, err := e.store.AuditEvents(e.ctx, civic.AuditFilter{ObjectType: "draft", ObjectID: draftID(del.ID)})
		if err != nil || len(evs) < 2 {
			t.Fatalf("audit of the deletion request: %d events, %v", len(evs), err)
		}
	})
}

func draftID(id int64) string { return strconv.FormatInt(id, 10) }

// TestCorrectionStore: on both engines, a correction's and a deletion's
// kinds and links round-trip; the post's platform id still finds the
// publication that made it when a correction by edit and a deletion carry
// the same id; corrections are listed by the publication they act on.
func TestCorrectionStore(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		d, p := e.published(t, "Leaf pickup starts Monday.")
		c, err := e.svc.Correct(e.ctx, e.as(e.author), d.ID, publish.CorrectionInput{Text: "Leaf pickup starts Tuesday."})
		if err != nil {
			t.Fatal(err)
		}
		del, err := e.svc.RequestDeletion(e.ctx, e.as(e.author), d.ID, publish.DeletionInput{Reason: "Leaf pickup is cancelled."})
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range []struct {
			d    *civic.Draft
			kind civic.PublicationKind
		}{{c, civic.PublishEdit}, {del, civic.PublishDelete}} {
			q := &civic.Publication{DraftID: x.d.ID, Revision: 1, AccountID: e.acct.ID, ConnectionID: 1, IdempotencyKey: "k-" + string(x.kind), Platform: "mastodon",
				Kind: x.kind, Corrects: p.ID, Body: "Correction: Leaf pickup starts Tuesday.", Authority: &civic.Authority{DraftID: x.d.ID}}
			err := e.store.Update(e.ctx, civic.Actor{Label: "test"}, func(tx civic.Tx) error {
				if err := tx.CreatePublication(e.ctx, q); err != nil {
					return err
				}
				q.Status, q.PlatformID = civic.PublicationPublished, p.PlatformID
				return tx.UpdatePublication(e.ctx, q)
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		got, err := e.store.PublicationByPlatformID(e.ctx, "mastodon", p.PlatformID)
		if err != nil || got.ID != p.ID || got.Kind != civic.PublishPost || got.Body != "Leaf pickup starts Monday." {
			t.Fatalf("the post's publication: %+v, %v", got, err)
		}
		cs, err := e.store.Publications(e.ctx, civic.PublicationFilter{Corrects: p.ID})
		if err != nil || len(cs) != 2 || cs[0].Kind != civic.PublishDelete || cs[1].Kind != civic.PublishEdit || cs[1].Corrects != p.ID {
			t.Fatalf("publications correcting the post: %+v, %v", cs, err)
		}
		same, err := e.store.Publications(e.ctx, civic.PublicationFilter{Platform: "mastodon", PlatformID: p.PlatformID})
		if err != nil || len(same) != 3 {
			t.Fatalf("publications with the post's id: %d, %v", len(same), err)
		}
		ds, err := e.store.Drafts(e.ctx, civic.DraftFilter{Corrects: p.ID})
		if err != nil || len(ds) != 2 || ds[0].Kind != civic.KindDeletion || ds[1].Kind != civic.KindCorrection || ds[1].Corrects != p.ID {
			t.Fatalf("drafts acting on the post: %+v, %v", ds, err)
		}
		v, err := e.svc.Get(e.ctx, e.as(e.author), d.ID)
		if err != nil || len(v.Corrections) != 2 {
			t.Fatalf("the post's view lists %d corrections, %v", len(v.Corrections), err)
		}
		cv, err := e.svc.Get(e.ctx, e.as(e.author), c.ID)
		if err != nil || cv.Original == nil || cv.Original.ID != p.ID || cv.OriginalDraftID != d.ID || cv.Outgoing != "Correction: Leaf pickup starts Tuesday." {
			t.Fatalf("the correction's view: %+v, %v", cv, err)
		}
		// A deleted post is not corrected; nor is a correction made by
		// editing (its post's own draft is).
		_, err = e.svc.Correct(e.ctx, e.as(e.author), d.ID, publish.CorrectionInput{Text: "Leaf pickup starts Wednesday."})
		wantErr(t, err, civic.KindConflict, "", "was deleted")
		_, err = e.svc.Correct(e.ctx, e.as(e.author), c.ID, publish.CorrectionInput{Text: "Leaf pickup starts Wednesday."})
		wantErr(t, err, civic.KindConflict, "", "correct the post's own draft")
		// A draft row claiming to be a correction without naming what it
		// corrects is refused by the store.
		err = e.store.Update(e.ctx, civic.Actor{Label: "test"}, func(tx civic.Tx) error {
			return tx.CreateDraft(e.ctx, &civic.Draft{AuthorID: e.author.ID, Kind: civic.KindCorrection, Current: &civic.DraftRevision{Text: "x", Category: "announcement"},
				Accounts: []civic.DraftAccount{{AccountID: e.acct.ID, GrantID: e.grant.ID}}})
		})
		wantErr(t, err, civic.KindInvalid, "corrects_publication_id", "names the publication")
	})
}

// TestMarker: the correction's words go before or after the text, once.
func TestMarker(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		m          publish.Marker
		text, want string
	}{
		{publish.Marker{}, "The pool opens Sunday.", "Correction: The pool opens Sunday."},
		{publish.Marker{}, "correction: the pool opens Sunday.", "correction: the pool opens Sunday."},
		{publish.Marker{Words: "CORRECTED"}, "The pool opens Sunday.", "CORRECTED The pool opens Sunday."},
		{publish.Marker{Words: "(corrected)", Suffix: true}, "The pool opens Sunday.", "The pool opens Sunday.\n\n(corrected)"},
		{publish.Marker{Words: "(corrected)", Suffix: true}, "The pool opens Sunday. (Corrected)", "The pool opens Sunday. (Corrected)"},
	} {
		if got := c.m.Mark(c.text); got != c.want {
			t.Errorf("%+v.Mark(%q) = %q, want %q", c.m, c.text, got, c.want)
		}
	}
}
