package moderation

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"steward.city/steward/internal/civic"
)

// SettingScreenedWith holds the fingerprint of the screener (its model and
// the city's thresholds) that the comments in the queue were last screened
// with: when it differs from the screener in force, the queue's
// suggestions are stale and the comments should be screened again.
const SettingScreenedWith = "moderation.screened_with"

// errStop ends a scan early.
var errStop = errors.New("stop")

// RescreenDays is how far back Rescreen goes by default: comments older
// than a month have usually been read by a person or by nobody.
const RescreenDays = 30

// Fingerprint names the screener in force: its model (when it names one)
// and the city's thresholds. It changes when a new model is installed or
// a threshold is set, and only then.
func (s *Service) Fingerprint(ctx context.Context) (string, error) {
	if s.screener == nil {
		return "", nil
	}
	model := "unnamed"
	if m, ok := s.screener.(civic.IdentifiedScreener); ok {
		model = m.ModelID()
	}
	th, err := s.cityThresholds(ctx)
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(th) // keys sorted
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(append([]byte(model+"\n"), b...))
	return model + "-" + hex.EncodeToString(sum[:6]), nil
}

// RescreenNeeded reports whether the queue was screened with another
// screener than the one in force (a new model, or thresholds set since).
// A city that never recorded one has nothing stale.
func (s *Service) RescreenNeeded(ctx context.Context) (bool, error) {
	now, err := s.Fingerprint(ctx)
	if err != nil || now == "" {
		return false, err
	}
	was, err := s.store.Setting(ctx, SettingScreenedWith)
	if err != nil {
		return false, err
	}
	return was != "" && was != now, nil
}

// RescreenResult counts what Rescreen did.
type RescreenResult struct {
	Screened  int `json:"screened"`  // comments screened again
	Queued    int `json:"queued"`    // not in the queue before, flagged now
	Changed   int `json:"changed"`   // in the queue with other codes now
	Cleared   int `json:"cleared"`   // in the queue from screening, not flagged now
	Unchanged int `json:"unchanged"` // the same codes as before, or not flagged either time
	Decided   int `json:"decided"`   // left alone: a person has decided on it
	// Changes lists each comment whose place in the queue changed.
	Changes []RescreenChange `json:"-"`
}

// RescreenChange is one comment whose place in the queue Rescreen changed.
type RescreenChange struct {
	ItemID        int64
	What          string // queued, changed, cleared
	Before, After []string
}

// RescreenTask asks for the comments of the last Days days (RescreenDays
// when 0) to be screened again in the background (the job
// "moderation_rescreen"), for the user By, whose file lists what changed.
type RescreenTask struct {
	Days int   `json:"days,omitempty"`
	By   int64 `json:"by"`
}

// Kind names the job.
func (RescreenTask) Kind() string { return "moderation_rescreen" }

// Owner is the user who asked.
func (t RescreenTask) Owner() int64 { return t.By }

// RescreenWindow checks a number of days to screen again ("" is
// RescreenDays): 1 to 366.
func RescreenWindow(s string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return RescreenDays, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 366 {
		return 0, civic.Invalid("days", "give a number of days from 1 to 366")
	}
	return n, nil
}

