package blob_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"steward.city/steward/internal/blob"
	"steward.city/steward/internal/blob/blobtest"
	"steward.city/steward/internal/blob/disk"
)

// TestKeep: a kept store passes the suite every store passes; its Delete
// leaves a file in use in place (and succeeds), removes any other, and
// removes nothing when it cannot tell.
func TestKeep(t *testing.T) {
	d, err := disk.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	var fail error
	k := blob.Keep(d, func(_ context.Context, h string) (bool, error) { return used[h], fail })
	blobtest.Run(t, k)
	ctx := t.Context()
	a, _, _ := k.Put(ctx, "", strings.NewReader("a draft's photo"))
	b, _, _ := k.Put(ctx, "", strings.NewReader("an export"))
	used[a] = true
	for _, h := range []string{a, b} {
		if err := k.Delete(ctx, h); err != nil {
			t.Fatal(err)
		}
	}
	if ok, _ := d.Has(ctx, a); !ok {
		t.Error("the file in use was deleted")
	}
	if ok, _ := d.Has(ctx, b); ok {
		t.Error("the file no one uses was kept")
	}
	fail = errors.New("database down")
	used[a] = false
	if err := k.Delete(ctx, a); err == nil {
		t.Error("a Delete that could not ask succeeded")
	}
	if ok, _ := d.Has(ctx, a); !ok {
		t.Error("a Delete that could not ask removed the file")
	}
	if blob.Keep(nil, nil) != nil {
		t.Error("Keep of no store is a store")
	}
}
