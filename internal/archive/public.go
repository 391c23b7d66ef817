package archive

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"steward.city/steward/internal/civic"
)

// The public portal's reads (REC-7). They need no permission: what they
// return is only what the store's public rule allows (civic.PublicReader),
// and a version's content only where it is classified public.

// PublicVersion is one version as the public reads it. Text is empty and
// Withheld says why when the version is not public.
type PublicVersion struct {
	ID         int64
	At         time.Time // the platform's time, else capture time
	CapturedAt time.Time
	Author     civic.Author
	State      civic.ItemState
	Parts      []TextPart // the text, with redacted spans as gaps
	Withheld   string     // "Private data, Minn. Stat. 13.43"; empty when public
	Disposed   bool       // its content was disposed of under the retention schedule
	Edited     bool       // its text differs from the version before
	// SHA256 is the hex hash of the version's content, the leaf data of
	// the Merkle log. It is shown for withheld and disposed versions too:
	// a hash tells nothing of what was hashed.
	SHA256 string
	// Changed is when what the public sees of the version last changed:
	// its capture, or the clerk's classification after it.
	Changed time.Time
}

// TextPart is a run of a version's text, or a redacted gap citing its statute.
type TextPart struct {
	Text    string
	Statute string // set on a gap: Minn. Stat. section
}

// Text returns the version's text with each gap as "[redacted: Minn. Stat. X]".
func (v *PublicVersion) Text() string {
	var b strings.Builder
	for _, p := range v.Parts {
		if p.Statute != "" {
			b.WriteString("[redacted: Minn. Stat. " + p.Statute + "]")
		} else {
			b.WriteString(p.Text)
		}
	}
	return b.String()
}

// PublicItem is an archived item as the public reads it.
type PublicItem struct {
	ID         int64
	Kind       civic.ItemKind
	AccountID  int64 // the registry's account id
	ParentID   string
	PlatformID string
	At         time.Time
	Versions   []*PublicVersion // in capture order
	Removal    *civic.PublicRemoval
	Replies    []*PublicItem // in a thread: the comments answering it
}

// Latest is the item's newest version.
func (it *PublicItem) Latest() *PublicVersion { return it.Versions[len(it.Versions)-1] }

// Withheld is the citation of the newest version when it is withheld.
func (it *PublicItem) Withheld() string { return it.Latest().Withheld }

// Deleted reports whether the platform no longer shows the item.
func (it *PublicItem) Deleted() bool { return it.Latest().State == civic.StateDeleted }

// Edited reports whether any version changed the text.
func (it *PublicItem) Edited() bool {
	return slices.ContainsFunc(it.Versions, func(v *PublicVersion) bool { return v.Edited })
}

// PublicAccounts lists the official accounts the portal shows.
func (s *Service) PublicAccounts(ctx context.Context) ([]*civic.PublicAccount, error) {
	return s.store.PublicAccounts(ctx)
}

// PublicAccountsOf returns, by archive account id, the official accounts
// the portal shows of those of vs: what a page of search results names.
func (s *Service) PublicAccountsOf(ctx context.Context, vs []*civic.Version) (map[int64]*civic.PublicAccount, error) {
	var ids []int64
	for _, v := range vs {
		if !slices.Contains(ids, v.AccountID) {
			ids = append(ids, v.AccountID)
		}
	}
	if len(ids) == 0 {
		return map[int64]*civic.PublicAccount{}, nil
	}
	return s.store.PublicAccountsOf(ctx, ids)
}

// PublicSuperseded returns which of vs, versions a public search found,
// have a later version of their item: the page marks them as earlier
// versions.
func (s *Service) PublicSuperseded(ctx context.Context, vs []*civic.Version) (map[int64]bool, error) {
	ids := make([]int64, len(vs))
	for i, v := range vs {
		ids[i] = v.ID
	}
	return s.store.PublicSuperseded(ctx, ids)
}

// PublicAccount returns the official account with registry id id, or
// KindNotFound when the portal does not show it.
func (s *Service) PublicAccount(ctx context.Context, id int64) (*civic.PublicAccount, error) {
	as, err := s.store.PublicAccounts(ctx)
	if err != nil {
		return nil, err
	}
	for _, a := range as {
		if a.ID == id {
			return a, nil
		}
	}
	return nil, civic.Errorf(civic.KindNotFound, "there is no public account %d", id)
}

