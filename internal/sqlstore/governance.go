package sqlstore

import (
	"context"
	"database/sql"
	"slices"
	"strconv"
	"strings"

	"steward.city/steward/internal/civic"
)

func joinIDs(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(s, ",")
}

func splitIDs(s string) []int64 {
	out := []int64{}
	for _, f := range strings.Split(s, ",") {
		if v, err := strconv.ParseInt(f, 10, 64); err == nil {
			out = append(out, v)
		}
	}
	return out
}

// Contracts lists the platform agreements, by review date.
func (r *reader) Contracts(ctx context.Context) ([]*civic.Contract, error) {
	rows, err := r.query(ctx, `SELECT id, platform, title, version, url, accepted_by, authority, accepted_on, review_on, account_ids, created_at FROM contracts ORDER BY review_on, id`)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(row interface{ Scan(...any) error }) (*civic.Contract, error) {
		var c civic.Contract
		var ids string
		if err := row.Scan(&c.ID, &c.Platform, &c.Title, &c.Version, &c.URL, &c.AcceptedBy, &c.Authority, &c.AcceptedOn, &c.ReviewOn, &ids, &c.CreatedAt); err != nil {
			return nil, err
		}
		c.AcceptedOn, c.ReviewOn, c.CreatedAt, c.AccountIDs = c.AcceptedOn.UTC(), c.ReviewOn.UTC(), c.CreatedAt.UTC(), splitIDs(ids)
		return &c, nil
	})
}

// CreateContract records a platform agreement (ACC-6).
func (t *tx) CreateContract(ctx context.Context, c *civic.Contract) error {
	if err := c.Validate(); err != nil {
		return err
	}
	for _, id := range c.AccountIDs {
		if _, err := t.Account(ctx, id); err != nil {
			return civic.Invalid("account_ids", "account %d does not exist", id)
		}
	}
	if c.AccountIDs == nil {
		c.AccountIDs = []int64{}
	}
	c.AcceptedOn, c.ReviewOn, c.CreatedAt = dbTime(c.AcceptedOn), dbTime(c.ReviewOn), t.Now()
	if err := t.queryRow(ctx, `INSERT INTO contracts (platform, title, version, url, accepted_by, authority, accepted_on, review_on, account_ids, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		c.Platform, c.Title, c.Version, c.URL, c.AcceptedBy, c.Authority, c.AcceptedOn, c.ReviewOn, joinIDs(c.AccountIDs), c.CreatedAt).Scan(&c.ID); err != nil {
		return err
	}
	return t.Record(ctx, civic.Change{Action: "contract.create", ObjectType: "contract", ObjectID: strconv.FormatInt(c.ID, 10), After: c})
}

const followColumns = `id, account_id, handle, name, kind, note, recorded_at`

func scanFollow(row interface{ Scan(...any) error }) (*civic.Follow, error) {
	var f civic.Follow
	if err := row.Scan(&f.ID, &f.AccountID, &f.Handle, &f.Name, &f.Kind, &f.Note, &f.RecordedAt); err != nil {
		return nil, err
	}
	f.RecordedAt = f.RecordedAt.UTC()
	return &f, nil
}

// Follows lists the accounts an official account follows.
func (r *reader) Follows(ctx context.Context, accountID int64) ([]*civic.Follow, error) {
	rows, err := r.query(ctx, `SELECT `+followColumns+` FROM follows WHERE account_id = ? ORDER BY handle`, accountID)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanFollow)
}

// Follow returns one followed account.
func (r *reader) Follow(ctx context.Context, id int64) (*civic.Follow, error) {
	f, err := scanFollow(r.queryRow(ctx, `SELECT `+followColumns+` FROM follows WHERE id = ?`, id))
	return f, notFound(err, "follow")
}

// PutFollow records a followed account, or changes its kind (ACC-7).
func (t *tx) PutFollow(ctx context.Context, f *civic.Follow) error {
	f.Handle, f.Name, f.Note = strings.TrimSpace(f.Handle), strings.TrimSpace(f.Name), strings.TrimSpace(f.Note)
	if f.Handle == "" {
		return civic.Invalid("handle", "give the followed account's handle")
	}
	if !slices.Contains(civic.FollowKinds, f.Kind) {
		return civic.Invalid("kind", "kind must be government, nonprofit, local_media, local_business or review")
	}
	var before *civic.Follow
	if f.ID != 0 {
		var err error
		if before, err = t.Follow(ctx, f.ID); err != nil {
			return err
		}
		f.AccountID, f.Handle, f.RecordedAt = before.AccountID, before.Handle, before.RecordedAt
		if _, err := t.exec(ctx, `UPDATE follows SET name = ?, kind = ?, note = ? WHERE id = ?`, f.Name, string(f.Kind), f.Note, f.ID); err != nil {
			return err
		}
	} else {
		if _, err := t.Account(ctx, f.AccountID); err != nil {
			return err
		}
		f.RecordedAt = t.Now()
		if err := t.queryRow(ctx, `INSERT INTO follows (account_id, handle, name, kind, note, recorded_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			f.AccountID, f.Handle, f.Name, string(f.Kind), f.Note, f.RecordedAt).Scan(&f.ID); err != nil {
			return t.conflict(err, "follow")
		}
	}
	c := civic.Change{Action: "follow.record", ObjectType: "follow", ObjectID: strconv.FormatInt(f.ID, 10), After: f}
	if before != nil {
		c.Action, c.Before = "follow.classify", before
	}
	return t.Record(ctx, c)
}

