package route

import (
	"io"
	"mime"
	"net/http"
	"strconv"
)

// SendUpload sends a file someone uploaded (a draft's attachment) as its
// sniffed type, never rendered as a page (nosniff, a sandbox) and kept by
// no shared cache; size 0 when unknown. Once the file has begun, a failed
// copy can only cut it short, so nothing is returned.
func SendUpload(w http.ResponseWriter, f io.Reader, contentType, name string, size int64) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	h.Set("Cache-Control", "private, no-store")
	h.Set("Content-Disposition", mime.FormatMediaType("inline", map[string]string{"filename": name}))
	if size > 0 {
		h.Set("Content-Length", strconv.FormatInt(size, 10))
	}
	_, _ = io.Copy(w, f)
}