// PublicTimeline returns one page of an account's posts, newest first, each
// with its comments as threads, and how many posts there are. The page's
// threads, versions and classifications are read in a few queries for all
// its posts together.
func (s *Service) PublicTimeline(ctx context.Context, a *civic.PublicAccount, offset, limit int) ([]*PublicItem, int, error) {
	if a.ArchiveID == 0 {
		return nil, 0, nil
	}
	posts, total, err := s.store.PublicPosts(ctx, a.ArchiveID, offset, limit)
	if err != nil || len(posts) == 0 {
		return nil, total, err
	}
	threadIDs := make([]string, len(posts))
	for i, p := range posts {
		threadIDs[i] = p.PlatformID
	}
	items, err := s.store.PublicThreads(ctx, a.ArchiveID, threadIDs)
	if err != nil {
		return nil, 0, err
	}
	ps, err := s.publicItems(ctx, a, items)
	if err != nil {
		return nil, 0, err
	}
	byID := map[int64]*PublicItem{}
	for _, p := range ps {
		byID[p.ID] = p
	}
	var out []*PublicItem
	for _, post := range posts {
		root := byID[post.ID]
		if root == nil {
			continue
		}
		var thread []*PublicItem
		for _, it := range items {
			if p := byID[it.ID]; p != nil && it.ID != post.ID && (it.ThreadID == post.PlatformID || it.PlatformID == post.PlatformID) {
				thread = append(thread, p)
			}
		}
		out = append(out, nest(root, thread))
	}
	return out, total, nil
}

// PublicItem returns an item with its thread when it is a post, or
// KindNotFound, the same as for an id that does not exist, when the portal
// does not show it.
func (s *Service) PublicItem(ctx context.Context, id int64) (*PublicItem, *civic.PublicAccount, error) {
	notFound := civic.Errorf(civic.KindNotFound, "there is no public record %d", id)
	it, err := s.store.ArchiveItem(ctx, id)
	if civic.ErrorKind(err) == civic.KindNotFound {
		return nil, nil, notFound
	} else if err != nil {
		return nil, nil, err
	}
	as, err := s.store.PublicAccounts(ctx)
	if err != nil {
		return nil, nil, err
	}
	i := slices.IndexFunc(as, func(a *civic.PublicAccount) bool { return a.ArchiveID != 0 && a.ArchiveID == it.AccountID })
	if i < 0 {
		return nil, nil, notFound
	}
	var p *PublicItem
	if it.Kind == civic.ItemPost {
		p, err = s.publicThread(ctx, as[i], it)
	} else {
		var ps []*PublicItem
		ps, err = s.publicItems(ctx, as[i], []*civic.ArchiveItem{it})
		if len(ps) > 0 {
			p = ps[0]
		}
	}
	if err != nil {
		return nil, nil, err
	}
	if p == nil {
		return nil, nil, notFound
	}
	return p, as[i], nil
}

// publicThread returns post with every shown comment of its thread under
// the item it answers; nil when the post itself is not shown.
func (s *Service) publicThread(ctx context.Context, a *civic.PublicAccount, post *civic.ArchiveItem) (*PublicItem, error) {
	items, err := s.store.PublicThreads(ctx, a.ArchiveID, []string{post.PlatformID})
	if err != nil {
		return nil, err
	}
	ps, err := s.publicItems(ctx, a, items)
	if err != nil {
		return nil, err
	}
	var root *PublicItem
	var thread []*PublicItem
	for _, p := range ps {
		if p.ID == post.ID {
			root = p
		} else {
			thread = append(thread, p)
		}
	}
	if root == nil {
		return nil, nil
	}
	return nest(root, thread), nil
}

// nest puts each item of thread under the item it answers, or under root.
func nest(root *PublicItem, thread []*PublicItem) *PublicItem {
	byPlatform := map[string]*PublicItem{root.PlatformID: root}
	for _, p := range thread {
		byPlatform[p.PlatformID] = p
	}
	for _, p := range thread {
		parent := byPlatform[p.ParentID]
		if parent == nil || parent == p {
			parent = root
		}
		parent.Replies = append(parent.Replies, p)
	}
	return root
}

