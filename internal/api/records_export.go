package api

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/jobs"
	"steward.city/steward/internal/records"
	"steward.city/steward/internal/route"
)

// exportView is an export as GET .../exports/{job} shows it.
type exportView struct {
	ID          int64      `json:"id"`
	Request     int64      `json:"request"`
	State       string     `json:"state"` // available (waiting), running, retryable (failed, will be tried again), completed, cancelled (failed for good)
	Ready       bool       `json:"ready"`
	Done        int64      `json:"done"`
	Total       int64      `json:"total"`
	Percent     int        `json:"percent"`
	Step        string     `json:"step,omitempty"`
	SecondsLeft int64      `json:"seconds_left,omitempty"` // an estimate while it runs
	Error       string     `json:"error,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	StartedAt   *time.Time `json:"started_at,omitempty"`
	FinishedAt  *time.Time `json:"finished_at,omitempty"`
	RetryAt     *time.Time `json:"retry_at,omitempty"`
	URL         string     `json:"url"`
	DownloadURL string     `json:"download_url,omitempty"` // when ready
	Name        string     `json:"name,omitempty"`
	Size        int64      `json:"size,omitempty"`
	SHA256      string     `json:"sha256,omitempty"`
}

func (a *recordsAPI) view(id int64, t jobs.Task) exportView {
	v := exportView{ID: t.ID, Request: id, State: t.State, Ready: t.Ready(), Done: t.Done, Total: t.Total, Percent: t.Percent(), Step: t.Step,
		SecondsLeft: int64(t.Left(a.now()) / time.Second), Error: t.Error, CreatedAt: t.Created, StartedAt: t.Started, FinishedAt: t.Finished, RetryAt: t.Retry,
		URL: fmt.Sprintf("/api/v1/records/requests/%d/exports/%d", id, t.ID)}
	if t.Ready() {
		v.DownloadURL, v.Name, v.Size, v.SHA256 = v.URL+"/bag", t.Result.Name, t.Result.Size, t.Result.Blob
	}
	return v
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
	job, err := strconv.ParseInt(r.PathValue("job"), 10, 64)
	if err != nil || job <= 0 {
		return 0, jobs.Task{}, civic.Errorf(civic.KindNotFound, "%q is not an id", r.PathValue("job"))
	}
	t, err := a.jobs.Task(r.Context(), route.Actor(r), records.ExportTask{}.Kind(), civic.PermRecordsManage, job)
	if err != nil {
		return 0, jobs.Task{}, err
	}
	var args records.ExportTask
	if err := json.Unmarshal(t.Args, &args); err != nil || args.Request != id {
		return 0, jobs.Task{}, civic.Errorf(civic.KindNotFound, "task %d not found", job)
	}
	return id, t, nil
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
	rc, err := a.jobs.Open(r.Context(), a.archive.Blobs(), t)
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
		a.log.Error("records export download failed after it started", "job", t.ID, "err", err)
	}
	return nil
}
