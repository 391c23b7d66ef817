package cli

import (
	"bufio"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	mrand "math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/postgres"
	"steward.city/steward/internal/sqlite"
	"steward.city/steward/internal/sqlstore"
)

// benchResult is what "steward bench archive" prints.
type benchResult struct {
	Engine          string  `json:"engine"`
	Items           int     `json:"items"`
	IngestItemsPerS float64 `json:"ingest_items_per_s"`
	SearchP50Ms     float64 `json:"search_p50_ms"`
	SearchP95Ms     float64 `json:"search_p95_ms"`
	SearchHits      float64 `json:"search_mean_hits"`
	ExportMBPerS    float64 `json:"export_mb_per_s"`
	// CommonWordP95Ms is the newest-first first page of the common word
	// "city", with its total, timed with 50 searchers at once.
	CommonWordP95Ms float64 `json:"common_word_p95_ms"`
	RSSMB           float64 `json:"rss_mb"`
	// FloorItemsPerS (with --floor) inserts the same rows, 5,000 per
	// transaction, plainly into a table with a full-text index built as the
	// archive's, in the same process first; IngestVsFloor is the ingest's
	// speed over it (issue 16 asks for at least 0.75 on SQLite at 1M).
	FloorItemsPerS float64 `json:"floor_items_per_s,omitempty"`
	IngestVsFloor  float64 `json:"ingest_vs_floor,omitempty"`
	// Durability says what the commits promised and what that cost.
	Durability durabilityResult `json:"durability"`
	// With --merge: the full-text index's segments after the ingest, how
	// long merging them into one took (as the daily search_index_merge
	// job does), and the same searches timed again on the merged index.
	Segments          int     `json:"fts_segments,omitempty"`
	MergeS            float64 `json:"merge_s,omitempty"`
	MergedSearchP50Ms float64 `json:"merged_search_p50_ms,omitempty"`
	MergedSearchP95Ms float64 `json:"merged_search_p95_ms,omitempty"`
}

