package web

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/plain"
)

// templateFuncs are the functions the templates call; times are shown
// in the city's zone, loc.
func templateFuncs(loc *time.Location) template.FuncMap {
	return template.FuncMap{
		"div100": func(c int64) int64 { return c / 100 },
		"mod100": func(c int64) int64 { return c % 100 },
		"list":   func(s ...string) []string { return s },
		"inc":    func(i int) int { return i + 1 },
		// bytes writes a file's size: "1.2 MB (1,234,567 bytes)".
		"bytes": plain.Size,
		// networkLimits is every network's limit as "mastodon:500 x:280 …"
		// for the character counter.
		"networkLimits": networkLimits,
		// count writes "1 entry" or "3 entries".
		"count": func(n any, one, many string) (string, error) {
			i, err := toInt(n)
			return plain.Count(i, one, many), err
		},
		// plural writes the noun alone, for a number set apart: "comment"
		// for 1, "comments" otherwise.
		"plural": func(n any, one, many string) (string, error) {
			i, err := toInt(n)
			if i == 1 {
				return one, err
			}
			return many, err
		},
		// duration writes "1 hour 30 minutes", never Go's "1h30m0s".
		"duration": plain.Duration,
		// time writes an instant in the city's zone: Dec 2, 2026, 6:22 PM CST.
		"time": func(t time.Time) string { return plain.Time(t, loc) },
		"timep": func(t *time.Time) string {
			if t == nil {
				return ""
			}
			return plain.Time(*t, loc)
		},
		// date writes the city's day of an instant: Dec 2, 2026.
		"date": func(t time.Time) string { return plain.Date(t, loc) },
		// day writes a calendar day stored as midnight UTC (a due date, a
		// date typed into a form) as it is: Dec 2, 2026.
		// A nil *time.Time (no date yet) is "".
		"day": func(v any) (string, error) {
			switch d := v.(type) {
			case time.Time:
				return plain.Day(d), nil
			case *time.Time:
				if d == nil {
					return "", nil
				}
				return plain.Day(*d), nil
			}
			return "", fmt.Errorf("day: %T is not a time", v)
		},
		// longdate writes the city's day of an instant in words, for
		// residents: Monday, November 30, 2026.
		"longdate":  func(t time.Time) string { return plain.LongDate(t, loc) },
		"roleLabel": func(r civic.Role) string { return r.Label() },
		"platform":  civic.PlatformName, // "youtube" as "YouTube"
		// withheld is the words a redaction covers in a version's text;
		// "" when its span does not fit the text (a redaction is checked
		// when it is made; a page never fails for one that was not).
		"withheld": func(text string, start, end int) string {
			if start < 0 || end > len(text) || start >= end {
				return ""
			}
			return text[start:end]
		},
		// words writes a code in words: "local_media" is "local media",
		// "auth.sign_in" "Sign-in: sign in". Pages show words, the API
		// codes.
		"words":     func(v any) string { return plain.Words(fmt.Sprint(v)) },
		"language":  plain.Language,
		"kindLabel": func(k civic.PersonKind) string { return k.Label() },
		"errFor":    errFor,
		"linkPages": linkPages,
		"invalid":   func(errs []FieldError, f string) bool { return errFor(errs, f) != nil },
		"describe": func(errs []FieldError, f string, hint string) template.HTMLAttr {
			var ids []string
			if hint != "" {
				ids = append(ids, hint)
			}
			if errFor(errs, f) != nil {
				ids = append(ids, "e-"+f)
			}
			if len(ids) == 0 {
				return ""
			}
			return template.HTMLAttr(`aria-describedby="` + template.HTMLEscapeString(strings.Join(ids, " ")) + `"`)
		},
		"deptName": func(ds []*civic.Department, id int64) string {
			for _, d := range ds {
				if d.ID == id {
					return d.Name
				}
			}
			return ""
		},
		"eq64":       func(a, b int64) bool { return a == b },
		"input":      formInput,
		"approvalAt": approvalAt,
		"personName": func(ps []*civic.Person, id int64) string {
			for _, p := range ps {
				if p.ID == id {
					return p.Name
				}
			}
			return ""
		},
		"pretty": prettyJSON,
		// next is the number after n, a decimal string: the "before" that
		// lists event n first.
		"next": func(n string) string {
			i, _ := strconv.ParseInt(n, 10, 64)
			return strconv.FormatInt(i+1, 10)
		},
		"rolesData": func(rs []civic.Role, ds []*civic.Department, f userForm, errs []FieldError) map[string]any {
			return map[string]any{"Roles": rs, "Departments": ds, "Form": f, "Errors": errs}
		},
		"personFields": func(p any, ds []*civic.Department, ks []civic.PersonKind, errs []FieldError) personForm {
			var form *civic.Person
			switch v := p.(type) {
			case civic.Person:
				form = &v
			case *civic.Person:
				form = v
			}
			return personForm{Form: form, Departments: ds, Kinds: ks, Errors: errs}
		},
	}
}

// personForm is what the person-fields template needs.
type personForm struct {
	Form        *civic.Person
	Departments []*civic.Department
	Kinds       []civic.PersonKind
	Errors      []FieldError
}

// toInt reads a count of any integer type.
func toInt(n any) (int, error) {
	switch v := n.(type) {
	case int:
		return v, nil
	case int64:
		return int(v), nil
	case int32:
		return int(v), nil
	case uint64:
		return int(v), nil
	}
	return 0, fmt.Errorf("count: %T is not a number", n)
}

// linkPages escapes a message and turns the paths of pages it names ("set
// one at /settings/approvals") into links with the page's name; the API's
// message keeps the path.
func linkPages(msg string) template.HTML {
	s := template.HTMLEscapeString(msg)
	for _, p := range [...]struct{ path, name string }{
		{"/settings/approvals", "Approval settings"},
	} {
		s = strings.ReplaceAll(s, p.path, `<a href="`+p.path+`">`+p.name+`</a>`)
	}
	return template.HTML(s)
}
