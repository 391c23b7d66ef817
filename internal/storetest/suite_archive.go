package storetest

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"steward.city/steward/internal/civic"
)

// archiveCases test the archive's store methods.
var archiveCases = []testCase{
	{"ArchiveIngest", testArchiveIngest},
	{"ArchiveLog", testArchiveLog},
	{"ArchiveSearch", testArchiveSearch},
	{"ArchiveSearchStemsOrCounts", testArchiveSearchStemsOrCounts},
	{"ArchiveSearchNewest", testArchiveSearchNewest},
	{"SearchIndexMerge", testSearchIndexMerge},
	{"ArchiveSearchTotalCap", testArchiveSearchTotalCap},
	{"ArchiveHolds", testArchiveHolds},
	{"ArchiveDisposition", testArchiveDisposition},
	{"ArchiveDispositionBatches", testArchiveDispositionBatches},
	{"ArchiveAccounts", testArchiveAccounts},
	{"ArchiveExportReads", testArchiveExportReads},
}

// version returns a version of item id on account, captured at t.
func version(account, id, text string, t time.Time) *civic.Version {
	v := &civic.Version{Account: account, PlatformID: id, Kind: civic.ItemComment, ThreadID: "t1", CapturedAt: t.UTC().Truncate(time.Microsecond),
		Author: civic.Author{ID: "u1", Handle: "@resident", Name: "A Resident"}, Text: text, State: civic.StateVisible, Raw: []byte(`{"id":"` + id + `"}`)}
	v.Hash = v.ComputeHash()
	return v
}

func (f *fixture) ingest(t *testing.T, vs ...*civic.Version) []bool {
	t.Helper()
	var isNew []bool
	f.update(t, func(tx civic.Tx) error {
		var err error
		isNew, err = tx.IngestVersions(f.ctx, vs, 0)
		return err
	})
	return isNew
}

func testArchiveIngest(t *testing.T, f *fixture) {
	base := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	acct := "mastodon:@parks@city.example"
	v1 := version(acct, "100", "The splash pad opens Saturday", base)
	v2 := version(acct, "100", "The splash pad opens Sunday", base.Add(time.Hour))
	v1copy := version(acct, "100", "The splash pad opens Saturday", base)
	v1.Raw = []byte("{\"id\":\"100\",  \"nul\":\"\\u0000\", \"bin\":\"\xff\"}")
	v1.Hash = v1.ComputeHash()
	*v1copy = *v1
	got := f.ingest(t, v1, v2, v1copy)
	if !slices.Equal(got, []bool{true, true, false}) {
		t.Fatalf("new = %v, want the copy in the same batch not stored again", got)
	}
	if v1copy.ID != v1.ID || v1.ItemID != v2.ItemID || v1.ID == 0 {
		t.Errorf("ids: v1 %d/%d, v2 %d/%d, copy %d", v1.ID, v1.ItemID, v2.ID, v2.ItemID, v1copy.ID)
	}
	ev := f.lastEvent(t)
	if ev.Action != "archive.ingest" || string(ev.After) == "" {
		t.Errorf("last event %s, want archive.ingest", ev.Action)
	}
	before := f.eventCount(t)
	// The same versions again, out of order: nothing new, one event.
	again := version(acct, "100", "The splash pad opens Sunday", base.Add(time.Hour))
	if got := f.ingest(t, again, v1copy); !slices.Equal(got, []bool{false, false}) {
		t.Errorf("second ingest new = %v, want none", got)
	}
	if again.ID != v2.ID {
		t.Errorf("duplicate got id %d, want %d", again.ID, v2.ID)
	}
	if n := f.eventCount(t); n != before+1 {
		t.Errorf("a batch wrote %d audit events, want 1", n-before)
	}
	// An older version arriving late is stored; the item's state stays
	// that of its latest version.
	old := version(acct, "100", "Draft", base.Add(-time.Hour))
	old.State = civic.StateDeleted
	old.Hash = old.ComputeHash()
	late := version(acct, "100", "The splash pad opens Sunday", base.Add(2*time.Hour))
	late.State = civic.StateHidden
	late.Hash = late.ComputeHash()
	f.ingest(t, late, old)
	it, err := f.s.ArchiveItem(f.ctx, v1.ItemID)
	if err != nil {
		t.Fatal(err)
	}
	if it.Versions != 4 || it.State != civic.StateHidden || !it.FirstCapture.Equal(old.CapturedAt) || !it.LastCapture.Equal(late.CapturedAt) {
		t.Errorf("item = %+v, want 4 versions, hidden, first %v last %v", it, old.CapturedAt, late.CapturedAt)
	}
	vs, err := f.s.ArchiveVersions(f.ctx, v1.ItemID)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 4 || vs[0].Text != "Draft" || vs[3].State != civic.StateHidden {
		t.Fatalf("versions not in captured order: %d", len(vs))
	}
	// Stored byte for byte, hash intact.
	if string(vs[1].Raw) != string(v1.Raw) {
		t.Errorf("raw = %q, want %q byte for byte", vs[1].Raw, v1.Raw)
	}
	for _, v := range vs {
		if v.ComputeHash() != v.Hash {
			t.Errorf("version %d read back does not hash to its hash", v.ID)
		}
	}
	th, err := f.s.ArchiveThread(f.ctx, v1.ItemID)
	if err != nil || len(th) != 1 {
		t.Errorf("thread = %d items, %v", len(th), err)
	}
	if _, err := f.s.ArchiveItem(f.ctx, 999999); civic.ErrorKind(err) != civic.KindNotFound {
		t.Errorf("missing item: %v, want not found", err)
	}
	// The same item by its account and the platform's id.
	byRef, err := f.s.ArchiveItemByPlatformID(f.ctx, acct, "100")
	if err != nil || byRef.ID != v1.ItemID || byRef.Text != late.Text || byRef.Account != acct {
		t.Errorf("by platform id: %+v %v, want item %d", byRef, err, v1.ItemID)
	}
	for _, k := range [][2]string{{acct, "101"}, {"mastodon:@nobody@city.example", "100"}} {
		if _, err := f.s.ArchiveItemByPlatformID(f.ctx, k[0], k[1]); civic.ErrorKind(err) != civic.KindNotFound {
			t.Errorf("by platform id %s %s: %v, want not found", k[0], k[1], err)
		}
	}
	// A batch with a new item beside a stored one (the new one created,
	// the stored one updated): each version on its own item, counts right.
	fresh := version(acct, "102", "The pool opens Monday", base.Add(3*time.Hour))
	edit := version(acct, "100", "The splash pad opens Monday", base.Add(3*time.Hour))
	if got := f.ingest(t, fresh, edit); !slices.Equal(got, []bool{true, true}) {
		t.Fatalf("mixed batch new = %v", got)
	}
	if edit.ItemID != v1.ItemID || fresh.ItemID == v1.ItemID || fresh.ItemID == 0 {
		t.Errorf("mixed batch items: edit %d (want %d), new %d", edit.ItemID, v1.ItemID, fresh.ItemID)
	}
	for id, want := range map[int64]int{v1.ItemID: 5, fresh.ItemID: 1} {
		it, err := f.s.ArchiveItem(f.ctx, id)
		if err != nil || it.Versions != want {
			t.Errorf("item %d after the mixed batch: %+v %v, want %d versions", id, it, err, want)
		}
	}
}