func (a *app) bench(name string, args []string) error {
	switch name {
	case "export":
		return a.benchExport(args)
	case "search":
		return a.benchSearch(args)
	}
	if name != "archive" {
		return usagef("unknown command bench %s (try bench archive, bench export or bench search)", name)
	}
	f := a.flags("bench archive")
	items := f.Int("items", 100000, "how many items to generate and ingest")
	db := f.FlagSet.String("db", "", "postgres://… to run on PostgreSQL (in a new schema, dropped after); default: a new SQLite file in a temporary folder")
	queries := f.Int("queries", 300, "how many searches to time")
	seed := f.Uint64("seed", 1, "random seed for the generated city")
	cpuProfile := f.FlagSet.String("cpuprofile", "", "write a CPU profile of the ingest to this file")
	exportProfile := f.FlagSet.String("export-cpuprofile", "", "write a CPU profile of the export to this file")
	workers := f.Int("workers", 2, "how many callers ingest batches at once")
	commits := f.Int("commits", 300, "how many single-record ingests (one commit each) to time beside single-row commits")
	sync := f.FlagSet.String("sqlite-synchronous", "full", "full or normal: the SQLite writer's setting, for the ingest and the floor alike")
	withFloor := f.FlagSet.Bool("floor", false, "first time a plain insert of the same rows into a full-text-indexed table (floor_items_per_s, ingest_vs_floor)")
	clients := f.Int("clients", 50, "how many searchers time the common word at once")
	merge := f.Bool("merge", false, "SQLite: then merge the full-text index into one segment, as the daily search_index_merge job does, and time the same searches again")
	if err := f.Parse(args); err != nil {
		return err
	}
	if *items < 1 || *commits < 1 || *clients < 1 {
		return usagef("--items, --commits and --clients must be at least 1")
	}
	ctx := a.ctx
	store, cleanup, err := benchStore(ctx, *db, *sync)
	if err != nil {
		return err
	}
	defer cleanup()
	svc := archive.New(archive.Config{Store: store, Clock: time.Now})
	gen := newCityGen(*seed, *items+*commits)
	res := benchResult{Engine: store.Engine(), Items: *items}
	bar := newProgress(a.stderr, "bench archive", time.Now)
	defer bar.Done()
	if *withFloor {
		bar.Report(0, int64(*items), "timing the full-text floor")
		floor, err := benchFTSFloor(ctx, store, *sync, newCityGen(*seed, *items+*commits), *items)
		if err != nil {
			return err
		}
		res.FloorItemsPerS = math.Round(floor)
	}

	stopProfile, err := startProfile(*cpuProfile)
	if err != nil {
		return err
	}
	defer stopProfile()
	start := time.Now()
	if err := ingestCity(ctx, svc, gen, *items, *workers, func(done int) {
		bar.Report(int64(done), int64(*items), "ingesting the generated items")
	}); err != nil {
		return err
	}
	ingestTime := time.Since(start)
	stopProfile()
	res.IngestItemsPerS = math.Round(float64(*items) / ingestTime.Seconds())
	if res.FloorItemsPerS > 0 {
		res.IngestVsFloor = round2(res.IngestItemsPerS / res.FloorItemsPerS)
	}
	d, err := store.WriteDurability(ctx)
	if err != nil {
		return err
	}
	res.Durability.Setting, res.Durability.Durable = d.Setting, d.Durable
	floorGen := newCityGen(*seed+1, *items)
	floor, err := benchFloorBatches(ctx, store, floorGen, *items)
	if err != nil {
		return err
	}
	res.Durability.FloorItemsPerS = math.Round(floor)
	res.Durability.IngestVsFloor = round2(res.IngestItemsPerS / floor)
	if err := benchCommits(ctx, store, svc, gen, *commits, &res.Durability); err != nil {
		return err
	}

	if store.Engine() != "sqlite" {
		// Fresh statistics, as autovacuum would gather after a bulk load
		// (bench search does the same): without them PostgreSQL plans the
		// searches for empty tables.
		if _, err := store.DB().ExecContext(ctx, `ANALYZE`); err != nil {
			return fmt.Errorf("bench: analyze: %w", err)
		}
	}
	// The searches, drawn from their own generator so that a second
	// timing (--merge) asks the very same ones.
	timeSearches := func() (p50, p95, meanHits float64, err error) {
		qgen := newCityGen(*seed+7, *items)
		var lat []float64
		var hits int
		for i := 0; i < *queries; i++ {
			bar.Report(int64(i), int64(*queries), "searching")
			q := qgen.query()
			start := time.Now()
			// With its total, as the archive page and the API search.
			vs, _, err := svc.SearchCount(ctx, civic.CLI, q)
			lat = append(lat, float64(time.Since(start).Microseconds())/1000)
			if err != nil {
				return 0, 0, 0, err
			}
			hits += len(vs)
		}
		if len(lat) == 0 {
			return 0, 0, 0, nil
		}
		slices.Sort(lat)
		return round2(lat[len(lat)/2]), round2(lat[len(lat)*95/100]), round2(float64(hits) / float64(len(lat))), nil
	}
	if res.SearchP50Ms, res.SearchP95Ms, res.SearchHits, err = timeSearches(); err != nil {
		return err
	}
	if *merge {
		if res.Segments, err = store.SearchIndexSegments(ctx); err != nil {
			return err
		}
		bar.Report(0, 1, "merging the search index")
		start := time.Now()
		if _, err := mergeSearchIndex(ctx, store); err != nil {
			return err
		}
		res.MergeS = round2(time.Since(start).Seconds())
		if res.MergedSearchP50Ms, res.MergedSearchP95Ms, _, err = timeSearches(); err != nil {
			return err
		}
	}
	bar.Report(0, 1, "searching for the common word")
	if res.CommonWordP95Ms, err = benchCommonWord(ctx, svc, *clients, *queries); err != nil {
		return err
	}

	cw := &countWriter{}
	if stopProfile, err = startProfile(*exportProfile); err != nil {
		return err
	}
	defer stopProfile()
	start = time.Now()
	if _, err := svc.Export(ctx, civic.CLI, cw); err != nil {
		return err
	}
	res.ExportMBPerS = round2(float64(cw.n) / 1e6 / time.Since(start).Seconds())
	stopProfile()
	res.RSSMB = peakRSS()
	enc := json.NewEncoder(a.stdout)
	return enc.Encode(res)
}

