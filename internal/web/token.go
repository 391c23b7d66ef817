package web

import (
	"net/http"
	"strings"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/route"
)

type tokenData struct {
	Tokens []*civic.Token
	All    bool   // the list shows every user's tokens
	Secret string // a token just created, shown once
	Name   string
	Days   string
	Now    time.Time
}

func (h *Handler) tokenList(w http.ResponseWriter, r *http.Request) error {
	return h.renderTokens(w, r, http.StatusOK, tokenData{Days: "90"}, nil)
}

func (h *Handler) renderTokens(w http.ResponseWriter, r *http.Request, status int, d tokenData, errs []FieldError) error {
	u := route.User(r)
	owner := u.ID
	if u.Can(civic.PermTokensAll) {
		owner, d.All = 0, true
	}
	ts, err := h.store.Tokens(r.Context(), owner)
	if err != nil {
		return err
	}
	d.Tokens, d.Now = ts, h.now()
	return h.render(w, r, status, "tokens", Page{Title: "API tokens", Errors: errs, Data: d})
}

func (h *Handler) tokenCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	d := tokenData{Name: strings.TrimSpace(r.PostFormValue("name")), Days: strings.TrimSpace(r.PostFormValue("days"))}
	days, err := formInt(r, "days")
	if err == nil && (days < 0 || days > 3650) {
		err = civic.Invalid("days", "choose between 0 (never expires) and 3650 days")
	}
	if err != nil {
		return h.renderTokens(w, r, http.StatusUnprocessableEntity, d, []FieldError{{Field: "days", Message: civic.ErrorMessage(err)}})
	}
	u := route.User(r)
	secret, _, err := h.auth.CreateToken(r.Context(), route.Actor(r), u.ID, d.Name, time.Duration(days)*24*time.Hour)
	if err != nil {
		if fe, ok := formErrors(err); ok {
			return h.renderTokens(w, r, http.StatusUnprocessableEntity, d, fe)
		}
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return h.renderTokens(w, r, http.StatusCreated, tokenData{Secret: secret, Days: "90"}, nil)
}

func (h *Handler) tokenRevoke(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := h.auth.RevokeToken(r.Context(), route.Actor(r), id); err != nil {
		return err
	}
	return seeOther(w, r, "/tokens", "revoked")
}
