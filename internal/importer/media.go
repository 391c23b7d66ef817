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

// media is the record of a media file found in the export; its bytes go
// to the media store when one is configured.
func media(f File, url string) archive.MediaRecord {
	sum := sha256.Sum256(f.Data)
	ext := strings.ToLower(path.Ext(f.Name))
	typ := mediaTypes[ext]
	if typ == "" {
		if typ = mime.TypeByExtension(ext); typ == "" {
			typ = "application/octet-stream"
		}
		typ, _, _ = strings.Cut(typ, ";")
	}
	return archive.MediaRecord{SHA256: hex.EncodeToString(sum[:]), Type: typ, Size: int64(len(f.Data)), URL: url, Data: f.Data}
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
