package classify

import (
	"bufio"
	"bytes"
	"math"
	"os"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"steward.city/steward/internal/civic"
)

func model(t testing.TB) *Model {
	t.Helper()
	m, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// lines reads a testdata file, one case a line.
func lines(t *testing.T, name string) []string {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if s := strings.TrimSpace(sc.Text()); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// checkScreening checks what holds for any screening of comment.
func checkScreening(t *testing.T, m *Model, comment string, s civic.Screening) {
	t.Helper()
	if len(s.Scores) != len(Codes) {
		t.Fatalf("%d scores, want %d", len(s.Scores), len(Codes))
	}
	th := m.Thresholds()
	for _, c := range Codes {
		v, ok := s.Scores[c]
		if !ok || math.IsNaN(v) || v < 0 || v > 1 {
			t.Fatalf("score of %s is %v (present %v)", c, v, ok)
		}
		if v >= th[c] && !slices.Contains(s.Labels, c) {
			t.Errorf("%s scores %v over its threshold %v but is not a label", c, v, th[c])
		}
	}
	last := -1
	for _, l := range s.Labels {
		i := codeIndex(l)
		if i <= last {
			t.Fatalf("labels %v are not in taxonomy order", s.Labels)
		}
		last = i
	}
	for _, e := range s.Evidence {
		if e.Start < 0 || e.End > len(comment) || e.Start >= e.End || comment[e.Start:e.End] != e.Text {
			t.Fatalf("evidence %+v does not point into the comment", e)
		}
		if !slices.Contains(s.Labels, e.Code) {
			t.Fatalf("evidence %+v for a code that is not a label (%v)", e, s.Labels)
		}
	}
}

func TestDefaultIsLoadedOnce(t *testing.T) {
	t.Parallel()
	a, b := model(t), model(t)
	if a != b {
		t.Fatal("Default returned two models")
	}
}

// Harsh criticism of government is protected speech: never flagged.
func TestProtectedCriticismNotFlagged(t *testing.T) {
	t.Parallel()
	m := model(t)
	const post = "The Mayor's recommended 2025 budget proposes a 6.8% property tax increase. Public hearing Tuesday."
	for _, c := range lines(t, "protected.txt") {
		s := m.Screen(c, post)
		checkScreening(t, m, c, s)
		if len(s.Labels) > 0 {
			t.Errorf("%q flagged %v (scores %v)", c, s.Labels, s.Scores)
		}
	}
}

// TestCriticismOfServicesNotFlagged: complaints that the city does not fix,
// repair or plow are criticism of its work (the demo city's "This city
// can't fix anything" was flagged discrimination, then illegal_activity).
func TestCriticismOfServicesNotFlagged(t *testing.T) {
	t.Parallel()
	m := model(t)
	const post = "Pothole repairs on Main Street start Monday; expect lane closures."
	for _, c := range []string{
		"This city can't fix anything",
		"The city still hasn't fixed the potholes on my street.",
		"Public Works never plowed our street after the last storm. Pathetic.",
		"Three weeks and the city has not repaired the streetlight on our corner.",
	} {
		if s := m.Screen(c, post); len(s.Labels) > 0 {
			t.Errorf("%q flagged %v (scores %v)", c, s.Labels, s.Scores)
		}
	}
	// The hold is for criticism only: a threat that names the city's work
	// is still a threat.
	if s := m.Screen("Fix my street or I will burn down city hall", post); len(s.Labels) == 0 {
		t.Errorf("a threat about repairs was not flagged (scores %v)", s.Scores)
	}
}

func TestObviousCasesFlagged(t *testing.T) {
	t.Parallel()
	m := model(t)
	for _, l := range lines(t, "flagged.txt") {
		code, c, _ := strings.Cut(l, "\t")
		s := m.Screen(c, "Road work on Grand Ave starts Monday.")
		checkScreening(t, m, c, s)
		if !slices.Contains(s.Labels, code) {
			t.Errorf("%q: labels %v, want %s (score %v, threshold %v)", c, s.Labels, code, s.Scores[code], m.Thresholds()[code])
		}
	}
}

func TestEvidenceSpansOriginalBytes(t *testing.T) {
	t.Parallel()
	all := map[string]float64{}
	for _, c := range Codes {
		all[c] = 0 // every code a label, so every hit is evidence
	}
	m, err := model(t).WithThresholds(all)
	if err != nil {
		t.Fatal(err)
	}
	comment := "Ｈｅｙ, ѕһіt! call Rosa at 612-555-0163 or rosa@example.com, 1910 Hemlock Dr; F U C K this → scam.vip/x"
	s := m.Screen(comment, "")
	checkScreening(t, m, comment, s)
	want := map[string]string{"ѕһіt": "vulgar", "612-555-0163": "private_info", "rosa@example.com": "private_info",
		"1910 Hemlock Dr": "private_info", "F U C K": "vulgar", "scam.vip/x": "unrelated_link"}
	for text, code := range want {
		if !slices.ContainsFunc(s.Evidence, func(e civic.Evidence) bool { return e.Text == text && e.Code == code }) {
			t.Errorf("no %s evidence %q in %+v", code, text, s.Evidence)
		}
	}
	if !slices.IsSortedFunc(s.Evidence, func(a, b civic.Evidence) int { return a.Start - b.Start }) {
		t.Errorf("evidence not in comment order: %+v", s.Evidence)
	}
}

func TestWithThresholds(t *testing.T) {
	t.Parallel()
	m := model(t)
	if _, err := m.WithThresholds(map[string]float64{"rude": 0.5}); err == nil || civic.ErrorField(err) != "thresholds" {
		t.Errorf("unknown code: err %v", err)
	}
	for _, v := range []float64{-0.1, 1.5, math.NaN()} {
		if _, err := m.WithThresholds(map[string]float64{"spam": v}); err == nil {
			t.Errorf("threshold %v accepted", v)
		}
	}
	const c = "Is the pool at Como open on Sunday?"
	never, err := m.WithThresholds(map[string]float64{"off_topic": 1, "spam": 0})
	if err != nil {
		t.Fatal(err)
	}
	s := never.Screen(c, "Pools open this weekend.")
	if !slices.Contains(s.Labels, "spam") {
		t.Errorf("threshold 0 did not label spam: %v", s.Labels)
	}
	if m.Thresholds()["spam"] == 0 {
		t.Error("WithThresholds changed the original model")
	}
	if never.Thresholds()["vulgar"] != m.Thresholds()["vulgar"] {
		t.Error("codes not named lost their thresholds")
	}
}

func TestBadInputNeverPanics(t *testing.T) {
	t.Parallel()
	m := model(t)
	huge := strings.Repeat("the council should fund the library. ", 300_000) // ~11 MB
	binary := string([]byte{0, 1, 2, 0xff, 0xfe, 0x80, '\n', 0, 'f', 'u', 0xc3})
	for name, c := range map[string]string{
		"empty":        "",
		"space":        "   \n\t ",
		"huge":         huge,
		"binary":       binary,
		"mixed script": "Thov pov npav rau Pa Nhia Vang! Обама ωμέγα 市议会 مجلس المدينة shit",
		"emoji only":   "🔥🔥🔥💯🙏🏽👨‍👩‍👧",
		"long word":    strings.Repeat("a", 100_000),
		"digits":       strings.Repeat("1234-", 10_000),
		"cut rune":     "fuck\xe2\x82",
		"expanding":    "℆ a ℆ b ℆ ¼ ﬀ ㎏ ℡", // one rune, several normalized letters (found by FuzzScreen)
	} {
		s := m.Screen(c, c)
		checkScreening(t, m, c, s)
		if name == "empty" && len(s.Labels) > 0 {
			t.Errorf("empty comment flagged %v", s.Labels)
		}
		if !utf8.ValidString(c) {
			continue
		}
	}
}

func TestEncodeDecode(t *testing.T) {
	t.Parallel()
	m := model(t)
	var buf bytes.Buffer
	if err := m.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	m2, err := Decode(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"hello", "f*ck this", "call 612-555-0148", ""} {
		a, b := m.Screen(c, "post"), m2.Screen(c, "post")
		if !slices.Equal(a.Labels, b.Labels) || len(a.Scores) != len(b.Scores) {
			t.Fatalf("%q: %v != %v", c, a, b)
		}
		for k, v := range a.Scores {
			if math.Abs(b.Scores[k]-v) > 1e-4 {
				t.Fatalf("%q: score %s %v != %v", c, k, v, b.Scores[k])
			}
		}
	}
	for name, data := range map[string][]byte{
		"empty":     nil,
		"not gzip":  []byte("hello"),
		"truncated": buf.Bytes()[:len(buf.Bytes())/2],
	} {
		if _, err := Decode(data); err == nil {
			t.Errorf("%s: decoded", name)
		}
	}
}

func TestTrainLearns(t *testing.T) {
	t.Parallel()
	spam := codeIndex("spam")
	var ex []Example
	for i := range 40 {
		l := Unknown()
		l[spam] = 1
		ex = append(ex, Example{Comment: []string{"buy cheap pills now", "cheap pills shipped fast", "order pills cheap today"}[i%3], Labels: l})
		l[spam] = 0
		ex = append(ex, Example{Comment: []string{"the park opens at noon", "thanks for clearing the snow", "when does the library open"}[i%3], Labels: l})
	}
	m := Train(ex, TrainOptions{Epochs: 5})
	got, other := m.Score("cheap pills here", ""), m.Score("the library opens at noon", "")
	if got[spam] < 0.7 || other[spam] > 0.3 {
		t.Errorf("spam score %.2f for spam, %.2f for not", got[spam], other[spam])
	}
	var floors [nCodes]float64
	floors[spam] = 0.1
	th := TuneThresholds([][nCodes]float64{got, other}, [][nCodes]int8{{5: 1}, {5: 0}}, floors)
	if th[spam] <= other[spam] || th[spam] > got[spam] {
		t.Errorf("tuned threshold %.3f does not separate %.3f from %.3f", th[spam], other[spam], got[spam])
	}
}

func TestAUC(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		s    []float64
		y    []bool
		want float64
	}{
		{[]float64{0.1, 0.2, 0.8, 0.9}, []bool{false, false, true, true}, 1},
		{[]float64{0.9, 0.8, 0.2, 0.1}, []bool{false, false, true, true}, 0},
		{[]float64{0.5, 0.5, 0.5, 0.5}, []bool{false, true, false, true}, 0.5},
		{[]float64{0.1, 0.4, 0.35, 0.8}, []bool{false, false, true, true}, 0.75},
	} {
		if got := AUC(tt.s, tt.y); math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("AUC(%v, %v) = %v, want %v", tt.s, tt.y, got, tt.want)
		}
	}
}

