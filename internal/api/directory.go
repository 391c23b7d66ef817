package api

import (
	"net/http"
	"strconv"
	"strings"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/route"
)

func (h *Handler) departmentList(w http.ResponseWriter, r *http.Request) error {
	ds, err := h.store.Departments(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, items(ds))
}

func (h *Handler) departmentGet(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	d, err := h.store.Department(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, d)
}

type departmentInput struct {
	Slug *string `json:"slug"`
	Name *string `json:"name"`
}

func (h *Handler) departmentCreate(w http.ResponseWriter, r *http.Request) error {
	var in departmentInput
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Name == nil {
		return required("name")
	}
	if in.Slug == nil {
		return required("slug")
	}
	d := &civic.Department{Slug: *in.Slug, Name: *in.Name}
	if err := h.people.CreateDepartment(r.Context(), route.Actor(r), d); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/departments/"+strconv.FormatInt(d.ID, 10))
	return writeJSON(w, http.StatusCreated, d)
}

func (h *Handler) departmentPatch(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in departmentInput
	if err := decode(r, &in); err != nil {
		return err
	}
	d, err := h.store.Department(r.Context(), id)
	if err != nil {
		return err
	}
	if in.Slug != nil {
		d.Slug = *in.Slug
	}
	if in.Name != nil {
		d.Name = *in.Name
	}
	if err := h.people.UpdateDepartment(r.Context(), route.Actor(r), d); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, d)
}

func (h *Handler) personList(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := civic.PersonFilter{Kind: civic.PersonKind(q.Get("kind")), Query: strings.TrimSpace(q.Get("q"))}
	if f.Kind != "" && !f.Kind.Valid() {
		return civic.Invalid("kind", "unknown kind %q", f.Kind)
	}
	if v := q.Get("department_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return civic.Invalid("department_id", "%q is not an id", v)
		}
		f.DepartmentID = id
	}
	ps, err := h.store.People(r.Context(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, items(ps))
}

func (h *Handler) personGet(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	p, err := h.store.Person(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, p)
}

type personInput struct {
	Name         *string `json:"name"`
	Email        *string `json:"email"`
	Title        *string `json:"title"`
	Kind         *string `json:"kind"`
	DepartmentID *int64  `json:"department_id"`
}

// apply copies the given fields onto p.
func (in personInput) apply(p *civic.Person) {
	if in.Name != nil {
		p.Name = *in.Name
	}
	if in.Email != nil {
		p.Email = *in.Email
	}
	if in.Title != nil {
		p.Title = *in.Title
	}
	if in.Kind != nil {
		p.Kind = civic.PersonKind(*in.Kind)
	}
	if in.DepartmentID != nil {
		p.DepartmentID = *in.DepartmentID
	}
}

func (h *Handler) personCreate(w http.ResponseWriter, r *http.Request) error {
	var in personInput
	if err := decode(r, &in); err != nil {
		return err
	}
	for f, v := range map[string]bool{"name": in.Name == nil, "kind": in.Kind == nil, "department_id": in.DepartmentID == nil} {
		if v {
			return required(f)
		}
	}
	p := &civic.Person{}
	in.apply(p)
	if err := h.people.CreatePerson(r.Context(), route.Actor(r), p); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/people/"+strconv.FormatInt(p.ID, 10))
	return writeJSON(w, http.StatusCreated, p)
}

func (h *Handler) personPatch(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in personInput
	if err := decode(r, &in); err != nil {
		return err
	}
	p, err := h.store.Person(r.Context(), id)
	if err != nil {
		return err
	}
	in.apply(p)
	if err := h.people.UpdatePerson(r.Context(), route.Actor(r), p); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, p)
}
