package api

import (
	"fmt"
	"net/http"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/importer"
	"steward.city/steward/internal/jobs"
	"steward.city/steward/internal/route"
)

// importView is an import, as its URL shows it.
type importView struct {
	taskJSON
	Account  int64  `json:"account"`
	Platform string `json:"platform"`
	File     string `json:"file"`      // the uploaded export's name
	FileSize int64  `json:"file_size"` // its bytes
}

func (a *archiveAPI) importView(args importer.Task, t jobs.Task) importView {
	return importView{a.taskView(t, fmt.Sprintf("/api/v1/archive/accounts/%d/import/%d", args.Account, t.ID), "/file"), args.Account, args.Platform, args.Export.Name, args.Export.Size}
}

// importUpload takes a platform's export for an archive account and
// imports it in the background: the export as a multipart/form-data part
// named file (with a field platform), or as the whole body of another
// type with ?platform=P (and ?name=, the file's name). The account, and a
// platform given in the query, are checked before the body is read; the
// body is streamed to the blob store, never whole in memory, and deleted
// again if the request is refused. 202 with the import's URL.
func (a *archiveAPI) importUpload(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	actor := route.Actor(r)
	acct, err := a.svc.IngestAccount(r.Context(), actor, id)
	if err != nil {
		return err
	}
	if p := r.URL.Query().Get("platform"); p != "" {
		if err := importer.CheckPlatform(p, acct.Ref); err != nil {
			return err
		}
	}
	blobs := a.archive.Blobs()
	rc, err := jobs.Receive(r, blobs, a.importMax, "file")
	if err == nil {
		err = importer.CheckPlatform(rc.Fields["platform"], acct.Ref)
	}
	args := importer.Task{Account: id, By: actor.UserID}
	var job int64
	if err == nil {
		args.Platform, args.Export = rc.Fields["platform"], *rc.File
		job, err = a.jobs.EnqueueTask(r.Context(), actor, args)
	}
	if err != nil {
		rc.Discard(r, blobs)
		return err
	}
	t, err := a.jobs.Task(r.Context(), actor, args.Kind(), civic.PermArchiveIngest, job)
	if err != nil {
		return err
	}
	v := a.importView(args, t)
	w.Header().Set("Location", v.URL)
	return writeJSON(w, http.StatusAccepted, v)
}

// importTask returns the import job named in the path, if it is this
// account's and the user's (or they manage jobs).
func (a *archiveAPI) importTask(r *http.Request) (importer.Task, jobs.Task, error) {
	id, err := pathID(r)
	if err != nil {
		return importer.Task{}, jobs.Task{}, err
	}
	job, err := taskID(r)
	if err != nil {
		return importer.Task{}, jobs.Task{}, err
	}
	return jobs.TaskOf(r.Context(), a.jobs, route.Actor(r), civic.PermArchiveIngest, job, func(t importer.Task) bool { return t.Account == id })
}

func (a *archiveAPI) importStatus(w http.ResponseWriter, r *http.Request) error {
	args, t, err := a.importTask(r)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, a.importView(args, t))
}

func (a *archiveAPI) importFile(w http.ResponseWriter, r *http.Request) error {
	_, t, err := a.importTask(r)
	if err != nil {
		return err
	}
	return a.serveResult(w, r, t)
}