func testArchiveLog(t *testing.T, f *fixture) {
	base := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	var all []*civic.Version
	for batch := 0; batch < 5; batch++ {
		var vs []*civic.Version
		for i := 0; i < 7; i++ {
			vs = append(vs, version("x:@city", fmt.Sprintf("%d-%d", batch, i), "text", base.Add(time.Duration(batch*10+i)*time.Minute)))
		}
		f.ingest(t, vs...)
		all = append(all, vs...)
	}
	size, root, err := f.s.ArchiveLogHead(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if size != int64(len(all)) {
		t.Fatalf("log size %d, want %d", size, len(all))
	}
	// The root is the RFC 6962 root of the versions' hashes in ID order,
	// computed here independently with tlog.
	stored := map[int64]tlog.Hash{}
	r := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			out[i] = stored[x]
		}
		return out, nil
	})
	for i, v := range all {
		if v.ID != int64(i+1) || v.LogIndex != int64(i) {
			t.Fatalf("version %d has id %d, log index %d", i, v.ID, v.LogIndex)
		}
		h, _ := hex.DecodeString(v.Hash)
		hs, err := tlog.StoredHashes(int64(i), h, r)
		if err != nil {
			t.Fatal(err)
		}
		for j, x := range hs {
			stored[tlog.StoredHashIndex(0, int64(i))+int64(j)] = x
		}
	}
	want, err := tlog.TreeHash(size, r)
	if err != nil {
		t.Fatal(err)
	}
	if base64.StdEncoding.EncodeToString(root) != base64.StdEncoding.EncodeToString(want[:]) {
		t.Errorf("root %x, tlog computes %x", root, want)
	}
	var n int
	if err := f.s.WalkVersions(f.ctx, 0, func(v *civic.Version, leaf []byte) error {
		h, _ := hex.DecodeString(v.Hash)
		lh := tlog.RecordHash(h)
		if string(leaf) != string(lh[:]) {
			t.Errorf("version %d: leaf differs", v.ID)
		}
		n++
		return nil
	}); err != nil || n != len(all) {
		t.Errorf("walked %d versions, %v", n, err)
	}
	var scanned []int64
	if err := f.s.ScanVersions(f.ctx, 10, func(v *civic.Version) error {
		if v.Account != "x:@city" || v.ComputeHash() != v.Hash {
			t.Errorf("scanned version %d: account %q, hash matches %v", v.ID, v.Account, v.ComputeHash() == v.Hash)
		}
		scanned = append(scanned, v.ID)
		return nil
	}); err != nil || len(scanned) != len(all)-10 || scanned[0] != 11 {
		t.Errorf("scan after 10: %v, %v", scanned, err)
	}
	c := &civic.Checkpoint{Size: size, RootHash: base64.StdEncoding.EncodeToString(root), Time: f.clock.Now(), Note: "note"}
	f.update(t, func(tx civic.Tx) error { return tx.AddCheckpoint(f.ctx, c) })
	cs, err := f.s.ArchiveCheckpoints(f.ctx, 0)
	if err != nil || len(cs) != 1 || cs[0].Size != size || cs[0].Note != "note" {
		t.Errorf("checkpoints = %v, %v", cs, err)
	}
}

