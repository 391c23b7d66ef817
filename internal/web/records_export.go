package web

import (
	"fmt"
	"net/http"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/jobs"
	"steward.city/steward/internal/records"
	"steward.city/steward/internal/route"
)

// export queues the request's bag as a background job and shows its
// progress page: no request writes a bag.
func (p *recordsPages) export(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	actor := route.Actor(r)
	if err := p.svc.CanQueueExport(r.Context(), actor, id); err != nil {
		return err
	}
	job, err := p.jobs.EnqueueTask(r.Context(), actor, records.ExportTask{Request: id, By: actor.UserID})
	if err != nil {
		return err
	}
	return seeOther(w, r, fmt.Sprintf("/records/%d/exports/%d", id, job), "")
}

// exportTask returns the export job named in the path, if it is one of
// this request's and the user's (or they manage jobs).
func exportTask(r *http.Request, q *jobs.Queue) (int64, jobs.Task, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, jobs.Task{}, err
	}
	job, err := taskID(r)
	if err != nil {
		return 0, jobs.Task{}, err
	}
	_, t, err := jobs.TaskOf(r.Context(), q, route.Actor(r), civic.PermRecordsManage, job, func(e records.ExportTask) bool { return e.Request == id })
	return id, t, err
}

// exportPage shows an export's progress, then its download link; a small
// script (static/progress.js) refreshes the progress while it runs.
func (p *recordsPages) exportPage(w http.ResponseWriter, r *http.Request) error {
	id, t, err := exportTask(r, p.jobs)
	if err != nil {
		return err
	}
	d := taskData{Back: fmt.Sprintf("/records/%d", id), BackText: fmt.Sprintf("Back to records request %d", id), What: "The bag",
		Download: fmt.Sprintf("/records/%d/exports/%d/bag", id, t.ID), Task: t}
	if t.Result != nil {
		d.Hint = "Check it with: steward verify " + t.Result.Name
	}
	return p.renderTask(w, r, fmt.Sprintf("Export of records request %d", id), d)
}

// exportBag downloads a finished export's bag.
func (p *recordsPages) exportBag(w http.ResponseWriter, r *http.Request) error {
	_, t, err := exportTask(r, p.jobs)
	if err != nil {
		return err
	}
	return p.serveResult(w, r, t)
}