// PolicyVersions lists every policy version, newest first.
func (r *reader) PolicyVersions(ctx context.Context) ([]*civic.PolicyVersion, error) {
	rows, err := r.query(ctx, `SELECT id, slug, title, version, url, published_at FROM policy_versions ORDER BY published_at DESC, id DESC`)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(row interface{ Scan(...any) error }) (*civic.PolicyVersion, error) {
		var p civic.PolicyVersion
		if err := row.Scan(&p.ID, &p.Slug, &p.Title, &p.Version, &p.URL, &p.PublishedAt); err != nil {
			return nil, err
		}
		p.PublishedAt = p.PublishedAt.UTC()
		return &p, nil
	})
}

// PublishPolicy adds a policy version; it becomes the current one.
func (t *tx) PublishPolicy(ctx context.Context, p *civic.PolicyVersion) error {
	p.Slug, p.Title, p.Version, p.URL = strings.ToLower(strings.TrimSpace(p.Slug)), strings.TrimSpace(p.Title), strings.TrimSpace(p.Version), strings.TrimSpace(p.URL)
	d := civic.Department{Slug: p.Slug, Name: "x"}
	if err := d.Validate(); err != nil {
		return civic.Invalid("slug", "short name must be lower-case letters, digits and hyphens")
	}
	if p.Title == "" {
		return civic.Invalid("title", "give the policy's title")
	}
	if p.Version == "" {
		return civic.Invalid("version", "give the version")
	}
	p.PublishedAt = t.Now()
	if err := t.queryRow(ctx, `INSERT INTO policy_versions (slug, title, version, url, published_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		p.Slug, p.Title, p.Version, p.URL, p.PublishedAt).Scan(&p.ID); err != nil {
		if k, _ := t.d.Constraint(err); k == "unique" {
			return &civic.Error{Kind: civic.KindConflict, Field: "version", Message: "this version is already published", Err: err}
		}
		return err
	}
	return t.Record(ctx, civic.Change{Action: "policy.publish", ObjectType: "policy", ObjectID: strconv.FormatInt(p.ID, 10), After: p})
}

// Acknowledgements lists who acknowledged a policy version.
func (r *reader) Acknowledgements(ctx context.Context, policyVersionID int64) ([]*civic.Acknowledgement, error) {
	rows, err := r.query(ctx, `SELECT policy_version_id, person_id, acknowledged_at FROM acknowledgements WHERE policy_version_id = ? ORDER BY person_id`, policyVersionID)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(row interface{ Scan(...any) error }) (*civic.Acknowledgement, error) {
		var a civic.Acknowledgement
		if err := row.Scan(&a.PolicyVersionID, &a.PersonID, &a.AcknowledgedAt); err != nil {
			return nil, err
		}
		a.AcknowledgedAt = a.AcknowledgedAt.UTC()
		return &a, nil
	})
}

// Acknowledge records a person's acknowledgement; acknowledging twice
// keeps the first.
func (t *tx) Acknowledge(ctx context.Context, a *civic.Acknowledgement) error {
	a.AcknowledgedAt = t.Now()
	res, err := t.exec(ctx, `INSERT INTO acknowledgements (policy_version_id, person_id, acknowledged_at) VALUES (?, ?, ?) ON CONFLICT (policy_version_id, person_id) DO NOTHING`,
		a.PolicyVersionID, a.PersonID, a.AcknowledgedAt)
	if err != nil {
		return t.conflict(err, "acknowledgement")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	return t.Record(ctx, civic.Change{Action: "policy.acknowledge", ObjectType: "policy", ObjectID: strconv.FormatInt(a.PolicyVersionID, 10), After: a})
}

const caseColumns = `id, person_id, summary, status, outcome, opened_by, opened_at, closed_at`

func scanCase(row interface{ Scan(...any) error }) (*civic.ConductCase, error) {
	var c civic.ConductCase
	var closed sql.NullTime
	if err := row.Scan(&c.ID, &c.PersonID, &c.Summary, &c.Status, &c.Outcome, &c.OpenedBy, &c.OpenedAt, &closed); err != nil {
		return nil, err
	}
	c.OpenedAt, c.ClosedAt = c.OpenedAt.UTC(), nullTime(closed)
	return &c, nil
}

// ConductCase returns one case.
func (r *reader) ConductCase(ctx context.Context, id int64) (*civic.ConductCase, error) {
	c, err := scanCase(r.queryRow(ctx, `SELECT `+caseColumns+` FROM conduct_cases WHERE id = ?`, id))
	return c, notFound(err, "case")
}

// ConductCases lists every case, newest first.
func (r *reader) ConductCases(ctx context.Context) ([]*civic.ConductCase, error) {
	rows, err := r.query(ctx, `SELECT `+caseColumns+` FROM conduct_cases ORDER BY id DESC`)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanCase)
}

// CaseEntries lists a case's evidence and decisions in order.
func (r *reader) CaseEntries(ctx context.Context, caseID int64) ([]*civic.CaseEntry, error) {
	rows, err := r.query(ctx, `SELECT id, case_id, kind, ref, text, added_by, added_at FROM conduct_entries WHERE case_id = ? ORDER BY id`, caseID)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(row interface{ Scan(...any) error }) (*civic.CaseEntry, error) {
		var e civic.CaseEntry
		if err := row.Scan(&e.ID, &e.CaseID, &e.Kind, &e.Ref, &e.Text, &e.AddedBy, &e.AddedAt); err != nil {
			return nil, err
		}
		e.AddedAt = e.AddedAt.UTC()
		return &e, nil
	})
}

// CreateConductCase opens a case about a covered person.
func (t *tx) CreateConductCase(ctx context.Context, c *civic.ConductCase) error {
	c.Summary = strings.TrimSpace(c.Summary)
	if c.Summary == "" {
		return civic.Invalid("summary", "say what is suspected")
	}
	if _, err := t.Person(ctx, c.PersonID); err != nil {
		return civic.Invalid("person_id", "choose the covered person the case is about")
	}
	c.Status, c.OpenedAt = civic.CaseOpen, t.Now()
	if err := t.queryRow(ctx, `INSERT INTO conduct_cases (person_id, summary, status, opened_by, opened_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		c.PersonID, c.Summary, string(c.Status), c.OpenedBy, c.OpenedAt).Scan(&c.ID); err != nil {
		return err
	}
	return t.Record(ctx, civic.Change{Action: "case.open", ObjectType: "conduct_case", ObjectID: strconv.FormatInt(c.ID, 10), After: c})
}

// UpdateConductCase stores the case's status and outcome.
func (t *tx) UpdateConductCase(ctx context.Context, c *civic.ConductCase, action string) error {
	before, err := t.ConductCase(ctx, c.ID)
	if err != nil {
		return err
	}
	if _, err := t.exec(ctx, `UPDATE conduct_cases SET status = ?, outcome = ?, closed_at = ? WHERE id = ?`, string(c.Status), c.Outcome, c.ClosedAt, c.ID); err != nil {
		return err
	}
	return t.Record(ctx, civic.Change{Action: action, ObjectType: "conduct_case", ObjectID: strconv.FormatInt(c.ID, 10), Before: before, After: c})
}

// AddCaseEntry links evidence to a case or records a decision.
func (t *tx) AddCaseEntry(ctx context.Context, e *civic.CaseEntry) error {
	e.AddedAt = t.Now()
	if err := t.queryRow(ctx, `INSERT INTO conduct_entries (case_id, kind, ref, text, added_by, added_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
		e.CaseID, e.Kind, e.Ref, e.Text, e.AddedBy, e.AddedAt).Scan(&e.ID); err != nil {
		return err
	}
	return t.Record(ctx, civic.Change{Action: "case." + e.Kind, ObjectType: "conduct_case", ObjectID: strconv.FormatInt(e.CaseID, 10), After: e})
}
