package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strconv"

	"steward.city/steward/internal/civic"
)

const accessColumns = `a.id, a.user_id, a.kind, a.status, a.reason, COALESCE(a.proposed_by, 0), a.proposed_at, COALESCE(a.decided_by, 0), a.decided_at,
	a.decision_note, COALESCE(a.revoked_by, 0), a.revoked_at, a.revoke_reason, u.email, COALESCE(pu.email, ''), COALESCE(du.email, ''), COALESCE(ru.email, '')`
const accessFrom = ` FROM covert_access a JOIN users u ON u.id = a.user_id LEFT JOIN users pu ON pu.id = a.proposed_by
	LEFT JOIN users du ON du.id = a.decided_by LEFT JOIN users ru ON ru.id = a.revoked_by`

func scanAccess(row interface{ Scan(...any) error }) (*civic.CovertAccess, error) {
	var a civic.CovertAccess
	var decided, revoked sql.NullTime
	if err := row.Scan(&a.ID, &a.UserID, &a.Kind, &a.Status, &a.Reason, &a.ProposedBy, &a.ProposedAt, &a.DecidedBy, &decided,
		&a.DecisionNote, &a.RevokedBy, &revoked, &a.RevokeReason, &a.User, &a.Proposer, &a.Decider, &a.Revoker); err != nil {
		return nil, err
	}
	a.ProposedAt = a.ProposedAt.UTC()
	a.DecidedAt, a.RevokedAt = nullTime(decided), nullTime(revoked)
	return &a, nil
}

// CovertAccess returns one grant of covert access.
func (r *reader) CovertAccess(ctx context.Context, id int64) (*civic.CovertAccess, error) {
	a, err := scanAccess(r.queryRow(ctx, `SELECT `+accessColumns+accessFrom+` WHERE a.id = ?`, id))
	return a, notFound(err, "page")
}

// CovertAccesses lists grants of covert access, newest first.
func (r *reader) CovertAccesses(ctx context.Context, f civic.CovertAccessFilter) ([]*civic.CovertAccess, error) {
	q, args := `SELECT `+accessColumns+accessFrom+` WHERE 1 = 1`, []any{}
	if f.UserID != 0 {
		q, args = q+` AND a.user_id = ?`, append(args, f.UserID)
	}
	if f.Status != "" {
		q, args = q+` AND a.status = ?`, append(args, string(f.Status))
	}
	rows, err := r.query(ctx, q+` ORDER BY a.id DESC`, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanAccess)
}

// HoldsCovertAccess reports whether the user holds the sic_commander role
// or approved maintainer access.
func (r *reader) HoldsCovertAccess(ctx context.Context, userID int64) (bool, error) {
	var n int
	err := r.queryRow(ctx, `SELECT (SELECT COUNT(*) FROM user_roles WHERE user_id = ? AND role = 'sic_commander')
		+ (SELECT COUNT(*) FROM covert_access WHERE user_id = ? AND kind = 'maintainer' AND status = 'approved')`, userID, userID).Scan(&n)
	return n > 0, err
}

// commanders counts the enabled users holding the sic_commander role, other
// than except.
func (r *reader) commanders(ctx context.Context, except int64) (int, error) {
	var n int
	err := r.queryRow(ctx, `SELECT COUNT(*) FROM user_roles r JOIN users u ON u.id = r.user_id
		WHERE r.role = 'sic_commander' AND u.disabled_at IS NULL AND u.id <> ?`, except).Scan(&n)
	return n, err
}

// accessUser loads a user taking part in a grant: it must exist and be
// enabled.
func (t *tx) accessUser(ctx context.Context, field string, id int64) (*civic.User, error) {
	u, err := t.User(ctx, id)
	if civic.ErrorKind(err) == civic.KindNotFound {
		return nil, civic.Invalid(field, "user %d does not exist", id)
	}
	if err != nil {
		return nil, err
	}
	if u.DisabledAt != nil {
		return nil, civic.Invalid(field, "%s is disabled", u.Email)
	}
	return u, nil
}

// refuseUserManager refuses covert access to a user who manages users.
func refuseUserManager(attempt string, u *civic.User) error {
	if civic.ManagesUsers(u.Grants) {
		return civic.RefuseCovert(attempt, u.ID, "%s holds the admin or it role; whoever manages users never also holds covert access: take those roles away first", u.Email)
	}
	return nil
}

