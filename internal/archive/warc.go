package archive

import (
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nlnwa/gowarc/v3"

	"steward.city/steward/internal/blob"
	"steward.city/steward/internal/civic"
)

// warcMu serializes gowarc within the process: the library sets a global
// of the uuid package on every record builder (see WriteWARC). It
// is the one package-level variable here, standing for one in a library.
var warcMu sync.Mutex

// WARCStats is what WriteWARC wrote.
type WARCStats struct {
	Records  int // every record, warcinfo included
	Versions int // versions written (a resource or metadata record each)
	Media    int // media files written, each once
	Withheld int // withheld versions included (IncludeWithheld)
	// Pages lists the resource records of the versions' payloads, for a
	// WACZ's page list and index.
	Pages []WARCPage
}

// WARCPage is one resource record of a WARC: where it starts in the file
// and how long its gzip member is, for a CDX index.
type WARCPage struct {
	URI      string
	Date     time.Time
	Mime     string
	Digest   string // the WARC-Payload-Digest
	Offset   int64
	Length   int64
	Title    string
	Withheld bool
}

// VersionURI is the WARC-Target-URI of a version's captured payload.
func VersionURI(a *civic.ArchiveAccount, v *civic.Version) string {
	return "urn:steward:" + a.Platform + ":" + strings.TrimLeft(a.Handle, "@") + ":" + v.PlatformID + ":v" + strconv.FormatInt(v.ID, 10)
}

// countingWriter counts what passes to w.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// warcOptions are the record options Steward writes with: every field the
// standard requires, SHA-256 digests (base 16), and refusing to build a
// record that breaks the standard.
func warcOptions() []gowarc.WarcRecordOption {
	return []gowarc.WarcRecordOption{
		gowarc.WithAddMissingRecordId(true),
		gowarc.WithAddMissingContentLength(true),
		gowarc.WithAddMissingDigest(true),
		gowarc.WithDefaultDigestAlgorithm("sha256"),
		gowarc.WithSpecViolationPolicy(gowarc.ErrFail),
		gowarc.WithSyntaxErrorPolicy(gowarc.ErrFail),
		gowarc.WithBufferMaxMemBytes(8 << 20),
	}
}

// WriteWARC writes set as a WARC 1.1 file (ISO 28500:2017) to w, each
// record its own gzip member: a warcinfo record; for each version a
// resource record of the platform's payload as captured (Steward keeps the
// payload, not the HTTP exchange) and a metadata record with its ids,
// hash, log index and classification; a resource record for each media
// file, once. It streams: only one record is held at a time (in memory up
// to 8 MiB, then in a temporary file). A media file missing from the blob
// store is an error naming it.
// The set's Progress is told how many versions are written.
func (s *Service) WriteWARC(ctx context.Context, actor civic.Actor, set *TransferSet, filename string, w io.Writer) (*WARCStats, error) {
	if err := civic.Require(actor, civic.PermArchiveView); err != nil {
		return nil, err
	}
	return s.writeWARC(ctx, set, filename, w)
}

