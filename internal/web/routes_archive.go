package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/route"
)

// archiveRoutes are the pages of the archive.
func (h *Handler) archiveRoutes() []route.Route {
	a := &archivePages{Handler: h, svc: h.archive}
	get, post := http.MethodGet, http.MethodPost
	view := civic.PermArchiveView
	return []route.Route{
		{Method: get, Path: "/archive/items", Perm: view, Summary: "search the archive", Handle: a.search},
		{Method: get, Path: "/archive/items/{id}", Perm: view, Summary: "one item: every version and its thread", Handle: a.item},
		{Method: post, Path: "/archive/items/{id}/classification", Perm: civic.PermRecordsManage, Summary: "classify an item's versions under the Data Practices Act (clerk)", Handle: a.classify},
		{Method: post, Path: "/archive/accounts/{id}/warc", Perm: view, Summary: "write an account's month (month=YYYY-MM) as a WARC file, a WACZ package or a transfer bag (format=warc|wacz|transfer; withheld=on, records officer) in the background", Handle: a.warc},
		{Method: get, Path: "/archive/accounts/{id}/warc/{job}", Perm: view, Summary: "a WARC, WACZ or transfer bag's progress, then its download link", Handle: a.warcPage},
		{Method: get, Path: "/archive/accounts/{id}/warc/{job}/file", Perm: view, Summary: "download a finished WARC, WACZ or transfer bag", Handle: a.warcFile},
		{Method: post, Path: "/archive/accounts/{id}/import", Perm: civic.PermArchiveIngest, Upload: h.importMax + 1<<20, Summary: "import a platform's export (file, platform) into an account's archive in the background", Handle: a.importUpload},
		{Method: get, Path: "/archive/accounts/{id}/import/{job}", Perm: civic.PermArchiveIngest, Summary: "an import's progress, then what it did and its report", Handle: a.importPage},
		{Method: get, Path: "/archive/accounts/{id}/import/{job}/file", Perm: civic.PermArchiveIngest, Summary: "download an import's report (CSV)", Handle: a.importFile},
		{Method: get, Path: "/archive/holds", Perm: view, Summary: "legal holds", Handle: a.holdList},
		{Method: post, Path: "/archive/holds", Perm: civic.PermArchiveHold, Summary: "place a legal hold", Handle: a.holdCreate},
		{Method: get, Path: "/archive/holds/{id}", Perm: view, Summary: "one legal hold", Handle: a.holdShow},
		{Method: post, Path: "/archive/holds/{id}/release", Perm: civic.PermArchiveHold, Summary: "release a legal hold", Handle: a.holdRelease},
		{Method: get, Path: "/archive/retention", Perm: view, Summary: "the retention schedule", Handle: a.retention},
		{Method: get, Path: "/archive/dispositions", Perm: view, Summary: "disposition runs", Handle: a.runList},
		{Method: post, Path: "/archive/dispositions", Perm: civic.PermArchiveDispose, Summary: "propose a disposition run", Handle: a.runCreate},
		{Method: get, Path: "/archive/dispositions/{id}", Perm: view, Summary: "one disposition run and its list", Handle: a.runShow},
		{Method: post, Path: "/archive/dispositions/{id}/approve", Perm: civic.PermArchiveDispose, Summary: "approve a disposition run; it is executed in the background", Handle: a.runApprove},
		{Method: post, Path: "/archive/dispositions/{id}/resume", Perm: civic.PermArchiveDispose, Summary: "resume an approved run whose execution stopped", Handle: a.runResume},
		{Method: get, Path: "/archive/dispositions/{id}/task/{job}", Perm: view, Summary: "the progress of a disposition run's execution, then its disposition list", Handle: a.runTaskPage},
		{Method: get, Path: "/archive/dispositions/{id}/task/{job}/file", Perm: view, Summary: "download a disposition run's list (CSV)", Handle: a.runTaskFile},
		{Method: get, Path: "/archive/checkpoints", Public: true, Summary: "signed checkpoints of the archive (public)", Handle: a.checkpoints},
		{Method: get, Path: "/checkpoint", Public: true, Summary: "the newest signed checkpoint with its cosignatures, as text (public)", Handle: a.checkpointLatest},
		{Method: get, Path: "/checkpoint/proof", Public: true, Summary: "a consistency proof between two tree sizes, as text (public)", Handle: a.checkpointProof},
	}
}