// startProfile starts a CPU profile written to path, if any, and returns
// what stops it (safe to call more than once).
func startProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	pf, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(pf); err != nil {
		pf.Close()
		return nil, err
	}
	var once sync.Once
	return func() { once.Do(func() { pprof.StopCPUProfile(); pf.Close() }) }, nil
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

var _ io.Writer = (*countWriter)(nil)

// peakRSS returns the process's peak resident memory in MB (Linux), or 0.
func peakRSS() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 64)
			return round2(kb / 1024)
		}
	}
	return 0
}

// benchStore opens a fresh store: a new SQLite file, or a new schema in the
// PostgreSQL database at url.
func benchStore(ctx context.Context, dbURL, sync string) (*sqlstore.Store, func(), error) {
	if dbURL == "" {
		dir, err := os.MkdirTemp("", "steward-bench-")
		if err != nil {
			return nil, nil, err
		}
		s, err := sqlite.OpenWith(ctx, filepath.Join(dir, "bench.db"), time.Now, sqlite.Options{Synchronous: sync})
		if err != nil {
			os.RemoveAll(dir)
			return nil, nil, err
		}
		return s, func() { s.Close(); os.RemoveAll(dir) }, nil
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "steward_bench_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", dbURL)
	if err != nil {
		return nil, nil, err
	}
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		admin.Close()
		return nil, nil, fmt.Errorf("bench: create schema: %w", err)
	}
	drop := func() { admin.ExecContext(context.Background(), `DROP SCHEMA `+schema+` CASCADE`); admin.Close() }
	u, err := url.Parse(dbURL)
	if err != nil {
		drop()
		return nil, nil, err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	s, err := postgres.Open(ctx, u.String(), time.Now)
	if err != nil {
		drop()
		return nil, nil, err
	}
	return s, func() { s.Close(); drop() }, nil
}

// cityGen generates a realistic city's social media: 200 accounts, threads
// of posts, comments and replies by a few thousand authors, ~300-byte
// texts, edits and deletions, over two years in capture order.
type cityGen struct {
	r        *mrand.Rand
	accounts []string
	start    time.Time
	span     time.Duration
	n        int // records generated
	total    int
	// common puts the word "city" first in 19 texts of 20, so that one
	// word is in nearly every item: the worst query for newest-first
	// search (bench search).
	common  bool
	threads []genThread
}

type genThread struct {
	account, root string
	replies       int
}

var (
	genWords   = strings.Fields("the city park street library police fire water snow road bridge council meeting budget permit trash recycling bus route school summer winter festival concert parade closure detour repair pothole sidewalk bike lane tree garden pool splash pad hours event volunteer community neighborhood safety alert weather storm power outage noise parking ticket fee tax housing rent zoning plan vote election candidate mayor ward district clinic health vaccine dog cat animal shelter playground field soccer hockey rink skating trail river lake beach boat dock market farmers vendor art museum theater music band fireworks holiday thanks question complaint please when where why how great terrible slow fast open closed today tomorrow weekend morning evening night")
	genPhrases = []string{"snow emergency", "street parking", "splash pad", "water main", "trash pickup", "bike lane", "road closure", "power outage", "farmers market", "city council", "public hearing", "leaf collection"}
)

func newCityGen(seed uint64, total int) *cityGen {
	g := &cityGen{total: total, r: mrand.New(mrand.NewPCG(seed, seed^0x5eed)), start: time.Now().UTC().AddDate(-2, 0, 0), span: 2 * 365 * 24 * time.Hour}
	platforms := []string{"mastodon", "facebook", "instagram", "x", "youtube", "bluesky", "threads"}
	for i := 0; i < 200; i++ {
		g.accounts = append(g.accounts, fmt.Sprintf("%s:@dept%03d@city.example", platforms[i%len(platforms)], i))
	}
	return g
}