func testArchiveSearch(t *testing.T, f *fixture) {
	base := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	parks, library := "mastodon:@parks@city.example", "facebook:citylibrary"
	mk := func(acct, id, text string, day int, author string, state civic.ItemState) *civic.Version {
		v := version(acct, id, text, base.AddDate(0, 0, day))
		v.Author.Handle, v.State = author, state
		pt := base.AddDate(0, 0, day)
		v.PlatformTime = &pt
		v.Hash = v.ComputeHash()
		return v
	}
	f.ingest(t,
		mk(parks, "1", "Pothole on Main Street near the park", 0, "@ann", civic.StateVisible),
		mk(parks, "2", "The main street parade is Saturday", 10, "@bob", civic.StateVisible),
		mk(library, "3", "Main street library hours", 20, "@ann", civic.StateDeleted),
		mk(parks, "4", "Street fair: مرحبا 👋 e\u0301cole", 30, "@cy", civic.StateHidden),
	)
	ids := func(q civic.ArchiveQuery) []string {
		t.Helper()
		vs, err := f.s.SearchArchive(f.ctx, &q)
		if err != nil {
			t.Fatalf("search %+v: %v", q, err)
		}
		var out []string
		for _, v := range vs {
			out = append(out, v.PlatformID)
		}
		return out
	}
	yes, no := true, false
	for _, c := range []struct {
		name string
		q    civic.ArchiveQuery
		want []string
	}{
		{"words, newest first", civic.ArchiveQuery{Terms: []string{"main", "street"}}, []string{"3", "2", "1"}},
		{"phrase", civic.ArchiveQuery{Terms: []string{"main street"}}, []string{"3", "2", "1"}},
		{"phrase order matters", civic.ArchiveQuery{Terms: []string{"street main"}}, nil},
		{"case", civic.ArchiveQuery{Terms: []string{"POTHOLE"}}, []string{"1"}},
		{"account", civic.ArchiveQuery{Terms: []string{"street"}, Account: parks}, []string{"4", "2", "1"}},
		{"platform", civic.ArchiveQuery{Platform: "facebook"}, []string{"3"}},
		{"date range", civic.ArchiveQuery{Terms: []string{"street"}, From: base.AddDate(0, 0, 5), Until: base.AddDate(0, 0, 21)}, []string{"3", "2"}},
		{"date range alone", civic.ArchiveQuery{From: base.AddDate(0, 0, 25)}, []string{"4"}},
		{"empty range", civic.ArchiveQuery{From: base.AddDate(1, 0, 0)}, nil},
		{"author", civic.ArchiveQuery{Author: "@ann"}, []string{"3", "1"}},
		{"kind", civic.ArchiveQuery{Kind: civic.ItemPost}, nil},
		{"state", civic.ArchiveQuery{State: civic.StateDeleted}, []string{"3"}},
		{"removed", civic.ArchiveQuery{Removed: &yes}, []string{"4", "3"}},
		{"not removed", civic.ArchiveQuery{Removed: &no}, []string{"2", "1"}},
		{"held", civic.ArchiveQuery{Held: &yes}, nil},
		{"right-to-left", civic.ArchiveQuery{Terms: []string{"مرحبا"}}, []string{"4"}},
		{"paging", civic.ArchiveQuery{Terms: []string{"street"}, Limit: 2, Offset: 1}, []string{"3", "2"}},
		{"quotes in a term", civic.ArchiveQuery{Terms: []string{`"main`}}, []string{"3", "2", "1"}},
	} {
		if got := ids(c.q); !slices.Equal(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
	rel := ids(civic.ArchiveQuery{Terms: []string{"street"}, Relevance: true})
	if len(rel) != 4 {
		t.Errorf("relevance order returned %v", rel)
	}
	// A page larger than the most a caller shows, plus one, is refused,
	// never shortened to some default.
	if got := ids(civic.ArchiveQuery{Terms: []string{"street"}, Limit: civic.MaxArchiveLimit + 1}); len(got) != 4 {
		t.Errorf("the largest page returned %v", got)
	}
	for _, limit := range []int{-1, civic.MaxArchiveLimit + 2, 5000} {
		if _, err := f.s.SearchArchive(f.ctx, &civic.ArchiveQuery{Terms: []string{"street"}, Limit: limit}); civic.ErrorKind(err) != civic.KindInvalid || civic.ErrorField(err) != "limit" {
			t.Errorf("limit %d: %v, want invalid naming limit", limit, err)
		}
	}
}

// testArchiveSearchStemsOrCounts asks both engines the same queries and
// wants the same versions: a word finds its other forms, OR groups, and
// the count is of every match, not of the page.
func testArchiveSearchStemsOrCounts(t *testing.T, f *fixture) {
	base := time.Date(2025, 7, 1, 12, 0, 0, 0, time.UTC)
	acct := "mastodon:@works@city.example"
	f.ingest(t,
		version(acct, "1", "Two potholes reported on Elm", base),
		version(acct, "2", "The pothole on Oak is fixed", base.AddDate(0, 0, 1)),
		version(acct, "3", "Sidewalk repairs start Monday", base.AddDate(0, 0, 2)),
		version(acct, "4", "Crews are repairing the sidewalks and running late", base.AddDate(0, 0, 3)),
		version(acct, "5", "Snow plowing schedule", base.AddDate(0, 0, 4)),
	)
	ids := func(q civic.ArchiveQuery) []string {
		t.Helper()
		vs, err := f.s.SearchArchive(f.ctx, &q)
		if err != nil {
			t.Fatalf("search %+v: %v", q, err)
		}
		var out []string
		for _, v := range vs {
			out = append(out, v.PlatformID)
		}
		return out
	}
	for _, c := range []struct {
		name string
		q    civic.ArchiveQuery
		want []string
	}{
		{"plural finds singular", civic.ArchiveQuery{Terms: []string{"potholes"}}, []string{"2", "1"}},
		{"singular finds plural", civic.ArchiveQuery{Terms: []string{"pothole"}}, []string{"2", "1"}},
		{"verb forms", civic.ArchiveQuery{Terms: []string{"repair"}}, []string{"4", "3"}},
		{"ing", civic.ArchiveQuery{Terms: []string{"run"}}, []string{"4"}},
		{"stemmed phrase", civic.ArchiveQuery{Terms: []string{"pothole reported"}}, []string{"1"}},
		{"or", civic.ArchiveQuery{AnyOf: [][]string{{"pothole", "sidewalk"}}}, []string{"4", "3", "2", "1"}},
		{"or with a phrase", civic.ArchiveQuery{AnyOf: [][]string{{"snow plowing", "on oak"}}}, []string{"5", "2"}},
		{"or and a word", civic.ArchiveQuery{Terms: []string{"repairs"}, AnyOf: [][]string{{"monday", "late"}}}, []string{"4", "3"}},
		{"two groups", civic.ArchiveQuery{AnyOf: [][]string{{"pothole", "sidewalk"}, {"elm", "monday"}}}, []string{"3", "1"}},
		{"or, nothing", civic.ArchiveQuery{AnyOf: [][]string{{"bridge", "tunnel"}}}, nil},
		{"or in an account", civic.ArchiveQuery{AnyOf: [][]string{{"snow", "elm"}}, Account: acct}, []string{"5", "1"}},
	} {
		if got := ids(c.q); !slices.Equal(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
	for _, c := range []struct {
		q    civic.ArchiveQuery
		want int
	}{
		{civic.ArchiveQuery{AnyOf: [][]string{{"pothole", "sidewalk"}}, Limit: 1, Offset: 1}, 4},
		{civic.ArchiveQuery{Terms: []string{"potholes"}, Relevance: true, Limit: 1}, 2},
		{civic.ArchiveQuery{Account: acct, Limit: 2}, 5},
		{civic.ArchiveQuery{Terms: []string{"bridge"}}, 0},
		{civic.ArchiveQuery{Terms: []string{"pothole"}, From: base.AddDate(0, 0, 1), Until: base.AddDate(0, 0, 30)}, 1},
		{civic.ArchiveQuery{Account: "mastodon:@nobody@city.example", Terms: []string{"pothole"}}, 0},
		{civic.ArchiveQuery{AnyOf: [][]string{{"pothole", "sidewalk"}}, Offset: 10}, 4},
	} {
		if n, err := f.s.CountArchive(f.ctx, &c.q); err != nil || n != c.want {
			t.Errorf("count %+v = %d, %v; want %d", c.q, n, err, c.want)
		}
		page, err := f.s.SearchArchive(f.ctx, &c.q)
		if err != nil {
			t.Fatal(err)
		}
		vs, n, err := f.s.SearchArchiveTotal(f.ctx, &c.q)
		if err != nil || n != c.want || len(vs) != len(page) {
			t.Errorf("search with total %+v = %d versions of %d, %v; want %d of %d", c.q, len(vs), n, err, len(page), c.want)
		}
	}
	// MatchArchive, which holds use, reads the versions with the same
	// stemming and OR.
	var items []int64
	if err := f.s.MatchArchive(f.ctx, &civic.ArchiveQuery{AnyOf: [][]string{{"potholes", "snow"}}}, 0, func(id int64) error {
		items = append(items, id)
		return nil
	}); err != nil || len(items) != 3 {
		t.Errorf("match pothole OR snow: %v, %v; want 3 items", items, err)
	}
}

func testArchiveHolds(t *testing.T, f *fixture) {
	base := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	a, b := version("x:@city", "1", "one", base), version("x:@city", "2", "two", base)
	f.ingest(t, a, b)
	h := &civic.Hold{Matter: "  Smith v. City  ", Accounts: []string{"x:@city"}}
	f.update(t, func(tx civic.Tx) error { return tx.PlaceHold(f.ctx, h, []int64{a.ItemID}) })
	if h.Matter != "Smith v. City" || h.PlacedBy != "suite" || h.ID == 0 {
		t.Errorf("hold = %+v", h)
	}
	held, err := f.s.HeldItemIDs(f.ctx, []int64{a.ItemID, b.ItemID})
	if err != nil || !held[a.ItemID] || held[b.ItemID] {
		t.Errorf("held = %v, %v; want only item %d", held, err, a.ItemID)
	}
	// New versions that the hold covers are linked at ingest.
	c := version("x:@city", "3", "three", base)
	c.Holds = []int64{h.ID}
	f.ingest(t, c)
	got, _ := f.s.Hold(f.ctx, h.ID)
	if got.Items != 2 || !got.Active() {
		t.Errorf("hold items = %d active %v, want 2 active", got.Items, got.Active())
	}
	err = f.s.Update(f.ctx, admin, func(tx civic.Tx) error { return tx.PlaceHold(f.ctx, &civic.Hold{}, nil) })
	wantErr(t, err, civic.KindInvalid, "matter")
	err = f.s.Update(f.ctx, admin, func(tx civic.Tx) error { return tx.ReleaseHold(f.ctx, h.ID, " ") })
	wantErr(t, err, civic.KindInvalid, "reason")
	f.update(t, func(tx civic.Tx) error { return tx.ReleaseHold(f.ctx, h.ID, "case settled") })
	got, _ = f.s.Hold(f.ctx, h.ID)
	if got.Active() || got.ReleaseReason != "case settled" || got.Items != 2 {
		t.Errorf("released hold = %+v, want history kept", got)
	}
	if held, _ := f.s.HeldItemIDs(f.ctx, []int64{a.ItemID}); held[a.ItemID] {
		t.Error("a released hold still holds its items")
	}
	err = f.s.Update(f.ctx, admin, func(tx civic.Tx) error { return tx.ReleaseHold(f.ctx, h.ID, "again") })
	wantErr(t, err, civic.KindConflict, "")
	if ev := f.lastEvent(t); ev.Action != "archive.hold_release" {
		t.Errorf("last event %s", ev.Action)
	}
}

func testArchiveDisposition(t *testing.T, f *fixture) {
	base := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	a, b := version("x:@city", "1", "dispose me", base), version("x:@city", "2", "held one", base)
	a2 := version("x:@city", "1", "dispose me too", base.Add(time.Minute))
	f.ingest(t, a, b, a2)
	h := &civic.Hold{Matter: "Matter"}
	f.update(t, func(tx civic.Tx) error { return tx.PlaceHold(f.ctx, h, []int64{b.ItemID}) })
	run := &civic.DispositionRun{AsOf: f.clock.Now()}
	entries := []*civic.DispositionEntry{
		{ItemID: a.ItemID, Account: "x:@city", Kind: civic.ItemComment, PlatformID: "1", FirstCapture: base, LastCapture: base, Versions: 2, Class: "transitory", EligibleAt: base},
		{ItemID: b.ItemID, Account: "x:@city", Kind: civic.ItemComment, PlatformID: "2", FirstCapture: base, LastCapture: base, Versions: 1, Class: "transitory", EligibleAt: base},
	}
	f.update(t, func(tx civic.Tx) error { return tx.CreateDispositionRun(f.ctx, run, entries) })
	var done *civic.DispositionRun
	f.update(t, func(tx civic.Tx) error {
		if _, err := tx.ApproveDispositionRun(f.ctx, run.ID); err != nil {
			return err
		}
		var err error
		done, _, err = tx.ExecuteDispositionBatch(f.ctx, run.ID, 0, 10)
		return err
	})
	if done.Disposed != 1 || done.Skipped != 1 || done.Status != "executed" {
		t.Errorf("run after its batch = %+v, want executed, 1 disposed and 1 skipped", done)
	}
	vs, _ := f.s.ArchiveVersions(f.ctx, a.ItemID)
	for _, v := range vs {
		if v.Text != "" || len(v.Raw) != 0 || v.DisposedAt == nil || v.Hash == "" {
			t.Errorf("disposed version %d keeps content %q or lost its hash", v.ID, v.Text)
		}
		if ok, err := f.s.DisposedVersion(f.ctx, v.ID); !ok || err != nil {
			t.Errorf("DisposedVersion(%d) = %v, %v", v.ID, ok, err)
		}
	}
	if vs, _ := f.s.ArchiveVersions(f.ctx, b.ItemID); vs[0].Text != "held one" {
		t.Error("a held item was disposed of")
	}
	if hits, _ := f.s.SearchArchive(f.ctx, &civic.ArchiveQuery{Terms: []string{"dispose"}}); len(hits) != 0 {
		t.Errorf("disposed content is still found by search: %d hits", len(hits))
	}
	es, err := f.s.DispositionEntries(f.ctx, run.ID)
	if err != nil || len(es) != 2 || es[0].DisposedAt == nil || es[1].Skipped == "" {
		t.Errorf("disposition list = %+v, %v", es, err)
	}
	got, _ := f.s.DispositionRun(f.ctx, run.ID)
	if got.Status != "executed" || got.ApprovedBy != "suite" || got.ApprovedAt == nil {
		t.Errorf("run = %+v", got)
	}
	err = f.s.Update(f.ctx, admin, func(tx civic.Tx) error { _, err := tx.ApproveDispositionRun(f.ctx, run.ID); return err })
	wantErr(t, err, civic.KindConflict, "")
	// The log is untouched: same size, same leaves.
	size, _, _ := f.s.ArchiveLogHead(f.ctx)
	if size != 3 {
		t.Errorf("log size %d after disposition, want 3", size)
	}
}

func testArchiveAccounts(t *testing.T, f *fixture) {
	d := f.department(t, "parks", "Parks")
	a := &civic.ArchiveAccount{Ref: "bluesky:parks.city.example", DepartmentID: d.ID}
	f.update(t, func(tx civic.Tx) error { return tx.RegisterArchiveAccount(f.ctx, a) })
	if a.Platform != "bluesky" || a.Handle != "parks.city.example" {
		t.Errorf("account = %+v", a)
	}
	err := f.s.Update(f.ctx, admin, func(tx civic.Tx) error {
		return tx.RegisterArchiveAccount(f.ctx, &civic.ArchiveAccount{Ref: "bluesky:parks.city.example"})
	})
	wantErr(t, err, civic.KindConflict, "account")
	err = f.s.Update(f.ctx, admin, func(tx civic.Tx) error {
		return tx.RegisterArchiveAccount(f.ctx, &civic.ArchiveAccount{Ref: "no-colon"})
	})
	wantErr(t, err, civic.KindInvalid, "account")
	got, err := f.s.ArchiveAccountByRef(f.ctx, "bluesky:parks.city.example")
	if err != nil || got.DepartmentID != d.ID {
		t.Errorf("account by ref = %+v, %v", got, err)
	}
	v := version("bluesky:parks.city.example", "1", "hi", time.Now())
	f.ingest(t, v)
	if v.AccountID != a.ID {
		t.Errorf("ingest made a new account %d, want %d", v.AccountID, a.ID)
	}
	as, _ := f.s.ArchiveAccounts(f.ctx)
	if len(as) != 1 {
		t.Errorf("%d accounts", len(as))
	}
}

// testArchiveDispositionBatches executes a run a batch at a time: each
// entry is handled once, however often a batch is run; a hold placed after
// the approval is respected when the item's turn comes; the run is
// executed, with one audit event, only once its last entry is handled.
func testArchiveDispositionBatches(t *testing.T, f *fixture) {
	base := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	var vs []*civic.Version
	for i := range 7 {
		vs = append(vs, version("x:@city", strconv.Itoa(i), "old comment "+strconv.Itoa(i), base))
	}
	f.ingest(t, vs...)
	run := &civic.DispositionRun{AsOf: f.clock.Now()}
	var entries []*civic.DispositionEntry
	for i, v := range vs {
		entries = append(entries, &civic.DispositionEntry{ItemID: v.ItemID, Account: "x:@city", Kind: civic.ItemComment, PlatformID: strconv.Itoa(i),
			FirstCapture: base, LastCapture: base, Versions: 1, Class: "transitory", EligibleAt: base})
	}
	f.update(t, func(tx civic.Tx) error { return tx.CreateDispositionRun(f.ctx, run, entries) })
	var after int64
	batch := func(limit int) (*civic.DispositionRun, error) {
		var got *civic.DispositionRun
		err := f.s.Update(f.ctx, admin, func(tx civic.Tx) error {
			var err error
			got, after, err = tx.ExecuteDispositionBatch(f.ctx, run.ID, after, limit)
			return err
		})
		return got, err
	}
	// Not approved: nothing happens.
	_, err := batch(3)
	wantErr(t, err, civic.KindConflict, "")
	approver := civic.Actor{Label: "clerk@city.example"}
	var approved *civic.DispositionRun
	if err := f.s.Update(f.ctx, approver, func(tx civic.Tx) error {
		var err error
		approved, err = tx.ApproveDispositionRun(f.ctx, run.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if approved.Status != "approved" || approved.ApprovedBy != "clerk@city.example" || approved.ApprovedAt == nil {
		t.Errorf("approved run = %+v", approved)
	}
	if ev := f.lastEvent(t); ev.Action != "archive.disposition_approve" {
		t.Errorf("approval recorded %s, want archive.disposition_approve", ev.Action)
	}
	err = f.s.Update(f.ctx, admin, func(tx civic.Tx) error { _, err := tx.ApproveDispositionRun(f.ctx, run.ID); return err })
	wantErr(t, err, civic.KindConflict, "")
	_, err = batch(0)
	wantErr(t, err, civic.KindInvalid, "limit")
	// A batch past the last entry finds none, but entries before it are
	// left: the run is not finished, and the next batch starts again.
	after = vs[6].ItemID
	if got, err := batch(3); err != nil || got.Status != "approved" || got.Disposed != 0 || after != 0 {
		t.Fatalf("a batch past every entry left: %+v, next %d, %v", got, after, err)
	}
	if vs, _ := f.s.ArchiveVersions(f.ctx, vs[0].ItemID); vs[0].Text == "" {
		t.Error("the approval alone disposed of an item")
	}

	got, err := batch(3)
	if err != nil || got.Status != "approved" || got.Disposed != 3 || got.Skipped != 0 {
		t.Fatalf("after the first batch: %+v, %v; want approved, 3 disposed", got, err)
	}
	// A hold placed between the approval and an item's turn.
	f.update(t, func(tx civic.Tx) error {
		return tx.PlaceHold(f.ctx, &civic.Hold{Matter: "Late matter"}, []int64{vs[4].ItemID})
	})
	// A batch that fails after its work rolls back all of it.
	boom := errors.New("killed")
	err = f.s.Update(f.ctx, admin, func(tx civic.Tx) error {
		if _, _, err := tx.ExecuteDispositionBatch(f.ctx, run.ID, after, 3); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("failed batch: %v", err)
	}
	if got, _ := f.s.DispositionRun(f.ctx, run.ID); got.Disposed != 3 || got.Status != "approved" {
		t.Errorf("a rolled back batch left %+v", got)
	}
	if got, err = batch(3); err != nil || got.Status != "approved" || got.Disposed != 5 || got.Skipped != 1 {
		t.Fatalf("after the second batch: %+v, %v; want approved, 5 disposed and 1 skipped", got, err)
	}
	if got, err = batch(3); err != nil || got.Status != "executed" || got.Disposed != 6 || got.Skipped != 1 {
		t.Fatalf("after the last batch: %+v, %v; want executed, 6 disposed and 1 skipped", got, err)
	}
	if got.ApprovedBy != "clerk@city.example" {
		t.Errorf("approver after execution = %q, want the clerk", got.ApprovedBy)
	}
	ev := f.lastEvent(t)
	if ev.Action != "archive.disposition_execute" {
		t.Errorf("last event %s, want archive.disposition_execute", ev.Action)
	}
	// Run again: nothing changes, no second event.
	n := f.eventCount(t)
	if again, err := batch(3); err != nil || again.Status != "executed" || again.Disposed != 6 {
		t.Errorf("a batch of an executed run: %+v, %v", again, err)
	}
	if f.eventCount(t) != n {
		t.Error("a batch of an executed run recorded an event")
	}
	es, _ := f.s.DispositionEntries(f.ctx, run.ID)
	for i, e := range es {
		held := e.ItemID == vs[4].ItemID
		if held != (e.Skipped == "under legal hold") || held != (e.DisposedAt == nil) {
			t.Errorf("entry %d = disposed %v skipped %q (held %v)", i, e.DisposedAt, e.Skipped, held)
		}
		vv, _ := f.s.ArchiveVersions(f.ctx, e.ItemID)
		if held != (vv[0].Text != "") || held != (vv[0].DisposedAt == nil) {
			t.Errorf("item %d: text %q disposed %v (held %v)", e.ItemID, vv[0].Text, vv[0].DisposedAt, held)
		}
		if !held {
			if ok, err := f.s.DisposedVersion(f.ctx, vv[0].ID); !ok || err != nil {
				t.Errorf("DisposedVersion(%d) = %v, %v", vv[0].ID, ok, err)
			}
		}
	}
	// A second run listing an item the first disposed of skips it.
	run2 := &civic.DispositionRun{AsOf: f.clock.Now()}
	f.update(t, func(tx civic.Tx) error { return tx.CreateDispositionRun(f.ctx, run2, entries[:1]) })
	f.update(t, func(tx civic.Tx) error {
		if _, err := tx.ApproveDispositionRun(f.ctx, run2.ID); err != nil {
			return err
		}
		got, _, err = tx.ExecuteDispositionBatch(f.ctx, run2.ID, 0, 5)
		return err
	})
	if got.Status != "executed" || got.Disposed != 0 || got.Skipped != 1 {
		t.Errorf("second run over a disposed item: %+v", got)
	}
}

// testSearchIndexMerge merges the full-text index a step at a time, as the
// daily job does: on SQLite the segments that each ingest transaction
// added become one, and every search (words, a phrase, OR, an account, a
// time range, newest first and by relevance, with its count) answers the
// same before and after; on PostgreSQL there is nothing to merge.
func testSearchIndexMerge(t *testing.T, f *fixture) {
	m, ok := f.s.(interface {
		MergeSearchIndex(ctx context.Context, pages int) (bool, error)
		SearchIndexSegments(ctx context.Context) (int, error)
	})
	if !ok {
		t.Skipf("%T does not merge its search index", f.s)
	}
	base := time.Date(2025, 9, 1, 12, 0, 0, 0, time.UTC)
	words := []string{"pothole", "snow emergency", "splash pad", "library hours", "street parking", "leaf collection"}
	// Twelve transactions of twenty versions: a segment each on SQLite.
	for tx := range 12 {
		var vs []*civic.Version
		for i := range 20 {
			n := tx*20 + i
			acct := "mastodon:@parks@city.example"
			if n%3 == 0 {
				acct = "facebook:citylibrary"
			}
			vs = append(vs, version(acct, fmt.Sprint(n), fmt.Sprintf("Update %d: %s on day %d, %s", n, words[n%len(words)], n%17, words[(n/7)%len(words)]), base.Add(time.Duration(n)*time.Hour)))
		}
		f.ingest(t, vs...)
	}
	queries := []civic.ArchiveQuery{
		{Terms: []string{"pothole"}},
		{Terms: []string{"snow emergency"}},
		{AnyOf: [][]string{{"splash", "library"}}},
		{Terms: []string{"update"}, Limit: 30, Offset: 40},
		{Terms: []string{"street parking"}, Account: "facebook:citylibrary"},
		{Terms: []string{"leaf"}, From: base.Add(24 * time.Hour), Until: base.Add(150 * time.Hour)},
		{Terms: []string{"parking"}, Relevance: true},
		{Terms: []string{"zeppelin"}},
	}
	answers := func() []string {
		var out []string
		for _, q := range queries {
			vs, total, err := f.s.SearchArchiveTotal(f.ctx, &q)
			if err != nil {
				t.Fatalf("search %+v: %v", q, err)
			}
			ids := make([]string, len(vs))
			for i, v := range vs {
				ids[i] = v.PlatformID
			}
			out = append(out, fmt.Sprintf("%d %v", total, ids))
		}
		return out
	}
	before := answers()
	segs, err := m.SearchIndexSegments(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	steps := 0
	for more := true; more; steps++ {
		if steps > 1000 {
			t.Fatal("the merge did not end in 1,000 steps")
		}
		if more, err = m.MergeSearchIndex(f.ctx, 8); err != nil {
			t.Fatal(err)
		}
	}
	after, err := m.SearchIndexSegments(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	sqlite := f.s.Engine() == "sqlite"
	switch {
	case sqlite && (segs < 2 || after != 1 || steps < 2):
		t.Errorf("SQLite: %d segments before, %d after, in %d steps; want several, then 1", segs, after, steps)
	case !sqlite && (segs != 0 || after != 0 || steps != 1):
		t.Errorf("%s: %d segments, %d after, %d steps; want nothing to merge", f.s.Engine(), segs, after, steps)
	}
	if got := answers(); !slices.Equal(got, before) {
		t.Errorf("searches after the merge:\n%v\nbefore:\n%v", got, before)
	}
	// Ingest goes on into the merged index, and a second merge finds it.
	f.ingest(t, version("mastodon:@parks@city.example", "late", "A late pothole report", base.Add(400*time.Hour)))
	vs, err := f.s.SearchArchive(f.ctx, &civic.ArchiveQuery{Terms: []string{"pothole"}, Limit: 1})
	if err != nil || len(vs) != 1 || vs[0].PlatformID != "late" {
		t.Fatalf("newest pothole after the merge: %v, %v", vs, err)
	}
	if _, err := m.MergeSearchIndex(f.ctx, 0); err != nil {
		t.Fatal(err)
	}
}

// testArchiveExportReads: the narrow reads a records export makes. Every
// item's thread and account, in ID order; every version up to a log size
// with its item, and none past it; and the versions of items without
// their payloads.
func testArchiveExportReads(t *testing.T, f *fixture) {
	base := time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC)
	a, b := "mastodon:@parks@city.example", "facebook:citylibrary"
	v1 := version(a, "1", "first", base)
	v2 := version(a, "1", "first, edited", base.Add(time.Hour))
	v3 := version(b, "2", "second", base.Add(2*time.Hour))
	v3.ThreadID = "t9"
	v4 := version(a, "3", "third", base.Add(3*time.Hour))
	f.ingest(t, v1, v2, v3)
	f.ingest(t, v4)
	type thread struct {
		id              int64
		account, thread string
	}
	var threads []thread
	if err := f.s.ArchiveItemThreads(f.ctx, func(id int64, account, th string) error {
		threads = append(threads, thread{id, account, th})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(threads) != 3 || threads[0].account != a || threads[1].account != b || threads[1].thread != "t9" || threads[2].thread != "t1" ||
		!(threads[0].id < threads[1].id && threads[1].id < threads[2].id) {
		t.Fatalf("ArchiveItemThreads: %+v", threads)
	}
	for _, c := range []struct {
		size int64
		want map[int64]int64 // version ID -> item ID
	}{
		{4, map[int64]int64{v1.ID: threads[0].id, v2.ID: threads[0].id, v3.ID: threads[1].id, v4.ID: threads[2].id}},
		{3, map[int64]int64{v1.ID: threads[0].id, v2.ID: threads[0].id, v3.ID: threads[1].id}},
		{0, map[int64]int64{}},
	} {
		got := map[int64]int64{}
		if err := f.s.ArchiveVersionItems(f.ctx, c.size, func(id, item int64) error {
			if _, dup := got[id]; dup {
				t.Errorf("version %d twice", id)
			}
			got[id] = item
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("ArchiveVersionItems(%d) = %v, want %v", c.size, got, c.want)
		}
	}
	var texts []string
	if err := f.s.VersionsOfItems(f.ctx, []int64{threads[2].id, threads[0].id}, func(v *civic.Version) error {
		if v.Raw != nil {
			t.Errorf("version %d carries its payload", v.ID)
		}
		texts = append(texts, v.Text)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(texts) != "[first first, edited third]" {
		t.Errorf("VersionsOfItems: %q", texts)
	}
}
