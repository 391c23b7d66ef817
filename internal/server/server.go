// Package server mounts the web pages and the API on one http.Handler: the
// route table, authentication, the one authorization check every route
// passes, error rendering, security headers, health and metrics.
package server

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"steward.city/steward/internal/api"
	"steward.city/steward/internal/auth"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/public"
	"steward.city/steward/internal/route"
	"steward.city/steward/internal/web"
)

// MaxBodyBytes limits every request body.
const MaxBodyBytes = 1 << 20

// Server is Steward's HTTP handler.
type Server struct {
	store   civic.Store
	auth    *auth.Service
	web     *web.Handler
	api     *api.Handler
	log     *slog.Logger
	routes  []route.Route
	handler http.Handler
	metrics *metrics
	token   string // the bearer token /metrics requires
}

// Config is what the server is built from.
type Config struct {
	Store civic.Store
	Auth  *auth.Service
	Web   *web.Handler
	API   *api.Handler
	// Public is the public records portal under /public.
	Public *public.Handler
	Log    *slog.Logger
	// Collectors are registered on the server's /metrics registry (the
	// capture engine's per-account metrics).
	Collectors []prometheus.Collector
	// MetricsToken is the bearer token /metrics requires. With it, and
	// without MetricsElsewhere, ServeHTTP serves /metrics.
	MetricsToken string
	// MetricsElsewhere says /metrics is served on an address of its own
	// (MetricsHandler), never by ServeHTTP. With neither this nor
	// MetricsToken, there are no metrics: /metrics is a 404.
	MetricsElsewhere bool
	// TrustedProxies are the reverse proxies whose X-Forwarded-For is
	// believed when deciding a request's client address (sign-in
	// throttling, public inquiry limits, the audit log); empty: none.
	TrustedProxies []netip.Prefix
	// PublicLimit is the per-client rate limit of the portal's routes.
	PublicLimit PublicLimit
}

// New builds the server and its routes.
func New(c Config) *Server {
	s := &Server{store: c.Store, auth: c.Auth, web: c.Web, api: c.API, log: c.Log, token: c.MetricsToken}
	s.metrics = newMetrics(c.Store.Ping, c.Collectors...)
	s.routes = append(s.web.Routes(), s.api.Routes()...)
	var portal map[string]bool
	if c.Public != nil {
		portal = map[string]bool{}
		for _, rt := range c.Public.Routes() {
			portal[rt.Pattern()] = true
			s.routes = append(s.routes, rt)
		}
	}
	lim := newLimiter(c.PublicLimit)
	mux := http.NewServeMux()
	for _, rt := range s.routes {
		h := s.serve(rt)
		if portal[rt.Pattern()] {
			h = s.limit(lim, rt, h)
		}
		mux.Handle(rt.Pattern(), s.metrics.instrument(label(rt), h))
	}
	mux.Handle("GET /healthz", s.metrics.instrument("GET /healthz", http.HandlerFunc(s.healthz)))
	if c.MetricsToken != "" && !c.MetricsElsewhere {
		mux.Handle("GET /metrics", s.metrics.handler(c.MetricsToken))
	}
	mux.Handle("GET /static/", s.static(web.Static()))
	mux.Handle("/api/", s.serve(route.Route{API: true, Public: true, Handle: notFound}))
	mux.Handle("/", s.serve(route.Route{Public: true, Handle: notFound}))
	s.handler = s.recoverer(headers(http.NewCrossOriginProtection().Handler(limitBody(withClient(c.TrustedProxies, mux)))))
	return s
}

// MetricsHandler serves GET /metrics alone, for an address of its own
// (--metrics-addr), requiring the MetricsToken when one is set; any other
// request is a 404.
func (s *Server) MetricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", s.metrics.handler(s.token))
	return headers(mux)
}

// Routes returns every route the server mounts from the web and api packages.
func (s *Server) Routes() []route.Route { return s.routes }

// ServeHTTP serves a request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