// text is about 300 bytes of words; three texts in ten mention one of the
// topics, so each two-word topic phrase is in about 2.5% of items.
func (g *cityGen) text() string {
	var b strings.Builder
	if g.common && g.n%20 != 0 {
		b.WriteString("city ")
	}
	phraseAt := -1
	if g.r.IntN(10) < 3 {
		phraseAt = g.r.IntN(200)
	}
	for b.Len() < 290 {
		if phraseAt >= 0 && b.Len() >= phraseAt {
			b.WriteString(genPhrases[g.r.IntN(len(genPhrases))])
			phraseAt = -1
		} else {
			b.WriteString(genWords[g.r.IntN(len(genWords))])
		}
		b.WriteByte(' ')
	}
	return strings.TrimSpace(b.String())
}

// records returns the next n records, in capture order over two years.
func (g *cityGen) records(n int) []archive.Record {
	out := make([]archive.Record, 0, n)
	for i := 0; i < n; i++ {
		g.n++
		// Spread captures evenly over two years, in capture order.
		at := g.start.Add(time.Duration(float64(g.span) * (float64(g.n) / float64(g.total+1))))
		rec := archive.Record{CapturedAt: at.Format(time.RFC3339Nano), PlatformTime: at.Add(-time.Minute).Format(time.RFC3339), Text: g.text()}
		author := g.r.IntN(5000)
		rec.Author.ID, rec.Author.Handle, rec.Author.Name = strconv.Itoa(author), fmt.Sprintf("@resident%d", author), fmt.Sprintf("Resident %d", author)
		switch roll := g.r.IntN(100); {
		case roll < 8 || len(g.threads) == 0: // a new post
			acct := g.accounts[g.r.IntN(len(g.accounts))]
			id := fmt.Sprintf("p%d", g.n)
			rec.Account, rec.ID, rec.Kind = acct, id, "post"
			g.threads = append(g.threads, genThread{account: acct, root: id})
			if len(g.threads) > 500 {
				g.threads = g.threads[1:]
			}
		case roll < 13 && g.n > 1: // an edit or deletion of a recent comment
			t := g.threads[g.r.IntN(len(g.threads))]
			rec.Account, rec.ID, rec.Kind, rec.Parent, rec.Thread = t.account, t.root, "post", "", t.root
			if g.r.IntN(3) == 0 {
				rec.State = "deleted"
			}
		default: // a comment or reply
			t := &g.threads[len(g.threads)-1-g.r.IntN(min(len(g.threads), 50))]
			t.replies++
			rec.Account, rec.ID, rec.Kind, rec.Parent, rec.Thread = t.account, fmt.Sprintf("c%d", g.n), "comment", t.root, t.root
			if t.replies > 3 && g.r.IntN(3) == 0 {
				rec.Kind = "reply"
			}
		}
		rec.Raw = g.payload(&rec, author)
		out = append(out, rec)
	}
	return out
}

