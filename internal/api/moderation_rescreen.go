package api

import (
	"fmt"
	"net/http"
	"strconv"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/jobs"
	"steward.city/steward/internal/moderation"
	"steward.city/steward/internal/route"
)

// rescreenView is a screening again, as its URL shows it.
type rescreenView struct {
	taskJSON
	Days int `json:"days"`
}

func (a *moderationAPI) rescreenView(args moderation.RescreenTask, t jobs.Task) rescreenView {
	days := args.Days
	if days <= 0 {
		days = moderation.RescreenDays
	}
	return rescreenView{a.taskView(t, fmt.Sprintf("/api/v1/moderation/rescreen/%d", t.ID), "/file"), days}
}

// rescreen asks for the last days' comments ({"days": N}, 30 when absent)
// to be screened again with the screener in force: 202 with its URL, whose
// file (CSV) lists what changed.
func (a *moderationAPI) rescreen(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Days *int `json:"days"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	s := ""
	if in.Days != nil {
		s = strconv.Itoa(*in.Days)
	}
	days, err := moderation.RescreenWindow(s)
	if err != nil {
		return err
	}
	actor := route.Actor(r)
	args := moderation.RescreenTask{Days: days, By: actor.UserID}
	job, err := a.jobs.EnqueueTask(r.Context(), actor, args)
	if err != nil {
		return err
	}
	t, err := a.jobs.Task(r.Context(), actor, args.Kind(), civic.PermModerationConfigure, job)
	if err != nil {
		return err
	}
	v := a.rescreenView(args, t)
	w.Header().Set("Location", v.URL)
	return writeJSON(w, http.StatusAccepted, v)
}

func (a *moderationAPI) rescreenTask(r *http.Request) (moderation.RescreenTask, jobs.Task, error) {
	job, err := taskID(r)
	if err != nil {
		return moderation.RescreenTask{}, jobs.Task{}, err
	}
	return jobs.TaskOf(r.Context(), a.jobs, route.Actor(r), civic.PermModerationConfigure, job, func(moderation.RescreenTask) bool { return true })
}

func (a *moderationAPI) rescreenStatus(w http.ResponseWriter, r *http.Request) error {
	args, t, err := a.rescreenTask(r)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, a.rescreenView(args, t))
}

func (a *moderationAPI) rescreenFile(w http.ResponseWriter, r *http.Request) error {
	_, t, err := a.rescreenTask(r)
	if err != nil {
		return err
	}
	return a.serveResult(w, r, t)
}
