package web

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/route"
)

// warc streams an archive account's month (month=YYYY-MM, the city's
// calendar) as a WARC file: public versions only, as the portal's rule
// classifies them; a covert profile's account is refused before anything
// is sent. Records are written as they are read, one at a time.
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
	to := from.AddDate(0, 1, 0)
	set, err := a.svc.TransferSelect(r.Context(), route.Actor(r), archive.TransferQuery{AccountID: id, From: from, To: to})
	if err != nil {
		return err
	}
	name := fmt.Sprintf("steward-account-%d-%s.warc.gz", id, from.Format("2006-01"))
	w.Header().Set("Content-Type", "application/warc")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	if _, err := a.svc.WriteWARC(r.Context(), route.Actor(r), set, name, w); err != nil {
		// The status is sent: the file ends short, and the log says why.
		a.log.Error("warc download cut short", "account", id, "month", month, "err", err)
		panic(http.ErrAbortHandler)
	}
	return nil
}
