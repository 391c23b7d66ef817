package web

import (
	"net/http"
	"strings"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/plain"
	"steward.city/steward/internal/route"
)

// covertData is the covert registry page (CVT-1…4): the list, or one
// profile when ?profile=N. Only SIC commanders and a profile's maintainer
// see anything; the page is the same empty registry for everyone else.
type covertData struct {
	Profiles  []*civic.CovertProfile
	Profile   *civic.CovertProfile
	Audits    []*civic.CovertAudit
	Creds     []*civic.Credential
	History   []*civic.AuditEvent
	Users     []*civic.User
	Form      civic.CovertProfile
	Now       time.Time // the city's day today, as calendar days are stored
	Commander bool
	Auditors  string // who records the yearly audit: the SIC commanders
}

func (h *Handler) covertPage(w http.ResponseWriter, r *http.Request) error {
	return h.renderCovert(w, r, http.StatusOK, civic.CovertProfile{}, nil)
}

func (h *Handler) renderCovert(w http.ResponseWriter, r *http.Request, status int, form civic.CovertProfile, errs []FieldError) error {
	ctx := r.Context()
	u := route.User(r)
	d := covertData{Form: form, Now: plain.CityDay(h.now(), h.loc), Commander: u.Can(civic.PermCovertManage)}
	w.Header().Set("Cache-Control", "no-store")
	if v := r.URL.Query().Get("profile"); v != "" {
		id, err := parseID(v)
		if err != nil {
			return civic.Errorf(civic.KindNotFound, "page not found")
		}
		if d.Profile, d.Audits, d.Creds, err = h.reg.CovertProfile(ctx, route.Actor(r), id); err != nil {
			return err
		}
		if d.History, err = h.reg.CovertHistory(ctx, route.Actor(r), id); err != nil {
			return err
		}
		if d.Auditors, err = h.holders(r, func(u *civic.User) bool { return u.Has(civic.RoleSICCommander) }); err != nil {
			return err
		}
		return h.render(w, r, status, "covert_profile", Page{Title: "Covert profile " + d.Profile.ScreenName, Errors: errs, Data: d})
	}
	var err error
	if d.Profiles, err = h.reg.CovertProfiles(ctx, route.Actor(r)); err != nil {
		return err
	}
	if d.Commander {
		all, err := h.store.Users(ctx)
		if err != nil {
			return err
		}
		for _, o := range all {
			if o.DisabledAt == nil && o.HoldsCovert() {
				d.Users = append(d.Users, o)
			}
		}
	}
	return h.render(w, r, status, "covert", Page{Title: "Covert profiles", Errors: errs, Data: d})
}

func (h *Handler) covertRegister(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	p := civic.CovertProfile{SiteName: r.PostFormValue("site_name"), SiteURL: r.PostFormValue("site_url"), Username: r.PostFormValue("username"),
		ScreenName: r.PostFormValue("screen_name"), Purpose: r.PostFormValue("purpose")}
	var err error
	p.MaintainerID, err = formInt(r, "maintainer_id")
	if err == nil {
		if v := strings.TrimSpace(r.PostFormValue("registered_on")); v != "" {
			if p.RegisteredOn, err = time.Parse("2006-01-02", v); err != nil {
				err = civic.Invalid("registered_on", "give the date as 2026-11-21")
			}
		}
	}
	if err == nil {
		err = h.reg.RegisterCovert(r.Context(), route.Actor(r), &p)
	}
	if err != nil {
		if fe, ok := formErrors(err); ok {
			return h.renderCovert(w, r, http.StatusUnprocessableEntity, p, fe)
		}
		return err
	}
	return seeOther(w, r, "/covert?profile="+itoa(p.ID), "created")
}

// covertAction runs fn on the profile {id} and returns to its page.
func (h *Handler) covertAction(w http.ResponseWriter, r *http.Request, fn func(id int64) error) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	if err := fn(id); err != nil {
		if fe, ok := formErrors(err); ok {
			r.URL.RawQuery = "profile=" + itoa(id)
			return h.renderCovert(w, r, route.Status(err), civic.CovertProfile{}, fe)
		}
		return err
	}
	return seeOther(w, r, "/covert?profile="+itoa(id), "saved")
}

func (h *Handler) covertAudit(w http.ResponseWriter, r *http.Request) error {
	return h.covertAction(w, r, func(id int64) error {
		return h.reg.AuditCovert(r.Context(), route.Actor(r), id, r.PostFormValue("still_active") == "yes", r.PostFormValue("still_needed") == "yes", r.PostFormValue("note"))
	})
}

func (h *Handler) covertEnd(w http.ResponseWriter, r *http.Request) error {
	return h.covertAction(w, r, func(id int64) error {
		var on time.Time
		if v := strings.TrimSpace(r.PostFormValue("ended_on")); v != "" {
			var err error
			if on, err = time.Parse("2006-01-02", v); err != nil {
				return civic.Invalid("ended_on", "give the date as 2026-11-21")
			}
		}
		return h.reg.EndCovert(r.Context(), route.Actor(r), id, civic.CovertStatus(r.PostFormValue("status")), on, r.PostFormValue("reason"))
	})
}

func (h *Handler) covertPassword(w http.ResponseWriter, r *http.Request) error {
	return h.covertAction(w, r, func(id int64) error {
		return h.reg.StoreCovertPassword(r.Context(), route.Actor(r), id, r.PostFormValue("secret"))
	})
}

// notificationData is the notifications page.
type notificationData struct {
	Notifications []*civic.Notification
}

func (h *Handler) notificationList(w http.ResponseWriter, r *http.Request) error {
	ns, err := h.reg.Notifications(r.Context(), route.Actor(r))
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "notifications", Page{Title: "Notifications", Data: notificationData{Notifications: ns}})
}

func (h *Handler) notificationRead(w http.ResponseWriter, r *http.Request) error {
	if err := h.reg.MarkNotificationsRead(r.Context(), route.Actor(r)); err != nil {
		return err
	}
	return seeOther(w, r, "/notifications", "")
}

// inputField is one labelled form field for the "input" template.
type inputField struct {
	Name, Label, Value, Type, Hint string
	Errors                         []FieldError
}

// formInput builds an inputField: name, label, value, type ("text",
// "textarea", "date", "password", "url"), hint and the page's errors.
func formInput(name, label, value, typ, hint string, errs []FieldError) inputField {
	return inputField{Name: name, Label: label, Value: value, Type: typ, Hint: hint, Errors: errs}
}
