package capture

import (
	"context"
	"slices"
	"time"

	"steward.city/steward/internal/civic"
)

// PublicHealth is what the public reports say of one official account's
// capture: when it last succeeded, the recent failed runs (gaps) with
// their cause, and every block or mute capture found with what
// Communications did about it. It holds no error text (which may name
// internal addresses) and not whom a block concerned.
type PublicHealth struct {
	Account     *civic.PublicAccount
	Connected   bool
	Status      civic.ConnectionStatus
	LastSuccess *time.Time
	Gaps        []PublicGap
	Blocks      []PublicBlock
}

// PublicGap is one failed capture run.
type PublicGap struct {
	At    time.Time
	Cause string // the error kind, in plain words
}

// PublicBlock is one block or mute found on the platform.
type PublicBlock struct {
	Found      time.Time
	ResolvedAt *time.Time
	Resolution string // what Communications did; empty while open
}

// publicGapRuns is how many recent runs of a connection the report reads.
const publicGapRuns = 200

// PublicHealth reports on the capture of accounts, which the caller has
// taken from the public rule (the archive's PublicAccounts): nothing of an
// account not among them is read. It needs no permission.
func (s *Service) PublicHealth(ctx context.Context, accounts []*civic.PublicAccount) ([]*PublicHealth, error) {
	cs, err := s.store.Connections(ctx)
	if err != nil {
		return nil, err
	}
	var out []*PublicHealth
	for _, a := range accounts {
		h := &PublicHealth{Account: a}
		for _, c := range cs {
			if c.AccountID != a.ID {
				continue
			}
			h.Connected, h.Status = true, c.Status
			if c.LastSuccess != nil && (h.LastSuccess == nil || c.LastSuccess.After(*h.LastSuccess)) {
				h.LastSuccess = c.LastSuccess
			}
			runs, err := s.store.CaptureRuns(ctx, c.ID, publicGapRuns)
			if err != nil {
				return nil, err
			}
			for _, r := range runs {
				if r.Error != "" {
					h.Gaps = append(h.Gaps, PublicGap{At: r.StartedAt, Cause: gapCause(r.ErrorKind)})
				}
			}
			flags, err := s.store.CaptureFlags(ctx, civic.CaptureFlagFilter{ConnectionID: c.ID, Kind: civic.FlagBlock})
			if err != nil {
				return nil, err
			}
			for _, f := range flags {
				h.Blocks = append(h.Blocks, PublicBlock{Found: f.RaisedAt, ResolvedAt: f.ResolvedAt, Resolution: f.Resolution})
			}
		}
		slices.SortFunc(h.Gaps, func(x, y PublicGap) int { return y.At.Compare(x.At) })
		slices.SortFunc(h.Blocks, func(x, y PublicBlock) int { return y.Found.Compare(x.Found) })
		out = append(out, h)
	}
	return out, nil
}

// gapCause says an error kind in plain words.
func gapCause(kind string) string {
	if w, ok := gapWords[kind]; ok {
		return w
	}
	return "the platform could not be read"
}

var gapWords = map[string]string{
	string(civic.PlatformRateLimited): "the platform limited how often it may be read",
	string(civic.PlatformAuth):        "the platform refused the City's access (expired or revoked)",
	string(civic.PlatformNotFound):    "the platform no longer found the account",
	string(civic.PlatformMalformed):   "the platform answered in a form it does not document",
	string(civic.PlatformUnavailable): "the platform could not be reached",
	string(civic.PlatformRefused):     "Steward refused an unsafe request",
	"internal":                        "an error in Steward",
}
