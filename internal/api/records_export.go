package api

import (
	"fmt"
	"net/http"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/jobs"
	"steward.city/steward/internal/records"
	"steward.city/steward/internal/route"
)

// exportView is an export as GET .../exports/{job} shows it.
type exportView struct {
	taskJSON
	Request int64 `json:"request"`
}

func (a *recordsAPI) view(id int64, t jobs.Task) exportView {
	return exportView{a.taskView(t, fmt.Sprintf("/api/v1/records/requests/%d/exports/%d", id, t.ID), "/bag"), id}
}

// export queues the request's bag as a background job: 202 with the
// export's URL (also in Location), whose GET tells its progress.
func (a *recordsAPI) export(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	actor := route.Actor(r)
	if err := a.svc.CanQueueExport(r.Context(), actor, id); err != nil {
		return err
	}
	job, err := a.jobs.EnqueueTask(r.Context(), actor, records.ExportTask{Request: id, By: actor.UserID})
	if err != nil {
		return err
	}
	t, err := a.jobs.Task(r.Context(), actor, records.ExportTask{}.Kind(), civic.PermRecordsManage, job)
	if err != nil {
		return err
	}
	v := a.view(id, t)
	w.Header().Set("Location", v.URL)
	return writeJSON(w, http.StatusAccepted, v)
}

// exportTask returns the export job named in the path, if it is one of
// this request's and the user's (or they manage jobs); to anyone else it
// is not found.
func (a *recordsAPI) exportTask(r *http.Request) (int64, jobs.Task, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, jobs.Task{}, err
	}
	job, err := taskID(r)
	if err != nil {
		return 0, jobs.Task{}, err
	}
	_, t, err := jobs.TaskOf(r.Context(), a.jobs, route.Actor(r), civic.PermRecordsManage, job, func(e records.ExportTask) bool { return e.Request == id })
	return id, t, err
}

func (a *recordsAPI) exportStatus(w http.ResponseWriter, r *http.Request) error {
	id, t, err := a.exportTask(r)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, a.view(id, t))
}

// exportBag downloads a finished export's bag; before it is ready, 409.
func (a *recordsAPI) exportBag(w http.ResponseWriter, r *http.Request) error {
	_, t, err := a.exportTask(r)
	if err != nil {
		return err
	}
	return a.serveResult(w, r, t)
}
