package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/classify"
)

// maxClassifyLine is the longest input line classify reads.
const maxClassifyLine = 1 << 20

// classifyCmd scores comments: "steward classify [--thresholds FILE.json]"
// reads JSON lines {"id","comment","post"} on stdin and writes one line
// {"id","labels","scores"} per input line, in order. A bad line gives
// {"id","error"} and a message on stderr; the exit status is then 2.
func (a *app) classifyCmd(args []string) error {
	f := a.flags("classify")
	thFile := f.FlagSet.String("thresholds", "", `JSON file of thresholds by code, {"spam":0.7,…}; codes not named keep the model's`)
	evidence := f.FlagSet.Bool("evidence", false, "add the spans that rules and word lists found")
	if err := f.Parse(args); err != nil {
		return err
	}
	if f.NArg() > 0 {
		return usagef("classify takes no arguments; it reads JSON lines on stdin")
	}
	m, err := loadModel("", *thFile)
	if err != nil {
		return err
	}
	return a.jsonLines("classify", func(_ int, line []byte, readErr error) (any, error) {
		if readErr != nil {
			return classifyError{ID: nil, Error: readErr.Error()}, readErr
		}
		id, res, err := classifyLine(m, line, *evidence)
		if err != nil {
			return classifyError{ID: id, Error: err.Error()}, err
		}
		return res, nil
	})
}

// jsonLines answers JSON lines on stdin with one JSON line each on stdout,
// in order. answer gets each non-blank line with its number, or the error
// reading it (a line too long), and returns what to write and whether the
// line failed; failed lines are named on stderr, and the command fails at
// the end when any did.
func (a *app) jsonLines(cmd string, answer func(n int, line []byte, readErr error) (any, error)) error {
	out := bufio.NewWriter(a.stdout)
	defer out.Flush()
	in := bufio.NewReaderSize(a.stdin, 64<<10)
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	failed := 0
	for n := 1; ; n++ {
		line, err := readLine(in, maxClassifyLine)
		if err == io.EOF {
			break
		}
		if err != nil && !errors.Is(err, errLineTooLong) {
			return fmt.Errorf("read stdin: %w", err)
		}
		if err == nil && len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		res, err := answer(n, line, err)
		if err != nil {
			failed++
			fmt.Fprintf(a.stderr, "steward: %s: line %d: %v\n", cmd, n, err)
		}
		if err := enc.Encode(res); err != nil {
			return err
		}
	}
	if err := out.Flush(); err != nil {
		return err
	}
	if failed > 0 {
		return problem(fmt.Errorf("%s: %d input lines failed", cmd, failed))
	}
	return nil
}

var errLineTooLong = fmt.Errorf("line is longer than %d bytes", maxClassifyLine)

