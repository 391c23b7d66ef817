package web

import (
	"net/http"
	"strings"
	"time"

	"steward.city/steward/internal/auth"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/route"
)

type signinData struct {
	Email string
	Next  string
	SSO   string // provider name, "" when single sign-on is off
}

// safeNext returns next when it is a local path, else "/".
func safeNext(next string) string {
	if strings.HasPrefix(next, "/") && !strings.HasPrefix(next, "//") && !strings.HasPrefix(next, "/\\") {
		return next
	}
	return "/"
}

func (h *Handler) ssoName() string {
	if h.sso == nil {
		return ""
	}
	return h.sso.Name()
}

func (h *Handler) signinPage(w http.ResponseWriter, r *http.Request) error {
	if route.User(r) != nil {
		return seeOther(w, r, "/", "")
	}
	return h.render(w, r, http.StatusOK, "signin", Page{Title: "Sign in", Data: signinData{Next: safeNext(r.URL.Query().Get("next")), SSO: h.ssoName()}})
}

func (h *Handler) signin(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	d := signinData{Email: r.PostFormValue("email"), Next: safeNext(r.PostFormValue("next")), SSO: h.ssoName()}
	a := auth.Attempt{Email: d.Email, Password: r.PostFormValue("password"), Remote: route.Client(r)}
	if c, err := r.Cookie(DeviceCookieName); err == nil {
		a.Device = c.Value
	}
	out, err := h.auth.SignInDevice(r.Context(), a)
	if err != nil {
		switch civic.ErrorKind(err) {
		case civic.KindInvalid, civic.KindUnauthorized, civic.KindTooMany:
			return h.render(w, r, route.Status(err), "signin", Page{Title: "Sign in",
				Errors: []FieldError{{Field: civic.ErrorField(err), Message: civic.ErrorMessage(err)}}, Data: d})
		}
		return err
	}
	SetSessionCookie(w, out.Session)
	if out.Device != "" {
		http.SetCookie(w, &http.Cookie{Name: DeviceCookieName, Value: out.Device, Path: "/", HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode,
			MaxAge: int(auth.DeviceTTL / time.Second)})
	}
	return seeOther(w, r, d.Next, "")
}

// DeviceCookieName is the device cookie: set after a password sign-in, it
// makes this browser a known device of the user, whose failed sign-ins
// count against it alone (see auth.SignInDevice).
const DeviceCookieName = "__Host-steward-device"

// SetSessionCookie gives the browser its session.
func SetSessionCookie(w http.ResponseWriter, secret string) {
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: secret, Path: "/", HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode, MaxAge: 12 * 3600})
}

func (h *Handler) signout(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(CookieName); err == nil {
		if err := h.auth.SignOut(r.Context(), route.Actor(r), c.Value); err != nil {
			return err
		}
	}
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: "", Path: "/", HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode, MaxAge: -1})
	return seeOther(w, r, "/signin", "signedout")
}

func (h *Handler) ssoStart(w http.ResponseWriter, r *http.Request) error {
	if h.sso == nil {
		return civic.Errorf(civic.KindNotFound, "single sign-on is not configured")
	}
	to, err := h.sso.Start(w, r)
	if err != nil {
		return err
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

func (h *Handler) ssoCallback(w http.ResponseWriter, r *http.Request) error {
	if h.sso == nil {
		return civic.Errorf(civic.KindNotFound, "single sign-on is not configured")
	}
	u, err := h.sso.Finish(w, r)
	if err != nil {
		if k := civic.ErrorKind(err); k == civic.KindUnauthorized || k == civic.KindInvalid || k == civic.KindForbidden {
			h.log.Warn("single sign-on refused", "err", err)
			return h.render(w, r, http.StatusUnauthorized, "signin", Page{Title: "Sign in",
				Errors: []FieldError{{Message: "Single sign-on failed: " + civic.ErrorMessage(err)}}, Data: signinData{Next: "/", SSO: h.ssoName()}})
		}
		return err
	}
	secret, err := h.auth.StartSession(r.Context(), u, "oidc")
	if err != nil {
		return err
	}
	SetSessionCookie(w, secret)
	return seeOther(w, r, "/", "")
}
