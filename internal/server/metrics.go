package server

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"steward.city/steward/internal/route"
)

// metrics are the server's own Prometheus metrics and the registry that
// /metrics exposes.
type metrics struct {
	reg  *prometheus.Registry
	reqs *prometheus.CounterVec
	dur  *prometheus.HistogramVec
}

// newMetrics registers the request metrics, the Go and process collectors,
// the database gauge (ping answers) and extra (the capture engine's).
func newMetrics(ping func(context.Context) error, extra ...prometheus.Collector) *metrics {
	m := &metrics{reg: prometheus.NewRegistry()}
	m.reqs = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "steward_http_requests_total", Help: "HTTP requests by route and status code (499: the client went away)."}, []string{"route", "code"})
	m.dur = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "steward_http_request_duration_seconds", Help: "HTTP request latency by route.", Buckets: prometheus.DefBuckets}, []string{"route"})
	m.reg.MustRegister(m.reqs, m.dur, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "steward_database_up", Help: "1 when the database answers a ping."}, func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if ping(ctx) != nil {
			return 0
		}
		return 1
	}))
	m.reg.MustRegister(extra...)
	return m
}

// label is the route label a route's requests are counted under: its
// Metric when set (routes whose use is itself confidential share one), else
// its pattern.
func label(rt route.Route) string {
	if rt.Metric != "" {
		return rt.Method + " " + rt.Metric
	}
	return rt.Pattern()
}

// instrument counts requests and their latency under the label. A request
// whose client went away before an answer was written is counted as 499.
func (m *metrics) instrument(label string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		switch {
		case sw.code == 0 && route.Gone(r):
			sw.code = route.StatusClientClosed
		case sw.code == 0:
			sw.code = http.StatusOK
		}
		m.reqs.WithLabelValues(label, strconv.Itoa(sw.code)).Inc()
		m.dur.WithLabelValues(label).Observe(time.Since(start).Seconds())
	})
}

// handler serves the metrics in the Prometheus text format, to a request
// that brings token as its bearer token when token is not "". The token is
// compared in constant time (as SHA-256 sums, so its length is not told
// either).
func (m *metrics) handler(token string) http.Handler {
	next := promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
	if token == "" {
		return next
	}
	want := sha256.Sum256([]byte(token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, got, ok := strings.Cut(r.Header.Get("Authorization"), " ")
		sum := sha256.Sum256([]byte(strings.TrimSpace(got)))
		if subtle.ConstantTimeCompare(sum[:], want[:]) != 1 || !ok || !strings.EqualFold(scheme, "Bearer") {
			w.Header().Set("WWW-Authenticate", `Bearer realm="steward-metrics"`)
			w.Header().Set("Cache-Control", "no-store")
			http.Error(w, "send the metrics token: Authorization: Bearer <token>", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// statusWriter remembers the status code written.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
