package platform

import (
	"html"
	"regexp"
	"strings"
)

var (
	htmlBreak = regexp.MustCompile(`(?i)<br\s*/?>|</p>\s*<p[^>]*>|</(p|div|li|h[1-6]|blockquote)>`)
	htmlTag   = regexp.MustCompile(`<[^>]*>`)
	blankRuns = regexp.MustCompile(`\n{3,}`)
)

// HTMLText returns the readable text of an HTML fragment, as networks send
// posts (Mastodon's content): paragraphs and line breaks become new lines,
// tags are dropped and entities decoded. The raw payload keeps the HTML.
func HTMLText(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return strings.TrimSpace(s)
	}
	s = htmlBreak.ReplaceAllString(s, "\n")
	s = htmlTag.ReplaceAllString(s, "")
	s = html.UnescapeString(s)
	s = blankRuns.ReplaceAllString(s, "\n\n")
	return strings.TrimSpace(s)
}
