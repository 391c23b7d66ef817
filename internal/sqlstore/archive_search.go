package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"steward.city/steward/internal/civic"
)

// SearchArchive returns one page of versions matching q.
//
// The full-text match is engine-specific. On SQLite the query drives from
// the FTS5 table (FROM archive_fts CROSS JOIN archive_versions), and a date
// range becomes a range of rowids through archive_days, so that SQLite never
// walks the date index re-running the match per row. On PostgreSQL the
// tsvector column and its GIN index need no rewrite.
func (r *reader) SearchArchive(ctx context.Context, q *civic.ArchiveQuery) (_ []*civic.Version, err error) {
	defer civic.Wrap(&err, "search archive")
	vs, _, err := r.search(ctx, q, false)
	return vs, err
}

// SearchArchiveTotal returns one page of versions matching q and how many
// match in all pages, counted up to civic.ArchiveTotalCap: when more match,
// the total is civic.ArchiveTotalCap+1, which pages show as "more than".
// Counting every match of a word nearly every version contains would cost
// as much as finding them all, and the page needs only the newest.
func (r *reader) SearchArchiveTotal(ctx context.Context, q *civic.ArchiveQuery) (_ []*civic.Version, total int, err error) {
	defer civic.Wrap(&err, "search archive")
	return r.search(ctx, q, true)
}

// fewMatches is the most matches a newest-first search sorts in one query
// rather than reading the newest days first (newestIDs).
const fewMatches = 200

// search runs SearchArchive's query, and counts the matches (up to the
// cap) when total is set or when words make the count worth knowing
// first: no match needs no page, and a few (fewMatches) are sorted at
// once. Newest first, it reads the ids of the page (newestIDs) and then
// their rows; by relevance, one query ranks every match.
func (r *reader) search(ctx context.Context, q *civic.ArchiveQuery, total bool) ([]*civic.Version, int, error) {
	if q.Public {
		// The portal's searches take turns (turns.go): many residents at
		// once each wait about as long. A staff search may be long (by
		// relevance, every match is ranked) and does not hold up theirs.
		leave, err := r.turn(ctx)
		if err != nil {
			return nil, 0, err
		}
		defer leave()
	}
	vs, n, checked, err := r.searchFlagged(ctx, q, total)
	if err != nil || !q.Public || checked {
		return vs, n, err
	}
	// Found through archive_public: the rule decides what a page shows,
	// so that a row the table holds wrongly can hide a version, never
	// show it. (The count is the table's: CheckPublic finds such rows.)
	// A page read by id applied the rule as it read its versions
	// (checked); one ranked by relevance is checked here.
	vs, err = r.publicRecheck(ctx, vs)
	return vs, n, err
}

