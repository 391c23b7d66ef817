package api

import (
	"net/http"
	"time"

	"steward.city/steward/internal/audit"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/route"
)

func (h *Handler) tokenList(w http.ResponseWriter, r *http.Request) error {
	u := route.User(r)
	owner := u.ID
	all, err := boolParam(r, "all")
	if err != nil {
		return err
	}
	if all {
		if !u.Can(civic.PermTokensAll) {
			return civic.Errorf(civic.KindForbidden, "your roles do not allow listing every user's tokens")
		}
		owner = 0
	}
	ts, err := h.store.Tokens(r.Context(), owner)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, items(ts))
}

// createdToken is a new token with its secret, shown this once.
type createdToken struct {
	*civic.Token
	Secret string `json:"token"`
}

func (h *Handler) tokenCreate(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name          string `json:"name"`
		ExpiresInDays int    `json:"expires_in_days"`
		UserID        int64  `json:"user_id"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	u := route.User(r)
	if in.UserID == 0 {
		in.UserID = u.ID
	}
	if in.ExpiresInDays < 0 || in.ExpiresInDays > 3650 {
		return civic.Invalid("expires_in_days", "choose between 0 (never expires) and 3650 days")
	}
	secret, tk, err := h.auth.CreateToken(r.Context(), route.Actor(r), in.UserID, in.Name, time.Duration(in.ExpiresInDays)*24*time.Hour)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, createdToken{Token: tk, Secret: secret})
}

func (h *Handler) tokenRevoke(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := h.auth.RevokeToken(r.Context(), route.Actor(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) auditList(w http.ResponseWriter, r *http.Request) error {
	f, err := route.AuditFilter(r, func(email string) (*civic.User, error) { return h.store.UserByEmail(r.Context(), email) })
	if err != nil {
		return err
	}
	// Numbered in the caller's own sequence, without the chain's hashes:
	// nothing shows where events hidden from them sit.
	p, err := audit.List(r.Context(), h.store, route.User(r), f)
	if err != nil {
		return err
	}
	out := struct {
		Items      []*audit.Entry `json:"items"`
		NextBefore int64          `json:"next_before,omitempty"`
	}{Items: p.Entries, NextBefore: p.Next}
	return writeJSON(w, http.StatusOK, out)
}
