package records

import (
	"context"
	"slices"
	"strings"

	"steward.city/steward/internal/civic"
)

// ItemVersion is one version of an item in a request's scope, with the
// request's redactions of it and its text as the export will show it.
type ItemVersion struct {
	Version    *civic.Version
	Redactions []*civic.Redaction
	Preview    string
	Suggested  []Span // what Suggest finds in the text, less the spans already redacted
}

// Item returns the versions of an item in request requestID's scope, each
// with its redactions and a preview of its redacted text. An item outside
// the scope is KindNotFound, as if it did not exist.
func (s *Service) Item(ctx context.Context, actor civic.Actor, requestID, itemID int64) (*civic.ArchiveItem, []ItemVersion, error) {
	if err := civic.Require(actor, civic.PermRecordsView); err != nil {
		return nil, nil, err
	}
	r, err := s.store.RecordsRequest(ctx, requestID)
	if err != nil {
		return nil, nil, err
	}
	in, err := s.inScope(ctx, r, itemID)
	if err != nil {
		return nil, nil, err
	}
	if !in {
		return nil, nil, civic.Errorf(civic.KindNotFound, "item %d is not in records request %d's scope", itemID, requestID)
	}
	it, err := s.store.ArchiveItem(ctx, itemID)
	if err != nil {
		return nil, nil, err
	}
	vs, err := s.store.ArchiveVersions(ctx, itemID)
	if err != nil {
		return nil, nil, err
	}
	ds, err := s.store.Redactions(ctx, requestID)
	if err != nil {
		return nil, nil, err
	}
	out := make([]ItemVersion, 0, len(vs))
	for _, v := range vs {
		iv := ItemVersion{Version: v}
		for _, d := range ds {
			if d.VersionID == v.ID {
				iv.Redactions = append(iv.Redactions, d)
			}
		}
		iv.Preview = Preview(v.Text, iv.Redactions)
		for _, sp := range Suggest(v.Text) {
			if !slices.ContainsFunc(iv.Redactions, func(d *civic.Redaction) bool { return d.Start == sp.Start && d.End == sp.End }) {
				iv.Suggested = append(iv.Suggested, sp)
			}
		}
		out = append(out, iv)
	}
	return it, out, nil
}

// Preview returns text as an export shows it with the redactions ds (of
// this text's version) applied, in any order.
func Preview(text string, ds []*civic.Redaction) string {
	ds = slices.Clone(ds)
	slices.SortFunc(ds, func(a, b *civic.Redaction) int { return a.Start - b.Start })
	for _, d := range ds {
		if checkSpan(text, d.Start, d.End) != nil {
			return "" // a span that no longer fits: show nothing rather than guess
		}
	}
	return redact(text, ds)
}

// Occurrences returns the spans [start, end) of every occurrence of words in
// text, exactly as given (case and all), not overlapping, in order.
func Occurrences(text, words string) [][2]int {
	var out [][2]int
	if words == "" {
		return nil
	}
	for at := 0; ; {
		i := strings.Index(text[at:], words)
		if i < 0 {
			return out
		}
		out = append(out, [2]int{at + i, at + i + len(words)})
		at += i + len(words)
	}
}

// RedactWords redacts the words given, exactly as they appear in the
// version's text: every occurrence when occurrence is 0, or only the
// occurrence-th (counting from 1). Steward finds the byte offsets. It
// returns the redactions it added.
func (s *Service) RedactWords(ctx context.Context, actor civic.Actor, requestID, versionID int64, words string, occurrence int, reason string) ([]*civic.Redaction, error) {
	if err := civic.Require(actor, civic.PermRecordsManage); err != nil {
		return nil, err
	}
	v, err := s.versionInScope(ctx, requestID, versionID)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(words) == "" {
		return nil, civic.Invalid("words", "enter the words to redact, exactly as they appear in the text")
	}
	rs, ok := s.reason(strings.TrimSpace(reason))
	if !ok {
		return nil, civic.Invalid("reason", "choose a reason from the list")
	}
	spans := Occurrences(v.Text, words)
	switch {
	case len(spans) == 0:
		return nil, civic.Invalid("words", "%q does not appear in version %d's text; copy the words exactly, with the same capitals", words, versionID)
	case occurrence < 0 || occurrence > len(spans):
		return nil, civic.Invalid("occurrence", "the words appear %d times; choose one of them or all", len(spans))
	case occurrence > 0:
		spans = spans[occurrence-1 : occurrence]
	}
	var out []*civic.Redaction
	err = s.update(ctx, actor, func(tx civic.Tx) error {
		for _, sp := range spans {
			d := &civic.Redaction{RequestID: requestID, VersionID: versionID, Start: sp[0], End: sp[1], Reason: rs.Code}
			if err := tx.AddRedaction(ctx, d); err != nil {
				return err
			}
			out = append(out, d)
		}
		return nil
	})
	return out, err
}

// versionInScope returns version versionID if it belongs to an item in
// request requestID's scope. A missing version and one outside the scope
// get the same answer, so a span check cannot reveal another item's text.
func (s *Service) versionInScope(ctx context.Context, requestID, versionID int64) (*civic.Version, error) {
	r, err := s.store.RecordsRequest(ctx, requestID)
	if err != nil {
		return nil, err
	}
	if versionID <= 0 {
		return nil, civic.Invalid("version_id", "choose the version to redact")
	}
	v, err := s.store.ArchiveVersion(ctx, versionID)
	if err != nil {
		if civic.ErrorKind(err) == civic.KindNotFound {
			return nil, civic.Invalid("version_id", "version %d is not in this request's scope", versionID)
		}
		return nil, err
	}
	in, err := s.inScope(ctx, r, v.ItemID)
	if err != nil {
		return nil, err
	}
	if !in {
		return nil, civic.Invalid("version_id", "version %d is not in this request's scope", versionID)
	}
	return v, nil
}

// RedactSelection is Redact for a span a person selected on a page: when
// selected is not empty, the span must hold exactly that text, so that a
// page that measured the selection wrongly redacts nothing rather than the
// wrong words.
func (s *Service) RedactSelection(ctx context.Context, actor civic.Actor, d *civic.Redaction, selected string) error {
	if err := civic.Require(actor, civic.PermRecordsManage); err != nil {
		return err
	}
	if selected != "" {
		v, err := s.versionInScope(ctx, d.RequestID, d.VersionID)
		if err != nil {
			return err
		}
		if err := checkSpan(v.Text, d.Start, d.End); err != nil {
			return err
		}
		if v.Text[d.Start:d.End] != selected {
			return civic.Invalid("words", "the selection does not match the stored text: type the words to redact instead")
		}
	}
	return s.Redact(ctx, actor, d)
}
