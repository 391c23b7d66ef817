package api

import (
	"fmt"
	"net/http"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/jobs"
	"steward.city/steward/internal/route"
)

// runView is a disposition run with its list and, once it is approved,
// the task that executes it (when the caller may see it: the clerk who
// approved it, or one who manages jobs).
type runView struct {
	Run     *civic.DispositionRun     `json:"run"`
	Entries []*civic.DispositionEntry `json:"entries"`
	Task    *taskJSON                 `json:"task,omitempty"`
}

func (a *archiveAPI) runGet(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	run, err := a.store.DispositionRun(r.Context(), id)
	if err != nil {
		return err
	}
	es, err := a.store.DispositionEntries(r.Context(), id)
	if err != nil {
		return err
	}
	if es == nil {
		es = []*civic.DispositionEntry{}
	}
	v := runView{Run: run, Entries: es}
	if run.Status != "proposed" && a.jobs != nil {
		_, t, err := jobs.FindTask(r.Context(), a.jobs, route.Actor(r), civic.PermArchiveView, func(t archive.DispositionTask) bool { return t.Run == id })
		switch {
		case err == nil:
			tv := a.runTaskView(id, t)
			v.Task = &tv
		case civic.ErrorKind(err) != civic.KindNotFound:
			return err
		}
	}
	return writeJSON(w, http.StatusOK, v)
}

func (a *archiveAPI) runTaskView(run int64, t jobs.Task) taskJSON {
	return a.taskView(t, fmt.Sprintf("/api/v1/archive/dispositions/%d/task/%d", run, t.ID), "/file")
}

// runApproved is the answer to an approval: the run, approved and not yet
// executed, and the task that executes it.
type runApproved struct {
	Run  *civic.DispositionRun `json:"run"`
	Task taskJSON              `json:"task"`
}

// runApprove records the clerk's approval and queues the run's execution:
// 202 with the task's URL (Location). Approving a run again is 409.
func (a *archiveAPI) runApprove(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	actor := route.Actor(r)
	run, job, err := a.svc.ApproveDisposition(r.Context(), actor, id)
	if err != nil {
		return err
	}
	return a.runQueued(w, r, run, job)
}

// runResume queues the execution of an approved run whose task stopped
// (cancelled, failed for good, or forgotten by the queue): 202 with the new
// task's URL. A run proposed, executed or still being executed is 409.
func (a *archiveAPI) runResume(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	run, job, err := a.svc.ResumeDisposition(r.Context(), route.Actor(r), id)
	if err != nil {
		return err
	}
	return a.runQueued(w, r, run, job)
}

// runQueued answers 202 with the run and the task queued to execute it.
func (a *archiveAPI) runQueued(w http.ResponseWriter, r *http.Request, run *civic.DispositionRun, job int64) error {
	id, actor := run.ID, route.Actor(r)
	v := runApproved{Run: run, Task: taskJSON{ID: job, State: "available", URL: fmt.Sprintf("/api/v1/archive/dispositions/%d/task/%d", id, job)}}
	if t, err := a.jobs.Task(r.Context(), actor, archive.DispositionTask{}.Kind(), civic.PermArchiveView, job); err == nil {
		v.Task = a.runTaskView(id, t)
	}
	w.Header().Set("Location", v.Task.URL)
	return writeJSON(w, http.StatusAccepted, v)
}

// runTask returns the job named in the path, if it executes the run the
// path names and the caller may see it.
func (a *archiveAPI) runTask(r *http.Request) (archive.DispositionTask, jobs.Task, error) {
	id, err := pathID(r)
	if err != nil {
		return archive.DispositionTask{}, jobs.Task{}, err
	}
	job, err := taskID(r)
	if err != nil {
		return archive.DispositionTask{}, jobs.Task{}, err
	}
	return jobs.TaskOf(r.Context(), a.jobs, route.Actor(r), civic.PermArchiveView, job, func(t archive.DispositionTask) bool { return t.Run == id })
}

func (a *archiveAPI) runTaskStatus(w http.ResponseWriter, r *http.Request) error {
	args, t, err := a.runTask(r)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, a.runTaskView(args.Run, t))
}

func (a *archiveAPI) runTaskFile(w http.ResponseWriter, r *http.Request) error {
	_, t, err := a.runTask(r)
	if err != nil {
		return err
	}
	return a.serveResult(w, r, t)
}
