package cli

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"slices"
	"sync"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/postgres"
	"steward.city/steward/internal/sqlite"
	"steward.city/steward/internal/sqlstore"
)

// searchBenchResult is what "steward bench search" prints.
type searchBenchResult struct {
	Engine   string `json:"engine"`
	Versions int64  `json:"versions"`
	// IngestS is the time the archive took to generate and ingest, or 0
	// when a kept database was reused.
	IngestS float64 `json:"ingest_s"`
	Clients int     `json:"clients"`
	// Floor is the raw full-text index's newest 50 matches of the common
	// word (SQLite: FTS5 by rowid; PostgreSQL: the tsvector match by id),
	// timed by the same clients in the same run.
	Floor searchTiming `json:"floor"`
	// Kinds are the searches, each beside the floor as ratio_p95.
	Kinds []searchTiming `json:"kinds"`
	// CommonWordP95Ms is the common word's newest-first first page with
	// its total (issue 16's worst query).
	CommonWordP95Ms float64 `json:"common_word_p95_ms"`
	RSSMB           float64 `json:"rss_mb"`
	// Segments is how many segments the full-text index had before the
	// searches (SQLite), and MergedS how long --merge took to make it one.
	Segments int     `json:"fts_segments,omitempty"`
	MergedS  float64 `json:"merge_s,omitempty"`
}

// searchTiming is one kind of search under load.
type searchTiming struct {
	Name     string  `json:"name"`
	Query    string  `json:"query"`
	Queries  int     `json:"queries"`
	P50Ms    float64 `json:"p50_ms"`
	P95Ms    float64 `json:"p95_ms"`
	P99Ms    float64 `json:"p99_ms"`
	MaxMs    float64 `json:"max_ms"`
	Hits     float64 `json:"mean_hits"`
	Total    float64 `json:"mean_total,omitempty"`
	RatioP95 float64 `json:"ratio_p95,omitempty"`
}

// benchSearch times the archive's searches with many concurrent clients
// against a generated city in which one word ("city") is in nearly every
// item, and prints one JSON object.
func (a *app) benchSearch(args []string) error {
	f := a.flags("bench search")
	items := f.Int("items", 1000000, "how many items to generate and ingest when the database is new")
	db := f.FlagSet.String("db", "", "postgres://… to run on PostgreSQL; default: SQLite")
	keep := f.FlagSet.String("keep", "", "SQLite: the database file to reuse, or to create and keep; PostgreSQL: the schema to reuse or create and keep (default: a new one, dropped after)")
	clients := f.Int("clients", 50, "how many searches run at once")
	queries := f.Int("queries", 200, "how many searches of each kind to time")
	seed := f.Uint64("seed", 1, "random seed for the generated city")
	workers := f.Int("workers", 2, "how many callers ingest batches at once")
	only := f.FlagSet.String("kinds", "", "comma-separated names of the kinds of search to time (default: all)")
	profile := f.FlagSet.String("cpuprofile", "", "write a CPU profile of the timed searches to this file")
	merge := f.Bool("merge", false, "merge the full-text index into one segment first, as the daily search_index_merge job does (SQLite)")
	if err := f.Parse(args); err != nil {
		return err
	}
	if *items < 1 || *clients < 1 || *queries < 0 {
		return usagef("--items and --clients must be at least 1, --queries at least 0")
	}
	ctx := a.ctx
	store, cleanup, err := searchBenchStore(ctx, *db, *keep)
	if err != nil {
		return err
	}
	defer cleanup()
	svc := archive.New(archive.Config{Store: store, Clock: time.Now})
	res := searchBenchResult{Engine: store.Engine(), Clients: *clients}
	gen := newCityGen(*seed, *items)
	gen.common = true
	if err := store.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM archive_versions`).Scan(&res.Versions); err != nil {
		return err
	}
	if res.Versions == 0 {
		start := time.Now()
		bar := newProgress(a.stderr, "bench search", time.Now)
		err := ingestCity(ctx, svc, gen, *items, *workers, func(done int) {
			bar.Report(int64(done), int64(*items), "ingesting the generated items")
		})
		bar.Done()
		if err != nil {
			return err
		}
		res.IngestS = round2(time.Since(start).Seconds())
		if err := store.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM archive_versions`).Scan(&res.Versions); err != nil {
			return err
		}
	}
	if *merge {
		start := time.Now()
		if _, err := mergeSearchIndex(ctx, store); err != nil {
			return err
		}
		res.MergedS = round2(time.Since(start).Seconds())
	}
	if res.Segments, err = store.SearchIndexSegments(ctx); err != nil {
		return err
	}
	if *queries > 0 {
		stopProfile, err := startProfile(*profile)
		if err != nil {
			return err
		}
		err = benchSearchLoad(ctx, store, svc, gen, *clients, *queries, *only, &res)
		stopProfile()
		if err != nil {
			return err
		}
	}
	res.RSSMB = peakRSS()
	return json.NewEncoder(a.stdout).Encode(res)
}

// searchBenchStore opens the bench's store: a kept SQLite file or
// PostgreSQL schema when keep names one, else a new one removed after.
func searchBenchStore(ctx context.Context, dbURL, keep string) (*sqlstore.Store, func(), error) {
	if keep == "" {
		return benchStore(ctx, dbURL, sqlite.SynchronousFull)
	}
	if dbURL == "" {
		s, err := sqlite.OpenWith(ctx, keep, time.Now, sqlite.Options{Synchronous: sqlite.SynchronousNormal})
		if err != nil {
			return nil, nil, err
		}
		return s, func() { s.Close() }, nil
	}
	admin, err := sql.Open("pgx", dbURL)
	if err != nil {
		return nil, nil, err
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA IF NOT EXISTS `+pgIdent(keep)); err != nil {
		return nil, nil, fmt.Errorf("bench: create schema: %w", err)
	}
	u, err := url.Parse(dbURL)
	if err != nil {
		return nil, nil, err
	}
	q := u.Query()
	q.Set("search_path", keep)
	u.RawQuery = q.Encode()
	s, err := postgres.Open(ctx, u.String(), time.Now)
	if err != nil {
		return nil, nil, err
	}
	return s, func() { s.Close() }, nil
}

// pgIdent quotes a PostgreSQL identifier.
func pgIdent(s string) string {
	b := []byte{'"'}
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			b = append(b, '"')
		}
		b = append(b, s[i])
	}
	return string(append(b, '"'))
}

// timeClients runs n calls of do on clients goroutines at once and
// returns their latencies in milliseconds, sorted.
func timeClients(ctx context.Context, clients, n int, do func(i int) error) ([]float64, error) {
	lat := make([]float64, n)
	next := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				start := time.Now()
				err := do(i)
				lat[i] = float64(time.Since(start).Microseconds()) / 1000
				if err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	for i := range n {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	slices.Sort(lat)
	return lat, first
}

// fill sets t's percentiles from sorted latencies.
func (t *searchTiming) fill(lat []float64) {
	t.Queries = len(lat)
	if len(lat) == 0 {
		return
	}
	at := func(p float64) float64 { return round2(lat[min(len(lat)-1, int(math.Ceil(p*float64(len(lat))))-1)]) }
	t.P50Ms, t.P95Ms, t.P99Ms, t.MaxMs = at(0.50), at(0.95), at(0.99), round2(lat[len(lat)-1])
}