// searchFlagged is search, with the public page's check by the rule done
// (checked) when it read the page's versions by id.
func (r *reader) searchFlagged(ctx context.Context, q *civic.ArchiveQuery, total bool) (_ []*civic.Version, _ int, checked bool, _ error) {
	limit := q.Limit
	switch {
	case limit == 0:
		limit = 50
	case limit < 0 || limit > civic.MaxArchiveLimit+1:
		return nil, 0, false, civic.Invalid("limit", "limit must be between 1 and %d", civic.MaxArchiveLimit)
	}
	s, ok, err := r.searchSQL(ctx, q)
	if err != nil || !ok {
		return nil, 0, false, err
	}
	words := len(q.Terms) > 0 || len(q.AnyOf) > 0
	n := -1
	newest := !q.Relevance || s.rank == ""
	if words && r.d.Name == "sqlite" {
		// When the full-text index alone can count (and archive_public,
		// for the portal), count first: no version row is read, and many
		// matches go to the newest days first. Reading the first few
		// matches' rows instead, only to learn that a common word has
		// more, was a third of the portal's search.
		readFew := true
		if s.ftsCounts() {
			upTo := fewMatches + 1
			if total {
				upTo = civic.ArchiveTotalCap + 1
			}
			if n, err = r.countCapped(ctx, s, upTo); err != nil {
				return nil, 0, false, err
			}
			if n == 0 {
				return nil, 0, false, nil
			}
			if n > fewMatches {
				readFew = false
				if !total {
					n = -1 // not counted to the cap: no total, and not few
				}
			}
		}
		// Read the first few matches in whatever order the engine finds
		// them: when that is all of them, they are the count, and sorted
		// here they are the page, with one query. (PostgreSQL would build
		// the GIN bitmap of every match first; countCapped counts there.)
		// Not all after a count of few: versions came in since; the
		// newest days first still find the page.
		if readFew {
			// With a total the index alone cannot count (a time range
			// is checked on each match's row), counting reads every
			// match's row up to the cap anyway: read them once, as the
			// page's candidates and as the count. Counting in one query
			// and then finding the page in others took three passes over
			// the matches (a phrase in one account over 90 days at 10M
			// items: 50 ms for 220 matches, against 17 ms for 180).
			upTo := fewMatches
			if total && !s.ftsCounts() {
				upTo = civic.ArchiveTotalCap
			}
			few, all, err := r.fewMatches(ctx, s, upTo)
			if err != nil {
				return nil, 0, false, err
			}
			if all && newest {
				offset := min(max(q.Offset, 0), len(few))
				vs, err := r.versionsByID(ctx, s, few[offset:min(len(few), offset+limit)])
				return vs, len(few), true, err
			}
			switch {
			case all:
				n = len(few)
			case upTo == civic.ArchiveTotalCap:
				n = civic.ArchiveTotalCap + 1 // more than the cap: counted
			}
		}
	}
	// PostgreSQL counts first, to know whether the matches are few; on
	// SQLite the first read said so, and only a total needs the count.
	if n < 0 && (total || (words && r.d.Name != "sqlite")) {
		if n, err = r.countCapped(ctx, s, civic.ArchiveTotalCap+1); err != nil {
			return nil, 0, false, err
		}
	}
	// A count past the cap is only a lower bound: a page beyond it may
	// still hold versions.
	if n == 0 || (n > 0 && n <= civic.ArchiveTotalCap && max(q.Offset, 0) >= n) {
		return nil, n, true, nil
	}
	if newest {
		ids, err := r.newestIDs(ctx, q, s, limit, n >= 0 && n <= fewMatches)
		if err != nil {
			return nil, 0, false, err
		}
		vs, err := r.versionsByID(ctx, s, ids)
		return vs, max(n, 0), true, err
	}
	if s.timeOnly() {
		// By relevance in a time range: rank the range's ids in the
		// full-text index, then check the first ranked versions' times.
		ids, ok, err := r.rankedInRange(ctx, s, limit, max(q.Offset, 0))
		if err != nil {
			return nil, 0, false, err
		}
		if ok {
			vs, err := r.versionsByID(ctx, s, ids)
			return vs, max(n, 0), true, err
		}
	}
	if s.ftsCounts() {
		// By relevance with no condition on the versions themselves
		// (SQLite): rank in the full-text index alone and read only the
		// page's rows. Ranked through the versions table, every match's
		// row was read to be sorted: a topic phrase in all of a 10M
		// archive took 19 s, against 0.6 s in the index alone.
		from, where, args := s.countSQL()
		ids, err := r.rankedIDs(ctx, from, where, args, limit, max(q.Offset, 0))
		if err != nil {
			return nil, 0, false, err
		}
		vs, err := r.versionsByID(ctx, s, ids)
		return vs, max(n, 0), true, err
	}
	order := s.rank + ", v.id DESC"
	args := append(s.args, s.rankArgs...)
	sqlText := `SELECT ` + s.columns() + ` FROM ` + s.from + versionJoins + s.where
	sqlText += fmt.Sprintf(` ORDER BY %s LIMIT %d OFFSET %d`, order, limit, max(q.Offset, 0))
	rows, err := r.query(ctx, sqlText, args...)
	if err != nil {
		return nil, 0, false, err
	}
	vs, err := collect(rows, func(row interface{ Scan(...any) error }) (*civic.Version, error) { return scanVersion(row) })
	return vs, max(n, 0), false, err
}

// rankedIDs returns the ids of a page of the full-text index's matches
// (from and where as countSQL gives them) by relevance: FTS5's rank, then
// the highest id first, the order the versions' query gives.
func (r *reader) rankedIDs(ctx context.Context, from, where string, args []any, limit, offset int) ([]int64, error) {
	return r.queryIDs(ctx, fmt.Sprintf(`SELECT rowid FROM %s%s ORDER BY rank, rowid DESC LIMIT %d OFFSET %d`, from, where, limit, offset), args...)
}

