package cli

import (
	"fmt"
	"log/slog"
	"net"
)

// minMetricsToken is the shortest --metrics-token serve takes.
const minMetricsToken = 16

// metricsFlags say where /metrics is served and what it needs. With
// neither, there are no metrics.
type metricsFlags struct {
	token *string
	addr  *string
}

func (f *flags) metricsFlags() metricsFlags {
	return metricsFlags{
		token: f.String("metrics-token", "", fmt.Sprintf("bearer token /metrics requires, at least %d characters (prefer the environment variable); with neither this nor --metrics-addr, /metrics is off", minMetricsToken)),
		addr:  f.String("metrics-addr", "", "serve /metrics on this address of its own (host:port, for example 127.0.0.1:9100) instead of --addr"),
	}
}

// listen checks the metrics settings and, with --metrics-addr, listens
// there; the listener is nil without it.
func (m metricsFlags) listen(log *slog.Logger) (net.Listener, error) {
	if t := *m.token; t != "" && len(t) < minMetricsToken {
		return nil, usagef("--metrics-token: at least %d characters; make one with: openssl rand -hex 32", minMetricsToken)
	}
	if *m.addr == "" {
		return nil, nil
	}
	if _, _, err := net.SplitHostPort(*m.addr); err != nil {
		return nil, usagef("--metrics-addr %q: want host:port, for example 127.0.0.1:9100", *m.addr)
	}
	ln, err := net.Listen("tcp", *m.addr)
	if err != nil {
		return nil, fmt.Errorf("cannot listen on %s for metrics (is another program using the port?): %w", *m.addr, err)
	}
	if ip := net.ParseIP(host(ln.Addr().String())); *m.token == "" && (ip == nil || !ip.IsLoopback()) {
		log.Warn("metrics are served without a token on an address others may reach; set --metrics-token", "addr", ln.Addr().String())
	}
	return ln, nil
}
