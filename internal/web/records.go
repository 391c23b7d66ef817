package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/records"
	"steward.city/steward/internal/route"
)

type recordsPages struct {
	*Handler
	svc *records.Service
}

// requestForm is the request form as typed, kept to show it again.
type requestForm struct {
	Requester, Contact, ReceivedOn, Kind, Description, Scope, Status, DueOn, Notes, Pages, ActualCost string
	Subject                                                                                           bool
}

func formOf(q *civic.RecordsRequest) requestForm {
	f := requestForm{Requester: q.Requester, Contact: q.Contact, ReceivedOn: q.ReceivedOn.Format(time.DateOnly), Kind: string(q.Kind), Description: q.Description,
		Scope: strings.Join(q.Scope, "\n"), Status: string(q.Status), Notes: q.Notes, Pages: strconv.Itoa(q.Pages), ActualCost: fmt.Sprintf("%.2f", float64(q.ActualCost)/100), Subject: q.Subject}
	if q.DueOn != nil {
		f.DueOn = q.DueOn.Format(time.DateOnly)
	}
	return f
}

// request reads the form into a request. What cannot be read is left
// zero and reported, every field at once, with the service's own checks of
// the rest (Check), so one submission shows every mistake.
func (p *recordsPages) request(f requestForm) (*civic.RecordsRequest, error) {
	q := &civic.RecordsRequest{Requester: f.Requester, Contact: f.Contact, Subject: f.Subject, Kind: civic.RequestKind(f.Kind), Description: f.Description,
		Scope: strings.Split(f.Scope, "\n"), Status: civic.RequestStatus(f.Status), Notes: f.Notes}
	var errs []error
	rec, err := formDate("received_on", f.ReceivedOn, false)
	if err != nil {
		errs = append(errs, err)
	}
	if rec != nil {
		q.ReceivedOn = *rec
	}
	if q.DueOn, err = formDate("due_on", f.DueOn, false); err != nil {
		errs = append(errs, err)
	}
	if s := strings.TrimSpace(f.Pages); s != "" {
		if q.Pages, err = strconv.Atoi(s); err != nil {
			q.Pages = 0
			errs = append(errs, civic.Invalid("pages", "enter the number of pages copied"))
		}
	}
	if s := strings.TrimSpace(f.ActualCost); s != "" {
		d, err := strconv.ParseFloat(strings.TrimPrefix(s, "$"), 64)
		if err != nil || d < 0 {
			errs = append(errs, civic.Invalid("actual_cost", "enter the actual cost in dollars, like 12.50"))
		} else {
			q.ActualCost = int64(d*100 + 0.5)
		}
	}
	if len(errs) > 0 {
		// The form's own mistakes first; the service's for the other fields.
		return q, errors.Join(append(errs, p.svc.Check(q))...)
	}
	return q, nil
}

func readRequestForm(r *http.Request) requestForm {
	v := r.PostFormValue
	return requestForm{Requester: v("requester"), Contact: v("contact"), ReceivedOn: v("received_on"), Kind: v("kind"), Description: v("description"),
		Scope: v("scope"), Status: v("status"), DueOn: v("due_on"), Notes: v("notes"), Pages: v("pages"), ActualCost: v("actual_cost"), Subject: v("subject") == "yes"}
}

type requestRow struct {
	*civic.RecordsRequest
	Overdue bool
}

type recordsListData struct {
	Requests []requestRow
	All      bool
	Overdue  int
	Form     requestForm
}

func (p *recordsPages) list(w http.ResponseWriter, r *http.Request) error {
	return p.renderList(w, r, http.StatusOK, requestForm{ReceivedOn: p.svc.Today().Format(time.DateOnly)}, nil)
}

func (p *recordsPages) renderList(w http.ResponseWriter, r *http.Request, status int, f requestForm, errs []FieldError) error {
	all := r.URL.Query().Get("all") == "yes"
	qs, err := p.svc.Requests(r.Context(), route.Actor(r), !all)
	if err != nil {
		return err
	}
	data := recordsListData{All: all, Form: f}
	today := p.svc.Today() // overdue from the day after the due day, in the city
	for _, q := range qs {
		row := requestRow{q, q.Overdue(today)}
		if row.Overdue {
			data.Overdue++
		}
		data.Requests = append(data.Requests, row)
	}
	return p.render(w, r, status, "records", Page{Title: "Records requests", Errors: errs, Data: data})
}

func (p *recordsPages) create(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	f := readRequestForm(r)
	q, err := p.request(f)
	if err == nil {
		_, err = p.svc.Create(r.Context(), route.Actor(r), q)
	}
	if err != nil {
		if fe, ok := formErrors(err); ok {
			return p.renderList(w, r, http.StatusUnprocessableEntity, f, fe)
		}
		return err
	}
	return seeOther(w, r, "/records/"+itoa(q.ID), "created")
}

// suggestion is a span the detector found in a version in scope.
type suggestion struct {
	Version *civic.Version
	Span    records.Span
	Reason  string // the reason's label, citing the statute
}

