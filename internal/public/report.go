package public

import (
	"net/http"
	"time"

	"steward.city/steward/internal/capture"
	"steward.city/steward/internal/civic"
)

// reportsPage is the public reports beside the transparency report.
type reportsPage struct {
	Health []*capture.PublicHealth
	Blocks int
	Card   *civic.ModelCard
}

// maxGapsShown is how many recent gaps the page lists per account.
const maxGapsShown = 10

// reports shows, for each official account the portal shows, the blocks
// capture found and what Communications did, the capture's health, and the
// moderation screen's published quality numbers.
func (h *Handler) reports(w http.ResponseWriter, r *http.Request) error {
	as, err := h.archive.PublicAccounts(r.Context())
	if err != nil {
		return err
	}
	hs, err := h.health(r.Context(), as)
	if err != nil {
		return err
	}
	p := &reportsPage{Health: hs, Card: h.card()}
	for _, x := range hs {
		p.Blocks += len(x.Blocks)
		if len(x.Gaps) > maxGapsShown {
			x.Gaps = x.Gaps[:maxGapsShown]
		}
	}
	return h.render(w, r, http.StatusOK, "reports", page{Title: "Public reports", Data: p}, time.Time{})
}
