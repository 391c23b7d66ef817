package api

import (
	"net/http"
	"strconv"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/route"
)

func (h *Handler) userList(w http.ResponseWriter, r *http.Request) error {
	us, err := h.store.Users(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, items(us))
}

func (h *Handler) userGet(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	u, err := h.store.User(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, u)
}

type userInput struct {
	PersonID *int64        `json:"person_id"`
	Email    *string       `json:"email"`
	Password string        `json:"password"`
	Roles    []civic.Grant `json:"roles"`
}

func (h *Handler) userCreate(w http.ResponseWriter, r *http.Request) error {
	var in userInput
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.PersonID == nil {
		return civic.Invalid("person_id", "a user must be linked to a covered person: person_id is required")
	}
	if in.Email == nil {
		return required("email")
	}
	u := &civic.User{PersonID: *in.PersonID, Email: *in.Email, Grants: in.Roles}
	if err := h.people.CreateUser(r.Context(), route.Actor(r), u, in.Password); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/users/"+strconv.FormatInt(u.ID, 10))
	return writeJSON(w, http.StatusCreated, u)
}

type userPatch struct {
	Roles    *[]civic.Grant `json:"roles"`
	Disabled *bool          `json:"disabled"`
}

func (h *Handler) userPatch(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in userPatch
	if err := decode(r, &in); err != nil {
		return err
	}
	ctx, actor := r.Context(), route.Actor(r)
	if in.Roles != nil {
		if err := h.people.SetRoles(ctx, actor, id, *in.Roles); err != nil {
			return err
		}
	}
	if in.Disabled != nil {
		if err := h.people.SetDisabled(ctx, actor, id, *in.Disabled); err != nil {
			return err
		}
	}
	u, err := h.store.User(ctx, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, u)
}

func (h *Handler) userPassword(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Password string `json:"password"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if err := h.people.ResetPassword(r.Context(), route.Actor(r), id, in.Password); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
