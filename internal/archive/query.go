package archive

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode"

	"steward.city/steward/internal/civic"
)

// Query is a parsed search. The syntax, the same in the pages, the API and
// `steward search`, is words and "quoted phrases", all of which must occur
// (in any of their forms: the engines stem them), except that an upper-case
// OR between two of them makes one of the two enough, and filters written
// key:value (a value with spaces in quotes):
//
//	account:mastodon:@parks@city.example  department:parks  platform:facebook
//	kind:comment  author:@someone  from:2025-01-01  to:2025-03-31
//	state:deleted  removed:yes  held:yes  sort:relevance
//
// from and to are dates (to is inclusive) or RFC 3339 times. A key Steward
// does not know is read as a word, so that "http://…" still searches.
type Query struct {
	civic.ArchiveQuery
	Department string // department slug, resolved by Search
}

// filterKeys are the keys a query may use.
var filterKeys = map[string]bool{"account": true, "department": true, "platform": true, "kind": true, "author": true,
	"from": true, "to": true, "state": true, "removed": true, "held": true, "sort": true}

// MaxLimit is the most results one search shows (the API's and steward
// search's limit); DefaultLimit is the API's when none is given.
const (
	MaxLimit     = civic.MaxArchiveLimit
	DefaultLimit = 50
)

// CheckLimit refuses a number of results outside 1 to MaxLimit, saying the
// range: an out-of-range limit is an error everywhere, never shortened
// silently.
func CheckLimit(n int) error {
	if n < 1 || n > MaxLimit {
		return civic.Invalid("limit", "limit must be between 1 and %d; %d is out of range", MaxLimit, n)
	}
	return nil
}

// ParseQuery parses the query syntax. Errors are KindInvalid with field "q".
// Words joined by an upper-case OR ("pothole OR sidewalk", phrases too)
// form a group of which one must occur. A query given words none of which
// holds a letter or a digit ("👍", "*") is refused: the full-text index
// has nothing to look for, and dropping them would find everything.
func ParseQuery(s string) (*Query, error) { return ParseQueryIn(s, time.UTC) }

// ParseQueryIn is ParseQuery with the days of from: and to: taken on the
// calendar of loc, the city's time zone: from:2026-12-02 starts at
// midnight there, to:2026-12-02 ends at the next midnight there, across a
// change of daylight saving time. Times given in RFC 3339 are what they
// say.
func ParseQueryIn(s string, loc *time.Location) (*Query, error) {
	q, wordless, err := parseQuery(s, loc)
	if err != nil {
		return nil, err
	}
	if wordless {
		return nil, civic.Invalid("q", "the search has no words to look for: %s holds no letter or digit", clip(strings.TrimSpace(s)))
	}
	return q, nil
}

// parseQuery parses s; wordless is true when s gave words or phrases but
// none with a letter or a digit, which q then leaves out.
func parseQuery(s string, loc *time.Location) (q *Query, wordless bool, err error) {
	q = &Query{}
	toks, err := tokenize(s)
	if err != nil {
		return nil, false, err
	}
	badOr := civic.Invalid("q", "OR must stand between two words or phrases, as in pothole OR sidewalk")
	var groups [][]string
	prevTerm, pendingOr := false, false
	for _, t := range toks {
		switch {
		case t.key != "":
			if pendingOr {
				return nil, false, badOr
			}
			if err := q.set(t.key, t.value, loc); err != nil {
				return nil, false, err
			}
			prevTerm = false
		case !t.quoted && t.value == "OR":
			if !prevTerm {
				return nil, false, badOr
			}
			prevTerm, pendingOr = false, true
		case pendingOr:
			groups[len(groups)-1] = append(groups[len(groups)-1], t.value)
			prevTerm, pendingOr = true, false
		default:
			groups = append(groups, []string{t.value})
			prevTerm = true
		}
	}
	if pendingOr {
		return nil, false, badOr
	}
	n := 0
	for _, g := range groups {
		var kept []string
		for _, t := range g {
			if hasWord(t) {
				kept = append(kept, t)
			}
		}
		n += len(kept)
		switch len(kept) {
		case 0:
		case 1:
			q.Terms = append(q.Terms, kept[0])
		default:
			q.AnyOf = append(q.AnyOf, kept)
		}
	}
	if !q.From.IsZero() && !q.Until.IsZero() && !q.Until.After(q.From) {
		return nil, false, civic.Invalid("q", "to: must not be before from:")
	}
	if n > 16 {
		return nil, false, civic.Invalid("q", "at most 16 words or phrases")
	}
	return q, len(groups) > 0 && n == 0, nil
}

