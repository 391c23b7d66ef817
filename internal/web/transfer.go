package web

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

// warc asks for an archive account's month (month=YYYY-MM, the city's
// calendar) as a WARC file, a WACZ package or a transfer bag
// (format=warc|wacz|transfer): public versions only, as the portal's rule
// classifies them, unless the records officer asks for the withheld ones
// too (withheld=on). The month, the format and the account are checked
// here (a covert profile's account is refused); a worker writes the file
// in the background, and the browser goes to its progress page.
func (a *archivePages) warc(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	month := strings.TrimSpace(r.FormValue("month"))
	from, err := time.ParseInLocation("2006-01", month, a.loc)
	if err != nil {
		return civic.Invalid("month", "write the month as YYYY-MM, for example 2026-01")
	}
	format, err := archive.TransferFormat(r.FormValue("format"))
	if err != nil {
		return err
	}
	withheld := r.FormValue("withheld") == "on"
	actor := route.Actor(r)
	if _, err := a.svc.TransferSelect(r.Context(), actor, archive.TransferQuery{AccountID: id, From: from, To: from.AddDate(0, 1, 0), IncludeWithheld: withheld}); err != nil {
		return err
	}
	job, err := a.jobs.EnqueueTask(r.Context(), actor, archive.TransferTask{Account: id, Month: from.Format("2006-01"), Format: format, Withheld: withheld, By: actor.UserID})
	if err != nil {
		return err
	}
	return seeOther(w, r, fmt.Sprintf("/archive/accounts/%d/warc/%d", id, job), "")
}

// warcTask returns the transfer job named in the path, if it is this
// account's and the user's (or they manage jobs).
func warcTask(r *http.Request, q *jobs.Queue) (archive.TransferTask, jobs.Task, error) {
	id, err := pathID(r)
	if err != nil {
		return archive.TransferTask{}, jobs.Task{}, err
	}
	job, err := taskID(r)
	if err != nil {
		return archive.TransferTask{}, jobs.Task{}, err
	}
	return jobs.TaskOf(r.Context(), q, route.Actor(r), civic.PermArchiveView, job, func(w archive.TransferTask) bool { return w.Account == id })
}

// warcPage shows the WARC's progress, then its download link.
func (a *archivePages) warcPage(w http.ResponseWriter, r *http.Request) error {
	args, t, err := warcTask(r, a.jobs)
	if err != nil {
		return err
	}
	name := args.FormatName()
	title := name + " of " + args.Month
	if m, err := time.Parse("2006-01", args.Month); err == nil {
		title = name + " of " + m.Format("January 2006")
	}
	if args.Withheld {
		title += ", withheld records included"
	}
	hint := "A WARC file (ISO 28500) opens in web archive players such as ReplayWeb.page."
	switch args.Format {
	case archive.FormatWACZ:
		hint = "A WACZ package opens in ReplayWeb.page and other web archive players as it is."
	case archive.FormatTransfer:
		hint = "A BagIt transfer bag for the state archives. Check it with: steward verify " + args.FileName()
	}
	return a.renderTask(w, r, strings.ToUpper(title[:1])+title[1:], taskData{
		Back: "/archive/items", BackText: "Back to the archive", What: "The " + name,
		Download: fmt.Sprintf("/archive/accounts/%d/warc/%d/file", args.Account, t.ID), Task: t, Hint: hint})
}

// warcFile downloads a finished WARC file.
func (a *archivePages) warcFile(w http.ResponseWriter, r *http.Request) error {
	_, t, err := warcTask(r, a.jobs)
	if err != nil {
		return err
	}
	return a.serveResult(w, r, t)
}
