package archive_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/sqlstore"
	"steward.city/steward/internal/storetest"
)

type env struct {
	t     *testing.T
	ctx   context.Context
	store *sqlstore.Store
	svc   *archive.Service
	clock *storetest.Clock
	vkey  string
	// queued are the disposition runs approved, whose execution the
	// service queued.
	queued []archive.DispositionTask
}

// newEnv opens a store on e with a signing archive service.
func newEnv(t *testing.T, e storetest.Engine) *env {
	t.Helper()
	clock := storetest.NewClock(time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC))
	s := e.Open(t, clock.Now)
	signer, vkey, err := archive.LoadOrCreateKey(filepath.Join(t.TempDir(), "archive.key"), "steward.test")
	if err != nil {
		t.Fatal(err)
	}
	svc := archive.New(archive.Config{Store: s, Signer: signer, Clock: clock.Now})
	ctx := context.Background()
	if err := svc.PublishVerifier(ctx, vkey); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(ctx, civic.System, func(tx civic.Tx) error {
		return tx.CreateDepartment(ctx, &civic.Department{Slug: "parks", Name: "Parks"})
	}); err != nil {
		t.Fatal(err)
	}
	env := &env{t: t, ctx: ctx, store: s, svc: svc, clock: clock, vkey: vkey}
	svc.QueueDispositions(env.queue)
	return env
}

// queue stands for the job queue: it notes the task.
func (e *env) queue(_ context.Context, _ civic.Tx, t archive.DispositionTask) (int64, bool, error) {
	e.queued = append(e.queued, t)
	return int64(len(e.queued)), false, nil
}

// rec is a valid record of item id, captured at t.
func rec(account, id, text string, t time.Time) archive.Record {
	return archive.Record{Account: account, ID: id, Kind: "comment", Thread: "root", Parent: "root", CapturedAt: t.Format(time.RFC3339Nano),
		PlatformTime: t.Format(time.RFC3339), Author: civic.Author{ID: "42", Handle: "@resident", Name: "A Resident"}, Text: text,
		Raw: json.RawMessage(`{"id": "` + id + `", "text": ` + quote(text) + `}`)}
}

func quote(s string) string { b, _ := json.Marshal(s); return string(b) }

