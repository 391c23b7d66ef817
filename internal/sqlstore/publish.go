package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"strconv"
	"strings"

	"steward.city/steward/internal/civic"
)

const draftColumns = `d.id, d.author_id, u.email, d.kind, d.corrects_id, d.status, d.revision, d.created_at, d.updated_at`
const draftFrom = ` FROM drafts d JOIN users u ON u.id = d.author_id`

func scanDraft(row interface{ Scan(...any) error }) (*civic.Draft, error) {
	var d civic.Draft
	var corrects sql.NullInt64
	if err := row.Scan(&d.ID, &d.AuthorID, &d.Author, &d.Kind, &corrects, &d.Status, &d.Revision, &d.CreatedAt, &d.UpdatedAt); err != nil {
		return nil, err
	}
	d.Corrects = corrects.Int64
	d.CreatedAt, d.UpdatedAt = d.CreatedAt.UTC(), d.UpdatedAt.UTC()
	return &d, nil
}

const revisionColumns = `draft_id, number, author_id, body, media, links, category, scheduled_at, screen, created_at`

func scanRevision(row interface{ Scan(...any) error }) (*civic.DraftRevision, error) {
	var r civic.DraftRevision
	var media, links, screen string
	var sched sql.NullTime
	if err := row.Scan(&r.DraftID, &r.Number, &r.AuthorID, &r.Text, &media, &links, &r.Category, &sched, &screen, &r.CreatedAt); err != nil {
		return nil, err
	}
	r.ScheduledAt, r.CreatedAt = nullTime(sched), r.CreatedAt.UTC()
	if err := json.Unmarshal([]byte(media), &r.Media); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(links), &r.Links); err != nil {
		return nil, err
	}
	r.Screen = json.RawMessage(screen)
	return &r, nil
}

// fill adds a draft's accounts and current revision.
func (r *reader) fillDraft(ctx context.Context, d *civic.Draft) error {
	rows, err := r.query(ctx, `SELECT x.account_id, x.grant_id, a.handle, a.platform FROM draft_accounts x JOIN accounts a ON a.id = x.account_id
		WHERE x.draft_id = ? ORDER BY x.account_id`, d.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	d.Accounts = nil
	for rows.Next() {
		var a civic.DraftAccount
		if err := rows.Scan(&a.AccountID, &a.GrantID, &a.Handle, &a.Platform); err != nil {
			return err
		}
		d.Accounts = append(d.Accounts, a)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	cur, err := scanRevision(r.queryRow(ctx, `SELECT `+revisionColumns+` FROM draft_revisions WHERE draft_id = ? AND number = ?`, d.ID, d.Revision))
	if err != nil {
		return notFound(err, "revision")
	}
	d.Current = cur
	return nil
}

// Draft returns a draft with its accounts and current revision.
func (r *reader) Draft(ctx context.Context, id int64) (*civic.Draft, error) {
	d, err := scanDraft(r.queryRow(ctx, `SELECT `+draftColumns+draftFrom+` WHERE d.id = ?`, id))
	if err != nil {
		return nil, notFound(err, "draft")
	}
	return d, r.fillDraft(ctx, d)
}

// Drafts lists drafts matching f, newest first.
func (r *reader) Drafts(ctx context.Context, f civic.DraftFilter) ([]*civic.Draft, error) {
	var where []string
	var args []any
	if f.AuthorID != 0 {
		where, args = append(where, "d.author_id = ?"), append(args, f.AuthorID)
	}
	if f.AccountID != 0 {
		where, args = append(where, "d.id IN (SELECT draft_id FROM draft_accounts WHERE account_id = ?)"), append(args, f.AccountID)
	}
	if f.Status != "" {
		where, args = append(where, "d.status = ?"), append(args, string(f.Status))
	}
	if f.Corrects != 0 {
		where, args = append(where, "d.corrects_id = ?"), append(args, f.Corrects)
	}
	q := `SELECT ` + draftColumns + draftFrom
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	rows, err := r.query(ctx, q+` ORDER BY d.id DESC`, args...)
	if err != nil {
		return nil, err
	}
	ds, err := collect(rows, scanDraft)
	if err != nil {
		return nil, err
	}
	for _, d := range ds {
		if err := r.fillDraft(ctx, d); err != nil {
			return nil, err
		}
	}
	return ds, nil
}

// DraftRevisions lists a draft's revisions, oldest first.
func (r *reader) DraftRevisions(ctx context.Context, draftID int64) ([]*civic.DraftRevision, error) {
	rows, err := r.query(ctx, `SELECT `+revisionColumns+` FROM draft_revisions WHERE draft_id = ? ORDER BY number`, draftID)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanRevision)
}

func scanDraftReview(row interface{ Scan(...any) error }) (*civic.DraftReview, error) {
	var v civic.DraftReview
	if err := row.Scan(&v.ID, &v.DraftID, &v.Revision, &v.ReviewerID, &v.Reviewer, &v.Decision, &v.Comment, &v.Override, &v.CreatedAt); err != nil {
		return nil, err
	}
	v.CreatedAt = v.CreatedAt.UTC()
	return &v, nil
}

// DraftReviews lists a draft's reviews, oldest first.
func (r *reader) DraftReviews(ctx context.Context, draftID int64) ([]*civic.DraftReview, error) {
	rows, err := r.query(ctx, `SELECT v.id, v.draft_id, v.revision, v.reviewer_id, u.email, v.decision, v.comment, v.override, v.created_at
		FROM draft_reviews v JOIN users u ON u.id = v.reviewer_id WHERE v.draft_id = ? ORDER BY v.id`, draftID)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanDraftReview)
}

