package capture

import (
	"context"
	"testing"

	"steward.city/steward/internal/civic"
)

// A version archived with the platform's own text (X's t.co links and
// escapes, before the adapter read the text as written) is the same as an
// observation of that text as written: capture stores no new version. A
// real edit is still a change, in either form.
func TestPlatformTextIsNotAChange(t *testing.T) {
	t.Parallel()
	w := &writer{s: &Service{}}
	ctx := context.Background()
	author := civic.Author{ID: "4400"}
	old := &civic.Version{Text: "Pool &amp; splash pad: https://t.co/abc", State: civic.StateVisible, Author: author}
	lc := w.versionContent(old)
	o := &civic.Observation{Text: "Pool & splash pad: https://www.city.example/pool", PlatformText: "Pool &amp; splash pad: https://t.co/abc",
		State: civic.StateVisible, Author: author}
	if same, err := w.sameOrAsGiven(ctx, o, lc); err != nil || !same {
		t.Errorf("the same post read as written: same %v, %v", same, err)
	}
	if same, _ := w.same(ctx, o, lc); same {
		t.Error("same() alone compares the text as written; the test shows nothing")
	}
	edited := *o
	edited.Text, edited.PlatformText = "Pool & splash pad open late: https://www.city.example/pool", "Pool &amp; splash pad open late: https://t.co/abc"
	if same, err := w.sameOrAsGiven(ctx, &edited, lc); err != nil || same {
		t.Errorf("an edited post: same %v, %v", same, err)
	}
	// A version archived as written is the same as its observation.
	if same, err := w.sameOrAsGiven(ctx, o, w.versionContent(&civic.Version{Text: o.Text, State: civic.StateVisible, Author: author})); err != nil || !same {
		t.Errorf("archived as written: same %v, %v", same, err)
	}
}
