package civic

import (
	"regexp"
	"strings"
	"time"
)

// Department is a city department: Communications, Police, Public Works…
type Department struct {
	ID        int64     `json:"id"`
	Slug      string    `json:"slug"` // short, stable, lower-case name used in URLs and the CLI
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

var slugPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// Normalize trims the department's text fields.
func (d *Department) Normalize() {
	d.Slug = strings.ToLower(strings.TrimSpace(d.Slug))
	d.Name = strings.TrimSpace(d.Name)
}

// Validate reports the first field of d that is wrong.
func (d *Department) Validate() error {
	if d.Name == "" {
		return Invalid("name", "a department needs a name")
	}
	if len(d.Name) > 200 {
		return Invalid("name", "name is longer than 200 characters")
	}
	if !slugPattern.MatchString(d.Slug) || len(d.Slug) > 60 {
		return Invalid("slug", "slug must be 1 to 60 lower-case letters, digits and single hyphens")
	}
	return nil
}
