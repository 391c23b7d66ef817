package cli_test

import (
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

var metricsListening = regexp.MustCompile(`msg="metrics listening" addr=(http://\S+/metrics)`)

// TestServeMetrics starts serve three ways and asks for /metrics: off
// (404), behind a token given in the environment (401 without it, 200 with
// it), and on an address of its own (404 on the main one).
func TestServeMetrics(t *testing.T) {
	t.Parallel()
	const token = "a-metrics-token-for-the-test"
	get := func(t *testing.T, url, bearer string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", url, nil)
		if bearer != "" {
			req.Header.Set("Authorization", "Bearer "+bearer)
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	tests := []struct {
		name string
		env  map[string]string
		args []string
		// status of GET /metrics on the main address without and with the token
		main, mainToken int
		own             bool // served on --metrics-addr
	}{
		{name: "off", main: 404, mainToken: 404},
		{name: "token from the environment", env: map[string]string{"STEWARD_METRICS_TOKEN": token}, main: 401, mainToken: 200},
		{name: "own address", args: []string{"--metrics-addr", "127.0.0.1:0"}, main: 404, mainToken: 404, own: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := newDB(t, "sqlite")
			env := map[string]string{"STEWARD_DATA": d.dir}
			for k, v := range tt.env {
				env[k] = v
			}
			s := startServe(t, env, append([]string{"--addr", "127.0.0.1:0"}, tt.args...)...)
			if code, _ := get(t, s.url+"/metrics", ""); code != tt.main {
				t.Errorf("GET /metrics: %d, want %d", code, tt.main)
			}
			if code, body := get(t, s.url+"/metrics", token); code != tt.mainToken || (code == 200) != strings.Contains(body, "steward_database_up 1") {
				t.Errorf("GET /metrics with the token: %d, want %d", code, tt.mainToken)
			}
			m := metricsListening.FindStringSubmatch(s.stderr.String())
			if (m != nil) != tt.own {
				t.Fatalf("metrics listener %v, want %v:\n%s", m, tt.own, s.stderr)
			}
			if m != nil {
				if code, body := get(t, m[1], ""); code != 200 || !strings.Contains(body, "steward_database_up 1") {
					t.Errorf("GET %s: %d", m[1], code)
				}
				if code, _ := get(t, strings.TrimSuffix(m[1], "/metrics")+"/healthz", ""); code != 404 {
					t.Errorf("the metrics address serves /healthz: %d", code)
				}
			}
			if code := s.stop(t); code != 0 {
				t.Errorf("serve exited with %d", code)
			}
		})
	}
}

// TestServeMetricsErrors checks that a short token, a bad metrics address
// and a metrics port in use stop serve with a message.
func TestServeMetricsErrors(t *testing.T) {
	t.Parallel()
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { busy.Close() })
	tests := []struct {
		name   string
		env    map[string]string
		args   []string
		code   int
		stderr string
	}{
		{"short token", map[string]string{"STEWARD_METRICS_TOKEN": "short"}, nil, 1, "--metrics-token: at least 16 characters"},
		{"bad address", nil, []string{"--metrics-addr", "9100"}, 1, `--metrics-addr "9100": want host:port`},
		{"port in use", nil, []string{"--metrics-addr", busy.Addr().String()}, 1, "cannot listen on " + busy.Addr().String() + " for metrics"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := map[string]string{"STEWARD_DATA": t.TempDir()}
			for k, v := range tt.env {
				env[k] = v
			}
			r := runCtx(t.Context(), t, env, "", append([]string{"serve", "--addr", "127.0.0.1:0"}, tt.args...)...)
			r.check(t, tt.code, nil, []string{tt.stderr})
		})
	}
}
