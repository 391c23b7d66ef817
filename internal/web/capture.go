package web

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"steward.city/steward/internal/capture"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/jobs"
	"steward.city/steward/internal/plain"
	"steward.city/steward/internal/route"
)

type capturePages struct {
	*Handler
	svc *capture.Service
}

// connectForm is the connect form as typed; tokens are never shown again.
type connectForm struct {
	AccountID, BaseURL, RemoteID, Handle, Interval, ExpiresAt string
}

type connectionRow struct {
	*civic.Connection
	Account *civic.Account
	Flags   int
}

type captureListData struct {
	Connections []connectionRow
	Accounts    []*civic.Account // that may be connected
	Broken      int
	OpenFlags   int
	Form        connectForm
}

func (p *capturePages) list(w http.ResponseWriter, r *http.Request) error {
	return p.renderList(w, r, http.StatusOK, connectForm{Interval: "10 minutes"}, nil)
}

func (p *capturePages) renderList(w http.ResponseWriter, r *http.Request, status int, f connectForm, errs []FieldError) error {
	ctx := r.Context()
	cs, err := p.store.Connections(ctx)
	if err != nil {
		return err
	}
	flags, err := p.store.CaptureFlags(ctx, civic.CaptureFlagFilter{Open: true})
	if err != nil {
		return err
	}
	perConn := map[int64]int{}
	for _, fl := range flags {
		perConn[fl.ConnectionID]++
	}
	data := captureListData{Form: f, OpenFlags: len(flags)}
	connected := map[int64]bool{}
	for _, c := range cs {
		a, err := p.store.Account(ctx, c.AccountID)
		if err != nil {
			return err
		}
		connected[c.AccountID] = true
		if c.Status == civic.ConnectionBroken {
			data.Broken++
		}
		data.Connections = append(data.Connections, connectionRow{Connection: c, Account: a, Flags: perConn[c.ID]})
	}
	if route.User(r).Can(civic.PermCaptureConnect) {
		accts, err := p.store.Accounts(ctx, civic.AccountFilter{Inventory: true})
		if err != nil {
			return err
		}
		for _, a := range accts {
			if !connected[a.ID] && (a.Status == civic.AccountActive || a.Status == civic.AccountApproved) && p.conns.Platform(a.Platform) != nil {
				data.Accounts = append(data.Accounts, a)
			}
		}
	}
	return p.render(w, r, status, "capture_connections", Page{Title: "Capture", Errors: errs, Data: data})
}

// readToken reads a token as typed; its expiry is a time in the city's
// zone, loc (a datetime-local field has none).
func readToken(r *http.Request, loc *time.Location) (civic.PlatformToken, error) {
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	tok := civic.PlatformToken{AccessToken: v("access_token"), RefreshToken: v("refresh_token"), ClientID: v("client_id"), ClientSecret: v("client_secret")}
	if s := v("expires_at"); s != "" {
		t, err := time.ParseInLocation("2006-01-02T15:04", s, loc)
		if err != nil {
			return tok, civic.Invalid("expires_at", "give the expiry as a date and time, or leave it empty")
		}
		t = t.UTC()
		tok.ExpiresAt = &t
	}
	return tok, nil
}

func parseInterval(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return civic.DefaultCaptureInterval, nil
	}
	d, err := plain.ParseDuration(s)
	if err != nil {
		return 0, civic.Invalid("interval", "give the interval as a duration such as 10 minutes or 1 hour")
	}
	return d, nil
}

func (p *capturePages) connect(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	v := r.PostFormValue
	f := connectForm{AccountID: v("account_id"), BaseURL: v("base_url"), RemoteID: v("remote_id"), Handle: v("handle"), Interval: v("interval"), ExpiresAt: v("expires_at")}
	c := &civic.Connection{BaseURL: f.BaseURL, RemoteID: f.RemoteID, Handle: f.Handle}
	err := func() error {
		id, err := strconv.ParseInt(strings.TrimSpace(f.AccountID), 10, 64)
		if err != nil || id <= 0 {
			return civic.Invalid("account_id", "choose the official account to connect")
		}
		a, err := p.store.Account(r.Context(), id)
		if err != nil {
			return civic.Invalid("account_id", "choose the official account to connect")
		}
		c.AccountID, c.Platform = id, a.Platform
		if c.Interval, err = parseInterval(f.Interval); err != nil {
			return err
		}
		tok, err := readToken(r, p.loc)
		if err != nil {
			return err
		}
		return p.conns.Connect(r.Context(), route.Actor(r), c, tok)
	}()
	if err != nil {
		if fe, ok := formErrors(err); ok {
			return p.renderList(w, r, http.StatusUnprocessableEntity, f, fe)
		}
		return err
	}
	return seeOther(w, r, "/capture/"+itoa(c.ID), "created")
}

type connectionData struct {
	Conn        *civic.Connection
	Account     *civic.Account
	Runs        []*civic.CaptureRun
	Cursor      string
	Flags       []*civic.CaptureFlag
	Caps        civic.Capabilities
	VerifyToken string
	Missing     []string
}

func (p *capturePages) show(w http.ResponseWriter, r *http.Request) error {
	return p.renderShow(w, r, http.StatusOK, nil)
}

