package storetest

import (
	"bytes"
	"encoding/hex"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"steward.city/steward/internal/civic"
)

// recordsCases test the records requests' store methods.
var recordsCases = []testCase{
	{"RecordsRequests", testRecordsRequests},
	{"Redactions", testRedactions},
	{"ArchiveLogNodes", testArchiveLogNodes},
}

func testRecordsRequests(t *testing.T, f *fixture) {
	day := func(d int) *time.Time { t := time.Date(2026, 11, d, 0, 0, 0, 0, time.UTC); return &t }
	late := &civic.RecordsRequest{Requester: "B", ReceivedOn: *day(2), Subject: true, Kind: civic.RequestData, Description: "b", Scope: []string{"one", "two"}, Status: civic.RequestOpen, DueOn: day(16)}
	early := &civic.RecordsRequest{Requester: "A", ReceivedOn: *day(1), Kind: civic.RequestSubpoena, Description: "a", Scope: []string{`"splash pad"`}, Status: civic.RequestOpen, DueOn: day(10)}
	none := &civic.RecordsRequest{Requester: "C", ReceivedOn: *day(3), Kind: civic.RequestData, Description: "c", Scope: []string{"x"}, Status: civic.RequestOpen}
	for _, r := range []*civic.RecordsRequest{late, early, none} {
		f.update(t, func(tx civic.Tx) error { return tx.CreateRecordsRequest(f.ctx, r) })
	}
	if e := f.lastEvent(t); e.Action != "records.request_create" || e.ObjectType != "records_request" {
		t.Errorf("audit event %+v", e)
	}
	got, err := f.s.RecordsRequest(f.ctx, late.ID)
	if err != nil || got.Requester != "B" || !got.Subject || len(got.Scope) != 2 || got.Scope[1] != "two" || !got.DueOn.Equal(*day(16)) || got.CreatedBy != "suite" {
		t.Errorf("request = %+v, %v", got, err)
	}
	list, err := f.s.RecordsRequests(f.ctx, true)
	if err != nil || len(list) != 3 || list[0].ID != early.ID || list[1].ID != late.ID || list[2].ID != none.ID {
		t.Errorf("open requests by due date: %v %v", list, err)
	}
	early.Status, early.FulfilledOn, early.Pages, early.Fee = civic.RequestFulfilled, day(9), 12, 300
	f.update(t, func(tx civic.Tx) error { return tx.UpdateRecordsRequest(f.ctx, early) })
	list, _ = f.s.RecordsRequests(f.ctx, true)
	all, _ := f.s.RecordsRequests(f.ctx, false)
	if len(list) != 2 || len(all) != 3 {
		t.Errorf("after fulfilment: %d open, %d in all, want 2 and 3", len(list), len(all))
	}
	got, _ = f.s.RecordsRequest(f.ctx, early.ID)
	if got.Status != civic.RequestFulfilled || got.FulfilledOn == nil || got.Fee != 300 || got.CreatedBy != "suite" {
		t.Errorf("updated request = %+v", got)
	}
	_, err = f.s.RecordsRequest(f.ctx, 999)
	wantErr(t, err, civic.KindNotFound, "")
}

func testRedactions(t *testing.T, f *fixture) {
	v := version("x:@city", "1", "call 651-555-0123", time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC))
	f.ingest(t, v)
	r := &civic.RecordsRequest{Requester: "A", ReceivedOn: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Kind: civic.RequestData, Description: "a", Scope: []string{"call"}, Status: civic.RequestOpen}
	f.update(t, func(tx civic.Tx) error { return tx.CreateRecordsRequest(f.ctx, r) })
	d := &civic.Redaction{RequestID: r.ID, VersionID: v.ID, Start: 5, End: 17, Reason: "13.356"}
	f.update(t, func(tx civic.Tx) error { return tx.AddRedaction(f.ctx, d) })
	ds, err := f.s.Redactions(f.ctx, r.ID)
	if err != nil || len(ds) != 1 || ds[0].Start != 5 || ds[0].End != 17 || ds[0].Reason != "13.356" || ds[0].CreatedBy != "suite" {
		t.Errorf("redactions = %+v, %v", ds, err)
	}
	got, err := f.s.ArchiveVersion(f.ctx, v.ID)
	if err != nil || got.Text != "call 651-555-0123" || got.ComputeHash() != got.Hash {
		t.Errorf("the version changed: %+v, %v", got, err)
	}
	err = f.s.Update(f.ctx, admin, func(tx civic.Tx) error {
		return tx.AddRedaction(f.ctx, &civic.Redaction{RequestID: r.ID, VersionID: 999, Start: 0, End: 1, Reason: "13.356"})
	})
	if civic.ErrorKind(err) != civic.KindInvalid {
		t.Errorf("redaction of a missing version: %v", err)
	}
}

