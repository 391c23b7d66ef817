package records

import (
	"bytes"
	"html/template"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/civic"
)

// The templates index.html was written with until December 2026: the hand
// writer must write exactly what they write, escaping included.
var (
	refThread = template.Must(template.New("thread").Parse(`<section>
<h2>Thread {{.Thread}} on {{.Account}}</h2>
`))
	refItem = template.Must(template.New("item").Parse(`<article>
<h3>{{.Item.Kind}} {{.Item.PlatformID}}{{if .Item.ParentID}}, in reply to {{.Item.ParentID}}{{end}}</h3>
<ol>
{{range .Versions}}<li><p>Captured {{.V.CapturedAt.Format "2006-01-02 15:04:05 UTC"}} by {{.V.Author.Name}} ({{.V.Author.Handle}}){{if .Edited}} <span class="note">edited</span>{{end}}{{if .V.State.Removed}} <span class="note">removed ({{.V.State}})</span>{{end}}{{if .V.DisposedAt}} <span class="note">disposed of</span>{{end}}</p>
<blockquote><p>{{.Text}}</p></blockquote>
{{range .V.Media}}<p>Media: {{.Type}}, file data/media/{{.SHA256}}</p>{{end}}
</li>
{{end}}</ol>
</article>
`))
)

type refVersion struct {
	V      *civic.Version
	Text   string
	Edited bool
}

func refIndexItem(t *testing.T, vs []*civic.Version, byVersion map[int64][]*civic.Redaction) []byte {
	var buf bytes.Buffer
	views := []refVersion{}
	prev := ""
	for j, v := range vs {
		text := v.Text
		if ds := byVersion[v.ID]; len(ds) > 0 && v.DisposedAt == nil {
			text = redact(text, ds)
		}
		views = append(views, refVersion{V: v, Text: text, Edited: j > 0 && v.Text != prev})
		prev = v.Text
	}
	if err := refItem.Execute(&buf, map[string]any{"Item": vs[0], "Versions": views}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// crafted are strings that html/template must escape, or must not.
var crafted = []string{"", "plain words", `<script>alert("x")</script>`, "a & b", "it's", "1+1", "\x00nul", "\xff\xfe invalid", "\xe2\x80",
	"é ñ 中文 العربية 🙂", "\ufdd0\ufffe\uffff", "\u2028\u2029", "&amp; already", "<!-- -->", "]]>", "{{.Text}}", "line\nbreak\r\n", "\t", "`backtick`", "=",
	"\u0000\u0001\u001f\u007f", "&#34;", "javascript:alert(1)"}

func TestIndexWriterMatchesTemplate(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	s := func() string {
		if rng.IntN(3) == 0 {
			b := make([]byte, rng.IntN(20))
			for i := range b {
				b[i] = byte(rng.Uint32())
			}
			return string(b)
		}
		return crafted[rng.IntN(len(crafted))] + crafted[rng.IntN(len(crafted))]
	}
	at := time.Date(2026, 11, 19, 12, 0, 0, 0, time.FixedZone("CST", -6*3600))
	for i := range 3000 {
		var vs []*civic.Version
		byVersion := map[int64][]*civic.Redaction{}
		states := []civic.ItemState{civic.StateHidden, civic.StateDeleted, civic.ItemState(s()), civic.ItemState("visible")}
		for j := range 1 + rng.IntN(4) {
			v := &civic.Version{ID: int64(j + 1), Kind: civic.ItemKind(s()), PlatformID: s(), CapturedAt: at.Add(time.Duration(rng.Int64N(1e15))),
				Author: civic.Author{Name: s(), Handle: s()}, Text: s(), State: states[rng.IntN(len(states))]}
			if rng.IntN(3) == 0 {
				v.ParentID = s()
			}
			if rng.IntN(5) == 0 {
				d := at
				v.DisposedAt = &d
			}
			for range rng.IntN(3) {
				v.Media = append(v.Media, civic.Media{Type: s(), SHA256: s()})
			}
			if j > 0 && rng.IntN(2) == 0 {
				v.Text = vs[j-1].Text
			}
			if len(v.Text) > 2 && rng.IntN(4) == 0 {
				byVersion[v.ID] = []*civic.Redaction{{VersionID: v.ID, Start: 0, End: 1, Reason: "13.43"}}
			}
			vs = append(vs, v)
		}
		want := refIndexItem(t, vs, byVersion)
		if got := appendIndexItem(nil, vs, byVersion); !bytes.Equal(got, want) {
			t.Fatalf("case %d: the writer wrote\n%q\nthe template\n%q", i, got, want)
		}
		thread, account := s(), s()
		var ref bytes.Buffer
		if err := refThread.Execute(&ref, map[string]string{"Thread": thread, "Account": account}); err != nil {
			t.Fatal(err)
		}
		if got := appendThread(nil, thread, account); !bytes.Equal(got, ref.Bytes()) {
			t.Fatalf("thread %q on %q: the writer wrote %q, the template %q", thread, account, got, ref.Bytes())
		}
	}
	if !strings.Contains(string(appendThread(nil, "<b>", "x")), "&lt;b&gt;") {
		t.Fatal("a tag in a thread's name is not escaped")
	}
}
