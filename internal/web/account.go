package web

import (
	"net/http"

	"steward.city/steward/internal/auth"
	"steward.city/steward/internal/route"
)

func (h *Handler) accountPage(w http.ResponseWriter, r *http.Request) error {
	return h.renderAccount(w, r, http.StatusOK, nil, nil)
}

func (h *Handler) accountPassword(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	var keep []byte
	if c, err := r.Cookie(CookieName); err == nil {
		keep = auth.HashSecret(c.Value)
	}
	err := h.people.ChangeOwnPassword(r.Context(), route.Actor(r), r.PostFormValue("current_password"), r.PostFormValue("new_password"), keep)
	if err != nil {
		if fe, ok := formErrors(err); ok {
			return h.renderAccount(w, r, http.StatusUnprocessableEntity, nil, fe)
		}
		return err
	}
	return seeOther(w, r, "/account", "ownpassword")
}