// ProposeCovertAccess stores a proposal by the Tx's actor, who must be an
// enabled SIC commander other than the user.
func (t *tx) ProposeCovertAccess(ctx context.Context, a *civic.CovertAccess) error {
	if err := a.Validate(); err != nil {
		return err
	}
	if t.actor.UserID == a.UserID {
		return civic.RefuseCovert("propose_self", a.UserID, "nobody proposes covert access for themselves")
	}
	proposer, err := t.User(ctx, t.actor.UserID)
	if err != nil || proposer.DisabledAt != nil || !proposer.Has(civic.RoleSICCommander) {
		return civic.RefuseCovert("propose_without_commander", a.UserID, "only a SIC commander proposes covert access")
	}
	u, err := t.accessUser(ctx, "user_id", a.UserID)
	if err != nil {
		return err
	}
	if err := refuseUserManager("propose_user_manager", u); err != nil {
		return err
	}
	if (a.Kind == civic.CovertCommander && u.Has(civic.RoleSICCommander)) || (a.Kind == civic.CovertMaintainer && u.CovertMaintainer) {
		return &civic.Error{Kind: civic.KindConflict, Field: "user_id", Message: u.Email + " already holds this access"}
	}
	a.Status, a.ProposedBy, a.ProposedAt, a.User, a.Proposer = civic.CovertProposed, proposer.ID, t.Now(), u.Email, proposer.Email
	if err := t.queryRow(ctx, `INSERT INTO covert_access (user_id, kind, status, reason, proposed_by, proposed_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
		a.UserID, string(a.Kind), string(a.Status), a.Reason, a.ProposedBy, a.ProposedAt).Scan(&a.ID); err != nil {
		if kind, _ := t.d.Constraint(err); kind == "unique" {
			return &civic.Error{Kind: civic.KindConflict, Field: "user_id", Message: "a proposal of this access for " + u.Email + " is already waiting", Err: err}
		}
		return err
	}
	return t.Record(ctx, civic.Change{Action: "covert_access.propose", ObjectType: civic.CovertAccessObject, ObjectID: strconv.FormatInt(a.ID, 10), After: a})
}

// DecideCovertAccess approves, refuses or withdraws a waiting proposal as
// the Tx's actor: the proposer withdraws; someone else, not the user and not
// a user manager, approves or refuses. An approval needs the proposer to be
// an enabled commander still; approving a commander gives the role.
func (t *tx) DecideCovertAccess(ctx context.Context, id int64, to civic.CovertAccessStatus, note string) error {
	a, err := t.CovertAccess(ctx, id)
	if err != nil {
		return err
	}
	if a.Status != civic.CovertProposed {
		return civic.Errorf(civic.KindConflict, "this proposal is already %s", a.Status)
	}
	before := *a
	actor := t.actor.UserID
	switch to {
	case civic.CovertWithdrawn:
		if actor == 0 || actor != a.ProposedBy {
			return civic.Errorf(civic.KindForbidden, "only the commander who proposed it withdraws a proposal")
		}
	case civic.CovertApproved, civic.CovertRefused:
		if actor == a.ProposedBy {
			return civic.RefuseCovert("approve_own_proposal", a.UserID, "nobody decides their own proposal: a second person approves it")
		}
		if actor == a.UserID {
			return civic.RefuseCovert("approve_self", a.UserID, "nobody decides covert access for themselves")
		}
		decider, err := t.User(ctx, actor)
		if err != nil || decider.DisabledAt != nil {
			return civic.RefuseCovert("approve_without_user", a.UserID, "only a signed-in approver decides covert access")
		}
		if civic.ManagesUsers(decider.Grants) {
			return civic.RefuseCovert("approve_as_user_manager", a.UserID, "whoever manages users (admin, it) does not decide covert access")
		}
		if to == civic.CovertRefused {
			break
		}
		proposer, err := t.User(ctx, a.ProposedBy)
		if err != nil || proposer.DisabledAt != nil || !proposer.Has(civic.RoleSICCommander) {
			return civic.Errorf(civic.KindConflict, "the commander who proposed this no longer holds the role; a commander proposes it again")
		}
		u, err := t.accessUser(ctx, "user_id", a.UserID)
		if err != nil {
			return err
		}
		if err := refuseUserManager("approve_user_manager", u); err != nil {
			return err
		}
		if err := t.ownPassword(ctx, u); err != nil {
			return err
		}
		if err := t.freshStart(ctx, u.ID); err != nil {
			return err
		}
		if a.Kind == civic.CovertCommander && !u.Has(civic.RoleSICCommander) {
			if _, err := t.exec(ctx, `INSERT INTO user_roles (user_id, role) VALUES (?, 'sic_commander')`, u.ID); err != nil {
				return err
			}
			if err := t.touchUser(ctx, u.ID); err != nil {
				return err
			}
		}
	default:
		return civic.Invalid("decision", "choose approve or refuse")
	}
	now := t.Now()
	a.Status, a.DecidedBy, a.DecidedAt, a.DecisionNote = to, actor, &now, note
	if _, err := t.exec(ctx, `UPDATE covert_access SET status = ?, decided_by = ?, decided_at = ?, decision_note = ? WHERE id = ?`,
		string(to), actor, now, note, id); err != nil {
		return err
	}
	action := map[civic.CovertAccessStatus]string{civic.CovertApproved: "approve", civic.CovertRefused: "refuse", civic.CovertWithdrawn: "withdraw"}[to]
	return t.Record(ctx, civic.Change{Action: "covert_access." + action, ObjectType: civic.CovertAccessObject, ObjectID: strconv.FormatInt(id, 10), Before: &before, After: a})
}

// RevokeCovertAccess ends an approved grant as the Tx's actor, an enabled
// SIC commander; taking the role from the last enabled commander is
// refused.
func (t *tx) RevokeCovertAccess(ctx context.Context, id int64, reason string) error {
	a, err := t.CovertAccess(ctx, id)
	if err != nil {
		return err
	}
	if a.Status != civic.CovertApproved {
		return civic.Errorf(civic.KindConflict, "only approved access is revoked; this is %s", a.Status)
	}
	revoker, err := t.User(ctx, t.actor.UserID)
	if err != nil || revoker.DisabledAt != nil || !revoker.Has(civic.RoleSICCommander) {
		return civic.RefuseCovert("revoke_without_commander", a.UserID, "only a SIC commander revokes covert access")
	}
	if reason == "" {
		return civic.Invalid("reason", "say why the access ends")
	}
	before := *a
	if a.Kind == civic.CovertCommander {
		n, err := t.commanders(ctx, a.UserID)
		if err != nil {
			return err
		}
		if n == 0 {
			return civic.Errorf(civic.KindConflict, "%s is the only SIC commander: another commander must be approved first, so that covert profiles and their audits always have a commander", a.User)
		}
		if _, err := t.exec(ctx, `DELETE FROM user_roles WHERE user_id = ? AND role = 'sic_commander'`, a.UserID); err != nil {
			return err
		}
		if err := t.touchUser(ctx, a.UserID); err != nil {
			return err
		}
	}
	now := t.Now()
	a.Status, a.RevokedBy, a.RevokedAt, a.RevokeReason, a.Revoker = civic.CovertRevoked, revoker.ID, &now, reason, revoker.Email
	if _, err := t.exec(ctx, `UPDATE covert_access SET status = ?, revoked_by = ?, revoked_at = ?, revoke_reason = ? WHERE id = ?`,
		string(a.Status), revoker.ID, now, reason, id); err != nil {
		return err
	}
	return t.Record(ctx, civic.Change{Action: "covert_access.revoke", ObjectType: civic.CovertAccessObject, ObjectID: strconv.FormatInt(id, 10), Before: &before, After: a})
}

// BootstrapCommander makes the city's first SIC commander, only while no
// user holds the role (enabled or not).
func (t *tx) BootstrapCommander(ctx context.Context, userID int64, reason string) error {
	var n int
	if err := t.queryRow(ctx, `SELECT COUNT(*) FROM user_roles WHERE role = 'sic_commander'`).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return civic.RefuseCovert("bootstrap_commander", userID, "a SIC commander already exists: covert access is now given only by a commander's proposal and the covert approver's approval (Covert access page)")
	}
	u, err := t.accessUser(ctx, "user", userID)
	if err != nil {
		return err
	}
	if err := refuseUserManager("bootstrap_user_manager", u); err != nil {
		return err
	}
	if err := t.freshStart(ctx, u.ID); err != nil {
		return err
	}
	now := t.Now()
	a := &civic.CovertAccess{UserID: u.ID, Kind: civic.CovertCommander, Status: civic.CovertApproved, Reason: reason, ProposedAt: now, DecidedAt: &now, User: u.Email}
	if err := t.queryRow(ctx, `INSERT INTO covert_access (user_id, kind, status, reason, proposed_at, decided_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
		a.UserID, string(a.Kind), string(a.Status), a.Reason, now, now).Scan(&a.ID); err != nil {
		return err
	}
	if _, err := t.exec(ctx, `INSERT INTO user_roles (user_id, role) VALUES (?, 'sic_commander')`, u.ID); err != nil {
		return err
	}
	if err := t.touchUser(ctx, u.ID); err != nil {
		return err
	}
	return t.Record(ctx, civic.Change{Action: "covert_access.bootstrap", ObjectType: civic.CovertAccessObject, ObjectID: strconv.FormatInt(a.ID, 10), After: a})
}

// ownPassword refuses covert access to a user whose password was last set
// by someone else (a reset or a new user by IT or an administrator, the
// command line or the demo): whoever set it could sign in as them once
// they hold covert access. The user changes it themselves first.
func (t *tx) ownPassword(ctx context.Context, u *civic.User) error {
	if u.PasswordHash == "" {
		return nil
	}
	var by int64
	err := t.queryRow(ctx, `SELECT actor_id FROM audit_events WHERE object_type = 'user' AND object_id = ? AND action IN ('user.create', 'user.set_password')
		ORDER BY seq DESC LIMIT 1`, strconv.FormatInt(u.ID, 10)).Scan(&by)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && by != u.ID) {
		return civic.RefuseCovert("approve_password_set_by_another", u.ID,
			"%s's password was last set by someone else, who could sign in as them: they change it themselves first (Your account), then the access can be approved", u.Email)
	}
	return err
}

