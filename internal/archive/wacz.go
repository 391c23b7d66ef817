package archive

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"hash"
	"io"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"steward.city/steward/internal/civic"
)

// WACZ 1.1.1 (https://specs.webrecorder.net/wacz/1.1.1/): the WARC, a CDXJ
// index of its resource records, a page list, and a datapackage.json with
// the SHA-256 of each, itself hashed in datapackage-digest.json.
const (
	WACZVersion  = "1.1.1"
	WACZWARCPath = "archive/data.warc.gz"
	WACZIndex    = "indexes/index.cdx"
	WACZPages    = "pages/pages.jsonl"
)

// WACZResource is one entry of datapackage.json's resources.
type WACZResource struct {
	Name  string `json:"name"`
	Path  string `json:"path"`
	Hash  string `json:"hash"`
	Bytes int64  `json:"bytes"`
}

// WACZPackage is datapackage.json.
type WACZPackage struct {
	Profile     string         `json:"profile"`
	WACZVersion string         `json:"wacz_version"`
	Title       string         `json:"title"`
	Description string         `json:"description"`
	Created     string         `json:"created"`
	Software    string         `json:"software"`
	MainPageURL string         `json:"mainPageURL,omitempty"`
	Resources   []WACZResource `json:"resources"`
}

// hashingWriter hashes and counts what passes to w.
type hashingWriter struct {
	w io.Writer
	h hash.Hash
	n int64
}

func (hw *hashingWriter) Write(p []byte) (int, error) {
	n, err := hw.w.Write(p)
	hw.h.Write(p[:n])
	hw.n += int64(n)
	return n, err
}

// WriteWACZ writes set as a WACZ package to w. The WARC is first written
// to a temporary file in tmpDir (its offsets and digest go into the index
// and the package before it), then copied into the zip stored, not
// compressed again, so that a replay tool can read a record by its offset.
func (s *Service) WriteWACZ(ctx context.Context, actor civic.Actor, set *TransferSet, title, tmpDir string, w io.Writer) (*WARCStats, error) {
	tmp, err := os.CreateTemp(tmpDir, "steward-wacz-*.warc.gz")
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	st, err := s.WriteWARC(ctx, actor, set, "data.warc.gz", tmp)
	if err != nil {
		return nil, err
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	z := zip.NewWriter(w)
	pkg := WACZPackage{Profile: "data-package", WACZVersion: WACZVersion, Title: title,
		Description: "What " + set.Account.Ref + " posted and received, as the city's archive captured it",
		Created:     s.now().UTC().Format(time.RFC3339), Software: "Steward"}
	add := func(name, path string, method uint16, fill func(io.Writer) error) error {
		fw, err := z.CreateHeader(&zip.FileHeader{Name: path, Method: method, Modified: s.now().UTC()})
		if err != nil {
			return err
		}
		hw := &hashingWriter{w: fw, h: sha256.New()}
		if err := fill(hw); err != nil {
			return err
		}
		if name != "" {
			pkg.Resources = append(pkg.Resources, WACZResource{Name: name, Path: path, Hash: "sha256:" + hex.EncodeToString(hw.h.Sum(nil)), Bytes: hw.n})
		}
		return nil
	}
	if err := add("data.warc.gz", WACZWARCPath, zip.Store, func(fw io.Writer) error {
		_, err := io.Copy(fw, tmp)
		return err
	}); err != nil {
		return nil, err
	}
	if err := add("index.cdx", WACZIndex, zip.Deflate, func(fw io.Writer) error { return writeCDXJ(fw, st.Pages) }); err != nil {
		return nil, err
	}
	if err := add("pages.jsonl", WACZPages, zip.Deflate, func(fw io.Writer) error { return writePages(fw, st.Pages) }); err != nil {
		return nil, err
	}
	if len(st.Pages) > 0 {
		pkg.MainPageURL = st.Pages[0].URI
	}
	body, err := json.MarshalIndent(pkg, "", "  ")
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(body)
	if err := add("", "datapackage.json", zip.Deflate, func(fw io.Writer) error { _, err := fw.Write(body); return err }); err != nil {
		return nil, err
	}
	digest, _ := json.MarshalIndent(map[string]string{"path": "datapackage.json", "hash": "sha256:" + hex.EncodeToString(sum[:])}, "", "  ")
	if err := add("", "datapackage-digest.json", zip.Deflate, func(fw io.Writer) error { _, err := fw.Write(digest); return err }); err != nil {
		return nil, err
	}
	return st, z.Close()
}

// cdxKey is a URI's key in the index: SURT form for web addresses
// ("example,city)/media/rink.png"), the URI itself otherwise.
func cdxKey(uri string) string {
	u, err := url.Parse(uri)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return strings.ToLower(uri)
	}
	host := strings.Split(strings.TrimPrefix(strings.ToLower(u.Hostname()), "www."), ".")
	for i, j := 0, len(host)-1; i < j; i, j = i+1, j-1 {
		host[i], host[j] = host[j], host[i]
	}
	key := strings.Join(host, ",") + ")" + u.EscapedPath()
	if u.RawQuery != "" {
		key += "?" + u.RawQuery
	}
	return key
}

// writeCDXJ writes the index: one line per resource record, sorted by key
// and time, "key timestamp {json}".
func writeCDXJ(w io.Writer, pages []WARCPage) error {
	type line struct{ key, ts, js string }
	lines := make([]line, 0, len(pages))
	for _, p := range pages {
		js, err := json.Marshal(map[string]string{"url": p.URI, "mime": p.Mime, "digest": p.Digest,
			"offset": strconv.FormatInt(p.Offset, 10), "length": strconv.FormatInt(p.Length, 10), "filename": "data.warc.gz"})
		if err != nil {
			return err
		}
		lines = append(lines, line{cdxKey(p.URI), p.Date.UTC().Format("20060102150405"), string(js)})
	}
	sort.SliceStable(lines, func(i, j int) bool {
		if lines[i].key != lines[j].key {
			return lines[i].key < lines[j].key
		}
		return lines[i].ts < lines[j].ts
	})
	for _, l := range lines {
		if _, err := io.WriteString(w, l.key+" "+l.ts+" "+l.js+"\n"); err != nil {
			return err
		}
	}
	return nil
}

// writePages writes the page list: a header line, then one page per
// version payload.
func writePages(w io.Writer, pages []WARCPage) error {
	enc := json.NewEncoder(w)
	if err := enc.Encode(map[string]string{"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}); err != nil {
		return err
	}
	for i, p := range pages {
		title := p.Title
		if p.Withheld {
			title = "[withheld] " + title
		}
		if err := enc.Encode(map[string]string{"id": strconv.Itoa(i + 1), "url": p.URI, "ts": p.Date.UTC().Format(time.RFC3339), "title": title}); err != nil {
			return err
		}
	}
	return nil
}
