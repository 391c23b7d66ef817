package records

import (
	"context"
	"fmt"
	"io"
	"strings"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/pdf"
	"steward.city/steward/internal/plain"
)

// reportCounts counts what items.jsonl will hold, for the report's
// summary, which is written before items.jsonl is done: the versions of
// the scope's items up to the checkpoint, and those of them redacted.
func (s *Service) reportCounts(ctx context.Context, items *itemSet, size int64, byVersion map[int64][]*civic.Redaction) (*ExportResult, error) {
	res := &ExportResult{Items: items.len()}
	if err := s.store.ArchiveVersionItems(ctx, size, func(_, itemID int64) error {
		if items.has(itemID) {
			res.Versions++
		}
		return nil
	}); err != nil {
		return nil, err
	}
	for id := range byVersion {
		if id > size {
			continue
		}
		v, err := s.store.ArchiveVersion(ctx, id)
		if err != nil {
			return nil, err
		}
		if items.has(v.ItemID) && v.DisposedAt == nil {
			res.Redacted++
		}
	}
	return res, nil
}

// writeReport writes data/report.pdf, for people who print: a summary of
// the request and the export, then every thread, item by item, each
// version oldest first with redactions applied as in items.jsonl. Items
// are read indexBatch at a time, as for index.html; the PDF is held in
// memory until it is written out whole (docs/pdf.md).
func (s *Service) writeReport(ctx context.Context, w io.Writer, r *civic.RecordsRequest, cr *chunkReader, ci int, cp *civic.Checkpoint,
	byVersion map[int64][]*civic.Redaction, redactions int, res *ExportResult, tr *tracker) error {
	title := fmt.Sprintf("Records request %d: records produced", r.ID)
	p := pdf.New(w, pdf.Meta{Title: title, Author: "Steward", Subject: "Records produced for " + r.Requester, Lang: "en", Created: s.now()})
	p.Heading(title)
	if r.Description != "" {
		p.Line(r.Description)
		p.Line("")
	}
	p.Line("Requester: " + r.Requester)
	p.Line("Received: " + plain.Day(r.ReceivedOn))
	if r.DueOn != nil {
		p.Line("Due: " + plain.Day(*r.DueOn))
	} else {
		p.Line("Due: within a reasonable time")
	}
	p.Line("Scope (archive queries):")
	for _, q := range r.Scope {
		p.Line("  " + q)
	}
	p.Line(fmt.Sprintf("Items: %d. Versions: %d, of which %d redacted. Redactions: %d.", res.Items, res.Versions, res.Redacted, redactions))
	p.Line(fmt.Sprintf("Checkpoint: tree size %d, root hash %s", cp.Size, cp.RootHash))
	p.Line("Generated: " + plain.Stamp(s.now(), s.loc))
	p.Line("")
	p.Line("Each item below shows every version captured, oldest first. Versions marked [edited] changed the text; " +
		"versions marked [removed] were hidden or deleted on the platform. Text withheld under the Minnesota Government " +
		"Data Practices Act reads [REDACTED 13.xx], citing the section; data/redactions.jsonl lists each redaction. " +
		"data/items.jsonl holds the same records, and proof/ proves them (docs/verify.md).")
	var last threadKey
	first := true
	for c := cr.next(ctx, ci); c != nil; c = cr.next(ctx, ci) {
		for _, k := range c.keys {
			if first || k.account != last.account || k.thread != last.thread {
				p.Line("")
				p.Line(fmt.Sprintf("Thread %s on %s", k.thread, k.account))
			}
			first, last = false, k
			vs := c.byItem[k.id]
			if len(vs) == 0 {
				continue
			}
			it := vs[0]
			head := fmt.Sprintf("%s %s", it.Kind, it.PlatformID)
			if it.ParentID != "" {
				head += ", in reply to " + it.ParentID
			}
			p.Line("")
			p.Line("  " + head)
			prev := ""
			for j, v := range vs {
				text := v.Text
				if ds := byVersion[v.ID]; len(ds) > 0 && v.DisposedAt == nil {
					text = redact(text, ds)
				}
				var marks []string
				if j > 0 && v.Text != prev {
					marks = append(marks, "[edited]")
				}
				if v.State.Removed() {
					marks = append(marks, fmt.Sprintf("[removed (%s)]", v.State))
				}
				if v.DisposedAt != nil {
					marks = append(marks, "[disposed of]")
				}
				prev = v.Text
				line := fmt.Sprintf("  %d. Captured %s by %s (%s)", j+1, plain.Stamp(v.CapturedAt, s.loc), v.Author.Name, v.Author.Handle)
				if !v.State.Removed() {
					line += ", " + string(v.State)
				}
				if len(marks) > 0 {
					line += " " + strings.Join(marks, " ")
				}
				p.Line(line)
				for _, l := range strings.Split(text, "\n") {
					p.Line("     " + l)
				}
				for _, m := range v.Media {
					p.Line(fmt.Sprintf("     Media: %s, file data/media/%s", m.Type, m.SHA256))
				}
			}
		}
		tr.add(int64(len(c.keys)))
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return p.Close()
}
