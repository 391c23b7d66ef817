package web

import (
	"net/http"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/registry"
	"steward.city/steward/internal/route"
)

// covertAccessData is the covert access page: the two-person grants of the
// sic_commander role and of maintainer access.
type covertAccessData struct {
	*registry.CovertAccessView
	Form civic.CovertAccess
}

func (h *Handler) covertAccessPage(w http.ResponseWriter, r *http.Request) error {
	return h.renderCovertAccess(w, r, http.StatusOK, civic.CovertAccess{Kind: civic.CovertMaintainer}, nil)
}

func (h *Handler) renderCovertAccess(w http.ResponseWriter, r *http.Request, status int, form civic.CovertAccess, errs []FieldError) error {
	v, err := h.reg.CovertAccess(r.Context(), route.Actor(r))
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return h.render(w, r, status, "covert_access", Page{Title: "Covert access", Errors: errs, Data: covertAccessData{CovertAccessView: v, Form: form}})
}

func (h *Handler) covertAccessPropose(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	a := civic.CovertAccess{Kind: civic.CovertAccessKind(r.PostFormValue("kind")), Reason: r.PostFormValue("reason")}
	var err error
	if a.UserID, err = formInt(r, "user_id"); err == nil {
		err = h.reg.ProposeCovertAccess(r.Context(), route.Actor(r), &a)
	}
	if err != nil {
		if fe, ok := formErrors(err); ok {
			return h.renderCovertAccess(w, r, route.Status(err), a, fe)
		}
		return err
	}
	return seeOther(w, r, "/covert/access", "proposed")
}

// covertAccessAction runs fn on grant {id} and returns to the page.
func (h *Handler) covertAccessAction(w http.ResponseWriter, r *http.Request, notice string, fn func(id int64) error) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	if err := fn(id); err != nil {
		if fe, ok := formErrors(err); ok {
			return h.renderCovertAccess(w, r, route.Status(err), civic.CovertAccess{Kind: civic.CovertMaintainer}, fe)
		}
		return err
	}
	return seeOther(w, r, "/covert/access", notice)
}

func (h *Handler) covertAccessDecide(w http.ResponseWriter, r *http.Request) error {
	return h.covertAccessAction(w, r, "decided", func(id int64) error {
		return h.reg.DecideCovertAccess(r.Context(), route.Actor(r), id, r.PostFormValue("decision"), r.PostFormValue("note"))
	})
}

func (h *Handler) covertAccessWithdraw(w http.ResponseWriter, r *http.Request) error {
	return h.covertAccessAction(w, r, "withdrawn", func(id int64) error {
		return h.reg.WithdrawCovertAccess(r.Context(), route.Actor(r), id)
	})
}

func (h *Handler) covertAccessRevoke(w http.ResponseWriter, r *http.Request) error {
	return h.covertAccessAction(w, r, "access_revoked", func(id int64) error {
		return h.reg.RevokeCovertAccess(r.Context(), route.Actor(r), id, r.PostFormValue("reason"))
	})
}
