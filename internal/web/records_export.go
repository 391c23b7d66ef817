package web

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/jobs"
	"steward.city/steward/internal/plain"
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
	job, err := strconv.ParseInt(r.PathValue("job"), 10, 64)
	if err != nil || job <= 0 {
		return 0, jobs.Task{}, civic.Errorf(civic.KindNotFound, "no such page")
	}
	t, err := q.Task(r.Context(), route.Actor(r), records.ExportTask{}.Kind(), civic.PermRecordsManage, job)
	if err != nil {
		return 0, jobs.Task{}, err
	}
	var a records.ExportTask
	if err := json.Unmarshal(t.Args, &a); err != nil || a.Request != id {
		return 0, jobs.Task{}, civic.Errorf(civic.KindNotFound, "task %d not found", job)
	}
	return id, t, nil
}

type exportData struct {
	Request     int64
	Task        jobs.Task
	Left        time.Duration
	Step        string // capitalised
	Done, Total string // with thousands separators
	Size        string // of the bag, when ready
}

// exportPage shows an export's progress, then its download link; a small
// script (static/progress.js) refreshes the progress while it runs.
func (p *recordsPages) exportPage(w http.ResponseWriter, r *http.Request) error {
	id, t, err := exportTask(r, p.jobs)
	if err != nil {
		return err
	}
	d := exportData{Request: id, Task: t, Left: t.Left(p.now()), Step: "Starting", Done: plain.Number(int(t.Done)), Total: plain.Number(int(t.Total))}
	if t.Step != "" {
		d.Step = strings.ToUpper(t.Step[:1]) + t.Step[1:]
	}
	if t.Result != nil {
		d.Size = plain.Count(int(t.Result.Size), "byte", "bytes")
	}
	return p.render(w, r, http.StatusOK, "records_export", Page{Title: fmt.Sprintf("Export of records request %d", id), Data: d})
}

// exportBag downloads a finished export's bag.
func (p *recordsPages) exportBag(w http.ResponseWriter, r *http.Request) error {
	_, t, err := exportTask(r, p.jobs)
	if err != nil {
		return err
	}
	rc, err := p.jobs.Open(r.Context(), p.archive.Blobs(), t)
	if err != nil {
		return err
	}
	defer rc.Close()
	// A large bag takes longer to send than the server's write timeout
	// allows a page: the download alone has none (a client that goes
	// away ends it).
	_ = http.NewResponseController(w).SetWriteDeadline(time.Time{})
	w.Header().Set("Content-Type", t.Result.Type)
	w.Header().Set("Content-Length", strconv.FormatInt(t.Result.Size, 10))
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": t.Result.Name}))
	if _, err := io.Copy(w, rc); err != nil && !route.Gone(r) {
		p.log.Error("records export download failed after it started", "job", t.ID, "err", err)
	}
	return nil
}
