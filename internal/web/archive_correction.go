package web

import (
	"context"
	"strings"
	"time"

	"steward.city/steward/internal/civic"
)

// itemLink is a correction or deletion of an archived post made through
// Steward, or the post a correction reply corrects (PUB-4): the archive
// page links the original and the correction both ways.
type itemLink struct {
	Kind   civic.PublicationKind // edit, reply or delete; post: the original of this reply
	At     time.Time
	ItemID int64  // the other item (a reply, or the original); 0: this item
	Text   string // the correction's text, or the deletion's reason
}

// itemLinks finds the corrections and deletions Steward made of an
// archived item, and for a correction reply the post it corrects.
func (h *Handler) itemLinks(ctx context.Context, it *civic.ArchiveItem) ([]itemLink, error) {
	platform, _, ok := strings.Cut(it.Account, ":")
	if !ok || it.PlatformID == "" {
		return nil, nil
	}
	pubs, err := h.store.Publications(ctx, civic.PublicationFilter{Platform: platform, PlatformID: it.PlatformID, Status: civic.PublicationPublished})
	if err != nil || len(pubs) == 0 {
		return nil, err
	}
	first := pubs[len(pubs)-1] // newest first: the last one made the item
	var out []itemLink
	at := func(p *civic.Publication) time.Time {
		if p.PublishedAt != nil {
			return *p.PublishedAt
		}
		return p.CreatedAt
	}
	if first.Kind == civic.PublishReply && first.Corrects != 0 {
		orig, err := h.store.Publication(ctx, first.Corrects)
		if err != nil {
			return nil, err
		}
		if oi, err := h.store.CapturedItem(ctx, it.Account, orig.PlatformID); err == nil {
			out = append(out, itemLink{Kind: civic.PublishPost, At: at(first), ItemID: oi.ID, Text: orig.Body})
		}
	}
	cs, err := h.store.Publications(ctx, civic.PublicationFilter{Corrects: first.ID, Status: civic.PublicationPublished})
	if err != nil {
		return nil, err
	}
	for i := len(cs) - 1; i >= 0; i-- { // oldest first
		c := cs[i]
		l := itemLink{Kind: c.Kind, At: at(c), Text: c.Body}
		switch c.Kind {
		case civic.PublishReply:
			ri, err := h.store.CapturedItem(ctx, it.Account, c.PlatformID)
			if err != nil {
				continue
			}
			l.ItemID = ri.ID
		case civic.PublishDelete:
			if c.Authority != nil {
				l.Text = c.Authority.Extra["reason"]
			}
		}
		out = append(out, l)
	}
	return out, nil
}