// fewMatches returns the ids of s's matches newest first, and all true,
// when there are at most upTo of them; otherwise all is false. A wide
// search is read in parts at once (searchParts), which stop together once
// they have found more than upTo.
func (r *reader) fewMatches(ctx context.Context, s searchQuery, upTo int) (ids []int64, all bool, err error) {
	parts, err := r.searchParts(ctx, s)
	if err != nil {
		return nil, false, err
	}
	type match struct {
		id int64
		at time.Time
	}
	var found atomic.Int64
	got := make([][]match, len(parts))
	err = eachPart(parts, func(i int, p searchQuery) error {
		rows, err := r.query(ctx, fmt.Sprintf(`SELECT v.id, v.at FROM %s%s LIMIT %d`, p.from, p.where, upTo+1), p.args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			if found.Add(1) > int64(upTo) {
				return nil // more than upTo: not all, whatever the other parts find
			}
			var m match
			if err := rows.Scan(&m.id, &m.at); err != nil {
				return err
			}
			got[i] = append(got[i], m)
		}
		return rows.Err()
	})
	if err != nil || found.Load() > int64(upTo) {
		return nil, false, err
	}
	ms := slices.Concat(got...)
	slices.SortFunc(ms, func(a, b match) int {
		if c := b.at.Compare(a.at); c != 0 {
			return c
		}
		return cmp.Compare(b.id, a.id)
	})
	ids = make([]int64, len(ms))
	for i, m := range ms {
		ids[i] = m.id
	}
	return ids, true, nil
}

// columns is the version columns a page of s reads. The portal's pages
// show no platform payload, so a public search does not read it (the raw
// column is most of a version's bytes): its versions have no Raw.
func (s searchQuery) columns() string {
	if s.public {
		return versionColumnsNoRaw
	}
	return versionColumns
}

// ftsCounts reports whether the full-text index alone can count s's
// matches (SQLite, with words, and no condition on the versions themselves
// but the public flag, which archive_public's primary key answers).
func (s searchQuery) ftsCounts() bool {
	return s.match != "" && (len(s.vconds) == 0 || s.onlyPublic())
}

// onlyPublic reports whether the public flag is s's one condition on the
// versions themselves.
func (s searchQuery) onlyPublic() bool {
	return len(s.vconds) == 1 && s.vconds[0] == publicFlagged
}

// countCapped counts s's matches up to limit. When ftsCounts, no version
// row is read. A wide search on SQLite is counted in parts at once
// (searchParts), each up to limit.
func (r *reader) countCapped(ctx context.Context, s searchQuery, limit int) (int, error) {
	if r.d.Name == "sqlite" {
		parts, err := r.searchParts(ctx, s)
		if err != nil {
			return 0, err
		}
		var total atomic.Int64
		err = eachPart(parts, func(_ int, p searchQuery) error {
			from, where, args := p.countSQL()
			n, err := r.countUpTo(ctx, from, where, args, limit)
			total.Add(int64(n))
			return err
		})
		return min(int(total.Load()), limit), err
	}
	from, where, args := s.countSQL()
	count := func(where string, args ...any) (int, error) {
		return r.countUpTo(ctx, from, where, args, limit)
	}
	// With an account, PostgreSQL reads the account's versions from the
	// (account_id, at) index (17 ms for a common word in one of 200
	// accounts at 1M); an id window would turn that into a bitmap of the
	// window's ids (190 ms).
	if !s.words || s.account {
		return count(where, args...)
	}
	// PostgreSQL builds a bitmap of every match of the GIN index before
	// LIMIT stops anything (0.7 s for a word in nearly every version at
	// 1M), or, told to read ids in order, reads the whole table for a word
	// it has no statistics on. Count the newest day first, then a window
	// sized by the matches seen: a window with more than the cap has
	// answered. A word not in the newest eight days is rare, and the
	// bitmap of its matches small.
	first, last := s.firstDay, s.lastDay
	if first == "" {
		first, last = dayRange(time.Time{}, time.Time{})
	}
	for k := 1; ; {
		lo, _, all, err := r.newestDays(ctx, first, last, k)
		if err != nil {
			return 0, err
		}
		if all {
			return count(where, args...)
		}
		n, err := count(where+" AND v.id >= ?", append(append([]any(nil), args...), lo)...)
		switch {
		case err != nil || n >= limit:
			return n, err
		case n == 0 && k >= 8:
			return count(where, args...)
		case n == 0:
			k = 8
		default:
			k = max(2*k, int(math.Ceil(float64(k)*1.5*float64(limit)/float64(n))))
		}
	}
}

