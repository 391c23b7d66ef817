package moderation_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/moderation"
	"steward.city/steward/internal/pdf/pdftest"
)

// scriptComments are comments in the languages of the city's residents,
// one script or typographic feature each.
var scriptComments = []struct{ name, font, comment string }{
	{"somali", "utf8sans", "Dadka degmada waxay u baahan yihiin waddooyin nadiif ah. Fadlan ka jawaab su'aashan, maxaa yeelay carruurtu halkan bay ku ciyaaraan!"},
	{"oromo", "utf8sans", "Magaalaan keenya bareedduu dha, garuu daandiin cufameera. Maaloo deebii naaf kennaa."},
	{"arabic", "utf8arabic", "الطريق مغلق منذ ثلاثة أيام، ولا أحد يستجيب لشكاوى السكان. نرجو من البلدية إصلاح الطريق في أسرع وقت ممكن لأن الأطفال يمشون إلى المدرسة في الشارع، وهذا خطر على حياتهم."},
	{"hebrew", "utf8hebrew", "הכביש סגור כבר שלושה ימים ואף אחד לא עונה"},
	{"vietnamese", "utf8sans", "Tôi đã gửi đơn khiếu nại ba lần nhưng không ai trả lời. Đường phố ngập nước sau mỗi trận mưa, xin hãy sửa chữa!"},
	{"vietnamese-decomposed", "utf8sans", "Tie\u0302\u0301ng Vie\u0323\u0302t: đu\u031Bo\u031B\u0300ng pho\u0302\u0301 nga\u0323\u0302p nu\u031Bo\u031B\u0301c."}, // combining marks
	{"amharic", "utf8ethiopic", "መንገዱ ለሦስት ቀናት ተዘግቷል። እባካችሁ ምላሽ ስጡ።"},
	{"russian", "utf8sans", "Дорога закрыта уже три дня, и никто не отвечает на жалобы жителей. Ёлки-палки!"},
	{"chinese", "utf8han", "道路已经关闭三天了，没有人回应居民的投诉。請盡快修理！"},
	{"hmong", "utf8sans", "Kuv xav tau kev pab rau kuv tsev neeg. Nyob zoo os, ua tsaug ntau!"},
	{"punctuation", "utf8sans", "“Stop,” she said — it’s open 9–5… ‘really’ «non» ‹no› – and that’s final."},
	{"emoji", "utf8emoji", "Great job 😀👍 — love the splash pad ☀️🌊 ❤️ 🎉"},
	{"mixed", "utf8arabic", "The sign says مرحبا بكم and 😀 then done."},
}

// TestFormPDFScripts writes a tracking form for a comment in each script
// and reads the PDF back with pdftotext: the comment must read exactly as
// written, after pdftest.Normalize on both sides (NFKC, which turns the
// shaped Arabic letters back into letters; without the directional
// controls pdftotext puts around right-to-left runs; white space made
// single spaces, since the PDF wraps lines). The mixed line checks that
// each run reads in its own order; no script prints as '?'.
func TestFormPDFScripts(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 19, 12, 0, 0, 0, time.UTC)
	for _, c := range scriptComments {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := &civic.TrackingForm{ID: 7, Site: "facebook:City", PostedAt: &at, ScreenName: "@resident", Comment: c.comment,
				Reason: "Harassment", RemovedAt: at, RemovedBy: "ana@city.example", ReceivedAt: at, CreatedAt: at, ContentHash: "abc123"}
			var out bytes.Buffer
			if err := moderation.WriteFormPDF(&out, f, nil); err != nil {
				t.Fatal(err)
			}
			pdftest.Save(t, "form-"+c.name, out.Bytes())
			// The script's own font draws it, and no character is a
			// box (the symbols font, which would draw it, is unused).
			if fonts, ok := pdftest.Fonts(t, out.Bytes()); ok {
				if !slices.Contains(fonts, c.font) || slices.Contains(fonts, "utf8symbols") {
					t.Errorf("the PDF embeds %v: want %s and no box", fonts, c.font)
				}
			}
			text, ok := pdftest.Text(t, out.Bytes())
			if !ok {
				t.Skip("pdftotext is not installed")
			}
			got := pdftest.Normalize(text)
			if strings.Contains(text, "?") && !strings.Contains(c.comment, "?") {
				t.Errorf("the PDF prints '?': %s", text)
			}
			if c.name == "arabic" || c.name == "mixed" {
				// Right-to-left runs read back in logical order but
				// placed on the line as on the page (pdftest.RTLRuns):
				// every run is a piece of the comment, and together
				// they hold every Arabic letter of it.
				want, letters := pdftest.Normalize(c.comment), 0
				for _, run := range pdftest.RTLRuns(text) {
					if !strings.Contains(want, run) {
						t.Errorf("the right-to-left run %q is not in the comment %q", run, want)
					}
					letters += arabicLetters(run)
				}
				if letters != arabicLetters(want) {
					t.Errorf("%d Arabic letters read back, want %d: %s", letters, arabicLetters(want), got)
				}
			}
			if c.name == "arabic" {
				return
			}
			if c.name == "mixed" {
				for _, w := range []string{"The sign says", "مرحبا بكم", "😀", "then done."} {
					if !strings.Contains(got, pdftest.Normalize(w)) {
						t.Errorf("%q is not in %q", w, got)
					}
				}
				return
			}
			if want := pdftest.Normalize(c.comment); !strings.Contains(got, want) {
				t.Errorf("the PDF reads\n%s\nwant the comment\n%s", got, want)
			}
			if !strings.Contains(got, "Removed Comments Tracking Form 7") || !strings.Contains(got, "Page 1 of 1") {
				t.Errorf("title or page number missing: %s", got)
			}
		})
	}
}

// arabicLetters counts the Arabic letters (not presentation forms) in s.
func arabicLetters(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x0620 && r <= 0x06FF {
			n++
		}
	}
	return n
}
