package web

import (
	"net/http"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/route"
)

type departmentListData struct {
	Departments []*civic.Department
	Counts      map[int64]int
	Form        civic.Department
}

func (h *Handler) departmentList(w http.ResponseWriter, r *http.Request) error {
	return h.renderDepartments(w, r, http.StatusOK, civic.Department{}, nil)
}

func (h *Handler) renderDepartments(w http.ResponseWriter, r *http.Request, status int, form civic.Department, errs []FieldError) error {
	ds, err := h.store.Departments(r.Context())
	if err != nil {
		return err
	}
	counts := map[int64]int{}
	if route.User(r).Can(civic.PermPeopleView) {
		ps, err := h.store.People(r.Context(), civic.PersonFilter{})
		if err != nil {
			return err
		}
		for _, p := range ps {
			counts[p.DepartmentID]++
		}
	}
	return h.render(w, r, status, "departments", Page{Title: "Departments", Errors: errs, Data: departmentListData{Departments: ds, Counts: counts, Form: form}})
}

func (h *Handler) departmentCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	d := civic.Department{Slug: r.PostFormValue("slug"), Name: r.PostFormValue("name")}
	if err := h.people.CreateDepartment(r.Context(), route.Actor(r), &d); err != nil {
		if fe, ok := formErrors(err); ok {
			return h.renderDepartments(w, r, http.StatusUnprocessableEntity, d, fe)
		}
		return err
	}
	return seeOther(w, r, "/departments", "created")
}

type departmentData struct {
	Department *civic.Department
	People     []*civic.Person
	ShowPeople bool
}

func (h *Handler) departmentShow(w http.ResponseWriter, r *http.Request) error {
	return h.renderDepartment(w, r, http.StatusOK, nil, nil)
}

func (h *Handler) renderDepartment(w http.ResponseWriter, r *http.Request, status int, form *civic.Department, errs []FieldError) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	d, err := h.store.Department(r.Context(), id)
	if err != nil {
		return err
	}
	if form != nil {
		d.Slug, d.Name = form.Slug, form.Name
	}
	data := departmentData{Department: d}
	if route.User(r).Can(civic.PermPeopleView) {
		data.ShowPeople = true
		if data.People, err = h.store.People(r.Context(), civic.PersonFilter{DepartmentID: id}); err != nil {
			return err
		}
	}
	return h.render(w, r, status, "department", Page{Title: d.Name, Errors: errs, Data: data})
}

func (h *Handler) departmentUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	d := civic.Department{ID: id, Slug: r.PostFormValue("slug"), Name: r.PostFormValue("name")}
	if err := h.people.UpdateDepartment(r.Context(), route.Actor(r), &d); err != nil {
		if fe, ok := formErrors(err); ok {
			return h.renderDepartment(w, r, http.StatusUnprocessableEntity, &d, fe)
		}
		return err
	}
	return seeOther(w, r, "/departments/"+r.PathValue("id"), "saved")
}
