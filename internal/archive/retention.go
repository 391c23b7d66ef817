package archive

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"steward.city/steward/internal/civic"
)

// Retention is the retention schedule (REC-3): classes, and rules that
// assign them to items. An item takes the class with the longest period
// among the rules that match it, or Default when none does.
type Retention struct {
	Default string  `json:"default"`
	Classes []Class `json:"classes"`
	Rules   []Rule  `json:"rules"`
}

// Class is a retention class: how long its items are kept, counted from
// their first capture ("captured") or their last activity ("action").
type Class struct {
	Name   string `json:"name"`
	Title  string `json:"title"`
	Period string `json:"period"` // "0", "90d", "3y", or "permanent"
	Basis  string `json:"basis"`  // captured or action
	Source string `json:"source"` // the schedule item it follows
}

// Rule assigns Class to items matching every field it sets.
type Rule struct {
	Class      string `json:"class"`
	Account    string `json:"account,omitempty"`
	Department string `json:"department,omitempty"` // slug
	Kind       string `json:"kind,omitempty"`
	Tag        string `json:"tag,omitempty"`
}

// DefaultRetention follows the General Records Retention Schedule for
// Minnesota Cities as a starting point; a city replaces it with its own
// schedule in a file (--retention).
func DefaultRetention() *Retention {
	const grrs = "General Records Retention Schedule for Minnesota Cities"
	return &Retention{
		Default: "general-correspondence",
		Classes: []Class{
			{Name: "transitory", Title: "Transitory records", Period: "0", Basis: "captured", Source: grrs + ": transitory records, until read"},
			{Name: "general-correspondence", Title: "General correspondence", Period: "3y", Basis: "captured", Source: grrs + ": correspondence, general, 3 years"},
			{Name: "complaints", Title: "Complaints", Period: "1y", Basis: "action", Source: grrs + ": complaints, 1 year after action"},
			{Name: "permanent", Title: "Permanent records", Period: "permanent", Basis: "captured", Source: grrs + ": permanent"},
		},
		Rules: []Rule{
			{Class: "transitory", Tag: "transitory"},
			{Class: "complaints", Tag: "complaint"},
			{Class: "permanent", Tag: "permanent"},
			{Class: "general-correspondence", Kind: "post"},
		},
	}
}

// period returns how long a class keeps items; ok is false for permanent.
func (c *Class) period() (years, days int, ok bool, err error) {
	p := strings.TrimSpace(c.Period)
	switch {
	case p == "permanent":
		return 0, 0, false, nil
	case p == "0":
		return 0, 0, true, nil
	case strings.HasSuffix(p, "y"):
		n, err := strconv.Atoi(strings.TrimSuffix(p, "y"))
		return n, 0, true, err
	case strings.HasSuffix(p, "d"):
		n, err := strconv.Atoi(strings.TrimSuffix(p, "d"))
		return 0, n, true, err
	}
	return 0, 0, false, fmt.Errorf("period %q: want 0, a number of days (90d) or years (3y), or permanent", p)
}

// length orders classes by how long they keep items; permanent is longest.
func (c *Class) length() int {
	y, d, ok, _ := c.period()
	if !ok {
		return 1 << 30
	}
	return y*366 + d
}

// Check reports the first mistake in the schedule.
func (r *Retention) Check() error {
	names := map[string]bool{}
	for i, c := range r.Classes {
		if c.Name == "" {
			return fmt.Errorf("class %d has no name", i+1)
		}
		if names[c.Name] {
			return fmt.Errorf("class %s is defined twice", c.Name)
		}
		names[c.Name] = true
		if _, _, _, err := c.period(); err != nil {
			return fmt.Errorf("class %s: %w", c.Name, err)
		}
		if c.Basis != "captured" && c.Basis != "action" {
			return fmt.Errorf("class %s: basis %q: want captured or action", c.Name, c.Basis)
		}
	}
	if !names[r.Default] {
		return fmt.Errorf("default class %q is not defined", r.Default)
	}
	for i, rule := range r.Rules {
		if !names[rule.Class] {
			return fmt.Errorf("rule %d: class %q is not defined", i+1, rule.Class)
		}
		if rule.Kind != "" && !civic.ItemKind(rule.Kind).Valid() {
			return fmt.Errorf("rule %d: unknown kind %q", i+1, rule.Kind)
		}
		if rule.Account == "" && rule.Department == "" && rule.Kind == "" && rule.Tag == "" {
			return fmt.Errorf("rule %d matches everything: give an account, department, kind or tag (or change the default)", i+1)
		}
	}
	return nil
}

// ReadRetention reads and checks a schedule in JSON.
func ReadRetention(r io.Reader) (*Retention, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var rt Retention
	if err := dec.Decode(&rt); err != nil {
		return nil, fmt.Errorf("retention schedule: %w", err)
	}
	if err := rt.Check(); err != nil {
		return nil, fmt.Errorf("retention schedule: %w", err)
	}
	return &rt, nil
}

// ReadRetentionFile reads a schedule file.
func ReadRetentionFile(path string) (*Retention, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ReadRetention(bytes.NewReader(b))
}

func (r *Retention) class(name string) *Class {
	for i := range r.Classes {
		if r.Classes[i].Name == name {
			return &r.Classes[i]
		}
	}
	return nil
}

// Classify returns the class of an item: the longest among the matching
// rules, or the default. deptSlug is the slug of the item's department.
func (r *Retention) Classify(it *civic.ArchiveItem, deptSlug string) *Class {
	var best *Class
	for _, rule := range r.Rules {
		if rule.Account != "" && rule.Account != it.Account ||
			rule.Department != "" && rule.Department != deptSlug ||
			rule.Kind != "" && rule.Kind != string(it.Kind) ||
			rule.Tag != "" && !containsTag(it.Tags, rule.Tag) {
			continue
		}
		c := r.class(rule.Class)
		if c != nil && (best == nil || c.length() > best.length()) {
			best = c
		}
	}
	if best == nil {
		best = r.class(r.Default)
	}
	return best
}

func containsTag(tags []string, t string) bool {
	for _, x := range tags {
		if x == t {
			return true
		}
	}
	return false
}

// EligibleAt returns when an item of class c may be disposed of; ok is false
// for permanent classes.
func (c *Class) EligibleAt(it *civic.ArchiveItem) (time.Time, bool) {
	y, d, ok, err := c.period()
	if !ok || err != nil {
		return time.Time{}, false
	}
	base := it.FirstCapture
	if c.Basis == "action" {
		base = it.LastCapture
	}
	return base.AddDate(y, 0, d), true
}

// Retention returns the schedule in force: the one stored in the settings,
// or DefaultRetention.
func (s *Service) Retention(ctx context.Context) (*Retention, error) {
	v, err := s.store.Setting(ctx, SettingRetention)
	if err != nil {
		return nil, err
	}
	if v == "" {
		return DefaultRetention(), nil
	}
	return ReadRetention(strings.NewReader(v))
}

// SetRetention stores a schedule (read from the configuration file at
// start-up) so that every process uses the same; it records an audit event
// only when the schedule changed.
func (s *Service) SetRetention(ctx context.Context, r *Retention) error {
	if err := r.Check(); err != nil {
		return err
	}
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return s.store.Update(ctx, civic.System, func(tx civic.Tx) error {
		old, err := tx.Setting(ctx, SettingRetention)
		if err != nil || old == string(b) {
			return err
		}
		return tx.SetSetting(ctx, SettingRetention, string(b))
	})
}
