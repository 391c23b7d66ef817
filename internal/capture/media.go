package capture

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
)

// MaxMedia bounds one media file capture fetches.
const MaxMedia = 64 << 20

var errNoMediaStore = errors.New("no media store is configured: the file's address is kept in the raw payload")

// mediaStore reports whether captured media files can be kept.
func (s *Service) mediaStore() bool { return s.archive != nil && s.archive.Blobs() != nil }

// fetch downloads a media file for the archive, through the guarded client
// that connects only to public addresses (Config.MediaAllow aside).
func (s *Service) fetch(ctx context.Context, url string) ([]byte, string, error) {
	if s.archive == nil || s.archive.Blobs() == nil {
		return nil, "", errNoMediaStore
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, "", err
	}
	resp, err := s.media.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, "", fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxMedia+1))
	if err != nil {
		return nil, "", err
	}
	if len(data) > MaxMedia {
		return nil, "", fmt.Errorf("the file is larger than %d bytes", MaxMedia)
	}
	typ, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	return data, typ, nil
}
