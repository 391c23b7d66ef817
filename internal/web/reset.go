package web

import (
	"net/http"
	"net/url"
	"strings"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/route"
)

type forgotData struct {
	Email   string
	Sent    bool // the request was taken: the same page whoever the address is
	CanMail bool
}

type resetData struct {
	Token string
	Works bool // the link can be used
}

// canMailResets reports whether Steward can e-mail reset links: a mail
// server and the address people open Steward at are configured.
func (h *Handler) canMailResets() bool { return h.publicURL != "" && h.auth.CanMailResets() }

func (h *Handler) forgotPage(w http.ResponseWriter, r *http.Request) error {
	return h.render(w, r, http.StatusOK, "signin_forgot", Page{Title: "Forgotten password", Data: forgotData{CanMail: h.canMailResets()}})
}

// forgot asks for a reset link. The page that follows says the same
// whether or not the address belongs to anyone.
func (h *Handler) forgot(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	d := forgotData{Email: r.PostFormValue("email"), CanMail: h.canMailResets()}
	if !d.CanMail {
		return h.render(w, r, http.StatusOK, "signin_forgot", Page{Title: "Forgotten password", Data: d})
	}
	base := strings.TrimRight(h.publicURL, "/")
	err := h.auth.RequestReset(r.Context(), d.Email, route.Client(r), func(secret string) string {
		return base + "/signin/reset?token=" + url.QueryEscape(secret)
	})
	if err != nil {
		switch civic.ErrorKind(err) {
		case civic.KindInvalid, civic.KindTooMany:
			return h.render(w, r, route.Status(err), "signin_forgot", Page{Title: "Forgotten password",
				Errors: []FieldError{{Field: "email", Message: civic.ErrorMessage(err)}}, Data: d})
		}
		return err
	}
	d.Sent = true
	return h.render(w, r, http.StatusOK, "signin_forgot", Page{Title: "Check your e-mail", Data: d})
}

func (h *Handler) resetPage(w http.ResponseWriter, r *http.Request) error {
	d := resetData{Token: r.URL.Query().Get("token")}
	if err := h.auth.CheckReset(r.Context(), d.Token); err != nil {
		if civic.ErrorKind(err) == civic.KindInvalid {
			return h.render(w, r, http.StatusGone, "signin_reset", Page{Title: "Choose a new password",
				Errors: []FieldError{{Message: civic.ErrorMessage(err)}}, Data: d})
		}
		return err
	}
	d.Works = true
	return h.render(w, r, http.StatusOK, "signin_reset", Page{Title: "Choose a new password", Data: d})
}

func (h *Handler) reset(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	d := resetData{Token: r.PostFormValue("token"), Works: true}
	err := h.auth.ResetPassword(r.Context(), d.Token, r.PostFormValue("password"), r.PostFormValue("confirm"))
	if err != nil {
		if civic.ErrorKind(err) == civic.KindInvalid {
			f := civic.ErrorField(err)
			status := http.StatusUnprocessableEntity
			if f == "token" {
				d.Works, f, status = false, "", http.StatusGone
			}
			return h.render(w, r, status, "signin_reset", Page{Title: "Choose a new password",
				Errors: []FieldError{{Field: f, Message: civic.ErrorMessage(err)}}, Data: d})
		}
		return err
	}
	return seeOther(w, r, "/signin", "reset")
}
