package cli_test

import (
	"context"
	"net"
	"slices"
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

// TestTwoWorkersShareOnePostgres starts two workers on one PostgreSQL
// database: the periodic jobs due at start (the notification sweep, the
// capture schedule) are queued once between them, by the leader, not once
// by each.
func TestTwoWorkersShareOnePostgres(t *testing.T) {
	if !slices.Contains(engines(t), "postgres") {
		t.Skip("needs PostgreSQL")
	}
	t.Parallel()
	d := newDB(t, "postgres")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type worker struct {
		stderr *syncBuffer
		done   chan int
	}
	var ws []worker
	for i := range 2 {
		w := worker{stderr: &syncBuffer{}, done: make(chan int, 1)}
		go func() {
			w.done <- cli.Main(ctx, append([]string{"serve"}, d.cmd(nil, "--role", "worker")...), strings.NewReader(""), &syncBuffer{}, w.stderr, func(string) string { return "" })
		}()
		ws = append(ws, w)
		// The first start writes the keys to the shared data folder (a
		// deployment shares them through the environment); the second
		// starts once the first runs.
		for i == 0 && !strings.Contains(w.stderr.String(), "steward worker running") {
			select {
			case code := <-w.done:
				t.Fatalf("worker exited with %d\n%s", code, w.stderr)
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	deadline := time.Now().Add(time.Minute)
	for queued(t, d, "notification_sweep", "completed") == 0 || queued(t, d, "capture_schedule", "completed") == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the workers ran no sweep or capture schedule\n%s\n%s", ws[0].stderr, ws[1].stderr)
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(2 * time.Second)
	sweeps, schedules := queued(t, d, "notification_sweep", ""), queued(t, d, "capture_schedule", "")
	cancel()
	for i, w := range ws {
		select {
		case code := <-w.done:
			if code != 0 {
				t.Errorf("worker %d exited with %d\n%s", i, code, w.stderr)
			}
		case <-time.After(30 * time.Second):
			t.Errorf("worker %d did not stop", i)
		}
		if !strings.Contains(w.stderr.String(), "steward worker running") {
			t.Errorf("worker %d did not start:\n%s", i, w.stderr)
		}
	}
	if sweeps != 1 || schedules != 1 {
		t.Errorf("two workers queued %d notification sweeps and %d capture schedules at start, want 1 each", sweeps, schedules)
	}
}