// PublishRule returns an account's rule, or the default.
func (r *reader) PublishRule(ctx context.Context, accountID int64) (*civic.PublishRule, error) {
	var p civic.PublishRule
	var roles string
	err := r.queryRow(ctx, `SELECT account_id, approver, approvals, realtime_roles FROM publish_rules WHERE account_id = ?`, accountID).
		Scan(&p.AccountID, &p.Approver, &p.Approvals, &roles)
	if err == sql.ErrNoRows {
		return civic.DefaultPublishRule(accountID), nil
	}
	if err != nil {
		return nil, err
	}
	p.RealTimeRoles = []civic.Role{}
	for _, s := range strings.Fields(roles) {
		p.RealTimeRoles = append(p.RealTimeRoles, civic.Role(s))
	}
	return &p, nil
}

const publicationColumns = `id, draft_id, revision, account_id, connection_id, idempotency_key, status, platform, kind, corrects_id, body, platform_id, url, error, authority, created_at, published_at`

func scanPublication(row interface{ Scan(...any) error }) (*civic.Publication, error) {
	var p civic.Publication
	var auth string
	var pub sql.NullTime
	var corrects sql.NullInt64
	if err := row.Scan(&p.ID, &p.DraftID, &p.Revision, &p.AccountID, &p.ConnectionID, &p.IdempotencyKey, &p.Status, &p.Platform, &p.Kind, &corrects, &p.Body,
		&p.PlatformID, &p.URL, &p.Error, &auth, &p.CreatedAt, &pub); err != nil {
		return nil, err
	}
	p.Corrects = corrects.Int64
	p.CreatedAt, p.PublishedAt = p.CreatedAt.UTC(), nullTime(pub)
	if err := json.Unmarshal([]byte(auth), &p.Authority); err != nil {
		return nil, err
	}
	return &p, nil
}

// Publication returns one publication.
func (r *reader) Publication(ctx context.Context, id int64) (*civic.Publication, error) {
	p, err := scanPublication(r.queryRow(ctx, `SELECT `+publicationColumns+` FROM publications WHERE id = ?`, id))
	return p, notFound(err, "publication")
}

// Publications lists publications matching f, newest first.
func (r *reader) Publications(ctx context.Context, f civic.PublicationFilter) ([]*civic.Publication, error) {
	var where []string
	var args []any
	if f.DraftID != 0 {
		where, args = append(where, "draft_id = ?"), append(args, f.DraftID)
	}
	if f.AccountID != 0 {
		where, args = append(where, "account_id = ?"), append(args, f.AccountID)
	}
	if f.Status != "" {
		where, args = append(where, "status = ?"), append(args, string(f.Status))
	}
	if f.Corrects != 0 {
		where, args = append(where, "corrects_id = ?"), append(args, f.Corrects)
	}
	if f.Platform != "" {
		where, args = append(where, "platform = ?"), append(args, f.Platform)
	}
	if f.PlatformID != "" {
		where, args = append(where, "platform_id = ?"), append(args, f.PlatformID)
	}
	q := `SELECT ` + publicationColumns + ` FROM publications`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	rows, err := r.query(ctx, q+` ORDER BY id DESC`, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanPublication)
}