func (p *capturePages) renderShow(w http.ResponseWriter, r *http.Request, status int, errs []FieldError) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	c, err := p.store.Connection(ctx, id)
	if err != nil {
		return err
	}
	d := connectionData{Conn: c}
	if d.Account, err = p.store.Account(ctx, c.AccountID); err != nil {
		return err
	}
	d.Missing = d.Account.Missing()
	if d.Runs, err = p.store.CaptureRuns(ctx, c.ID, 20); err != nil {
		return err
	}
	if d.Cursor, err = p.store.CaptureCursor(ctx, c.ID, capture.StreamPosts); err != nil {
		return err
	}
	if d.Flags, err = p.store.CaptureFlags(ctx, civic.CaptureFlagFilter{ConnectionID: c.ID, Open: true}); err != nil {
		return err
	}
	if pl := p.conns.Platform(c.Platform); pl != nil {
		d.Caps = pl.Capabilities()
	}
	if route.User(r).Can(civic.PermCaptureConnect) {
		d.VerifyToken, _ = p.svc.HookVerifyToken(ctx, c)
	}
	return p.render(w, r, status, "capture_connection", Page{Title: "Capture of " + c.Handle, Errors: errs, Data: d})
}

func (p *capturePages) action(w http.ResponseWriter, r *http.Request, fn func(id int64) error) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := fn(id); err != nil {
		if fe, ok := formErrors(err); ok {
			return p.renderShow(w, r, http.StatusUnprocessableEntity, fe)
		}
		return err
	}
	return seeOther(w, r, "/capture/"+itoa(id), "saved")
}

// run queues a capture pass of the connection now, unless one is already
// queued or running; the pass's outcome shows among the runs on the page.
func (p *capturePages) run(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := p.store.Connection(r.Context(), id); err != nil {
		return err
	}
	res, err := p.jobs.Enqueue(r.Context(), capture.PassJob{Connection: id}, jobs.Opts{Unique: true})
	if err != nil {
		return &civic.Error{Kind: civic.KindUnavailable, Message: "the job queue is unavailable", Err: err}
	}
	if res.Skipped {
		return seeOther(w, r, "/capture/"+itoa(id), "pass_already")
	}
	return seeOther(w, r, "/capture/"+itoa(id), "pass_queued")
}

func (p *capturePages) pause(w http.ResponseWriter, r *http.Request) error {
	return p.action(w, r, func(id int64) error { return p.svc.SetPaused(r.Context(), route.Actor(r), id, true) })
}

func (p *capturePages) resume(w http.ResponseWriter, r *http.Request) error {
	return p.action(w, r, func(id int64) error { return p.svc.SetPaused(r.Context(), route.Actor(r), id, false) })
}

func (p *capturePages) token(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	return p.action(w, r, func(id int64) error {
		tok, err := readToken(r, p.loc)
		if err != nil {
			return err
		}
		return p.conns.SetToken(r.Context(), route.Actor(r), id, tok)
	})
}

type flagRow struct {
	*civic.CaptureFlag
	Conn *civic.Connection
}

type flagsData struct {
	Flags []flagRow
	All   bool
}

func (p *capturePages) flags(w http.ResponseWriter, r *http.Request) error {
	return p.renderFlags(w, r, http.StatusOK, nil)
}

func (p *capturePages) renderFlags(w http.ResponseWriter, r *http.Request, status int, errs []FieldError) error {
	ctx := r.Context()
	all := r.URL.Query().Get("all") == "yes"
	fs, err := p.store.CaptureFlags(ctx, civic.CaptureFlagFilter{Open: !all})
	if err != nil {
		return err
	}
	conns := map[int64]*civic.Connection{}
	d := flagsData{All: all}
	for _, f := range fs {
		c, ok := conns[f.ConnectionID]
		if !ok {
			if c, err = p.store.Connection(ctx, f.ConnectionID); err != nil {
				return err
			}
			conns[f.ConnectionID] = c
		}
		d.Flags = append(d.Flags, flagRow{f, c})
	}
	return p.render(w, r, status, "capture_flags", Page{Title: "Capture flags", Errors: errs, Data: d})
}

func (p *capturePages) resolve(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	if err := p.svc.ResolveFlag(r.Context(), route.Actor(r), id, strings.TrimSpace(r.PostFormValue("resolution"))); err != nil {
		if fe, ok := formErrors(err); ok {
			return p.renderFlags(w, r, http.StatusUnprocessableEntity, fe)
		}
		return err
	}
	return seeOther(w, r, "/capture/flags", "saved")
}

// hookChallenge answers a platform's subscription check; it writes its
// own plain answers, as the platform is no browser.
func (p *capturePages) hookChallenge(w http.ResponseWriter, r *http.Request) error {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	body, err := p.svc.HookChallenge(r.Context(), id, r.URL.Query())
	if err != nil {
		hookError(w, err)
		return nil
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, body)
	return nil
}

// hookDelivery archives a signed delivery; an unsigned or stale one is
// refused (401) with nothing stored.
func (p *capturePages) hookDelivery(w http.ResponseWriter, r *http.Request) error {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	body, err := io.ReadAll(io.LimitReader(r.Body, 4<<20+1))
	switch {
	case civic.ErrorKind(err) == civic.KindTooLarge:
		hookError(w, err)
		return nil
	case err != nil || len(body) > 4<<20:
		http.Error(w, "the delivery could not be read", http.StatusBadRequest)
		return nil
	}
	n, err := p.svc.HookDelivery(r.Context(), id, r.Header, body)
	if err != nil {
		hookError(w, err)
		return nil
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, "stored "+strconv.Itoa(n)+"\n")
	return nil
}

func hookError(w http.ResponseWriter, err error) {
	status := route.Status(err)
	msg := civic.ErrorMessage(err)
	if status >= 500 {
		msg = "the delivery could not be stored; send it again later"
	}
	http.Error(w, msg, status)
}
