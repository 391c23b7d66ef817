package api

import (
	"net/http"
	"strconv"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/jobs"
)

// taskJSON is a background task (a records export, a WARC file) as its URL
// shows it.
type taskJSON struct {
	ID          int64      `json:"id"`
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
	Summary     string     `json:"summary,omitempty"` // what it found or did, once done
}

// taskView is task t at url; its file downloads at url+file.
func (h *Handler) taskView(t jobs.Task, url, file string) taskJSON {
	v := taskJSON{ID: t.ID, State: t.State, Ready: t.Ready(), Done: t.Done, Total: t.Total, Percent: t.Percent(), Step: t.Step,
		SecondsLeft: int64(t.Left(h.now()) / time.Second), Error: t.Error, CreatedAt: t.Created, StartedAt: t.Started, FinishedAt: t.Finished, RetryAt: t.Retry,
		URL: url}
	if t.Ready() {
		v.DownloadURL, v.Name, v.Size, v.Summary = url+file, t.Result.Name, t.Result.Size, t.Summary
	}
	return v
}

// taskID reads the job number in the path ({job}).
func taskID(r *http.Request) (int64, error) {
	job, err := strconv.ParseInt(r.PathValue("job"), 10, 64)
	if err != nil || job <= 0 {
		return 0, civic.Errorf(civic.KindNotFound, "%q is not an id", r.PathValue("job"))
	}
	return job, nil
}

// serveResult downloads a finished task's file; before it is ready, 409.
func (h *Handler) serveResult(w http.ResponseWriter, r *http.Request, t jobs.Task) error {
	return h.jobs.ServeResult(w, r, h.archive.Blobs(), t, h.log)
}
