package api

import (
	"net/http"
	"strconv"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/route"
)

// covertAccessList is the covert access page: grants for commanders and the
// covert approver, and the covert access log for commanders.
type covertAccessList struct {
	Items    []*civic.CovertAccess `json:"items"`
	Events   []*civic.AuditEvent   `json:"events"`
	Approver string                `json:"approver_department"`
}

func (h *Handler) covertAccessList(w http.ResponseWriter, r *http.Request) error {
	v, err := h.reg.CovertAccess(r.Context(), route.Actor(r))
	if err != nil {
		return err
	}
	out := covertAccessList{Items: v.Grants, Events: v.Events, Approver: v.Slug}
	if out.Items == nil {
		out.Items = []*civic.CovertAccess{}
	}
	if out.Events == nil {
		out.Events = []*civic.AuditEvent{}
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusOK, out)
}

// writeAccess answers with grant id as the store has it.
func (h *Handler) writeAccess(w http.ResponseWriter, r *http.Request, id int64, status int) error {
	a, err := h.store.CovertAccess(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, status, a)
}

func (h *Handler) covertAccessPropose(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		UserID int64  `json:"user_id"`
		Kind   string `json:"kind"`
		Reason string `json:"reason"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	a := &civic.CovertAccess{UserID: in.UserID, Kind: civic.CovertAccessKind(in.Kind), Reason: in.Reason}
	if err := h.reg.ProposeCovertAccess(r.Context(), route.Actor(r), a); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/covert-access/"+strconv.FormatInt(a.ID, 10))
	return h.writeAccess(w, r, a.ID, http.StatusCreated)
}

func (h *Handler) covertAccessDecide(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Decision string `json:"decision"`
		Note     string `json:"note"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if err := h.reg.DecideCovertAccess(r.Context(), route.Actor(r), id, in.Decision, in.Note); err != nil {
		return err
	}
	return h.writeAccess(w, r, id, http.StatusOK)
}

func (h *Handler) covertAccessWithdraw(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := h.reg.WithdrawCovertAccess(r.Context(), route.Actor(r), id); err != nil {
		return err
	}
	return h.writeAccess(w, r, id, http.StatusOK)
}

func (h *Handler) covertAccessRevoke(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Reason string `json:"reason"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if err := h.reg.RevokeCovertAccess(r.Context(), route.Actor(r), id, in.Reason); err != nil {
		return err
	}
	return h.writeAccess(w, r, id, http.StatusOK)
}
