package records_test

import (
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/records"
	"steward.city/steward/internal/storetest"
)

// TestRedactSelectionAndWords attacks the spans a clerk's page sends (past
// the end, negative, reversed, cutting a multi-byte character, a version
// outside the request) and redacts by words, every occurrence or one.
func TestRedactSelectionAndWords(t *testing.T) {
	t.Parallel()
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, eng)
			at := time.Date(2026, 11, 19, 12, 0, 0, 0, time.UTC)
			text := "Wac Faadumo 612-555-0199 ama Faadumo: fiican ✓ Faadumo"
			c := rec("s1", "", text, at)
			other := rec("o1", "", "Library hours change for Faadumo", at.Add(time.Minute))
			other.Thread = "o1"
			if _, err := e.arch.Ingest(e.ctx, civic.CLI, []archive.Record{c, other}, nil); err != nil {
				t.Fatal(err)
			}
			r := &civic.RecordsRequest{Requester: "R", ReceivedOn: at, Description: "d", Scope: []string{"fiican"}}
			if _, err := e.svc.Create(e.ctx, civic.CLI, r); err != nil {
				t.Fatal(err)
			}
			vs, err := e.arch.Search(e.ctx, civic.CLI, mustQuery(t, "fiican"))
			if err != nil || len(vs) != 1 {
				t.Fatalf("search: %v %v", vs, err)
			}
			v := vs[0]
			outside, err := e.arch.Search(e.ctx, civic.CLI, mustQuery(t, "Library"))
			if err != nil || len(outside) != 1 {
				t.Fatalf("search: %v %v", outside, err)
			}
			check := strings.Index(text, "✓")
			for _, c := range []struct {
				name       string
				version    int64
				start, end int
				field, msg string
			}{
				{"no version", 0, 0, 3, "version_id", "choose the version"},
				{"past the end", v.ID, 4, len(text) + 1, "end", "outside the text"},
				{"start at the end", v.ID, len(text), len(text) + 2, "start", "outside the text"},
				{"negative", v.ID, -1, 3, "start", "outside the text"},
				{"reversed", v.ID, 8, 4, "end", "ends before it starts"},
				{"empty", v.ID, 4, 4, "end", "ends before it starts"},
				{"start splits ✓", v.ID, check + 1, check + 3, "start", "cuts a character"},
				{"end splits ✓", v.ID, check, check + 2, "end", "cuts a character"},
				{"another item", outside[0].ID, 0, 3, "version_id", "not in this request's scope"},
				{"no such version", 999999, 0, 3, "version_id", "not in this request's scope"},
			} {
				err := e.svc.Redact(e.ctx, civic.CLI, &civic.Redaction{RequestID: r.ID, VersionID: c.version, Start: c.start, End: c.end, Reason: "13.356"})
				if civic.ErrorKind(err) != civic.KindInvalid || civic.ErrorField(err) != c.field || !strings.Contains(err.Error(), c.msg) {
					t.Errorf("%s: %v, want %s: %s", c.name, err, c.field, c.msg)
				}
			}
			// A clerk without records.manage cannot redact.
			viewer := civic.ActorOf(&civic.User{ID: 9, Email: "v@city.example", Grants: []civic.Grant{{Role: civic.RoleAuditor}}})
			if _, err := e.svc.RedactWords(e.ctx, viewer, r.ID, v.ID, "Faadumo", 0, "13.356"); civic.ErrorKind(err) != civic.KindForbidden {
				t.Errorf("a viewer redacted: %v", err)
			}
			// Words: a field left empty, words not in the text, a bad occurrence.
			for _, c := range []struct {
				words      string
				occurrence int
				reason     string
				field      string
			}{{" ", 0, "13.356", "words"}, {"faadumo", 0, "13.356", "words"}, {"Faadumo", 4, "13.356", "occurrence"}, {"Faadumo", 0, "", "reason"}} {
				if _, err := e.svc.RedactWords(e.ctx, civic.CLI, r.ID, v.ID, c.words, c.occurrence, c.reason); civic.ErrorField(err) != c.field {
					t.Errorf("words %q occurrence %d reason %q: %v, want field %s", c.words, c.occurrence, c.reason, err, c.field)
				}
			}
			if _, err := e.svc.RedactWords(e.ctx, civic.CLI, r.ID, outside[0].ID, "Faadumo", 0, "13.356"); civic.ErrorField(err) != "version_id" {
				t.Errorf("words in a version outside the scope: %v", err)
			}
			// The second "Faadumo" only, then a selection of the phone number.
			ds, err := e.svc.RedactWords(e.ctx, civic.CLI, r.ID, v.ID, "Faadumo", 2, "13.356")
			if err != nil || len(ds) != 1 || text[ds[0].Start:ds[0].End] != "Faadumo" || ds[0].Start != strings.Index(text, "ama Faadumo")+4 {
				t.Fatalf("second occurrence: %+v %v", ds, err)
			}
			ph := strings.Index(text, "612")
			if err := e.svc.Redact(e.ctx, civic.CLI, &civic.Redaction{RequestID: r.ID, VersionID: v.ID, Start: ph, End: ph + 12, Reason: "13.356"}); err != nil {
				t.Fatal(err)
			}
			_, ivs, err := e.svc.Item(e.ctx, civic.CLI, r.ID, v.ItemID)
			if err != nil || len(ivs) != 1 {
				t.Fatalf("item: %v %v", ivs, err)
			}
			want := "Wac Faadumo [REDACTED 13.356] ama [REDACTED 13.356]: fiican ✓ Faadumo"
			if ivs[0].Preview != want {
				t.Errorf("preview = %q, want %q", ivs[0].Preview, want)
			}
			// Every occurrence, after the multi-byte character too.
			if ds, err := e.svc.RedactWords(e.ctx, civic.CLI, r.ID, v.ID, "Faadumo", 0, "13.356"); err != nil || len(ds) != 3 {
				t.Fatalf("every occurrence: %d %v", len(ds), err)
			}
			_, ivs, _ = e.svc.Item(e.ctx, civic.CLI, r.ID, v.ItemID)
			if strings.Contains(ivs[0].Preview, "Faadumo") || !strings.Contains(ivs[0].Preview, "✓") {
				t.Errorf("preview after every occurrence = %q", ivs[0].Preview)
			}
			// An item outside the scope is not found on the request.
			if _, _, err := e.svc.Item(e.ctx, civic.CLI, r.ID, outside[0].ItemID); civic.ErrorKind(err) != civic.KindNotFound {
				t.Errorf("item outside the scope: %v", err)
			}
			if got := records.Occurrences("aaaa", "aa"); len(got) != 2 {
				t.Errorf("occurrences overlap: %v", got)
			}
		})
	}
}