// freshStart revokes the API tokens and ends the sessions of a user about
// to get covert access: a token someone else made for them before, or a
// session started through a provider someone else runs, must not carry
// over into covert access.
func (t *tx) freshStart(ctx context.Context, userID int64) error {
	if _, err := t.exec(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL`, t.Now(), userID); err != nil {
		return err
	}
	return t.deleteSessions(ctx, userID, nil)
}

// guardCovert refuses attempt on userID unless the Tx's actor is that user
// or the user holds no covert access.
func (t *tx) guardCovert(ctx context.Context, attempt string, userID int64) error {
	if t.actor.UserID == userID && userID != 0 {
		return nil
	}
	holds, err := t.HoldsCovertAccess(ctx, userID)
	if err != nil || !holds {
		return err
	}
	msg := map[string]string{
		"reset_password": "this user holds covert access: nobody else sets their password; they change it themselves after signing in, or sign in through single sign-on",
		"create_token":   "this user holds covert access: only they create their own API tokens",
		"revoke_token":   "this user holds covert access: only they revoke their own API tokens",
		"create_session": "this user holds covert access: only they sign themselves in",
		"end_sessions":   "this user holds covert access: only they sign themselves out",
		"link_sso":       "this user holds covert access: single sign-on is not linked to it by e-mail address; they sign in with their password",
	}[attempt]
	if msg == "" {
		msg = "this user holds covert access: nobody else does this for them"
	}
	return civic.RefuseCovert(attempt, userID, "%s", msg)
}

// guardGrants refuses a change of userID's roles from before to after that
// gives or takes the sic_commander role, or that gives a covert user a role
// that manages users.
func (t *tx) guardGrants(ctx context.Context, userID int64, before, after []civic.Grant) error {
	has := func(gs []civic.Grant) bool {
		for _, g := range gs {
			if g.Role == civic.RoleSICCommander {
				return true
			}
		}
		return false
	}
	if has(before) != has(after) {
		return civic.RefuseCovert("set_roles", userID, "the sic_commander role is not given or taken here: a SIC commander proposes covert access and the covert approver approves it on the Covert access page, and a commander revokes it there")
	}
	if !civic.ManagesUsers(after) {
		return nil
	}
	holds := has(after)
	if !holds && userID != 0 {
		var err error
		if holds, err = t.HoldsCovertAccess(ctx, userID); err != nil {
			return err
		}
	}
	if holds {
		return civic.RefuseCovert("set_roles", userID, "this user holds covert access; whoever holds it never also holds the admin or it role")
	}
	return nil
}
