package importer

import (
	"encoding/json"
	"strconv"
	"time"

	"steward.city/steward/internal/civic"
)

// Facebook reads a Facebook Page's "Download your information" in JSON:
// the posts files (…posts…_1.json: an array of posts with timestamp,
// data[].post, data[].update_timestamp and attachments) and the comments
// file (comments.json: comments_v2, the comments the Page itself made).
// Facebook's download holds no ids and no comments by other people; an
// entry's id is made from its time and attachments so that the same entry
// in two downloads is the same item. Text is repaired from the download's
// byte-per-character encoding.
func Facebook(files []File, account string) ([]Entry, error) {
	paths := byPath(files)
	var out []Entry
	for _, f := range pick(files, "*posts*.json") {
		data, err := f.Read()
		if err != nil {
			return nil, err
		}
		var posts []json.RawMessage
		if err := json.Unmarshal(data, &posts); err != nil {
			return nil, badJSON(f.Name, data, err)
		}
		for i, raw := range posts {
			out = append(out, facebookPost(f.Name, i, raw, account, paths))
		}
	}
	for _, f := range pick(files, "comments.json", "comments_*.json") {
		data, err := f.Read()
		if err != nil {
			return nil, err
		}
		var c struct {
			Comments []json.RawMessage `json:"comments_v2"`
		}
		if err := json.Unmarshal(data, &c); err != nil {
			return nil, badJSON(f.Name, data, err)
		}
		for i, raw := range c.Comments {
			out = append(out, facebookComment(f.Name, i, raw, account))
		}
	}
	return out, nil
}

type fbAttachment struct {
	Data []struct {
		Media *struct {
			URI string `json:"uri"`
		} `json:"media"`
		ExternalContext *struct {
			URL string `json:"url"`
		} `json:"external_context"`
	} `json:"data"`
}

func facebookPost(name string, i int, raw json.RawMessage, account string, paths map[string]File) Entry {
	e := Entry{Where: where(name, i, "")}
	var p struct {
		Timestamp   *int64            `json:"timestamp"`
		Title       string            `json:"title"`
		Data        []json.RawMessage `json:"data"`
		Attachments []fbAttachment    `json:"attachments"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		e.Err = entryError("", "%v", err)
		return e
	}
	if p.Timestamp == nil || *p.Timestamp <= 0 {
		e.Where, e.Err = where(name, i, "timestamp"), entryError("timestamp", "timestamp is missing")
		return e
	}
	var text string
	var updated int64
	for j, d := range p.Data {
		var v struct {
			Post   *string `json:"post"`
			Update *int64  `json:"update_timestamp"`
		}
		if err := json.Unmarshal(d, &v); err != nil {
			e.Where, e.Err = where(name, i, "data["+strconv.Itoa(j)+"]"), entryError("data", "%v", err)
			return e
		}
		if v.Post != nil {
			text = metaText(*v.Post)
		}
		if v.Update != nil {
			updated = *v.Update
		}
	}
	key := []string{"post", strconv.FormatInt(*p.Timestamp, 10), p.Title}
	var found []File
	var uris []string
	for _, a := range p.Attachments {
		for _, d := range a.Data {
			if d.Media != nil {
				key = append(key, d.Media.URI)
				if f, ok := paths[d.Media.URI]; ok {
					found, uris = append(found, f), append(uris, d.Media.URI)
				}
			}
			if d.ExternalContext != nil {
				key = append(key, d.ExternalContext.URL)
			}
		}
	}
	e.Record = record(account, stableID("facebook-export", key...), civic.ItemPost, time.Unix(*p.Timestamp, 0), text, raw)
	if updated > *p.Timestamp {
		e.Record.CapturedAt = time.Unix(updated, 0).UTC().Format(time.RFC3339Nano)
	}
	for j, f := range found {
		e.addMedia(f, uris[j])
	}
	return e
}

func facebookComment(name string, i int, raw json.RawMessage, account string) Entry {
	e := Entry{Where: where(name, i, "")}
	var c struct {
		Timestamp *int64 `json:"timestamp"`
		Title     string `json:"title"`
		Data      []struct {
			Comment struct {
				Timestamp int64  `json:"timestamp"`
				Comment   string `json:"comment"`
				Author    string `json:"author"`
			} `json:"comment"`
		} `json:"data"`
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		e.Err = entryError("", "%v", err)
		return e
	}
	if c.Timestamp == nil || *c.Timestamp <= 0 {
		e.Where, e.Err = where(name, i, "timestamp"), entryError("timestamp", "timestamp is missing")
		return e
	}
	var text, author string
	if len(c.Data) > 0 {
		text, author = metaText(c.Data[0].Comment.Comment), metaText(c.Data[0].Comment.Author)
	}
	e.Record = record(account, stableID("facebook-export", "comment", strconv.FormatInt(*c.Timestamp, 10), c.Title), civic.ItemComment, time.Unix(*c.Timestamp, 0), text, raw)
	e.Record.Author.Name = author
	return e
}
