package cli

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/records"
	"steward.city/steward/internal/sqlite"
)

// exportBenchResult is what "steward bench export" prints.
type exportBenchResult struct {
	Engine   string `json:"engine"`
	Items    int    `json:"items"`
	Versions int64  `json:"versions"`
	// IngestItemsPerS is the ingest of the generated items, one caller,
	// batches of 5,000; with --floor, FloorItemsPerS is the same rows'
	// plain insert into a full-text-indexed table (see bench archive).
	IngestItemsPerS float64 `json:"ingest_items_per_s"`
	FloorItemsPerS  float64 `json:"floor_items_per_s,omitempty"`
	IngestVsFloor   float64 `json:"ingest_vs_floor,omitempty"`
	BagMB           float64 `json:"bag_mb"`
	ItemsMB         float64 `json:"items_jsonl_mb"`
	ExportS         float64 `json:"export_s"`
	ExportMBPerS    float64 `json:"export_mb_per_s"` // the whole bag, scope to last byte
	VerifyS         float64 `json:"verify_s"`
	// SHA256S is a plain SHA-256 of the bag file, read from disk, in the
	// same run: the ratios to it cancel the machine's speed and load.
	SHA256S         float64 `json:"sha256_s"`
	ExportPerSHA256 float64 `json:"export_per_sha256"`
	VerifyPerSHA256 float64 `json:"verify_per_sha256"`
	// ExportCPUS and VerifyCPUS are the CPU seconds (user and system,
	// every core) the process spent exporting and verifying: on a loaded
	// machine they vary far less than the wall times.
	ExportCPUS float64 `json:"export_cpu_s"`
	VerifyCPUS float64 `json:"verify_cpu_s"`
	RSSMB      float64 `json:"rss_mb"`
}

