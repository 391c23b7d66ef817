package sqlite

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// TestCheckpointerKeepsTheLogShort writes with the writer's own
// checkpoints off while a checkpointer runs, and checks that the log is
// copied and started over (it stays far shorter than what was written),
// and that everything written is in the database once it is closed.
func TestCheckpointerKeepsTheLogShort(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "log.db")
	write, read, err := openPools(path, "NORMAL")
	if err != nil {
		t.Fatal(err)
	}
	defer read.Close()
	cdb, err := sql.Open("sqlite", "file:"+path+"?"+basePragmas+"&_pragma=synchronous(NORMAL)")
	if err != nil {
		t.Fatal(err)
	}
	cdb.SetMaxOpenConns(1)
	ctx := context.Background()
	if _, err := write.ExecContext(ctx, `CREATE TABLE blobs (id INTEGER PRIMARY KEY, b BLOB NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	const restart = 500 // pages: 2 MB
	c := newCheckpointer(cdb, 5*time.Millisecond, restart)
	blob := bytes.Repeat([]byte{7}, 16<<10)
	var longest int64
	for i := range 100 { // 100 transactions of 256 KB: 25 MB
		tx, err := write.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		for j := range 16 {
			if _, err := tx.ExecContext(ctx, `INSERT INTO blobs (id, b) VALUES (?, ?)`, i*16+j+1, blob); err != nil {
				t.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Stat(path + "-wal"); err == nil {
			longest = max(longest, fi.Size())
		}
		time.Sleep(2 * time.Millisecond) // a tick's chance even on one core
	}
	// Without checkpoints the log would hold all 25 MB; without the
	// restart it would keep growing while the writer writes.
	if longest > 12<<20 {
		t.Errorf("the write-ahead log grew to %d bytes; want it restarted near %d", longest, restart*4096)
	}
	if err := write.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.close(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() != 0 {
		t.Errorf("after close the log holds %d bytes, want it copied and truncated", fi.Size())
	}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	var ok string
	if err := db.QueryRow(`SELECT COUNT(*) FROM blobs`).Scan(&n); err != nil || n != 1600 {
		t.Errorf("rows = %d, %v; want 1600", n, err)
	}
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
		t.Errorf("integrity_check = %q, %v", ok, err)
	}
}

// TestCheckpointerSurvivesKill kills (SIGKILL) a process that commits
// rows through a store, with its checkpointer copying the log meanwhile,
// and checks that every commit it acknowledged (printed after Commit
// returned) is in the database, whole, and the database is intact. It
// runs several times, so that kills land at various points of the
// checkpointer's work (a passive copy, a restart, between them); the
// last kill comes after about 50 MB, past the first restart (40 MB).
func TestCheckpointerSurvivesKill(t *testing.T) {
	if path := os.Getenv("STEWARD_CHECKPOINT_CHILD"); path != "" {
		checkpointChild(path)
		return
	}
	if testing.Short() {
		t.Skip("starts processes")
	}
	t.Parallel()
	for run := range 3 {
		path := filepath.Join(t.TempDir(), "kill.db")
		cmd := exec.Command(os.Args[0], "-test.run=^TestCheckpointerSurvivesKill$")
		cmd.Env = append(os.Environ(), "STEWARD_CHECKPOINT_CHILD="+path)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		var acked []int
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			id, err := strconv.Atoi(sc.Text())
			if err != nil {
				continue // the test binary's own output
			}
			acked = append(acked, id)
			if len(acked) == 150+550*run {
				cmd.Process.Signal(syscall.SIGKILL)
			}
		}
		cmd.Wait()
		if len(acked) < 150 {
			t.Fatalf("run %d: the child acknowledged %d commits before it ended; want it killed after 150", run, len(acked))
		}
		s, err := Open(context.Background(), path, time.Now)
		if err != nil {
			t.Fatalf("run %d: reopen after the kill: %v", run, err)
		}
		db := s.DB()
		for _, id := range acked {
			var b []byte
			if err := db.QueryRow(`SELECT b FROM kill_rows WHERE id = ?`, id).Scan(&b); err != nil {
				t.Fatalf("run %d: acknowledged commit %d: %v", run, id, err)
			}
			if !bytes.Equal(b, killRow(id)) {
				t.Fatalf("run %d: commit %d came back changed", run, id)
			}
		}
		var ok string
		if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
			t.Errorf("run %d: integrity_check = %q, %v", run, ok, err)
		}
		s.Close()
	}
}

func killRow(id int) []byte { return bytes.Repeat([]byte(strconv.Itoa(id)+";"), 8<<10) }

// checkpointChild commits rows of about 40 KB, one per transaction,
// printing each id once its commit has returned, until it is killed.
func checkpointChild(path string) {
	ctx := context.Background()
	s, err := OpenWith(ctx, path, time.Now, Options{Synchronous: SynchronousFull})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	db := s.DB()
	if _, err := db.ExecContext(ctx, `CREATE TABLE kill_rows (id INTEGER PRIMARY KEY, b BLOB NOT NULL)`); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	w := bufio.NewWriter(os.Stdout)
	for id := 1; ; id++ {
		if _, err := db.ExecContext(ctx, `INSERT INTO kill_rows (id, b) VALUES (?, ?)`, id, killRow(id)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		fmt.Fprintln(w, id)
		w.Flush()
	}
}
