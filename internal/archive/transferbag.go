package archive

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"steward.city/steward/internal/bag"
	"steward.city/steward/internal/blob"
	"steward.city/steward/internal/civic"
)

// The transfer bag's files.
const (
	TransferVersions = "data/versions.jsonl"  // one export line per version
	TransferMetadata = "data/metadata.xml"    // Dublin Core and Minnesota records metadata per item
	TransferMedia    = "data/media/"          // media files by SHA-256
	TransferProfile  = "Steward-Transfer-1.0" // bag-info.txt's BagIt-Profile-Identifier
)

// dcRecord is one item's metadata record in metadata.xml: Dublin Core
// elements and terms, and the Minnesota records fields (retention, data
// practices classification) in Steward's namespace.
type dcRecord struct {
	XMLName       xml.Name `xml:"record"`
	Identifier    []string `xml:"dc:identifier"`
	Title         string   `xml:"dc:title"`
	Creator       string   `xml:"dc:creator"`
	Publisher     string   `xml:"dc:publisher"`
	Type          string   `xml:"dc:type"`
	Format        string   `xml:"dc:format"`
	Created       string   `xml:"dcterms:created"`
	DateCaptured  string   `xml:"dcterms:dateSubmitted"`
	Modified      string   `xml:"dcterms:modified,omitempty"`
	IsPartOf      string   `xml:"dcterms:isPartOf"`
	Relation      string   `xml:"dc:relation,omitempty"`
	Rights        string   `xml:"dc:rights"`
	AccessRights  string   `xml:"dcterms:accessRights"`
	Retention     string   `xml:"mn:retentionClass"`
	RetentionText string   `xml:"mn:retentionPeriod"`
	RetentionFrom string   `xml:"mn:retentionSource"`
	Class         string   `xml:"mn:dataClassification"`
	Statute       string   `xml:"mn:statute,omitempty"`
	ClassReason   string   `xml:"mn:classificationReason"`
	ClassSetBy    string   `xml:"mn:classificationSetBy"`
	Withheld      bool     `xml:"mn:withheld"`
	Versions      []dcVer  `xml:"mn:version"`
}

type dcVer struct {
	ID       int64  `xml:"id,attr"`
	Hash     string `xml:"sha256,attr"`
	LogIndex int64  `xml:"logIndex,attr"`
	Captured string `xml:"captured,attr"`
	State    string `xml:"state,attr"`
}

// TransferStats is what WriteTransferBag wrote.
type TransferStats struct {
	Items, Versions, Media, Withheld int
}

