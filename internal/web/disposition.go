package web

import (
	"fmt"
	"net/http"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/jobs"
	"steward.city/steward/internal/route"
)

// runData is a disposition run's page: the run, its list, and the task
// that executes it, when the reader may see it (the clerk who approved
// it, or one who manages jobs).
type runData struct {
	Run     *civic.DispositionRun
	Entries []*civic.DispositionEntry
	Task    *jobs.Task
	TaskURL string
	Handled int // entries disposed of or skipped so far
	Percent int
	Refresh bool // the page updates itself: the run or its list is not done
	// Stopped: the run is approved but no task is waiting, running or to
	// be retried for it (cancelled, failed for good, or forgotten by the
	// queue); a clerk may resume it.
	Stopped bool
}

func (a *archivePages) runShow(w http.ResponseWriter, r *http.Request) error {
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
	d := runData{Run: run, Entries: es, Handled: run.Disposed + run.Skipped}
	if run.Items > 0 {
		d.Percent = min(100, d.Handled*100/run.Items)
	}
	if run.Status != "proposed" && a.jobs != nil {
		_, t, err := jobs.FindTask(r.Context(), a.jobs, route.Actor(r), civic.PermArchiveView, func(t archive.DispositionTask) bool { return t.Run == id })
		switch {
		case err == nil:
			d.Task, d.TaskURL = &t, fmt.Sprintf("/archive/dispositions/%d/task/%d", id, t.ID)
		case civic.ErrorKind(err) != civic.KindNotFound:
			return err
		}
	}
	if run.Status == "approved" && a.jobs != nil {
		// Whether a task executes the run, whoever may see it: a clerk
		// who did not approve it sees no task, not a stopped run.
		live, err := jobs.Live(r.Context(), a.jobs, func(t archive.DispositionTask) bool { return t.Run == id })
		if err != nil {
			return err
		}
		d.Stopped = !live
	}
	d.Refresh = run.Status == "approved" && !d.Stopped || d.Task != nil && !d.Task.Ready() && !d.Task.Over()
	return a.render(w, r, http.StatusOK, "archive_disposition", Page{Title: "Disposition run " + itoa(id), Data: d})
}

// runApprove records the clerk's approval and queues the run's execution;
// the browser goes back to the run's page, which shows its progress.
func (a *archivePages) runApprove(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, _, err := a.svc.ApproveDisposition(r.Context(), route.Actor(r), id); err != nil {
		return err
	}
	return seeOther(w, r, "/archive/dispositions/"+itoa(id), "saved")
}

// runResume queues a stopped run's execution again; it goes on from
// where it stopped.
func (a *archivePages) runResume(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, _, err := a.svc.ResumeDisposition(r.Context(), route.Actor(r), id); err != nil {
		return err
	}
	return seeOther(w, r, "/archive/dispositions/"+itoa(id), "saved")
}

// runTask returns the job named in the path, if it executes the run the
// path names and the reader may see it.
func runTask(r *http.Request, q *jobs.Queue) (archive.DispositionTask, jobs.Task, error) {
	id, err := pathID(r)
	if err != nil {
		return archive.DispositionTask{}, jobs.Task{}, err
	}
	job, err := taskID(r)
	if err != nil {
		return archive.DispositionTask{}, jobs.Task{}, err
	}
	return jobs.TaskOf(r.Context(), q, route.Actor(r), civic.PermArchiveView, job, func(t archive.DispositionTask) bool { return t.Run == id })
}

// runTaskPage shows the execution's progress, then the list's download.
func (a *archivePages) runTaskPage(w http.ResponseWriter, r *http.Request) error {
	args, t, err := runTask(r, a.jobs)
	if err != nil {
		return err
	}
	return a.renderTask(w, r, fmt.Sprintf("Executing disposition run %d", args.Run), taskData{
		Back: fmt.Sprintf("/archive/dispositions/%d", args.Run), BackText: "Back to the disposition run", What: "The disposition list",
		Download: fmt.Sprintf("/archive/dispositions/%d/task/%d/file", args.Run, t.ID), Task: t,
		Hint: "The file lists each item of the run: when it was disposed of, or why it was skipped, and the hashes its tombstones keep in the archive's log."})
}

// runTaskFile downloads the disposition list.
func (a *archivePages) runTaskFile(w http.ResponseWriter, r *http.Request) error {
	_, t, err := runTask(r, a.jobs)
	if err != nil {
		return err
	}
	return a.serveResult(w, r, t)
}