func (e *env) ingest(recs ...archive.Record) *archive.Result {
	e.t.Helper()
	res, err := e.svc.Ingest(e.ctx, civic.CLI, recs, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return res
}

func (e *env) verify() *archive.Report {
	e.t.Helper()
	rep, err := e.svc.Verify(e.ctx, e.vkey)
	if err != nil {
		e.t.Fatal(err)
	}
	return rep
}

func (e *env) exec(q string, args ...any) {
	e.t.Helper()
	if _, err := e.store.DB().ExecContext(e.ctx, e.store.Dialect().Rebind(q), args...); err != nil {
		e.t.Fatalf("%s: %v", q, err)
	}
}

// TestArchiveFlow is the end-to-end path on every engine: ingest →
// search → thread with versions → hold → disposition (held items
// untouched, list written) → verify.
func TestArchiveFlow(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, eng)
			day := time.Date(2026, 5, 1, 14, 0, 0, 0, time.UTC)
			parks := "mastodon:@parks@city.example"
			root := rec(parks, "root", "Splash pad opening this weekend", day)
			root.Kind, root.Parent, root.Department = "post", "", "parks"
			complaint := rec(parks, "c1", "The splash pad drain is broken again", day.Add(time.Hour))
			complaint.Tags = []string{"complaint"}
			chatter := rec(parks, "c2", "See you at the splash pad", day.Add(2*time.Hour))
			chatter.Tags = []string{"transitory"}
			edited := rec(parks, "c2", "See you all at the new splash pad", day.Add(3*time.Hour))
			edited.Tags = []string{"transitory"}
			res := e.ingest(root, complaint, chatter, edited, complaint)
			if res.Stored != 4 || res.Duplicates != 1 || res.Rejected != 0 {
				t.Fatalf("ingest: %+v", res)
			}
			if _, err := e.svc.Checkpoint(e.ctx); err != nil {
				t.Fatal(err)
			}

			q, err := archive.ParseQuery(`"splash pad" account:` + parks + ` from:2026-04-01 to:2026-06-30 department:parks`)
			if err != nil {
				t.Fatal(err)
			}
			hits, err := e.svc.Search(e.ctx, civic.CLI, q)
			if err != nil || len(hits) != 4 {
				t.Fatalf("search: %d hits, %v; want 4", len(hits), err)
			}
			view, err := e.svc.Item(e.ctx, civic.CLI, res.Records[3].ItemID)
			if err != nil {
				t.Fatal(err)
			}
			if len(view.Versions) != 2 || len(view.Thread) != 3 {
				t.Fatalf("thread view: %d versions, %d thread items; want 2 and 3", len(view.Versions), len(view.Thread))
			}
			if ch := view.Versions[1].Changes; len(ch) != 1 || ch[0] != "text" {
				t.Errorf("changes = %v, want [text]", ch)
			}
			var added []string
			for _, sp := range view.Versions[1].Diff {
				if sp.Op == "+" {
					added = append(added, strings.TrimSpace(sp.Text))
				}
			}
			if got := strings.Join(added, "|"); got != "all|new" {
				t.Errorf("diff added %q, want all|new", got)
			}

			// The attorney holds the complaint thread's first comment.
			hold := &civic.Hold{Matter: "Doe v. City (drain injury)", Accounts: []string{parks}, Query: `"drain is broken"`}
			if err := e.svc.PlaceHold(e.ctx, civic.CLI, hold); err != nil {
				t.Fatal(err)
			}
			if hold.Items != 1 {
				t.Fatalf("hold covers %d items, want 1", hold.Items)
			}
			// A later capture in scope is held as it arrives.
			late := rec(parks, "c3", "Drain is broken, my kid slipped", day.Add(4*time.Hour))
			late.Tags = []string{"complaint"}
			e.ingest(late)
			if h, _ := e.store.Hold(e.ctx, hold.ID); h.Items != 2 {
				t.Errorf("after a new capture the hold covers %d items, want 2", h.Items)
			}

			// Years later: transitory and complaints are past retention;
			// the complaints are held; the post (3 years) is not yet due.
			e.clock.Advance(2 * 365 * 24 * time.Hour)
			run, err := e.svc.ProposeDisposition(e.ctx, civic.CLI, time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			if run.Items != 1 {
				t.Fatalf("proposed %d items, want only the transitory one", run.Items)
			}
			if again, err := e.svc.ProposeDisposition(e.ctx, civic.CLI, time.Time{}); err != nil || again.Items != 0 {
				t.Fatalf("a second proposal listed %d items already awaiting approval (%v)", again.Items, err)
			}
			run, _, err = e.svc.ApproveDisposition(e.ctx, civic.CLI, run.ID)
			if err != nil || run.Status != "approved" || len(e.queued) != 1 || e.queued[0].Run != run.ID {
				t.Fatalf("approve: %+v, %v, queued %v", run, err, e.queued)
			}
			run, err = e.svc.ExecuteDisposition(e.ctx, civic.CLI, run.ID, nil)
			if err != nil || run.Disposed != 1 || run.Status != "executed" {
				t.Fatalf("execute: %+v, %v", run, err)
			}
			es, err := e.store.DispositionEntries(e.ctx, run.ID)
			if err != nil || len(es) != 1 || es[0].Class != "transitory" || es[0].DisposedAt == nil || es[0].PlatformID != "c2" {
				t.Fatalf("disposition list %+v, %v", es, err)
			}
			for _, id := range []string{"c1", "c3"} {
				q, _ := archive.ParseQuery(`held:yes "broken"`)
				hs, _ := e.svc.Search(e.ctx, civic.CLI, q)
				found := false
				for _, h := range hs {
					found = found || h.PlatformID == id && h.Text != ""
				}
				if !found {
					t.Errorf("held item %s lost its content", id)
				}
			}
			if _, err := e.svc.Checkpoint(e.ctx); err != nil {
				t.Fatal(err)
			}
			if rep := e.verify(); !rep.OK() || rep.Versions != 5 || rep.Checkpoints != 2 {
				t.Fatalf("verify after disposition: %+v", rep)
			}
			var buf bytes.Buffer
			n, err := e.svc.Export(e.ctx, civic.CLI, &buf)
			if err != nil || n != 5 || strings.Count(buf.String(), "\n") != 5 {
				t.Errorf("export wrote %d lines, %v", n, err)
			}
		})
	}
}