// writeWARC is WriteWARC once the reader may have set.
func (s *Service) writeWARC(ctx context.Context, set *TransferSet, filename string, w io.Writer) (*WARCStats, error) {
	// gowarc writes a package variable of github.com/google/uuid
	// (EnableRandPool) each time it makes a record builder and reads it for
	// each record id, so two WARCs written at once in one process race.
	// They are written one at a time.
	warcMu.Lock()
	defer warcMu.Unlock()
	cw := &countingWriter{w: w}
	st := &WARCStats{}
	gz := gzip.NewWriter(cw)
	m := gowarc.NewMarshaler()
	put := func(b gowarc.WarcRecordBuilder) (string, error) {
		rec, _, err := b.Build()
		if err != nil {
			return "", fmt.Errorf("warc record: %w", err)
		}
		defer rec.Close()
		gz.Reset(cw)
		if _, _, err := m.Marshal(gz, rec, 0); err != nil {
			return "", err
		}
		if err := gz.Close(); err != nil {
			return "", err
		}
		st.Records++
		return "<" + rec.WarcHeader().GetId(gowarc.WarcRecordID) + ">", nil
	}
	now := s.now().UTC()

	info := gowarc.NewRecordBuilder(gowarc.Warcinfo, warcOptions()...)
	info.AddWarcHeaderTime(gowarc.WarcDate, now)
	info.AddWarcHeader(gowarc.ContentType, "application/warc-fields")
	if filename != "" {
		info.AddWarcHeader(gowarc.WarcFilename, filename)
	}
	fmt.Fprintf(info, "software: Steward\r\nformat: WARC File Format 1.1\r\nconformsTo: https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/\r\n")
	fmt.Fprintf(info, "description: what the account %s posted and received, as captured by the city's archive\r\n", oneLineField(set.Account.Ref))
	fmt.Fprintf(info, "isPartOf: %s\r\n", oneLineField(set.Account.Ref))
	infoID, err := put(info)
	if err != nil {
		return nil, err
	}

	written := map[string]bool{}
	for _, tv := range set.Versions {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		v := tv.Version
		uri := VersionURI(set.Account, v)
		date := v.CapturedAt.UTC()
		if len(v.Raw) > 0 {
			off := cw.n
			r := gowarc.NewRecordBuilder(gowarc.Resource, warcOptions()...)
			r.AddWarcHeaderTime(gowarc.WarcDate, date)
			r.AddWarcHeader(gowarc.WarcTargetURI, uri)
			r.AddWarcHeader(gowarc.WarcWarcinfoID, infoID)
			r.AddWarcHeader(gowarc.ContentType, payloadType(v.Raw))
			if _, err := r.Write(v.Raw); err != nil {
				return nil, err
			}
			id, err := put(r)
			if err != nil {
				return nil, err
			}
			st.Pages = append(st.Pages, WARCPage{URI: uri, Date: date, Mime: payloadType(v.Raw), Digest: "sha256:" + hexSum(v.Raw),
				Offset: off, Length: cw.n - off, Title: pageTitle(v), Withheld: tv.Withheld})
			if err := putMeta(put, tv, set.Account, uri, date, id, infoID); err != nil {
				return nil, err
			}
		} else if err := putMeta(put, tv, set.Account, uri, date, "", infoID); err != nil {
			return nil, err
		}
		st.Versions++
		set.report(st.Versions, "writing the versions")
		if tv.Withheld {
			st.Withheld++
		}
		for _, md := range v.Media {
			if written[md.SHA256] {
				continue
			}
			if err := s.warcMedia(ctx, put, md, date, infoID, v); err != nil {
				return nil, err
			}
			written[md.SHA256] = true
			st.Media++
		}
	}
	return st, nil
}

// warcMedia writes one media file as a resource record.
func (s *Service) warcMedia(ctx context.Context, put func(gowarc.WarcRecordBuilder) (string, error), md civic.Media, date time.Time, infoID string, v *civic.Version) error {
	if s.blobs == nil {
		return fmt.Errorf("media %s of version %d: no media store is configured", md.SHA256, v.ID)
	}
	f, err := s.blobs.Open(ctx, md.SHA256)
	if errors.Is(err, blob.ErrNotFound) {
		return civic.Invalid("media", "media file %s of item %d (version %d) is missing from the media store", md.SHA256, v.ItemID, v.ID)
	}
	if err != nil {
		return fmt.Errorf("media %s of version %d: %w", md.SHA256, v.ID, err)
	}
	defer f.Close()
	r := gowarc.NewRecordBuilder(gowarc.Resource, warcOptions()...)
	r.AddWarcHeaderTime(gowarc.WarcDate, date)
	r.AddWarcHeader(gowarc.WarcTargetURI, MediaURI(md))
	r.AddWarcHeader(gowarc.WarcWarcinfoID, infoID)
	typ := md.Type
	if typ == "" || strings.ContainsAny(typ, "\r\n") {
		typ = "application/octet-stream"
	}
	r.AddWarcHeader(gowarc.ContentType, typ)
	if _, err := r.ReadFrom(f); err != nil {
		return fmt.Errorf("media %s of version %d: %w", md.SHA256, v.ID, err)
	}
	_, err = put(r)
	return err
}

