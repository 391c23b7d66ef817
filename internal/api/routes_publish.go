package api

import (
	"net/http"
	"slices"
	"strconv"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/publish"
	"steward.city/steward/internal/route"
)

// publishRoutes are the routes of drafts, their review and publishing,
// documented in openapi/publish.json. Drafting needs only a sign-in: the
// service checks the author's poster grant for each account (PPL-2) and
// who may review each account's drafts (PUB-3).
func (h *Handler) publishRoutes() []route.Route {
	a := &publishAPI{Handler: h, svc: h.publish}
	get, post, put := http.MethodGet, http.MethodPost, http.MethodPut
	r := func(method, path string, perm civic.Permission, summary string, fn route.Handler) route.Route {
		return route.Route{Method: method, Path: "/api/v1" + path, Perm: perm, API: true, Summary: summary, Handle: fn}
	}
	in := civic.PermSignedIn
	return []route.Route{
		r(get, "/drafts", in, "list the drafts you may read", a.list),
		r(post, "/drafts", in, "write a draft for accounts you hold a poster grant for", a.create),
		{Method: post, Path: "/api/v1/drafts/media", Perm: in, API: true, Upload: publish.MaxUpload,
			Summary: "upload a file for a draft's attachment: 201 with its sha256", Handle: a.mediaUpload},
		r(get, "/drafts/{id}/media/{sha256}", in, "a file of a draft's attachment, to one who may read the draft", a.mediaFile),
		r(get, "/drafts/queue", in, "drafts waiting for your review, longest waiting first", a.queue),
		r(get, "/drafts/{id}", in, "one draft with its revisions, findings, reviews and publications", a.get),
		r(post, "/drafts/{id}/revisions", in, "revise a draft (a new revision; earlier ones are kept)", a.revise),
		r(post, "/drafts/{id}/submit", in, "submit a draft for review", a.submit),
		r(post, "/drafts/{id}/reviews", in, "approve, request changes, refuse or confirm a draft", a.review),
		r(post, "/drafts/{id}/publish", in, "publish an approved draft now", a.publish),
		r(post, "/drafts/{id}/corrections", in, "write a correction of a published post", a.correct),
		r(post, "/drafts/{id}/deletions", in, "ask for a published post to be deleted, with the reason", a.deletion),
		r(get, "/calendar", civic.PermAccountsView, "scheduled and published posts by time", a.calendar),
		r(put, "/accounts/{id}/publish-rule", civic.PermAccountsManage, "set an account's review rule", a.rule),
	}
}

type publishAPI struct {
	*Handler
	svc *publish.Service
}

func (a *publishAPI) list(w http.ResponseWriter, r *http.Request) error {
	st := civic.DraftStatus(r.URL.Query().Get("status"))
	if st != "" && !slices.Contains(civic.DraftStatuses, st) {
		return civic.Invalid("status", "%q is not a draft status", st)
	}
	ds, err := a.svc.Drafts(r.Context(), route.Actor(r), civic.DraftFilter{Status: st})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, items(ds))
}

func (a *publishAPI) create(w http.ResponseWriter, r *http.Request) error {
	var in publish.DraftInput
	if err := decode(r, &in); err != nil {
		return err
	}
	d, err := a.svc.CreateDraft(r.Context(), route.Actor(r), in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, d)
}

func (a *publishAPI) queue(w http.ResponseWriter, r *http.Request) error {
	q, err := a.svc.Queue(r.Context(), route.Actor(r))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, items(q))
}

func (a *publishAPI) get(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	v, err := a.svc.Get(r.Context(), route.Actor(r), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, v)
}

func (a *publishAPI) revise(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in publish.DraftInput
	if err := decode(r, &in); err != nil {
		return err
	}
	d, err := a.svc.Revise(r.Context(), route.Actor(r), id, in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, d)
}

func (a *publishAPI) submit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	d, err := a.svc.Submit(r.Context(), route.Actor(r), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, d)
}

func (a *publishAPI) review(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in publish.ReviewInput
	if err := decode(r, &in); err != nil {
		return err
	}
	d, err := a.svc.Review(r.Context(), route.Actor(r), id, in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, d)
}

func (a *publishAPI) publish(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	out, err := a.svc.Publish(r.Context(), route.Actor(r), id)
	if err != nil && (out == nil || civic.ErrorKind(err) != civic.KindUnavailable) {
		return err
	}
	status := http.StatusOK
	if err != nil {
		status = http.StatusBadGateway // some accounts failed: the body says which went out
	}
	return writeJSON(w, status, items(out))
}

func (a *publishAPI) calendar(w http.ResponseWriter, r *http.Request) error {
	var acct int64
	if v := r.URL.Query().Get("account_id"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return civic.Invalid("account_id", "%q is not an account id", v)
		}
		acct = n
	}
	es, err := a.svc.Calendar(r.Context(), route.Actor(r), acct)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, items(es))
}

func (a *publishAPI) rule(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in publish.RuleInput
	if err := decode(r, &in); err != nil {
		return err
	}
	rule, err := a.svc.SetRule(r.Context(), route.Actor(r), id, in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, rule)
}

func (a *publishAPI) correct(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in publish.CorrectionInput
	if err := decode(r, &in); err != nil {
		return err
	}
	d, err := a.svc.Correct(r.Context(), route.Actor(r), id, in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, d)
}

func (a *publishAPI) deletion(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in publish.DeletionInput
	if err := decode(r, &in); err != nil {
		return err
	}
	d, err := a.svc.RequestDeletion(r.Context(), route.Actor(r), id, in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, d)
}
