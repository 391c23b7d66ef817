package sqlstore

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"steward.city/steward/internal/civic"
)

const posterColumns = `p.id, p.account_id, p.user_id, p.reason, p.status, p.requested_at, COALESCE(p.decided_by, 0), p.decided_at, p.expires_at,
	p.certified_at, p.revoked_at, p.note, u.email, a.handle, a.department_id`
const posterFrom = ` FROM posters p JOIN users u ON u.id = p.user_id JOIN accounts a ON a.id = p.account_id`

func scanPoster(row interface{ Scan(...any) error }) (*civic.Poster, error) {
	var p civic.Poster
	var decided, expires, certified, revoked sql.NullTime
	if err := row.Scan(&p.ID, &p.AccountID, &p.UserID, &p.Reason, &p.Status, &p.RequestedAt, &p.DecidedBy, &decided, &expires,
		&certified, &revoked, &p.Note, &p.UserEmail, &p.AccountHandle, &p.DepartmentID); err != nil {
		return nil, err
	}
	p.RequestedAt = p.RequestedAt.UTC()
	p.DecidedAt, p.ExpiresAt, p.CertifiedAt, p.RevokedAt = nullTime(decided), nullTime(expires), nullTime(certified), nullTime(revoked)
	return &p, nil
}

// Poster returns the authorization to post with the given ID.
func (r *reader) Poster(ctx context.Context, id int64) (*civic.Poster, error) {
	p, err := scanPoster(r.queryRow(ctx, `SELECT `+posterColumns+posterFrom+` WHERE p.id = ?`, id))
	return p, notFound(err, "authorization")
}

// Posters lists authorizations to post matching f, newest first.
func (r *reader) Posters(ctx context.Context, f civic.PosterFilter) ([]*civic.Poster, error) {
	var where []string
	var args []any
	if f.AccountID != 0 {
		where, args = append(where, "p.account_id = ?"), append(args, f.AccountID)
	}
	if f.UserID != 0 {
		where, args = append(where, "p.user_id = ?"), append(args, f.UserID)
	}
	if f.DepartmentID != 0 {
		where, args = append(where, "a.department_id = ?"), append(args, f.DepartmentID)
	}
	if f.Status != "" {
		where, args = append(where, "p.status = ?"), append(args, string(f.Status))
	}
	q := `SELECT ` + posterColumns + posterFrom
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	rows, err := r.query(ctx, q+` ORDER BY p.id DESC`, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanPoster)
}

// CreatePoster stores a written request to post.
func (t *tx) CreatePoster(ctx context.Context, p *civic.Poster) error {
	p.Reason = strings.TrimSpace(p.Reason)
	if p.Reason == "" {
		return civic.Invalid("reason", "say in writing why you need to post for this account")
	}
	if _, err := t.Account(ctx, p.AccountID); err != nil {
		if civic.ErrorKind(err) == civic.KindNotFound {
			return civic.Invalid("account_id", "account %d does not exist", p.AccountID)
		}
		return err
	}
	p.Status = civic.PosterRequested
	p.RequestedAt = t.Now()
	if err := t.queryRow(ctx, `INSERT INTO posters (account_id, user_id, reason, status, requested_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		p.AccountID, p.UserID, p.Reason, string(p.Status), p.RequestedAt).Scan(&p.ID); err != nil {
		return t.conflict(err, "authorization")
	}
	return t.Record(ctx, civic.Change{Action: "poster.request", ObjectType: "poster", ObjectID: strconv.FormatInt(p.ID, 10), After: p})
}

// UpdatePoster stores a decision, a certification or a revocation.
func (t *tx) UpdatePoster(ctx context.Context, p *civic.Poster, action string) error {
	before, err := t.Poster(ctx, p.ID)
	if err != nil {
		return err
	}
	if _, err := t.exec(ctx, `UPDATE posters SET status = ?, decided_by = ?, decided_at = ?, expires_at = ?, certified_at = ?, revoked_at = ?, note = ? WHERE id = ?`,
		string(p.Status), nullInt64(p.DecidedBy), p.DecidedAt, p.ExpiresAt, p.CertifiedAt, p.RevokedAt, p.Note, p.ID); err != nil {
		return err
	}
	return t.Record(ctx, civic.Change{Action: action, ObjectType: "poster", ObjectID: strconv.FormatInt(p.ID, 10), Before: before, After: p})
}