// readLine reads one line without its newline; a line over limit is read
// to its end, dropped, and reported as errLineTooLong.
func readLine(r *bufio.Reader, limit int) ([]byte, error) {
	var line []byte
	long := false
	for {
		chunk, err := r.ReadSlice('\n')
		if !long {
			if len(line)+len(chunk) > limit+1 {
				long, line = true, nil
			} else {
				line = append(line, chunk...)
			}
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF && (len(line) > 0 || long) {
			err = nil
		}
		if err != nil {
			return nil, err
		}
		if long {
			return nil, errLineTooLong
		}
		return bytes.TrimRight(line, "\r\n"), nil
	}
}

type classifyInput struct {
	ID      json.RawMessage `json:"id"`
	Comment *string         `json:"comment"`
	Post    string          `json:"post"`
}

type classifyOutput struct {
	ID       json.RawMessage    `json:"id"`
	Labels   []string           `json:"labels"`
	Scores   map[string]float64 `json:"scores"`
	Evidence []civic.Evidence   `json:"evidence,omitempty"`
}

type classifyError struct {
	ID    json.RawMessage `json:"id"`
	Error string          `json:"error"`
}

// classifyLine scores one input line.
func classifyLine(m *classify.Model, line []byte, evidence bool) (json.RawMessage, any, error) {
	var in classifyInput
	if err := json.Unmarshal(line, &in); err != nil {
		// Keep the id if the line is an object with one.
		var probe struct {
			ID json.RawMessage `json:"id"`
		}
		_ = json.Unmarshal(line, &probe)
		return probe.ID, nil, fmt.Errorf("not a JSON object with a string comment: %v", err)
	}
	if in.Comment == nil {
		return in.ID, nil, errors.New("comment is missing")
	}
	s := m.Screen(*in.Comment, in.Post)
	out := classifyOutput{ID: in.ID, Labels: s.Labels, Scores: s.Scores}
	if out.Labels == nil {
		out.Labels = []string{}
	}
	if evidence {
		out.Evidence = s.Evidence
	}
	return in.ID, out, nil
}

// loadModel returns the embedded model, or the model in file, with the
// thresholds of thFile if one is named.
func loadModel(file, thFile string) (*classify.Model, error) {
	var m *classify.Model
	var err error
	if file != "" {
		b, rerr := os.ReadFile(file)
		if rerr != nil {
			return nil, rerr
		}
		m, err = classify.Decode(b)
	} else {
		m, err = classify.Default()
	}
	if err != nil {
		return nil, err
	}
	if thFile == "" {
		return m, nil
	}
	b, err := os.ReadFile(thFile)
	if err != nil {
		return nil, err
	}
	var th map[string]float64
	if err := json.Unmarshal(b, &th); err != nil {
		return nil, civic.Invalid("thresholds", "%s: want a JSON object of code: number: %v", thFile, err)
	}
	return m.WithThresholds(th)
}

// train learns the classifier's weights: "steward train [--data DIR] [--out FILE]".
func (a *app) train(args []string) error {
	if len(args) > 0 && args[0] == "drafts" {
		return a.trainDrafts(args[1:])
	}
	f := a.flags("train")
	data := f.FlagSet.String("data", filepath.Join("..", "shared", "data"), "the data folder (see docs/classifier.md)")
	out := f.FlagSet.String("out", filepath.Join("internal", "classify", "model", "model.bin.gz"), "the model file to write; it is embedded at the next build")
	epochs := f.Int("epochs", 0, "passes over the data (0: the default)")
	civicWeight := f.Float64("civic-weight", 0, "how much a civic comment counts against one outside example (0: the default)")
	floor := f.Float64("floor", 0, "the lowest threshold tuning may choose for the abuse codes and illegal_activity (0: the default)")
	otherFloor := f.Float64("other-floor", 0, "the lowest threshold tuning may choose for the other codes (0: the default)")
	margin := f.Float64("protected-margin", 0, "how far above a protected comment's score a threshold raised to spare it goes, as a share of the score (0: the default, 0.05; negative: none)")
	written := f.FlagSet.String("written", filepath.FromSlash(classify.WrittenFile), "labeled city comments written for the project, trained on beside the data folder's ('' for none; see docs/classifier.md)")
	if err := f.Parse(args); err != nil {
		return err
	}
	start := a.now()
	d, err := classify.LoadData(*data)
	if err != nil {
		return err
	}
	if *written != "" {
		if err := d.LoadWritten(*written); err != nil {
			return err
		}
	}
	m := classify.Fit(d, classify.TrainOptions{Epochs: *epochs, CivicWeight: float32(*civicWeight), Floor: *floor, OtherFloor: *otherFloor, ProtectedMargin: *margin})
	var buf bytes.Buffer
	if err := m.Encode(&buf); err != nil {
		return err
	}
	tmp := *out + ".tmp"
	if err := os.WriteFile(tmp, buf.Bytes(), 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, *out); err != nil {
		return err
	}
	th, _ := json.Marshal(m.Thresholds())
	fmt.Fprintf(a.stdout, "wrote %s: %d bytes in %s; thresholds %s\nrebuild steward to embed it; measure it with: steward eval --model %s\n",
		*out, buf.Len(), a.now().Sub(start).Round(time.Millisecond), th, *out)
	return nil
}

// evalCmd measures the classifier: "steward eval [--data DIR] [--markdown]".
func (a *app) evalCmd(args []string) error {
	if len(args) > 0 && args[0] == "drafts" {
		return a.evalDrafts(args[1:])
	}
	f := a.flags("eval")
	data := f.FlagSet.String("data", filepath.Join("..", "shared", "data"), "the data folder (see docs/classifier.md)")
	model := f.FlagSet.String("model", "", "a model file to measure instead of the embedded model")
	thFile := f.FlagSet.String("thresholds", "", "JSON file of thresholds by code")
	folds := f.Int("folds", 5, "folds of the Davidson cross-validation (0 or 1 skips it)")
	markdown := f.FlagSet.Bool("markdown", false, "print Markdown tables")
	dev := f.FlagSet.Bool("dev", false, "train on three quarters of the civic training split and measure on the rest, never reading the held-out split")
	epochs := f.Int("epochs", 0, "with --dev: passes over the data (0: the default)")
	civicWeight := f.Float64("civic-weight", 0, "with --dev: as for train")
	sample := f.Int("sample", 0, "with --dev: keep one of every N outside examples (0: all)")
	floor := f.Float64("floor", 0, "with --dev: as for train")
	otherFloor := f.Float64("other-floor", 0, "with --dev: as for train")
	margin := f.Float64("protected-margin", 0, "with --dev: as for train")
	written := f.FlagSet.String("written", filepath.FromSlash(classify.WrittenFile), "with --dev: as for train")
	devFold := f.Int("dev-fold", 0, "with --dev: which quarter of the training split measures (0 to 3)")
	card := f.FlagSet.String("card", "", "also write the model card (JSON) to this file, e.g. internal/classify/model/card.json")
	speed := f.FlagSet.Bool("speed", true, "measure how many comments a second one core screens")
	check := f.FlagSet.Bool("check", false, "exit 2 naming every quality goal the model misses (the goals are in docs/classifier.md)")
	misses := f.FlagSet.Bool("misses", false, "also list the held-out comments flagged with no label, and those with a label not flagged")
	if err := f.Parse(args); err != nil {
		return err
	}
	if *devFold < 0 || *devFold > 3 {
		return usagef("--dev-fold is 0, 1, 2 or 3, not %d", *devFold)
	}
	d, err := classify.LoadData(*data)
	if err != nil {
		return err
	}
	var m *classify.Model
	if *dev {
		if *written != "" {
			if err := d.LoadWritten(*written); err != nil {
				return err
			}
		}
		d = d.DevFold(*devFold)
		m = classify.Fit(d, classify.TrainOptions{Epochs: *epochs, CivicWeight: float32(*civicWeight), Sample: *sample, Floor: *floor, OtherFloor: *otherFloor, ProtectedMargin: *margin})
		if *thFile != "" {
			return usagef("--dev trains its own model; --thresholds does not apply")
		}
	} else if m, err = loadModel(*model, *thFile); err != nil {
		return err
	}
	r := classify.Evaluate(m, d, *folds, classify.TrainOptions{})
	if *speed {
		r.MeasureSpeed(m, d)
	}
	if *model == "" {
		r.ModelBytes = classify.EmbeddedBytes()
	} else if st, err := os.Stat(*model); err == nil {
		r.ModelBytes = int(st.Size())
	}
	r.Write(a.stdout, *markdown)
	if *card != "" {
		b, err := json.MarshalIndent(r.Card(a.now()), "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(*card, append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	if *misses {
		fmt.Fprintln(a.stdout, "\nFlagged with no label:")
		for _, l := range r.FalseFlags {
			fmt.Fprintln(a.stdout, "  "+l)
		}
		fmt.Fprintln(a.stdout, "\nWith a label, not flagged:")
		for _, l := range r.Missed {
			fmt.Fprintln(a.stdout, "  "+l)
		}
		fmt.Fprintln(a.stdout, "\nFunctional cases wrong:")
		for _, q := range append(r.Functional, r.Blind...) {
			for _, l := range q.Failures {
				fmt.Fprintln(a.stdout, "  "+q.Name+": "+l)
			}
		}
	}
	if *check {
		return evalCheck(r.Card(a.now()).Measures)
	}
	return nil
}

// evalCheck returns a problem (exit 2) naming every measure under its goal.
func evalCheck(ms []civic.CardMeasure) error {
	var missed []string
	for _, m := range ms {
		if m.Goal != "" && !m.Met {
			missed = append(missed, fmt.Sprintf("%s: %s, goal %s", m.Name, m.Value, m.Goal))
		}
	}
	if len(missed) > 0 {
		return problem(fmt.Errorf("eval: %d of %d goals missed:\n  %s", len(missed), len(ms), strings.Join(missed, "\n  ")))
	}
	return nil
}
