// Package web serves Steward's server-rendered pages: html/template, with
// templates and assets embedded in the binary. Handlers are named by noun
// (department.go, user.go…) and return errors that Error renders.
package web

import (
	"bytes"
	"cmp"
	"embed"
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
	"steward.city/steward/internal/importer"
	"steward.city/steward/internal/jobs"
	"steward.city/steward/internal/moderation"
	"steward.city/steward/internal/people"
	"steward.city/steward/internal/publish"
	"steward.city/steward/internal/records"
	"steward.city/steward/internal/registry"
	"steward.city/steward/internal/route"
	"steward.city/steward/internal/worklist"
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
	work    *worklist.Service
	jobs    *jobs.Queue
	publish *publish.Service
	sso     SSO
	// publicURL is the address people open Steward at, which links in
	// e-mail start with; "": no reset links are e-mailed.
	publicURL string
	log       *slog.Logger
	now       func() time.Time
	loc       *time.Location
	version   string
	pages     map[string]*template.Template
	navPerm   map[string]civic.Permission
	// importMax is the largest export an import may upload.
	importMax int64
}

// Config is what the pages need: the services, each built once by the
// command line's composition root (cli.NewServices), and every one required.
type Config struct {
	Store  civic.Store // the pages' reads
	Clock  func() time.Time
	Logger *slog.Logger
	// Location is the city's time zone: every time a page shows is in it.
	Location *time.Location
	SSO      SSO // nil: no single sign-on
	Version  string
	// PublicURL is the address people open Steward at
	// (https://steward.city.example), which reset links start with; "":
	// forgotten passwords are reset by an administrator only.
	PublicURL string

	Auth       *auth.Service
	People     *people.Service
	Registry   *registry.Service
	Archive    *archive.Service
	Records    *records.Service
	Moderation *moderation.Service
	Capture    *capture.Service
	// Connections connects accounts and replaces their tokens.
	Connections *connection.Service
	// Worklist is what waits for each person, on the dashboard.
	Worklist *worklist.Service
	// Jobs lists, retries and cancels background jobs.
	Jobs *jobs.Queue
	// Publish drafts, reviews and publishes official posts.
	Publish *publish.Service
	// ImportMax is the largest export one may upload to import
	// (--import-max): bytes; 0: importer.DefaultUploadMax.
	ImportMax int64
}

