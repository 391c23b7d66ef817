package classify

import (
	"bufio"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
)

// The functional suite checks what a flag must depend on: how a word is
// used, not only which words are there. Each file of testdata/functional is
// one function (negation, quotation, counter-speech, …) with templated
// cases, each labeled "keep" (no code) or "flag CODE[,CODE]" (one of the
// codes). The templates were written for the suite; none is an evaluation
// row, and none is used in training.
//
// A file's lines:
//
//	function NAME             the function's name
//	bar 0.90                  the least accuracy the test accepts
//	post TEXT                 the post the cases answer (optional)
//	slot NAME = a | b | c     values for {NAME} in the cases
//	keep TAB TEMPLATE         a case that must not be flagged
//	flag CODES TAB TEMPLATE   a case that must get one of the codes
//
// A template with slots stands for every combination of their values.
//
// testdata/functional-blind holds a second suite in the same format,
// written after the context rules were tuned on the first and measured
// once: it is the fairer estimate of how the rules generalize.
//
//go:embed testdata/functional/*.txt testdata/functional-blind/*.txt
var functionalFiles embed.FS

// FunctionalCase is one expanded case of the suite.
type FunctionalCase struct {
	Function string
	Comment  string
	Post     string
	Keep     bool     // must get no label
	Codes    []string // else: must get one of these
}

// Function is one function of the suite with its cases.
type Function struct {
	Name  string
	Bar   float64
	Cases []FunctionalCase
}

// FunctionQuality is how a model did on one function.
type FunctionQuality struct {
	Name              string
	Bar               float64
	N, Right          int
	Keep, KeepFlagged int // cases that must not be flagged, and of those flagged
	Flag, FlagRight   int // cases that must be flagged, and of those given a right code
	Failures          []string
}

// Accuracy is the share of the function's cases the model got right.
func (q FunctionQuality) Accuracy() float64 { return ratio(q.Right, q.N) }

// FunctionalSuite reads the suite embedded from testdata/functional.
func FunctionalSuite() ([]Function, error) { return readSuite("functional") }

// BlindSuite reads the second suite, from testdata/functional-blind.
func BlindSuite() ([]Function, error) { return readSuite("functional-blind") }

func readSuite(dir string) ([]Function, error) {
	names, err := fs.Glob(functionalFiles, "testdata/"+dir+"/*.txt")
	if err != nil {
		return nil, err
	}
	var out []Function
	for _, n := range names {
		b, err := functionalFiles.ReadFile(n)
		if err != nil {
			return nil, err
		}
		f, err := parseFunction(string(b))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path.Base(n), err)
		}
		out = append(out, f)
	}
	return out, nil
}

func parseFunction(text string) (Function, error) {
	var f Function
	slots := map[string][]string{}
	post := "The city will repave Cedar Avenue between 4th and 9th Streets this summer. Comments welcome."
	sc := bufio.NewScanner(strings.NewReader(text))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), " \r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		head, rest, _ := strings.Cut(line, " ")
		if k := strings.IndexByte(line, '\t'); k >= 0 && k < len(head) {
			head, rest = line[:k], line[k:]
		}
		switch head {
		case "function":
			f.Name = strings.TrimSpace(rest)
		case "bar":
			v, err := strconv.ParseFloat(strings.TrimSpace(rest), 64)
			if err != nil || v < 0 || v > 1 {
				return f, fmt.Errorf("line %d: bad bar %q", n, rest)
			}
			f.Bar = v
		case "post":
			post = strings.TrimSpace(rest)
		case "slot":
			name, vals, ok := strings.Cut(rest, "=")
			if !ok {
				return f, fmt.Errorf("line %d: slot needs NAME = values", n)
			}
			for _, v := range strings.Split(vals, "|") {
				slots[strings.TrimSpace(name)] = append(slots[strings.TrimSpace(name)], strings.TrimSpace(v))
			}
		case "keep", "flag":
			spec, tmpl, ok := strings.Cut(line, "\t")
			if !ok {
				return f, fmt.Errorf("line %d: want a tab before the template", n)
			}
			c := FunctionalCase{Function: f.Name, Post: post, Keep: head == "keep"}
			if !c.Keep {
				codes := strings.Split(strings.TrimSpace(strings.TrimPrefix(spec, "flag")), ",")
				for _, code := range codes {
					if codeIndex(code) < 0 {
						return f, fmt.Errorf("line %d: %q is not a reason code", n, code)
					}
				}
				c.Codes = codes
			}
			texts, err := expand(strings.TrimSpace(tmpl), slots)
			if err != nil {
				return f, fmt.Errorf("line %d: %w", n, err)
			}
			for _, t := range texts {
				c.Comment = t
				f.Cases = append(f.Cases, c)
			}
		default:
			return f, fmt.Errorf("line %d: unknown line %q", n, head)
		}
	}
	if f.Name == "" || f.Bar == 0 || len(f.Cases) == 0 {
		return f, fmt.Errorf("want a function name, a bar and cases")
	}
	return f, sc.Err()
}

// expand returns every filling of the template's {slot}s.
func expand(tmpl string, slots map[string][]string) ([]string, error) {
	i := strings.IndexByte(tmpl, '{')
	if i < 0 {
		return []string{tmpl}, nil
	}
	j := strings.IndexByte(tmpl[i:], '}')
	if j < 0 {
		return nil, fmt.Errorf("unclosed { in %q", tmpl)
	}
	name := tmpl[i+1 : i+j]
	vals, ok := slots[name]
	if !ok {
		return nil, fmt.Errorf("no slot %q", name)
	}
	var out []string
	for _, v := range vals {
		rest, err := expand(tmpl[i+j+1:], slots)
		if err != nil {
			return nil, err
		}
		for _, r := range rest {
			out = append(out, tmpl[:i]+v+r)
		}
	}
	return out, nil
}

// RunFunctional scores every case of the suite with m.
func RunFunctional(m *Model, suite []Function) []FunctionQuality {
	var out []FunctionQuality
	for _, f := range suite {
		q := FunctionQuality{Name: f.Name, Bar: f.Bar}
		for _, c := range f.Cases {
			s := m.Screen(c.Comment, c.Post)
			q.N++
			right := false
			if c.Keep {
				q.Keep++
				right = len(s.Labels) == 0
				q.KeepFlagged += b2n(!right)
			} else {
				q.Flag++
				for _, code := range c.Codes {
					right = right || slices.Contains(s.Labels, code)
				}
				q.FlagRight += b2n(right)
			}
			if right {
				q.Right++
			} else {
				want := "keep"
				if !c.Keep {
					want = strings.Join(c.Codes, ",")
				}
				q.Failures = append(q.Failures, fmt.Sprintf("want %s, got %v: %q", want, s.Labels, c.Comment))
			}
		}
		out = append(out, q)
	}
	return out
}
