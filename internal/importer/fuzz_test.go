package importer

import (
	"bytes"
	"io"
	"os"
	"strings"
	"testing"

	"steward.city/steward/internal/civic"
)

// fuzzFormats are the file each format reads and the account it is read
// for: a fuzzed file is given to its format under that name.
var fuzzFormats = []struct {
	platform, account, name, seed string
}{
	{"facebook", "facebook:springfieldparks", "your_posts_1.json", "testdata/facebook/your_activity_across_facebook/posts/your_posts_1.json"},
	{"facebook", "facebook:springfieldparks", "comments.json", "testdata/facebook/your_activity_across_facebook/comments_and_reactions/comments.json"},
	{"instagram", "instagram:springfieldparks", "posts_1.json", "testdata/instagram/your_instagram_activity/content/posts_1.json"},
	{"instagram", "instagram:springfieldparks", "post_comments_1.json", "testdata/instagram/your_instagram_activity/comments/post_comments_1.json"},
	{"mastodon", "mastodon:@parks@city.example", "outbox.json", "testdata/mastodon/outbox.json"},
	{"x", "x:springfieldparks", "tweets.js", "testdata/x/data/tweets.js"},
	{"x", "x:springfieldparks", "account.js", "testdata/x/data/account.js"},
	{"youtube", "youtube:springfieldparks", "comments.csv", "testdata/youtube/Takeout/YouTube and YouTube Music/comments/comments.csv"},
}

// FuzzFormats gives every format a forged file under the name it reads
// (a city's upload can hold anything): each must return entries or an
// error that says what is wrong, never panic, and every entry it cannot
// store must say where it is and why.
func FuzzFormats(f *testing.F) {
	for i, ff := range fuzzFormats {
		data, err := os.ReadFile(ff.seed)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(i), data)
		f.Add(uint8(i), data[:len(data)/2])
	}
	f.Add(uint8(0), []byte("[{}]"))
	f.Add(uint8(5), []byte("window.YTD.tweets.part0 = [{}]"))
	f.Add(uint8(7), []byte("a,b\n\"x"))
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		ff := fuzzFormats[int(which)%len(fuzzFormats)]
		file := File{Name: ff.name, Size: int64(len(data)), packed: int64(len(data)),
			export: &budget{name: ff.name, size: int64(len(data)), most: totalFloor},
			open:   func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }}
		entries, err := Formats[ff.platform]([]File{file}, ff.account)
		if err != nil {
			if civic.ErrorKind(err) != civic.KindInvalid {
				t.Fatalf("%s: a bad file is not called invalid: %v", ff.name, err)
			}
			if msg := err.Error(); !strings.Contains(msg, ff.name) {
				t.Fatalf("%s: the error does not name the file: %q", ff.name, msg)
			}
			return
		}
		for _, e := range entries {
			if e.Err != nil {
				if !strings.Contains(e.Where, ff.name) || e.Err.Error() == "" {
					t.Fatalf("%s: an entry refused without saying where or why: %+v", ff.name, e)
				}
				continue
			}
			if e.Record.Account != ff.account {
				t.Fatalf("%s: an entry of another account: %q", ff.name, e.Record.Account)
			}
		}
	})
}
