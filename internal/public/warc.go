package public

import (
	"fmt"
	"mime"
	"net/http"
	"strings"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/route"
)

// warc sends an official account's month of public records as a WARC
// file (ISO 28500), the platform's payloads as captured with their
// classification and hash: what the portal shows of that month, and
// nothing withheld (archive.PublicMonth).
func (h *Handler) warc(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "account")
	if err != nil {
		return err
	}
	a, err := h.archive.PublicAccount(r.Context(), id)
	if err != nil {
		return err
	}
	m := strings.TrimSpace(r.URL.Query().Get("month"))
	from, err := time.ParseInLocation("2006-01", m, h.loc)
	if err != nil || len(m) != 7 {
		return civic.Invalid("month", "write the month as YYYY-MM, for example 2026-01")
	}
	select {
	case h.warcTurn <- struct{}{}:
		defer func() { <-h.warcTurn }()
	default:
		w.Header().Set("Retry-After", "60")
		return h.render(w, r, http.StatusServiceUnavailable, "error", page{Title: "Busy",
			Data: "Another download is being written. Please try again in a minute."}, time.Time{})
	}
	set, err := h.archive.PublicMonth(r.Context(), a, from, from.AddDate(0, 1, 0))
	if err != nil {
		return err
	}
	name := fmt.Sprintf("public-records-account-%d-%s.warc.gz", a.ID, from.Format("2006-01"))
	// A month with media takes longer to send than the server's write
	// timeout allows a page; a client that goes away ends it.
	_ = http.NewResponseController(w).SetWriteDeadline(time.Time{})
	hd := w.Header()
	hd.Set("Content-Type", "application/warc")
	hd.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	hd.Set("Cache-Control", "public, max-age=300")
	if _, err := h.archive.WritePublicWARC(r.Context(), set, name, w); err != nil && !route.Gone(r) {
		// The status is sent: the file ends short, which a WARC reader
		// sees (each record is its own gzip member, with its length).
		h.log.Error("public WARC failed after it started", "account", a.ID, "month", m, "err", err)
	}
	return nil
}