// countSQL returns the FROM, WHERE and arguments that count s's matches:
// the full-text index alone when it can (ftsCounts).
func (s searchQuery) countSQL() (from, where string, args []any) {
	if !s.ftsCounts() {
		return s.from, s.where, s.args
	}
	return s.ftsSQL()
}

// ftsSQL returns the FROM, WHERE and arguments of s's matches in the
// full-text index alone (SQLite): its words, its id range, and for the
// portal the public flag. Any other condition on the versions is left out.
func (s searchQuery) ftsSQL() (from, where string, args []any) {
	from, where, args = "archive_fts", " WHERE archive_fts MATCH ?", []any{s.match}
	if s.public {
		where += " AND EXISTS (SELECT 1 FROM archive_public ap WHERE ap.version_id = archive_fts.rowid)"
	}
	if s.rowHi > 0 {
		where += " AND rowid BETWEEN ? AND ?"
		args = append(args, s.rowLo, s.rowHi)
	}
	return from, where, args
}

// timeOnly reports whether s's conditions on the versions themselves are
// its time range and, for the portal, the public flag.
func (s searchQuery) timeOnly() bool {
	n := s.atConds
	if s.public {
		n++
	}
	return s.match != "" && s.atConds > 0 && len(s.vconds) == n
}

// rankedInRange returns the ids of the page (offset, limit) by relevance
// of a search whose only condition on the versions is its time range
// (timeOnly): the full-text index ranks the matches of the range's ids,
// which hold every version of its days and, nearly always, little else,
// and the versions' own times are checked on the first ranked, twice as
// many as the page and the pages before it. When fewer of those are in the
// range than the page needs, and there were more, ok is false and the
// caller ranks through the versions, as every ranked search did before.
func (r *reader) rankedInRange(ctx context.Context, s searchQuery, limit, offset int) (ids []int64, ok bool, err error) {
	want := offset + limit
	if want > civic.ArchiveTotalCap {
		return nil, false, nil // deep pages: one query through the versions
	}
	k := 2*want + 16
	from, where, args := s.ftsSQL()
	ranked, err := r.rankedIDs(ctx, from, where, args, k, 0)
	if err != nil || len(ranked) == 0 {
		return nil, err == nil, err
	}
	check := make([]any, 0, len(ranked)+len(s.vargs))
	for _, id := range ranked {
		check = append(check, id)
	}
	check = append(check, s.vargs...)
	rows, err := r.query(ctx, `SELECT v.id FROM archive_versions v WHERE v.id IN (`+placeholders(len(ranked))+`) AND `+strings.Join(s.vconds, " AND "), check...)
	if err != nil {
		return nil, false, err
	}
	in, err := scanIDs(rows)
	if err != nil {
		return nil, false, err
	}
	kept := slices.DeleteFunc(ranked, func(id int64) bool { return !in[id] })
	if len(kept) < want && len(ranked) == k {
		return nil, false, nil
	}
	if offset >= len(kept) {
		return nil, true, nil
	}
	return kept[offset:min(len(kept), want)], true, nil
}

// countUpTo counts the rows of FROM from WHERE where, up to limit.
func (r *reader) countUpTo(ctx context.Context, from, where string, args []any, limit int) (int, error) {
	var n int
	err := r.queryRow(ctx, fmt.Sprintf(`SELECT COUNT(*) FROM (SELECT 1 FROM %s%s LIMIT %d) c`, from, where, limit), args...).Scan(&n)
	return n, err
}

// CountArchive returns how many versions match q: the same conditions as
// SearchArchive, counted in one more query without the joins the page
// needs for its columns.
func (r *reader) CountArchive(ctx context.Context, q *civic.ArchiveQuery) (_ int, err error) {
	defer civic.Wrap(&err, "count archive search")
	s, ok, err := r.searchSQL(ctx, q)
	if err != nil || !ok {
		return 0, err
	}
	var n int
	err = r.queryRow(ctx, `SELECT COUNT(*) FROM `+s.from+s.where, s.args...).Scan(&n)
	return n, err
}

