package importer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"steward.city/steward/internal/civic"
)

// X reads an X (Twitter) archive: data/tweets.js (data/tweet.js in older
// archives, tweets-part1.js… when split) and data/deleted-tweets.js, each
// a JavaScript assignment "window.YTD.tweets.part0 = [...]", with the
// account from data/account.js and media from data/tweets_media.
// Each version of an edited post is its own entry, under its own id.
func X(files []File, account string) ([]Entry, error) {
	var author civic.Author
	for _, f := range pick(files, "account.js") {
		var acc []struct {
			Account struct {
				AccountID   string `json:"accountId"`
				Username    string `json:"username"`
				DisplayName string `json:"accountDisplayName"`
			} `json:"account"`
		}
		if err := ytd(f, &acc); err != nil {
			return nil, err
		}
		if len(acc) > 0 {
			a := acc[0].Account
			author = civic.Author{ID: a.AccountID, Handle: a.Username, Name: a.DisplayName}
		}
	}
	paths := byPath(files)
	var out []Entry
	for _, f := range pick(files, "tweets.js", "tweet.js", "tweets-part*.js", "tweet-part*.js", "deleted-tweets.js", "deleted-tweets-part*.js") {
		var items []json.RawMessage
		if err := ytd(f, &items); err != nil {
			return nil, err
		}
		deleted := strings.HasPrefix(baseName(f.Name), "deleted-")
		for i, raw := range items {
			out = append(out, tweetEntry(f.Name, i, raw, account, author, deleted, paths))
		}
	}
	return out, nil
}

type archivedTweet struct {
	IDStr             string `json:"id_str"`
	FullText          string `json:"full_text"`
	CreatedAt         string `json:"created_at"`
	DeletedAt         string `json:"deleted_at"`
	InReplyToStatusID string `json:"in_reply_to_status_id_str"`
	Source            string `json:"source"`
	ExtendedEntities  struct {
		Media []struct {
			MediaURLHTTPS string `json:"media_url_https"`
		} `json:"media"`
	} `json:"extended_entities"`
}

func tweetEntry(name string, i int, raw json.RawMessage, account string, author civic.Author, deleted bool, paths map[string]File) Entry {
	e := Entry{Where: where(name, i, "")}
	var wrap struct {
		Tweet json.RawMessage `json:"tweet"`
	}
	if err := json.Unmarshal(raw, &wrap); err != nil || wrap.Tweet == nil {
		e.Err = entryError("tweet", "each entry must be an object with a tweet")
		return e
	}
	var t archivedTweet
	if err := json.Unmarshal(wrap.Tweet, &t); err != nil {
		e.Err = entryError("tweet", "%v", err)
		return e
	}
	if t.IDStr == "" {
		e.Where, e.Err = where(name, i, "tweet.id_str"), entryError("tweet.id_str", "id_str is missing")
		return e
	}
	at, err := time.Parse(time.RubyDate, t.CreatedAt)
	if err != nil {
		e.Where, e.Err = where(name, i, "tweet.created_at"), entryError("tweet.created_at", "created_at %q is not a time such as Mon Mar 02 09:30:00 +0000 2026", clipText(t.CreatedAt))
		return e
	}
	kind := civic.ItemPost
	if t.InReplyToStatusID != "" {
		kind = civic.ItemReply
	}
	e.Record = record(account, t.IDStr, kind, at, t.FullText, wrap.Tweet)
	e.Record.Parent = t.InReplyToStatusID
	if author.ID != "" {
		e.Record.Author = author
	}
	if deleted {
		e.Record.State = string(civic.StateDeleted)
		if d, err := time.Parse(time.RubyDate, t.DeletedAt); err == nil {
			e.Record.CapturedAt = d.UTC().Format(time.RFC3339Nano)
		}
	}
	for _, m := range t.ExtendedEntities.Media {
		// The archive keeps each file as data/tweets_media/<id>-<name>.
		file := t.IDStr + "-" + baseName(m.MediaURLHTTPS)
		for _, dir := range []string{"data/tweets_media/", "data/tweet_media/"} {
			if f, ok := paths[dir+file]; ok {
				e.addMedia(f, m.MediaURLHTTPS)
				break
			}
		}
	}
	return e
}

var ytdPrefix = regexp.MustCompile(`^\s*window\.YTD\.[A-Za-z0-9_]+\.part[0-9]+\s*=\s*`)

// ytd decodes one of the archive's JavaScript files.
func ytd(f File, out any) error {
	data, err := f.Read()
	if err != nil {
		return err
	}
	loc := ytdPrefix.FindIndex(data)
	if loc == nil {
		return civic.Invalid("file", "%s:1:1: does not start with window.YTD.<name>.part<n> = as an X archive file does", f.Name)
	}
	// The assignment becomes spaces, so that error offsets count from
	// the start of the file.
	blank := append(bytes.Repeat([]byte(" "), loc[1]), bytes.TrimRight(data[loc[1]:], "; \r\n\t")...)
	if err := json.Unmarshal(blank, out); err != nil {
		return badJSON(f.Name, blank, err)
	}
	return nil
}

func baseName(p string) string {
	p = strings.ReplaceAll(p, "\\", "/")
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[i+1:]
	}
	return p
}

func clipText(s string) string {
	if len(s) > 40 {
		return fmt.Sprintf("%.40s…", s)
	}
	return s
}