// publicItems builds the public view of items, leaving out every item none
// of whose versions the portal may show.
func (s *Service) publicItems(ctx context.Context, a *civic.PublicAccount, items []*civic.ArchiveItem) ([]*PublicItem, error) {
	var ids, itemIDs []int64
	versions := map[int64][]*civic.Version{}
	for _, it := range items {
		itemIDs = append(itemIDs, it.ID)
	}
	err := s.store.VersionsOfItems(ctx, itemIDs, func(v *civic.Version) error {
		versions[v.ItemID] = append(versions[v.ItemID], v)
		ids = append(ids, v.ID)
		return nil
	})
	if err != nil {
		return nil, err
	}
	classes, err := s.store.PublicClasses(ctx, ids)
	if err != nil {
		return nil, err
	}
	redactions, err := s.store.PublicRedactions(ctx, ids)
	if err != nil {
		return nil, err
	}
	removals, err := s.store.PublicRemovals(ctx, itemIDs)
	if err != nil {
		return nil, err
	}
	var out []*PublicItem
	for _, it := range items {
		p := &PublicItem{ID: it.ID, Kind: it.Kind, AccountID: a.ID, ParentID: it.ParentID, PlatformID: it.PlatformID, Removal: removals[it.ID]}
		prev := ""
		for _, v := range versions[it.ID] {
			c, ok := classes[v.ID]
			if !ok {
				// Not shown at all (a covert profile's): the item is left out.
				p = nil
				break
			}
			pv := &PublicVersion{ID: v.ID, At: v.At(), CapturedAt: v.CapturedAt, State: v.State, Disposed: v.DisposedAt != nil, Changed: v.CapturedAt, SHA256: v.Hash}
			if c.SetAt.After(pv.Changed) {
				pv.Changed = c.SetAt
			}
			if c.Withheld() {
				pv.Withheld = c.Citation()
			} else {
				pv.Author = v.Author
				pv.Parts = textParts(v.Text, redactions[v.ID])
				pv.Edited = len(p.Versions) > 0 && v.Text != prev && v.State != civic.StateDeleted
			}
			if v.State != civic.StateDeleted {
				prev = v.Text
			}
			p.Versions = append(p.Versions, pv)
		}
		if p == nil || len(p.Versions) == 0 {
			continue
		}
		p.At = p.Versions[0].At
		out = append(out, p)
	}
	return out, nil
}

// textParts splits text at its redacted spans. A span that does not fit
// the text (out of range, overlapping the one before, cutting a
// character) hides the rest of the text: a gap is never shown narrower
// than recorded.
func textParts(text string, rs []*civic.Redaction) []TextPart {
	var parts []TextPart
	at := 0
	for _, r := range rs {
		start, end := r.Start, r.End
		if start < at || end > len(text) || start > end || !utf8.RuneStart(text[start]) || (end < len(text) && !utf8.RuneStart(text[end])) {
			if at < len(text) {
				parts = append(parts, TextPart{Statute: r.Reason})
			}
			return parts
		}
		if start > at {
			parts = append(parts, TextPart{Text: text[at:start]})
		}
		parts = append(parts, TextPart{Statute: r.Reason})
		at = end
	}
	if at < len(text) {
		parts = append(parts, TextPart{Text: text[at:]})
	}
	return parts
}

// PublicSearch runs a parsed query over what the portal shows with its
// content: public versions of official accounts, none of a covert profile,
// none with a redacted span. held: is refused, since holds are not public.
func (s *Service) PublicSearch(ctx context.Context, q *Query) ([]*civic.Version, int, error) {
	if q.Held != nil {
		return nil, 0, civic.Invalid("q", "held: is not available on the public portal")
	}
	if q.Department != "" {
		d, err := s.store.DepartmentBySlug(ctx, q.Department)
		if err != nil {
			if civic.ErrorKind(err) == civic.KindNotFound {
				return nil, 0, civic.Invalid("q", "department:%s: no such department", clip(q.Department))
			}
			return nil, 0, err
		}
		q.DepartmentID = d.ID
	}
	q.Public = true
	return s.store.SearchArchiveTotal(ctx, &q.ArchiveQuery)
}
