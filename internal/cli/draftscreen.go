package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/draftscreen"
	"steward.city/steward/internal/strictjson"
)

// defaultDraftData is where the labeled drafts are in the repository layout.
var defaultDraftData = filepath.Join("..", "shared", "data", "draft-screening-dev.jsonl")

// trainDrafts learns the draft screen's model: "steward train drafts
// [--data FILE.jsonl] [--out FILE]". It never reads the held-out split.
func (a *app) trainDrafts(args []string) error {
	f := a.flags("train drafts")
	data := f.FlagSet.String("data", defaultDraftData, "the labeled drafts (JSON lines; see docs/draft-screening.md)")
	out := f.FlagSet.String("out", filepath.Join("internal", "draftscreen", "model", "drafts.json"), "the model file to write; it is embedded at the next build")
	written := f.FlagSet.String("written", draftscreen.WrittenPath, "drafts written to train on, always training rows ('' for none)")
	epochs := f.Int("epochs", 0, "passes over the data (0: the default)")
	rate := f.Float64("rate", 0, "learning rate (0: the default)")
	l2 := f.Float64("l2", 0, "weight decay (0: the default)")
	misses := f.FlagSet.Bool("misses", false, "list the training drafts the cross-validated screen got wrong")
	floor := f.Float64("floor", 0, "the lowest threshold chosen (0: the default, 0.05)")
	beta := f.Float64("beta", 0, "thresholds maximize F-beta on cross-validated scores (0: the default, 1)")
	if err := f.Parse(args); err != nil {
		return err
	}
	if f.NArg() > 0 {
		return usagef("train drafts takes no arguments")
	}
	start := a.now()
	rows, err := draftscreen.LoadRows(*data)
	if err != nil {
		return fmt.Errorf("read %s: %w", *data, err)
	}
	extra, err := loadWritten(*written, rows)
	if err != nil {
		return err
	}
	m, dev := draftscreen.Train(rows, draftscreen.TrainOptions{Epochs: *epochs, Rate: *rate, L2: *l2, Beta: *beta, Floor: *floor, Written: extra})
	b, err := m.Encode()
	if err != nil {
		return err
	}
	tmp := *out + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, *out); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "cross-validated on the training split: category %d/%d right; drafts with a finding caught %d/%d; clean drafts flagged %d/%d; name candidates found %d, wrongly %d, missed %d; thresholds %v\n",
		dev.CategoryRight, dev.Drafts, dev.Caught, dev.WithFindings, dev.FalseFlagged, dev.Clean, dev.NameTP, dev.NameFP, dev.NameFN, dev.Thresholds)
	if *misses {
		for _, m := range dev.Misses {
			fmt.Fprintln(a.stdout, "  "+m)
		}
	}
	fmt.Fprintf(a.stdout, "wrote %s: %d bytes from %d training drafts (of %d) and %d written ones in %s\nrebuild steward to embed it; measure it with: steward eval drafts --model %s\n",
		*out, len(b), len(m.TrainIDs), len(rows), m.Written, a.now().Sub(start).Round(time.Millisecond), *out)
	return nil
}

// evalDrafts measures the draft screen on the held-out split: "steward eval
// drafts [--data FILE.jsonl] [--model FILE] [--misses] [--check]".
func (a *app) evalDrafts(args []string) error {
	f := a.flags("eval drafts")
	data := f.FlagSet.String("data", defaultDraftData, "the labeled drafts (JSON lines)")
	model := f.FlagSet.String("model", "", "a model file to measure instead of the embedded model")
	grade := f.Float64("max-grade", 0, "the reading grade the city sets (0: the default)")
	misses := f.FlagSet.Bool("misses", false, "also list the held-out drafts the screen got wrong")
	check := f.FlagSet.Bool("check", false, "exit 2 naming every quality goal missed")
	training := f.FlagSet.Bool("training", false, "measure on the training split instead (the model has seen it: for working on the rules only)")
	dev := f.FlagSet.Bool("dev", false, "measure by cross-validation within the training split instead: train a model per fold and screen each training draft with the one that never saw it (never reads the held-out split; for choosing rules and options)")
	noCues := f.FlagSet.Bool("no-cues", false, "with --dev: train without the cue-list features")
	written := f.FlagSet.String("written", draftscreen.WrittenPath, "with --dev: drafts written to train on, in every fold's training and never measured ('' for none)")
	if err := f.Parse(args); err != nil {
		return err
	}
	if f.NArg() > 0 {
		return usagef("eval drafts takes no arguments")
	}
	if *dev && (*training || *model != "" || *grade != 0) {
		return usagef("eval drafts: --dev trains its own models at the default grade; it takes no --training, --model or --max-grade")
	}
	if *noCues && !*dev {
		return usagef("eval drafts: --no-cues needs --dev")
	}
	s, err := draftScreener(*model, *grade)
	if err != nil {
		return err
	}
	rows, err := draftscreen.LoadRows(*data)
	if err != nil {
		return fmt.Errorf("read %s: %w", *data, err)
	}
	var r draftscreen.Report
	switch {
	case *dev:
		extra, err := loadWritten(*written, rows)
		if err != nil {
			return err
		}
		_, d := draftscreen.Train(rows, draftscreen.TrainOptions{NoCues: *noCues, Written: extra})
		r = d.Report
		fmt.Fprintf(a.stdout, "CROSS-VALIDATED on the training split (%d folds, each also trained on %d written drafts; the held-out split is not read)\n", draftscreen.Folds, len(extra))
	default:
		r = draftscreen.Evaluate(s, rows)
	}
	if *training {
		r = draftscreen.EvaluateTraining(s, rows)
		fmt.Fprintln(a.stdout, "TRAINING SPLIT: the learned model has seen these drafts")
	}
	r.Write(a.stdout, *misses)
	if *check {
		var missed []string
		g := draftscreen.Goals
		if r.CatchRate() < g.Catch {
			missed = append(missed, fmt.Sprintf("catch rate %.3f < %.2f", r.CatchRate(), g.Catch))
		}
		if r.FalseRate() > g.False {
			missed = append(missed, fmt.Sprintf("clean-draft finding rate %.3f > %.2f", r.FalseRate(), g.False))
		}
		if r.CategoryAccuracy() < g.Category {
			missed = append(missed, fmt.Sprintf("category accuracy %.3f < %.2f", r.CategoryAccuracy(), g.Category))
		}
		if len(missed) > 0 {
			return problem(fmt.Errorf("eval drafts: %d of 3 goals missed:\n  %s", len(missed), strings.Join(missed, "\n  ")))
		}
	}
	return nil
}

