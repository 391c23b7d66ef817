// Package public serves the public records portal under /public (REC-7):
// the city's official accounts, their posts with public comments, search,
// single records and an Atom feed per account, to anyone, without signing
// in. Every read goes through the archive service's public reads, which
// show only what the store's public rule allows; handlers act as
// civic.Anonymous and call nothing that needs a permission.
package public

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/capture"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/plain"
	"steward.city/steward/internal/route"
)

//go:embed templates/*.html
var templateFS embed.FS

// Codes returns the moderation reason codes with their policy clauses, so
// that a removal placeholder says why in the policy's words.
type Codes func(ctx context.Context) ([]civic.ReasonCode, error)

// Health reports on the capture of the accounts the public rule allows
// (capture.Service.PublicHealth).
type Health func(ctx context.Context, accounts []*civic.PublicAccount) ([]*capture.PublicHealth, error)

// Card returns the moderation screen's model card, or nil.
type Card func() *civic.ModelCard

// Config is what the portal needs, built by cli.NewServices.
type Config struct {
	Archive *archive.Service
	Codes   Codes
	Health  Health
	Card    Card
	Logger  *slog.Logger
	Version string
	// Location is the city's time zone: every date and time a page shows
	// is in it (feeds keep RFC 3339 UTC).
	Location *time.Location
}

// Handler serves the portal's pages.
type Handler struct {
	archive *archive.Service
	codes   Codes
	health  Health
	card    Card
	log     *slog.Logger
	version string
	pages   map[string]*template.Template
	loc     *time.Location
	// warcTurn lets one public WARC be written at a time (writing one
	// reads a month of an account and its media); another asked meanwhile
	// is told to come back in a minute.
	warcTurn chan struct{}
}

// PageSize is how many posts or results one page shows.
const PageSize = 20

// MaxPage is the highest page number a list accepts.
const MaxPage = 500

// New parses the templates and returns a Handler; it refuses a Config
// missing a service.
func New(c Config) (*Handler, error) {
	if c.Archive == nil || c.Codes == nil || c.Health == nil || c.Card == nil || c.Logger == nil || c.Location == nil {
		return nil, fmt.Errorf("public: Config.Archive, Codes, Health, Card, Logger and Location are required")
	}
	h := &Handler{archive: c.Archive, codes: c.Codes, health: c.Health, card: c.Card, log: c.Logger, version: c.Version, pages: map[string]*template.Template{},
		loc: c.Location, warcTurn: make(chan struct{}, 1)}
	for _, name := range []string{"accounts", "account", "item", "search", "error", "checkpoints", "dispositions", "reports"} {
		t, err := template.New("layout").Funcs(funcs(c.Location)).ParseFS(templateFS, "templates/layout.html", "templates/_item.html", "templates/"+name+".html")
		if err != nil {
			return nil, err
		}
		h.pages[name] = t
	}
	return h, nil
}

// Routes lists the portal's routes, all public.
func (h *Handler) Routes() []route.Route {
	r := func(path, summary string, fn route.Handler) route.Route {
		return route.Route{Method: http.MethodGet, Path: path, Public: true, Summary: summary, Handle: h.page(fn)}
	}
	return []route.Route{
		r("/public", "public records: the city's official accounts", h.accounts),
		r("/public/accounts/{id}", "public records: an account's posts with their public comments", h.account),
		r("/public/accounts/{id}/feed.atom", "public records: an account's public posts as an Atom feed", h.feed),
		r("/public/accounts/{id}/warc", "public records: an account's month (?month=YYYY-MM) of public records as a WARC file", h.warc),
		r("/public/search", "public records: search the public posts and comments", h.search),
		r("/public/items/{id}", "public records: one post or comment with its versions", h.item),
		r("/public/items/{id}/proof", "public records: the inclusion proof of a record's versions in the signed log (JSON)", h.jsonPage(h.proof)),
		r("/public/checkpoints", "public records: every signed checkpoint of the archive, newest first", h.checkpoints),
		r("/public/checkpoints/latest", "public records: the newest signed checkpoint (signed note)", h.latest),
		r("/public/checkpoints/consistency", "public records: the proof that a larger signed tree extends a smaller one (JSON)", h.jsonPage(h.consistency)),
		r("/public/reports", "public records: block report, capture health and the moderation screen's measured quality", h.reports),
		r("/public/dispositions", "public records: what was destroyed under the retention schedule", h.dispositions),
	}
}

