package storetest

import (
	"fmt"
	"maps"
	"testing"
	"time"

	"steward.city/steward/internal/civic"
)

// captureCases test platform connections, capture cursors and flags.
var captureCases = []testCase{
	{"CaptureConnections", testCaptureConnections},
	{"CaptureCursorsRuns", testCaptureCursorsRuns},
	{"CaptureFlags", testCaptureFlags},
	{"CapturedItem", testCapturedItem},
	{"CapturedLastAndSpan", testCapturedLastAndSpan},
}

func (f *fixture) connection(t *testing.T, handle string) *civic.Connection {
	t.Helper()
	dept, admins, req := f.registryFixture(t)
	a := f.account(t, dept.ID, handle, "mastodon", admins, req.ID)
	c := &civic.Connection{AccountID: a.ID, Platform: "mastodon", BaseURL: "https://social.city.example/", RemoteID: "109", Handle: handle}
	f.update(t, func(tx civic.Tx) error { return tx.CreateConnection(f.ctx, c) })
	return c
}

func testCaptureConnections(t *testing.T, f *fixture) {
	c := f.connection(t, "@parks@social.city.example")
	if c.ID == 0 || c.Status != civic.ConnectionOK || c.Interval != civic.DefaultCaptureInterval || c.BaseURL != "https://social.city.example" || c.NextRun.IsZero() {
		t.Fatalf("created %+v", c)
	}
	if e := f.lastEvent(t); e.Action != "capture.connection_create" || e.ObjectType != "capture_connection" {
		t.Errorf("audit event %+v", e)
	}
	got, err := f.s.Connection(f.ctx, c.ID)
	if err != nil || got.Handle != c.Handle || got.RemoteID != "109" || got.Interval != 10*time.Minute || got.Ref() != "mastodon:@parks@social.city.example" {
		t.Errorf("read back %+v, %v", got, err)
	}
	// One connection per account.
	dup := *c
	dup.ID, dup.Handle = 0, "@other"
	wantErr(t, f.s.Update(f.ctx, admin, func(tx civic.Tx) error { return tx.CreateConnection(f.ctx, &dup) }), civic.KindConflict, "")
	for _, bad := range []struct {
		field string
		fn    func(c *civic.Connection)
	}{
		{"platform", func(c *civic.Connection) { c.Platform = "myspace" }},
		{"remote_id", func(c *civic.Connection) { c.RemoteID = "" }},
		{"handle", func(c *civic.Connection) { c.Handle = "a b" }},
		{"interval", func(c *civic.Connection) { c.Interval = time.Second }},
		{"base_url", func(c *civic.Connection) { c.BaseURL = "ftp://x" }},
	} {
		b := *c
		bad.fn(&b)
		wantErr(t, f.s.Update(f.ctx, admin, func(tx civic.Tx) error { return tx.UpdateConnection(f.ctx, &b, "capture.connection_update") }), civic.KindInvalid, bad.field)
	}
	c.Status, c.Interval = civic.ConnectionPaused, time.Hour
	f.update(t, func(tx civic.Tx) error { return tx.UpdateConnection(f.ctx, c, "capture.connection_pause") })
	if e := f.lastEvent(t); e.Action != "capture.connection_pause" {
		t.Errorf("audit event %+v", e)
	}
	// A run's outcome is bookkeeping: no audit event.
	n := f.eventCount(t)
	now := f.clock.Now()
	c.Status, c.LastError, c.ErrorKind, c.Failures, c.LastRun, c.NextRun = civic.ConnectionBroken, "auth: token revoked", "auth", 1, &now, now.Add(time.Hour)
	f.update(t, func(tx civic.Tx) error { return tx.SetConnectionRun(f.ctx, c) })
	if f.eventCount(t) != n {
		t.Error("SetConnectionRun recorded an audit event")
	}
	got, _ = f.s.Connection(f.ctx, c.ID)
	if got.Status != civic.ConnectionBroken || got.ErrorKind != "auth" || got.Failures != 1 || got.LastRun == nil || got.LastSuccess != nil || got.Interval != time.Hour {
		t.Errorf("after run %+v", got)
	}
	list, err := f.s.Connections(f.ctx)
	if err != nil || len(list) != 1 || list[0].ID != c.ID {
		t.Errorf("connections %v, %v", list, err)
	}
	_, err = f.s.Connection(f.ctx, 999)
	wantErr(t, err, civic.KindNotFound, "")
}