// payload is the platform's JSON for a record, shaped like a Mastodon
// status (about 1.5 KB), as capture would receive it. It is appended by
// hand, keys in the order encoding/json gives a map, so that generating
// the city costs little next to ingesting it.
func (g *cityGen) payload(rec *archive.Record, author int) []byte {
	const host = "social.example"
	a := strconv.Itoa(author)
	// Drawn in the order the map-based generator drew them.
	replies, reblogs, favourites := g.r.IntN(20), g.r.IntN(10), g.r.IntN(50)
	followers, following, statuses := g.r.IntN(500), g.r.IntN(500), g.r.IntN(5000)
	b := make([]byte, 0, 1600+len(rec.Text))
	str := func(s string) { b = appendJSONString(b, s) }
	num := func(n int) { b = strconv.AppendInt(b, int64(n), 10) }
	b = append(b, `{"account":{"acct":`...)
	str("resident" + a + "@" + host)
	b = append(b, `,"avatar":`...)
	str("https://" + host + "/avatars/" + a + ".png")
	b = append(b, `,"bot":false,"created_at":"2021-04-01T00:00:00.000Z","discoverable":true,"display_name":`...)
	str(rec.Author.Name)
	b = append(b, `,"emojis":[],"fields":[],"followers_count":`...)
	num(followers)
	b = append(b, `,"following_count":`...)
	num(following)
	b = append(b, `,"group":false,"header":`...)
	str("https://" + host + "/headers/original/missing.png")
	b = append(b, `,"id":`...)
	str(rec.Author.ID)
	b = append(b, `,"last_status_at":`...)
	str(rec.PlatformTime[:10])
	b = append(b, `,"locked":false,"note":"\u003cp\u003eNeighbor, parent, bike commuter.\u003c/p\u003e","statuses_count":`...)
	num(statuses)
	b = append(b, `,"url":`...)
	str("https://" + host + "/@resident" + a)
	b = append(b, `,"username":`...)
	str("resident" + a)
	b = append(b, `},"application":{"name":"Web","website":null},"content":`...)
	str("<p>" + rec.Text + "</p>")
	b = append(b, `,"created_at":`...)
	str(rec.PlatformTime)
	b = append(b, `,"edited_at":null,"emojis":[],"favourites_count":`...)
	num(favourites)
	b = append(b, `,"id":`...)
	str(rec.ID)
	b = append(b, `,"in_reply_to_account_id":null,"in_reply_to_id":`...)
	if rec.Parent == "" {
		b = append(b, "null"...)
	} else {
		str(rec.Parent)
	}
	b = append(b, `,"language":"en","media_attachments":[],"mentions":[],"reblog":null,"reblogs_count":`...)
	num(reblogs)
	b = append(b, `,"replies_count":`...)
	num(replies)
	b = append(b, `,"sensitive":false,"spoiler_text":"","tags":[],"uri":`...)
	str("https://" + host + "/users/resident" + a + "/statuses/" + rec.ID)
	b = append(b, `,"url":`...)
	str("https://" + host + "/@resident" + a + "/" + rec.ID)
	b = append(b, `,"visibility":"public"}`...)
	return b
}

// appendJSONString appends s as encoding/json writes it.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x80 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// query is a two-word phrase, one account and a 90-day range.
func (g *cityGen) query() *archive.Query {
	q := &archive.Query{}
	q.Terms = []string{genPhrases[g.r.IntN(len(genPhrases))]}
	q.Account = g.accounts[g.r.IntN(len(g.accounts))]
	from := g.start.Add(time.Duration(g.r.Int64N(int64(g.span - 90*24*time.Hour))))
	q.From, q.Until = from, from.Add(90*24*time.Hour)
	q.Limit = 50
	return q
}

// ingestCity ingests n generated records through the real ingest path,
// calling report with how many were handed to the callers so far.
// Several callers (two by default) ingest batches of 5,000 at once, as
// capture workers would: one checks and hashes its batch while another
// writes.
func ingestCity(ctx context.Context, svc *archive.Service, gen *cityGen, n, workers int, report func(done int)) error {
	const batch = 5000
	if workers < 1 {
		return usagef("--workers must be at least 1")
	}
	// Unbuffered: the generator keeps one batch ready, no more, so that
	// the peak memory is Steward's rather than the queue's.
	batches := make(chan []archive.Record)
	errc := make(chan error, workers)
	for w := 0; w < workers; w++ {
		go func() {
			for recs := range batches {
				r, err := svc.Ingest(ctx, civic.CLI, recs, nil)
				if err == nil && r.Rejected > 0 {
					err = fmt.Errorf("bench: %d generated records were rejected: %+v", r.Rejected, r.Records[0])
				}
				if err != nil {
					errc <- err
					for range batches {
					}
					return
				}
			}
			errc <- nil
		}()
	}
	for done := 0; done < n; {
		k := min(batch, n-done)
		batches <- gen.records(k)
		done += k
		report(done)
	}
	close(batches)
	var first error
	for w := 0; w < workers; w++ {
		if err := <-errc; err != nil && first == nil {
			first = err
		}
	}
	return first
}