func notFound(w http.ResponseWriter, r *http.Request) error {
	return civic.Errorf(civic.KindNotFound, "there is no page at %s", r.URL.Path)
}

// serve authenticates the request, checks the route's permission and runs
// its handler, rendering any error it returns. This is the one place where
// a route's access is decided.
func (s *Server) serve(rt route.Route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, err := s.authorize(r, rt)
		if u != nil {
			r = r.WithContext(route.WithUser(r.Context(), u))
		}
		if err == nil {
			r = r.WithContext(route.WithActor(r.Context(), actorFor(rt, u)))
			upload(w, r, rt)
		}
		if err == nil {
			err = input(r, rt)
		}
		if err == nil {
			err = rt.Handle(w, r)
		}
		if err != nil {
			s.fail(w, r, rt, err)
		}
	})
}

// actorFor is who a request acts as on rt: on a public route always
// civic.Anonymous, even for a signed-in user (the page may show who is
// signed in, but nothing it does runs with their roles); on any other route
// the signed-in user that authorize let through.
func actorFor(rt route.Route, u *civic.User) civic.Actor {
	if rt.Public {
		return civic.Anonymous
	}
	return civic.ActorOf(u)
}

// authorize resolves the signed-in user, if any, and decides whether it may
// use rt: public routes are open to all, others need a user whose roles
// hold the route's permission.
func (s *Server) authorize(r *http.Request, rt route.Route) (*civic.User, error) {
	u, err := s.authenticate(r, rt.API)
	switch {
	case rt.Public:
		if civic.ErrorKind(err) == civic.KindUnavailable {
			return nil, err
		}
		return u, nil
	case err != nil:
		return nil, err
	case !u.Can(rt.Perm):
		return u, civic.Errorf(civic.KindForbidden, "%s", civic.Refusal(rt.Perm))
	}
	return u, nil
}

// authenticate returns the user of a bearer token (API) or of the session
// cookie (pages), or nil with the reason.
func (s *Server) authenticate(r *http.Request, isAPI bool) (*civic.User, error) {
	ctx := r.Context()
	if isAPI {
		h := r.Header.Get("Authorization")
		if h == "" {
			return nil, civic.Errorf(civic.KindUnauthorized, "send an API token: Authorization: Bearer stw_…")
		}
		scheme, token, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			return nil, civic.Errorf(civic.KindUnauthorized, "the Authorization header must be Bearer <token>")
		}
		return s.auth.TokenUser(ctx, strings.TrimSpace(token))
	}
	c, err := r.Cookie(web.CookieName)
	if err != nil {
		return nil, civic.Errorf(civic.KindUnauthorized, "sign in first")
	}
	return s.auth.Session(ctx, c.Value)
}

// fail renders err for the route's audience and logs it once. When the
// client has gone away, whatever err says (the database drivers report a
// cancelled query in their own words), nothing is rendered and the request
// is logged at info as a client cancel (499), not as Steward's error.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, rt route.Route, err error) {
	if route.Gone(r) {
		s.log.Info("request cancelled by client", "method", r.Method, "path", r.URL.Path, "status", route.StatusClientClosed, "err", err)
		return
	}
	status := route.Status(err)
	switch {
	case status >= 500:
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "status", status, "err", err)
	case status == http.StatusForbidden:
		s.log.Warn("request forbidden", "method", r.Method, "path", r.URL.Path, "user", userLabel(route.User(r)))
	}
	if errors.Is(err, context.Canceled) {
		return
	}
	if rt.API {
		api.Error(w, err)
		return
	}
	s.web.Error(w, r, err)
}

func userLabel(u *civic.User) string {
	if u == nil {
		return ""
	}
	return u.Email
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if err := s.store.Ping(ctx); err != nil {
		s.log.Error("health check failed", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte(`{"status":"unavailable","database":"unreachable"}` + "\n"))
		return
	}
	w.Write([]byte(`{"status":"ok","database":"` + s.store.Engine() + `"}` + "\n"))
}