func testCaptureCursorsRuns(t *testing.T, f *fixture) {
	c := f.connection(t, "@parks")
	if cur, err := f.s.CaptureCursor(f.ctx, c.ID, "posts"); err != nil || cur != "" {
		t.Errorf("no cursor yet: %q, %v", cur, err)
	}
	for _, cur := range []string{"110", "90", ""} {
		f.update(t, func(tx civic.Tx) error { return tx.SetCaptureCursor(f.ctx, c.ID, "posts", cur) })
		if got, err := f.s.CaptureCursor(f.ctx, c.ID, "posts"); err != nil || got != cur {
			t.Errorf("cursor %q, %v, want %q", got, err, cur)
		}
	}
	start := f.clock.Now()
	for i := range 3 {
		r := &civic.CaptureRun{ConnectionID: c.ID, StartedAt: start.Add(time.Duration(i) * time.Minute), FinishedAt: start.Add(time.Duration(i)*time.Minute + time.Second), Pages: i, Stored: 10 * i}
		if i == 2 {
			retry := start.Add(time.Hour)
			r.Error, r.ErrorKind, r.RetryAt = "rate limited", "rate_limited", &retry
		}
		f.update(t, func(tx civic.Tx) error { return tx.AddCaptureRun(f.ctx, r) })
	}
	runs, err := f.s.CaptureRuns(f.ctx, c.ID, 2)
	if err != nil || len(runs) != 2 || runs[0].Stored != 20 || runs[0].ErrorKind != "rate_limited" || runs[0].RetryAt == nil || runs[1].Pages != 1 {
		t.Errorf("runs %+v, %v", runs, err)
	}
}

func testCaptureFlags(t *testing.T, f *fixture) {
	c := f.connection(t, "@parks")
	fl := &civic.CaptureFlag{ConnectionID: c.ID, Kind: civic.FlagBlock, Subject: "block:77", Detail: "blocks @troll"}
	var isNew bool
	f.update(t, func(tx civic.Tx) error {
		var err error
		isNew, err = tx.RaiseCaptureFlag(f.ctx, fl)
		return err
	})
	if !isNew || fl.ID == 0 || fl.AccountID != c.AccountID {
		t.Fatalf("raised %+v new %v", fl, isNew)
	}
	if e := f.lastEvent(t); e.Action != "capture.flag_raise" {
		t.Errorf("audit event %+v", e)
	}
	again := &civic.CaptureFlag{ConnectionID: c.ID, Kind: civic.FlagBlock, Subject: "block:77", Detail: "again"}
	f.update(t, func(tx civic.Tx) error {
		var err error
		isNew, err = tx.RaiseCaptureFlag(f.ctx, again)
		return err
	})
	if isNew || again.ID != fl.ID {
		t.Errorf("the same block raised twice: %+v", again)
	}
	wantErr(t, f.s.Update(f.ctx, admin, func(tx civic.Tx) error {
		_, err := tx.RaiseCaptureFlag(f.ctx, &civic.CaptureFlag{ConnectionID: c.ID, Kind: "gossip", Subject: "x"})
		return err
	}), civic.KindInvalid, "kind")
	other := &civic.CaptureFlag{ConnectionID: c.ID, Kind: civic.FlagProfile, Subject: "missing: disclaimer"}
	f.update(t, func(tx civic.Tx) error { _, err := tx.RaiseCaptureFlag(f.ctx, other); return err })
	open, err := f.s.CaptureFlags(f.ctx, civic.CaptureFlagFilter{Open: true})
	if err != nil || len(open) != 2 || open[0].ID != other.ID {
		t.Errorf("open flags %v, %v", open, err)
	}
	wantErr(t, f.s.Update(f.ctx, admin, func(tx civic.Tx) error { return tx.ResolveCaptureFlag(f.ctx, fl.ID, "") }), civic.KindInvalid, "resolution")
	f.update(t, func(tx civic.Tx) error { return tx.ResolveCaptureFlag(f.ctx, fl.ID, "block removed on the platform") })
	wantErr(t, f.s.Update(f.ctx, admin, func(tx civic.Tx) error { return tx.ResolveCaptureFlag(f.ctx, fl.ID, "again") }), civic.KindConflict, "")
	got, err := f.s.CaptureFlag(f.ctx, fl.ID)
	if err != nil || got.ResolvedAt == nil || got.ResolvedBy != "suite" || got.Resolution != "block removed on the platform" {
		t.Errorf("resolved %+v, %v", got, err)
	}
	open, _ = f.s.CaptureFlags(f.ctx, civic.CaptureFlagFilter{Open: true})
	blocks, _ := f.s.CaptureFlags(f.ctx, civic.CaptureFlagFilter{Kind: civic.FlagBlock, ConnectionID: c.ID})
	if len(open) != 1 || len(blocks) != 1 {
		t.Errorf("%d open, %d blocks", len(open), len(blocks))
	}
	// A media file not kept: found again by its exact subject, resolved or
	// not, and by no other subject (capture asks before fetching a file).
	media := &civic.CaptureFlag{ConnectionID: c.ID, Kind: civic.FlagMedia, Subject: "300 https://files.example/v.mp4", Detail: "too large"}
	f.update(t, func(tx civic.Tx) error { _, err := tx.RaiseCaptureFlag(f.ctx, media); return err })
	for subject, want := range map[string]int{media.Subject: 1, "300 https://files.example/v.mp4?": 0, "300 https://files.example/%": 0, "block:77": 0} {
		got, err := f.s.CaptureFlags(f.ctx, civic.CaptureFlagFilter{ConnectionID: c.ID, Kind: civic.FlagMedia, Subject: subject})
		if err != nil || len(got) != want {
			t.Errorf("media flags with subject %q: %v, %v; want %d", subject, got, err, want)
		}
	}
	if got, _ := f.s.CaptureFlags(f.ctx, civic.CaptureFlagFilter{Subject: "block:77"}); len(got) != 1 || got[0].ID != fl.ID {
		t.Errorf("a resolved flag by its subject: %v", got)
	}
}