// TestVerifyTampering alters, removes and reorders stored records behind
// the archive's back, on every engine, and checks Verify names each.
func TestVerifyTampering(t *testing.T) {
	type tamper struct {
		name string
		do   func(e *env)
		kind string
		id   int64
	}
	cases := []tamper{
		{"nothing", func(e *env) {}, "", 0},
		{"altered text", func(e *env) { e.exec(`UPDATE archive_versions SET text = ? WHERE id = 3`, "I never said that") }, "altered", 3},
		{"altered raw", func(e *env) { e.exec(`UPDATE archive_versions SET raw = ? WHERE id = 2`, []byte(`{}`)) }, "altered", 2},
		{"altered and rehashed", func(e *env) {
			// The forger recomputes the version's hash and rewrites the
			// log's leaf, nodes and head: only the signed checkpoint tells.
			e.exec(`UPDATE archive_versions SET text = ? WHERE id = 4`, "forged")
			vs, _ := e.store.ArchiveVersions(e.ctx, itemOf(e, 4))
			for _, x := range vs {
				if x.ID == 4 {
					e.exec(`UPDATE archive_versions SET hash = ? WHERE id = 4`, x.ComputeHash())
				}
			}
			e.exec(`DELETE FROM archive_log_nodes`)
		}, "checkpoint", 0},
		{"missing", func(e *env) {
			if e.store.Engine() == "sqlite" {
				e.exec(`DELETE FROM archive_fts WHERE rowid = 5`)
			}
			e.exec(`DELETE FROM archive_versions WHERE id = 5`)
		}, "missing", 5},
		{"missing at the end", func(e *env) { e.exec(`DELETE FROM archive_versions WHERE id = 8`) }, "missing", 0},
		{"reordered", func(e *env) {
			e.exec(`UPDATE archive_versions SET id = 1000 WHERE id = 2`)
			e.exec(`UPDATE archive_versions SET id = 2 WHERE id = 6`)
			e.exec(`UPDATE archive_versions SET id = 6 WHERE id = 1000`)
		}, "reordered", 2},
		{"fake tombstone", func(e *env) {
			e.exec(`UPDATE archive_versions SET text = '', disposed_at = ? WHERE id = 7`, time.Now().UTC())
		}, "disposal", 7},
		{"checkpoint edited", func(e *env) { e.exec(`UPDATE archive_checkpoints SET root_hash = ?`, "AAAA") }, "checkpoint", 0},
		{"date index row edited", func(e *env) { e.exec(`UPDATE archive_days SET max_id = 2`) }, "index", 1},
		{"date index row deleted", func(e *env) { e.exec(`DELETE FROM archive_days`) }, "index", 1},
		{"date index row added", func(e *env) {
			e.exec(`INSERT INTO archive_days (day, min_id, max_id) VALUES ('2026-03-02', 1, 8)`)
		}, "index", 1},
		{"full-text entry edited", func(e *env) { e.editSearchIndex(3, "nothing to see") }, "index", 3},
		{"full-text entry deleted", func(e *env) { e.editSearchIndex(4, "") }, "index", 4},
		{"full-text entry added", func(e *env) {
			if e.store.Engine() == "sqlite" {
				e.exec(`INSERT INTO archive_fts (rowid, text, acct) VALUES (99, 'a record that is not there', 'a1')`)
				return
			}
			e.editSearchIndex(6, "comment number 6 and words it does not have")
		}, "index", 0},
	}
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			t.Parallel()
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					e := newEnv(t, eng)
					base := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
					var recs []archive.Record
					for i := 1; i <= 8; i++ {
						recs = append(recs, rec("x:@city", fmt.Sprintf("i%d", i%5), fmt.Sprintf("comment number %d", i), base.Add(time.Duration(i)*time.Minute)))
					}
					e.ingest(recs...)
					if _, err := e.svc.Checkpoint(e.ctx); err != nil {
						t.Fatal(err)
					}
					c.do(e)
					rep := e.verify()
					if c.kind == "" {
						if !rep.OK() {
							t.Fatalf("untouched archive: %+v", rep.Problems)
						}
						return
					}
					if rep.OK() {
						t.Fatalf("%s went unnoticed", c.name)
					}
					first := rep.Problems[0]
					found := false
					for _, p := range rep.Problems {
						found = found || p.Kind == c.kind && (c.id == 0 || p.VersionID == c.id)
					}
					if !found {
						t.Errorf("problems %+v, want a %q problem for version %d (first: %s)", rep.Problems, c.kind, c.id, first.Message)
					}
				})
			}
		})
	}
}

