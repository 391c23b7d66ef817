package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"maps"
	"strconv"
	"strings"

	"steward.city/steward/internal/civic"
)

const holdColumns = `h.id, h.matter, h.accounts, h.from_time, h.until_time, h.query, h.placed_by, h.placed_at, h.released_by, h.released_at, h.release_reason,
	(SELECT COUNT(*) FROM archive_hold_items hi WHERE hi.hold_id = h.id)`

func scanHold(row interface{ Scan(...any) error }) (*civic.Hold, error) {
	var h civic.Hold
	var accounts string
	var from, until, released sql.NullTime
	if err := row.Scan(&h.ID, &h.Matter, &accounts, &from, &until, &h.Query, &h.PlacedBy, &h.PlacedAt, &h.ReleasedBy, &released, &h.ReleaseReason, &h.Items); err != nil {
		return nil, err
	}
	h.PlacedAt = h.PlacedAt.UTC()
	h.From, h.Until, h.ReleasedAt = nullTime(from), nullTime(until), nullTime(released)
	if err := json.Unmarshal([]byte(accounts), &h.Accounts); err != nil {
		return nil, err
	}
	return &h, nil
}

// Holds lists every hold, newest first.
func (r *reader) Holds(ctx context.Context) ([]*civic.Hold, error) {
	rows, err := r.query(ctx, `SELECT `+holdColumns+` FROM archive_holds h ORDER BY h.id DESC`)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanHold)
}

// Hold returns the hold with the given ID.
func (r *reader) Hold(ctx context.Context, id int64) (*civic.Hold, error) {
	h, err := scanHold(r.queryRow(ctx, `SELECT `+holdColumns+` FROM archive_holds h WHERE h.id = ?`, id))
	return h, notFound(err, "hold")
}

// HeldItemIDs reports which of ids an active hold covers.
func (r *reader) HeldItemIDs(ctx context.Context, ids []int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	for lo := 0; lo < len(ids); lo += batchRows {
		part := ids[lo:min(lo+batchRows, len(ids))]
		rows, err := r.query(ctx, `SELECT DISTINCT hi.item_id FROM archive_hold_items hi JOIN archive_holds h ON h.id = hi.hold_id
			WHERE h.released_at IS NULL AND hi.item_id IN (`+placeholders(len(part))+`)`, int64Args(part)...)
		if err != nil {
			return nil, err
		}
		held, err := scanIDs(rows)
		if err != nil {
			return nil, err
		}
		maps.Copy(out, held)
	}
	return out, nil
}

// PlaceHold stores h and links the items it covers now.
func (t *tx) PlaceHold(ctx context.Context, h *civic.Hold, itemIDs []int64) error {
	h.Matter = strings.TrimSpace(h.Matter)
	if h.Matter == "" {
		return civic.Invalid("matter", "name the matter the hold is for")
	}
	if len(h.Matter) > 200 {
		return civic.Invalid("matter", "the matter name is longer than 200 characters")
	}
	if h.From != nil && h.Until != nil && !h.Until.After(*h.From) {
		return civic.Invalid("until", "the end of the range must be after its start")
	}
	if h.Accounts == nil {
		h.Accounts = []string{}
	}
	accounts, _ := json.Marshal(h.Accounts)
	h.PlacedAt = t.Now()
	h.PlacedBy = t.actor.Label
	var from, until any
	if h.From != nil {
		from = dbTime(*h.From)
	}
	if h.Until != nil {
		until = dbTime(*h.Until)
	}
	if err := t.queryRow(ctx, `INSERT INTO archive_holds (matter, accounts, from_time, until_time, query, placed_by, placed_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		h.Matter, string(accounts), from, until, h.Query, h.PlacedBy, h.PlacedAt).Scan(&h.ID); err != nil {
		return err
	}
	for lo := 0; lo < len(itemIDs); lo += batchRows {
		part := itemIDs[lo:min(lo+batchRows, len(itemIDs))]
		args := make([]any, 0, 2*len(part))
		for _, id := range part {
			args = append(args, h.ID, id)
		}
		if _, err := t.exec(ctx, `INSERT INTO archive_hold_items (hold_id, item_id) VALUES `+valueRows(len(part), 2)+` ON CONFLICT DO NOTHING`, args...); err != nil {
			return err
		}
	}
	h.Items = len(itemIDs)
	return t.Record(ctx, civic.Change{Action: "archive.hold_place", ObjectType: "hold", ObjectID: strconv.FormatInt(h.ID, 10), After: h})
}

// ReleaseHold ends a hold, keeping it and its items as history.
func (t *tx) ReleaseHold(ctx context.Context, id int64, reason string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return civic.Invalid("reason", "say why the hold is released")
	}
	before, err := t.Hold(ctx, id)
	if err != nil {
		return err
	}
	if !before.Active() {
		return civic.Errorf(civic.KindConflict, "the hold was already released")
	}
	now := t.Now()
	if _, err := t.exec(ctx, `UPDATE archive_holds SET released_by = ?, released_at = ?, release_reason = ? WHERE id = ?`, t.actor.Label, now, reason, id); err != nil {
		return err
	}
	after := *before
	after.ReleasedAt, after.ReleasedBy, after.ReleaseReason = &now, t.actor.Label, reason
	return t.Record(ctx, civic.Change{Action: "archive.hold_release", ObjectType: "hold", ObjectID: strconv.FormatInt(id, 10), Before: before, After: &after})
}