// searchQuery is the FROM and WHERE of an archive search, shared by the
// page and the count.
type searchQuery struct {
	from, where string
	// match is the FTS5 query on SQLite with words, "" otherwise; rowLo
	// and rowHi bound its rowids when the query has a time range.
	match        string
	rowLo, rowHi int64
	// rangeArg is the index in args of rowLo's argument (rowHi's
	// follows), when rowHi > 0.
	rangeArg int
	// atConds is how many of vconds are the time range's (v.at).
	atConds int
	words   bool // the query has words
	public  bool // the portal's search: only public versions, no payload
	account bool // the query names an account
	// vconds are the conditions on archive_versions v alone (all of them
	// but the FTS5 match), with their arguments vargs.
	vconds []string
	vargs  []any
	args   []any
	rank   string // ORDER BY for relevance, "" without words
	// firstDay and lastDay bound the days (archive_days) of the query's
	// time range, inclusive; "" when it has none.
	firstDay, lastDay string
	rankArgs          []any
}

// searchSQL builds the FROM and WHERE of a search for q; ok is false when
// the store knows without a query that nothing matches (an account or
// days it does not have).
func (r *reader) searchSQL(ctx context.Context, q *civic.ArchiveQuery) (s searchQuery, ok bool, err error) {
	sqlite := r.d.Name == "sqlite"
	s.from = `archive_versions v`
	idCol := "v.id"
	var conds []string
	// add adds a condition on the versions alone (v), which every form
	// of the query has.
	add := func(cond string, args ...any) {
		conds = append(conds, cond)
		s.args = append(s.args, args...)
		s.vconds = append(s.vconds, cond)
		s.vargs = append(s.vargs, args...)
	}
	words := len(q.Terms) > 0 || len(q.AnyOf) > 0
	s.words, s.account, s.public = words, q.Account != "", q.Public
	if words {
		if sqlite {
			s.match = ftsMatch(q.Terms, q.AnyOf)
			if q.Account != "" {
				var id int64
				err := r.queryRow(ctx, `SELECT id FROM archive_accounts WHERE ref = ?`, q.Account).Scan(&id)
				if errors.Is(err, sql.ErrNoRows) {
					return s, false, nil
				} else if err != nil {
					return s, false, err
				}
				s.match += " AND acct:" + ftsAccount(id)
			}
			s.from = `archive_fts f CROSS JOIN archive_versions v`
			idCol = "f.rowid"
			conds = append(conds, "archive_fts MATCH ?", "v.id = f.rowid")
			s.args = append(s.args, s.match)
			s.rank = "f.rank"
		} else {
			tsq, args := tsQuery(q.Terms, q.AnyOf)
			add("v.tsv @@ "+tsq, args...)
			s.rank = "ts_rank(v.tsv, " + tsq + ") DESC"
			s.rankArgs = args
		}
	}
	if !q.From.IsZero() || !q.Until.IsZero() {
		lo, hi, ok, err := r.idRange(ctx, q.From, q.Until)
		s.firstDay, s.lastDay = dayRange(q.From, q.Until)
		if err != nil || !ok {
			return s, false, err
		}
		if s.match != "" {
			conds = append(conds, idCol+" BETWEEN ? AND ?")
			s.rangeArg = len(s.args)
			s.args = append(s.args, lo, hi)
			s.rowLo, s.rowHi = lo, hi
		} else {
			add("v.id BETWEEN ? AND ?", lo, hi)
		}
		if !q.From.IsZero() {
			add("v.at >= ?", dbTime(q.From))
			s.atConds++
		}
		if !q.Until.IsZero() {
			add("v.at < ?", dbTime(q.Until))
			s.atConds++
		}
	}
	// With words on SQLite the account is a term of the match.
	fc, fa := archiveFilters(q, s.match != "")
	if !sqlite && q.Public {
		for i, c := range fc {
			if c == publicFlagged {
				fc[i] = publicFlaggedPG
			}
		}
	}
	conds, s.vconds = append(conds, fc...), append(s.vconds, fc...)
	s.args, s.vargs = append(s.args, fa...), append(s.vargs, fa...)
	if len(conds) > 0 {
		s.where = ` WHERE ` + strings.Join(conds, " AND ")
	}
	return s, true, nil
}

// SearchConfig is the PostgreSQL text search configuration of the archive's
// tsvector column (migration 009): the simple configuration's parser, with
// its word tokens stemmed by Snowball's English stemmer and no stop words,
// so that "potholes" finds "pothole" as SQLite's porter tokenizer does and
// no word is dropped that SQLite keeps.
const SearchConfig = "steward_search"

