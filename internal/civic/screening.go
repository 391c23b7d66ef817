package civic

// Screening is what the comment classifier found in one comment: a score
// for each reason code, the codes over their thresholds, and the exact words
// that triggered them. It routes a comment to a person; it never decides.
type Screening struct {
	Scores   map[string]float64 `json:"scores"`
	Labels   []string           `json:"labels"` // codes over threshold, in taxonomy order
	Evidence []Evidence         `json:"evidence,omitempty"`
}

// Evidence is a span of the comment that made a rule or a word list fire.
// Start and End are byte offsets into the comment as given.
type Evidence struct {
	Code  string `json:"code"`
	Start int    `json:"start"`
	End   int    `json:"end"`
	Text  string `json:"text"`
	Rule  string `json:"rule"` // "phone", "email", "wordlist", "model", …
}

// Screener scores a comment, with the post it answers as context.
type Screener interface {
	Screen(comment, post string) Screening
}

// CurvePoint is a code's measured precision and recall at one threshold.
type CurvePoint struct {
	Threshold float64 `json:"threshold"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
}

// TunableScreener is a screener whose threshold a city may set per code,
// with the precision and recall measured at each threshold.
type TunableScreener interface {
	Screener
	// Thresholds returns the screener's own threshold of each code.
	Thresholds() map[string]float64
	// Curve returns the code's measured precision and recall by threshold
	// and how many labeled comments they were measured on.
	Curve(code string) ([]CurvePoint, int)
	// Tuned returns the screener with the thresholds of the codes in th
	// replaced; a code it does not know or a value outside 0..1 is an error.
	Tuned(th map[string]float64) (Screener, error)
	// Language names the language a comment is written in ("en", "es",
	// "so", …).
	Language(text string) string
}

// ModelCard describes a trained screener for the public: what it learned
// from, how well it did on comments it never saw, and how it fails.
type ModelCard struct {
	Measured     string        `json:"measured"` // when, e.g. "2026-12-05"
	Data         []string      `json:"data"`
	HeldOut      int           `json:"held_out"` // held-out comments measured on
	Measures     []CardMeasure `json:"measures"`
	Codes        []CardRow     `json:"codes"`
	Languages    []CardRow     `json:"languages"`
	Functions    []CardRow     `json:"functions"`
	FailureModes []string      `json:"failure_modes"`
}

// CardMeasure is one measured number beside its goal.
type CardMeasure struct {
	Name  string `json:"name"`
	Value string `json:"value"`
	Goal  string `json:"goal"`
	Met   bool   `json:"met"`
}

// CardRow is a code's, a language's or a function's numbers.
type CardRow struct {
	Name      string  `json:"name"`
	N         int     `json:"n"` // support, comments or cases
	Precision float64 `json:"precision,omitempty"`
	Recall    float64 `json:"recall"` // recall, flag recall or accuracy
	F1        float64 `json:"f1,omitempty"`
}

// IdentifiedScreener is a screener that names its model, so that a new
// model can be told from the one that screened before.
type IdentifiedScreener interface {
	// ModelID names the model (a digest of its file): it changes when the
	// model does, not when a city sets a threshold.
	ModelID() string
}

// CardScreener is a screener with a model card.
type CardScreener interface {
	ModelCard() *ModelCard
}