type archivePages struct {
	*Handler
	svc *archive.Service
}

const searchPageSize = 25

type searchData struct {
	Q          string
	Hits       []*civic.Version
	Total      int  // versions matching, when Q is not empty, up to civic.ArchiveTotalCap
	Capped     bool // more than Total match
	Prev, Next string
	Searched   bool
}

func (a *archivePages) search(w http.ResponseWriter, r *http.Request) error {
	qs := strings.TrimSpace(r.URL.Query().Get("q"))
	data := searchData{Q: qs, Searched: true}
	offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
	offset = max(offset, 0)
	q, err := archive.ParseQueryIn(qs, a.loc)
	if err == nil {
		q.Offset, q.Limit = offset, searchPageSize+1
		if qs == "" {
			// The newest versions: counting the whole archive tells a
			// reader nothing they asked.
			data.Hits, err = a.svc.Search(r.Context(), route.Actor(r), q)
		} else {
			data.Hits, data.Total, err = a.svc.SearchCount(r.Context(), route.Actor(r), q)
			if data.Total > civic.ArchiveTotalCap {
				data.Total, data.Capped = civic.ArchiveTotalCap, true
			}
		}
	}
	if err != nil {
		if fe, ok := formErrors(err); ok {
			return a.render(w, r, http.StatusUnprocessableEntity, "archive_items", Page{Title: "Archive", Errors: fe, Data: data})
		}
		return err
	}
	link := func(off int) string {
		return "/archive/items?" + url.Values{"q": {qs}, "offset": {strconv.Itoa(off)}}.Encode()
	}
	if len(data.Hits) > searchPageSize {
		data.Hits = data.Hits[:searchPageSize]
		data.Next = link(offset + searchPageSize)
	}
	if offset > 0 {
		data.Prev = link(max(offset-searchPageSize, 0))
	}
	return a.render(w, r, http.StatusOK, "archive_items", Page{Title: "Archive", Data: data})
}

func (a *archivePages) item(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	v, err := a.itemPage(r, id, classForm{Class: string(civic.ClassPrivate), VersionID: "all"})
	if err != nil {
		return err
	}
	return a.render(w, r, http.StatusOK, "archive_item", Page{Title: "Archived " + string(v.Item.Kind) + " " + v.Item.PlatformID, Data: v})
}

type holdForm struct{ Matter, Accounts, From, Until, Query string }

type holdListData struct {
	Holds []*civic.Hold
	Form  holdForm
}

func (a *archivePages) holdList(w http.ResponseWriter, r *http.Request) error {
	return a.renderHolds(w, r, http.StatusOK, holdForm{}, nil)
}

func (a *archivePages) renderHolds(w http.ResponseWriter, r *http.Request, status int, f holdForm, errs []FieldError) error {
	hs, err := a.store.Holds(r.Context())
	if err != nil {
		return err
	}
	return a.render(w, r, status, "archive_holds", Page{Title: "Legal holds", Errors: errs, Data: holdListData{Holds: hs, Form: f}})
}

func (a *archivePages) holdCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	f := holdForm{Matter: r.PostFormValue("matter"), Accounts: r.PostFormValue("accounts"), From: r.PostFormValue("from"), Until: r.PostFormValue("until"), Query: r.PostFormValue("query")}
	h := &civic.Hold{Matter: f.Matter, Accounts: strings.Fields(strings.ReplaceAll(f.Accounts, ",", " ")), Query: f.Query}
	err := func() error {
		var err error
		if h.From, err = cityDate("from", f.From, false, a.loc); err != nil {
			return err
		}
		if h.Until, err = cityDate("until", f.Until, true, a.loc); err != nil {
			return err
		}
		return a.svc.PlaceHold(r.Context(), route.Actor(r), h)
	}()
	if err != nil {
		if fe, ok := formErrors(err); ok {
			return a.renderHolds(w, r, http.StatusUnprocessableEntity, f, fe)
		}
		return err
	}
	return seeOther(w, r, "/archive/holds/"+itoa(h.ID), "created")
}