// Screen is used from many requests at once; run with -race.
func TestScreenConcurrent(t *testing.T) {
	t.Parallel()
	m := model(t)
	comments := []string{"f*ck this", "call 612-555-0148", "the mayor should resign", "🔥🔥 cashfast.vip", ""}
	want := make([]civic.Screening, len(comments))
	for i, c := range comments {
		want[i] = m.Screen(c, "post")
	}
	done := make(chan bool)
	for g := range 8 {
		go func() {
			defer func() { done <- true }()
			for k := range 200 {
				i := (g + k) % len(comments)
				got := m.Screen(comments[i], "post")
				if !slices.Equal(got.Labels, want[i].Labels) || len(got.Evidence) != len(want[i].Evidence) {
					t.Errorf("%q: %v, want %v", comments[i], got, want[i])
					return
				}
			}
		}()
	}
	for range 8 {
		<-done
	}
}

// Criticism of a vote is not campaign material unless it campaigns.
func TestCriticismOfAVoteIsNotCampaign(t *testing.T) {
	t.Parallel()
	m := model(t)
	const post = "The council approved the new parking contract 6–1 on Monday."
	for _, tt := range []struct {
		c    string
		want bool
	}{
		{"A 6–1 vote for a contract nobody read. The council rubber stamps whatever staff wants.", false},
		{"The council's vote on this contract wasted our money again.", false},
		{"The council wasted our money on this contract. Vote for Dana Lee for council in November!", true},
	} {
		s := m.Screen(tt.c, post)
		if got := s.Scores["campaign"] >= m.Thresholds()["campaign"]; got != tt.want {
			t.Errorf("%q: campaign %v (score %.3f), want %v", tt.c, got, s.Scores["campaign"], tt.want)
		}
	}
}

