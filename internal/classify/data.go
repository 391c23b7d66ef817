package classify

import (
	"bufio"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// CivicRow is one comment of the civic set (civic-comments-dev.jsonl).
type CivicRow struct {
	ID        string   `json:"id"`
	Platform  string   `json:"platform"`
	Account   string   `json:"account"`
	Post      string   `json:"post"`
	Comment   string   `json:"comment"`
	Labels    []string `json:"labels"`
	Protected bool     `json:"protected"`
	Lang      string   `json:"lang"`
	// Set is the file the row came from: "dev" (Minneapolis and Saint
	// Paul pages) or "more" (40 other Minnesota cities).
	Set string `json:"-"`
}

// Text is a comment with a yes/no label (and, for Davidson, a class).
type Text struct {
	Text  string
	Yes   bool
	Class int
}

// OpenAIRow is one text of the OpenAI moderation sample with its categories.
type OpenAIRow struct {
	Prompt string `json:"prompt"`
	S      *int   `json:"S"`
	H      *int   `json:"H"`
	V      *int   `json:"V"`
	HR     *int   `json:"HR"`
	SH     *int   `json:"SH"`
	S3     *int   `json:"S3"`
	H2     *int   `json:"H2"`
	V2     *int   `json:"V2"`
}

// PIISpan is a labeled span of a presidio-synth sentence, in bytes.
type PIISpan struct {
	Type       string
	Start, End int
}

// PIIRow is one presidio-synth sentence.
type PIIRow struct {
	Text  string
	Spans []PIISpan
}

// Data is everything Train and Evaluate read from the data folder.
type Data struct {
	Civic    []CivicRow
	Davidson []Text // Class 0 hate, 1 offensive, 2 neither
	OpenAI   []OpenAIRow
	Spam     []Text // YouTube and SMS
	Wiki     []Text // evaluation only
	Madlibs  []Text // evaluation only: identity templates, Yes = BAD
	PII      []PIIRow
	// Written are the labeled city comments written for this project
	// (traindata/civic-written.jsonl): always training rows, never held out.
	Written []CivicRow
	// held, when set, replaces HeldOut: DevSplit uses it to hold out a
	// fold of the training split instead.
	held func(id string) bool
}

// heldOut reports whether the civic comment id is held out of training.
func (d *Data) heldOut(id string) bool {
	if d.held != nil {
		return d.held(id)
	}
	return HeldOut(id)
}

// DevSplit returns a copy of d for development: its civic rows are the
// training split only, and a quarter of them (by a hash of the id) is held
// out in place of the real held-out split, which the copy does not hold. Use
// it to choose between changes without looking at the held-out split.
func (d *Data) DevSplit() *Data { return d.DevFold(0) }

// DevFold is DevSplit measuring on development fold k (0 to 3) instead:
// four readings of one choice, each on comments the others train on.
func (d *Data) DevFold(k int) *Data {
	c := *d
	c.Civic = nil
	for _, r := range d.Civic {
		if !HeldOut(r.ID) {
			c.Civic = append(c.Civic, r)
		}
	}
	c.held = func(id string) bool { return foldOf("dev:"+id, devFolds) == k }
	return &c
}

// devFolds is how many development folds the training split has.
const devFolds = 4

// CivicFiles are the civic sets, by the name Set gives their rows.
var CivicFiles = []struct{ Set, File string }{
	{"dev", "civic-comments-dev.jsonl"},
	{"more", "civic-comments-more.jsonl"},
}

// HeldOut reports whether a civic comment is in the held-out split, which
// training never reads: about 30% of ids, chosen by a hash of the id. The
// split is fixed: it depends on nothing but the id.
func HeldOut(id string) bool {
	h := fnv.New32a()
	h.Write([]byte(id))
	return h.Sum32()%10 < 3
}

// LoadData reads the data folder (../shared/data in the repository layout).
func LoadData(dir string) (*Data, error) {
	d := &Data{}
	steps := []struct {
		name string
		fn   func(string) error
	}{
		{CivicFiles[0].File, d.civicLoader(CivicFiles[0].Set)},
		{CivicFiles[1].File, d.civicLoader(CivicFiles[1].Set)},
		{"moderation/davidson2017/labeled_data.csv", d.loadDavidson},
		{"moderation/openai-moderation/samples-1680.jsonl.gz", d.loadOpenAI},
		{"moderation/youtube-spam", d.loadYouTube},
		{"moderation/sms-spam/SMSSpamCollection", d.loadSMS},
		{"moderation/wikipedia-toxicity/toxicity_nonfuzzed_testset.csv", d.loadWiki},
		{"moderation/wikipedia-toxicity/bias_madlibs_77k.csv", d.loadMadlibs},
		{"pii/presidio-synth/synth_dataset_v2.json", d.loadPII},
	}
	for _, s := range steps {
		if err := s.fn(filepath.Join(dir, s.name)); err != nil {
			return nil, fmt.Errorf("load %s: %w", s.name, err)
		}
	}
	return d, nil
}

// WrittenFile is where the written civic comments are, relative to the
// repository's root.
const WrittenFile = "internal/classify/traindata/civic-written.jsonl"

// LoadWritten reads a file of written civic comments (the fields of the civic
// files) into d.Written. Its rows always train: HeldOut never applies to them.
func (d *Data) LoadWritten(path string) error {
	w := &Data{}
	if err := w.loadCivic(path, "written"); err != nil {
		return fmt.Errorf("load %s: %w", path, err)
	}
	d.Written = w.Civic
	return nil
}

func (d *Data) civicLoader(set string) func(string) error {
	return func(path string) error { return d.loadCivic(path, set) }
}

func (d *Data) loadCivic(path, set string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var r CivicRow
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return fmt.Errorf("line %d: %w", n, err)
		}
		for _, l := range r.Labels {
			if codeIndex(l) < 0 {
				return fmt.Errorf("line %d: unknown code %q", n, l)
			}
		}
		r.Set = set
		d.Civic = append(d.Civic, r)
	}
	return sc.Err()
}

