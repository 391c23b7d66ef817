package api

import (
	"net/http"
	"strings"

	"steward.city/steward/internal/jobs"
	"steward.city/steward/internal/route"
)

// jobList lists background jobs: by default those that failed for good,
// wait to be tried again or are running; ?state=a,b picks the states.
func (h *Handler) jobList(w http.ResponseWriter, r *http.Request) error {
	var states []string
	if s := r.URL.Query().Get("state"); s != "" {
		states = strings.Split(s, ",")
	}
	js, err := h.jobs.List(r.Context(), route.Actor(r), states...)
	if err != nil {
		return err
	}
	if js == nil {
		js = []jobs.Job{}
	}
	return writeJSON(w, http.StatusOK, struct {
		Items []jobs.Job `json:"items"`
	}{js})
}

func (h *Handler) jobRetry(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	j, err := h.jobs.Retry(r.Context(), route.Actor(r), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, j)
}

func (h *Handler) jobCancel(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	j, err := h.jobs.Cancel(r.Context(), route.Actor(r), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, j)
}
