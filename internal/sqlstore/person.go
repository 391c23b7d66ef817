package sqlstore

import (
	"context"
	"strconv"
	"strings"

	"steward.city/steward/internal/civic"
)

const personColumns = `id, name, email, title, kind, department_id, created_at, updated_at`

func scanPerson(row interface{ Scan(...any) error }) (*civic.Person, error) {
	var p civic.Person
	if err := row.Scan(&p.ID, &p.Name, &p.Email, &p.Title, &p.Kind, &p.DepartmentID, &p.CreatedAt, &p.UpdatedAt); err != nil {
		return nil, err
	}
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	return &p, nil
}

// Person returns the covered person with the given ID.
func (r *reader) Person(ctx context.Context, id int64) (*civic.Person, error) {
	p, err := scanPerson(r.queryRow(ctx, `SELECT `+personColumns+` FROM people WHERE id = ?`, id))
	return p, notFound(err, "person")
}

// People lists covered persons matching f by name.
func (r *reader) People(ctx context.Context, f civic.PersonFilter) ([]*civic.Person, error) {
	var where []string
	var args []any
	if f.DepartmentID != 0 {
		where, args = append(where, "department_id = ?"), append(args, f.DepartmentID)
	}
	if f.Kind != "" {
		where, args = append(where, "kind = ?"), append(args, string(f.Kind))
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		like := "%" + escapeLike(strings.ToLower(q)) + "%"
		where, args = append(where, `(LOWER(name) LIKE ? ESCAPE '\' OR email LIKE ? ESCAPE '\')`), append(args, like, like)
	}
	q := `SELECT ` + personColumns + ` FROM people`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	rows, err := r.query(ctx, q+` ORDER BY name, id`, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanPerson)
}

// checkDepartment reports a KindInvalid error on field when id is not a department.
func (r *reader) checkDepartment(ctx context.Context, field string, id int64) error {
	if _, err := r.Department(ctx, id); err != nil {
		if civic.ErrorKind(err) == civic.KindNotFound {
			return civic.Invalid(field, "department %d does not exist", id)
		}
		return err
	}
	return nil
}

// CreatePerson validates and stores p.
func (t *tx) CreatePerson(ctx context.Context, p *civic.Person) error {
	p.Normalize()
	if err := p.Validate(); err != nil {
		return err
	}
	if err := t.checkDepartment(ctx, "department_id", p.DepartmentID); err != nil {
		return err
	}
	p.CreatedAt = t.Now()
	p.UpdatedAt = p.CreatedAt
	err := t.queryRow(ctx, `INSERT INTO people (name, email, title, kind, department_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		p.Name, p.Email, p.Title, string(p.Kind), p.DepartmentID, p.CreatedAt, p.UpdatedAt).Scan(&p.ID)
	if err != nil {
		return t.conflict(err, "person")
	}
	return t.Record(ctx, civic.Change{Action: "person.create", ObjectType: "person", ObjectID: strconv.FormatInt(p.ID, 10), After: p})
}

// UpdatePerson validates and stores new values for p.
func (t *tx) UpdatePerson(ctx context.Context, p *civic.Person) error {
	p.Normalize()
	if err := p.Validate(); err != nil {
		return err
	}
	before, err := t.Person(ctx, p.ID)
	if err != nil {
		return err
	}
	if err := t.checkDepartment(ctx, "department_id", p.DepartmentID); err != nil {
		return err
	}
	p.CreatedAt = before.CreatedAt
	p.UpdatedAt = t.Now()
	if _, err := t.exec(ctx, `UPDATE people SET name = ?, email = ?, title = ?, kind = ?, department_id = ?, updated_at = ? WHERE id = ?`,
		p.Name, p.Email, p.Title, string(p.Kind), p.DepartmentID, p.UpdatedAt, p.ID); err != nil {
		return t.conflict(err, "person")
	}
	return t.Record(ctx, civic.Change{Action: "person.update", ObjectType: "person", ObjectID: strconv.FormatInt(p.ID, 10), Before: before, After: p})
}
