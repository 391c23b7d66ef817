package audit

import (
	"context"
	"encoding/json"
	"sort"
	"strconv"
	"time"

	"steward.city/steward/internal/civic"
)

// Numbering numbers the events one viewer may list 1, 2, 3… over those
// events alone, skipping the events hidden from them (covert profiles,
// conduct cases: civic.HiddenObjectTypes). The chain's own numbers stay
// internal to verification: shown to a viewer, their gaps would tell that
// hidden events happened, and next to which visible ones (a disabled user
// followed by a gap names a covert maintainer). An event's number never
// changes as the chain grows.
type Numbering struct {
	hidden []int64 // sequence numbers of the hidden events, ascending
}

// SeqLister lists the sequence numbers of the events about objects of
// some types (civic.Reader does).
type SeqLister interface {
	AuditSeqs(ctx context.Context, objectTypes []string) ([]int64, error)
}

// NewNumbering returns the numbering of a viewer from whom the events about
// objects of the types hide are hidden.
func NewNumbering(ctx context.Context, r SeqLister, hide []string) (*Numbering, error) {
	seqs, err := r.AuditSeqs(ctx, hide)
	if err != nil {
		return nil, err
	}
	return &Numbering{hidden: seqs}, nil
}

// Number returns the viewer's number of the event with sequence number seq.
func (n *Numbering) Number(seq int64) int64 {
	return seq - int64(sort.Search(len(n.hidden), func(i int) bool { return n.hidden[i] >= seq }))
}

// Seq returns the sequence number of the viewer's event number num.
func (n *Numbering) Seq(num int64) int64 {
	seq := num
	for _, h := range n.hidden {
		if h > seq {
			break
		}
		seq++
	}
	return seq
}

// Hidden reports whether the event with sequence number seq is hidden
// from the viewer.
func (n *Numbering) Hidden(seq int64) bool {
	i := sort.Search(len(n.hidden), func(i int) bool { return n.hidden[i] >= seq })
	return i < len(n.hidden) && n.hidden[i] == seq
}

// Entry is an audit event as one viewer sees it: numbered in their own
// sequence ("seq" in JSON), without the chain's hashes, which would show
// where hidden events sit.
type Entry struct {
	Seq        int64           `json:"seq"`
	Time       time.Time       `json:"time"`
	ActorID    int64           `json:"actor_id"`
	Actor      string          `json:"actor"`
	Action     string          `json:"action"`
	ObjectType string          `json:"object_type"`
	ObjectID   string          `json:"object_id"`
	Before     json.RawMessage `json:"before"`
	After      json.RawMessage `json:"after"`
}

// Page is one page of a viewer's listing, newest first. Next, when not 0,
// is the "before" of the next (older) page.
type Page struct {
	Entries []*Entry
	Next    int64
}

// List returns the events f selects that viewer may see, newest first,
// numbered in the viewer's own sequence. f.BeforeSeq, when set, is a number
// in that sequence (the Next of the page before); f.HideObjectTypes is
// replaced by what the viewer may not see.
func List(ctx context.Context, r civic.Reader, viewer *civic.User, f civic.AuditFilter) (*Page, error) {
	f.HideObjectTypes = civic.HiddenObjectTypes(viewer)
	num, err := NewNumbering(ctx, r, f.HideObjectTypes)
	if err != nil {
		return nil, err
	}
	if f.BeforeSeq > 0 {
		f.BeforeSeq = num.Seq(f.BeforeSeq)
	}
	es, err := r.AuditEvents(ctx, f)
	if err != nil {
		return nil, err
	}
	p := &Page{Entries: make([]*Entry, len(es))}
	for i, e := range es {
		p.Entries[i] = &Entry{Seq: num.Number(e.Seq), Time: e.Time, ActorID: e.ActorID, Actor: e.Actor, Action: e.Action,
			ObjectType: e.ObjectType, ObjectID: e.ObjectID, Before: e.Before, After: e.After}
	}
	if len(es) > 0 && len(es) == f.Limit {
		p.Next = p.Entries[len(es)-1].Seq
	}
	return p, nil
}

// Citations convert between a viewer's numbers and citation numbers. An
// event cited in a record several viewers read (a conduct case's evidence)
// is stored by its citation number: its number among the events that no
// one is barred from seeing (civic.HiddenObjectTypes(nil) hides all the
// restricted types). That number is the same for every viewer and tells
// nothing of hidden events; each viewer is shown the event in their own
// numbering. Events about restricted objects have no citation number.
type Citations struct {
	public, viewer *Numbering
}

// NewCitations returns the citations of viewer.
func NewCitations(ctx context.Context, r SeqLister, viewer *civic.User) (*Citations, error) {
	pub, err := NewNumbering(ctx, r, civic.HiddenObjectTypes(nil))
	if err != nil {
		return nil, err
	}
	mine, err := NewNumbering(ctx, r, civic.HiddenObjectTypes(viewer))
	if err != nil {
		return nil, err
	}
	return &Citations{public: pub, viewer: mine}, nil
}

// Cite returns the sequence number of the viewer's event number num and,
// when it is not about a restricted object, its citation number (else 0).
func (c *Citations) Cite(num int64) (seq, cite int64) {
	seq = c.viewer.Seq(num)
	if c.public.Hidden(seq) {
		return seq, 0
	}
	return seq, c.public.Number(seq)
}

// Number returns the viewer's number of the event cited as cite.
func (c *Citations) Number(cite int64) int64 {
	return c.viewer.Number(c.public.Seq(cite))
}

// ShowCitations rewrites the refs of the audit_event entries of a conduct
// case, citation numbers, as viewer's own numbers of those events.
func ShowCitations(ctx context.Context, r SeqLister, viewer *civic.User, es []*civic.CaseEntry) error {
	var c *Citations
	for _, e := range es {
		if e.Kind != "audit_event" {
			continue
		}
		cite, err := strconv.ParseInt(e.Ref, 10, 64)
		if err != nil || cite <= 0 {
			continue
		}
		if c == nil {
			if c, err = NewCitations(ctx, r, viewer); err != nil {
				return err
			}
		}
		e.Ref = strconv.FormatInt(c.Number(cite), 10)
	}
	return nil
}
