// Package web serves Steward's server-rendered pages: html/template, with
// templates and assets embedded in the binary. Handlers are named by noun
// (department.go, user.go…) and return errors that Error renders.
package web

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/auth"
	"steward.city/steward/internal/capture"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/connection"
	"steward.city/steward/internal/moderation"
	"steward.city/steward/internal/people"
	"steward.city/steward/internal/publish"
	"steward.city/steward/internal/records"
	"steward.city/steward/internal/registry"
	"steward.city/steward/internal/route"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Static returns the embedded assets, served under /static/.
func Static() fs.FS {
	sub, _ := fs.Sub(staticFS, "static")
	return sub
}

// CookieName is the session cookie. The __Host- prefix makes the browser
// refuse it unless it is Secure, path /, and set by this host only.
const CookieName = "__Host-steward"

// SSO starts and finishes single sign-on; nil when it is not configured.
type SSO interface {
	// Start returns where to send the browser, and sets what it needs to
	// check the answer (state, nonce, verifier) in a short-lived cookie.
	Start(w http.ResponseWriter, r *http.Request) (string, error)
	// Finish checks the provider's answer and returns the signed-in user.
	Finish(w http.ResponseWriter, r *http.Request) (*civic.User, error)
	// Name is shown on the sign-in button ("Sign in with Entra ID").
	Name() string
}

// Handler serves the pages.
type Handler struct {
	store   civic.Store
	auth    *auth.Service
	people  *people.Service
	reg     *registry.Service
	archive *archive.Service
	records *records.Service
	mod     *moderation.Service
	capture *capture.Service
	conns   *connection.Service
	publish *publish.Service
	sso     SSO
	log     *slog.Logger
	now     func() time.Time
	version string
	pages   map[string]*template.Template
}

// Config is what the pages need: the services, each built once by the
// command line's composition root (cli.NewServices), and every one required.
type Config struct {
	Store   civic.Store // the pages' reads
	Clock   func() time.Time
	Logger  *slog.Logger
	SSO     SSO // nil: no single sign-on
	Version string

	Auth       *auth.Service
	People     *people.Service
	Registry   *registry.Service
	Archive    *archive.Service
	Records    *records.Service
	Moderation *moderation.Service
	Capture    *capture.Service
	// Connections connects accounts and replaces their tokens.
	Connections *connection.Service
	// Publish drafts, reviews and publishes official posts.
	Publish *publish.Service
}

// New parses the templates and returns a Handler. It refuses a Config
// missing a service: no page builds one of its own.
func New(c Config) (*Handler, error) {
	for name, missing := range map[string]bool{"Store": c.Store == nil, "Clock": c.Clock == nil, "Logger": c.Logger == nil,
		"Auth": c.Auth == nil, "People": c.People == nil, "Registry": c.Registry == nil, "Archive": c.Archive == nil,
		"Records": c.Records == nil, "Moderation": c.Moderation == nil, "Capture": c.Capture == nil, "Connections": c.Connections == nil, "Publish": c.Publish == nil} {
		if missing {
			return nil, fmt.Errorf("web: Config.%s is not set", name)
		}
	}
	h := &Handler{store: c.Store, auth: c.Auth, people: c.People, reg: c.Registry, archive: c.Archive, records: c.Records, mod: c.Moderation, capture: c.Capture, conns: c.Connections, publish: c.Publish, sso: c.SSO, log: c.Logger, now: c.Clock, version: c.Version, pages: map[string]*template.Template{}}
	funcs := templateFuncs()
	layout, err := template.New("layout").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/_*.html")
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if name == "layout" || strings.HasPrefix(name, "_") {
			continue
		}
		t, err := template.Must(layout.Clone()).ParseFS(templateFS, n)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", n, err)
		}
		h.pages[name] = t
	}
	return h, nil
}

// FieldError is an error shown next to a form field.
type FieldError struct {
	Field   string
	Message string
}

func errFor(errs []FieldError, f string) *FieldError {
	for i := range errs {
		if errs[i].Field == f {
			return &errs[i]
		}
	}
	return nil
}

// navItem is a link in the main navigation.
type navItem struct {
	Href, Label string
	Current     bool
}

// Page is what every template receives; Data holds the page's own values.
type Page struct {
	Title   string
	User    *civic.User
	Demo    bool
	Nav     []navItem
	Notice  string
	Errors  []FieldError
	Version string
	Data    any
}

