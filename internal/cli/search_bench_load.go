package cli

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/public"
	"steward.city/steward/internal/server"
	"steward.city/steward/internal/sqlstore"
)

// benchSearchLoad times each kind of search with clients at once: first
// the floor (the raw full-text index's newest 50 matches of the common
// word), then the searches as the archive page, the API and the public
// portal run them, each with its total.
func benchSearchLoad(ctx context.Context, store *sqlstore.Store, svc *archive.Service, gen *cityGen, clients, queries int, only string, res *searchBenchResult) error {
	if err := benchPublicAccounts(ctx, store, gen); err != nil {
		return err
	}
	if store.Engine() != "sqlite" {
		// Fresh statistics, as autovacuum would gather after a bulk
		// load: with none, PostgreSQL plans the public rule's account
		// list as one row and builds a word's GIN bitmap once per
		// account (minutes for a common word).
		if _, err := store.DB().ExecContext(ctx, `ANALYZE`); err != nil {
			return fmt.Errorf("bench: analyze: %w", err)
		}
	}
	// The floor reads through the store's read pool, as searches do.
	db, d := store.ReadDB(), store.Dialect()
	floorSQL := `SELECT rowid FROM archive_fts WHERE archive_fts MATCH 'text:"city"' ORDER BY rowid DESC LIMIT 50`
	if store.Engine() != "sqlite" {
		floorSQL = `SELECT id FROM archive_versions WHERE tsv @@ phraseto_tsquery('` + sqlstore.SearchConfig + `', 'city') ORDER BY id DESC LIMIT 50`
	}
	var firstDay, lastDay string
	if err := db.QueryRowContext(ctx, `SELECT MIN(day), MAX(day) FROM archive_days`).Scan(&firstDay, &lastDay); err != nil {
		return err
	}
	from, err1 := time.Parse("2006-01-02", firstDay)
	until, err2 := time.Parse("2006-01-02", lastDay)
	if err1 != nil || err2 != nil {
		return fmt.Errorf("bench: archive_days: %q, %q", firstDay, lastDay)
	}
	span := until.Sub(from) - 90*24*time.Hour
	r := rand.New(rand.NewPCG(uint64(queries), 3))
	word := func() string { return genWords[r.IntN(len(genWords))] }
	type kind struct {
		name, query string
		// q returns the i-th query; public ones run through the portal.
		q      func() *archive.Query
		public bool
		// page, when set, is the portal's page to GET through the whole
		// HTTP server (routing, middleware, the page's other reads and
		// its template) instead of a call to the archive.
		page string
	}
	parse := func(s string) func() *archive.Query {
		return func() *archive.Query {
			q, err := archive.ParseQuery(s)
			if err != nil {
				panic(err)
			}
			return q
		}
	}
	kinds := []kind{
		{name: "common_word", query: "city (newest first, 50 and one more, with its total)", q: parse("city")},
		{name: "rare_phrase", query: "two random words as a phrase (about 0.2% of items)", q: func() *archive.Query {
			return &archive.Query{ArchiveQuery: civic.ArchiveQuery{Terms: []string{word() + " " + word()}}}
		}},
		{name: "absent_word", query: "a word no item has", q: parse("zeppelin")},
		{name: "phrase", query: "a topic phrase (about 2.5% of items)", q: func() *archive.Query {
			return &archive.Query{ArchiveQuery: civic.ArchiveQuery{Terms: []string{genPhrases[r.IntN(len(genPhrases))]}}}
		}},
		{name: "common_word_account", query: "city in one of 200 accounts", q: func() *archive.Query {
			return &archive.Query{ArchiveQuery: civic.ArchiveQuery{Terms: []string{"city"}, Account: gen.accounts[r.IntN(len(gen.accounts))]}}
		}},
		{name: "common_word_90_days", query: "city in a random 90-day range", q: func() *archive.Query {
			f := from.Add(time.Duration(r.Int64N(int64(span))))
			return &archive.Query{ArchiveQuery: civic.ArchiveQuery{Terms: []string{"city"}, From: f, Until: f.Add(90 * 24 * time.Hour)}}
		}},
		{name: "phrase_account_90_days", query: "bench archive's query: a topic phrase, one account, 90 days", q: func() *archive.Query {
			q := gen.query()
			f := from.Add(time.Duration(r.Int64N(int64(span))))
			q.From, q.Until = f, f.Add(90*24*time.Hour)
			return q
		}},
		{name: "common_word_page_10", query: "city, page 10 (offset 450)", q: func() *archive.Query {
			q, _ := archive.ParseQuery("city")
			q.Offset = 450
			return q
		}},
		{name: "public_common_word", query: "the public portal's search for city, page 1 of 20", q: parse("city"), public: true},
		{name: "public_phrase", query: "the public portal's search for a topic phrase", q: func() *archive.Query {
			return &archive.Query{ArchiveQuery: civic.ArchiveQuery{Terms: []string{genPhrases[r.IntN(len(genPhrases))]}}}
		}, public: true},
		{name: "public_page", query: "GET /public/search?q=city: the portal's page through the HTTP server", page: "/public/search?q=city"},
	}
	// The queries are drawn before the clock starts, in one goroutine.
	floor := searchTiming{Name: "floor", Query: floorSQL}
	lat, err := timeClients(ctx, clients, queries, func(int) error {
		rows, err := db.QueryContext(ctx, d.Rebind(floorSQL))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
		}
		return rows.Err()
	})
	if err != nil {
		return err
	}
	floor.fill(lat)
	res.Floor = floor
	for _, k := range kinds {
		if only != "" && !slices.Contains(strings.Split(only, ","), k.name) {
			continue
		}
		if k.page != "" {
			t, err := benchPage(ctx, store, svc, clients, queries, k.page)
			if err != nil {
				return err
			}
			t.Name, t.Query = k.name, k.query
			if floor.P95Ms > 0 {
				t.RatioP95 = round2(t.P95Ms / floor.P95Ms)
			}
			res.Kinds = append(res.Kinds, t)
			continue
		}
		qs := make([]*archive.Query, queries)
		for i := range qs {
			qs[i] = k.q()
			if k.public {
				qs[i].Offset, qs[i].Limit = 0, public.PageSize+1
			} else if qs[i].Limit == 0 {
				qs[i].Limit = archive.DefaultLimit + 1
			}
		}
		var hits, totals atomic.Int64
		lat, err := timeClients(ctx, clients, queries, func(i int) error {
			var vs []*civic.Version
			var total int
			var err error
			if k.public {
				vs, total, err = svc.PublicSearch(ctx, qs[i])
			} else {
				vs, total, err = svc.SearchCount(ctx, civic.CLI, qs[i])
			}
			hits.Add(int64(len(vs)))
			totals.Add(int64(total))
			return err
		})
		if err != nil {
			return fmt.Errorf("bench %s: %w", k.name, err)
		}
		t := searchTiming{Name: k.name, Query: k.query}
		t.fill(lat)
		t.Hits = round2(float64(hits.Load()) / float64(queries))
		t.Total = round2(float64(totals.Load()) / float64(queries))
		if floor.P95Ms > 0 {
			t.RatioP95 = round2(t.P95Ms / floor.P95Ms)
		}
		if k.name == "common_word" {
			res.CommonWordP95Ms = t.P95Ms
		}
		res.Kinds = append(res.Kinds, t)
	}
	return nil
}

