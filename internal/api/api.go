// Package api serves Steward's JSON API under /api/v1, described by the
// OpenAPI 3 document it serves at /api/v1/openapi.json. Clients authenticate
// with a bearer token; errors are {"error":{"code","message","field"}}.
package api

import (
	"cmp"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
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
	"steward.city/steward/internal/strictjson"
	"steward.city/steward/internal/worklist"
)

//go:embed openapi/*.json
var openapiFS embed.FS

// openAPI merges the embedded documents into one: foundation.json is the
// base; every other file adds its paths and component schemas.
func openAPI() ([]byte, error) {
	var doc map[string]any
	b, err := openapiFS.ReadFile("openapi/foundation.json")
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("openapi/foundation.json: %w", err)
	}
	paths := doc["paths"].(map[string]any)
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	names, _ := fs.Glob(openapiFS, "openapi/*.json")
	for _, name := range names {
		if name == "openapi/foundation.json" {
			continue
		}
		var part struct {
			Paths      map[string]any `json:"paths"`
			Components struct {
				Schemas map[string]any `json:"schemas"`
			} `json:"components"`
		}
		b, err := openapiFS.ReadFile(name)
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(b, &part); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		for k, v := range part.Paths {
			if _, dup := paths[k]; dup {
				return nil, fmt.Errorf("%s: path %s is documented twice", name, k)
			}
			paths[k] = v
		}
		for k, v := range part.Components.Schemas {
			if _, dup := schemas[k]; dup {
				return nil, fmt.Errorf("%s: schema %s is defined twice", name, k)
			}
			schemas[k] = v
		}
	}
	return json.MarshalIndent(doc, "", " ")
}

// Handler serves the API.
type Handler struct {
	store  civic.Store
	auth   *auth.Service
	people *people.Service
	log    *slog.Logger
	now    func() time.Time
	loc    *time.Location
	doc    []byte // the OpenAPI document

	reg     *registry.Service
	archive *archive.Service
	records *records.Service
	mod     *moderation.Service
	capture *capture.Service
	conns   *connection.Service
	work    *worklist.Service
	jobs    *jobs.Queue
	publish *publish.Service
	// importMax is the largest export an import may upload.
	importMax int64
}

// Config is what the API needs: the services, each built once by the
// command line's composition root (cli.NewServices), and every one required.
type Config struct {
	Store  civic.Store // the API's reads
	Clock  func() time.Time
	Logger *slog.Logger
	// Location is the city's time zone, for what the API writes for
	// people (PDFs, file names); its JSON times stay RFC 3339 UTC.
	Location *time.Location

	Auth       *auth.Service
	People     *people.Service
	Registry   *registry.Service
	Archive    *archive.Service
	Records    *records.Service
	Moderation *moderation.Service
	Capture    *capture.Service
	// Connections connects accounts with their tokens.
	Connections *connection.Service
	// Worklist is what waits for each person (GET /me/work).
	Worklist *worklist.Service
	// Jobs lists, retries and cancels background jobs.
	Jobs *jobs.Queue
	// Publish drafts, reviews and publishes official posts.
	Publish *publish.Service
	// ImportMax is the largest export one may upload to import
	// (--import-max): bytes; 0: importer.DefaultUploadMax.
	ImportMax int64
}

// New returns a Handler. It refuses a Config missing a service (no route
// builds one of its own), and fails if the embedded OpenAPI documents do
// not merge, which the tests would have caught.
func New(c Config) (*Handler, error) {
	for name, missing := range map[string]bool{"Store": c.Store == nil, "Clock": c.Clock == nil, "Logger": c.Logger == nil, "Location": c.Location == nil,
		"Auth": c.Auth == nil, "People": c.People == nil, "Registry": c.Registry == nil, "Archive": c.Archive == nil,
		"Records": c.Records == nil, "Moderation": c.Moderation == nil, "Capture": c.Capture == nil, "Connections": c.Connections == nil, "Worklist": c.Worklist == nil, "Jobs": c.Jobs == nil, "Publish": c.Publish == nil} {
		if missing {
			return nil, fmt.Errorf("api: Config.%s is not set", name)
		}
	}
	doc, err := openAPI()
	if err != nil {
		return nil, err
	}
	return &Handler{store: c.Store, auth: c.Auth, people: c.People, log: c.Logger, now: c.Clock, loc: c.Location, doc: doc,
		reg: c.Registry, archive: c.Archive, records: c.Records, mod: c.Moderation, capture: c.Capture, conns: c.Connections, work: c.Worklist, jobs: c.Jobs, publish: c.Publish, importMax: cmp.Or(c.ImportMax, importer.DefaultUploadMax)}, nil
}

