package api

import (
	"net/http"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/route"
)

// worklistRoutes are what waits for the caller, and the fallbacks of the
// approval chains (designees, delegations, next roles, the fallback second
// reviewer), edited on the same terms as the page /settings/approvals.
func (h *Handler) worklistRoutes() []route.Route {
	get, post, del := http.MethodGet, http.MethodPost, http.MethodDelete
	r := func(method, path string, perm civic.Permission, summary string, fn route.Handler) route.Route {
		return route.Route{Method: method, Path: "/api/v1" + path, Perm: perm, API: true, Summary: summary, Handle: fn}
	}
	return []route.Route{
		r(get, "/me/work", civic.PermSignedIn, "what waits for you now, earliest first", h.myWork),
		r(get, "/settings/approvals", civic.PermAccountsManage, "designees, delegations, next roles and the fallback second reviewer", h.standInList),
		r(post, "/settings/approvals", civic.PermAccountsManage, "add a designee, delegation, next role or fallback second reviewer", h.standInCreate),
		r(del, "/settings/approvals/{id}", civic.PermAccountsManage, "remove a designee, delegation, next role or fallback second reviewer", h.standInDelete),
	}
}

func (h *Handler) myWork(w http.ResponseWriter, r *http.Request) error {
	items, err := h.work.For(r.Context(), route.Actor(r))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

func (h *Handler) standInList(w http.ResponseWriter, r *http.Request) error {
	sis, err := h.reg.StandIns(r.Context(), route.Actor(r))
	if err != nil {
		return err
	}
	if sis == nil {
		sis = []*civic.StandIn{}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"items": sis})
}

func (h *Handler) standInCreate(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Kind         string `json:"kind"`
		Role         string `json:"role"`
		DepartmentID int64  `json:"department_id"`
		UserID       int64  `json:"user_id"`
		ForUserID    int64  `json:"for_user_id"`
		NextRole     string `json:"next_role"`
		From         string `json:"from"`
		Until        string `json:"until"`
		Note         string `json:"note"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	si := &civic.StandIn{Kind: civic.StandInKind(in.Kind), Role: civic.Role(in.Role), DepartmentID: in.DepartmentID, UserID: in.UserID,
		ForUserID: in.ForUserID, NextRole: civic.Role(in.NextRole), Note: in.Note}
	for _, d := range []struct {
		field, v string
		dst      **time.Time
	}{{"from", in.From, &si.From}, {"until", in.Until, &si.Until}} {
		t, err := apiDate(d.field, d.v)
		if err != nil {
			return err
		}
		if !t.IsZero() {
			*d.dst = &t
		}
	}
	if err := h.reg.AddStandIn(r.Context(), route.Actor(r), si); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, si)
}

func (h *Handler) standInDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := h.reg.RemoveStandIn(r.Context(), route.Actor(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
