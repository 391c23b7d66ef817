package api

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/jobs"
	"steward.city/steward/internal/route"
)

// warcView is a WARC file being written, as its URL shows it.
type warcView struct {
	taskJSON
	Account  int64  `json:"account"`
	Month    string `json:"month"`
	Format   string `json:"format"`
	Withheld bool   `json:"withheld"`
}

func (a *archiveAPI) warcView(args archive.TransferTask, t jobs.Task) warcView {
	f, _ := archive.TransferFormat(args.Format)
	return warcView{a.taskView(t, fmt.Sprintf("/api/v1/archive/accounts/%d/warc/%d", args.Account, t.ID), "/file"), args.Account, args.Month, f, args.Withheld}
}

// warc asks for an archive account's month ({"month": "YYYY-MM"}, the
// city's calendar) as a WARC file, a WACZ package or a transfer bag
// ("format": "warc" (the default), "wacz" or "transfer"), of its public
// versions, or with the withheld ones marked ("withheld": true, the
// records officer only): the month, the format and the account are
// checked at once (a covert profile's account is refused), a worker
// writes the file. 202 with its URL.
func (a *archiveAPI) warc(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Month    string `json:"month"`
		Format   string `json:"format"`
		Withheld bool   `json:"withheld"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	from, err := time.ParseInLocation("2006-01", strings.TrimSpace(in.Month), a.loc)
	if err != nil {
		return civic.Invalid("month", "write the month as YYYY-MM, for example 2026-01")
	}
	format, err := archive.TransferFormat(in.Format)
	if err != nil {
		return err
	}
	actor := route.Actor(r)
	if _, err := a.svc.TransferSelect(r.Context(), actor, archive.TransferQuery{AccountID: id, From: from, To: from.AddDate(0, 1, 0), IncludeWithheld: in.Withheld}); err != nil {
		return err
	}
	args := archive.TransferTask{Account: id, Month: from.Format("2006-01"), Format: format, Withheld: in.Withheld, By: actor.UserID}
	job, err := a.jobs.EnqueueTask(r.Context(), actor, args)
	if err != nil {
		return err
	}
	t, err := a.jobs.Task(r.Context(), actor, args.Kind(), civic.PermArchiveView, job)
	if err != nil {
		return err
	}
	v := a.warcView(args, t)
	w.Header().Set("Location", v.URL)
	return writeJSON(w, http.StatusAccepted, v)
}

// warcTask returns the WARC job named in the path, if it is this
// account's and the user's (or they manage jobs).
func (a *archiveAPI) warcTask(r *http.Request) (archive.TransferTask, jobs.Task, error) {
	id, err := pathID(r)
	if err != nil {
		return archive.TransferTask{}, jobs.Task{}, err
	}
	job, err := taskID(r)
	if err != nil {
		return archive.TransferTask{}, jobs.Task{}, err
	}
	return jobs.TaskOf(r.Context(), a.jobs, route.Actor(r), civic.PermArchiveView, job, func(w archive.TransferTask) bool { return w.Account == id })
}

func (a *archiveAPI) warcStatus(w http.ResponseWriter, r *http.Request) error {
	args, t, err := a.warcTask(r)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, a.warcView(args, t))
}

func (a *archiveAPI) warcFile(w http.ResponseWriter, r *http.Request) error {
	_, t, err := a.warcTask(r)
	if err != nil {
		return err
	}
	return a.serveResult(w, r, t)
}
