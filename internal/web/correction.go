package web

import (
	"net/http"
	"strconv"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/publish"
	"steward.city/steward/internal/route"
)

// draftCorrect writes a correction of a published draft's post (PUB-4)
// and opens it: it is screened, submitted and reviewed like any draft.
func (h *Handler) draftCorrect(w http.ResponseWriter, r *http.Request) error {
	return h.correctionAction(w, r, "correction", func(id, acct int64) (*civic.Draft, error) {
		return h.publish.Correct(r.Context(), route.Actor(r), id, publish.CorrectionInput{AccountID: acct, Text: r.PostFormValue("correction")})
	})
}

// draftDelete asks for a published draft's post to be deleted, with the
// reason; the request waits for someone else's approval.
func (h *Handler) draftDelete(w http.ResponseWriter, r *http.Request) error {
	return h.correctionAction(w, r, "reason", func(id, acct int64) (*civic.Draft, error) {
		return h.publish.RequestDeletion(r.Context(), route.Actor(r), id, publish.DeletionInput{AccountID: acct, Reason: r.PostFormValue("reason")})
	})
}

// correctionAction runs fn on the draft and the account chosen, and opens
// the new draft; an error is shown next to field on the draft's page, with
// what was typed kept.
func (h *Handler) correctionAction(w http.ResponseWriter, r *http.Request, field string, fn func(id, acct int64) (*civic.Draft, error)) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	var acct int64
	if v := r.PostFormValue("account"); v != "" {
		if acct, err = strconv.ParseInt(v, 10, 64); err != nil || acct <= 0 {
			acct = -1 // no such account: the service says so
		}
	}
	d, err := fn(id, acct)
	if err == nil {
		return seeOther(w, r, "/drafts/"+strconv.FormatInt(d.ID, 10), "saved")
	}
	fe, ok := formErrors(err)
	if !ok && civic.ErrorKind(err) == civic.KindForbidden {
		fe, ok = []FieldError{{Message: civic.ErrorMessage(err)}}, true
	}
	if !ok {
		return err
	}
	for i := range fe {
		fe[i].Field = field // text, account_id or none: all about this form
	}
	form := &draftForm{Correction: r.PostFormValue("correction"), Reason: r.PostFormValue("reason")}
	return h.renderDraft(w, r, route.Status(err), form, fe)
}
