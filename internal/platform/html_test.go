package platform

import (
	"strings"
	"testing"
	"unicode/utf8"
)

type htmlTextCase struct{ name, in, want string }

func htmlTextCases() []htmlTextCase {
	return []htmlTextCase{
		{"empty", "", ""},
		{"plain text", "  plain text\n", "plain text"},
		{"plain text with a stray angle", "1 < 2 > 0", "1 < 2 > 0"},
		{"paragraphs", `<p>Hello &amp; welcome</p><p>Second</p>`, "Hello & welcome\nSecond"},
		{"paragraphs on source lines", "<p>one</p>\n<p>two</p>\n", "one\ntwo"},
		{"br", `line<br>two<BR>three`, "line\ntwo\nthree"},
		{"br self-closed", `line<br/>two<br />three`, "line\ntwo\nthree"},
		{"br runs", `a<br><br><br><br>b`, "a\n\nb"},
		{"br inside paragraphs", `<p>a<br />b</p><p>c</p>`, "a\nb\nc"},
		{"attribute holding >", `<a title="a>b">x</a>`, "x"},
		{"attribute holding quotes and tags", `<a title='say "<b>hi</b>"' href="x?a=1&amp;b=2">link</a> after`, "link after"},
		{"entities", `Tom &amp; Jerry &#x27;s &#39;x&#39; &lt;b&gt; a&nbsp;b`, "Tom & Jerry 's 'x' <b> a\u00a0b"},
		{"entity without tags", `fish &amp; chips`, "fish & chips"},
		{"list", "<ul>\n<li>one</li>\n<li>two</li>\n</ul>", "one\ntwo"},
		{"nested lists", `<ul><li>a<ul><li>b</li><li>c</li></ul></li><li>d</li></ul>`, "a\nb\nc\nd"},
		{"ordered list after text", `Steps:<ol><li>first</li><li>second</li></ol>done`, "Steps:\nfirst\nsecond\ndone"},
		{"headings and quotes", `<h1>Title</h1><blockquote>said</blockquote>after`, "Title\nsaid\nafter"},
		{"divs", "<div>a</div>\n<div>b</div>", "a\nb"},
		{"table", `<table><tr><th>day</th><th>hours</th></tr><tr><td>Mon</td><td>9-5</td></tr></table>`, "day hours\nMon 9-5"},
		{"pre keeps white space", "<pre>if x {\n    y\n}</pre>", "if x {\n    y\n}"},
		{"inline white space kept", `<b>a</b> <i>b</i>`, "a b"},
		{"newline runs", "<p>a\n\n\n\nb</p>", "a\n\nb"},
		{"unclosed tags", `<p>one<p>two <b>bold<li>item`, "one\ntwo bold\nitem"},
		{"tag cut at the end", `text <a href="x`, "text"},
		{"stray angles", `<<b>c</b> a < b`, "<c a < b"},
		{"comment", `a<!-- <p>hidden</p> -->b`, "ab"},
		{"unclosed comment", `a<!-- hidden`, "a"},
		{"script and style dropped", `x<script>alert("<p>")</script>y<style>p{}</style>z`, "xyz"},
		{"markup inside a title", `<textarea><b>x</b></textarea>y`, "xy"},
		{"mastodon mention", `<p>Hi <span class="h-card" translate="no"><a href="https://social.example/@user" class="u-url mention">@<span>user</span></a></span></p>`, "Hi @user"},
		{"mastodon link", `<p><a href="https://x.example" rel="nofollow noopener" target="_blank"><span class="invisible">https://</span><span class="">x.example</span><span class="invisible"></span></a></p>`, "https://x.example"},
		{"invalid utf-8", "<p>bad \xff byte</p>", "bad \ufffd byte"},
	}
}

func TestHTMLTextCases(t *testing.T) {
	for _, c := range htmlTextCases() {
		if got := HTMLText(c.in); got != c.want {
			t.Errorf("%s: HTMLText(%q) = %q, want %q", c.name, c.in, got, c.want)
		}
	}
}

// FuzzHTMLText checks that any input gives trimmed UTF-8, with no more than
// one blank line in a row where the input holds markup or an entity (plain
// text keeps its lines as written), and that markup never leaks into the
// text: when
// every '<' in the input opens a tag, a comment or a declaration and no entity
// could spell one, the text holds no '<'.
func FuzzHTMLText(f *testing.F) {
	for _, c := range htmlTextCases() {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := HTMLText(in)
		if !utf8.ValidString(out) {
			t.Fatalf("HTMLText(%q) = %q: not UTF-8", in, out)
		}
		if out != strings.TrimSpace(out) {
			t.Fatalf("HTMLText(%q) = %q: not trimmed", in, out)
		}
		if strings.ContainsAny(in, "<&") && strings.Contains(out, "\n\n\n") {
			t.Fatalf("HTMLText(%q) = %q: more than one blank line", in, out)
		}
		if !strings.Contains(in, "&") && onlyMarkupAngles(in) && strings.Contains(out, "<") {
			t.Fatalf("HTMLText(%q) = %q: markup left in the text", in, out)
		}
	})
}

// onlyMarkupAngles reports whether every '<' in s starts a tag ("<a", "</a"),
// a comment or a declaration ("<!", "<?").
func onlyMarkupAngles(s string) bool {
	letter := func(i int) bool {
		return i < len(s) && ('a' <= s[i] && s[i] <= 'z' || 'A' <= s[i] && s[i] <= 'Z')
	}
	for i := 0; i < len(s); i++ {
		if s[i] != '<' {
			continue
		}
		switch {
		case letter(i + 1):
		case i+1 < len(s) && (s[i+1] == '!' || s[i+1] == '?'):
		case i+1 < len(s) && s[i+1] == '/' && letter(i+2):
		default:
			return false
		}
	}
	return true
}
