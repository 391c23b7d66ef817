package importer_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"steward.city/steward/internal/importer"
	"steward.city/steward/internal/storetest"
)

// BenchmarkImportX imports an X archive file of 10,000 posts into a fresh
// SQLite store per iteration and reports entries per second.
func BenchmarkImportX(b *testing.B) {
	const n = 10000
	var sb strings.Builder
	sb.WriteString("window.YTD.tweets.part0 = [\n")
	for i := range n {
		if i > 0 {
			sb.WriteString(",\n")
		}
		fmt.Fprintf(&sb, `{"tweet": {"id_str": "%d", "created_at": "Mon Mar 02 09:%02d:%02d +0000 2026", "full_text": "Post number %d about the snow emergency and parking on Elm Street.", "source": "<a href=\"https://steward.city\">Steward</a>"}}`, 1896000000000000000+i, (i/60)%60, i%60, i)
	}
	sb.WriteString("\n]\n")
	path := filepath.Join(b.TempDir(), "tweets.js")
	if err := os.WriteFile(path, []byte(sb.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		svc := service(b, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite}, false)
		b.StartTimer()
		res, err := importer.Import(context.Background(), importer.Options{Archive: svc, Platform: "x", Account: "x:springfieldcity", Path: path, Batch: 1000})
		if err != nil || res.Stored != n {
			b.Fatalf("%+v %v", res, err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "entries/s")
}