// page renders a client's error (a bad id, an unknown record) on the
// portal's own error page; Steward's own errors go to the server.
func (h *Handler) page(fn route.Handler) route.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		err := fn(w, r)
		if err == nil || route.Status(err) >= 500 {
			return err
		}
		return h.render(w, r, route.Status(err), "error", page{Title: http.StatusText(route.Status(err)), Data: civic.ErrorMessage(err)}, time.Time{})
	}
}

// page is what every template gets.
type page struct {
	Title   string
	Version string
	Data    any
}

// render writes a page with an ETag of its bytes and, when lastMod is
// set, Last-Modified; a request that already holds it gets 304.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name string, p page, lastMod time.Time) error {
	p.Version = h.version
	var buf bytes.Buffer
	if err := h.pages[name].ExecuteTemplate(&buf, "layout", p); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	return serve(w, r, status, "text/html; charset=utf-8", buf.Bytes(), lastMod)
}

// serve writes body with its validators and answers a conditional GET.
func serve(w http.ResponseWriter, r *http.Request, status int, ctype string, body []byte, lastMod time.Time) error {
	sum := sha256.Sum256(append([]byte(ctype+"\n"), body...))
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	hd := w.Header()
	if status == http.StatusOK {
		hd.Set("ETag", etag)
		hd.Set("Cache-Control", "public, max-age=60")
		if !lastMod.IsZero() {
			hd.Set("Last-Modified", lastMod.UTC().Format(http.TimeFormat))
		}
		if notModified(r, etag, lastMod) {
			w.WriteHeader(http.StatusNotModified)
			return nil
		}
	} else {
		hd.Set("Cache-Control", "no-store")
	}
	hd.Set("Content-Type", ctype)
	w.WriteHeader(status)
	_, err := w.Write(body)
	return err
}

// notModified applies If-None-Match, or without it If-Modified-Since.
func notModified(r *http.Request, etag string, lastMod time.Time) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for _, t := range strings.Split(inm, ",") {
			t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
			if t == etag || t == "*" {
				return true
			}
		}
		return false
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" && !lastMod.IsZero() {
		t, err := http.ParseTime(ims)
		return err == nil && !lastMod.Truncate(time.Second).After(t)
	}
	return false
}

// pathID reads the {id} of the path: a positive whole number, or the same
// not-found answer as an id that does not exist.
func pathID(r *http.Request, what string) (int64, error) {
	v := r.PathValue("id")
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 || strconv.FormatInt(id, 10) != v {
		return 0, civic.Errorf(civic.KindNotFound, "there is no public %s %s", what, clipID(v))
	}
	return id, nil
}

func clipID(s string) string {
	if len(s) > 20 || strings.ContainsFunc(s, func(c rune) bool { return c < '0' || c > '9' }) {
		return "with that number"
	}
	return s
}

// pageNumber reads ?page=: 1 when absent, else a whole number from 1 to MaxPage.
func pageNumber(r *http.Request) (int, error) {
	v := r.URL.Query().Get("page")
	if v == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > MaxPage {
		return 0, civic.Invalid("page", "page must be a whole number from 1 to %d", MaxPage)
	}
	return n, nil
}

// funcs are the templates' functions; dates and times are the city's (loc).
func funcs(loc *time.Location) template.FuncMap {
	return template.FuncMap{
		"date":     func(t time.Time) string { return plain.Date(t, loc) },
		"datetime": func(t time.Time) string { return plain.Time(t, loc) },
		"iso":      func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"add":      func(a, b int) int { return a + b },
		"sub":      func(a, b int) int { return a - b },
		"kind":     func(k civic.ItemKind) string { return kindWords[k] },
		"platform": civic.PlatformName,
	}
}

var kindWords = map[civic.ItemKind]string{civic.ItemPost: "Post", civic.ItemComment: "Comment", civic.ItemReply: "Reply",
	civic.ItemMessage: "Message", civic.ItemMedia: "Media", civic.ItemProfile: "Profile"}