// A threshold raised to spare a protected comment clears it by the margin.
func TestSpareProtectedMargin(t *testing.T) {
	t.Parallel()
	var th [nCodes]float64
	for c := range th {
		th[c] = 0.4
	}
	scores := make([][nCodes]float64, 0, 120)
	labels := make([][nCodes]int8, 0, 120)
	protected := make([]bool, 0, 120)
	for i := range 120 {
		var s [nCodes]float64
		var l [nCodes]int8
		if i < 20 { // labeled threat comments, well over the threshold
			s[2], l[2] = 0.8, 1
		}
		if i == 20 || i == 21 { // two protected comments at 0.5 on threat: over the budget of one
			s[2] = 0.5
		}
		scores, labels, protected = append(scores, s), append(labels, l), append(protected, i >= 20)
	}
	for _, tt := range []struct{ margin, want float64 }{{0, 0.5}, {0.15, 0.575}} {
		got := spareProtected(th, scores, labels, protected, tt.margin)
		if math.Abs(got[2]-tt.want) > 1e-3 || got[2] <= 0.5 {
			t.Errorf("margin %v: threat threshold %.4f, want just over %.3f", tt.margin, got[2], tt.want)
		}
		if got[2] >= 0.8 {
			t.Errorf("margin %v: threshold %.3f loses the labeled comments", tt.margin, got[2])
		}
	}
}
