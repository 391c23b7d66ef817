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
	// Moderation: entries waiting and time to review by account (MOD-1).
	ModerationOpen  int
	ModerationTimes []timesRow
	// Capture: broken connections and open flags (REC-1, MOD-4).
	CaptureBroken, CaptureFlags int
}

// captureCounts counts broken connections and open capture flags.
func (h *Handler) captureCounts(r *http.Request) (broken, flags int, err error) {
	cs, err := h.store.Connections(r.Context())
	if err != nil {
		return 0, 0, err
	}
	for _, c := range cs {
		if c.Status == civic.ConnectionBroken {
			broken++
		}
	}
	fs, err := h.store.CaptureFlags(r.Context(), civic.CaptureFlagFilter{Open: true})
	return broken, len(fs), err
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
	if u.Can(civic.PermModerationView) {
		times, open, err := h.mod.ReviewTimes(ctx, route.Actor(r))
		if err != nil {
			return err
		}
		d.ModerationOpen = open
		for _, t := range times {
			d.ModerationTimes = append(d.ModerationTimes, timesRow{t, duration(t.Oldest), duration(t.Median), duration(t.Longest)})
		}
	}
	if u.Can(civic.PermCaptureView) {
		if d.CaptureBroken, d.CaptureFlags, err = h.captureCounts(r); err != nil {
			return err
		}
	}
	return h.render(w, r, http.StatusOK, "dashboard", Page{Title: "Dashboard", Data: d})
}
