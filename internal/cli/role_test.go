package cli_test

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/cli"
)

// queued counts the job queue's jobs of kind in state ("" : any).
func queued(t *testing.T, d *db, kind, state string) int {
	t.Helper()
	s := d.open(t)
	defer s.Close()
	q := `SELECT count(*) FROM river_job WHERE kind = '` + kind + `'`
	if state != "" {
		q += ` AND state = '` + state + `'`
	}
	var n int
	if err := s.DB().QueryRowContext(context.Background(), q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestServeRoles runs serve in each role: web serves HTTP and works no
// job; worker listens on nothing (even given a port in use) and works the
// jobs, the periodic ones included; an unknown role is refused.
func TestServeRoles(t *testing.T) {
	t.Parallel()
	for _, engine := range engines(t) {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			d := newDB(t, engine)

			web := startServe(t, nil, d.cmd(nil, "--addr", "127.0.0.1:0", "--role", "web")...)
			healthz(t, web, engine)
			time.Sleep(1500 * time.Millisecond)
			if code := web.stop(t); code != 0 {
				t.Fatalf("web exited with %d\nstderr: %s", code, web.stderr)
			}
			if strings.Contains(web.stderr.String(), "steward worker running") {
				t.Errorf("--role web started the workers:\n%s", web.stderr)
			}
			if n := queued(t, d, "notification_sweep", ""); n != 0 {
				t.Errorf("--role web scheduled %d notification sweeps; only workers schedule", n)
			}

			busy, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer busy.Close()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			stderr := &syncBuffer{}
			done := make(chan int, 1)
			go func() {
				done <- cli.Main(ctx, append([]string{"serve"}, d.cmd(nil, "--addr", busy.Addr().String(), "--role", "worker")...), strings.NewReader(""), &syncBuffer{}, stderr, func(string) string { return "" })
			}()
			deadline := time.Now().Add(time.Minute)
			for queued(t, d, "notification_sweep", "completed") == 0 {
				select {
				case code := <-done:
					t.Fatalf("worker exited with %d\nstderr: %s", code, stderr)
				default:
				}
				if time.Now().After(deadline) {
					t.Fatalf("the worker ran no notification sweep\nstderr: %s", stderr)
				}
				time.Sleep(100 * time.Millisecond)
			}
			cancel()
			select {
			case code := <-done:
				if code != 0 {
					t.Fatalf("worker exited with %d\nstderr: %s", code, stderr)
				}
			case <-time.After(30 * time.Second):
				t.Fatal("the worker did not stop")
			}
			log := stderr.String()
			if !strings.Contains(log, "steward worker running") || strings.Contains(log, "steward listening") {
				t.Errorf("worker log: want a worker line and no listening line:\n%s", log)
			}
		})
	}
	t.Run("unknown role", func(t *testing.T) {
		d := newDB(t, "sqlite")
		r := run(t, nil, "", append([]string{"serve"}, d.cmd(nil, "--addr", "127.0.0.1:0", "--role", "both")...)...)
		if r.code != 1 || !strings.Contains(r.stderr, `--role "both": want web, worker or all`) {
			t.Fatalf("exit %d, stderr %s", r.code, r.stderr)
		}
	})
}
