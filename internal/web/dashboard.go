package web

import (
	"net/http"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/route"
	"steward.city/steward/internal/worklist"
)

type dashboardData struct {
	Roles           []civic.Grant
	DepartmentNames []*civic.Department
	// Work is what waits for the person now, earliest first (issue 17).
	Work    []worklist.Item
	Overdue int
}

// dashboard is the person's work list: what waits for them, each with the
// page where they act. Counts of the city's departments, people and users
// are on their own pages, for who may open them.
func (h *Handler) dashboard(w http.ResponseWriter, r *http.Request) error {
	ctx, u := r.Context(), route.User(r)
	items, err := h.work.For(ctx, route.Actor(r))
	if err != nil {
		return err
	}
	d := dashboardData{Roles: u.Grants, Work: items}
	for _, it := range items {
		if it.Overdue {
			d.Overdue++
		}
	}
	for _, g := range u.Grants {
		if g.DepartmentID != 0 {
			if d.DepartmentNames, err = h.store.Departments(ctx); err != nil {
				return err
			}
			break
		}
	}
	return h.render(w, r, http.StatusOK, "dashboard", Page{Title: "Your work", Data: d})
}
