package web

import (
	"net/http"

	"steward.city/steward/internal/jobs"
	"steward.city/steward/internal/route"
)

type jobData struct {
	Jobs        []jobs.Job
	Count       map[string]int
	MaxAttempts int
}

// jobList shows the background jobs that need an operator's eye: failed
// for good, waiting to be tried again, running now, with their errors.
func (h *Handler) jobList(w http.ResponseWriter, r *http.Request) error {
	js, err := h.jobs.List(r.Context(), route.Actor(r))
	if err != nil {
		return err
	}
	d := jobData{Jobs: js, Count: map[string]int{}, MaxAttempts: jobs.MaxAttempts}
	for _, j := range js {
		d.Count[j.State]++
	}
	return h.render(w, r, http.StatusOK, "jobs", Page{Title: "Background jobs", Data: d})
}

func (h *Handler) jobRetry(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := h.jobs.Retry(r.Context(), route.Actor(r), id); err != nil {
		return err
	}
	return seeOther(w, r, "/admin/jobs", "job_retried")
}

func (h *Handler) jobCancel(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := h.jobs.Cancel(r.Context(), route.Actor(r), id); err != nil {
		return err
	}
	return seeOther(w, r, "/admin/jobs", "job_cancelled")
}
