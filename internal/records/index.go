package records

import (
	"context"
	"html/template"
	"io"
	"slices"

	"steward.city/steward/internal/bag"
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

var indexThread = template.Must(template.New("thread").Parse(`<section>
<h2>Thread {{.Thread}} on {{.Account}}</h2>
`))

var indexItem = template.Must(template.New("item").Parse(`<article>
<h3>{{.Item.Kind}} {{.Item.PlatformID}}{{if .Item.ParentID}}, in reply to {{.Item.ParentID}}{{end}}</h3>
<ol>
{{range .Versions}}<li><p>Captured {{.V.CapturedAt.Format "2006-01-02 15:04:05 UTC"}} by {{.V.Author.Name}} ({{.V.Author.Handle}}){{if .Edited}} <span class="note">edited</span>{{end}}{{if .V.State.Removed}} <span class="note">removed ({{.V.State}})</span>{{end}}{{if .V.DisposedAt}} <span class="note">disposed of</span>{{end}}</p>
<blockquote><p>{{.Text}}</p></blockquote>
{{range .V.Media}}<p>Media: {{.Type}}, file data/media/{{.SHA256}}</p>{{end}}
</li>
{{end}}</ol>
</article>
`))

type versionView struct {
	V      *civic.Version
	Text   string
	Edited bool
}

// writeIndex writes data/index.html, thread by thread, one item at a time.
func (s *Service) writeIndex(ctx context.Context, b *bag.Writer, r *civic.RecordsRequest, items map[int64]bool, size int64, byVersion map[int64][]*civic.Redaction, tr *tracker) error {
	var keys []threadKey
	if err := s.store.WalkArchiveItems(ctx, func(it *civic.ArchiveItem) error {
		if items[it.ID] {
			keys = append(keys, threadKey{it.Account, it.ThreadID, it.ID})
		}
		return nil
	}); err != nil {
		return err
	}
	slices.SortFunc(keys, compareKeys)
	w, err := b.Create(FileIndex)
	if err != nil {
		return err
	}
	if err := indexHead.Execute(w, r); err != nil {
		return err
	}
	var last threadKey
	for lo := 0; lo < len(keys); lo += indexBatch {
		chunk := keys[lo:min(lo+indexBatch, len(keys))]
		ids := make([]int64, len(chunk))
		for i, k := range chunk {
			ids[i] = k.id
		}
		byItem := map[int64][]*civic.Version{}
		if err := s.store.VersionsOfItems(ctx, ids, func(v *civic.Version) error {
			if v.LogIndex < size {
				byItem[v.ItemID] = append(byItem[v.ItemID], v)
			}
			return nil
		}); err != nil {
			return err
		}
		for i, k := range chunk {
			if lo+i == 0 || k.account != last.account || k.thread != last.thread {
				if lo+i > 0 {
					io.WriteString(w, "</section>\n")
				}
				if err := indexThread.Execute(w, map[string]string{"Thread": k.thread, "Account": k.account}); err != nil {
					return err
				}
			}
			last = k
			if err := writeIndexItem(w, byItem[k.id], byVersion); err != nil {
				return err
			}
		}
		tr.add(int64(len(chunk)))
	}
	if len(keys) > 0 {
		io.WriteString(w, "</section>\n")
	}
	_, err = io.WriteString(w, "</main>\n</body>\n</html>\n")
	return err
}

// indexBatch is how many items index.html reads at a time.
const indexBatch = 500

// writeIndexItem renders one item and its versions, oldest first.
func writeIndexItem(w io.Writer, vs []*civic.Version, byVersion map[int64][]*civic.Redaction) error {
	if len(vs) == 0 {
		return nil
	}
	views := make([]versionView, 0, len(vs))
	prev := ""
	for j, v := range vs {
		text := v.Text
		if ds := byVersion[v.ID]; len(ds) > 0 && v.DisposedAt == nil {
			text = redact(text, ds)
		}
		views = append(views, versionView{V: v, Text: text, Edited: j > 0 && v.Text != prev})
		prev = v.Text
	}
	return indexItem.Execute(w, map[string]any{"Item": vs[0], "Versions": views})
}
