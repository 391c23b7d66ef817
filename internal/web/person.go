package web

import (
	"net/http"
	"strings"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/route"
)

type personListData struct {
	People      []*civic.Person
	Departments []*civic.Department
	Kinds       []civic.PersonKind
	Filter      civic.PersonFilter
	Form        civic.Person
}

// personFromForm reads a covered person from a posted form.
func personFromForm(r *http.Request) (civic.Person, error) {
	dept, err := formInt(r, "department_id")
	if err != nil {
		return civic.Person{}, err
	}
	return civic.Person{
		Name:         r.PostFormValue("name"),
		Email:        r.PostFormValue("email"),
		Title:        r.PostFormValue("title"),
		Kind:         civic.PersonKind(r.PostFormValue("kind")),
		DepartmentID: dept,
	}, nil
}

func (h *Handler) personList(w http.ResponseWriter, r *http.Request) error {
	return h.renderPeople(w, r, http.StatusOK, civic.Person{Kind: civic.KindEmployee}, nil)
}

func (h *Handler) renderPeople(w http.ResponseWriter, r *http.Request, status int, form civic.Person, errs []FieldError) error {
	q := r.URL.Query()
	f := civic.PersonFilter{Kind: civic.PersonKind(q.Get("kind")), Query: strings.TrimSpace(q.Get("q"))}
	if f.Kind != "" && !f.Kind.Valid() {
		f.Kind = ""
	}
	if v := q.Get("department"); v != "" {
		if d, err := h.store.DepartmentBySlug(r.Context(), v); err == nil {
			f.DepartmentID = d.ID
		}
	}
	ps, err := h.store.People(r.Context(), f)
	if err != nil {
		return err
	}
	ds, err := h.store.Departments(r.Context())
	if err != nil {
		return err
	}
	return h.render(w, r, status, "people", Page{Title: "People", Errors: errs,
		Data: personListData{People: ps, Departments: ds, Kinds: civic.PersonKinds, Filter: f, Form: form}})
}

func (h *Handler) personCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	p, err := personFromForm(r)
	if err == nil {
		err = h.people.CreatePerson(r.Context(), route.Actor(r), &p)
	}
	if err != nil {
		if fe, ok := formErrors(err); ok {
			return h.renderPeople(w, r, http.StatusUnprocessableEntity, p, fe)
		}
		return err
	}
	return seeOther(w, r, "/people/"+itoa(p.ID), "created")
}

type personData struct {
	Person      *civic.Person
	Departments []*civic.Department
	Kinds       []civic.PersonKind
	User        *civic.User
	Personal    *personalUse
}

func (h *Handler) personShow(w http.ResponseWriter, r *http.Request) error {
	return h.renderPerson(w, r, http.StatusOK, nil, nil)
}

func (h *Handler) renderPerson(w http.ResponseWriter, r *http.Request, status int, form *civic.Person, errs []FieldError) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	p, err := h.store.Person(r.Context(), id)
	if err != nil {
		return err
	}
	title := p.Name
	if form != nil {
		form.ID, form.CreatedAt = p.ID, p.CreatedAt
		p = form
	}
	ds, err := h.store.Departments(r.Context())
	if err != nil {
		return err
	}
	data := personData{Person: p, Departments: ds, Kinds: civic.PersonKinds}
	if route.User(r).Can(civic.PermUsersView) {
		us, err := h.store.Users(r.Context())
		if err != nil {
			return err
		}
		for _, u := range us {
			if u.PersonID == id {
				data.User = u
			}
		}
	}
	if data.Personal, err = h.personalUse(r.Context(), route.Actor(r), id, route.User(r).PersonID == id); err != nil {
		return err
	}
	return h.render(w, r, status, "person", Page{Title: title, Errors: errs, Data: data})
}

func (h *Handler) personUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	p, err := personFromForm(r)
	p.ID = id
	if err == nil {
		err = h.people.UpdatePerson(r.Context(), route.Actor(r), &p)
	}
	if err != nil {
		if fe, ok := formErrors(err); ok {
			return h.renderPerson(w, r, http.StatusUnprocessableEntity, &p, fe)
		}
		return err
	}
	return seeOther(w, r, "/people/"+itoa(id), "saved")
}
