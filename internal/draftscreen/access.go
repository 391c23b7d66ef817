package draftscreen

import (
	"fmt"
	"math"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// accessibility adds the findings of PUB-6 (alt text, captions, hashtags,
// emoji, link text, reading grade) and returns the text's grade.
func (s *Screener) accessibility(d Draft, fs []Finding) ([]Finding, float64) {
	whole := func(code string, block Block, rule string) Finding {
		return Finding{Code: code, Clause: clauses[code], Block: block, Rule: rule}
	}
	for i, m := range d.Media {
		rule := fmt.Sprintf("media %d", i+1)
		switch strings.ToLower(m.Kind) {
		case "image", "photo", "gif":
			if strings.TrimSpace(m.Alt) == "" {
				fs = append(fs, whole(ImageNoAlt, Review, rule))
			}
		case "video", "audio":
			if !m.Captions {
				f := whole(VideoNoCaptions, Review, rule)
				if strings.TrimSpace(m.NoCaptionsReason) != "" {
					f.Block = Advice
					f.Clause += " A reviewer recorded why it is published without them: " + strings.TrimSpace(m.NoCaptionsReason)
				}
				fs = append(fs, f)
			}
		}
	}
	text := d.Text
	add := func(code string, start, end int, rule string) {
		fs = append(fs, Finding{Code: code, Start: start, End: end, Text: text[start:end], Clause: clauses[code], Block: Advice, Rule: rule})
	}
	for _, h := range hashtags(text) {
		if s.multiWordTag(text[h[0]+1 : h[1]]) {
			add(HashtagCase, h[0], h[1], "hashtag")
		}
	}
	for _, e := range emojiWords(text) {
		add(EmojiAsWord, e[0], e[1], "emoji")
	}
	var taken []bool // bytes of text already in a vague_link_text finding
	for _, re := range vagueLinks {
		for _, m := range re.FindAllStringSubmatchIndex(text, -1) {
			if taken == nil {
				taken = make([]bool, len(text))
			}
			if taken[m[2]] || taken[m[3]-1] {
				continue
			}
			for k := m[2]; k < m[3]; k++ {
				taken[k] = true
			}
			add(VagueLinkText, m[2], m[3], "link_text")
		}
	}
	grade, ok := Grade(text)
	if ok && grade > s.maxGrade {
		f := whole(ReadingGrade, Advice, "flesch_kincaid")
		f.Clause = fmt.Sprintf("The text reads at grade %.1f, above the grade %.0f the city set; use shorter sentences and plainer words.", grade, s.maxGrade)
		fs = append(fs, f)
	}
	if !ok {
		grade = 0
	}
	return fs, grade
}

// hashtags returns the byte ranges of the hashtags of text, "#" included.
func hashtags(text string) [][2]int {
	var out [][2]int
	for i := 0; i < len(text); i++ {
		if text[i] != '#' || i > 0 && (text[i-1] == '&' || isWordByte(text[i-1]) && text[i-1] < 0x80) {
			continue
		}
		j := i + 1
		for j < len(text) {
			r, n := utf8.DecodeRuneInString(text[j:])
			if !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_') {
				break
			}
			j += n
		}
		if j > i+1 {
			out = append(out, [2]int{i, j})
		}
		i = j - 1
	}
	return out
}

// commonWords seed the hashtag splitter with short words of city posts;
// the learned model's vocabulary adds the rest.
var commonWords = strings.Fields(`a an at be by do go in is it me my no of on or so to up us we
all and are art bus car day for fun get job new now old our out see the run win you
city hall news park parks fire safe snow week vote jobs ward town event events open road work
police health library public safety street streets summer winter spring fall school kids youth
help free clean water trees local meet live love team home book books read art zone night`)