// PublicationByPlatformID returns the publication of a platform's post.
func (r *reader) PublicationByPlatformID(ctx context.Context, platform, platformID string) (*civic.Publication, error) {
	if platformID == "" {
		return nil, civic.Errorf(civic.KindNotFound, "publication not found")
	}
	// A correction by edit and a deletion carry the post's id too: the
	// first publication with the id is the one that made the post.
	p, err := scanPublication(r.queryRow(ctx, `SELECT `+publicationColumns+` FROM publications WHERE platform = ? AND platform_id = ? AND status = ?
		ORDER BY id LIMIT 1`, platform, platformID, string(civic.PublicationPublished)))
	return p, notFound(err, "publication")
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func draftRef(id int64) string { return strconv.FormatInt(id, 10) }

// CreateDraft stores a draft, its accounts and its first revision.
func (t *tx) CreateDraft(ctx context.Context, d *civic.Draft) error {
	if d.Current == nil {
		return civic.Invalid("text", "a draft needs its first revision")
	}
	if len(d.Accounts) == 0 {
		return civic.Invalid("accounts", "choose at least one account")
	}
	now := t.Now()
	d.CreatedAt, d.UpdatedAt, d.Revision = now, now, 1
	if d.Status == "" {
		d.Status = civic.DraftOpen
	}
	if d.Kind == "" {
		d.Kind = civic.KindPost
	}
	if (d.Kind == civic.KindPost) != (d.Corrects == 0) {
		return civic.Invalid("corrects_publication_id", "a correction or deletion names the publication it acts on; a post names none")
	}
	if err := t.queryRow(ctx, `INSERT INTO drafts (author_id, kind, corrects_id, status, revision, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		d.AuthorID, string(d.Kind), nullID(d.Corrects), string(d.Status), d.Revision, now, now).Scan(&d.ID); err != nil {
		return t.conflict(err, "draft")
	}
	for _, a := range d.Accounts {
		if _, err := t.exec(ctx, `INSERT INTO draft_accounts (draft_id, account_id, grant_id) VALUES (?, ?, ?)`, d.ID, a.AccountID, a.GrantID); err != nil {
			return t.conflict(err, "draft account")
		}
	}
	r := d.Current
	r.DraftID, r.Number, r.CreatedAt = d.ID, 1, now
	if err := t.insertRevision(ctx, r); err != nil {
		return err
	}
	return t.Record(ctx, civic.Change{Action: "draft.create", ObjectType: "draft", ObjectID: draftRef(d.ID), After: d})
}

func (t *tx) insertRevision(ctx context.Context, r *civic.DraftRevision) error {
	if r.Media == nil {
		r.Media = []civic.DraftMedia{}
	}
	if r.Links == nil {
		r.Links = []string{}
	}
	if len(r.Screen) == 0 {
		r.Screen = json.RawMessage("{}")
	}
	var sched any
	if r.ScheduledAt != nil {
		sched = dbTime(*r.ScheduledAt)
	}
	_, err := t.exec(ctx, `INSERT INTO draft_revisions (`+revisionColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.DraftID, r.Number, r.AuthorID, r.Text, jsonText(r.Media), jsonText(r.Links), r.Category, sched, string(r.Screen), r.CreatedAt)
	return t.conflict(err, "revision")
}

// AddDraftRevision stores the next revision of a draft and makes it
// current; the draft goes back to being written.
func (t *tx) AddDraftRevision(ctx context.Context, r *civic.DraftRevision) error {
	d, err := t.Draft(ctx, r.DraftID)
	if err != nil {
		return err
	}
	r.Number, r.CreatedAt = d.Revision+1, t.Now()
	if err := t.insertRevision(ctx, r); err != nil {
		return err
	}
	if _, err := t.exec(ctx, `UPDATE drafts SET revision = ?, status = ?, updated_at = ? WHERE id = ?`, r.Number, string(civic.DraftOpen), r.CreatedAt, d.ID); err != nil {
		return err
	}
	return t.Record(ctx, civic.Change{Action: "draft.revise", ObjectType: "draft", ObjectID: draftRef(d.ID), Before: d.Current, After: r})
}

// SetDraftStatus moves a draft.
func (t *tx) SetDraftStatus(ctx context.Context, draftID int64, status civic.DraftStatus, action string) error {
	d, err := t.Draft(ctx, draftID)
	if err != nil {
		return err
	}
	if _, err := t.exec(ctx, `UPDATE drafts SET status = ?, updated_at = ? WHERE id = ?`, string(status), t.Now(), draftID); err != nil {
		return err
	}
	return t.Record(ctx, civic.Change{Action: action, ObjectType: "draft", ObjectID: draftRef(draftID),
		Before: map[string]any{"status": d.Status}, After: map[string]any{"status": status, "revision": d.Revision}})
}

// AddDraftReview stores a reviewer's decision.
func (t *tx) AddDraftReview(ctx context.Context, v *civic.DraftReview) error {
	v.CreatedAt = t.Now()
	if err := t.queryRow(ctx, `INSERT INTO draft_reviews (draft_id, revision, reviewer_id, decision, comment, override, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		v.DraftID, v.Revision, v.ReviewerID, string(v.Decision), v.Comment, v.Override, v.CreatedAt).Scan(&v.ID); err != nil {
		return t.conflict(err, "review")
	}
	return t.Record(ctx, civic.Change{Action: "draft.review." + string(v.Decision), ObjectType: "draft", ObjectID: draftRef(v.DraftID), After: v})
}

// SetPublishRule stores an account's rule.
func (t *tx) SetPublishRule(ctx context.Context, p *civic.PublishRule) error {
	before, err := t.PublishRule(ctx, p.AccountID)
	if err != nil {
		return err
	}
	roles := make([]string, len(p.RealTimeRoles))
	for i, r := range p.RealTimeRoles {
		roles[i] = string(r)
	}
	if _, err := t.exec(ctx, `INSERT INTO publish_rules (account_id, approver, approvals, realtime_roles) VALUES (?, ?, ?, ?)
		ON CONFLICT (account_id) DO UPDATE SET approver = excluded.approver, approvals = excluded.approvals, realtime_roles = excluded.realtime_roles`,
		p.AccountID, string(p.Approver), p.Approvals, strings.Join(roles, " ")); err != nil {
		return t.conflict(err, "rule")
	}
	return t.Record(ctx, civic.Change{Action: "publish_rule.set", ObjectType: "account", ObjectID: draftRef(p.AccountID), Before: before, After: p})
}

// CreatePublication stores the intent to publish.
func (t *tx) CreatePublication(ctx context.Context, p *civic.Publication) error {
	p.CreatedAt, p.Status = t.Now(), civic.PublicationIntent
	if p.Kind == "" {
		p.Kind = civic.PublishPost
	}
	if err := t.queryRow(ctx, `INSERT INTO publications (draft_id, revision, account_id, connection_id, idempotency_key, status, platform, kind, corrects_id, body,
		platform_id, url, error, authority, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', '', '', ?, ?) RETURNING id`,
		p.DraftID, p.Revision, p.AccountID, p.ConnectionID, p.IdempotencyKey, string(p.Status), p.Platform, string(p.Kind), nullID(p.Corrects), p.Body,
		jsonText(p.Authority), p.CreatedAt).Scan(&p.ID); err != nil {
		return t.conflict(err, "publication")
	}
	return t.Record(ctx, civic.Change{Action: "publication.intent", ObjectType: "publication", ObjectID: draftRef(p.ID), After: p})
}

// UpdatePublication records the platform's answer.
func (t *tx) UpdatePublication(ctx context.Context, p *civic.Publication) error {
	before, err := t.Publication(ctx, p.ID)
	if err != nil {
		return err
	}
	var pub any
	if p.PublishedAt != nil {
		pub = dbTime(*p.PublishedAt)
	}
	if _, err := t.exec(ctx, `UPDATE publications SET status = ?, platform_id = ?, url = ?, error = ?, published_at = ? WHERE id = ?`,
		string(p.Status), p.PlatformID, p.URL, p.Error, pub, p.ID); err != nil {
		return t.conflict(err, "publication")
	}
	return t.Record(ctx, civic.Change{Action: "publication." + string(p.Status), ObjectType: "publication", ObjectID: draftRef(p.ID), Before: before, After: p})
}
