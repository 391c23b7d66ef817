package moderation

import (
	"context"
	"encoding/json"
	"math"
	"strconv"
	"strings"

	"steward.city/steward/internal/civic"
)

// SettingThresholds holds the city's screening thresholds by code, as a
// JSON object ({"spam":0.4}); a code not in it keeps the classifier's own.
const SettingThresholds = "moderation.thresholds"

// CodeThreshold is one code's screening threshold, with the precision and
// recall measured at it when the classifier was trained.
type CodeThreshold struct {
	Code      string
	Threshold float64 // in force: the city's, or else the classifier's
	Default   float64 // the classifier's own
	City      bool    // the city set it
	// Precision and Recall were measured at the curve point nearest
	// Threshold, on Support comments with the code (cross-validated on the
	// classifier's training split).
	Precision, Recall float64
	Support           int
}

// cityThresholds reads the city's thresholds.
func (s *Service) cityThresholds(ctx context.Context) (map[string]float64, error) {
	v, err := s.store.Setting(ctx, SettingThresholds)
	if err != nil || v == "" {
		return nil, err
	}
	th := map[string]float64{}
	if err := json.Unmarshal([]byte(v), &th); err != nil {
		return nil, civic.Invalid("thresholds", "the stored thresholds are not a JSON object: %v", err)
	}
	return th, nil
}

// tunable returns the screener as a TunableScreener, or nil.
func (s *Service) tunable() civic.TunableScreener {
	t, _ := s.screener.(civic.TunableScreener)
	return t
}

// Thresholds lists each code's screening threshold, the classifier's own,
// and the precision and recall measured at it. It is empty when the
// screener has no thresholds a city can set.
func (s *Service) Thresholds(ctx context.Context, actor civic.Actor) ([]CodeThreshold, error) {
	if err := civic.Require(actor, civic.PermModerationView); err != nil {
		return nil, err
	}
	t := s.tunable()
	if t == nil {
		return nil, nil
	}
	city, err := s.cityThresholds(ctx)
	if err != nil {
		return nil, err
	}
	own := t.Thresholds()
	var out []CodeThreshold
	for _, c := range DefaultCodes {
		def, ok := own[c.Code]
		if !ok {
			continue
		}
		ct := CodeThreshold{Code: c.Code, Threshold: def, Default: def}
		if v, ok := city[c.Code]; ok {
			ct.Threshold, ct.City = v, true
		}
		points, support := t.Curve(c.Code)
		ct.Support = support
		best := math.Inf(1)
		for _, p := range points {
			if d := math.Abs(p.Threshold - ct.Threshold); d < best {
				best, ct.Precision, ct.Recall = d, p.Precision, p.Recall
			}
		}
		out = append(out, ct)
	}
	return out, nil
}

// SetThreshold sets the city's threshold of code, a number from 0.05 to
// 0.95 ("0.4"); an empty value goes back to the classifier's own.
func (s *Service) SetThreshold(ctx context.Context, actor civic.Actor, code, value string) error {
	if err := civic.Require(actor, civic.PermModerationConfigure); err != nil {
		return err
	}
	t := s.tunable()
	if t == nil {
		return civic.Invalid("code", "the screener has no thresholds to set")
	}
	if _, ok := t.Thresholds()[code]; !ok {
		return civic.Invalid("code", "%q is not a reason code", code)
	}
	value = strings.TrimSpace(value)
	var v float64
	if value != "" {
		var err error
		v, err = strconv.ParseFloat(value, 64)
		if err != nil || math.IsNaN(v) || v < 0.05 || v > 0.95 {
			return civic.Invalid("threshold", "give a number from 0.05 to 0.95, or nothing for the classifier's own")
		}
	}
	return s.update(ctx, actor, func(tx civic.Tx) error {
		cur, err := tx.Setting(ctx, SettingThresholds)
		if err != nil {
			return err
		}
		th := map[string]float64{}
		if cur != "" {
			if err := json.Unmarshal([]byte(cur), &th); err != nil {
				return civic.Invalid("threshold", "the stored thresholds are not a JSON object: %v", err)
			}
		}
		if value == "" {
			delete(th, code)
		} else {
			th[code] = math.Round(v*1000) / 1000
		}
		b, err := json.Marshal(th)
		if err != nil {
			return err
		}
		return tx.SetSetting(ctx, SettingThresholds, string(b))
	})
}

// screenerNow returns the screener with the city's thresholds in force.
func (s *Service) screenerNow(ctx context.Context) (civic.Screener, error) {
	t := s.tunable()
	if t == nil {
		return s.screener, nil
	}
	th, err := s.cityThresholds(ctx)
	if err != nil || len(th) == 0 {
		return s.screener, err
	}
	return t.Tuned(th)
}

// ModelCard returns the screener's model card, or nil when it has none.
func (s *Service) ModelCard() *civic.ModelCard {
	if c, ok := s.screener.(civic.CardScreener); ok {
		return c.ModelCard()
	}
	return nil
}