// loadWritten reads the drafts written to train on; "" reads none.
func loadWritten(path string, rows []draftscreen.Row) ([]draftscreen.Row, error) {
	if path == "" {
		return nil, nil
	}
	w, err := draftscreen.LoadWritten(path, rows)
	if err != nil {
		return nil, fmt.Errorf("read %s (--written '' trains without written drafts): %w", path, err)
	}
	return w, nil
}

func draftScreener(model string, grade float64) (*draftscreen.Screener, error) {
	c := draftscreen.Config{MaxGrade: grade}
	if model != "" {
		b, err := os.ReadFile(model)
		if err != nil {
			return nil, err
		}
		if c.Model, err = draftscreen.DecodeModel(b); err != nil {
			return nil, fmt.Errorf("%s: %w", model, err)
		}
	}
	return draftscreen.New(c)
}

// draftIn is one line of screen-draft's input.
type draftIn struct {
	ID         string    `json:"id"`
	Text       *string   `json:"text"`
	Account    string    `json:"account"`
	Department string    `json:"department"`
	Covert     bool      `json:"covert"`
	Media      []mediaIn `json:"media"`
}

type mediaIn struct {
	Kind             string `json:"kind"`
	Alt              string `json:"alt"`
	Captions         bool   `json:"captions"`
	NoCaptionsReason string `json:"no_captions_reason"`
}

type draftOut struct {
	ID       string            `json:"id"`
	Category string            `json:"category"`
	Findings []draftFindingOut `json:"findings"`
}

type draftFindingOut struct {
	Code  string `json:"code"`
	Span  string `json:"span"`
	Start int    `json:"start"`
	End   int    `json:"end"`
	Block string `json:"block"`
}

type draftError struct {
	Line  int    `json:"line"`
	ID    string `json:"id,omitempty"`
	Error string `json:"error"`
}

// screenDraft screens drafts: "steward screen-draft [--max-grade N]" reads
// JSON lines {"id","text","account","department","covert","media"} on stdin
// and writes one line {"id","category","findings"} each, in input order. A
// bad line gives {"line","id","error"} and a message on stderr; the others
// go on, and the exit status is then 2.
func (a *app) screenDraft(args []string) error {
	f := a.flags("screen-draft")
	grade := f.Float64("max-grade", 0, fmt.Sprintf("the highest reading grade a draft may have without a finding (0: %d)", draftscreen.DefaultMaxGrade))
	model := f.FlagSet.String("model", "", "a model file to use instead of the embedded model")
	if err := f.Parse(args); err != nil {
		return err
	}
	if f.NArg() > 0 {
		return usagef("screen-draft takes no arguments; it reads JSON lines on stdin")
	}
	s, err := draftScreener(*model, *grade)
	if err != nil {
		return err
	}
	return a.jsonLines("screen-draft", func(n int, line []byte, err error) (any, error) {
		var d draftIn
		if err == nil {
			err = decodeDraft(line, &d)
		}
		if err != nil {
			return draftError{Line: n, ID: d.ID, Error: fmt.Sprintf("line %d: %v", n, err)}, err
		}
		dr := draftscreen.Draft{Text: *d.Text, Account: d.Account, Department: d.Department, Covert: d.Covert}
		for _, m := range d.Media {
			dr.Media = append(dr.Media, draftscreen.Media{Kind: m.Kind, Alt: m.Alt, Captions: m.Captions, NoCaptionsReason: m.NoCaptionsReason})
		}
		res := s.Screen(dr)
		o := draftOut{ID: d.ID, Category: string(res.Category), Findings: []draftFindingOut{}}
		for _, f := range res.Findings {
			o.Findings = append(o.Findings, draftFindingOut{Code: f.Code, Span: f.Text, Start: f.Start, End: f.End, Block: string(f.Block)})
		}
		return o, nil
	})
}

// decodeDraft reads one input line strictly: exact names, no unknown or
// repeated ones, valid UTF-8; text is required, media kinds are known.
func decodeDraft(line []byte, d *draftIn) error {
	if err := strictjson.Unmarshal(line, d); err != nil {
		if f := civic.ErrorField(err); f != "" {
			return fmt.Errorf("%s: %s", f, civic.ErrorMessage(err))
		}
		return err
	}
	if d.Text == nil {
		return errors.New("text: missing")
	}
	for i, m := range d.Media {
		switch m.Kind {
		case "image", "photo", "gif", "video", "audio":
		default:
			return fmt.Errorf("media[%d].kind: %q is not image, gif, video or audio", i, m.Kind)
		}
	}
	return nil
}
