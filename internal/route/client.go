package route

import (
	"context"
	"net"
	"net/http"
)

type clientKey struct{}

// WithClient returns ctx carrying the client's address, as the server
// decided it (see server.Config.TrustedProxies).
func WithClient(ctx context.Context, addr string) context.Context {
	return context.WithValue(ctx, clientKey{}, addr)
}

// Client returns the address the request came from: the one the server
// decided, or else the connection's remote address.
func Client(r *http.Request) string {
	if a, ok := r.Context().Value(clientKey{}).(string); ok && a != "" {
		return a
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