// cpuTime returns the CPU time (user and system) the process has used so
// far, from /proc/self/stat (Linux, in clock ticks of 1/100 s), or 0.
func cpuTime() time.Duration {
	data, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return 0
	}
	_, after, ok := strings.Cut(string(data), ") ") // the command may hold spaces
	f := strings.Fields(after)
	if !ok || len(f) < 13 {
		return 0
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0
	}
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// benchExport generates a city's items, logs a request covering all of
// them, exports its bag and verifies it, and prints one JSON object.
func (a *app) benchExport(args []string) error {
	f := a.flags("bench export")
	items := f.Int("items", 100000, "how many items to generate and ingest")
	db := f.FlagSet.String("db", "", "postgres://… to run on PostgreSQL (in a new schema, dropped after); default: a new SQLite file in a temporary folder")
	seed := f.Uint64("seed", 1, "random seed for the generated city")
	scope := f.String("scope", "from:1970-01-01", "the request's scope, one archive query")
	withFloor := f.FlagSet.Bool("floor", false, "first time a plain insert of the same rows into a full-text-indexed table (floor_items_per_s, ingest_vs_floor)")
	exportProfile := f.FlagSet.String("cpuprofile", "", "write a CPU profile of the export to this file")
	verifyProfile := f.FlagSet.String("verify-cpuprofile", "", "write a CPU profile of the verification to this file")
	keep := f.FlagSet.String("out", "", "keep the exported bag at this path (default: a temporary file, removed after)")
	heapProfile := f.FlagSet.String("memprofile", "", "write a heap profile of the export, taken when its heap in use was largest, to this file")
	if err := f.Parse(args); err != nil {
		return err
	}
	if *items < 1 {
		return usagef("--items must be at least 1")
	}
	ctx := a.ctx
	store, cleanup, err := benchStore(ctx, *db, sqlite.SynchronousFull)
	if err != nil {
		return err
	}
	defer cleanup()
	skey, vkey, err := note.GenerateKey(rand.Reader, "steward-bench")
	if err != nil {
		return err
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		return err
	}
	arch := archive.New(archive.Config{Store: store, Signer: signer, Clock: time.Now})
	if err := arch.PublishVerifier(ctx, vkey); err != nil {
		return err
	}
	bar := newProgress(a.stderr, "bench export", time.Now)
	defer bar.Done()
	var floor float64
	if *withFloor {
		bar.Report(0, int64(*items), "timing the full-text floor")
		if floor, err = benchFTSFloor(ctx, store, sqlite.SynchronousFull, newCityGen(*seed, *items), *items); err != nil {
			return err
		}
	}
	gen := newCityGen(*seed, *items)
	ingestStart := time.Now()
	for done := 0; done < *items; {
		n := min(5000, *items-done)
		if _, err := arch.Ingest(ctx, civic.CLI, gen.records(n), nil); err != nil {
			return err
		}
		done += n
		bar.Report(int64(done), int64(*items), "storing the generated items")
	}
	ingestPerS := float64(*items) / time.Since(ingestStart).Seconds()
	svc := records.New(records.Config{Store: store, Archive: arch, Signer: signer, Clock: time.Now})
	req := &civic.RecordsRequest{Requester: "Bench", ReceivedOn: time.Now(), Description: "everything", Scope: []string{*scope}}
	if _, err := svc.Create(ctx, civic.CLI, req); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "steward-bench-export-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "bag.zip")
	if *keep != "" {
		out = *keep
	}
	stopProfile, err := startProfile(*exportProfile)
	if err != nil {
		return err
	}
	stopHeap, err := startPeakHeapProfile(*heapProfile)
	if err != nil {
		stopProfile()
		return err
	}
	start, cpu := time.Now(), cpuTime()
	ex, err := svc.ExportFile(ctx, civic.CLI, req.ID, out, bar.Report)
	if err != nil {
		stopProfile()
		stopHeap()
		return err
	}
	exportTime, exportCPU := time.Since(start), cpuTime()-cpu
	stopProfile()
	if err := stopHeap(); err != nil {
		return err
	}
	file, err := os.Open(out)
	if err != nil {
		return err
	}
	defer file.Close()
	if stopProfile, err = startProfile(*verifyProfile); err != nil {
		return err
	}
	start, cpu = time.Now(), cpuTime()
	rep, err := records.VerifyBag(file, ex.Bytes, records.VerifyOptions{Key: vkey, Progress: bar.Report})
	verifyTime, verifyCPU := time.Since(start), cpuTime()-cpu
	stopProfile()
	if err != nil {
		return fmt.Errorf("bench: the exported bag does not verify: %w", err)
	}
	start = time.Now()
	if _, err := file.Seek(0, io.SeekStart); err != nil {
		return err
	}
	if _, err := io.Copy(sha256.New(), file); err != nil {
		return err
	}
	shaTime := time.Since(start)
	mb := float64(ex.Bytes) / 1e6
	res := exportBenchResult{Engine: store.Engine(), Items: *items, Versions: rep.Versions, BagMB: round2(mb), ItemsMB: round2(float64(ex.ItemsBytes) / 1e6),
		ExportS: round2(exportTime.Seconds()), ExportMBPerS: round2(mb / exportTime.Seconds()), VerifyS: round2(verifyTime.Seconds()),
		SHA256S: round2(shaTime.Seconds()), ExportPerSHA256: round2(exportTime.Seconds() / shaTime.Seconds()), VerifyPerSHA256: round2(verifyTime.Seconds() / shaTime.Seconds()),
		ExportCPUS: round2(exportCPU.Seconds()), VerifyCPUS: round2(verifyCPU.Seconds()), RSSMB: peakRSS()}
	res.IngestItemsPerS = math.Round(ingestPerS)
	if floor > 0 {
		res.FloorItemsPerS, res.IngestVsFloor = math.Round(floor), round2(ingestPerS/floor)
	}
	if math.IsInf(res.ExportMBPerS, 0) {
		res.ExportMBPerS = 0
	}
	return json.NewEncoder(a.stdout).Encode(res)
}
