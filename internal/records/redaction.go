package records

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/civic"
)

// Reason is a ground for withholding private data, citing the statute.
type Reason struct {
	Code  string `json:"code"`  // "13.356"
	Label string `json:"label"` // what it protects, with the citation
}

// DefaultReasons are the common grounds of the Minnesota Government Data
// Practices Act for data found in social media records.
var DefaultReasons = []Reason{
	{"13.356", "Personal contact and online account information (Minn. Stat. 13.356)"},
	{"13.355", "Social Security numbers (Minn. Stat. 13.355)"},
	{"13.43", "Personnel data (Minn. Stat. 13.43)"},
	{"13.82", "Law enforcement data (Minn. Stat. 13.82)"},
	{"13.32", "Educational data (Minn. Stat. 13.32)"},
	{"13.384", "Medical data (Minn. Stat. 13.384)"},
	{"13.46", "Welfare data (Minn. Stat. 13.46)"},
	{"13.37", "Security information (Minn. Stat. 13.37)"},
}

// Reasons lists the redaction reasons the service accepts.
func (s *Service) Reasons() []Reason { return s.reasons }

func (s *Service) reason(code string) (Reason, bool) {
	i := slices.IndexFunc(s.reasons, func(r Reason) bool { return r.Code == code })
	if i < 0 {
		return Reason{}, false
	}
	return s.reasons[i], true
}

// Redact records that the bytes [d.Start, d.End) of a version's text are
// withheld from request d.RequestID's export, for the reason whose code is
// d.Reason. The version itself never changes. A span outside the text, or
// cutting a character in two, is KindInvalid; so is a version outside the
// request's scope.
func (s *Service) Redact(ctx context.Context, actor civic.Actor, d *civic.Redaction) error {
	if err := civic.Require(actor, civic.PermRecordsManage); err != nil {
		return err
	}
	v, err := s.versionInScope(ctx, d.RequestID, d.VersionID)
	if err != nil {
		return err
	}
	if err := checkSpan(v.Text, d.Start, d.End); err != nil {
		return err
	}
	rs, ok := s.reason(strings.TrimSpace(d.Reason))
	if !ok {
		return civic.Invalid("reason", "choose a reason from the list")
	}
	d.Reason = rs.Code
	return s.update(ctx, actor, func(tx civic.Tx) error { return tx.AddRedaction(ctx, d) })
}

// checkSpan reports whether [start, end) is a non-empty span of text on
// character boundaries.
func checkSpan(text string, start, end int) error {
	switch {
	case start < 0 || start >= len(text):
		return civic.Invalid("start", "the span %d–%d is outside the text, which is %d bytes long", start, end, len(text))
	case end > len(text):
		return civic.Invalid("end", "the span %d–%d is outside the text, which is %d bytes long", start, end, len(text))
	case start >= end:
		return civic.Invalid("end", "the span %d–%d ends before it starts: select the text again", start, end)
	case !utf8.RuneStart(text[start]):
		return civic.Invalid("start", "the span %d–%d cuts a character in two", start, end)
	case end < len(text) && !utf8.RuneStart(text[end]):
		return civic.Invalid("end", "the span %d–%d cuts a character in two", start, end)
	}
	return nil
}

// Redactions lists a request's redactions.
func (s *Service) Redactions(ctx context.Context, actor civic.Actor, requestID int64) ([]*civic.Redaction, error) {
	if err := civic.Require(actor, civic.PermRecordsView); err != nil {
		return nil, err
	}
	return s.store.Redactions(ctx, requestID)
}

// Span is a suggested redaction: bytes [Start, End) and the reason's code.
type Span struct {
	Start  int    `json:"start"`
	End    int    `json:"end"`
	Reason string `json:"reason"`
	Text   string `json:"text"`
}

var (
	phoneRE = regexp.MustCompile(`(?:\+?1[ .-]?)?(?:\(\d{3}\)|\d{3})[ .-]?\d{3}[ .-]\d{4}\b`)
	emailRE = regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`)
	ssnRE   = regexp.MustCompile(`\b\d{3}-\d{2}-\d{4}\b`)
)

// Suggest finds spans of text that look like telephone numbers, e-mail
// addresses or Social Security numbers. It is a simple pattern detector:
// a person reviews every suggestion.
func Suggest(text string) []Span {
	var out []Span
	for _, d := range []struct {
		re     *regexp.Regexp
		reason string
	}{{ssnRE, "13.355"}, {phoneRE, "13.356"}, {emailRE, "13.356"}} {
		for _, m := range d.re.FindAllStringIndex(text, -1) {
			if slices.ContainsFunc(out, func(s Span) bool { return m[0] < s.End && s.Start < m[1] }) {
				continue
			}
			out = append(out, Span{Start: m[0], End: m[1], Reason: d.reason, Text: text[m[0]:m[1]]})
		}
	}
	slices.SortFunc(out, func(a, b Span) int { return a.Start - b.Start })
	return out
}

// Suggestion is a span the detector found in a version in a request's
// scope: apply it by redacting the version's span with its reason.
type Suggestion struct {
	VersionID int64 `json:"version_id"`
	ItemID    int64 `json:"item_id"`
	Span
}

// SuggestLimit is how many versions of each scope query Suggestions scans,
// the newest first, as the request's page does.
const SuggestLimit = 200

// Suggestions runs Suggest over the versions each scope query of a request
// finds in the archive (at most SuggestLimit a query, each version once),
// leaving out spans the request already redacts with the same bounds. A
// scope query that no longer parses is skipped. It finds with the search
// index, so it is a help for the reviewer, not a guarantee: a person reads
// the export.
func (s *Service) Suggestions(ctx context.Context, actor civic.Actor, requestID int64) ([]Suggestion, error) {
	if err := civic.Require(actor, civic.PermRecordsView); err != nil {
		return nil, err
	}
	r, err := s.store.RecordsRequest(ctx, requestID)
	if err != nil {
		return nil, err
	}
	ds, err := s.store.Redactions(ctx, requestID)
	if err != nil {
		return nil, err
	}
	type span struct {
		version    int64
		start, end int
	}
	done := map[span]bool{}
	for _, d := range ds {
		done[span{d.VersionID, d.Start, d.End}] = true
	}
	seen := map[int64]bool{}
	out := []Suggestion{}
	for _, qs := range r.Scope {
		q, err := archive.ParseQueryIn(qs, s.loc)
		if err != nil {
			continue
		}
		q.Limit = SuggestLimit
		vs, err := s.store.SearchArchive(ctx, &q.ArchiveQuery)
		if err != nil {
			return nil, err
		}
		for _, v := range vs {
			if seen[v.ID] {
				continue
			}
			seen[v.ID] = true
			for _, sp := range Suggest(v.Text) {
				if !done[span{v.ID, sp.Start, sp.End}] {
					out = append(out, Suggestion{VersionID: v.ID, ItemID: v.ItemID, Span: sp})
				}
			}
		}
	}
	return out, nil
}

// redact returns text with each span replaced by a marker naming its reason.
// spans are sorted by start; overlapping spans are merged.
func redact(text string, ds []*civic.Redaction) string {
	var b strings.Builder
	at := 0
	for _, d := range ds {
		if d.End <= at {
			continue
		}
		if d.Start > at {
			b.WriteString(text[at:d.Start])
		}
		b.WriteString("[REDACTED " + d.Reason + "]")
		at = d.End
	}
	b.WriteString(text[at:])
	return b.String()
}
