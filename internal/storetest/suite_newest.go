package storetest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/civic"
)

// testArchiveSearchNewest checks the newest-first order against the order
// computed here from every stored version (item time newest first, then
// id highest first) on an archive captured out of order: a backfill of
// old items ingested after newer ones, edits of old items captured late,
// and a post whose platform time is ahead of the versions captured after
// it. Searches read the newest days first and widen (sqlstore's
// newestIDs); whatever the word's frequency, page, size or range, the
// page must be the one a full sort gives.
func testArchiveSearchNewest(t *testing.T, f *fixture) {
	base := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	accts := []string{"mastodon:@parks@city.example", "facebook:citylibrary"}
	r := rand.New(rand.NewPCG(7, 11))
	n := 0
	mk := func(day int, minute int, item string) *civic.Version {
		n++
		words := []string{"filler"}
		if n%20 != 0 {
			words = append(words, "common")
		}
		if r.IntN(2) == 0 {
			words = append(words, "half")
		}
		if n%40 == 3 {
			words = append(words, "rare")
		}
		if item == "" {
			item = fmt.Sprintf("i%d", n)
		}
		at := base.AddDate(0, 0, day).Add(time.Duration(minute) * time.Minute)
		v := version(accts[n%2], item, strings.Join(words, " "), at.Add(time.Duration(n)*time.Second))
		v.PlatformTime = &at
		v.Hash = v.ComputeHash()
		return v
	}
	var batch []*civic.Version
	// Days 30 to 59 in order, several versions a day, some at the same
	// minute (ties broken by id).
	for d := 30; d < 60; d++ {
		for i := range 8 {
			batch = append(batch, mk(d, i%5*60, ""))
		}
	}
	// A post captured early whose time is in the newest days.
	batch = append(batch, mk(65, 30, ""))
	f.ingest(t, batch...)
	// A backfill of days 0 to 29, captured later: higher ids, older times.
	batch = nil
	for d := 0; d < 30; d++ {
		for i := range 6 {
			batch = append(batch, mk(d, i*30, ""))
		}
	}
	f.ingest(t, batch...)
	// New days, edits of old items (old times, new ids), and a post
	// whose platform time is ahead: its day's lowest id is lower than
	// the days before it.
	batch = []*civic.Version{mk(75, 0, "")}
	for d := 60; d < 70; d++ {
		for i := range 5 {
			batch = append(batch, mk(d, i*45, ""))
		}
		batch = append(batch, mk(d-50, 5, "i3"), mk(d-35, 7, fmt.Sprintf("i%d", 3*d)))
	}
	f.ingest(t, batch...)

	var all []*civic.Version
	if err := f.s.ScanVersions(f.ctx, 0, func(v *civic.Version) error { all = append(all, v); return nil }); err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(all, func(a, b *civic.Version) int {
		if c := b.At().Compare(a.At()); c != 0 {
			return c
		}
		return int(b.ID - a.ID)
	})
	want := func(q civic.ArchiveQuery) []int64 {
		var out []int64
		for _, v := range all {
			if q.Terms != nil && !slices.Contains(strings.Fields(v.Text), q.Terms[0]) {
				continue
			}
			if q.Account != "" && v.Account != q.Account {
				continue
			}
			if at := v.At(); (!q.From.IsZero() && at.Before(q.From)) || (!q.Until.IsZero() && !at.Before(q.Until)) {
				continue
			}
			out = append(out, v.ID)
		}
		limit := q.Limit
		if limit == 0 {
			limit = 50
		}
		if q.Offset >= len(out) {
			return nil
		}
		return out[q.Offset:min(len(out), q.Offset+limit)]
	}
	// search returns the ids of q's page.
	search := func(q civic.ArchiveQuery) []int64 {
		vs, err := f.s.SearchArchive(f.ctx, &q)
		if err != nil {
			t.Fatalf("search %+v: %v", q, err)
		}
		var out []int64
		for _, v := range vs {
			out = append(out, v.ID)
		}
		return out
	}
	cases := 0
	eachSplit(f, func(split string) {
		for _, word := range []string{"common", "half", "rare", "filler", "absent", ""} {
			for _, account := range []string{"", accts[1]} {
				for _, rng := range [][2]time.Time{{}, {base.AddDate(0, 0, 12), base.AddDate(0, 0, 40)}, {base.AddDate(0, 0, 55), {}}, {{}, base.AddDate(0, 0, 5)}, {base.AddDate(0, 0, 25).Truncate(24 * time.Hour), base.AddDate(0, 0, 66).Truncate(24 * time.Hour)}} {
					for _, page := range [][2]int{{0, 1}, {0, 5}, {0, 50}, {7, 5}, {48, 50}, {200, 20}, {0, civic.MaxArchiveLimit + 1}} {
						q := civic.ArchiveQuery{Account: account, From: rng[0], Until: rng[1], Offset: page[0], Limit: page[1]}
						if word != "" {
							q.Terms = []string{word}
						}
						got := search(q)
						if w := want(q); !slices.Equal(got, w) {
							t.Errorf("%s: search %q account %q range %v–%v offset %d limit %d:\n got %v\nwant %v", split, word, account, rng[0], rng[1], page[0], page[1], got, w)
						}
						if page[0] == 0 && page[1] == 50 {
							all := q
							all.Limit = civic.MaxArchiveLimit + 1
							_, total, err := f.s.SearchArchiveTotal(f.ctx, &q)
							if n := len(want(all)); err != nil || total != n {
								t.Errorf("%s: search %q account %q range %v–%v: total %d, %v; want %d", split, word, account, rng[0], rng[1], total, err, n)
							}
						}
						cases++
					}
				}
			}
		}
	})
	if cases == 0 {
		t.Fatal("no searches ran")
	}

	// By relevance, a search with no condition on the versions but its
	// time range is ranked in the full-text index (SQLite: alone, or by the
	// range's ids with the times checked after), and one with a condition
	// that every version here meets (not removed) through the versions
	// table: every page must be the same, in the same order, also where the
	// range's ids hold versions of other days (the backfill, the edits).
	no := false
	ranges := [][2]time.Time{{}, {base.AddDate(0, 0, 12), base.AddDate(0, 0, 40)}, {base.AddDate(0, 0, 55), {}}, {{}, base.AddDate(0, 0, 5)}, {base.AddDate(0, 0, 29), base.AddDate(0, 0, 31)}}
	for _, word := range []string{"common", "half", "rare", "absent"} {
		for _, rng := range ranges {
			for _, pg := range [][2]int{{0, 5}, {3, 7}, {0, 50}, {40, 50}, {500, 20}} {
				q := civic.ArchiveQuery{Terms: []string{word}, From: rng[0], Until: rng[1], Relevance: true, Offset: pg[0], Limit: pg[1]}
				viaRows := q
				viaRows.Removed = &no
				got, ranked := search(q), search(viaRows)
				if !slices.Equal(got, ranked) {
					t.Errorf("relevance %q range %v–%v offset %d limit %d:\n got %v\nwant %v", word, rng[0], rng[1], pg[0], pg[1], got, ranked)
				}
				all := civic.ArchiveQuery{Terms: q.Terms, From: rng[0], Until: rng[1], Limit: civic.MaxArchiveLimit + 1}
				if n := len(want(all)); len(got) != max(0, min(pg[1], n-pg[0])) {
					t.Errorf("relevance %q range %v–%v offset %d limit %d: %d versions of %d matches", word, rng[0], rng[1], pg[0], pg[1], len(got), n)
				}
			}
		}
	}
}

