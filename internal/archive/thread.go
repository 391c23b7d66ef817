package archive

import (
	"context"
	"slices"
	"strings"

	"steward.city/steward/internal/civic"
)

// VersionView is a version and what changed from the one before it.
type VersionView struct {
	*civic.Version
	Changes []string `json:"changes"` // fields that changed: "text", "state", "author", "media", "tags"
	Diff    []Span   `json:"diff"`    // the text, word by word, against the previous version
}

// Span is a run of text in a diff: kept, inserted or deleted.
type Span struct {
	Op   string `json:"op"` // "=", "+", "-"
	Text string `json:"text"`
}

// ItemView is an item with every version, and its thread: every item of
// the thread with every version, each with what changed.
type ItemView struct {
	Item     *civic.ArchiveItem `json:"item"`
	Versions []VersionView      `json:"versions"`
	Thread   []ThreadEntry      `json:"thread"`
	Held     bool               `json:"held"`
}

// ThreadEntry is one item of a thread with its versions.
type ThreadEntry struct {
	*civic.ArchiveItem
	History []VersionView `json:"history"`
}

// maxThread bounds how many items of a thread are shown with their versions.
const maxThread = 500

// Item returns the view of one item: all its versions in captured order,
// each with what changed, and its thread.
func (s *Service) Item(ctx context.Context, actor civic.Actor, id int64) (*ItemView, error) {
	if err := civic.Require(actor, civic.PermArchiveView); err != nil {
		return nil, err
	}
	it, err := s.store.ArchiveItem(ctx, id)
	if err != nil {
		return nil, err
	}
	vs, err := s.store.ArchiveVersions(ctx, id)
	if err != nil {
		return nil, err
	}
	th, err := s.store.ArchiveThread(ctx, id)
	if err != nil {
		return nil, err
	}
	held, err := s.store.HeldItemIDs(ctx, []int64{id})
	if err != nil {
		return nil, err
	}
	view := &ItemView{Item: it, Versions: history(vs), Held: held[id]}
	for i, t := range th {
		e := ThreadEntry{ArchiveItem: t}
		if i < maxThread {
			tvs := vs
			if t.ID != id {
				if tvs, err = s.store.ArchiveVersions(ctx, t.ID); err != nil {
					return nil, err
				}
			}
			e.History = history(tvs)
		}
		view.Thread = append(view.Thread, e)
	}
	return view, nil
}

// history returns versions in captured order with what changed in each.
func history(vs []*civic.Version) []VersionView {
	out := make([]VersionView, 0, len(vs))
	var prev *civic.Version
	for _, v := range vs {
		vv := VersionView{Version: v}
		if prev == nil {
			vv.Diff = []Span{{Op: "=", Text: v.Text}}
		} else {
			vv.Changes = changes(prev, v)
			vv.Diff = diffWords(prev.Text, v.Text)
		}
		out = append(out, vv)
		prev = v
	}
	return out
}

func changes(a, b *civic.Version) []string {
	out := []string{}
	if a.Text != b.Text {
		out = append(out, "text")
	}
	if a.State != b.State {
		out = append(out, "state")
	}
	if a.Author != b.Author {
		out = append(out, "author")
	}
	if !slices.Equal(a.Media, b.Media) {
		out = append(out, "media")
	}
	if !slices.Equal(a.Tags, b.Tags) {
		out = append(out, "tags")
	}
	return out
}

// DiffWords is diffWords for other services (a draft's revision diff).
func DiffWords(a, b string) []Span { return diffWords(a, b) }

// diffWords returns a word-level diff of a and b (longest common
// subsequence). Very long texts that differ are shown as replaced whole.
func diffWords(a, b string) []Span {
	if a == b {
		return []Span{{Op: "=", Text: b}}
	}
	x, y := splitKeep(a), splitKeep(b)
	if len(x)*len(y) > 4_000_000 {
		return []Span{{Op: "-", Text: a}, {Op: "+", Text: b}}
	}
	// lcs[i][j] is the LCS length of x[i:] and y[j:].
	lcs := make([][]int32, len(x)+1)
	for i := range lcs {
		lcs[i] = make([]int32, len(y)+1)
	}
	for i := len(x) - 1; i >= 0; i-- {
		for j := len(y) - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []Span
	emit := func(op, s string) {
		if n := len(out); n > 0 && out[n-1].Op == op {
			out[n-1].Text += s
			return
		}
		out = append(out, Span{Op: op, Text: s})
	}
	i, j := 0, 0
	for i < len(x) && j < len(y) {
		switch {
		case x[i] == y[j]:
			emit("=", x[i])
			i, j = i+1, j+1
		case lcs[i+1][j] >= lcs[i][j+1]:
			emit("-", x[i])
			i++
		default:
			emit("+", y[j])
			j++
		}
	}
	for ; i < len(x); i++ {
		emit("-", x[i])
	}
	for ; j < len(y); j++ {
		emit("+", y[j])
	}
	return out
}

// splitKeep splits s into words, each with the spaces after it.
func splitKeep(s string) []string {
	var out []string
	for len(s) > 0 {
		i := strings.IndexAny(s, " \n\t")
		if i < 0 {
			out = append(out, s)
			break
		}
		j := i
		for j < len(s) && (s[j] == ' ' || s[j] == '\n' || s[j] == '\t') {
			j++
		}
		out = append(out, s[:j])
		s = s[j:]
	}
	return out
}

// Latest is an item with its latest version: what a lookup by the
// platform's id answers.
type Latest struct {
	Item    *civic.ArchiveItem `json:"item"`
	Version *civic.Version     `json:"version"`
	Held    bool               `json:"held"`
}

// Lookup finds the item an account has under the platform's id and returns
// it with its latest version (the last captured). It answers not found
// when the account has no such item, or the account is not in the archive.
func (s *Service) Lookup(ctx context.Context, actor civic.Actor, accountRef, platformID string) (*Latest, error) {
	if err := civic.Require(actor, civic.PermArchiveView); err != nil {
		return nil, err
	}
	if accountRef == "" {
		return nil, civic.Invalid("account", "account is required")
	}
	if platformID == "" {
		return nil, civic.Invalid("platform_id", "platform_id is required")
	}
	it, err := s.store.ArchiveItemByPlatformID(ctx, accountRef, platformID)
	if err != nil {
		return nil, err
	}
	vs, err := s.store.ArchiveVersions(ctx, it.ID)
	if err != nil {
		return nil, err
	}
	if len(vs) == 0 {
		return nil, civic.Errorf(civic.KindNotFound, "item %d has no versions", it.ID)
	}
	held, err := s.store.HeldItemIDs(ctx, []int64{it.ID})
	if err != nil {
		return nil, err
	}
	return &Latest{Item: it, Version: vs[len(vs)-1], Held: held[it.ID]}, nil
}