// testArchiveLogNodes proves a version's inclusion from the stored nodes.
func testArchiveLogNodes(t *testing.T, f *fixture) {
	base := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	var vs []*civic.Version
	for i := range 5 {
		vs = append(vs, version("x:@city", string(rune('a'+i)), "text", base.Add(time.Duration(i)*time.Minute)))
	}
	f.ingest(t, vs...)
	size, root, err := f.s.ArchiveLogHead(f.ctx)
	if err != nil || size != 5 {
		t.Fatalf("head: %d %v", size, err)
	}
	hr := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		nodes := make([]civic.LogNode, len(idx))
		for i, x := range idx {
			l, n := tlog.SplitStoredHashIndex(x)
			nodes[i] = civic.LogNode{Level: l, Index: n}
		}
		bs, err := f.s.ArchiveLogNodes(f.ctx, nodes)
		out := make([]tlog.Hash, len(bs))
		for i := range bs {
			copy(out[i][:], bs[i])
		}
		return out, err
	})
	p, err := tlog.ProveRecord(size, 3, hr)
	if err != nil {
		t.Fatal(err)
	}
	var th tlog.Hash
	copy(th[:], root)
	leaf, _ := hex.DecodeString(vs[3].Hash)
	if err := tlog.CheckRecord(p, size, th, 3, tlog.RecordHash(leaf)); err != nil {
		t.Errorf("inclusion proof from stored nodes: %v", err)
	}
	_, err = f.s.ArchiveLogNodes(f.ctx, []civic.LogNode{{Level: 9, Index: 0}})
	wantErr(t, err, civic.KindNotFound, "")

	// Runs of consecutive nodes of a level (one read each) give what the
	// nodes read one by one give, in the order asked.
	asked := []civic.LogNode{{Level: 0, Index: 3}, {Level: 0, Index: 0}, {Level: 0, Index: 1}, {Level: 0, Index: 2}, {Level: 0, Index: 3},
		{Level: 0, Index: 4}, {Level: 1, Index: 0}, {Level: 1, Index: 1}, {Level: 2, Index: 0}, {Level: 0, Index: 2}}
	got, err := f.s.ArchiveLogNodes(f.ctx, asked)
	if err != nil || len(got) != len(asked) {
		t.Fatalf("runs of nodes: %d, %v", len(got), err)
	}
	for i, n := range asked {
		one, err := f.s.ArchiveLogNodes(f.ctx, []civic.LogNode{n})
		if err != nil || !bytes.Equal(one[0], got[i]) || len(one[0]) != tlog.HashSize {
			t.Errorf("node %+v: %x in a run, %x alone (%v)", n, got[i], one, err)
		}
		if n.Level == 0 {
			leaf, _ := hex.DecodeString(vs[n.Index].Hash)
			if h := tlog.RecordHash(leaf); !bytes.Equal(got[i], h[:]) {
				t.Errorf("leaf %d: %x, want %x", n.Index, got[i], h)
			}
		}
	}
	// A run reaching past the stored nodes is not found, whole.
	_, err = f.s.ArchiveLogNodes(f.ctx, []civic.LogNode{{Level: 0, Index: 3}, {Level: 0, Index: 4}, {Level: 0, Index: 5}})
	wantErr(t, err, civic.KindNotFound, "")
	_, err = f.s.ArchiveLogNodes(f.ctx, []civic.LogNode{{Level: 1, Index: 1}, {Level: 1, Index: 2}})
	wantErr(t, err, civic.KindNotFound, "")
}