// Rescreen screens again, with the screener in force, the newest version
// of every comment and reply captured since since (RescreenDays ago when
// zero) that the screening pass has seen and no person has decided on:
// a comment the screener now flags and the queue does not hold is queued;
// a queue entry from screening whose codes changed is replaced by one with
// the new codes, scores and words, or closed, saying why, when the
// screener no longer flags it (the comment stays as it is on the platform:
// nothing is hidden or removed without a person). Entries a platform holds,
// an account's hold-all setting queued, or a staff report opened stay as
// they are. progress, when set, is told how many comments are done.
// It records the screener's fingerprint, so that RescreenNeeded turns
// false.
func (s *Service) Rescreen(ctx context.Context, actor civic.Actor, since time.Time, progress func(done, total int64, step string)) (*RescreenResult, error) {
	if err := civic.Require(actor, civic.PermModerationConfigure); err != nil {
		return nil, err
	}
	if s.screener == nil {
		// Without a model nothing would be flagged, and screening again
		// would empty the queue.
		return nil, civic.Invalid("screener", "no screening model is loaded: there is nothing to screen with")
	}
	if since.IsZero() {
		since = s.now().AddDate(0, 0, -RescreenDays)
	}
	report := func(done, total int, step string) {
		if progress != nil {
			progress(int64(done), int64(total), step)
		}
	}
	report(0, 0, "finding the comments to screen again")
	s.screening.Lock()
	defer s.screening.Unlock()
	screener, err := s.screenerNow(ctx)
	if err != nil {
		return nil, err
	}
	fingerprint, err := s.Fingerprint(ctx)
	if err != nil {
		return nil, err
	}
	mark, err := s.store.Setting(ctx, SettingScreened)
	if err != nil {
		return nil, err
	}
	through, _ := strconv.ParseInt(mark, 10, 64)

	// The newest version of each comment captured since then, among those
	// the screening pass has seen (it screens the later ones itself).
	latest := map[int64]*civic.Version{}
	var order []int64
	if through > 0 {
		err = s.store.ScanVersions(ctx, 0, func(v *civic.Version) error {
			if v.ID > through {
				return errStop
			}
			if (v.Kind != civic.ItemComment && v.Kind != civic.ItemReply) || v.CapturedAt.Before(since) {
				return nil
			}
			if _, ok := latest[v.ItemID]; !ok {
				order = append(order, v.ItemID)
			}
			latest[v.ItemID] = v
			return nil
		})
		if err != nil && err != errStop {
			return nil, err
		}
	}
	res := &RescreenResult{}
	handles, err := s.accountHandles(ctx)
	if err != nil {
		return nil, err
	}
	posts := map[string]string{}
	total := len(order)
	report(0, total, "screening the comments again")
	for lo := 0; lo < total; lo += screenBatch {
		part := order[lo:min(lo+screenBatch, total)]
		vs := make([]*civic.Version, len(part))
		for i, id := range part {
			vs[i] = latest[id]
		}
		var work []screened
		for _, w := range s.screenEach(ctx, vs, handles, posts, screener) {
			if !w.official && w.v.State != civic.StateDeleted && w.v.DisposedAt == nil {
				work = append(work, w)
			}
		}
		var batch RescreenResult
		err := s.store.Update(ctx, actor, func(tx civic.Tx) error {
			batch = RescreenResult{}
			for _, w := range work {
				if err := s.rescreenOne(ctx, tx, w, &batch); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return res, err
		}
		res.add(batch)
		report(lo+len(part), total, "screening the comments again")
	}
	err = s.store.Update(ctx, actor, func(tx civic.Tx) error {
		return tx.SetSetting(ctx, SettingScreenedWith, fingerprint)
	})
	return res, err
}

func (r *RescreenResult) add(b RescreenResult) {
	r.Changes = append(r.Changes, b.Changes...)
	r.Screened += b.Screened
	r.Queued += b.Queued
	r.Changed += b.Changed
	r.Cleared += b.Cleared
	r.Unchanged += b.Unchanged
	r.Decided += b.Decided
}

// rescreenOne applies one comment's new screening, reading its queue
// entries inside the transaction.
func (s *Service) rescreenOne(ctx context.Context, tx civic.Tx, w screened, res *RescreenResult) error {
	v := w.v
	entries, err := tx.ReviewsOfItem(ctx, v.ItemID)
	if err != nil {
		return err
	}
	var open *civic.Review
	for _, e := range entries {
		if e.VersionID > v.ID {
			return nil // a newer version came meanwhile: the screening pass has it
		}
		switch e.Status {
		case civic.ReviewPending, civic.ReviewDecided:
			res.Decided++
			return nil
		case civic.ReviewOpen:
			open = e
		}
	}
	res.Screened++
	flagged := len(w.res.Labels) > 0
	if open == nil {
		if !flagged {
			res.Unchanged++
			return nil
		}
		res.Queued++
		res.Changes = append(res.Changes, RescreenChange{ItemID: v.ItemID, What: "queued", After: w.res.Labels})
		return tx.QueueReview(ctx, &civic.Review{ItemID: v.ItemID, VersionID: v.ID, AccountID: v.AccountID, Labels: w.res.Labels, Scores: w.res.Scores,
			Evidence: w.res.Evidence, Held: v.State == civic.StateHeld, Source: "screening", PostedAt: v.PlatformTime, CapturedAt: v.CapturedAt})
	}
	if open.Source != "screening" || sameCodes(open.Labels, w.res.Labels) {
		res.Unchanged++
		return nil
	}
	now := tx.Now()
	open.Status, open.ClosedAt = civic.ReviewClosed, &now
	if !flagged {
		open.CloseReason = "screened again with a new model or thresholds, which do not flag it; it stays as it is on the platform"
		res.Cleared++
		res.Changes = append(res.Changes, RescreenChange{ItemID: v.ItemID, What: "cleared", Before: open.Labels})
		return tx.UpdateReview(ctx, open)
	}
	open.CloseReason = "screened again with a new model or thresholds; a new entry holds the new codes"
	if err := tx.UpdateReview(ctx, open); err != nil {
		return err
	}
	res.Changed++
	res.Changes = append(res.Changes, RescreenChange{ItemID: v.ItemID, What: "changed", Before: open.Labels, After: w.res.Labels})
	return tx.QueueReview(ctx, &civic.Review{ItemID: v.ItemID, VersionID: v.ID, AccountID: v.AccountID, Labels: w.res.Labels, Scores: w.res.Scores,
		Evidence: w.res.Evidence, Held: open.Held, Source: "screening", PostedAt: v.PlatformTime, CapturedAt: v.CapturedAt})
}

// sameCodes reports whether two lists hold the same codes.
func sameCodes(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
