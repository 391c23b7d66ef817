package platform

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// HTMLText returns the readable text of an HTML fragment, as networks send
// posts (Mastodon's content). The raw payload keeps the HTML.
//
// The fragment is read by the HTML tokenizer of golang.org/x/net/html, so a
// '>' inside a quoted attribute ends no tag and a comment is a comment:
//   - text is kept as written, entities decoded (&amp; is "&", &nbsp; a
//     no-break space);
//   - each <br> starts a new line;
//   - a block element (p, div, li, blockquote, h1 to h6, pre, tr and the like)
//     begins and ends a line, so paragraphs and list items are one per line,
//     one new line apart, with no bullet or number;
//   - cells of a table row are one space apart;
//   - tags, comments and what script and style elements hold are dropped;
//   - white space between two blocks, or between a block and a line break, is
//     dropped; other white space is kept as written, except that three or
//     more new lines in a row become two;
//   - bytes that are not UTF-8 become U+FFFD, and the result is trimmed.
//
// Malformed HTML (an unclosed tag, a stray '<') is read the way a browser
// reads it.
func HTMLText(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return strings.TrimSpace(strings.ToValidUTF8(s, "\uFFFD"))
	}
	var w textWriter
	z := html.NewTokenizer(strings.NewReader(s))
	dropText := false // the next text is what a script or style element holds
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break // io.EOF: a strings.Reader fails in no other way
		}
		name, _ := z.TagName()
		a := atom.Lookup(name)
		switch tt {
		case html.TextToken:
			if !dropText {
				w.text(string(z.Text()))
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			switch {
			case a == atom.Script || a == atom.Style:
				// Their content is read as raw text, up to the end tag.
				dropText = tt == html.StartTagToken
				continue
			case a == atom.Br:
				w.lineBreak()
			case a == atom.Td || a == atom.Th:
				w.space()
			case isBlock(a):
				w.blockBreak()
				if a == atom.Pre && tt == html.StartTagToken {
					w.pre++
				}
			}
			// Title, textarea and a few others would hold raw text; read
			// their content as HTML instead, so no markup in it reaches
			// the result as text.
			z.NextIsNotRawText()
		case html.EndTagToken:
			switch {
			case a == atom.Br: // </br> is read as <br> by browsers
				w.lineBreak()
			case isBlock(a):
				w.blockBreak()
				if a == atom.Pre && w.pre > 0 {
					w.pre--
				}
			}
		}
		dropText = false
	}
	return strings.TrimSpace(strings.ToValidUTF8(collapseNewlines(w.b.String()), "\uFFFD"))
}

// isBlock reports whether an element begins and ends a line of text.
func isBlock(a atom.Atom) bool {
	switch a {
	case atom.Address, atom.Article, atom.Aside, atom.Blockquote, atom.Caption,
		atom.Dd, atom.Details, atom.Dialog, atom.Div, atom.Dl, atom.Dt,
		atom.Fieldset, atom.Figcaption, atom.Figure, atom.Footer, atom.Form,
		atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Header,
		atom.Hr, atom.Li, atom.Main, atom.Nav, atom.Ol, atom.P, atom.Pre,
		atom.Section, atom.Summary, atom.Table, atom.Tbody, atom.Tfoot,
		atom.Thead, atom.Tr, atom.Ul:
		return true
	}
	return false
}

// textWriter gathers the text of HTMLText. White space that stands alone
// between two tags waits in blank until text follows it; a line break drops it.
type textWriter struct {
	b     strings.Builder
	blank string
	pre   int // depth inside pre elements, where all white space is kept
}

func (w *textWriter) atLineStart() bool {
	s := w.b.String()
	return s == "" || s[len(s)-1] == '\n'
}

func (w *textWriter) text(t string) {
	if w.pre == 0 && strings.TrimSpace(t) == "" {
		if !w.atLineStart() {
			w.blank += t
		}
		return
	}
	w.b.WriteString(w.blank)
	w.blank = ""
	w.b.WriteString(t)
}

// space separates table cells, unless white space already does.
func (w *textWriter) space() {
	if w.blank == "" && !w.atLineStart() && !strings.HasSuffix(w.b.String(), " ") {
		w.blank = " "
	}
}

func (w *textWriter) lineBreak() {
	w.blank = ""
	w.b.WriteByte('\n')
}

func (w *textWriter) blockBreak() {
	w.blank = ""
	if !w.atLineStart() {
		w.b.WriteByte('\n')
	}
}

// collapseNewlines turns each run of three or more new lines into two.
func collapseNewlines(s string) string {
	if !strings.Contains(s, "\n\n\n") {
		return s
	}
	var b strings.Builder
	run := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			run++
			if run > 2 {
				continue
			}
		} else {
			run = 0
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
