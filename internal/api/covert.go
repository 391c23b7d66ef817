package api

import (
	"net/http"
	"strconv"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/route"
)

func (h *Handler) covertList(w http.ResponseWriter, r *http.Request) error {
	ps, err := h.reg.CovertProfiles(r.Context(), route.Actor(r))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, items(ps))
}

// covertDetail is a profile with its audits and credentials (no secrets).
type covertDetail struct {
	*civic.CovertProfile
	Audits      []*civic.CovertAudit `json:"audits"`
	Credentials []*civic.Credential  `json:"credentials"`
}

func (h *Handler) writeCovert(w http.ResponseWriter, r *http.Request, id int64, status int) error {
	p, as, cs, err := h.reg.CovertProfile(r.Context(), route.Actor(r), id)
	if err != nil {
		return err
	}
	d := covertDetail{CovertProfile: p, Audits: as, Credentials: cs}
	if d.Audits == nil {
		d.Audits = []*civic.CovertAudit{}
	}
	if d.Credentials == nil {
		d.Credentials = []*civic.Credential{}
	}
	return writeJSON(w, status, d)
}

func (h *Handler) covertGet(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return h.writeCovert(w, r, id, http.StatusOK)
}

func (h *Handler) covertRegister(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		SiteName     string `json:"site_name"`
		SiteURL      string `json:"site_url"`
		Username     string `json:"username"`
		ScreenName   string `json:"screen_name"`
		MaintainerID int64  `json:"maintainer_id"`
		Purpose      string `json:"purpose"`
		RegisteredOn string `json:"registered_on"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	p := &civic.CovertProfile{SiteName: in.SiteName, SiteURL: in.SiteURL, Username: in.Username, ScreenName: in.ScreenName, MaintainerID: in.MaintainerID, Purpose: in.Purpose}
	if in.RegisteredOn != "" {
		t, err := time.Parse("2006-01-02", in.RegisteredOn)
		if err != nil {
			return civic.Invalid("registered_on", "give the date as 2026-11-21")
		}
		p.RegisteredOn = t
	}
	if err := h.reg.RegisterCovert(r.Context(), route.Actor(r), p); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/covert-profiles/"+strconv.FormatInt(p.ID, 10))
	return h.writeCovert(w, r, p.ID, http.StatusCreated)
}

// covertAction decodes in, runs fn on the profile {id} and answers it.
func (h *Handler) covertAction(w http.ResponseWriter, r *http.Request, in any, fn func(id int64) error) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := decode(r, in); err != nil {
		return err
	}
	if err := fn(id); err != nil {
		return err
	}
	return h.writeCovert(w, r, id, http.StatusOK)
}

func (h *Handler) covertAudit(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		StillActive bool   `json:"still_active"`
		StillNeeded bool   `json:"still_needed"`
		Note        string `json:"note"`
	}
	return h.covertAction(w, r, &in, func(id int64) error {
		return h.reg.AuditCovert(r.Context(), route.Actor(r), id, in.StillActive, in.StillNeeded, in.Note)
	})
}

func (h *Handler) covertEnd(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Status  civic.CovertStatus `json:"status"`
		EndedOn string             `json:"ended_on"`
		Reason  string             `json:"reason"`
	}
	return h.covertAction(w, r, &in, func(id int64) error {
		var on time.Time
		if in.EndedOn != "" {
			var err error
			if on, err = time.Parse("2006-01-02", in.EndedOn); err != nil {
				return civic.Invalid("ended_on", "give the date as 2026-11-21")
			}
		}
		return h.reg.EndCovert(r.Context(), route.Actor(r), id, in.Status, on, in.Reason)
	})
}

func (h *Handler) covertPassword(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Secret string `json:"secret"`
	}
	return h.covertAction(w, r, &in, func(id int64) error {
		return h.reg.StoreCovertPassword(r.Context(), route.Actor(r), id, in.Secret)
	})
}

func (h *Handler) notificationList(w http.ResponseWriter, r *http.Request) error {
	ns, err := h.store.Notifications(r.Context(), route.User(r).ID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, items(ns))
}
