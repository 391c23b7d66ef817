package records

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/storetest"
)

// TestIndexWholeFileMatchesTemplate writes index.html for items in several
// accounts and threads, read in more than one batch, and compares it with
// what the templates it replaces wrote, item by item in the same order.
func TestIndexWholeFileMatchesTemplate(t *testing.T) {
	t.Parallel()
	clock := storetest.NewClock(time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC))
	st := storetest.OpenSQLite(t, clock.Now)
	signer, vkey, err := archive.LoadOrCreateKey(filepath.Join(t.TempDir(), "archive.key"), "steward.test")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	arch := archive.New(archive.Config{Store: st, Signer: signer, Clock: clock.Now})
	if err := arch.PublishVerifier(ctx, vkey); err != nil {
		t.Fatal(err)
	}
	svc := New(Config{Store: st, Archive: arch, Signer: signer, Clock: clock.Now})
	at := time.Date(2026, 11, 19, 12, 0, 0, 0, time.UTC)
	var recs []archive.Record
	for i := range 1200 {
		recs = append(recs, archive.Record{Account: fmt.Sprintf("mastodon:@a%d@city.example", i%3), ID: fmt.Sprint("c", i), Kind: "comment",
			Thread: fmt.Sprint("t", i%7), CapturedAt: at.Add(time.Duration(i) * time.Second).Format(time.RFC3339Nano),
			Author: civic.Author{ID: "42", Handle: "@r<e>s", Name: "A & B"}, Text: fmt.Sprintf("comment %d <b>'+\"", i), Raw: []byte(`{}`)})
	}
	if _, err := arch.Ingest(ctx, civic.CLI, recs, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := arch.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	r := &civic.RecordsRequest{Requester: "A", ReceivedOn: clock.Now(), Description: "d", Scope: []string{"from:2026-01-01"}}
	if _, err := svc.Create(ctx, civic.CLI, r); err != nil {
		t.Fatal(err)
	}
	items, err := svc.scopeItems(ctx, r, 1<<40)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := svc.threadKeys(ctx, items)
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	cr := svc.readChunks(ctx, keys, 1<<40, 1)
	tr := &tracker{}
	if err := svc.writeIndex(ctx, &got, r, cr, 0, nil, tr); err != nil {
		t.Fatal(err)
	}
	if err := cr.wait(); err != nil {
		t.Fatal(err)
	}
	if tr.done != int64(len(keys)) {
		t.Errorf("progress counted %d items of %d", tr.done, len(keys))
	}
	// The templates, item by item, as writeIndex wrote before.
	var want bytes.Buffer
	if err := indexHead.Execute(&want, r); err != nil {
		t.Fatal(err)
	}
	var last threadKey
	for i, k := range keys {
		if i == 0 || k.account != last.account || k.thread != last.thread {
			if i > 0 {
				want.WriteString("</section>\n")
			}
			refThread.Execute(&want, map[string]string{"Thread": k.thread, "Account": k.account})
		}
		last = k
		vs, err := st.ArchiveVersions(ctx, k.id)
		if err != nil {
			t.Fatal(err)
		}
		want.Write(refIndexItem(t, vs, nil))
	}
	want.WriteString("</section>\n</main>\n</body>\n</html>\n")
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Errorf("index.html differs from the templates' (%d and %d bytes)", got.Len(), want.Len())
	}
}
