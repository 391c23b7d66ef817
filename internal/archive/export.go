package archive

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"time"

	"steward.city/steward/internal/civic"
)

// exportLine is one version in an export, one JSON object per line. The
// platform payload is in raw_base64, byte for byte, so that anyone can
// recompute the version's hash from the line.
type exportLine struct {
	ID           int64           `json:"id"`
	ItemID       int64           `json:"item_id"`
	Account      string          `json:"account"`
	PlatformID   string          `json:"platform_id"`
	Kind         civic.ItemKind  `json:"kind"`
	ParentID     string          `json:"parent_id,omitempty"`
	ThreadID     string          `json:"thread_id"`
	CapturedAt   time.Time       `json:"captured_at"`
	PlatformTime *time.Time      `json:"platform_time,omitempty"`
	Author       civic.Author    `json:"author"`
	Text         string          `json:"text"`
	Media        []civic.Media   `json:"media,omitempty"`
	State        civic.ItemState `json:"state"`
	Tags         []string        `json:"tags,omitempty"`
	RawBase64    []byte          `json:"raw_base64,omitempty"`
	Hash         string          `json:"hash"`
	LogIndex     int64           `json:"log_index"`
	DisposedAt   *time.Time      `json:"disposed_at,omitempty"`
}

// Export streams every version, in log order, as JSON lines to w and
// returns how many it wrote.
func (s *Service) Export(ctx context.Context, actor *civic.User, w io.Writer) (int64, error) {
	if err := require(actor, civic.PermArchiveView); err != nil {
		return 0, err
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	var n int64
	err := s.store.ScanVersions(ctx, 0, func(v *civic.Version) error {
		l := exportLine{ID: v.ID, ItemID: v.ItemID, Account: v.Account, PlatformID: v.PlatformID, Kind: v.Kind, ParentID: v.ParentID, ThreadID: v.ThreadID,
			CapturedAt: v.CapturedAt, PlatformTime: v.PlatformTime, Author: v.Author, Text: v.Text, Media: v.Media, State: v.State, Tags: v.Tags,
			RawBase64: v.Raw, Hash: v.Hash, LogIndex: v.LogIndex, DisposedAt: v.DisposedAt}
		if len(l.RawBase64) == 0 {
			l.RawBase64 = nil
		}
		n++
		return enc.Encode(&l)
	})
	if err != nil {
		return n, err
	}
	return n, bw.Flush()
}