// WriteTransferBag writes set as a BagIt 1.0 bag (a zip, as internal/bag
// writes it) for a state archives: every version as an export line (its
// hash recomputable from the line), the media files, and metadata.xml
// with one Dublin Core record per item naming the creating department,
// dates, retention class and classification.
func (s *Service) WriteTransferBag(ctx context.Context, actor civic.Actor, set *TransferSet, from, to string, w io.Writer) (*TransferStats, error) {
	if err := civic.Require(actor, civic.PermArchiveView); err != nil {
		return nil, err
	}
	dept := "unknown department"
	deptSlug := ""
	if set.Account.DepartmentID != 0 {
		if d, err := s.store.Department(ctx, set.Account.DepartmentID); err == nil {
			dept, deptSlug = d.Name, d.Slug
		}
	}
	rt, err := s.Retention(ctx)
	if err != nil {
		return nil, err
	}
	st := &TransferStats{}
	b := bag.NewWriter(w)
	vw, err := b.Create(TransferVersions)
	if err != nil {
		return nil, err
	}
	var line []byte
	type itemAcc struct {
		rec  *dcRecord
		tv   *TransferVersion
		item *civic.ArchiveItem
	}
	items := map[int64]*itemAcc{}
	var order []int64
	type mediaOf struct {
		m civic.Media
		v *civic.Version
	}
	media := map[string]bool{}
	var mediaOrder []mediaOf
	for _, tv := range set.Versions {
		v := tv.Version
		line = appendExportLine(line[:0], v)
		if _, err := vw.Write(line); err != nil {
			return nil, err
		}
		st.Versions++
		set.report(st.Versions, "writing the versions")
		if tv.Withheld {
			st.Withheld++
		}
		for _, m := range v.Media {
			if !media[m.SHA256] {
				media[m.SHA256] = true
				mediaOrder = append(mediaOrder, mediaOf{m, v})
			}
		}
		acc := items[v.ItemID]
		if acc == nil {
			it, err := s.store.ArchiveItem(ctx, v.ItemID)
			if err != nil {
				return nil, fmt.Errorf("item %d: %w", v.ItemID, err)
			}
			acc = &itemAcc{item: it, rec: &dcRecord{
				Identifier: []string{"steward:item:" + strconv.FormatInt(it.ID, 10), set.Account.Ref + "/" + it.PlatformID},
				Title:      pageTitle(v), Creator: dept, Publisher: dept, Type: "Text", Format: "application/json",
				Created: v.At().UTC().Format(time.RFC3339), DateCaptured: it.FirstCapture.UTC().Format(time.RFC3339),
				IsPartOf: set.Account.Ref, Relation: it.ParentID}}
			if it.Kind != civic.ItemPost && v.Author.Handle != "" {
				acc.rec.Creator = v.Author.Handle
			}
			if c := rt.Classify(it, deptSlug); c != nil {
				acc.rec.Retention, acc.rec.RetentionText, acc.rec.RetentionFrom = c.Name, c.Period+" from "+c.Basis, c.Source
			}
			items[v.ItemID] = acc
			order = append(order, v.ItemID)
		}
		acc.tv = tv // the newest version's classification is the item's
		acc.rec.Versions = append(acc.rec.Versions, dcVer{ID: v.ID, Hash: v.Hash, LogIndex: v.LogIndex, Captured: v.CapturedAt.UTC().Format(time.RFC3339), State: string(v.State)})
		acc.rec.Modified = v.CapturedAt.UTC().Format(time.RFC3339)
	}
	for _, m := range mediaOrder {
		if err := s.bagMedia(ctx, b, m.m, m.v); err != nil {
			return nil, err
		}
		st.Media++
	}
	mw, err := b.Create(TransferMetadata)
	if err != nil {
		return nil, err
	}
	io.WriteString(mw, xml.Header+`<records xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:mn="urn:steward:mn-records">`+"\n")
	enc := xml.NewEncoder(mw)
	enc.Indent("  ", "  ")
	for _, id := range order {
		acc := items[id]
		c := acc.tv.Class
		acc.rec.Class, acc.rec.Statute, acc.rec.ClassReason, acc.rec.ClassSetBy, acc.rec.Withheld = string(c.Class), c.Statute, c.Reason, c.SetBy, acc.tv.Withheld
		acc.rec.Rights = "Minnesota Government Data Practices Act (Minn. Stat. ch. 13)"
		acc.rec.AccessRights = "public"
		if acc.tv.Withheld {
			acc.rec.AccessRights = "withheld: " + string(c.Class)
			if cit := c.Citation(); cit != "" {
				acc.rec.AccessRights = "withheld: " + cit
			}
		}
		if err := enc.Encode(acc.rec); err != nil {
			return nil, err
		}
		st.Items++
	}
	if err := enc.Flush(); err != nil {
		return nil, err
	}
	io.WriteString(mw, "\n</records>\n")
	info := [][2]string{
		{"Source-Organization", dept},
		{"Bagging-Date", s.now().UTC().Format(time.DateOnly)},
		{"External-Identifier", set.Account.Ref + " " + from + " to " + to},
		{"External-Description", "What the official account " + set.Account.Ref + " posted and received from " + from + " to " + to + ", as the city's archive captured it"},
		{"BagIt-Profile-Identifier", TransferProfile},
		{"Steward-Account", set.Account.Ref},
		{"Steward-Items", strconv.Itoa(st.Items)},
		{"Steward-Versions", strconv.Itoa(st.Versions)},
		{"Steward-Withheld", strconv.Itoa(st.Withheld)},
	}
	if err := b.WriteTags(info); err != nil {
		return nil, err
	}
	return st, b.Close()
}