// tsQuery returns a PostgreSQL tsquery requiring every term, each as a
// phrase, and one term of each group, with its arguments.
func tsQuery(terms []string, anyOf [][]string) (string, []any) {
	phrase := "phraseto_tsquery('" + SearchConfig + "', ?)"
	var parts []string
	var args []any
	for _, t := range terms {
		parts = append(parts, phrase)
		args = append(args, t)
	}
	for _, g := range anyOf {
		alts := make([]string, len(g))
		for i, t := range g {
			alts[i] = phrase
			args = append(args, t)
		}
		parts = append(parts, "("+strings.Join(alts, " || ")+")")
	}
	return "(" + strings.Join(parts, " && ") + ")", args
}

// archiveFilters returns the conditions of q other than its terms and its
// time range, on archive_versions v and the tables it refers to (accounts,
// holds), never on the search or date indexes.
func archiveFilters(q *civic.ArchiveQuery, accountInMatch bool) (conds []string, args []any) {
	add := func(cond string, a ...any) {
		conds = append(conds, cond)
		args = append(args, a...)
	}
	if q.ItemID != 0 {
		add("v.item_id = ?", q.ItemID)
	}
	if q.Account != "" && !accountInMatch {
		add("v.account_id = (SELECT id FROM archive_accounts WHERE ref = ?)", q.Account)
	}
	if q.DepartmentID != 0 {
		add("v.account_id IN (SELECT id FROM archive_accounts WHERE department_id = ?)", q.DepartmentID)
	}
	if q.Platform != "" {
		add("v.account_id IN (SELECT id FROM archive_accounts WHERE platform = ?)", q.Platform)
	}
	if q.Kind != "" {
		add("v.kind = ?", string(q.Kind))
	}
	if q.Author != "" {
		add("(v.author_id = ? OR v.author_handle = ?)", q.Author, q.Author)
	}
	if q.State != "" {
		add("v.state = ?", string(q.State))
	}
	if q.Removed != nil {
		if *q.Removed {
			add("v.state IN ('hidden', 'deleted')")
		} else {
			add("v.state NOT IN ('hidden', 'deleted')")
		}
	}
	if q.Public {
		// The rule's answer kept per version (publicFindable, in
		// archive_public): one primary-key lookup per match. search checks
		// the page's versions by the rule itself.
		add(publicFlagged)
	}
	if q.Held != nil {
		held := `EXISTS (SELECT 1 FROM archive_hold_items hi JOIN archive_holds h ON h.id = hi.hold_id WHERE hi.item_id = v.item_id AND h.released_at IS NULL)`
		if !*q.Held {
			held = "NOT " + held
		}
		add(held)
	}
	return conds, args
}

// ftsMatch returns an FTS5 query requiring every term, each as a phrase,
// and one term of each group, in the text column.
func ftsMatch(terms []string, anyOf [][]string) string {
	phrase := func(t string) string { return `text:"` + strings.ReplaceAll(t, `"`, `""`) + `"` }
	var parts []string
	for _, t := range terms {
		parts = append(parts, phrase(t))
	}
	for _, g := range anyOf {
		alts := make([]string, len(g))
		for i, t := range g {
			alts[i] = phrase(t)
		}
		parts = append(parts, "("+strings.Join(alts, " OR ")+")")
	}
	return strings.Join(parts, " AND ")
}

// ftsAccount is the token of an account in the full-text index's acct column.
func ftsAccount(id int64) string { return "a" + strconv.FormatInt(id, 10) }

// idRange returns the range of version ids whose item time may fall in
// [from, until), from the per-day ranges kept at ingest; ok is false when no
// version falls on those days.
func (r *reader) idRange(ctx context.Context, from, until time.Time) (lo, hi int64, ok bool, err error) {
	first, last := dayRange(from, until)
	var l, h sql.NullInt64
	if err := r.queryRow(ctx, `SELECT MIN(min_id), MAX(max_id) FROM archive_days WHERE day >= ? AND day <= ?`, first, last).Scan(&l, &h); err != nil {
		return 0, 0, false, err
	}
	return l.Int64, h.Int64, l.Valid, nil
}

// dayRange returns the first and last day (as archive_days keeps them) of
// the time range [from, until); either may be zero, for no bound.
func dayRange(from, until time.Time) (first, last string) {
	first, last = "0000-00-00", "9999-99-99"
	if !from.IsZero() {
		first = from.UTC().Format("2006-01-02")
	}
	if !until.IsZero() {
		last = until.UTC().Add(-time.Microsecond).Format("2006-01-02")
	}
	return first, last
}
