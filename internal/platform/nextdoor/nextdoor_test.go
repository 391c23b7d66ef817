package nextdoor

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/platform"
	"steward.city/steward/internal/platform/replay"
)

func TestEverythingUnsupported(t *testing.T) {
	s := replay.New(t, map[string]replay.Answer{})
	a, ctx := New(platform.Config{}), context.Background()
	ep := &civic.Endpoint{BaseURL: s.URL, RemoteID: "agency-1"}
	if len(a.Capabilities()) != 0 {
		t.Errorf("capabilities %v", a.Capabilities())
	}
	_, e1 := a.Poll(ctx, ep, "")
	_, e2 := a.Profile(ctx, ep)
	_, e3 := a.Follows(ctx, ep)
	_, e4 := a.Blocks(ctx, ep)
	e5 := a.Moderate(ctx, ep, "1", civic.ActionHide)
	for i, err := range []error{e1, e2, e3, e4, e5} {
		if !errors.Is(err, civic.ErrUnsupported) {
			t.Errorf("call %d: %v", i, err)
		}
	}
	if got := s.Received(); len(got) != 0 {
		t.Errorf("the server received %v", got)
	}
}

func TestGuardRefusesBlocking(t *testing.T) {
	s := replay.New(t, map[string]replay.Answer{})
	c := New(platform.Config{}).Client()
	replay.RefusedRequest(t, s, c, platform.Request{Method: http.MethodPost, URL: s.URL + "/external/api/partner/v1/user/block", JSON: map[string]string{"user_id": "1"}})
}

var _ civic.Platform = (*Adapter)(nil)
