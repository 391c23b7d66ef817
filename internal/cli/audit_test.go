package cli_test

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite" // the "sqlite" driver, to tamper with the file

	"steward.city/steward/internal/civic"
)

// rawDB opens d's database with the plain driver, as someone changing it
// behind Steward's back would, and returns an exec function taking "?"
// placeholders on either engine.
func rawDB(t *testing.T, d *db) (exec func(q string, args ...any), queryRow func(q string, args ...any) *sql.Row) {
	t.Helper()
	var conn *sql.DB
	var err error
	rebind := func(q string) string { return q }
	if d.url != "" {
		conn, err = sql.Open("pgx", d.url)
		rebind = func(q string) string {
			for i := 1; strings.Contains(q, "?"); i++ {
				q = strings.Replace(q, "?", fmt.Sprintf("$%d", i), 1)
			}
			return q
		}
	} else {
		conn, err = sql.Open("sqlite", "file:"+filepath.Join(d.dir, "steward.db")+"?_pragma=busy_timeout(5000)&_time_format=sqlite")
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	exec = func(q string, args ...any) {
		t.Helper()
		if _, err := conn.Exec(rebind(q), args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	queryRow = func(q string, args ...any) *sql.Row { return conn.QueryRow(rebind(q), args...) }
	return exec, queryRow
}

// TestAuditVerify tampers with the audit log in each way and checks that
// "audit verify" exits 2 naming the first broken event, and 0 with the
// number of events when nothing was touched.
func TestAuditVerify(t *testing.T) {
	t.Parallel()
	type sqlFuncs struct {
		exec     func(q string, args ...any)
		queryRow func(q string, args ...any) *sql.Row
	}
	// forge appends a well-formed event after the last one, hash and all.
	forge := func(t *testing.T, f sqlFuncs, seq int64) {
		var prev string
		if err := f.queryRow(`SELECT hash FROM audit_events WHERE seq = ?`, seq-1).Scan(&prev); err != nil {
			t.Fatal(err)
		}
		e := civic.AuditEvent{Seq: seq, Time: time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC), Actor: "mallory", Action: "user.set_roles",
			ObjectType: "user", ObjectID: "1", PrevHash: prev}
		e.Hash = e.ComputeHash()
		f.exec(`INSERT INTO audit_events (seq, time, actor_id, actor, action, object_type, object_id, before_json, after_json, prev_hash, hash) VALUES (?, ?, 0, ?, ?, ?, ?, '', '', ?, ?)`,
			e.Seq, e.Time, e.Actor, e.Action, e.ObjectType, e.ObjectID, e.PrevHash, e.Hash)
	}
	cases := []struct {
		name   string
		tamper func(t *testing.T, f sqlFuncs)
		seq    int64  // the first broken event; 0: intact
		reason string // part of the reason given
	}{
		{"untouched", func(*testing.T, sqlFuncs) {}, 0, ""},
		{"altered actor", func(_ *testing.T, f sqlFuncs) { f.exec(`UPDATE audit_events SET actor = 'mallory' WHERE seq = 3`) }, 3, "the event was altered"},
		{"altered last event", func(_ *testing.T, f sqlFuncs) {
			f.exec(`UPDATE audit_events SET after_json = '{"email":"mallory@city.example"}' WHERE seq = 5`)
		}, 5, "the event was altered"},
		{"altered time", func(_ *testing.T, f sqlFuncs) {
			f.exec(`UPDATE audit_events SET time = ? WHERE seq = 1`, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC))
		}, 1, "the event was altered"},
		{"removed first", func(_ *testing.T, f sqlFuncs) { f.exec(`DELETE FROM audit_events WHERE seq = 1`) }, 1, "event 1 is missing"},
		{"removed from the middle", func(_ *testing.T, f sqlFuncs) { f.exec(`DELETE FROM audit_events WHERE seq = 2`) }, 2, "event 2 is missing (the next event is 3)"},
		{"removed from the end", func(_ *testing.T, f sqlFuncs) { f.exec(`DELETE FROM audit_events WHERE seq = 5`) }, 5, "events 5 to 5 were removed from the end"},
		{"all removed", func(_ *testing.T, f sqlFuncs) { f.exec(`DELETE FROM audit_events`) }, 1, "events 1 to 5 were removed"},
		{"inserted at the end", func(t *testing.T, f sqlFuncs) { forge(t, f, 6) }, 6, "events 6 to 6 were added after the last recorded append"},
		{"inserted at the end, head moved", func(t *testing.T, f sqlFuncs) {
			forge(t, f, 6)
			f.exec(`UPDATE audit_head SET seq = 6`)
		}, 6, "the last event does not match the recorded head"},
		{"head altered", func(_ *testing.T, f sqlFuncs) { f.exec(`UPDATE audit_head SET hash = ?`, civic.GenesisHash) }, 5, "does not match the recorded head"},
	}
	for _, engine := range engines(t) {
		for _, c := range cases {
			t.Run(engine+"/"+c.name, func(t *testing.T) {
				t.Parallel()
				d := newDB(t, engine)
				run(t, nil, "", d.cmd([]string{"migrate"})...).check(t, 0, nil, nil)
				d.departments(t, "it", "police", "parks")                                                                                  // 3 events
				run(t, nil, "", d.cmd(userAdd, "--email", "a@city.example", "--name", "A", "--department", "it")...).check(t, 0, nil, nil) // 2 more
				exec, queryRow := rawDB(t, d)
				c.tamper(t, sqlFuncs{exec, queryRow})
				r := run(t, nil, "", d.cmd(verify)...)
				if c.seq == 0 {
					// Intact, but no checkpoint commits to it.
					r.check(t, 2, nil, []string{"audit chain not anchored: no signed checkpoint", "(the 5 events are intact among themselves)"})
					return
				}
				r.check(t, 2, nil, []string{
					fmt.Sprintf("steward: audit chain broken at event %d: ", c.seq),
					c.reason,
					fmt.Sprintf("(%d events before it are intact)", c.seq-1),
				})
				if r.stdout != "" {
					t.Errorf("stdout: %s", r.stdout)
				}
			})
		}
	}
}
