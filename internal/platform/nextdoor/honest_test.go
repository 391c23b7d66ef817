package nextdoor

import (
	"testing"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/platform"
	"steward.city/steward/internal/platform/replay"
)

func TestCapabilitiesHonest(t *testing.T) {
	s := replay.New(t, map[string]replay.Answer{})
	replay.Honest(t, New(platform.Config{}), s, &civic.Endpoint{BaseURL: s.URL, RemoteID: "1", Handle: "city"})
}
