package web

import (
	"net/http"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/route"
)

type dashboardData struct {
	Departments, People, Users int
	Roles                      []civic.Grant
	DepartmentNames            []*civic.Department
	Recent                     []*civic.AuditEvent
}

func (h *Handler) dashboard(w http.ResponseWriter, r *http.Request) error {
	ctx, u := r.Context(), route.User(r)
	ds, err := h.store.Departments(ctx)
	if err != nil {
		return err
	}
	d := dashboardData{Departments: len(ds), Roles: u.Grants, DepartmentNames: ds}
	if u.Can(civic.PermPeopleView) {
		ps, err := h.store.People(ctx, civic.PersonFilter{})
		if err != nil {
			return err
		}
		d.People = len(ps)
	}
	if u.Can(civic.PermUsersView) {
		us, err := h.store.Users(ctx)
		if err != nil {
			return err
		}
		d.Users = len(us)
	}
	if u.Can(civic.PermAuditView) {
		if d.Recent, err = h.store.AuditEvents(ctx, civic.AuditFilter{Limit: 8, HideObjectTypes: civic.HiddenObjectTypes(u)}); err != nil {
			return err
		}
	}
	return h.render(w, r, http.StatusOK, "dashboard", Page{Title: "Dashboard", Data: d})
}
