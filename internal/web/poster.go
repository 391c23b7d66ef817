package web

import (
	"net/http"
	"strings"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/plain"
	"steward.city/steward/internal/route"
)

// posterData is the authorized posters page (PPL-2).
type posterData struct {
	Posters []*civic.Poster
	Now     time.Time
	Default string // default expiry date for a grant
	// Turns says, for each waiting request, who decides it (issue 17).
	Turns map[int64]string
}

func (h *Handler) posterList(w http.ResponseWriter, r *http.Request) error {
	return h.renderPosters(w, r, http.StatusOK, nil)
}

func (h *Handler) renderPosters(w http.ResponseWriter, r *http.Request, status int, errs []FieldError) error {
	ps, err := h.reg.Posters(r.Context(), route.Actor(r))
	if err != nil {
		return err
	}
	now := h.now()
	turns := map[int64]string{}
	for _, p := range ps {
		if p.Status != civic.PosterRequested {
			continue
		}
		t, err := h.reg.PosterTurn(r.Context(), p)
		if err != nil {
			return err
		}
		if t.Nobody() {
			turns[p.ID] = "Nobody can decide: the department has no director, designee or delegate; an administrator or Communications can set one at Approval settings."
		} else {
			turns[p.ID] = "Decided by " + strings.Join(t.Names(), ", ") + "."
		}
	}
	return h.render(w, r, status, "posters", Page{Title: "Authorized posters", Errors: errs, Data: posterData{Posters: ps, Now: now, Turns: turns, Default: plain.CityDay(now, h.loc).AddDate(1, 0, 0).Format(time.DateOnly)}})
}

func (h *Handler) posterAction(w http.ResponseWriter, r *http.Request, fn func(id int64) error) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	if err := fn(id); err != nil {
		if fe, ok := formErrors(err); ok {
			return h.renderPosters(w, r, route.Status(err), fe)
		}
		return err
	}
	return seeOther(w, r, "/posters", "saved")
}

func (h *Handler) posterDecide(w http.ResponseWriter, r *http.Request) error {
	return h.posterAction(w, r, func(id int64) error {
		grant := r.PostFormValue("decision") == "grant"
		var exp time.Time
		if grant {
			var err error
			if exp, err = time.Parse("2006-01-02", r.PostFormValue("expires")); err != nil {
				return civic.Invalid("expires", "give the expiry date as 2027-11-21")
			}
		}
		return h.reg.DecidePoster(r.Context(), route.Actor(r), id, grant, exp, r.PostFormValue("note"))
	})
}

func (h *Handler) posterRevoke(w http.ResponseWriter, r *http.Request) error {
	return h.posterAction(w, r, func(id int64) error {
		return h.reg.RevokePoster(r.Context(), route.Actor(r), id, r.PostFormValue("note"))
	})
}

func (h *Handler) posterRecertify(w http.ResponseWriter, r *http.Request) error {
	return h.posterAction(w, r, func(id int64) error {
		return h.reg.Recertify(r.Context(), route.Actor(r), id)
	})
}
