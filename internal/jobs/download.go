package jobs

import (
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"time"

	"steward.city/steward/internal/blob"
	"steward.city/steward/internal/route"
)

// ServeResult sends a finished task's file as a download, for the pages
// and the API alike; before it is ready it returns Open's conflict, which
// the caller's error handling answers.
func (q *Queue) ServeResult(w http.ResponseWriter, r *http.Request, blobs blob.Store, t Task, log *slog.Logger) error {
	rc, err := q.Open(r.Context(), blobs, t)
	if err != nil {
		return err
	}
	defer rc.Close()
	// A large file takes longer to send than the server's write timeout
	// allows a page: the download alone has none (a client that goes
	// away ends it).
	_ = http.NewResponseController(w).SetWriteDeadline(time.Time{})
	w.Header().Set("Content-Type", t.Result.Type)
	w.Header().Set("Content-Length", strconv.FormatInt(t.Result.Size, 10))
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": t.Result.Name}))
	w.Header().Set("Cache-Control", "no-store")
	if _, err := io.Copy(w, rc); err != nil && !route.Gone(r) {
		log.Error("download of a task's result failed after it started", "job", t.ID, "err", err)
	}
	return nil
}
