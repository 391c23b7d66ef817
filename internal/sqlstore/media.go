package sqlstore

import (
	"context"
	"strconv"

	"steward.city/steward/internal/civic"
)

// MediaUpload returns a user's upload of the file with the hash; see
// civic.PublishReader.
func (r *reader) MediaUpload(ctx context.Context, userID int64, sha256 string) (*civic.MediaUpload, error) {
	var m civic.MediaUpload
	err := r.queryRow(ctx, `SELECT sha256, user_id, file, kind, content_type, size, created_at FROM media_uploads WHERE sha256 = ? AND user_id = ?`,
		sha256, userID).Scan(&m.SHA256, &m.UserID, &m.File, &m.Kind, &m.ContentType, &m.Size, &m.CreatedAt)
	if err != nil {
		return nil, notFound(err, "uploaded file")
	}
	m.CreatedAt = m.CreatedAt.UTC()
	return &m, nil
}

// MediaInUse reports whether anyone uploaded the file for a draft; see
// civic.PublishReader.
func (r *reader) MediaInUse(ctx context.Context, sha256 string) (bool, error) {
	var n int
	err := r.queryRow(ctx, `SELECT COUNT(*) FROM media_uploads WHERE sha256 = ?`, sha256).Scan(&n)
	return n > 0, err
}

// AddMediaUpload records an upload; the same file uploaded again by the
// same user keeps the first record (m is then filled from it).
func (t *tx) AddMediaUpload(ctx context.Context, m *civic.MediaUpload) error {
	m.CreatedAt = t.Now()
	res, err := t.exec(ctx, `INSERT INTO media_uploads (sha256, user_id, file, kind, content_type, size, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (sha256, user_id) DO NOTHING`, m.SHA256, m.UserID, m.File, m.Kind, m.ContentType, m.Size, m.CreatedAt)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		got, err := t.MediaUpload(ctx, m.UserID, m.SHA256)
		if err != nil {
			return err
		}
		*m = *got
		return nil
	}
	return t.Record(ctx, civic.Change{Action: "draft.media_upload", ObjectType: "media", ObjectID: m.SHA256, After: m})
}

// MediaLink returns a public link by its token's hash; see
// civic.PublishReader.
func (r *reader) MediaLink(ctx context.Context, tokenSHA256 string) (*civic.MediaLink, error) {
	var l civic.MediaLink
	err := r.queryRow(ctx, `SELECT token_sha256, sha256, content_type, file, size, publication_id, created_at, expires_at FROM media_links WHERE token_sha256 = ?`,
		tokenSHA256).Scan(&l.TokenSHA256, &l.SHA256, &l.ContentType, &l.File, &l.Size, &l.PublicationID, &l.CreatedAt, &l.ExpiresAt)
	if err != nil {
		return nil, notFound(err, "link")
	}
	l.CreatedAt, l.ExpiresAt = l.CreatedAt.UTC(), l.ExpiresAt.UTC()
	return &l, nil
}

// AddMediaLink stores a public link to a file of a publication, with its
// audit event (which names the file and the publication, never the token).
func (t *tx) AddMediaLink(ctx context.Context, l *civic.MediaLink) error {
	l.CreatedAt = t.Now()
	if _, err := t.exec(ctx, `INSERT INTO media_links (token_sha256, sha256, content_type, file, size, publication_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		l.TokenSHA256, l.SHA256, l.ContentType, l.File, l.Size, l.PublicationID, l.CreatedAt, l.ExpiresAt); err != nil {
		return t.conflict(err, "link")
	}
	return t.Record(ctx, civic.Change{Action: "publication.media_link", ObjectType: "publication", ObjectID: strconv.FormatInt(l.PublicationID, 10),
		After: map[string]any{"sha256": l.SHA256, "file": l.File, "expires_at": l.ExpiresAt}})
}
