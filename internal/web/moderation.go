package web

import (
	"bytes"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/moderation"
	"steward.city/steward/internal/route"
)

type moderationPages struct {
	*Handler
	svc *moderation.Service
}

type queueRow struct {
	moderation.QueueEntry
	Waiting  string
	Segments []moderation.Segment
}

type timesRow struct {
	moderation.AccountTimes
	OldestText, MedianText, LongestText string
}

type queueData struct {
	Reviews  []queueRow
	Filter   moderation.QueueFilter
	Page     *moderation.QueuePage
	Codes    []civic.ReasonCode
	Accounts []string
	Times    []timesRow
	Open     int
	Prev     string // query of the previous page, or ""
	Next     string // query of the next page, or ""
}

// queueFilter reads the queue's filter from the query string; values that
// do not parse are ignored.
func queueFilter(r *http.Request) moderation.QueueFilter {
	q := r.URL.Query()
	f := moderation.QueueFilter{All: q.Get("all") == "yes", Code: q.Get("code"), Account: q.Get("account"), Lang: q.Get("lang"), Sort: q.Get("sort")}
	if v, err := strconv.ParseFloat(q.Get("min"), 64); err == nil && v > 0 && v <= 1 {
		f.MinScore = v
	}
	if v, err := strconv.Atoi(q.Get("page")); err == nil {
		f.Page = v
	}
	if f.Sort != "score" {
		f.Sort = "waiting"
	}
	return f
}

// query returns the query string of f at page.
func queryOf(f moderation.QueueFilter, page int) string {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	if f.All {
		v.Set("all", "yes")
	}
	set("code", f.Code)
	set("account", f.Account)
	set("lang", f.Lang)
	if f.MinScore > 0 {
		v.Set("min", strconv.FormatFloat(f.MinScore, 'f', -1, 64))
	}
	if f.Sort == "score" {
		v.Set("sort", "score")
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	return v.Encode()
}

func (p *moderationPages) queue(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	f := queueFilter(r)
	pg, err := p.svc.QueueFiltered(ctx, route.Actor(r), f)
	if err != nil {
		return err
	}
	times, open, err := p.svc.ReviewTimes(ctx, route.Actor(r))
	if err != nil {
		return err
	}
	codes, err := p.svc.Codes(ctx)
	if err != nil {
		return err
	}
	d := queueData{Filter: f, Page: pg, Codes: codes, Open: open}
	for _, t := range times {
		d.Times = append(d.Times, timesRow{t, duration(t.Oldest), duration(t.Median), duration(t.Longest)})
		d.Accounts = append(d.Accounts, t.Account)
	}
	if pg.Page > 1 {
		d.Prev = "?" + queryOf(f, pg.Page-1)
	}
	if pg.Page < pg.Pages {
		d.Next = "?" + queryOf(f, pg.Page+1)
	}
	now := p.svc.Now()
	for _, e := range pg.Entries {
		d.Reviews = append(d.Reviews, queueRow{e, duration(e.Waiting(now)), moderation.Segments(e.Text, e.Evidence)})
	}
	return p.render(w, r, http.StatusOK, "moderation_queue", Page{Title: "Moderation queue", Data: d})
}

type decideForm struct{ Action, Code, Note string }

type reviewData struct {
	View  *moderation.ReviewView
	Codes []civic.ReasonCode
	Form  decideForm
	// Seconds says, for each decision waiting for a second review, who
	// may give it and whether the signed-in user may (issue 17).
	Seconds map[int64]secondTurn
}

type secondTurn struct {
	Text  string
	Mine  bool
	Stuck bool // nobody can give it: the page links to the approval settings
}

func (p *moderationPages) review(w http.ResponseWriter, r *http.Request) error {
	return p.renderReview(w, r, http.StatusOK, decideForm{}, nil)
}

func (p *moderationPages) renderReview(w http.ResponseWriter, r *http.Request, status int, f decideForm, errs []FieldError) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	v, err := p.svc.Review(r.Context(), route.Actor(r), id)
	if err != nil {
		return err
	}
	codes, err := p.svc.Codes(r.Context())
	if err != nil {
		return err
	}
	if f.Code == "" && len(v.Labels) > 0 {
		f.Code = v.Labels[0]
	}
	seconds := map[int64]secondTurn{}
	for _, d := range v.Decisions {
		if d.Status != civic.DecisionPending {
			continue
		}
		who, text, err := p.svc.SecondReviewers(r.Context(), d.DecidedByID)
		if err != nil {
			return err
		}
		u := route.User(r)
		seconds[d.ID] = secondTurn{Text: text, Stuck: len(who) == 0, Mine: slices.ContainsFunc(who, func(w *civic.User) bool { return w.ID == u.ID })}
	}
	return p.render(w, r, status, "moderation_review", Page{Title: "Queued comment " + itoa(id), Errors: errs, Data: reviewData{View: v, Codes: codes, Form: f, Seconds: seconds}})
}

func (p *moderationPages) decide(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	f := decideForm{Action: r.PostFormValue("action"), Code: r.PostFormValue("code"), Note: r.PostFormValue("note")}
	if _, err := p.svc.Decide(r.Context(), route.Actor(r), id, moderation.DecideInput{Action: civic.DecisionAction(f.Action), Code: f.Code, Note: f.Note}); err != nil {
		if fe, ok := formErrors(err); ok {
			return p.renderReview(w, r, http.StatusUnprocessableEntity, f, fe)
		}
		return err
	}
	return seeOther(w, r, "/moderation/reviews/"+itoa(id), "decided")
}