// scopeItem is an item in a request's scope, shown with the start of a
// version's text.
type scopeItem struct {
	*civic.Version
	Snippet string
}

// snippet returns text cut to about n characters on a character boundary.
func snippet(text string, n int) string {
	r := []rune(text)
	if len(r) <= n {
		return text
	}
	return string(r[:n]) + "…"
}

type recordData struct {
	// ActsNext names who works an open request: the Clerk and the City
	// Attorney (issue 17).
	ActsNext   string
	Request    *civic.RecordsRequest
	Overdue    bool
	Scope      []scopeLine
	Redactions []*civic.Redaction
	Suggested  []suggestion
	Items      []scopeItem // each item in scope, as far as the page scans
	Reasons    []records.Reason
	Form       requestForm
	Redact     redactForm
}

type scopeLine struct {
	Query string
	Items int
	Link  string
}

type redactForm struct{ VersionID, Start, End, Reason string }

func (p *recordsPages) show(w http.ResponseWriter, r *http.Request) error {
	return p.renderRequest(w, r, http.StatusOK, nil, nil, nil)
}

// suggestLimit is how many versions in scope the page scans for spans to
// suggest.
const suggestLimit = 200

func (p *recordsPages) renderRequest(w http.ResponseWriter, r *http.Request, status int, form *requestForm, rf *redactForm, errs []FieldError) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	q, err := p.svc.Request(r.Context(), route.Actor(r), id)
	if err != nil {
		return err
	}
	counts, err := p.svc.ScopeCounts(r.Context(), route.Actor(r), q)
	if err != nil {
		return err
	}
	d := recordData{Request: q, Overdue: q.Overdue(p.svc.Today()), Reasons: p.svc.Reasons(), Form: formOf(q)}
	if form != nil {
		d.Form = *form
	}
	if rf != nil {
		d.Redact = *rf
	}
	for i, s := range q.Scope {
		d.Scope = append(d.Scope, scopeLine{Query: s, Items: counts[i], Link: "/archive/items?q=" + url.QueryEscape(s)})
	}
	if d.Redactions, err = p.svc.Redactions(r.Context(), route.Actor(r), id); err != nil {
		return err
	}
	if q.Status == civic.RequestOpen {
		if d.ActsNext, err = p.holders(r, func(u *civic.User) bool { return u.Can(civic.PermRecordsManage) }); err != nil {
			return err
		}
	}
	seen := map[int64]bool{}
	done := map[[3]int64]bool{} // spans already redacted
	for _, x := range d.Redactions {
		done[[3]int64{x.VersionID, int64(x.Start), int64(x.End)}] = true
	}
	for _, s := range q.Scope {
		pq, err := archive.ParseQueryIn(s, p.loc)
		if err != nil {
			continue
		}
		pq.Limit = suggestLimit
		vs, err := p.store.SearchArchive(r.Context(), &pq.ArchiveQuery)
		if err != nil {
			return err
		}
		for _, v := range vs {
			if !seen[v.ItemID] {
				seen[v.ItemID] = true
				d.Items = append(d.Items, scopeItem{v, snippet(v.Text, 80)})
			}
			for _, sp := range records.Suggest(v.Text) {
				if done[[3]int64{v.ID, int64(sp.Start), int64(sp.End)}] {
					continue
				}
				label := sp.Reason
				for _, rs := range d.Reasons {
					if rs.Code == sp.Reason {
						label = rs.Label
					}
				}
				d.Suggested = append(d.Suggested, suggestion{v, sp, label})
			}
		}
	}
	return p.render(w, r, status, "records_request", Page{Title: fmt.Sprintf("Records request %d from %s", q.ID, q.Requester), Errors: errs, Data: d})
}

func (p *recordsPages) update(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	f := readRequestForm(r)
	q, err := p.request(f)
	if err == nil {
		q.ID = id
		_, err = p.svc.Update(r.Context(), route.Actor(r), q)
	}
	if err != nil {
		if fe, ok := formErrors(err); ok {
			return p.renderRequest(w, r, http.StatusUnprocessableEntity, &f, nil, fe)
		}
		return err
	}
	return seeOther(w, r, "/records/"+itoa(id), "saved")
}

func (p *recordsPages) redact(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	rf := redactForm{VersionID: r.PostFormValue("version_id"), Start: r.PostFormValue("start"), End: r.PostFormValue("end"), Reason: r.PostFormValue("reason")}
	err = func() error {
		d := &civic.Redaction{RequestID: id, Reason: rf.Reason}
		var err error
		if d.VersionID, err = formInt(r, "version_id"); err != nil {
			return err
		}
		start, err := formInt(r, "start")
		if err != nil {
			return err
		}
		end, err := formInt(r, "end")
		if err != nil {
			return err
		}
		d.Start, d.End = int(start), int(end)
		return p.svc.Redact(r.Context(), route.Actor(r), d)
	}()
	if err != nil {
		if fe, ok := formErrors(err); ok {
			return p.renderRequest(w, r, http.StatusUnprocessableEntity, nil, &rf, fe)
		}
		return err
	}
	return seeOther(w, r, "/records/"+itoa(id), "redacted")
}
