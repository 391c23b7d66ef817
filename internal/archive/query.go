package archive

import (
	"context"
	"strings"
	"time"
	"unicode"

	"steward.city/steward/internal/civic"
)

// Query is a parsed search. The syntax, the same in the pages, the API and
// `steward search`, is words and "quoted phrases", all of which must occur,
// and filters written key:value (a value with spaces in quotes):
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
func ParseQuery(s string) (*Query, error) {
	q := &Query{}
	toks, err := tokenize(s)
	if err != nil {
		return nil, err
	}
	for _, t := range toks {
		if t.key == "" {
			if hasWord(t.value) {
				q.Terms = append(q.Terms, t.value)
			}
			continue
		}
		if err := q.set(t.key, t.value); err != nil {
			return nil, err
		}
	}
	if !q.From.IsZero() && !q.Until.IsZero() && !q.Until.After(q.From) {
		return nil, civic.Invalid("q", "to: must not be before from:")
	}
	if len(q.Terms) > 16 {
		return nil, civic.Invalid("q", "at most 16 words or phrases")
	}
	return q, nil
}

func (q *Query) set(key, v string) error {
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
		t, day, err := parseWhen(v)
		if err != nil {
			return bad("want a date (2025-01-31) or an RFC 3339 time")
		}
		if key == "from" {
			q.From = t
		} else if day {
			q.Until = t.AddDate(0, 0, 1)
		} else {
			q.Until = t
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

func parseWhen(v string) (t time.Time, day bool, err error) {
	if t, err := time.Parse("2006-01-02", v); err == nil {
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

type token struct{ key, value string }

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
			out = append(out, token{value: v})
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

// matchTerms reports whether text holds every term, a phrase as
// consecutive words.
func matchTerms(terms []string, text string) bool {
	ws := words(text)
	for _, t := range terms {
		tw := words(t)
		if len(tw) == 0 {
			continue
		}
		found := false
		for i := 0; i+len(tw) <= len(ws) && !found; i++ {
			found = true
			for j := range tw {
				if ws[i+j] != tw[j] {
					found = false
					break
				}
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// Search runs a parsed query as actor.
func (s *Service) Search(ctx context.Context, actor civic.Actor, q *Query) ([]*civic.Version, error) {
	if err := civic.Require(actor, civic.PermArchiveView); err != nil {
		return nil, err
	}
	if q.Department != "" {
		d, err := s.store.DepartmentBySlug(ctx, q.Department)
		if err != nil {
			if civic.ErrorKind(err) == civic.KindNotFound {
				return nil, civic.Invalid("q", "department:%s: no such department", clip(q.Department))
			}
			return nil, err
		}
		q.DepartmentID = d.ID
	}
	return s.store.SearchArchive(ctx, &q.ArchiveQuery)
}