// multiWordTag reports whether a hashtag's text is several words run
// together without capitals to tell them apart ("cityhallnews").
func (s *Screener) multiWordTag(tag string) bool {
	hasUpper, hasLower, letters := false, false, 0
	for _, r := range tag {
		switch {
		case unicode.IsUpper(r):
			hasUpper = true
			letters++
		case unicode.IsLower(r):
			hasLower = true
			letters++
		}
		if r >= 0x80 {
			return false // the splitter knows English words only
		}
	}
	if hasUpper && hasLower || letters < 6 {
		return false // CamelCase, or too short to be two words worth telling apart
	}
	lower := strings.ToLower(tag)
	if s.known(lower) {
		return false
	}
	if letters >= 16 {
		return true
	}
	if len(lower) > 40 {
		return false // not words people read; and the split below is quadratic
	}
	// Can the tag be split into two or more known words?
	ok := make([]int, len(lower)+1) // ok[i]: the most words splitting lower[:i], -1 if none
	for i := range ok {
		ok[i] = -1
	}
	ok[0] = 0
	for i := 1; i <= len(lower); i++ {
		for j := 0; j < i; j++ {
			if ok[j] >= 0 && s.known(lower[j:i]) {
				ok[i] = max(ok[i], ok[j]+1)
			}
		}
	}
	return ok[len(lower)] >= 2
}

// known reports whether w is a word: a common word, or one of the model's
// vocabulary of three letters or more.
func (s *Screener) known(w string) bool {
	for _, c := range commonWords {
		if c == w {
			return true
		}
	}
	if len(w) < 3 || isNumber(w) {
		return false
	}
	_, ok := s.model.Category.Weights["w:"+w]
	return ok
}

// emojiWords finds emoji standing for a word: between two words of the
// same sentence, the next one in lower case ("see you 👉 the park").
func emojiWords(text string) [][2]int {
	var out [][2]int
	for i := 0; i < len(text); {
		r, n := utf8.DecodeRuneInString(text[i:])
		if !emoji(r) {
			i += n
			continue
		}
		start := i
		for i < len(text) {
			r, n := utf8.DecodeRuneInString(text[i:])
			if !(emoji(r) || r == 0xFE0F || r == 0x200D || r >= 0x1F3FB && r <= 0x1F3FF) {
				break
			}
			i += n
		}
		before := strings.TrimRight(text[:start], " ")
		after := strings.TrimLeft(text[i:], " ")
		if before == text[:start] || after == text[i:] {
			continue // not set apart by spaces
		}
		pr, _ := utf8.DecodeLastRuneInString(before)
		nr, _ := utf8.DecodeRuneInString(after)
		if unicode.IsLetter(pr) && unicode.IsLower(nr) {
			out = append(out, [2]int{start, i})
		}
	}
	return out
}

// vagueLinks match link text that does not say where it goes; the first
// group is the vague words.
var vagueLinks = []*regexp.Regexp{
	regexp.MustCompile(`(?i)\b((?:click|tap|press|go|link|info|details|more)\s+here)\b`),
	regexp.MustCompile(`(?i)(?:^|[^\w\s]\s*|\s)(here)\s*(?::|→|->|👉|⬇️?)?\s*(?:https?://|www\.)`),
}

// Grade returns the Flesch-Kincaid grade level of text, with links,
// hashtags and mentions left out; ok is false for text of fewer than 20
// words, too short for the formula to mean anything.
func Grade(text string) (grade float64, ok bool) {
	var ws []string
	for _, f := range strings.Fields(text) {
		if strings.HasPrefix(f, "#") || strings.HasPrefix(f, "@") || strings.Contains(f, "://") || strings.HasPrefix(f, "www.") || strings.Contains(strings.Trim(f, ".,!?"), ".") {
			continue
		}
		w := strings.TrimFunc(f, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		if w != "" && strings.ContainsFunc(w, unicode.IsLetter) {
			ws = append(ws, strings.ToLower(w))
		}
	}
	if len(ws) < 20 {
		return 0, false
	}
	sents := 0
	for _, se := range sentences(text) {
		if strings.ContainsFunc(text[se[0]:se[1]], unicode.IsLetter) {
			sents++
		}
	}
	sents = max(sents, 1)
	syl := 0
	for _, w := range ws {
		syl += syllables(w)
	}
	g := 0.39*float64(len(ws))/float64(sents) + 11.8*float64(syl)/float64(len(ws)) - 15.59
	return math.Round(g*10) / 10, true
}

// syllables estimates the syllables of an English word: groups of vowels,
// less a silent final e.
func syllables(w string) int {
	n, prev := 0, false
	for _, r := range w {
		v := strings.ContainsRune("aeiouy", r)
		if v && !prev {
			n++
		}
		prev = v
	}
	if strings.HasSuffix(w, "e") && !strings.HasSuffix(w, "le") && n > 1 {
		n--
	}
	return max(n, 1)
}