// errorBody is the shape of every API error.
type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field,omitempty"`
	} `json:"error"`
}

// Error writes err as JSON with its status code.
func Error(w http.ResponseWriter, err error) {
	var b errorBody
	b.Error.Code = civic.ErrorKind(err).String()
	b.Error.Message = civic.ErrorMessage(err)
	b.Error.Field = civic.ErrorField(err)
	status := route.Status(err)
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="steward"`)
	}
	writeJSON(w, status, b)
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// list wraps a collection so that fields can be added later.
type list[T any] struct {
	Items []T `json:"items"`
}

func items[T any](v []T) list[T] {
	if v == nil {
		v = []T{}
	}
	return list[T]{Items: v}
}

// decode reads the body, one JSON value, into dst with the strict decoder
// (see package strictjson): unknown, differently-cased or repeated names,
// wrong types, invalid UTF-8, NUL characters and trailing data are refused
// with the field named; a body over the server's limit is too_large.
func decode(r *http.Request, dst any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return civic.Invalid("", "send the body as application/json")
	}
	return strictjson.Decode(r.Body, dst)
}

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, civic.Errorf(civic.KindNotFound, "%q is not an id", r.PathValue("id"))
	}
	return id, nil
}

// Routes lists every API route with the permission it needs.
func (h *Handler) Routes() []route.Route {
	rs := append(h.foundationRoutes(), h.registryRoutes()...)
	rs = append(rs, h.archiveRoutes()...)
	rs = append(rs, h.recordsRoutes()...)
	rs = append(rs, h.captureRoutes()...)
	rs = append(rs, h.publishRoutes()...)
	rs = append(rs, h.moderationFormRoutes()...)
	rs = append(rs, h.worklistRoutes()...)
	return append(rs, h.moderationRoutes()...)
}

func (h *Handler) foundationRoutes() []route.Route {
	get, post, patch, del := http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodDelete
	r := func(method, path string, perm civic.Permission, summary string, fn route.Handler) route.Route {
		return route.Route{Method: method, Path: "/api/v1" + path, Perm: perm, API: true, Summary: summary, Handle: fn}
	}
	return []route.Route{
		{Method: get, Path: "/api/v1/openapi.json", Public: true, API: true, Summary: "this API's OpenAPI document", Handle: h.openapi},
		r(get, "/me", civic.PermSignedIn, "the user the token belongs to", h.me),
		r(get, "/departments", civic.PermDepartmentsView, "list departments", h.departmentList),
		r(post, "/departments", civic.PermDepartmentsManage, "add a department", h.departmentCreate),
		r(get, "/departments/{id}", civic.PermDepartmentsView, "one department", h.departmentGet),
		r(patch, "/departments/{id}", civic.PermDepartmentsManage, "change a department", h.departmentPatch),
		r(get, "/people", civic.PermPeopleView, "list covered persons", h.personList),
		r(post, "/people", civic.PermPeopleManage, "add a covered person", h.personCreate),
		r(get, "/people/{id}", civic.PermPeopleView, "one covered person", h.personGet),
		r(patch, "/people/{id}", civic.PermPeopleManage, "change a covered person", h.personPatch),
		r(get, "/users", civic.PermUsersView, "list users", h.userList),
		r(post, "/users", civic.PermUsersManage, "add a user", h.userCreate),
		r(get, "/users/{id}", civic.PermUsersView, "one user", h.userGet),
		r(patch, "/users/{id}", civic.PermUsersManage, "change a user's roles or disable it", h.userPatch),
		r(post, "/users/{id}/password", civic.PermUsersManage, "reset a user's password", h.userPassword),
		r(get, "/tokens", civic.PermSignedIn, "list API tokens", h.tokenList),
		r(post, "/tokens", civic.PermSignedIn, "create an API token", h.tokenCreate),
		r(del, "/tokens/{id}", civic.PermSignedIn, "revoke an API token", h.tokenRevoke),
		r(get, "/audit", civic.PermAuditView, "list audit events", h.auditList),
		r(get, "/jobs", civic.PermJobsManage, "list background jobs", h.jobList),
		r(post, "/jobs/{id}/retry", civic.PermJobsManage, "retry a background job", h.jobRetry),
		r(post, "/jobs/{id}/cancel", civic.PermJobsManage, "cancel a background job", h.jobCancel),
	}
}

func (h *Handler) openapi(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	_, err := w.Write(h.doc)
	return err
}

func (h *Handler) me(w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, http.StatusOK, route.User(r))
}

// required reports a missing field.
func required(field string) error { return civic.Invalid(field, "%s is required", field) }
