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
