package web

import (
	"fmt"
	"net/http"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/importer"
	"steward.city/steward/internal/jobs"
	"steward.city/steward/internal/route"
)

// importUpload takes a platform's export for an archive account (the form
// on the account's page: platform, file) and imports it in the background.
// The account and the platform are checked before the file is read when
// they can be; the file is streamed to the blob store, never whole in
// memory, and deleted again if the request is refused. The browser goes
// to the import's progress page.
func (a *archivePages) importUpload(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	actor := route.Actor(r)
	acct, err := a.svc.IngestAccount(r.Context(), actor, id)
	if err != nil {
		return err
	}
	blobs := a.archive.Blobs()
	rc, err := jobs.Receive(r, blobs, a.importMax, "file")
	if err == nil {
		err = importer.CheckPlatform(rc.Fields["platform"], acct.Ref)
	}
	var job int64
	if err == nil {
		job, err = a.jobs.EnqueueTask(r.Context(), actor, importer.Task{Account: id, Platform: rc.Fields["platform"], Export: *rc.File, By: actor.UserID})
	}
	if err != nil {
		rc.Discard(r, blobs)
		return err
	}
	return seeOther(w, r, fmt.Sprintf("/archive/accounts/%d/import/%d", id, job), "")
}

// importTask returns the import job named in the path, if it is this
// account's and the user's (or they manage jobs).
func importTask(r *http.Request, q *jobs.Queue) (importer.Task, jobs.Task, error) {
	id, err := pathID(r)
	if err != nil {
		return importer.Task{}, jobs.Task{}, err
	}
	job, err := taskID(r)
	if err != nil {
		return importer.Task{}, jobs.Task{}, err
	}
	return jobs.TaskOf(r.Context(), q, route.Actor(r), civic.PermArchiveIngest, job, func(t importer.Task) bool { return t.Account == id })
}

// importPage shows an import's progress, then what it did and its report.
func (a *archivePages) importPage(w http.ResponseWriter, r *http.Request) error {
	args, t, err := importTask(r, a.jobs)
	if err != nil {
		return err
	}
	return a.renderTask(w, r, "Import of "+args.Export.Name, taskData{Unit: "entries of the export",
		Back: "/archive/items", BackText: "Back to the archive", What: "The import",
		Lede:     "The export is imported in the background: you may leave this page and come back to it. Only you, and an administrator, can see it; its report is kept for 23 hours after it is done.",
		Download: fmt.Sprintf("/archive/accounts/%d/import/%d/file", args.Account, t.ID), Task: t,
		Hint: "The imported items are in the archive now. The report counts them and lists each entry of the export that was skipped, where it is in the file and why."})
}

// importFile downloads an import's report.
func (a *archivePages) importFile(w http.ResponseWriter, r *http.Request) error {
	_, t, err := importTask(r, a.jobs)
	if err != nil {
		return err
	}
	return a.serveResult(w, r, t)
}
