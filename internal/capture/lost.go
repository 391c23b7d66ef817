package capture

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"steward.city/steward/internal/civic"
)

// lostMedia is a media file of a captured item that capture could not
// keep, and why.
type lostMedia struct {
	item   string // the item's platform id
	url    string
	reason string
}

// mediaSubject is the subject of the flag of a media file not kept: the
// item's platform id and the file's address (its SHA-256 when the two
// would not fit a flag's subject).
func mediaSubject(item, url string) string {
	s := item + " " + url
	if len(s) > 500 {
		sum := sha256.Sum256([]byte(url))
		s = item + " sha256:" + hex.EncodeToString(sum[:])
	}
	if len(s) > 500 {
		s = s[len(s)-500:]
	}
	return s
}

// lostBefore reports whether the media file at url of an item was flagged
// not kept on an earlier pass (or earlier in this one): it is not fetched
// again, and it does not make the item differ from its last version.
func (w *writer) lostBefore(ctx context.Context, item, url string) (bool, error) {
	subject := mediaSubject(item, url)
	if lost, ok := w.lost[subject]; ok {
		return lost, nil
	}
	fs, err := w.s.store.CaptureFlags(ctx, civic.CaptureFlagFilter{ConnectionID: w.c.ID, Kind: civic.FlagMedia, Subject: subject, Limit: 1})
	if err != nil {
		return false, err
	}
	if w.lost == nil {
		w.lost = map[string]bool{}
	}
	w.lost[subject] = len(fs) > 0
	return len(fs) > 0, nil
}

// same reports whether an observation has the content lc of the last
// version captured, leaving out the media files not kept before: the
// version was archived without them.
func (w *writer) same(ctx context.Context, o *civic.Observation, lc string) (bool, error) {
	if w.obsContent(o) == lc {
		return true, nil
	}
	if !w.s.mediaStore() {
		return false, nil
	}
	kept := make([]civic.Media, 0, len(o.Media))
	dropped := false
	for _, m := range o.Media {
		if m.SHA256 == "" {
			lost, err := w.lostBefore(ctx, o.PlatformID, m.URL)
			if err != nil {
				return false, err
			}
			if lost {
				dropped = true
				continue
			}
		}
		kept = append(kept, m)
	}
	if !dropped {
		return false, nil
	}
	x := *o
	x.Media = kept
	return w.obsContent(&x) == lc, nil
}

// flagLost raises a flag for each media file of an archived item that
// capture could not keep, saying which file and why.
func (w *writer) flagLost(ctx context.Context, lost []lostMedia, itemID int64) error {
	for _, l := range lost {
		if err := w.flag(ctx, &civic.CaptureFlag{Kind: civic.FlagMedia, Subject: mediaSubject(l.item, l.url), ItemID: itemID,
			Detail: fmt.Sprintf("The media file %s of item %s was not kept: %s. The item is archived without it; its address stays in the platform's payload, and Steward does not fetch it again.", l.url, l.item, l.reason)}); err != nil {
			return err
		}
	}
	return nil
}