// nav lists the pages u may open.
func nav(u *civic.User, path string) []navItem {
	items := []struct {
		href, label string
		perm        civic.Permission
	}{
		{"/", "Dashboard", civic.PermSignedIn},
		{"/departments", "Departments", civic.PermDepartmentsView},
		{"/people", "People", civic.PermPeopleView},
		{"/users", "Users and roles", civic.PermUsersView},
		{"/tokens", "API tokens", civic.PermSignedIn},
		{"/accounts", "Accounts", civic.PermAccountsView},
		{"/posters", "Authorized posters", civic.PermAccountsView},
		{"/contracts", "Agreements", civic.PermAccountsView},
		{"/covert", "Covert profiles", civic.PermCovertManage},
		{"/covert/access", "Covert access", civic.PermCovertManage},
		{"/policies", "Policies", civic.PermSignedIn},
		{"/cases", "Conduct cases", civic.PermConductView},
		{"/notifications", "Notifications", civic.PermSignedIn},
		{"/archive/items", "Archive", civic.PermArchiveView},
		{"/records", "Records requests", civic.PermRecordsView},
		{"/capture", "Capture", civic.PermCaptureView},
		{"/moderation/reviews", "Moderation", civic.PermModerationView},
		{"/moderation/report", "Report content", civic.PermSignedIn},
		{"/audit", "Audit log", civic.PermAuditView},
		{"/account", "Your account", civic.PermSignedIn},
	}
	var out []navItem
	for _, it := range items {
		if u.Can(it.perm) {
			cur := it.href == path || (it.href != "/" && strings.HasPrefix(path, it.href+"/"))
			out = append(out, navItem{Href: it.href, Label: it.label, Current: cur})
		}
	}
	return out
}

// notices are the messages a redirect may ask a page to show; only these
// keys are accepted, so a link cannot make Steward say anything else.
var notices = map[string]string{
	"created":        "Saved. The change is in the audit log.",
	"saved":          "Saved. The change is in the audit log.",
	"published":      "Published. The post and its authority record are in the archive.",
	"roles":          "Roles saved.",
	"disabled":       "The user is disabled and signed out everywhere.",
	"enabled":        "The user is enabled.",
	"password":       "The password is changed, the user is signed out everywhere and their API tokens are revoked.",
	"ownpassword":    "Your password is changed; your other sessions are signed out and your API tokens revoked.",
	"revoked":        "The token is revoked.",
	"signedout":      "You are signed out.",
	"proposed":       "Your proposal is recorded in the covert audit log and waits for the covert approver.",
	"withdrawn":      "The proposal is withdrawn.",
	"access_revoked": "The covert access is revoked; the commanders and the user are notified.",
	"requested":      "Your request is filed. The change is in the audit log.",
	"decided":        "Your decision is recorded in the audit log.",
	"stored":         "The secret is stored, encrypted. Storing it is in the audit log; the secret is not.",
	"reported":       "Your report is sent. The change is in the audit log.",
}

// render writes page name with status.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name string, p Page) error {
	t, ok := h.pages[name]
	if !ok {
		return fmt.Errorf("no template %q", name)
	}
	p.User = route.User(r)
	if p.User != nil {
		p.Nav = nav(p.User, r.URL.Path)
	}
	p.Version = h.version
	if v, err := h.store.Setting(r.Context(), "demo"); err == nil && v == "true" {
		p.Demo = true
	}
	if p.Notice == "" {
		p.Notice = notices[r.URL.Query().Get("notice")]
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// Error renders err as a page. Internal errors show a generic message.
func (h *Handler) Error(w http.ResponseWriter, r *http.Request, err error) {
	status := route.Status(err)
	if status == http.StatusUnauthorized {
		h.redirectToSignIn(w, r)
		return
	}
	title := http.StatusText(status)
	msg := civic.ErrorMessage(err)
	var refusal *civic.CovertRefusal
	if status == http.StatusForbidden && !errors.As(err, &refusal) {
		msg = "Your roles do not allow this page or action. Ask your administrator if you need it."
	}
	if rerr := h.render(w, r, status, "error", Page{Title: title, Data: msg}); rerr != nil {
		h.log.Error("render error page", "err", rerr)
		http.Error(w, msg, status)
	}
}

func (h *Handler) redirectToSignIn(w http.ResponseWriter, r *http.Request) {
	next := r.URL.Path
	if r.URL.RawQuery != "" {
		next += "?" + r.URL.RawQuery
	}
	if r.Method != http.MethodGet {
		next = "/"
	}
	http.Redirect(w, r, "/signin?next="+url.QueryEscape(next), http.StatusSeeOther)
}

// formErrors turns a validation error into field errors for a form, or
// returns ok=false when err is not the user's to fix.
func formErrors(err error) ([]FieldError, bool) {
	switch civic.ErrorKind(err) {
	case civic.KindInvalid, civic.KindConflict:
		return []FieldError{{Field: civic.ErrorField(err), Message: civic.ErrorMessage(err)}}, true
	}
	return nil, false
}

// pathID reads the {id} path value.
func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, civic.Errorf(civic.KindNotFound, "no such page")
	}
	return id, nil
}

// formInt reads an optional integer form field.
func formInt(r *http.Request, field string) (int64, error) {
	s := strings.TrimSpace(r.FormValue(field))
	if s == "" {
		return 0, nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, civic.Invalid(field, "%q is not a number", s)
	}
	return v, nil
}

// parseForm parses the body of a form post, limited in size by the server.
func parseForm(r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		if civic.ErrorKind(err) == civic.KindTooLarge {
			return err
		}
		return civic.Invalid("", "the form could not be read: %v", err)
	}
	return nil
}

// seeOther redirects after a successful post.
func seeOther(w http.ResponseWriter, r *http.Request, to, notice string) error {
	if notice != "" {
		sep := "?"
		if strings.Contains(to, "?") {
			sep = "&"
		}
		to += sep + "notice=" + notice
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }
