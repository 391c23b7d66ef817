package sqlstore

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"steward.city/steward/internal/civic"
)

const accountColumns = `id, department_id, platform, handle, display_name, url, purpose, audience, categories, website_url, profile_text,
	status, status_reason, COALESCE(official_id, 0), requested_by, requested_at, approved_at, activated_at, ended_at, updated_at,
	profile_website, profile_emergency, profile_disclaimer, profile_checked_at`

func scanAccount(row interface{ Scan(...any) error }) (*civic.Account, error) {
	var a civic.Account
	var cats string
	var approved, activated, ended, checked sql.NullTime
	if err := row.Scan(&a.ID, &a.DepartmentID, &a.Platform, &a.Handle, &a.DisplayName, &a.URL, &a.Purpose, &a.Audience, &cats, &a.WebsiteURL, &a.ProfileText,
		&a.Status, &a.StatusReason, &a.OfficialID, &a.RequestedBy, &a.RequestedAt, &approved, &activated, &ended, &a.UpdatedAt,
		&a.ProfileWebsite, &a.ProfileEmergency, &a.ProfileDisclaimer, &checked); err != nil {
		return nil, err
	}
	if cats != "" {
		a.Categories = strings.Split(cats, ",")
	}
	a.RequestedAt, a.UpdatedAt = a.RequestedAt.UTC(), a.UpdatedAt.UTC()
	a.ApprovedAt, a.ActivatedAt, a.EndedAt, a.ProfileCheckedAt = nullTime(approved), nullTime(activated), nullTime(ended), nullTime(checked)
	a.AdminIDs = []int64{}
	return &a, nil
}

// Account returns the account (or request) with the given ID.
func (r *reader) Account(ctx context.Context, id int64) (*civic.Account, error) {
	a, err := scanAccount(r.queryRow(ctx, `SELECT `+accountColumns+` FROM accounts WHERE id = ?`, id))
	if err != nil {
		return nil, notFound(err, "account")
	}
	if err := r.accountAdmins(ctx, []*civic.Account{a}); err != nil {
		return nil, err
	}
	return a, nil
}

// Accounts lists accounts matching f by department, platform and handle.
func (r *reader) Accounts(ctx context.Context, f civic.AccountFilter) ([]*civic.Account, error) {
	var where []string
	var args []any
	if f.DepartmentID != 0 {
		where, args = append(where, "department_id = ?"), append(args, f.DepartmentID)
	}
	if f.Platform != "" {
		where, args = append(where, "platform = ?"), append(args, f.Platform)
	}
	if f.Status != "" {
		where, args = append(where, "status = ?"), append(args, string(f.Status))
	}
	if f.Inventory {
		where = append(where, "status NOT IN ('refused', 'withdrawn')")
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		like := "%" + escapeLike(strings.ToLower(q)) + "%"
		where, args = append(where, `(LOWER(handle) LIKE ? ESCAPE '\' OR LOWER(display_name) LIKE ? ESCAPE '\')`), append(args, like, like)
	}
	q := `SELECT ` + accountColumns + ` FROM accounts`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	rows, err := r.query(ctx, q+` ORDER BY department_id, platform, handle, id`, args...)
	if err != nil {
		return nil, err
	}
	as, err := collect(rows, scanAccount)
	if err != nil {
		return nil, err
	}
	return as, r.accountAdmins(ctx, as)
}

// accountAdmins fills in the administrators of as.
func (r *reader) accountAdmins(ctx context.Context, as []*civic.Account) error {
	if len(as) == 0 {
		return nil
	}
	byID := map[int64]*civic.Account{}
	args := make([]any, len(as))
	for i, a := range as {
		byID[a.ID] = a
		args[i] = a.ID
	}
	rows, err := r.query(ctx, `SELECT account_id, person_id FROM account_admins WHERE account_id IN (`+placeholders(len(as))+`) ORDER BY account_id, person_id`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var aid, pid int64
		if err := rows.Scan(&aid, &pid); err != nil {
			return err
		}
		byID[aid].AdminIDs = append(byID[aid].AdminIDs, pid)
	}
	return rows.Err()
}

