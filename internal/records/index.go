package records

import (
	"context"
	"html/template"
	"io"

	"steward.city/steward/internal/civic"
)

// indexHead opens data/index.html: a plain, accessible page that needs no
// script or style sheet from elsewhere.
var indexHead = template.Must(template.New("head").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Records request {{.ID}}: records produced</title>
<style>
body{font-family:system-ui,sans-serif;max-width:50rem;margin:1rem auto;padding:0 1rem;line-height:1.5;color:#1a1a1a}
article{border-left:4px solid #5a5a5a;padding-left:1rem;margin:1rem 0}
.note{font-weight:bold;color:#8a1c00}
.redacted{background:#1a1a1a;color:#fff}
</style>
</head>
<body>
<main>
<h1>Records request {{.ID}}</h1>
<p>{{.Description}}</p>
<p>Requester: {{.Requester}}. Received {{.ReceivedOn.Format "2006-01-02"}}.</p>
<p>Each item below shows every version captured, oldest first. Versions marked
<span class="note">edited</span> changed the text; versions marked
<span class="note">removed</span> were hidden or deleted on the platform.
Text withheld under the Minnesota Government Data Practices Act reads
<span class="redacted">[REDACTED 13.xx]</span>, citing the section; data/redactions.jsonl lists each redaction.</p>
`))

// writeIndex writes data/index.html, thread by thread, from the chunks
// of reader i of cr.
func (s *Service) writeIndex(ctx context.Context, w io.Writer, r *civic.RecordsRequest, cr *chunkReader, i int, byVersion map[int64][]*civic.Redaction, tr *tracker) error {
	if err := indexHead.Execute(w, r); err != nil {
		return err
	}
	var last threadKey
	var buf []byte
	first := true
	for c := cr.next(ctx, i); c != nil; c = cr.next(ctx, i) {
		for _, k := range c.keys {
			if first || k.account != last.account || k.thread != last.thread {
				if !first {
					buf = append(buf, "</section>\n"...)
				}
				buf = appendThread(buf, k.thread, k.account)
			}
			first, last = false, k
			buf = appendIndexItem(buf, c.byItem[k.id], byVersion)
			if len(buf) >= 1<<16 {
				if _, err := w.Write(buf); err != nil {
					return err
				}
				buf = buf[:0]
			}
		}
		tr.add(int64(len(c.keys)))
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if !first {
		buf = append(buf, "</section>\n"...)
	}
	buf = append(buf, "</main>\n</body>\n</html>\n"...)
	_, err := w.Write(buf)
	return err
}

// indexBatch is how many items index.html reads at a time.
const indexBatch = 500

// The threads and items of index.html are written by hand rather than by
// html/template, which cost a reflective walk per item: every value is
// escaped by htmlEscape exactly as html/template escapes text (the test
// holds the template this replaces and compares the two on crafted text).

// appendThread opens a thread's section.
func appendThread(buf []byte, thread, account string) []byte {
	buf = append(buf, "<section>\n<h2>Thread "...)
	buf = htmlEscape(buf, thread)
	buf = append(buf, " on "...)
	buf = htmlEscape(buf, account)
	return append(buf, "</h2>\n"...)
}

// appendIndexItem renders one item and its versions, oldest first.
func appendIndexItem(buf []byte, vs []*civic.Version, byVersion map[int64][]*civic.Redaction) []byte {
	if len(vs) == 0 {
		return buf
	}
	it := vs[0]
	buf = append(buf, "<article>\n<h3>"...)
	buf = htmlEscape(buf, string(it.Kind))
	buf = append(buf, ' ')
	buf = htmlEscape(buf, it.PlatformID)
	if it.ParentID != "" {
		buf = append(buf, ", in reply to "...)
		buf = htmlEscape(buf, it.ParentID)
	}
	buf = append(buf, "</h3>\n<ol>\n"...)
	prev := ""
	for j, v := range vs {
		text := v.Text
		if ds := byVersion[v.ID]; len(ds) > 0 && v.DisposedAt == nil {
			text = redact(text, ds)
		}
		buf = append(buf, "<li><p>Captured "...)
		buf = htmlEscape(buf, v.CapturedAt.Format("2006-01-02 15:04:05 UTC"))
		buf = append(buf, " by "...)
		buf = htmlEscape(buf, v.Author.Name)
		buf = append(buf, " ("...)
		buf = htmlEscape(buf, v.Author.Handle)
		buf = append(buf, ')')
		if j > 0 && v.Text != prev {
			buf = append(buf, ` <span class="note">edited</span>`...)
		}
		if v.State.Removed() {
			buf = append(buf, ` <span class="note">removed (`...)
			buf = htmlEscape(buf, string(v.State))
			buf = append(buf, ")</span>"...)
		}
		if v.DisposedAt != nil {
			buf = append(buf, ` <span class="note">disposed of</span>`...)
		}
		buf = append(buf, "</p>\n<blockquote><p>"...)
		buf = htmlEscape(buf, text)
		buf = append(buf, "</p></blockquote>\n"...)
		for _, m := range v.Media {
			buf = append(buf, "<p>Media: "...)
			buf = htmlEscape(buf, m.Type)
			buf = append(buf, ", file data/media/"...)
			buf = htmlEscape(buf, m.SHA256)
			buf = append(buf, "</p>"...)
		}
		buf = append(buf, "\n</li>\n"...)
		prev = v.Text
	}
	return append(buf, "</ol>\n</article>\n"...)
}

// htmlEscape appends s escaped as html/template escapes text: NUL becomes
// U+FFFD and " & ' + < > character references; every other byte, invalid
// UTF-8 included, is kept.
func htmlEscape(buf []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); i++ {
		var repl string
		switch s[i] {
		case 0:
			repl = "\uFFFD"
		case '"':
			repl = "&#34;"
		case '&':
			repl = "&amp;"
		case '\'':
			repl = "&#39;"
		case '+':
			repl = "&#43;"
		case '<':
			repl = "&lt;"
		case '>':
			repl = "&gt;"
		default:
			continue
		}
		buf = append(append(buf, s[start:i]...), repl...)
		start = i + 1
	}
	return append(buf, s[start:]...)
}