// testArchiveSearchTotalCap checks that a total is exact up to
// civic.ArchiveTotalCap and says "more" past it, on every page, and that
// the page itself is still the newest versions.
func testArchiveSearchTotalCap(t *testing.T, f *fixture) {
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	acct := "mastodon:@works@city.example"
	var vs []*civic.Version
	for i := range civic.ArchiveTotalCap + 5 {
		text := "street sweeping"
		if i%2 == 0 {
			text += " today"
		}
		vs = append(vs, version(acct, fmt.Sprintf("s%d", i), text, base.Add(time.Duration(i)*time.Minute)))
	}
	f.ingest(t, vs...)
	last := fmt.Sprintf("s%d", civic.ArchiveTotalCap+4)
	for _, c := range []struct {
		q         civic.ArchiveQuery
		wantTotal int
		wantFirst string
	}{
		{civic.ArchiveQuery{Terms: []string{"sweeping"}, Limit: 10}, civic.ArchiveTotalCap + 1, last},
		{civic.ArchiveQuery{Terms: []string{"sweeping"}, Limit: 10, Offset: civic.ArchiveTotalCap + 20}, civic.ArchiveTotalCap + 1, ""},
		// Past the counted cap the pages go on (a hold reads every page).
		{civic.ArchiveQuery{Terms: []string{"sweeping"}, Limit: 10, Offset: civic.ArchiveTotalCap + 2}, civic.ArchiveTotalCap + 1, "s2"},
		{civic.ArchiveQuery{Account: acct, Limit: 2, Offset: civic.ArchiveTotalCap + 3}, civic.ArchiveTotalCap + 1, "s1"},
		{civic.ArchiveQuery{Account: acct, Limit: 10}, civic.ArchiveTotalCap + 1, last},
		{civic.ArchiveQuery{Terms: []string{"today"}, Limit: 10}, (civic.ArchiveTotalCap + 5 + 1) / 2, fmt.Sprintf("s%d", civic.ArchiveTotalCap+4)},
		{civic.ArchiveQuery{Terms: []string{"sweeping"}, Until: base.Add(time.Duration(civic.ArchiveTotalCap) * time.Minute)}, civic.ArchiveTotalCap, fmt.Sprintf("s%d", civic.ArchiveTotalCap-1)},
		// With a time range each match's row is read to count it (up to
		// the cap, and the page comes from the same reading): one past the
		// cap, a few hundred, and a page inside them.
		{civic.ArchiveQuery{Terms: []string{"sweeping"}, Until: base.Add(time.Duration(civic.ArchiveTotalCap+1) * time.Minute)}, civic.ArchiveTotalCap + 1, fmt.Sprintf("s%d", civic.ArchiveTotalCap)},
		{civic.ArchiveQuery{Terms: []string{"sweeping"}, From: base.Add(100 * time.Minute), Until: base.Add(700 * time.Minute), Offset: 10, Limit: 10}, 600, "s689"},
		{civic.ArchiveQuery{Terms: []string{"today"}, From: base.Add(time.Minute), Until: base.Add(time.Duration(civic.ArchiveTotalCap+3) * time.Minute)}, 501, fmt.Sprintf("s%d", civic.ArchiveTotalCap+2)},
		{civic.ArchiveQuery{Terms: []string{"sweeping"}, Account: acct, From: base.Add(time.Minute), Limit: 10, Offset: 5}, civic.ArchiveTotalCap + 1, fmt.Sprintf("s%d", civic.ArchiveTotalCap-1)},
	} {
		eachSplit(f, func(split string) {
			page, total, err := f.s.SearchArchiveTotal(f.ctx, &c.q)
			if err != nil {
				t.Fatalf("%s: search %+v: %v", split, c.q, err)
			}
			first := ""
			if len(page) > 0 {
				first = page[0].PlatformID
			}
			if total != c.wantTotal || first != c.wantFirst {
				t.Errorf("%s: search %+v: total %d, first %q; want %d, %q", split, c.q, total, first, c.wantTotal, c.wantFirst)
			}
		})
	}
	// CountArchive stays exact.
	if n, err := f.s.CountArchive(f.ctx, &civic.ArchiveQuery{Terms: []string{"sweeping"}}); err != nil || n != civic.ArchiveTotalCap+5 {
		t.Errorf("count = %d, %v; want %d", n, err, civic.ArchiveTotalCap+5)
	}
}

// eachSplit runs check as the store searches by default ("whole": the
// suite's archives are too small to be split), then, on a store that can
// cut a search with words into parts by version id and search them at
// once (SQLite, sqlstore's searchParts), once more with every such search
// split ("split"), so that the parts put together must give exactly what
// the whole gives.
func eachSplit(f *fixture, check func(split string)) {
	check("whole")
	sp, ok := f.s.(interface{ SplitSearchesFrom(rows int64) })
	if !ok {
		return
	}
	sp.SplitSearchesFrom(1)
	defer sp.SplitSearchesFrom(0)
	check("split")
}
