package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/jobs"
	"steward.city/steward/internal/plain"
)

// taskData is the page of a background task (task.html): its progress,
// then its download link.
type taskData struct {
	Back, BackText string // the page the task belongs to
	What           string // "The bag", capitalised
	Lede           string // what the page says first, when not that What is written in the background
	Unit           string // what the task counts ("entries"); "steps" when empty
	Download       string // the result's URL
	Hint           string // what to do with the result
	Task           jobs.Task
	Left           time.Duration
	Step           string // capitalised
	Done, Total    string // with thousands separators
	Size           string // of the result, when ready
}

// renderTask shows task t's page.
func (h *Handler) renderTask(w http.ResponseWriter, r *http.Request, title string, d taskData) error {
	t := d.Task
	d.Left, d.Step, d.Done, d.Total = t.Left(h.now()), "Starting", plain.Number(int(t.Done)), plain.Number(int(t.Total))
	if t.Step != "" {
		d.Step = strings.ToUpper(t.Step[:1]) + t.Step[1:]
	}
	if t.Result != nil {
		d.Size = plain.Size(t.Result.Size)
	}
	return h.render(w, r, http.StatusOK, "task", Page{Title: title, Data: d})
}

// taskID reads the job number in the path ({job}).
func taskID(r *http.Request) (int64, error) {
	job, err := strconv.ParseInt(r.PathValue("job"), 10, 64)
	if err != nil || job <= 0 {
		return 0, civic.Errorf(civic.KindNotFound, "no such page")
	}
	return job, nil
}

// serveResult downloads a finished task's file; before it is ready, 409.
func (h *Handler) serveResult(w http.ResponseWriter, r *http.Request, t jobs.Task) error {
	return h.jobs.ServeResult(w, r, h.archive.Blobs(), t, h.log)
}