// readCSV returns the records of a CSV file with a header, as maps by column.
func readCSV(path string) ([]map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	head, err := r.Read()
	if err != nil {
		return nil, err
	}
	var out []map[string]string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		m := make(map[string]string, len(head))
		for i, h := range head {
			if i < len(rec) {
				m[h] = rec[i]
			}
		}
		out = append(out, m)
	}
}

func (d *Data) loadDavidson(path string) error {
	rows, err := readCSV(path)
	if err != nil {
		return err
	}
	for _, r := range rows {
		c, err := strconv.Atoi(r["class"])
		if err != nil {
			return fmt.Errorf("class %q: %w", r["class"], err)
		}
		d.Davidson = append(d.Davidson, Text{Text: r["tweet"], Class: c, Yes: c != 2})
	}
	return nil
}

func (d *Data) loadOpenAI(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(zr)
	for {
		var r OpenAIRow
		if err := dec.Decode(&r); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
		d.OpenAI = append(d.OpenAI, r)
	}
}

func (d *Data) loadYouTube(dir string) error {
	files, err := filepath.Glob(filepath.Join(dir, "*.csv"))
	if err != nil || len(files) == 0 {
		return fmt.Errorf("no csv files in %s", dir)
	}
	for _, p := range files {
		rows, err := readCSV(p)
		if err != nil {
			return err
		}
		for _, r := range rows {
			d.Spam = append(d.Spam, Text{Text: r["CONTENT"], Yes: r["CLASS"] == "1" || r["label"] == "1"})
		}
	}
	return nil
}

func (d *Data) loadSMS(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	for i, line := range strings.Split(string(b), "\n") {
		label, text, ok := strings.Cut(strings.TrimRight(line, "\r"), "\t")
		if !ok || (i == 0 && label == "Label") {
			continue
		}
		d.Spam = append(d.Spam, Text{Text: text, Yes: label == "spam"})
	}
	return nil
}

func (d *Data) loadWiki(path string) error {
	rows, err := readCSV(path)
	if err != nil {
		return err
	}
	for _, r := range rows {
		d.Wiki = append(d.Wiki, Text{Text: r["comment"], Yes: r["toxic"] == "True"})
	}
	return nil
}

func (d *Data) loadMadlibs(path string) error {
	rows, err := readCSV(path)
	if err != nil {
		return err
	}
	for _, r := range rows {
		d.Madlibs = append(d.Madlibs, Text{Text: r["Text"], Yes: r["Label"] == "BAD"})
	}
	return nil
}

func (d *Data) loadPII(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var rows []struct {
		FullText string `json:"full_text"`
		Spans    []struct {
			Type  string `json:"entity_type"`
			Start int    `json:"start_position"`
			End   int    `json:"end_position"`
		} `json:"spans"`
	}
	if err := json.Unmarshal(b, &rows); err != nil {
		return err
	}
	for _, r := range rows {
		// Positions count code points; turn them into byte offsets.
		offs := make([]int, 0, len(r.FullText)+1)
		for i := range r.FullText {
			offs = append(offs, i)
		}
		offs = append(offs, len(r.FullText))
		row := PIIRow{Text: r.FullText}
		for _, s := range r.Spans {
			if s.Start < 0 || s.End >= len(offs) || s.Start > s.End {
				continue
			}
			row.Spans = append(row.Spans, PIISpan{Type: s.Type, Start: offs[s.Start], End: offs[s.End]})
		}
		d.PII = append(d.PII, row)
	}
	return nil
}
