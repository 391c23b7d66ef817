package plain

import "strings"

// areas name the parts of Steward an audit action code begins with.
var areas = map[string]string{
	"auth":       "Sign-in",
	"setting":    "Settings",
	"account":    "Accounts",
	"archive":    "Archive",
	"capture":    "Capture",
	"moderation": "Moderation",
	"records":    "Records",
	"case":       "Conduct cases",
	"policy":     "Policies",
	"follow":     "Follows",
	"contract":   "Contracts",
	"poster":     "Posting",
	"user":       "Users",
	"person":     "People",
	"department": "Departments",
	"token":      "API tokens",
	"covert":     "Covert profiles",
}

// shorter spells out the abbreviations codes use.
var shorter = map[string]string{
	"info": "information", "ip": "intellectual property", "id": "number",
	"sic": "SIC", "api": "API", "pdf": "PDF", "url": "web address",
}

// Words writes a code as words a person reads: "local_media" becomes
// "local media", "private_info" "private information", and an action
// code "moderation.form_create" "Moderation: form create". The code
// itself stays in the API and the database; pages show its words.
func Words(code string) string {
	area, rest, ok := strings.Cut(code, ".")
	if !ok {
		return words(code)
	}
	name, known := areas[area]
	if !known {
		name = words(area)
		if name != "" {
			name = strings.ToUpper(name[:1]) + name[1:]
		}
	}
	return name + ": " + words(rest)
}

// words replaces underscores and dots by spaces and spells out
// abbreviations.
func words(s string) string {
	f := strings.FieldsFunc(s, func(r rune) bool { return r == '_' || r == '.' || r == '-' })
	for i, w := range f {
		if long, ok := shorter[w]; ok {
			f[i] = long
		}
	}
	return strings.Join(f, " ")
}
