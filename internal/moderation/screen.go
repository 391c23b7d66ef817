package moderation

import (
	"context"
	"errors"
	"strconv"

	"steward.city/steward/internal/civic"
)

// SettingScreened holds the ID of the last archive version screened.
const SettingScreened = "moderation.screened_through"

// screenBatch is how many versions one pass reads and screens per
// transaction.
const screenBatch = 500

var errBatchFull = errors.New("batch full")

// ScreenNew screens every comment and reply version captured since the
// last pass and queues those that need a person: flagged by the screener,
// held by the platform, or from an account that holds all comments. A new
// version of an edited comment is screened again and replaces its open
// entry; a deleted version closes the entry as gone from the platform.
// Posts and replies by the official account itself are not public
// comments and are not screened. It returns how many entries it queued.
//
// Capture does not call it: every ingest that stores a comment or reply
// queues a screening job in its own transaction (the job queue's "screen"
// job, which runs ScreenNew), and POST /api/v1/moderation/screen runs it at
// once. Passes in several processes are safe: each batch is written only
// if the watermark has not moved meanwhile.
func (s *Service) ScreenNew(ctx context.Context) (int, error) {
	s.screening.Lock()
	defer s.screening.Unlock()
	total := 0
	for {
		n, more, err := s.screenBatch(ctx)
		total += n
		if err != nil || !more {
			return total, err
		}
	}
}

// screened is one version with what the screener found.
type screened struct {
	v        *civic.Version
	official bool
	res      civic.Screening
	post     string
}

func (s *Service) screenBatch(ctx context.Context) (queued int, more bool, err error) {
	mark, err := s.store.Setting(ctx, SettingScreened)
	if err != nil {
		return 0, false, err
	}
	after, _ := strconv.ParseInt(mark, 10, 64)
	var batch []*civic.Version
	last := after
	err = s.store.ScanVersions(ctx, after, func(v *civic.Version) error {
		if len(batch) == screenBatch {
			return errBatchFull
		}
		last = v.ID
		if v.Kind == civic.ItemComment || v.Kind == civic.ItemReply {
			batch = append(batch, v)
		}
		return nil
	})
	more = errors.Is(err, errBatchFull)
	if err != nil && !more {
		return 0, false, err
	}
	if last == after {
		return 0, false, nil
	}
	handles, err := s.accountHandles(ctx)
	if err != nil {
		return 0, false, err
	}
	holds, err := s.store.HoldSettings(ctx)
	if err != nil {
		return 0, false, err
	}
	mode := map[int64]civic.HoldMode{}
	for _, h := range holds {
		mode[h.AccountID] = h.Mode
	}
	screener, err := s.screenerNow(ctx)
	if err != nil {
		return 0, false, err
	}
	fingerprint, err := s.Fingerprint(ctx)
	if err != nil {
		return 0, false, err
	}
	work := s.screenEach(ctx, batch, handles, map[string]string{}, screener)
	err = s.store.Update(ctx, civic.System, func(tx civic.Tx) error {
		if now, err := tx.Setting(ctx, SettingScreened); err != nil || now != mark {
			if err == nil {
				more = true // another pass moved the watermark: start again from it
			}
			return err
		}
		queued = 0
		for _, w := range work {
			n, err := s.screenOne(ctx, tx, w, mode[w.v.AccountID])
			if err != nil {
				return err
			}
			queued += n
		}
		// The first screening records what it screened with, so that a
		// new model or new thresholds later can be told (RescreenNeeded).
		if was, err := tx.Setting(ctx, SettingScreenedWith); err != nil {
			return err
		} else if was == "" && fingerprint != "" {
			if err := tx.SetSetting(ctx, SettingScreenedWith, fingerprint); err != nil {
				return err
			}
		}
		return tx.SetSetting(ctx, SettingScreened, strconv.FormatInt(last, 10))
	})
	return queued, more, err
}

// screenOne closes what a new version of an item makes stale and queues
// the version if it needs a person.
func (s *Service) screenOne(ctx context.Context, tx civic.Tx, w screened, mode civic.HoldMode) (int, error) {
	v := w.v
	open, err := tx.OpenReviewsOfItem(ctx, v.ItemID)
	if err != nil {
		return 0, err
	}
	now := tx.Now()
	for _, r := range open {
		if r.Status != civic.ReviewOpen || r.VersionID == v.ID {
			continue
		}
		r.Status, r.ClosedAt = civic.ReviewClosed, &now
		r.CloseReason = "edited on the platform; the new version was screened again"
		if v.State == civic.StateDeleted {
			r.CloseReason = "gone from the platform"
		}
		if err := tx.UpdateReview(ctx, r); err != nil {
			return 0, err
		}
	}
	if w.official || v.State == civic.StateDeleted || v.DisposedAt != nil {
		return 0, nil
	}
	held := v.State == civic.StateHeld
	flagged := len(w.res.Labels) > 0
	source := "screening"
	switch {
	case flagged:
	case held:
		source = "held"
	case mode == civic.HoldAll:
		source = "hold_all"
	default:
		return 0, nil
	}
	r := &civic.Review{ItemID: v.ItemID, VersionID: v.ID, AccountID: v.AccountID, Labels: w.res.Labels, Scores: w.res.Scores, Evidence: w.res.Evidence,
		Held: held, Source: source, PostedAt: v.PlatformTime, CapturedAt: v.CapturedAt}
	return 1, tx.QueueReview(ctx, r)
}

// accountHandles maps each archive account to its handle, by which an
// official account's own posts are told from public comments.
func (s *Service) accountHandles(ctx context.Context) (map[int64]string, error) {
	accounts, err := s.store.ArchiveAccounts(ctx)
	if err != nil {
		return nil, err
	}
	handles := make(map[int64]string, len(accounts))
	for _, a := range accounts {
		handles[a.ID] = a.Handle
	}
	return handles, nil
}

// screenEach screens each version with screener (nil: none), beside the
// post its thread answers, read once per thread and kept in posts. The
// official account's own posts and replies, deleted versions and disposed
// ones are not screened: their result is empty.
func (s *Service) screenEach(ctx context.Context, vs []*civic.Version, handles map[int64]string, posts map[string]string, screener civic.Screener) []screened {
	work := make([]screened, 0, len(vs))
	for _, v := range vs {
		w := screened{v: v, official: civic.OfficialAccount{Handle: handles[v.AccountID]}.Authored(v.Author)}
		if !w.official && v.State != civic.StateDeleted && v.DisposedAt == nil {
			key := strconv.FormatInt(v.AccountID, 10) + "\x00" + v.ThreadID
			post, ok := posts[key]
			if !ok {
				post = s.postText(ctx, v.ItemID)
				posts[key] = post
			}
			w.post = post
			if screener != nil {
				w.res = screener.Screen(v.Text, post)
			}
		}
		work = append(work, w)
	}
	return work
}

// postText returns the text of the post a comment's thread answers, or ""
// when the archive does not hold it.
func (s *Service) postText(ctx context.Context, itemID int64) string {
	items, err := s.store.ArchiveThread(ctx, itemID)
	if err != nil {
		return ""
	}
	for _, it := range items {
		if it.Kind == civic.ItemPost {
			return it.Text
		}
	}
	return ""
}
