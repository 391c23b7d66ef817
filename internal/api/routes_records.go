package api

import (
	"fmt"
	"net/http"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/records"
	"steward.city/steward/internal/route"
)

// recordsRoutes are the API routes of records requests and exports,
// documented in openapi/records.json.
func (h *Handler) recordsRoutes() []route.Route {
	a := &recordsAPI{Handler: h, svc: h.records}
	get, post := http.MethodGet, http.MethodPost
	r := func(method, path string, perm civic.Permission, summary string, fn route.Handler) route.Route {
		return route.Route{Method: method, Path: "/api/v1" + path, Perm: perm, API: true, Summary: summary, Handle: fn}
	}
	view, manage := civic.PermRecordsView, civic.PermRecordsManage
	return []route.Route{
		r(get, "/records/requests", view, "list records requests by due date", a.list),
		r(post, "/records/requests", manage, "log a records request", a.create),
		r(get, "/records/requests/{id}", view, "one records request, its scope counts and redactions", a.get),
		r(get, "/records/requests/{id}/suggestions", view, "spans in scope that look like private data, to redact", a.suggestions),
		r(post, "/records/requests/{id}/redactions", manage, "redact a span of a version in the export", a.redact),
		r(post, "/records/requests/{id}/export", manage, "export the request's verifiable BagIt bag in the background: 202 with the export's URL", a.export),
		r(get, "/records/requests/{id}/exports/{job}", manage, "an export's progress: done, total, time left, and its download URL when ready", a.exportStatus),
		r(get, "/records/requests/{id}/exports/{job}/bag", manage, "download a finished export's bag, a zip", a.exportBag),
	}
}

type recordsAPI struct {
	*Handler
	svc *records.Service
}

func (a *recordsAPI) list(w http.ResponseWriter, r *http.Request) error {
	all, err := boolParam(r, "all")
	if err != nil {
		return err
	}
	qs, err := a.svc.Requests(r.Context(), route.Actor(r), !all)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, items(qs))
}

// requestInput is the body of POST /records/requests.
type requestInput struct {
	Requester   string   `json:"requester"`
	Contact     string   `json:"contact"`
	ReceivedOn  string   `json:"received_on"`
	Subject     bool     `json:"subject"`
	Kind        string   `json:"kind"`
	Description string   `json:"description"`
	Scope       []string `json:"scope"`
	DueOn       string   `json:"due_on"`
	Notes       string   `json:"notes"`
}

// requestView is a request with how many items each scope query matches.
type requestView struct {
	*civic.RecordsRequest
	ScopeItems []int              `json:"scope_items"`
	Redactions []*civic.Redaction `json:"redactions"`
}

func (a *recordsAPI) create(w http.ResponseWriter, r *http.Request) error {
	var in requestInput
	if err := decode(r, &in); err != nil {
		return err
	}
	q := &civic.RecordsRequest{Requester: in.Requester, Contact: in.Contact, Subject: in.Subject, Kind: civic.RequestKind(in.Kind), Description: in.Description, Scope: in.Scope, Notes: in.Notes}
	rec, err := a.dayParam("received_on", in.ReceivedOn)
	if err != nil {
		return err
	}
	if rec != nil {
		q.ReceivedOn = *rec
	}
	if q.DueOn, err = a.dayParam("due_on", in.DueOn); err != nil {
		return err
	}
	counts, err := a.svc.Create(r.Context(), route.Actor(r), q)
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/records/requests/%d", q.ID))
	return writeJSON(w, http.StatusCreated, requestView{q, counts, []*civic.Redaction{}})
}

func (a *recordsAPI) get(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	q, err := a.svc.Request(r.Context(), route.Actor(r), id)
	if err != nil {
		return err
	}
	counts, err := a.svc.ScopeCounts(r.Context(), route.Actor(r), q)
	if err != nil {
		return err
	}
	ds, err := a.svc.Redactions(r.Context(), route.Actor(r), id)
	if err != nil {
		return err
	}
	if ds == nil {
		ds = []*civic.Redaction{}
	}
	return writeJSON(w, http.StatusOK, requestView{q, counts, ds})
}

type redactionInput struct {
	VersionID int64  `json:"version_id"`
	Start     int    `json:"start"`
	End       int    `json:"end"`
	Reason    string `json:"reason"`
}

func (a *recordsAPI) redact(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in redactionInput
	if err := decode(r, &in); err != nil {
		return err
	}
	d := &civic.Redaction{RequestID: id, VersionID: in.VersionID, Start: in.Start, End: in.End, Reason: in.Reason}
	if err := a.svc.Redact(r.Context(), route.Actor(r), d); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, d)
}

func (a *recordsAPI) suggestions(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ss, err := a.svc.Suggestions(r.Context(), route.Actor(r), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, items(ss))
}

// dayParam reads a calendar day: a date (2026-12-02) as it is, or an RFC
// 3339 time as the city's day it falls on (2026-12-03T05:30:00Z is Dec 2
// in Chicago).
func (a *recordsAPI) dayParam(field, s string) (*time.Time, error) {
	t, err := optTime(field, s)
	if err != nil || t == nil {
		return t, err
	}
	if _, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	d := a.svc.Day(*t)
	return &d, nil
}
