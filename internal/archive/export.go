package archive

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"steward.city/steward/internal/civic"
)

// ExportLine is one version in an export, one JSON object per line; records
// bags write the same lines. The
// platform payload is in raw_base64, byte for byte, so that anyone can
// recompute the version's hash from the line. appendExportLine writes the
// same bytes encoding/json writes for it (without HTML escaping).
type ExportLine struct {
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

// ExportLineFor returns the export line of v, its payload included.
func ExportLineFor(v *civic.Version) ExportLine {
	return ExportLine{ID: v.ID, ItemID: v.ItemID, Account: v.Account, PlatformID: v.PlatformID, Kind: v.Kind, ParentID: v.ParentID, ThreadID: v.ThreadID,
		CapturedAt: v.CapturedAt, PlatformTime: v.PlatformTime, Author: v.Author, Text: v.Text, Media: v.Media, State: v.State, Tags: v.Tags,
		RawBase64: v.Raw, Hash: v.Hash, LogIndex: v.LogIndex, DisposedAt: v.DisposedAt}
}

// exportChunk is how many versions the reader hands the encoder at once.
const exportChunk = 256

// Export streams every version, in log order, as JSON lines to w and
// returns how many it wrote. One goroutine reads the versions while this
// one encodes and writes them.
func (s *Service) Export(ctx context.Context, actor civic.Actor, w io.Writer) (int64, error) {
	if err := civic.Require(actor, civic.PermArchiveView); err != nil {
		return 0, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	chunks := make(chan []*civic.Version, 4)
	errc := make(chan error, 1)
	go func() {
		defer close(chunks)
		send := func(c []*civic.Version) error {
			select {
			case chunks <- c:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		c := make([]*civic.Version, 0, exportChunk)
		err := s.store.ScanVersions(ctx, 0, func(v *civic.Version) error {
			c = append(c, v)
			if len(c) < exportChunk {
				return nil
			}
			err := send(c)
			c = make([]*civic.Version, 0, exportChunk)
			return err
		})
		if err == nil && len(c) > 0 {
			err = send(c)
		}
		errc <- err
	}()
	bw := bufio.NewWriterSize(w, 1<<18)
	var n int64
	var werr error
	var line []byte
	for c := range chunks {
		if werr != nil {
			continue // drain until the reader sees the cancellation
		}
		for _, v := range c {
			line = appendExportLine(line[:0], v)
			if _, werr = bw.Write(line); werr != nil {
				cancel()
				break
			}
			n++
		}
	}
	if err := <-errc; werr == nil && err != nil {
		return n, err
	}
	if werr != nil {
		return n, werr
	}
	return n, bw.Flush()
}

// appendExportLine appends v's export line and a newline, byte for byte
// what a json.Encoder with SetEscapeHTML(false) writes for its ExportLine.
func appendExportLine(b []byte, v *civic.Version) []byte {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, v.ID, 10)
	b = append(b, `,"item_id":`...)
	b = strconv.AppendInt(b, v.ItemID, 10)
	b = append(b, `,"account":`...)
	b = appendJSONString(b, v.Account)
	b = append(b, `,"platform_id":`...)
	b = appendJSONString(b, v.PlatformID)
	b = append(b, `,"kind":`...)
	b = appendJSONString(b, string(v.Kind))
	if v.ParentID != "" {
		b = append(b, `,"parent_id":`...)
		b = appendJSONString(b, v.ParentID)
	}
	b = append(b, `,"thread_id":`...)
	b = appendJSONString(b, v.ThreadID)
	b = append(b, `,"captured_at":`...)
	b = appendJSONTime(b, v.CapturedAt)
	if v.PlatformTime != nil {
		b = append(b, `,"platform_time":`...)
		b = appendJSONTime(b, *v.PlatformTime)
	}
	b = append(b, `,"author":{"id":`...)
	b = appendJSONString(b, v.Author.ID)
	b = append(b, `,"handle":`...)
	b = appendJSONString(b, v.Author.Handle)
	b = append(b, `,"name":`...)
	b = appendJSONString(b, v.Author.Name)
	b = append(b, `},"text":`...)
	b = appendJSONString(b, v.Text)
	if len(v.Media) > 0 {
		b = append(b, `,"media":[`...)
		for i, m := range v.Media {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"sha256":`...)
			b = appendJSONString(b, m.SHA256)
			b = append(b, `,"type":`...)
			b = appendJSONString(b, m.Type)
			b = append(b, `,"size":`...)
			b = strconv.AppendInt(b, m.Size, 10)
			if m.URL != "" {
				b = append(b, `,"url":`...)
				b = appendJSONString(b, m.URL)
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = append(b, `,"state":`...)
	b = appendJSONString(b, string(v.State))
	if len(v.Tags) > 0 {
		b = append(b, `,"tags":[`...)
		for i, t := range v.Tags {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, t)
		}
		b = append(b, ']')
	}
	if len(v.Raw) > 0 {
		b = append(b, `,"raw_base64":"`...)
		b = base64.StdEncoding.AppendEncode(b, v.Raw)
		b = append(b, '"')
	}
	b = append(b, `,"hash":`...)
	b = appendJSONString(b, v.Hash)
	b = append(b, `,"log_index":`...)
	b = strconv.AppendInt(b, v.LogIndex, 10)
	if v.DisposedAt != nil {
		b = append(b, `,"disposed_at":`...)
		b = appendJSONTime(b, *v.DisposedAt)
	}
	return append(b, "}\n"...)
}

// appendJSONTime appends t as time.Time's MarshalJSON does.
func appendJSONTime(b []byte, t time.Time) []byte {
	if y := t.Year(); y < 0 || y > 9999 {
		m, _ := json.Marshal(t) // an error, as encoding/json would give
		return append(b, m...)
	}
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

// appendJSONString appends s quoted. Plain strings (printable ASCII
// without quotes or backslashes, and valid UTF-8 other than U+2028 and
// U+2029) are copied; any other goes through encoding/json.
func appendJSONString(b []byte, s string) []byte {
	ascii := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == '"' || c == '\\' {
			return appendJSONStringSlow(b, s)
		}
		if c >= utf8.RuneSelf {
			ascii = false
		}
	}
	if !ascii && (!utf8.ValidString(s) || strings.ContainsAny(s, "\u2028\u2029")) {
		return appendJSONStringSlow(b, s)
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

func appendJSONStringSlow(b []byte, s string) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	return append(b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
}
