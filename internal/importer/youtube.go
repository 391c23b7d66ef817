package importer

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"steward.city/steward/internal/civic"
)

// YouTube reads a Google Takeout of a YouTube channel: the channel's
// comments (YouTube and YouTube Music/comments/comments.csv, with the
// columns Comment ID, Channel ID, Comment Create Timestamp, Parent Comment
// ID, Video ID and Comment Text; the text is Takeout's JSON segments).
// Columns are found by their header, in any order. Takeout holds the
// channel's own comments, not the comments others left on its videos.
func YouTube(files []File, account string) ([]Entry, error) {
	var out []Entry
	for _, f := range pick(files, "comments*.csv") {
		entries, err := youtubeCSV(f, account)
		if err != nil {
			return nil, err
		}
		out = append(out, entries...)
	}
	return out, nil
}

func youtubeCSV(f File, account string) ([]Entry, error) {
	data, err := f.Read()
	if err != nil {
		return nil, err
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, civic.Invalid("file", "%s:1: no header row: %v", f.Name, err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	for _, need := range []string{"comment id", "comment create timestamp", "comment text"} {
		if _, ok := col[need]; !ok {
			return nil, civic.Invalid("file", "%s:1: the column %q is missing", f.Name, need)
		}
	}
	get := func(row []string, name string) string {
		if i, ok := col[name]; ok && i < len(row) {
			return strings.TrimSpace(row[i])
		}
		return ""
	}
	var out []Entry
	for {
		line, _ := r.FieldPos(0)
		row, err := r.Read()
		if err == io.EOF {
			return out, nil
		}
		at := fmt.Sprintf("%s:%d", f.Name, line+1)
		if err != nil {
			return nil, civic.Invalid("file", "%s: %v", at, err)
		}
		line, _ = r.FieldPos(0)
		at = fmt.Sprintf("%s:%d", f.Name, line)
		e := Entry{Where: at}
		fields := map[string]string{}
		for i, h := range header {
			if i < len(row) {
				fields[h] = row[i]
			}
		}
		raw, _ := json.Marshal(fields)
		id := get(row, "comment id")
		created, err := time.Parse(time.RFC3339Nano, get(row, "comment create timestamp"))
		switch {
		case id == "":
			e.Where, e.Err = at+" Comment ID", entryError("Comment ID", "the comment id is empty")
		case err != nil:
			e.Where, e.Err = at+" Comment Create Timestamp", entryError("Comment Create Timestamp", "%q is not an RFC 3339 time", clipText(get(row, "comment create timestamp")))
		default:
			kind, parent := civic.ItemComment, get(row, "video id")
			if parent == "" {
				parent = get(row, "post id")
			}
			if p := get(row, "parent comment id"); p != "" {
				kind, parent = civic.ItemReply, p
			}
			e.Record = record(account, id, kind, created, takeoutText(get(row, "comment text")), raw)
			e.Record.Parent = parent
			e.Record.Thread = get(row, "video id")
			e.Record.Author.ID = get(row, "channel id")
		}
		out = append(out, e)
	}
}

// takeoutText reads Takeout's comment text: JSON segments such as
// {"text":"Hello "},{"text":"world"} or {"takeoutSegments":[…]}, or plain
// text in older Takeouts.
func takeoutText(s string) string {
	var segs []struct {
		Text     string `json:"text"`
		Segments []struct {
			Text string `json:"text"`
		} `json:"takeoutSegments"`
	}
	if json.Unmarshal([]byte("["+s+"]"), &segs) != nil {
		return s
	}
	var b strings.Builder
	for _, seg := range segs {
		b.WriteString(seg.Text)
		for _, t := range seg.Segments {
			b.WriteString(t.Text)
		}
	}
	return b.String()
}
