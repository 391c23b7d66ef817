package plain

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

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

// Language writes a language code from a model card or a detector ("so",
// "vi", "zh") as its English name ("Somali", "Vietnamese", "Chinese");
// a code that is not a language ("mixed", "unknown") is written in words.
func Language(code string) string {
	if tag, err := language.Parse(code); err == nil && len(code) <= 8 {
		if name := display.English.Languages().Name(tag); name != "" {
			return name
		}
	}
	w := words(code)
	if w == "" {
		return w
	}
	r, n := utf8.DecodeRuneInString(w)
	return string(unicode.ToUpper(r)) + w[n:]
}
