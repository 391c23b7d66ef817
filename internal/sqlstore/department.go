package sqlstore

import (
	"context"
	"database/sql"
	"strconv"

	"steward.city/steward/internal/civic"
)

const departmentColumns = `id, slug, name, created_at, updated_at`

func scanDepartment(row interface{ Scan(...any) error }) (*civic.Department, error) {
	var d civic.Department
	if err := row.Scan(&d.ID, &d.Slug, &d.Name, &d.CreatedAt, &d.UpdatedAt); err != nil {
		return nil, err
	}
	d.CreatedAt, d.UpdatedAt = d.CreatedAt.UTC(), d.UpdatedAt.UTC()
	return &d, nil
}

// Department returns the department with the given ID.
func (r *reader) Department(ctx context.Context, id int64) (*civic.Department, error) {
	d, err := scanDepartment(r.queryRow(ctx, `SELECT `+departmentColumns+` FROM departments WHERE id = ?`, id))
	return d, notFound(err, "department")
}

// DepartmentBySlug returns the department with the given slug.
func (r *reader) DepartmentBySlug(ctx context.Context, slug string) (*civic.Department, error) {
	d, err := scanDepartment(r.queryRow(ctx, `SELECT `+departmentColumns+` FROM departments WHERE slug = ?`, slug))
	return d, notFound(err, "department")
}

// Departments lists every department by name.
func (r *reader) Departments(ctx context.Context) ([]*civic.Department, error) {
	rows, err := r.query(ctx, `SELECT `+departmentColumns+` FROM departments ORDER BY name`)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanDepartment)
}

// collect scans every row with scan and closes rows.
func collect[T any](rows *sql.Rows, scan func(interface{ Scan(...any) error }) (*T, error)) ([]*T, error) {
	defer rows.Close()
	var out []*T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// CreateDepartment validates and stores d, setting its ID and times.
func (t *tx) CreateDepartment(ctx context.Context, d *civic.Department) error {
	d.Normalize()
	if err := d.Validate(); err != nil {
		return err
	}
	d.CreatedAt = t.Now()
	d.UpdatedAt = d.CreatedAt
	err := t.queryRow(ctx, `INSERT INTO departments (slug, name, created_at, updated_at) VALUES (?, ?, ?, ?) RETURNING id`,
		d.Slug, d.Name, d.CreatedAt, d.UpdatedAt).Scan(&d.ID)
	if err != nil {
		return t.conflict(err, "department")
	}
	return t.Record(ctx, civic.Change{Action: "department.create", ObjectType: "department", ObjectID: strconv.FormatInt(d.ID, 10), After: d})
}

// UpdateDepartment validates and stores new values for d's slug and name.
func (t *tx) UpdateDepartment(ctx context.Context, d *civic.Department) error {
	d.Normalize()
	if err := d.Validate(); err != nil {
		return err
	}
	before, err := t.Department(ctx, d.ID)
	if err != nil {
		return err
	}
	d.CreatedAt = before.CreatedAt
	d.UpdatedAt = t.Now()
	if _, err := t.exec(ctx, `UPDATE departments SET slug = ?, name = ?, updated_at = ? WHERE id = ?`, d.Slug, d.Name, d.UpdatedAt, d.ID); err != nil {
		return t.conflict(err, "department")
	}
	return t.Record(ctx, civic.Change{Action: "department.update", ObjectType: "department", ObjectID: strconv.FormatInt(d.ID, 10), Before: before, After: d})
}
