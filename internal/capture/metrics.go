package capture

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the engine's per-account metrics: items captured, seconds
// since the last successful capture, errors by kind.
type Metrics struct {
	items  *prometheus.CounterVec
	errors *prometheus.CounterVec
	lag    *prometheus.GaugeVec

	mu   sync.Mutex
	last map[string]time.Time
	now  func() time.Time
}

// NewMetrics returns unregistered metrics.
func NewMetrics() *Metrics {
	return &Metrics{
		items:  prometheus.NewCounterVec(prometheus.CounterOpts{Name: "steward_capture_items_total", Help: "Archive versions stored by capture, by account."}, []string{"account"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "steward_capture_errors_total", Help: "Failed capture passes, by account and error kind."}, []string{"account", "kind"}),
		lag:    prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "steward_capture_lag_seconds", Help: "Seconds since the last successful capture of an account."}, []string{"account"}),
		last:   map[string]time.Time{},
		now:    time.Now,
	}
}

// Collectors returns the collectors to register on a registry.
func (m *Metrics) Collectors() []prometheus.Collector {
	return []prometheus.Collector{m.items, m.errors, lagCollector{m}}
}

func (m *Metrics) success(account string, at time.Time) {
	m.mu.Lock()
	m.last[account] = at
	m.mu.Unlock()
}

// lagCollector computes the lag when scraped.
type lagCollector struct{ m *Metrics }

func (c lagCollector) Describe(ch chan<- *prometheus.Desc) { c.m.lag.Describe(ch) }

func (c lagCollector) Collect(ch chan<- prometheus.Metric) {
	c.m.mu.Lock()
	now := c.m.now()
	for a, t := range c.m.last {
		c.m.lag.WithLabelValues(a).Set(now.Sub(t).Seconds())
	}
	c.m.mu.Unlock()
	c.m.lag.Collect(ch)
}

// seed sets an account's last success when none is known (after a restart).
func (m *Metrics) seed(account string, at time.Time) {
	m.mu.Lock()
	if _, ok := m.last[account]; !ok {
		m.last[account] = at
	}
	m.mu.Unlock()
}
