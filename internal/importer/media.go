package importer

import (
	"crypto/sha256"
	"encoding/hex"
	"mime"
	"path"
	"strings"

	"steward.city/steward/internal/archive"
)

// mediaTypes are the types of media files exports hold that the standard
// library's table may not know.
var mediaTypes = map[string]string{".mp4": "video/mp4", ".mov": "video/quicktime", ".heic": "image/heic", ".m4a": "audio/mp4", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".gif": "image/gif", ".webp": "image/webp"}

// addMedia attaches the export's file f, found at url, to the entry. Its
// bytes are read, hashed and (with a media store) kept only when the
// entry's batch is stored, so that an export's media are never all in
// memory at once.
func (e *Entry) addMedia(f File, url string) {
	ext := strings.ToLower(path.Ext(f.Name))
	typ := mediaTypes[ext]
	if typ == "" {
		if typ = mime.TypeByExtension(ext); typ == "" {
			typ = "application/octet-stream"
		}
		typ, _, _ = strings.Cut(typ, ";")
	}
	e.Record.Media = append(e.Record.Media, archive.MediaRecord{Type: typ, URL: url})
	e.media = append(e.media, f)
}

// withMedia returns the entry's record with its media files read: their
// hashes and sizes, and with keep their bytes (for the media store).
func (e *Entry) withMedia(keep bool) (archive.Record, error) {
	rec := e.Record
	if len(e.media) == 0 {
		return rec, nil
	}
	rec.Media = append([]archive.MediaRecord(nil), rec.Media...)
	for i, f := range e.media {
		m := &rec.Media[i]
		if !keep {
			sum, n, err := f.digest()
			if err != nil {
				return rec, err
			}
			m.SHA256, m.Size = sum, n
			continue
		}
		data, err := f.Read()
		if err != nil {
			return rec, err
		}
		sum := sha256.Sum256(data)
		m.SHA256, m.Size, m.Data = hex.EncodeToString(sum[:]), int64(len(data)), data
	}
	return rec, nil
}

// byPath indexes an export's files by their path with "/" separators,
// and by that path without its first folder (downloads are often
// unpacked and zipped again under a new top folder).
func byPath(files []File) map[string]File {
	m := map[string]File{}
	for _, f := range files {
		p := strings.ReplaceAll(f.Name, "\\", "/")
		m[p] = f
		if _, rest, ok := strings.Cut(p, "/"); ok {
			if _, seen := m[rest]; !seen {
				m[rest] = f
			}
		}
	}
	return m
}
