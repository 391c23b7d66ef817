package archive_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"steward.city/steward/internal/archive"
)

// typicalBatch is an ingest batch as a capture tool sends it: n comments
// with an author, a sentence or two of text, tags and the platform's raw
// payload (a Mastodon status of about 1 KB).
func typicalBatch(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"records":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"account":"mastodon:@parks@city.example","department":"parks","id":"1120%08d","kind":"comment","parent":"111000000000000001","thread":"111000000000000001",`+
			`"captured_at":"2026-03-02T09:%02d:%02dZ","platform_time":"2026-03-02T09:%02d:00Z","author":{"id":"%d","handle":"@resident%d@elsewhere.example","name":"Resident %d"},`+
			`"text":"Will the farmers market on Main Street be open on Saturdays too? The parking on Elm was full last week — café owners asked as well. #%d",`+
			`"tags":["transitory","comment"],"raw":{"id":"1120%08d","created_at":"2026-03-02T09:00:00.000Z","in_reply_to_id":"111000000000000001","sensitive":false,"spoiler_text":"","visibility":"public","language":"en","uri":"https://elsewhere.example/users/resident%d/statuses/1120%08d","url":"https://elsewhere.example/@resident%d/1120%08d","replies_count":0,"reblogs_count":1,"favourites_count":3,"content":"\u003cp\u003eWill the farmers market on Main Street be open on Saturdays too?\u003c/p\u003e","account":{"id":"%d","username":"resident%d","acct":"resident%d@elsewhere.example","display_name":"Resident %d","locked":false,"bot":false,"followers_count":12,"following_count":40,"statuses_count":310},"media_attachments":[],"mentions":[],"tags":[],"emojis":[]}}`,
			i, (i/60)%60, i%60, i%60, i, i, i, i, i, i, i, i, i, i, i, i, i)
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

// plainDecodeBatch is DecodeBatch as it was before the strict decoder:
// encoding/json with unknown fields refused, for comparison.
func plainDecodeBatch(r io.Reader) ([]archive.Record, []error, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var b archive.Batch
	if err := dec.Decode(&b); err != nil {
		return nil, nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, nil, errors.New("trailing data")
	}
	recs := make([]archive.Record, len(b.Records))
	errs := make([]error, len(b.Records))
	for i, raw := range b.Records {
		d := json.NewDecoder(bytes.NewReader(raw))
		d.DisallowUnknownFields()
		errs[i] = d.Decode(&recs[i])
	}
	return recs, errs, nil
}

// BenchmarkDecodeBatch decodes a typical batch of 500 records with the
// strict decoder DecodeBatch uses and with plain encoding/json, and
// reports records per second. docs/performance.md records the ratio.
func BenchmarkDecodeBatch(b *testing.B) {
	const n = 500
	body := typicalBatch(n)
	for _, d := range []struct {
		name   string
		decode func(io.Reader) ([]archive.Record, []error, error)
	}{{"strict", archive.DecodeBatch}, {"encoding_json", plainDecodeBatch}} {
		b.Run(d.name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				recs, errs, err := d.decode(bytes.NewReader(body))
				if err != nil || len(recs) != n || errs[n-1] != nil {
					b.Fatalf("%v %d %v", err, len(recs), errs[n-1])
				}
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// TestTypicalBatch checks that both decoders of the benchmark read the
// typical batch alike, so the comparison is fair.
func TestTypicalBatch(t *testing.T) {
	t.Parallel()
	body := typicalBatch(3)
	a, aerrs, err := archive.DecodeBatch(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	p, perrs, err := plainDecodeBatch(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for i := range a {
		if aerrs[i] != nil || perrs[i] != nil {
			t.Fatalf("record %d: %v %v", i, aerrs[i], perrs[i])
		}
		ga, _ := json.Marshal(a[i])
		gp, _ := json.Marshal(p[i])
		if !bytes.Equal(ga, gp) || !strings.Contains(string(a[i].Raw), `"media_attachments":[]`) {
			t.Errorf("record %d differs:\n%s\n%s", i, ga, gp)
		}
	}
}
