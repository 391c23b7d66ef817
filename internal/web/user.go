package web

import (
	"net/http"
	"slices"
	"strings"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/route"
)

type userListData struct {
	Users       []*civic.User
	Departments []*civic.Department
	Candidates  []*civic.Person // people without a user
	Roles       []civic.Role
	Form        userForm
}

// userForm is the add-user form as posted.
type userForm struct {
	PersonID int64
	Email    string
	Grants   []civic.Grant
}

// Has reports whether the form gives role r; used by the template.
func (f userForm) Has(r civic.Role) bool {
	return slices.ContainsFunc(f.Grants, func(g civic.Grant) bool { return g.Role == r })
}

// DirectorOf returns the department of a director grant, or 0.
func (f userForm) DirectorOf() int64 {
	for _, g := range f.Grants {
		if g.Role == civic.RoleDirector {
			return g.DepartmentID
		}
	}
	return 0
}

// grantsFromForm reads role checkboxes and the director's department.
func grantsFromForm(r *http.Request) ([]civic.Grant, error) {
	var gs []civic.Grant
	for _, v := range r.PostForm["role"] {
		g := civic.Grant{Role: civic.Role(v)}
		if g.Role == civic.RoleDirector {
			dept, err := formInt(r, "director_department")
			if err != nil {
				return nil, civic.Invalid("roles", "choose the department the director directs")
			}
			g.DepartmentID = dept
		}
		gs = append(gs, g)
	}
	return gs, nil
}

func (h *Handler) userList(w http.ResponseWriter, r *http.Request) error {
	return h.renderUsers(w, r, http.StatusOK, userForm{}, nil)
}

func (h *Handler) renderUsers(w http.ResponseWriter, r *http.Request, status int, form userForm, errs []FieldError) error {
	ctx := r.Context()
	us, err := h.store.Users(ctx)
	if err != nil {
		return err
	}
	ds, err := h.store.Departments(ctx)
	if err != nil {
		return err
	}
	ps, err := h.store.People(ctx, civic.PersonFilter{})
	if err != nil {
		return err
	}
	hasUser := map[int64]bool{}
	for _, u := range us {
		hasUser[u.PersonID] = true
	}
	var cands []*civic.Person
	for _, p := range ps {
		if !hasUser[p.ID] {
			cands = append(cands, p)
		}
	}
	return h.render(w, r, status, "users", Page{Title: "Users and roles", Errors: errs,
		Data: userListData{Users: us, Departments: ds, Candidates: cands, Roles: civic.Roles, Form: form}})
}

func (h *Handler) userCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	person, err := formInt(r, "person_id")
	form := userForm{PersonID: person, Email: strings.TrimSpace(r.PostFormValue("email"))}
	if err == nil {
		form.Grants, err = grantsFromForm(r)
	}
	if err == nil && form.Email == "" && person > 0 {
		if p, perr := h.store.Person(r.Context(), person); perr == nil {
			form.Email = p.Email
		}
	}
	var u *civic.User
	if err == nil {
		u = &civic.User{PersonID: form.PersonID, Email: form.Email, Grants: form.Grants}
		err = h.people.CreateUser(r.Context(), route.Actor(r), u, r.PostFormValue("password"))
	}
	if err != nil {
		if fe, ok := formErrors(err); ok {
			return h.renderUsers(w, r, http.StatusUnprocessableEntity, form, fe)
		}
		return err
	}
	return seeOther(w, r, "/users/"+itoa(u.ID), "created")
}

type userData struct {
	Target      *civic.User
	Departments []*civic.Department
	Roles       []civic.Role
	Form        userForm
	Self        bool
}

func (h *Handler) userShow(w http.ResponseWriter, r *http.Request) error {
	return h.renderUser(w, r, http.StatusOK, nil, nil)
}

func (h *Handler) renderUser(w http.ResponseWriter, r *http.Request, status int, form *userForm, errs []FieldError) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	u, err := h.store.User(r.Context(), id)
	if err != nil {
		return err
	}
	ds, err := h.store.Departments(r.Context())
	if err != nil {
		return err
	}
	f := userForm{PersonID: u.PersonID, Email: u.Email, Grants: u.Grants}
	if form != nil {
		f = *form
	}
	return h.render(w, r, status, "user", Page{Title: u.Email, Errors: errs,
		Data: userData{Target: u, Departments: ds, Roles: civic.Roles, Form: f, Self: u.ID == route.User(r).ID}})
}

// userChange runs a change on the user in the path and redirects with
// notice, or shows the user page with the error.
func (h *Handler) userChange(w http.ResponseWriter, r *http.Request, notice string, fn func(id int64) error) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	if err := fn(id); err != nil {
		if fe, ok := formErrors(err); ok {
			var form *userForm
			if gs, gerr := grantsFromForm(r); gerr == nil && notice == "roles" {
				form = &userForm{Grants: gs}
			}
			return h.renderUser(w, r, http.StatusUnprocessableEntity, form, fe)
		}
		return err
	}
	return seeOther(w, r, "/users/"+itoa(id), notice)
}

func (h *Handler) userRoles(w http.ResponseWriter, r *http.Request) error {
	return h.userChange(w, r, "roles", func(id int64) error {
		gs, err := grantsFromForm(r)
		if err != nil {
			return err
		}
		// The form shows the sic_commander role but cannot take it (its
		// checkbox is disabled, so never posted): a commander keeps it. A
		// form that posts it anyway is passed on, to be refused.
		if target, err := h.store.User(r.Context(), id); err == nil && target.Has(civic.RoleSICCommander) {
			gs = append(gs, civic.Grant{Role: civic.RoleSICCommander})
		}
		return h.people.SetRoles(r.Context(), route.Actor(r), id, gs)
	})
}

func (h *Handler) userDisable(w http.ResponseWriter, r *http.Request) error {
	return h.userChange(w, r, "disabled", func(id int64) error {
		return h.people.SetDisabled(r.Context(), route.Actor(r), id, true)
	})
}

func (h *Handler) userEnable(w http.ResponseWriter, r *http.Request) error {
	return h.userChange(w, r, "enabled", func(id int64) error {
		return h.people.SetDisabled(r.Context(), route.Actor(r), id, false)
	})
}

func (h *Handler) userPassword(w http.ResponseWriter, r *http.Request) error {
	return h.userChange(w, r, "password", func(id int64) error {
		return h.people.ResetPassword(r.Context(), route.Actor(r), id, r.PostFormValue("password"))
	})
}
