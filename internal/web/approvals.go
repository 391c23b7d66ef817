package web

import (
	"net/http"
	"strings"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/route"
)

// approvalsData is the page of the approval chains' fallbacks.
type approvalsData struct {
	StandIns    []*civic.StandIn
	Users       []*civic.User
	Departments []*civic.Department
	Roles       []civic.Role
	Kinds       []civic.StandInKind
	// NoDirector lists the departments with no enabled director: their
	// requests wait for a designee, a delegation or a next role.
	NoDirector []*civic.Department
	// Communications counts the enabled Communications users: with one,
	// their own requests and second reviews need a fallback.
	Communications int
	Form           civic.StandIn
	FromText       string
	UntilText      string
}

// holders lists, by e-mail address, the enabled users for whom keep is
// true: who acts next on a waiting workflow's page.
func (h *Handler) holders(r *http.Request, keep func(*civic.User) bool) (string, error) {
	us, err := h.store.Users(r.Context())
	if err != nil {
		return "", err
	}
	var out []string
	for _, u := range us {
		if u.DisabledAt == nil && keep(u) {
			out = append(out, u.Email)
		}
	}
	if len(out) == 0 {
		return "nobody now: an administrator can give the role to someone", nil
	}
	return strings.Join(out, ", "), nil
}

func (h *Handler) approvalsPage(w http.ResponseWriter, r *http.Request) error {
	return h.renderApprovals(w, r, http.StatusOK, approvalsData{}, nil)
}

func (h *Handler) renderApprovals(w http.ResponseWriter, r *http.Request, status int, d approvalsData, errs []FieldError) error {
	ctx := r.Context()
	var err error
	if d.StandIns, err = h.reg.StandIns(ctx, route.Actor(r)); err != nil {
		return err
	}
	if d.Users, err = h.store.Users(ctx); err != nil {
		return err
	}
	if d.Departments, err = h.store.Departments(ctx); err != nil {
		return err
	}
	d.Roles, d.Kinds = civic.Roles, civic.StandInKinds
	for _, dep := range d.Departments {
		has := false
		for _, u := range d.Users {
			if u.DisabledAt == nil && (civic.ApprovalStep{Role: civic.RoleDirector, DepartmentID: dep.ID}).Holds(u, dep.ID) {
				has = true
			}
		}
		if !has {
			d.NoDirector = append(d.NoDirector, dep)
		}
	}
	for _, u := range d.Users {
		if u.DisabledAt == nil && u.Has(civic.RoleCommunications) {
			d.Communications++
		}
	}
	return h.render(w, r, status, "approvals", Page{Title: "Approval settings", Errors: errs, Data: d})
}

func (h *Handler) approvalsCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	si := civic.StandIn{Kind: civic.StandInKind(r.PostFormValue("kind")), Role: civic.Role(r.PostFormValue("role")),
		NextRole: civic.Role(r.PostFormValue("next_role")), Note: r.PostFormValue("note")}
	d := approvalsData{FromText: strings.TrimSpace(r.PostFormValue("from")), UntilText: strings.TrimSpace(r.PostFormValue("until"))}
	var err error
	for _, f := range []struct {
		name string
		dst  *int64
	}{{"user_id", &si.UserID}, {"for_user_id", &si.ForUserID}, {"department_id", &si.DepartmentID}} {
		if err == nil {
			*f.dst, err = formInt(r, f.name)
		}
	}
	if err == nil {
		si.From, err = formDate("from", d.FromText, false)
	}
	if err == nil {
		si.Until, err = formDate("until", d.UntilText, false)
	}
	if err == nil {
		err = h.reg.AddStandIn(r.Context(), route.Actor(r), &si)
	}
	if err != nil {
		if fe, ok := formErrors(err); ok {
			d.Form = si
			return h.renderApprovals(w, r, http.StatusUnprocessableEntity, d, fe)
		}
		return err
	}
	return seeOther(w, r, "/settings/approvals", "saved")
}

func (h *Handler) approvalsDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := h.reg.RemoveStandIn(r.Context(), route.Actor(r), id); err != nil {
		return err
	}
	return seeOther(w, r, "/settings/approvals", "saved")
}
