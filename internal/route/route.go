// Package route describes Steward's HTTP routes and what a handler needs to
// know about its request: the signed-in user, and how an error maps to a
// status code. The web and api packages declare routes; the server package
// mounts them behind one authorization check.
package route

import (
	"context"
	"errors"
	"net/http"

	"steward.city/steward/internal/civic"
)

// Handler serves one request. It returns an error instead of writing one;
// the server renders it once, for a browser or for the API.
type Handler func(w http.ResponseWriter, r *http.Request) error

// Route is one method and path pattern (net/http ServeMux syntax).
type Route struct {
	Method  string
	Path    string
	Perm    civic.Permission // what the user needs; Public routes need nothing
	Public  bool             // served without signing in
	API     bool             // JSON in and out, bearer-token authentication
	RawBody bool             // the handler reads the body's bytes itself (a signed webhook delivery); it is not parsed as a form
	// Upload, when more than 0, is the most bytes the body may hold (a
	// file streamed to the blob store), instead of the server's limit,
	// and the request has no read or write deadline: both only once the
	// user is authorized, so that a stranger still gets the server's.
	Upload int64
	// Metric, when set, is the name /metrics counts the route under (with
	// its method) instead of its path: routes whose very use is
	// confidential (the covert profile registry) share one name with others.
	Metric  string
	Summary string // one line for the OpenAPI document and the route list
	Handle  Handler
}

// Pattern returns the ServeMux pattern "METHOD /path".
func (r Route) Pattern() string { return r.Method + " " + r.Path }

// StatusClientClosed is the status a request is logged and counted with
// when its client went away before the answer (nginx's 499). It is never
// sent.
const StatusClientClosed = 499

// Gone reports whether the request's client has gone away (closed the
// connection or cancelled the request): nothing more reaches it, and an
// error from here on is the client's doing, not Steward's.
func Gone(r *http.Request) bool { return errors.Is(r.Context().Err(), context.Canceled) }

type userKey struct{}

// WithUser returns ctx carrying the signed-in user.
func WithUser(ctx context.Context, u *civic.User) context.Context {
	return context.WithValue(ctx, userKey{}, u)
}

// User returns the signed-in user of the request, or nil.
func User(r *http.Request) *civic.User {
	u, _ := r.Context().Value(userKey{}).(*civic.User)
	return u
}

type actorKey struct{}

// WithActor returns ctx carrying who the request acts as. The server sets
// it to the signed-in user on routes that need a permission; public routes
// act as civic.Anonymous whoever is signed in.
func WithActor(ctx context.Context, a civic.Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// Actor returns who the request acts as: the actor the server set, or
// civic.Anonymous when it set none. Handlers pass it to every service call
// that checks a permission; it is the only way a handler gets an actor.
func Actor(r *http.Request) civic.Actor {
	if a, ok := r.Context().Value(actorKey{}).(civic.Actor); ok {
		return a
	}
	return civic.Anonymous
}

// Status returns the HTTP status code for err's kind.
func Status(err error) int {
	switch civic.ErrorKind(err) {
	case civic.KindInvalid:
		return http.StatusUnprocessableEntity
	case civic.KindNotFound:
		return http.StatusNotFound
	case civic.KindConflict:
		return http.StatusConflict
	case civic.KindUnauthorized:
		return http.StatusUnauthorized
	case civic.KindForbidden:
		return http.StatusForbidden
	case civic.KindUnavailable:
		return http.StatusServiceUnavailable
	case civic.KindTooMany:
		return http.StatusTooManyRequests
	case civic.KindTooLarge:
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusInternalServerError
}