// bagMedia copies one media file into the bag.
func (s *Service) bagMedia(ctx context.Context, b *bag.Writer, m civic.Media, v *civic.Version) error {
	if s.blobs == nil || !blob.ValidHash(m.SHA256) {
		return civic.Invalid("media", "media file %q of item %d (version %d) cannot be read: no media store, or not a SHA-256", m.SHA256, v.ItemID, v.ID)
	}
	f, err := s.blobs.Open(ctx, m.SHA256)
	if errors.Is(err, blob.ErrNotFound) {
		return civic.Invalid("media", "media file %s of item %d (version %d) is missing from the media store", m.SHA256, v.ItemID, v.ID)
	}
	if err != nil {
		return err
	}
	defer f.Close()
	w, err := b.Create(TransferMedia + m.SHA256)
	if err != nil {
		return err
	}
	_, err = io.Copy(w, f)
	return err
}

// TransferReport is what VerifyTransferBag found.
type TransferReport struct {
	Account  string `json:"account"`
	Versions int    `json:"versions"`
	Media    int    `json:"media"`
	Files    int    `json:"files"`
}

// IsTransferBag reports whether b is a transfer bag (by its profile).
func IsTransferBag(b *bag.Bag) bool { return b.Info["BagIt-Profile-Identifier"] == TransferProfile }

// VerifyTransferBag checks a transfer bag offline: the bag itself
// (bag.Open: structure, manifests, every file's SHA-256), then that every
// version line's content hashes to the hash it states (the hash the
// archive's log holds), that every media file a version names is in the
// bag, and that metadata.xml is well-formed.
func VerifyTransferBag(r io.ReaderAt, size int64) (*TransferReport, error) {
	b, err := bag.Open(r, size)
	if err != nil {
		return nil, err
	}
	if !IsTransferBag(b) {
		return nil, fmt.Errorf("%w: not a transfer bag (BagIt-Profile-Identifier is not %s)", bag.ErrInvalid, TransferProfile)
	}
	rep := &TransferReport{Account: b.Info["Steward-Account"], Files: len(b.Names(""))}
	vr, err := b.File(TransferVersions)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(vr)
	for dec.More() {
		var l ExportLine
		if err := dec.Decode(&l); err != nil {
			return nil, fmt.Errorf("%w: %s line %d: %v", bag.ErrInvalid, TransferVersions, rep.Versions+1, err)
		}
		rep.Versions++
		v := &civic.Version{Account: l.Account, PlatformID: l.PlatformID, Kind: l.Kind, ParentID: l.ParentID, ThreadID: l.ThreadID,
			CapturedAt: l.CapturedAt, PlatformTime: l.PlatformTime, Author: l.Author, Text: l.Text, Media: l.Media, State: l.State, Tags: l.Tags, Raw: l.RawBase64}
		if l.DisposedAt == nil && v.ComputeHash() != l.Hash {
			return nil, fmt.Errorf("%w: %s: version %d (item %d) does not hash to %s: it was altered", bag.ErrInvalid, TransferVersions, l.ID, l.ItemID, l.Hash)
		}
		for _, m := range l.Media {
			if !b.Has(TransferMedia + m.SHA256) {
				return nil, fmt.Errorf("%w: media file %s of version %d is not in the bag", bag.ErrInvalid, m.SHA256, l.ID)
			}
		}
	}
	rep.Media = len(b.Names(TransferMedia))
	mr, err := b.File(TransferMetadata)
	if err != nil {
		return nil, err
	}
	xd := xml.NewDecoder(mr)
	for {
		if _, err := xd.Token(); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", bag.ErrInvalid, TransferMetadata, err)
		}
	}
	return rep, nil
}
