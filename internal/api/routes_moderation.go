package api

import (
	"net/http"
	"strconv"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/moderation"
	"steward.city/steward/internal/route"
)

// moderationRoutes are the routes of the review queue, decisions, tracking
// forms, inquiries, staff reports and the transparency report, documented
// in openapi/moderation.json.
func (h *Handler) moderationRoutes() []route.Route {
	a := &moderationAPI{Handler: h, svc: h.mod}
	get, post := http.MethodGet, http.MethodPost
	r := func(method, path string, perm civic.Permission, summary string, fn route.Handler) route.Route {
		return route.Route{Method: method, Path: "/api/v1" + path, Perm: perm, API: true, Summary: summary, Handle: fn}
	}
	view, decide := civic.PermModerationView, civic.PermModerationDecide
	transparency := r(get, "/transparency", "", "removals by reason, account and month; reversals after inquiries", a.transparency)
	transparency.Public = true
	return []route.Route{
		r(get, "/moderation/queue", view, "the moderation queue, oldest first", a.queue),
		r(get, "/moderation/reviews/{id}", view, "one queued comment with its decisions", a.review),
		r(post, "/moderation/reviews/{id}/decisions", decide, "keep, hide or remove a queued comment with a reason code", a.decide),
		r(post, "/moderation/decisions/{id}/second", view, "second review of a pending hide or removal (another Communications user, or the fallback second reviewer when there is none)", a.second),
		r(get, "/moderation/codes", view, "the reason codes with their clauses", a.codes),
		r(get, "/moderation/forms", view, "Removed Comments Tracking Forms, newest first", a.forms),
		r(get, "/moderation/inquiries", view, "public inquiries about removed comments", a.inquiries),
		r(post, "/moderation/inquiries/{id}/answer", decide, "answer an inquiry in writing", a.answer),
		r(post, "/moderation/inquiries/{id}/link", decide, "link an unmatched inquiry to a removal", a.link),
		r(post, "/moderation/screen", civic.PermArchiveIngest, "screen comments captured since the last pass", a.screen),
		r(post, "/moderation/rescreen", civic.PermModerationConfigure, "screen the last days' comments again with the screening model and thresholds in force, in the background: 202 with its URL", a.rescreen),
		r(get, "/moderation/rescreen/{job}", civic.PermModerationConfigure, "the progress of screening again, and the URL of the list of what changed when ready", a.rescreenStatus),
		r(get, "/moderation/rescreen/{job}/file", civic.PermModerationConfigure, "download the list of what screening again changed (CSV)", a.rescreenFile),
		r(post, "/moderation/reports", civic.PermSignedIn, "report content to a supervisor or Communications", a.report),
		transparency,
	}
}

type moderationAPI struct {
	*Handler
	svc *moderation.Service
}

func (a *moderationAPI) queue(w http.ResponseWriter, r *http.Request) error {
	all, err := boolParam(r, "all")
	if err != nil {
		return err
	}
	rs, err := a.svc.Queue(r.Context(), route.Actor(r), all)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, items(rs))
}

// reviewView is a queue entry with its decisions.
type reviewView struct {
	*civic.Review
	Decisions []*civic.ModerationDecision `json:"decisions"`
}

func (a *moderationAPI) review(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	v, err := a.svc.Review(r.Context(), route.Actor(r), id)
	if err != nil {
		return err
	}
	if v.Decisions == nil {
		v.Decisions = []*civic.ModerationDecision{}
	}
	return writeJSON(w, http.StatusOK, reviewView{v.Review, v.Decisions})
}

func (a *moderationAPI) decide(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in moderation.DecideInput
	if err := decode(r, &in); err != nil {
		return err
	}
	d, err := a.svc.Decide(r.Context(), route.Actor(r), id, in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, d)
}

func (a *moderationAPI) second(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Agree bool   `json:"agree"`
		Note  string `json:"note"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	d, err := a.svc.Second(r.Context(), route.Actor(r), id, in.Agree, in.Note)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, d)
}

func (a *moderationAPI) codes(w http.ResponseWriter, r *http.Request) error {
	cs, err := a.svc.Codes(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, items(cs))
}

func (a *moderationAPI) forms(w http.ResponseWriter, r *http.Request) error {
	fs, err := a.svc.Forms(r.Context(), route.Actor(r))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, items(fs))
}

func (a *moderationAPI) inquiries(w http.ResponseWriter, r *http.Request) error {
	all, err := boolParam(r, "all")
	if err != nil {
		return err
	}
	qs, err := a.svc.Inquiries(r.Context(), route.Actor(r), !all)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, items(qs))
}

func (a *moderationAPI) answer(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Response string `json:"response"`
		Outcome  string `json:"outcome"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	q, err := a.svc.Answer(r.Context(), route.Actor(r), id, in.Response, in.Outcome)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, q)
}

// link links an unmatched inquiry to the removal it asks about, named by
// its tracking form or its decision.
func (a *moderationAPI) link(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Kind   string `json:"kind"`
		Number int64  `json:"number"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	q, err := a.svc.LinkInquiry(r.Context(), route.Actor(r), id, in.Kind, strconv.FormatInt(in.Number, 10))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, q)
}

func (a *moderationAPI) screen(w http.ResponseWriter, r *http.Request) error {
	n, err := a.svc.ScreenNew(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]int{"queued": n})
}

func (a *moderationAPI) report(w http.ResponseWriter, r *http.Request) error {
	var in moderation.ReportInput
	if err := decode(r, &in); err != nil {
		return err
	}
	rp, err := a.svc.Report(r.Context(), route.Actor(r), in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, rp)
}

func (a *moderationAPI) transparency(w http.ResponseWriter, r *http.Request) error {
	t, err := a.svc.Transparency(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, t)
}