// formDate reads an optional date field; an end date is inclusive, so it
// becomes the start of the next day.
func formDate(field, s string, end bool) (*time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return nil, civic.Invalid(field, "enter a date like 2025-01-31")
	}
	if end {
		t = t.AddDate(0, 0, 1)
	}
	return &t, nil
}

// cityDate reads a day typed into a form as an instant: its first moment
// in the city (loc), or with end its last, the next midnight there.
func cityDate(field, s string, end bool, loc *time.Location) (*time.Time, error) {
	d, err := formDate(field, s, false)
	if err != nil || d == nil {
		return d, err
	}
	y, m, dd := d.Date()
	t := time.Date(y, m, dd, 0, 0, 0, 0, loc)
	if end {
		t = t.AddDate(0, 0, 1)
	}
	t = t.UTC()
	return &t, nil
}

func (a *archivePages) holdShow(w http.ResponseWriter, r *http.Request) error {
	return a.renderHold(w, r, http.StatusOK, nil)
}

func (a *archivePages) renderHold(w http.ResponseWriter, r *http.Request, status int, errs []FieldError) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	h, err := a.store.Hold(r.Context(), id)
	if err != nil {
		return err
	}
	return a.render(w, r, status, "archive_hold", Page{Title: "Legal hold: " + h.Matter, Errors: errs, Data: h})
}

func (a *archivePages) holdRelease(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	if err := a.svc.ReleaseHold(r.Context(), route.Actor(r), id, r.PostFormValue("reason")); err != nil {
		if fe, ok := formErrors(err); ok {
			return a.renderHold(w, r, http.StatusUnprocessableEntity, fe)
		}
		return err
	}
	return seeOther(w, r, "/archive/holds/"+itoa(id), "saved")
}

func (a *archivePages) retention(w http.ResponseWriter, r *http.Request) error {
	rt, err := a.svc.Retention(r.Context())
	if err != nil {
		return err
	}
	return a.render(w, r, http.StatusOK, "archive_retention", Page{Title: "Retention schedule", Data: rt})
}

func (a *archivePages) runList(w http.ResponseWriter, r *http.Request) error {
	return a.renderRuns(w, r, http.StatusOK, nil)
}

func (a *archivePages) renderRuns(w http.ResponseWriter, r *http.Request, status int, errs []FieldError) error {
	rs, err := a.store.DispositionRuns(r.Context())
	if err != nil {
		return err
	}
	return a.render(w, r, status, "archive_dispositions", Page{Title: "Disposition", Errors: errs, Data: rs})
}

func (a *archivePages) runCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	run, err := a.svc.ProposeDisposition(r.Context(), route.Actor(r), time.Time{})
	if err != nil {
		if fe, ok := formErrors(err); ok {
			return a.renderRuns(w, r, http.StatusUnprocessableEntity, fe)
		}
		return err
	}
	return seeOther(w, r, "/archive/dispositions/"+itoa(run.ID), "created")
}

type checkpointData struct {
	VerifierKey string
	Checkpoints []checkpointRow
}

func (a *archivePages) checkpoints(w http.ResponseWriter, r *http.Request) error {
	cs, err := a.store.ArchiveCheckpoints(r.Context(), 50)
	if err != nil {
		return err
	}
	vkey, err := a.svc.Verifier(r.Context())
	if err != nil {
		return err
	}
	return a.render(w, r, http.StatusOK, "archive_checkpoints", Page{Title: "Archive checkpoints", Data: checkpointData{VerifierKey: vkey, Checkpoints: checkpointRows(cs)}})
}