// AccountCounts counts the inventory by department and platform.
func (r *reader) AccountCounts(ctx context.Context) ([]civic.AccountCount, error) {
	rows, err := r.query(ctx, `SELECT department_id, platform, COUNT(*) FROM accounts WHERE status NOT IN ('refused', 'withdrawn') GROUP BY department_id, platform ORDER BY department_id, platform`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []civic.AccountCount
	for rows.Next() {
		var c civic.AccountCount
		if err := rows.Scan(&c.DepartmentID, &c.Platform, &c.Count); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// CreateAccount validates and stores a new account request.
func (t *tx) CreateAccount(ctx context.Context, a *civic.Account) error {
	a.Normalize()
	if err := a.ValidateRequest(); err != nil {
		return err
	}
	if err := t.checkDepartment(ctx, "department_id", a.DepartmentID); err != nil {
		return err
	}
	if err := t.checkAccountPeople(ctx, a); err != nil {
		return err
	}
	a.Status = civic.AccountRequested
	a.RequestedAt = t.Now()
	a.UpdatedAt = a.RequestedAt
	err := t.queryRow(ctx, `INSERT INTO accounts (department_id, platform, handle, display_name, url, purpose, audience, categories, website_url, profile_text,
		status, status_reason, official_id, requested_by, requested_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?, ?) RETURNING id`,
		a.DepartmentID, a.Platform, a.Handle, a.DisplayName, a.URL, a.Purpose, a.Audience, strings.Join(a.Categories, ","), a.WebsiteURL, a.ProfileText,
		string(a.Status), nullInt64(a.OfficialID), a.RequestedBy, a.RequestedAt, a.UpdatedAt).Scan(&a.ID)
	if err != nil {
		return t.conflict(err, "account")
	}
	if err := t.setAccountAdmins(ctx, a); err != nil {
		return err
	}
	if err := t.refreshPublicHandle(ctx, a.Platform, a.Handle); err != nil {
		return err
	}
	return t.Record(ctx, civic.Change{Action: "account.request", ObjectType: "account", ObjectID: strconv.FormatInt(a.ID, 10), After: a})
}

// checkAccountPeople checks that the administrators are covered persons and
// that the official, if any, is an elected official (ACC-5).
func (t *tx) checkAccountPeople(ctx context.Context, a *civic.Account) error {
	for _, id := range a.AdminIDs {
		if _, err := t.Person(ctx, id); err != nil {
			if civic.ErrorKind(err) == civic.KindNotFound {
				return civic.Invalid("administrator_ids", "person %d does not exist", id)
			}
			return err
		}
	}
	if a.OfficialID != 0 {
		p, err := t.Person(ctx, a.OfficialID)
		if civic.ErrorKind(err) == civic.KindNotFound {
			return civic.Invalid("official_id", "person %d does not exist", a.OfficialID)
		}
		if err != nil {
			return err
		}
		if p.Kind != civic.KindElectedOfficial {
			return civic.Invalid("official_id", "%s is not an elected official: the city does not create accounts for individual employees", p.Name)
		}
	}
	return nil
}

func (t *tx) setAccountAdmins(ctx context.Context, a *civic.Account) error {
	if _, err := t.exec(ctx, `DELETE FROM account_admins WHERE account_id = ?`, a.ID); err != nil {
		return err
	}
	for _, pid := range a.AdminIDs {
		if _, err := t.exec(ctx, `INSERT INTO account_admins (account_id, person_id) VALUES (?, ?)`, a.ID, pid); err != nil {
			return err
		}
	}
	return nil
}

// UpdateAccount stores a's changeable fields and records action.
func (t *tx) UpdateAccount(ctx context.Context, a *civic.Account, action string) error {
	a.Normalize()
	if !a.Status.Valid() {
		return civic.Invalid("status", "unknown status %q", a.Status)
	}
	if len(a.AdminIDs) < 2 {
		return civic.Invalid("administrator_ids", "name at least two administrators")
	}
	if err := validURLField("url", a.URL); err != nil {
		return err
	}
	before, err := t.Account(ctx, a.ID)
	if err != nil {
		return err
	}
	if err := t.checkAccountPeople(ctx, a); err != nil {
		return err
	}
	a.UpdatedAt = t.Now()
	if _, err := t.exec(ctx, `UPDATE accounts SET handle = ?, display_name = ?, url = ?, purpose = ?, status = ?, status_reason = ?, official_id = ?,
		approved_at = ?, activated_at = ?, ended_at = ?, updated_at = ?, profile_website = ?, profile_emergency = ?, profile_disclaimer = ?, profile_checked_at = ?
		WHERE id = ?`,
		a.Handle, a.DisplayName, a.URL, a.Purpose, string(a.Status), a.StatusReason, nullInt64(a.OfficialID),
		a.ApprovedAt, a.ActivatedAt, a.EndedAt, a.UpdatedAt, a.ProfileWebsite, a.ProfileEmergency, a.ProfileDisclaimer, a.ProfileCheckedAt, a.ID); err != nil {
		return t.conflict(err, "account")
	}
	if err := t.setAccountAdmins(ctx, a); err != nil {
		return err
	}
	// The status and the handle are inputs of the portal's rule.
	if before.Status != a.Status || before.Handle != a.Handle {
		if err := t.refreshPublicHandle(ctx, before.Platform, before.Handle); err != nil {
			return err
		}
		if !strings.EqualFold(before.Handle, a.Handle) {
			if err := t.refreshPublicHandle(ctx, before.Platform, a.Handle); err != nil {
				return err
			}
		}
	}
	return t.Record(ctx, civic.Change{Action: action, ObjectType: "account", ObjectID: strconv.FormatInt(a.ID, 10), Before: before, After: a})
}

func validURLField(field, s string) error {
	if s == "" {
		return nil
	}
	probe := civic.Account{URL: s, WebsiteURL: "https://x.invalid"}
	if err := probe.ValidateURLs(); err != nil {
		return civic.Invalid(field, "%s", civic.ErrorMessage(err))
	}
	return nil
}

// Approvals lists the recorded steps of a request, in chain order.
func (r *reader) Approvals(ctx context.Context, accountID int64) ([]*civic.Approval, error) {
	rows, err := r.query(ctx, `SELECT a.id, a.account_id, a.step, a.label, a.approver_id, u.email, a.decision, a.comment, a.decided_at
		FROM account_approvals a JOIN users u ON u.id = a.approver_id WHERE a.account_id = ? ORDER BY a.step`, accountID)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(row interface{ Scan(...any) error }) (*civic.Approval, error) {
		var ap civic.Approval
		if err := row.Scan(&ap.ID, &ap.AccountID, &ap.Step, &ap.Label, &ap.ApproverID, &ap.Approver, &ap.Decision, &ap.Comment, &ap.DecidedAt); err != nil {
			return nil, err
		}
		ap.DecidedAt = ap.DecidedAt.UTC()
		return &ap, nil
	})
}

// CreateApproval records one step's decision. A step is decided once.
func (t *tx) CreateApproval(ctx context.Context, ap *civic.Approval) error {
	if ap.Decision != civic.DecisionApprove && ap.Decision != civic.DecisionRefuse {
		return civic.Invalid("decision", "decide approve or refuse")
	}
	ap.DecidedAt = t.Now()
	err := t.queryRow(ctx, `INSERT INTO account_approvals (account_id, step, label, approver_id, decision, comment, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		ap.AccountID, ap.Step, ap.Label, ap.ApproverID, string(ap.Decision), ap.Comment, ap.DecidedAt).Scan(&ap.ID)
	if err != nil {
		if k, _ := t.d.Constraint(err); k == "unique" {
			return &civic.Error{Kind: civic.KindConflict, Field: "decision", Message: "this step is already decided", Err: err}
		}
		return err
	}
	return t.Record(ctx, civic.Change{Action: "account." + string(ap.Decision), ObjectType: "account", ObjectID: strconv.FormatInt(ap.AccountID, 10), After: ap})
}

// ApprovalChain returns a department's chain, or the default one.
func (r *reader) ApprovalChain(ctx context.Context, departmentID int64) ([]civic.ApprovalStep, error) {
	rows, err := r.query(ctx, `SELECT label, role, COALESCE(role_department_id, 0), COALESCE(user_id, 0) FROM approval_chains WHERE department_id = ? ORDER BY position`, departmentID)
	if err != nil {
		return nil, err
	}
	steps, err := collect(rows, func(row interface{ Scan(...any) error }) (*civic.ApprovalStep, error) {
		var s civic.ApprovalStep
		return &s, row.Scan(&s.Label, &s.Role, &s.DepartmentID, &s.UserID)
	})
	if err != nil {
		return nil, err
	}
	if len(steps) == 0 {
		return civic.DefaultChain(), nil
	}
	out := make([]civic.ApprovalStep, len(steps))
	for i, s := range steps {
		out[i] = *s
	}
	return out, nil
}

// SetApprovalChain replaces a department's chain; an empty one restores the default.
func (t *tx) SetApprovalChain(ctx context.Context, departmentID int64, steps []civic.ApprovalStep) error {
	if len(steps) > 0 {
		if err := civic.ValidateChain(steps); err != nil {
			return err
		}
	}
	if err := t.checkDepartment(ctx, "department_id", departmentID); err != nil {
		return err
	}
	before, err := t.ApprovalChain(ctx, departmentID)
	if err != nil {
		return err
	}
	if _, err := t.exec(ctx, `DELETE FROM approval_chains WHERE department_id = ?`, departmentID); err != nil {
		return err
	}
	for i, s := range steps {
		if _, err := t.exec(ctx, `INSERT INTO approval_chains (department_id, position, label, role, role_department_id, user_id) VALUES (?, ?, ?, ?, ?, ?)`,
			departmentID, i, s.Label, string(s.Role), nullInt64(s.DepartmentID), nullInt64(s.UserID)); err != nil {
			return t.conflict(err, "approval step")
		}
	}
	return t.Record(ctx, civic.Change{Action: "department.set_approval_chain", ObjectType: "department", ObjectID: strconv.FormatInt(departmentID, 10),
		Before: map[string]any{"steps": before}, After: map[string]any{"steps": steps}})
}