func (q *Query) set(key, v string, loc *time.Location) error {
	bad := func(want string) error { return civic.Invalid("q", "%s:%s: %s", key, clip(v), want) }
	switch key {
	case "account":
		if _, _, err := civic.ParseAccountRef(v); err != nil {
			return bad("want platform:handle")
		}
		q.Account = v
	case "department":
		q.Department = v
	case "platform":
		q.Platform = v
	case "kind":
		q.Kind = civic.ItemKind(v)
		if !q.Kind.Valid() {
			return bad("want post, comment, reply, message, media or profile")
		}
	case "author":
		q.Author = v
	case "from", "to":
		t, day, err := parseWhen(v, loc)
		if err != nil {
			return bad("want a date (2025-01-31) or an RFC 3339 time")
		}
		if key == "from" {
			q.From = t.UTC()
		} else if day {
			q.Until = t.AddDate(0, 0, 1).UTC() // the next midnight in loc
		} else {
			q.Until = t.UTC()
		}
	case "state":
		q.State = civic.ItemState(v)
		if !q.State.Valid() {
			return bad("want visible, hidden, deleted, held or unseen")
		}
	case "removed", "held":
		b, ok := yesNo(v)
		if !ok {
			return bad("want yes or no")
		}
		if key == "removed" {
			q.Removed = &b
		} else {
			q.Held = &b
		}
	case "sort":
		switch v {
		case "time":
			q.Relevance = false
		case "relevance":
			q.Relevance = true
		default:
			return bad("want time or relevance")
		}
	}
	return nil
}

func parseWhen(v string, loc *time.Location) (t time.Time, day bool, err error) {
	if loc == nil {
		loc = time.UTC
	}
	if t, err := time.ParseInLocation("2006-01-02", v, loc); err == nil {
		return t, true, nil
	}
	t, err = time.Parse(time.RFC3339Nano, v)
	return t.UTC(), false, err
}

func yesNo(v string) (bool, bool) {
	switch strings.ToLower(v) {
	case "yes", "true", "1":
		return true, true
	case "no", "false", "0":
		return false, true
	}
	return false, false
}

type token struct {
	key, value string
	quoted     bool // a "phrase", never the operator OR
}

// tokenize splits a query into words, phrases and key:value filters.
func tokenize(s string) ([]token, error) {
	var out []token
	rs := []rune(s)
	i := 0
	readQuoted := func() (string, error) {
		i++ // opening quote
		start := i
		for i < len(rs) && rs[i] != '"' {
			i++
		}
		if i >= len(rs) {
			return "", civic.Invalid("q", "a quotation mark is not closed")
		}
		v := string(rs[start:i])
		i++
		return v, nil
	}
	for i < len(rs) {
		if unicode.IsSpace(rs[i]) {
			i++
			continue
		}
		if rs[i] == '"' {
			v, err := readQuoted()
			if err != nil {
				return nil, err
			}
			out = append(out, token{value: v, quoted: true})
			continue
		}
		start := i
		for i < len(rs) && !unicode.IsSpace(rs[i]) && rs[i] != '"' {
			if rs[i] == ':' {
				if key := string(rs[start:i]); filterKeys[key] {
					i++
					if i < len(rs) && rs[i] == '"' {
						v, err := readQuoted()
						if err != nil {
							return nil, err
						}
						out = append(out, token{key: key, value: v})
					} else {
						vs := i
						for i < len(rs) && !unicode.IsSpace(rs[i]) {
							i++
						}
						out = append(out, token{key: key, value: string(rs[vs:i])})
					}
					start = -1
					break
				}
			}
			i++
		}
		if start >= 0 {
			out = append(out, token{value: string(rs[start:i])})
		}
	}
	return out, nil
}

// hasWord reports whether s holds a letter or a digit: a term without one
// would match nothing in either engine.
func hasWord(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }) >= 0
}

// words splits text into lower-case words as the full-text index does.
func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) && !unicode.Is(unicode.Mn, r) })
}

// matchTerms reports whether text holds every term and one term of each
// group, a phrase as consecutive words. It does not stem: it is exact
// where the engines' full-text search also finds other forms of a word.
func matchTerms(terms []string, anyOf [][]string, text string) bool {
	ws := words(text)
	has := func(t string) bool {
		tw := words(t)
		if len(tw) == 0 {
			return true
		}
		for i := 0; i+len(tw) <= len(ws); i++ {
			if slices.Equal(ws[i:i+len(tw)], tw) {
				return true
			}
		}
		return false
	}
	for _, t := range terms {
		if !has(t) {
			return false
		}
	}
	for _, g := range anyOf {
		if !slices.ContainsFunc(g, has) {
			return false
		}
	}
	return true
}

// Search runs a parsed query as actor.
func (s *Service) Search(ctx context.Context, actor civic.Actor, q *Query) ([]*civic.Version, error) {
	if err := s.prepare(ctx, actor, q); err != nil {
		return nil, err
	}
	return s.store.SearchArchive(ctx, &q.ArchiveQuery)
}

// SearchCount runs a parsed query as actor and returns, beside the page,
// how many versions match in all pages (civic.ArchiveReader.SearchArchiveTotal).
func (s *Service) SearchCount(ctx context.Context, actor civic.Actor, q *Query) ([]*civic.Version, int, error) {
	if err := s.prepare(ctx, actor, q); err != nil {
		return nil, 0, err
	}
	return s.store.SearchArchiveTotal(ctx, &q.ArchiveQuery)
}

// prepare checks that actor may search and resolves q's department.
func (s *Service) prepare(ctx context.Context, actor civic.Actor, q *Query) error {
	if err := civic.Require(actor, civic.PermArchiveView); err != nil {
		return err
	}
	if q.Department != "" {
		d, err := s.store.DepartmentBySlug(ctx, q.Department)
		if err != nil {
			if civic.ErrorKind(err) == civic.KindNotFound {
				return civic.Invalid("q", "department:%s: no such department", clip(q.Department))
			}
			return err
		}
		q.DepartmentID = d.ID
	}
	return nil
}