// New parses the templates and returns a Handler. It refuses a Config
// missing a service: no page builds one of its own.
func New(c Config) (*Handler, error) {
	for name, missing := range map[string]bool{"Store": c.Store == nil, "Clock": c.Clock == nil, "Logger": c.Logger == nil, "Location": c.Location == nil,
		"Auth": c.Auth == nil, "People": c.People == nil, "Registry": c.Registry == nil, "Archive": c.Archive == nil,
		"Records": c.Records == nil, "Moderation": c.Moderation == nil, "Capture": c.Capture == nil, "Connections": c.Connections == nil, "Worklist": c.Worklist == nil, "Jobs": c.Jobs == nil, "Publish": c.Publish == nil} {
		if missing {
			return nil, fmt.Errorf("web: Config.%s is not set", name)
		}
	}
	h := &Handler{store: c.Store, auth: c.Auth, people: c.People, reg: c.Registry, archive: c.Archive, records: c.Records, mod: c.Moderation, capture: c.Capture, conns: c.Connections, work: c.Worklist, jobs: c.Jobs, publish: c.Publish, sso: c.SSO, publicURL: c.PublicURL, log: c.Logger, now: c.Clock, loc: c.Location, version: c.Version, pages: map[string]*template.Template{},
		importMax: cmp.Or(c.ImportMax, importer.DefaultUploadMax)}
	funcs := templateFuncs(c.Location)
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
	if h.navPerm, err = navPerms(h.Routes()); err != nil {
		return nil, err
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

// navGroup is a heading of the main navigation and its links.
type navGroup struct {
	Label string
	Items []navItem
}

// Page is what every template receives; Data holds the page's own values.
type Page struct {
	Title   string
	User    *civic.User
	Demo    bool
	Nav     []navGroup
	Notice  string
	Errors  []FieldError
	Version string
	Data    any
}

// navLinks are the main navigation's pages by heading. Who sees a link is
// decided by the permission of the page's own GET route (navPerms), so the
// navigation can never offer a page its route refuses; the covert pages,
// open to every signed-in user so that they tell no one else a profile
// exists, are offered only to who holds covert.manage.
var navLinks = []struct {
	group string
	links [][2]string
}{
	{"Work", [][2]string{{"/", "Dashboard"}, {"/notifications", "Notifications"}, {"/drafts", "Drafts"}, {"/drafts/queue", "Drafts to review"},
		{"/moderation/report", "Report content"}}},
	{"Accounts", [][2]string{{"/accounts", "Accounts"}, {"/posters", "Authorized posters"}, {"/calendar", "Post calendar"}, {"/contracts", "Agreements"},
		{"/covert", "Covert profiles"}, {"/covert/access", "Covert access"}}},
	{"Records", [][2]string{{"/records", "Records requests"}, {"/archive/items", "Archive"}, {"/capture", "Capture"}, {"/audit", "Audit log"}}},
	{"Moderation", [][2]string{{"/moderation/reviews", "Moderation"}}},
	{"Administration", [][2]string{{"/settings/approvals", "Approval settings"}, {"/users", "Users and roles"}, {"/departments", "Departments"},
		{"/people", "People"}, {"/policies", "Policies"}, {"/cases", "Conduct cases"}, {"/admin/jobs", "Background jobs"}}},
	{"You", [][2]string{{"/account", "Your account"}, {"/tokens", "API tokens"}}},
}

// navOverride are the links whose page is open to more people than it is
// useful to: they are offered only to who holds this permission as well as
// the route's: the covert pages to commanders, the review queue and the
// post calendar to reviewers (directors and Communications); staff reach
// their own drafts from Drafts.
var navOverride = map[string]civic.Permission{"/covert": civic.PermCovertManage, "/covert/access": civic.PermCovertManage,
	"/drafts/queue": civic.PermPostersDecide, "/calendar": civic.PermPostersDecide}

// navPerms maps each navigation link to the permission its GET route needs.
func navPerms(rs []route.Route) (map[string]civic.Permission, error) {
	byPath := map[string]civic.Permission{}
	for _, rt := range rs {
		if rt.Method == http.MethodGet && !rt.Public {
			byPath[strings.TrimSuffix(rt.Path, "{$}")] = rt.Perm
		}
	}
	out := map[string]civic.Permission{}
	for _, g := range navLinks {
		for _, l := range g.links {
			p, ok := byPath[l[0]]
			if !ok {
				return nil, fmt.Errorf("navigation link %s has no GET route", l[0])
			}
			out[l[0]] = p
		}
	}
	return out, nil
}

// nav lists, by heading, the pages u may open.
func (h *Handler) nav(u *civic.User, path string) []navGroup {
	// The current link is the longest one the path is or lies under:
	// /drafts/queue, not /drafts, on the review queue.
	current := ""
	for _, g := range navLinks {
		for _, l := range g.links {
			if (l[0] == path || (l[0] != "/" && strings.HasPrefix(path, l[0]+"/"))) && len(l[0]) > len(current) {
				current = l[0]
			}
		}
	}
	var out []navGroup
	for _, g := range navLinks {
		var items []navItem
		for _, l := range g.links {
			if !u.Can(h.navPerm[l[0]]) {
				continue
			}
			if p, ok := navOverride[l[0]]; ok && !u.Can(p) {
				continue
			}
			items = append(items, navItem{Href: l[0], Label: l[1], Current: l[0] == current})
		}
		if len(items) > 0 {
			out = append(out, navGroup{Label: g.group, Items: items})
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
	"job_retried":    "The job is queued to run again. The retry is in the audit log.",
	"pass_queued":    "A capture pass is queued: it runs in the background within seconds, and its outcome shows in the last runs below (reload the page).",
	"pass_already":   "A capture pass of this connection is already queued or running: its outcome shows in the last runs below (reload the page).",
	"job_cancelled":  "The job is cancelled. The cancel is in the audit log.",
	"signedout":      "You are signed out.",
	"proposed":       "Your proposal is recorded in the covert audit log and waits for the covert approver.",
	"withdrawn":      "The proposal is withdrawn.",
	"access_revoked": "The covert access is revoked; the commanders and the user are notified.",
	"requested":      "Your request is filed. The change is in the audit log.",
	"decided":        "Your decision is recorded in the audit log.",
	"stored":         "The secret is stored, encrypted. Storing it is in the audit log; the secret is not.",
	"reported":       "Your report is sent. The change is in the audit log.",
	"reset":          "Your new password is set, and you are signed out everywhere. Sign in with it.",
	"declared":       "Your personal account is declared: it can never be registered as an official account, and Steward never captures or monitors it.",
	"redacted":       "Redacted in the export. The archived record is unchanged; the redaction is in the audit log.",
}

// render writes page name with status.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name string, p Page) error {
	t, ok := h.pages[name]
	if !ok {
		return fmt.Errorf("no template %q", name)
	}
	p.User = route.User(r)
	if p.User != nil {
		p.Nav = h.nav(p.User, r.URL.Path)
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
	// A refusal names its rule (the roles that hold the route's
	// permission, or the service's own: "You filed this request, so…").
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

// formErrors turns a validation error into field errors for a form, all
// of them when err joins several (errors.Join), or returns ok=false when
// err is not the user's to fix.
func formErrors(err error) ([]FieldError, bool) {
	switch civic.ErrorKind(err) {
	case civic.KindInvalid, civic.KindConflict:
		var fe []FieldError
		for _, e := range civic.Errors(err) {
			if e.Kind == civic.KindInvalid || e.Kind == civic.KindConflict {
				fe = append(fe, FieldError{Field: e.Field, Message: e.Message})
			}
		}
		if len(fe) == 0 {
			fe = []FieldError{{Field: civic.ErrorField(err), Message: civic.ErrorMessage(err)}}
		}
		return fe, true
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