func testCapturedItem(t *testing.T, f *fixture) {
	v := version("mastodon:@parks", "200", "hello", time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC))
	f.ingest(t, v)
	it, err := f.s.CapturedItem(f.ctx, "mastodon:@parks", "200")
	if err != nil || it.ID != v.ItemID || it.Text != "hello" {
		t.Errorf("item %+v, %v", it, err)
	}
	_, err = f.s.CapturedItem(f.ctx, "mastodon:@other", "200")
	wantErr(t, err, civic.KindNotFound, "")
}

func testCapturedLastAndSpan(t *testing.T, f *fixture) {
	base := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	acct, other := "mastodon:@parks@city.example", "mastodon:@pool@city.example"
	mk := func(account, id, thread, author, text string, posted, captured time.Time) *civic.Version {
		v := version(account, id, text, captured)
		v.ThreadID, v.Author.ID = thread, author
		if !posted.IsZero() {
			p := posted
			v.PlatformTime = &p
		}
		v.Hash = v.ComputeHash()
		return v
	}
	post1 := mk(acct, "300", "300", "109", "first", base, base)
	post1b := mk(acct, "300", "300", "109", "first, edited", base.Add(time.Hour), base.Add(2*time.Hour))
	comment := mk(acct, "301", "300", "u1", "a comment", base.Add(time.Minute), base)
	post2 := mk(acct, "400", "400", "109", "second", base.Add(24*time.Hour), base.Add(25*time.Hour))
	elsewhere := mk(other, "300", "300", "109", "another account", base, base)
	f.ingest(t, post1, comment, post2, elsewhere)
	f.ingest(t, post1b)

	texts := func(vs []*civic.Version) map[string]string {
		m := map[string]string{}
		for _, v := range vs {
			if _, dup := m[v.PlatformID]; dup {
				t.Errorf("item %s returned twice", v.PlatformID)
			}
			m[v.PlatformID] = v.Text
		}
		return m
	}
	got, err := f.s.CapturedLast(f.ctx, acct, []string{"300", "999"})
	if err != nil || !maps.Equal(texts(got), map[string]string{"300": "first, edited", "301": "a comment"}) {
		t.Errorf("CapturedLast by post id: %v, %v (want the last version of the post and its comment, nothing of the other account)", texts(got), err)
	}
	got, err = f.s.CapturedLast(f.ctx, acct, []string{"301", "400"})
	if err != nil || !maps.Equal(texts(got), map[string]string{"301": "a comment", "400": "second"}) {
		t.Errorf("CapturedLast by item ids: %v, %v", texts(got), err)
	}
	// Many ids, more than one query's worth: each item once.
	many := []string{"300"}
	for i := range 1200 {
		many = append(many, fmt.Sprint(10000+i))
	}
	many = append(many, "300", "400")
	got, err = f.s.CapturedLast(f.ctx, acct, many)
	if err != nil || len(got) != 3 {
		t.Errorf("CapturedLast with %d ids: %v, %v", len(many), texts(got), err)
	}
	if got, err := f.s.CapturedLast(f.ctx, "mastodon:@nobody", []string{"300"}); err != nil || len(got) != 0 {
		t.Errorf("CapturedLast of an unknown account: %v, %v", got, err)
	}

	span := func(from, to time.Time) map[string]string {
		t.Helper()
		vs, err := f.s.CapturedSpan(f.ctx, acct, "109", from, to)
		if err != nil {
			t.Fatal(err)
		}
		return texts(vs)
	}
	if got := span(time.Time{}, time.Time{}); !maps.Equal(got, map[string]string{"300": "first, edited", "400": "second"}) {
		t.Errorf("open span: %v (want the account's own items, by their last version)", got)
	}
	if got := span(base.Add(30*time.Minute), base.Add(2*time.Hour)); !maps.Equal(got, map[string]string{"300": "first, edited"}) {
		t.Errorf("span matching the edit's time: %v", got)
	}
	if got := span(base.Add(2*time.Hour), time.Time{}); !maps.Equal(got, map[string]string{"400": "second"}) {
		t.Errorf("span open towards now: %v", got)
	}
	if got := span(time.Time{}, base.Add(-time.Second)); len(got) != 0 {
		t.Errorf("span before every post: %v", got)
	}
	if got := span(time.Time{}, base); len(got) != 0 {
		t.Errorf("span ending where the first post was made (its end is excluded): %v", got)
	}
	if got := span(base, base.Add(time.Second)); !maps.Equal(got, map[string]string{"300": "first, edited"}) {
		t.Errorf("span starting where the first post was made (its start is included): %v", got)
	}
	if vs, err := f.s.CapturedSpan(f.ctx, acct, "u1", time.Time{}, time.Time{}); err != nil || !maps.Equal(texts(vs), map[string]string{"301": "a comment"}) {
		t.Errorf("span of another author: %v, %v", texts(vs), err)
	}
}
