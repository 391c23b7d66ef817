package public

import (
	"net/http"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/civic"
)

// itemPage is one record with its thread.
type itemPage struct {
	Account *civic.PublicAccount
	Item    *itemView
	Proof   *itemProof
}

// item shows one post or comment with every version; a post with its
// comments. An item the portal does not show answers exactly as one that
// does not exist.
func (h *Handler) item(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "record")
	if err != nil {
		return err
	}
	pr, it, a, err := h.archive.PublicProof(r.Context(), id)
	if err != nil {
		return err
	}
	vs, lastMod, err := h.views(r, []*archive.PublicItem{it})
	if err != nil {
		return err
	}
	title := kindWords[it.Kind] + " on " + a.DisplayName
	return h.render(w, r, http.StatusOK, "item", page{Title: title, Data: &itemPage{Account: a, Item: vs[0], Proof: &itemProof{ItemProof: pr, Signatures: signatures(pr.Checkpoint)}}}, lastMod)
}