// MediaURI is the WARC-Target-URI of a media file: the platform's address
// when known, else its content hash.
func MediaURI(md civic.Media) string {
	if md.URL != "" && !strings.ContainsAny(md.URL, " \r\n\t<>\"") {
		return md.URL
	}
	return "urn:sha256:" + md.SHA256
}

// transferMeta is the body of a version's metadata record.
type transferMeta struct {
	Account        string          `json:"account"`
	ItemID         int64           `json:"item_id"`
	VersionID      int64           `json:"version_id"`
	PlatformID     string          `json:"platform_id"`
	Kind           civic.ItemKind  `json:"kind"`
	State          civic.ItemState `json:"state"`
	CapturedAt     time.Time       `json:"captured_at"`
	PlatformTime   *time.Time      `json:"platform_time,omitempty"`
	Hash           string          `json:"hash"`
	LogIndex       int64           `json:"log_index"`
	Class          string          `json:"classification"`
	Statute        string          `json:"statute,omitempty"`
	Reason         string          `json:"classification_reason"`
	SetBy          string          `json:"classification_set_by"`
	Withheld       bool            `json:"withheld"`
	Media          []civic.Media   `json:"media,omitempty"`
	PayloadRecord  string          `json:"payload_record,omitempty"`
	DisposedAt     *time.Time      `json:"disposed_at,omitempty"`
	PayloadMissing string          `json:"payload_missing,omitempty"`
}

func putMeta(put func(gowarc.WarcRecordBuilder) (string, error), tv *TransferVersion, a *civic.ArchiveAccount, uri string, date time.Time, payloadID, infoID string) error {
	v := tv.Version
	meta := transferMeta{Account: a.Ref, ItemID: v.ItemID, VersionID: v.ID, PlatformID: v.PlatformID, Kind: v.Kind, State: v.State,
		CapturedAt: v.CapturedAt.UTC(), PlatformTime: v.PlatformTime, Hash: v.Hash, LogIndex: v.LogIndex,
		Class: string(tv.Class.Class), Statute: tv.Class.Statute, Reason: tv.Class.Reason, SetBy: tv.Class.SetBy, Withheld: tv.Withheld,
		Media: v.Media, PayloadRecord: payloadID, DisposedAt: v.DisposedAt}
	if payloadID == "" {
		meta.PayloadMissing = "no platform payload was kept for this version"
		if v.DisposedAt != nil {
			meta.PayloadMissing = "disposed of under the retention schedule"
		}
	}
	body, err := json.Marshal(meta)
	if err != nil {
		return err
	}
	r := gowarc.NewRecordBuilder(gowarc.Metadata, warcOptions()...)
	r.AddWarcHeaderTime(gowarc.WarcDate, date)
	r.AddWarcHeader(gowarc.WarcTargetURI, uri)
	r.AddWarcHeader(gowarc.WarcWarcinfoID, infoID)
	if payloadID != "" {
		r.AddWarcHeader(gowarc.WarcRefersTo, payloadID)
	}
	r.AddWarcHeader(gowarc.ContentType, "application/json")
	if _, err := r.Write(body); err != nil {
		return err
	}
	_, err = put(r)
	return err
}

// payloadType guesses the type of a captured payload: JSON when it starts
// like JSON, else bytes.
func payloadType(raw []byte) string {
	t := strings.TrimLeft(string(raw[:min(len(raw), 16)]), " \t\r\n")
	if strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[") {
		return "application/json"
	}
	return "application/octet-stream"
}

// pageTitle is a version's title in a page list: its kind and the start of
// its text.
func pageTitle(v *civic.Version) string {
	t := strings.Join(strings.Fields(v.Text), " ")
	if r := []rune(t); len(r) > 80 {
		t = string(r[:80]) + "…"
	}
	return string(v.Kind) + ": " + t
}

// oneLineField keeps a warc-fields value on one line.
func oneLineField(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// hexSum is the SHA-256 of b in lower-case hexadecimal.
func hexSum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