// editSearchIndex replaces the full-text entry of a version by the words
// of text ("" removes it), behind the archive's back: on SQLite in the
// FTS5 table, on PostgreSQL in the tsvector column, once made an ordinary
// column (DROP EXPRESSION keeps its values) so that it can be written.
func (e *env) editSearchIndex(id int64, text string) {
	e.t.Helper()
	if e.store.Engine() == "sqlite" {
		var account int64
		if err := e.store.DB().QueryRowContext(e.ctx, `SELECT account_id FROM archive_versions WHERE id = ?`, id).Scan(&account); err != nil {
			e.t.Fatal(err)
		}
		e.exec(`DELETE FROM archive_fts WHERE rowid = ?`, id)
		if text != "" {
			e.exec(`INSERT INTO archive_fts (rowid, text, acct) VALUES (?, ?, ?)`, id, text, fmt.Sprintf("a%d", account))
		}
		return
	}
	e.exec(`ALTER TABLE archive_versions ALTER COLUMN tsv DROP EXPRESSION`)
	e.exec(`UPDATE archive_versions SET tsv = to_tsvector('steward_search', ?) WHERE id = ?`, text, id)
}

func itemOf(e *env, versionID int64) int64 {
	var id int64
	if err := e.store.DB().QueryRowContext(e.ctx, e.store.Dialect().Rebind(`SELECT item_id FROM archive_versions WHERE id = ?`), versionID).Scan(&id); err != nil {
		e.t.Fatal(err)
	}
	return id
}

// TestIngestBadInput checks that every bad record is rejected alone, with
// its field, and that the good records of the batch are kept.
func TestIngestBadInput(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, eng)
			now := e.clock.Now()
			good := rec("x:@city", "ok", "fine", now)
			mut := func(f func(*archive.Record)) archive.Record { r := rec("x:@city", "bad", "text", now); f(&r); return r }
			cases := []struct {
				rec   archive.Record
				field string
			}{
				{mut(func(r *archive.Record) { r.Account = "" }), "account"},
				{mut(func(r *archive.Record) { r.Account = "Mastodon:x" }), "account"},
				{mut(func(r *archive.Record) { r.Account = "x:has space" }), "account"},
				{mut(func(r *archive.Record) { r.ID = "" }), "id"},
				{mut(func(r *archive.Record) { r.ID = "a\x00b" }), "id"},
				{mut(func(r *archive.Record) { r.Kind = "tweet" }), "kind"},
				{mut(func(r *archive.Record) { r.CapturedAt = "yesterday" }), "captured_at"},
				{mut(func(r *archive.Record) { r.CapturedAt = now.Add(time.Hour).Format(time.RFC3339) }), "captured_at"},
				{mut(func(r *archive.Record) { r.PlatformTime = "2026-13-01T00:00:00Z" }), "platform_time"},
				{mut(func(r *archive.Record) { r.Text = strings.Repeat("x", archive.MaxText+1) }), "text"},
				{mut(func(r *archive.Record) { r.Text = "bad \xff utf-8" }), "text"},
				{mut(func(r *archive.Record) { r.State = "gone" }), "state"},
				{mut(func(r *archive.Record) { r.Department = "nope" }), "department"},
				{mut(func(r *archive.Record) { r.Media = []archive.MediaRecord{{SHA256: "abc", Type: "image/png"}} }), "media[0].sha256"},
				{mut(func(r *archive.Record) {
					r.Media = []archive.MediaRecord{{SHA256: strings.Repeat("a", 64), Type: "image/png", Data: []byte("x")}}
				}), "media[0].sha256"},
				{mut(func(r *archive.Record) { r.Tags = []string{""} }), "tags"},
				{mut(func(r *archive.Record) { r.Raw = json.RawMessage(strings.Repeat("1", archive.MaxRaw+1)) }), "raw"},
			}
			batch := []archive.Record{good}
			for _, c := range cases {
				batch = append(batch, c.rec)
			}
			// Unicode of every kind is accepted and kept.
			uni := rec("x:@city", "uni", "RTL שלום עולם, emoji 👩‍👩‍👧, combining e\u0301\u0328, NUL \x00 inside", now)
			batch = append(batch, uni)
			res := e.ingest(batch...)
			if res.Stored != 2 || res.Rejected != len(cases) {
				t.Fatalf("stored %d rejected %d, want 2 and %d", res.Stored, res.Rejected, len(cases))
			}
			for i, c := range cases {
				o := res.Records[i+1]
				if o.Status != "rejected" || o.Error == nil || o.Error.Field != c.field || o.Error.Code != "invalid" || o.Error.Message == "" {
					t.Errorf("case %d: %+v, want rejected naming %s", i, o, c.field)
				}
			}
			view, err := e.svc.Item(e.ctx, civic.CLI, res.Records[len(batch)-1].ItemID)
			if err != nil {
				t.Fatal(err)
			}
			if got := view.Versions[0].Text; got != strings.ReplaceAll(uni.Text, "\x00", "\uFFFD") {
				t.Errorf("unicode text came back as %q", got)
			}
			q, _ := archive.ParseQuery("שלום")
			if hs, _ := e.svc.Search(e.ctx, civic.CLI, q); len(hs) != 1 {
				t.Errorf("right-to-left search found %d", len(hs))
			}
			if _, err := e.svc.Checkpoint(e.ctx); err != nil {
				t.Fatal(err)
			}
			if rep := e.verify(); !rep.OK() {
				t.Errorf("verify: %+v", rep.Problems)
			}
			// With registration required, an unknown account is rejected.
			if err := e.store.Update(e.ctx, civic.System, func(tx civic.Tx) error { return tx.SetSetting(e.ctx, archive.SettingRequireKnown, "true") }); err != nil {
				t.Fatal(err)
			}
			res = e.ingest(rec("x:@city", "again", "known account", now), rec("x:@stranger", "s", "unknown", now))
			if res.Stored != 1 || res.Records[1].Error == nil || res.Records[1].Error.Field != "account" {
				t.Errorf("unknown account: %+v", res.Records)
			}
		})
	}
}

