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