// benchPublicAccounts registers the generated city's archive accounts as
// its active official accounts, once, so that the public portal shows
// them: one department, one person and user who requested them.
func benchPublicAccounts(ctx context.Context, store *sqlstore.Store, gen *cityGen) error {
	db, d := store.DB(), store.Dialect()
	var n int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM accounts`).Scan(&n); err != nil || n > 0 {
		return err
	}
	now := time.Now().UTC()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	exec := func(q string, args ...any) error {
		_, err := tx.ExecContext(ctx, d.Rebind(q), args...)
		return err
	}
	if err := exec(`INSERT INTO departments (id, slug, name, created_at, updated_at) VALUES (9001, 'bench', 'Bench Department', ?, ?)`, now, now); err != nil {
		return fmt.Errorf("bench accounts: %w", err)
	}
	if err := exec(`INSERT INTO people (id, name, kind, department_id, created_at, updated_at) VALUES (9001, 'Bench Clerk', 'employee', 9001, ?, ?)`, now, now); err != nil {
		return fmt.Errorf("bench accounts: %w", err)
	}
	if err := exec(`INSERT INTO users (id, person_id, email, created_at, updated_at) VALUES (9001, 9001, 'bench@city.example', ?, ?)`, now, now); err != nil {
		return fmt.Errorf("bench accounts: %w", err)
	}
	for i, ref := range gen.accounts {
		platform, handle, _ := strings.Cut(ref, ":")
		if err := exec(`INSERT INTO accounts (id, department_id, platform, handle, display_name, purpose, audience, categories, website_url, profile_text, status, requested_by, requested_at, updated_at)
			VALUES (?, 9001, ?, ?, ?, 'bench', 'residents', '[]', '', '', 'active', 9001, ?, ?)`, 9001+i, platform, handle, "Bench "+handle, now, now); err != nil {
			return fmt.Errorf("bench accounts: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	// The accounts are an input of the portal's rule written around the
	// store: its answer per version (archive_public) is computed again.
	return store.RebuildPublic(ctx)
}

// benchPage times a GET of path through Steward's whole HTTP server, as a
// resident's browser would ask for it (no rate limit), with clients at
// once; every answer must be 200.
func benchPage(ctx context.Context, store *sqlstore.Store, svc *archive.Service, clients, queries int, path string) (searchTiming, error) {
	services := NewServices(ServicesConfig{Store: store, Archive: svc})
	h, err := services.Handler(HandlerConfig{PublicLimit: server.PublicLimit{PerMinute: -1}})
	if err != nil {
		return searchTiming{}, err
	}
	lat, err := timeClients(ctx, clients, queries, func(int) error {
		req := httptest.NewRequestWithContext(ctx, http.MethodGet, path, nil)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			return fmt.Errorf("GET %s: %d", path, rec.Code)
		}
		return nil
	})
	if err != nil {
		return searchTiming{}, fmt.Errorf("bench %s: %w", path, err)
	}
	var t searchTiming
	t.fill(lat)
	return t, nil
}