func TestParseQuery(t *testing.T) {
	q, err := archive.ParseQuery(`pothole "main street" account:mastodon:@parks@city.example kind:comment author:@ann from:2025-01-01 to:2025-01-31 state:deleted removed:yes held:no sort:relevance http://x.example/a !!!`)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(q.Terms, "|") != "pothole|main street|http://x.example/a" {
		t.Errorf("terms = %q", q.Terms)
	}
	if q.Account != "mastodon:@parks@city.example" || q.Kind != "comment" || q.Author != "@ann" || q.State != "deleted" || !*q.Removed || *q.Held || !q.Relevance {
		t.Errorf("filters = %+v", q.ArchiveQuery)
	}
	if !q.From.Equal(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)) || !q.Until.Equal(time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("range %v – %v; to: is inclusive", q.From, q.Until)
	}
	for _, bad := range []string{`"open`, `kind:tweet`, `from:soon`, `removed:maybe`, `sort:random`, `from:2025-02-01 to:2025-01-01`, `account:nocolon`} {
		if _, err := archive.ParseQuery(bad); civic.ErrorKind(err) != civic.KindInvalid || civic.ErrorField(err) != "q" {
			t.Errorf("ParseQuery(%q) = %v, want invalid q", bad, err)
		}
	}
}

func TestPermissions(t *testing.T) {
	e := newEnv(t, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite})
	staff := &civic.User{ID: 9, Email: "staff@x", Grants: []civic.Grant{{Role: civic.RoleStaff}}}
	clerk := &civic.User{ID: 8, Email: "clerk@x", Grants: []civic.Grant{{Role: civic.RoleClerk}}}
	if _, err := e.svc.Ingest(e.ctx, civic.ActorOf(staff), nil, nil); civic.ErrorKind(err) != civic.KindForbidden {
		t.Errorf("staff ingest: %v", err)
	}
	if err := e.svc.PlaceHold(e.ctx, civic.ActorOf(clerk), &civic.Hold{Matter: "x"}); civic.ErrorKind(err) != civic.KindForbidden {
		t.Errorf("clerk hold: %v", err)
	}
	if _, err := e.svc.Search(e.ctx, civic.ActorOf(staff), &archive.Query{}); civic.ErrorKind(err) != civic.KindForbidden {
		t.Errorf("staff search: %v", err)
	}
}

// TestIngestAsNamesTheLoop: a system loop's batch is audited under its
// name; a name that is not system:<loop> is refused and stores nothing.
func TestIngestAsNamesTheLoop(t *testing.T) {
	e := newEnv(t, storetest.Engines(t)[0])
	now := e.clock.Now()
	for _, bad := range []string{"", "capture", "system:", "alice@city.example"} {
		_, err := e.svc.IngestAs(e.ctx, bad, []archive.Record{rec("x:@city", "no", "text", now)})
		if civic.ErrorKind(err) != civic.KindInvalid || civic.ErrorField(err) != "actor" {
			t.Errorf("IngestAs(%q): %v, want invalid actor", bad, err)
		}
	}
	res, err := e.svc.IngestAs(e.ctx, "system:capture", []archive.Record{rec("x:@city", "yes", "text", now)})
	if err != nil || res.Stored != 1 {
		t.Fatalf("IngestAs: %+v, %v", res, err)
	}
	evs, err := e.store.AuditEvents(e.ctx, civic.AuditFilter{Action: "archive.ingest", Limit: 10})
	if err != nil || len(evs) != 1 || evs[0].Actor != "system:capture" || evs[0].ActorID != 0 {
		t.Fatalf("ingest events %+v, %v", evs, err)
	}
}