func (p *moderationPages) second(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	d, err := p.svc.Decision(r.Context(), route.Actor(r), id)
	if err != nil {
		return err
	}
	if _, err := p.svc.Second(r.Context(), route.Actor(r), id, r.PostFormValue("agree") == "yes", r.PostFormValue("second_note")); err != nil {
		if fe, ok := formErrors(err); ok {
			r.URL.Path = "/moderation/reviews/" + itoa(d.ReviewID)
			r.SetPathValue("id", itoa(d.ReviewID))
			return p.renderReview(w, r, route.Status(err), decideForm{}, fe)
		}
		return err
	}
	return seeOther(w, r, "/moderation/reviews/"+itoa(d.ReviewID), "decided")
}

func (p *moderationPages) forms(w http.ResponseWriter, r *http.Request) error {
	fs, err := p.svc.Forms(r.Context(), route.Actor(r))
	if err != nil {
		return err
	}
	return p.render(w, r, http.StatusOK, "moderation_forms", Page{Title: "Removed Comments Tracking Forms", Data: fs})
}

type formData struct {
	Form       *civic.TrackingForm
	Decision   *civic.ModerationDecision
	Fields     [][2]string
	OnPlatform string // what happened on the platform (moderation.OnPlatform)
}

func (p *moderationPages) form(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	f, d, err := p.svc.Form(r.Context(), route.Actor(r), id)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("format") == "pdf" {
		var buf bytes.Buffer
		if err := moderation.WriteFormPDF(&buf, f, d, p.loc); err != nil {
			return err
		}
		w.Header().Set("Content-Type", "application/pdf")
		w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": "tracking-form-" + itoa(id) + ".pdf"}))
		_, err = w.Write(buf.Bytes())
		return err
	}
	return p.render(w, r, http.StatusOK, "moderation_form", Page{Title: "Tracking form " + itoa(id), Data: formData{Form: f, Decision: d, Fields: moderation.FormFields(f, p.loc), OnPlatform: moderation.OnPlatform(d, p.loc)}})
}

type inquiriesData struct {
	Inquiries []*civic.Inquiry
	All       bool
}

func (p *moderationPages) inquiries(w http.ResponseWriter, r *http.Request) error {
	all := r.URL.Query().Get("all") == "yes"
	qs, err := p.svc.Inquiries(r.Context(), route.Actor(r), !all)
	if err != nil {
		return err
	}
	return p.render(w, r, http.StatusOK, "moderation_inquiries", Page{Title: "Inquiries about removed comments", Data: inquiriesData{Inquiries: qs, All: all}})
}

type answerForm struct{ Response, Outcome, Kind, Number string }

type inquiryData struct {
	View   *moderation.InquiryView
	Fields [][2]string
	Form   answerForm
}

func (p *moderationPages) inquiry(w http.ResponseWriter, r *http.Request) error {
	return p.renderInquiry(w, r, http.StatusOK, answerForm{Kind: "form"}, nil)
}

func (p *moderationPages) renderInquiry(w http.ResponseWriter, r *http.Request, status int, f answerForm, errs []FieldError) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	v, err := p.svc.Inquiry(r.Context(), route.Actor(r), id)
	if err != nil {
		return err
	}
	var fields [][2]string
	if v.Form != nil {
		fields = moderation.FormFields(v.Form, p.loc)
	}
	if f.Outcome == "" {
		f.Outcome = moderation.OutcomeUpheld
		if v.Form == nil {
			f.Outcome = moderation.OutcomeAnswered
		}
	}
	return p.render(w, r, status, "moderation_inquiry", Page{Title: "Inquiry " + v.Reference, Errors: errs, Data: inquiryData{View: v, Fields: fields, Form: f}})
}

// link links an unmatched inquiry to a removal by its tracking form or
// decision number.
func (p *moderationPages) link(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	f := answerForm{Kind: r.PostFormValue("kind"), Number: r.PostFormValue("number")}
	if _, err := p.svc.LinkInquiry(r.Context(), route.Actor(r), id, f.Kind, f.Number); err != nil {
		if fe, ok := formErrors(err); ok {
			return p.renderInquiry(w, r, http.StatusUnprocessableEntity, f, fe)
		}
		return err
	}
	return seeOther(w, r, "/moderation/inquiries/"+itoa(id), "saved")
}

func (p *moderationPages) answer(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	f := answerForm{Response: r.PostFormValue("response"), Outcome: r.PostFormValue("outcome")}
	if _, err := p.svc.Answer(r.Context(), route.Actor(r), id, f.Response, f.Outcome); err != nil {
		if fe, ok := formErrors(err); ok {
			return p.renderInquiry(w, r, http.StatusUnprocessableEntity, f, fe)
		}
		return err
	}
	return seeOther(w, r, "/moderation/inquiries/"+itoa(id), "saved")
}

// clientAddr is the address a public request came from, for the rate
// limit of public inquiries.
func clientAddr(r *http.Request) string { return route.Client(r) }

// duration formats a wait in days, hours and minutes.
func duration(d interface{ Minutes() float64 }) string {
	m := int(d.Minutes())
	switch {
	case m < 60:
		return strconv.Itoa(m) + " min"
	case m < 48*60:
		return strconv.Itoa(m/60) + " h " + strconv.Itoa(m%60) + " min"
	}
	return strconv.Itoa(m/(24*60)) + " days " + strconv.Itoa(m/60%24) + " h"
}
