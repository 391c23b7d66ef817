package api

import (
	"fmt"
	"net/http"
	"time"

	"steward.city/steward/internal/capture"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/jobs"
	"steward.city/steward/internal/route"
)

// captureRoutes are the routes of platform connections and capture flags,
// documented in openapi/capture.json.
func (h *Handler) captureRoutes() []route.Route {
	a := &captureAPI{Handler: h, svc: h.capture}
	get, post := http.MethodGet, http.MethodPost
	r := func(method, path string, perm civic.Permission, summary string, fn route.Handler) route.Route {
		return route.Route{Method: method, Path: "/api/v1" + path, Perm: perm, API: true, Summary: summary, Handle: fn}
	}
	view, manage, connect := civic.PermCaptureView, civic.PermCaptureManage, civic.PermCaptureConnect
	return []route.Route{
		r(get, "/capture/connections", view, "list platform connections and their capture status", a.list),
		r(post, "/capture/connections", connect, "connect an official account with its platform token", a.connect),
		r(get, "/capture/connections/{id}", view, "one connection with its last runs and cursor", a.get),
		r(post, "/capture/connections/{id}/run", manage, "capture a connection now", a.run),
		r(get, "/capture/flags", view, "list capture flags", a.flags),
		r(post, "/capture/flags/{id}/resolve", manage, "resolve a capture flag", a.resolve),
	}
}

type captureAPI struct {
	*Handler
	svc *capture.Service
}

// connectionJSON is a connection as the API shows it.
type connectionJSON struct {
	*civic.Connection
	Interval int64  `json:"interval_seconds"`
	Ref      string `json:"account_ref"`
}

func connJSON(c *civic.Connection) connectionJSON {
	return connectionJSON{Connection: c, Interval: int64(c.Interval / time.Second), Ref: c.Ref()}
}

func (a *captureAPI) list(w http.ResponseWriter, r *http.Request) error {
	cs, err := a.store.Connections(r.Context())
	if err != nil {
		return err
	}
	out := make([]connectionJSON, len(cs))
	for i, c := range cs {
		out[i] = connJSON(c)
	}
	return writeJSON(w, http.StatusOK, items(out))
}

// connectInput is the body of POST /capture/connections.
type connectInput struct {
	AccountID int64               `json:"account_id"`
	BaseURL   string              `json:"base_url"`
	RemoteID  string              `json:"remote_id"`
	Handle    string              `json:"handle"`
	Interval  int64               `json:"interval_seconds"`
	Token     civic.PlatformToken `json:"token"`
}

func (a *captureAPI) connect(w http.ResponseWriter, r *http.Request) error {
	var in connectInput
	if err := decode(r, &in); err != nil {
		return err
	}
	acct, err := a.store.Account(r.Context(), in.AccountID)
	if err != nil {
		return civic.Invalid("account_id", "no official account with id %d", in.AccountID)
	}
	c := &civic.Connection{AccountID: in.AccountID, Platform: acct.Platform, BaseURL: in.BaseURL, RemoteID: in.RemoteID, Handle: in.Handle, Interval: time.Duration(in.Interval) * time.Second}
	if err := a.conns.Connect(r.Context(), route.Actor(r), c, in.Token); err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/capture/connections/%d", c.ID))
	return writeJSON(w, http.StatusCreated, connJSON(c))
}

// connectionView is a connection with its last runs and cursor.
type connectionView struct {
	connectionJSON
	Cursor string              `json:"cursor"`
	Runs   []*civic.CaptureRun `json:"runs"`
}

func (a *captureAPI) view(r *http.Request, id int64) (*connectionView, error) {
	ctx := r.Context()
	c, err := a.store.Connection(ctx, id)
	if err != nil {
		return nil, err
	}
	v := &connectionView{connectionJSON: connJSON(c), Runs: []*civic.CaptureRun{}}
	if v.Cursor, err = a.store.CaptureCursor(ctx, id, capture.StreamPosts); err != nil {
		return nil, err
	}
	runs, err := a.store.CaptureRuns(ctx, id, 20)
	if err != nil {
		return nil, err
	}
	v.Runs = append(v.Runs, runs...)
	return v, nil
}

func (a *captureAPI) get(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	v, err := a.view(r, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, v)
}

func (a *captureAPI) run(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := a.store.Connection(r.Context(), id); err != nil {
		return err
	}
	// The pass runs in the background, unless one is already queued or
	// running; its run shows in GET /capture/connections/{id}.
	res, err := a.jobs.Enqueue(r.Context(), capture.PassJob{Connection: id}, jobs.Opts{Unique: true})
	if err != nil {
		return &civic.Error{Kind: civic.KindUnavailable, Message: "the job queue is unavailable", Err: err}
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/capture/connections/%d", id))
	return writeJSON(w, http.StatusAccepted, struct {
		Job           int64  `json:"job"`
		Connection    int64  `json:"connection"`
		AlreadyQueued bool   `json:"already_queued"`
		URL           string `json:"url"`
	}{res.ID, id, res.Skipped, fmt.Sprintf("/api/v1/capture/connections/%d", id)})
}

func (a *captureAPI) flags(w http.ResponseWriter, r *http.Request) error {
	open, err := boolParam(r, "open")
	if err != nil {
		return err
	}
	f := civic.CaptureFlagFilter{Open: open, Kind: civic.CaptureFlagKind(r.URL.Query().Get("kind"))}
	fs, err := a.store.CaptureFlags(r.Context(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, items(fs))
}

func (a *captureAPI) resolve(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Resolution string `json:"resolution"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if err := a.svc.ResolveFlag(r.Context(), route.Actor(r), id, in.Resolution); err != nil {
		return err
	}
	f, err := a.store.CaptureFlag(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, f)
}
