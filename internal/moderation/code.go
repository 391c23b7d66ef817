package moderation

import (
	"context"
	"slices"
	"strings"

	"steward.city/steward/internal/civic"
)

// The policies the codes come from (see ../shared/seeds in the project's
// history and docs/moderation.md).
const (
	srcRosemount = "Rosemount Social Media Policy (2021), Prohibited content"
	srcLMC       = "LMC model social media policy, comments from the public"
)

// DefaultCodes is the taxonomy: the policy's list of prohibited content,
// one code per reason, each with the clause it comes from. Removals for
// off_topic, harassment and defamation need a second reviewer by default:
// they are where a viewpoint is most easily mistaken for a violation.
var DefaultCodes = []civic.ReasonCode{
	{Code: "obscene", Label: "Obscene or sexual", Clause: "Obscene or sexual content or links to obscene or sexual content", Source: srcRosemount},
	{Code: "vulgar", Label: "Vulgar or offensive language", Clause: "Posts and comments that include vulgar, offensive, threatening or harassing language, or personal attacks", Source: srcRosemount},
	{Code: "threat", Label: "Threat", Clause: "Posts and comments that include vulgar, offensive, threatening or harassing language, or personal attacks; personal attacks, insults, or threatening language", Source: srcRosemount + "; " + srcLMC},
	{Code: "harassment", Label: "Harassment or personal attack", Clause: "Posts and comments that include vulgar, offensive, threatening or harassing language, or personal attacks", Source: srcRosemount, SecondReview: true},
	{Code: "discrimination", Label: "Discrimination", Clause: "Prejudiced or hurtful comments that encourage discrimination or discriminate on the basis of creed, color, age, religion, gender, marital status, national origin, physical or mental disability, sexual orientation or other protected classes", Source: srcRosemount},
	{Code: "spam", Label: "Commercial promotion or spam", Clause: "Commercial promotions or spam", Source: srcRosemount + "; " + srcLMC},
	{Code: "private_info", Label: "Private information", Clause: "Information that violates individual rights, including confidentiality and/or privacy rights; private, personal information published without consent", Source: srcRosemount + "; " + srcLMC},
	{Code: "illegal_activity", Label: "Advocates illegal activity", Clause: "Posts and comments that advocate illegal activity", Source: srcRosemount},
	{Code: "campaign", Label: "Campaign material", Clause: "Political statements that endorse or oppose political candidates and any campaign material", Source: srcRosemount},
	{Code: "off_topic", Label: "Off topic", Clause: "Comments totally unrelated to the topic of the forum", Source: srcLMC, SecondReview: true},
	{Code: "unrelated_link", Label: "Unrelated link", Clause: "Hyperlinks to material that is not directly related to the discussion", Source: srcLMC},
	{Code: "defamation", Label: "Defamation", Clause: "Potentially libelous comments", Source: srcLMC, SecondReview: true},
	{Code: "ip_violation", Label: "Intellectual property", Clause: "Information that violates a legal ownership interest of another party; plagiarized material; comments in violation of the copyright, trademark right or other intellectual property right of any third party", Source: srcRosemount + "; " + srcLMC},
	{Code: "investigation", Label: "Compromises an investigation", Clause: "Information that could compromise an ongoing investigation", Source: srcRosemount},
	{Code: "safety", Label: "Compromises safety", Clause: "Information that could compromise the safety and security of City operations, staff, crime victims, suspects or the public or public systems", Source: srcRosemount},
}

// SettingOfficials is the setting that makes removals of comments naming
// an elected official need a second reviewer ("true" or "false"; unset: true).
const SettingOfficials = "moderation.second_review_officials"

// Codes returns the taxonomy with the city's labels, descriptions and
// second-review choices. Anyone may read it: the transparency page does.
func (s *Service) Codes(ctx context.Context) ([]civic.ReasonCode, error) {
	set, err := s.store.ReasonCodeSettings(ctx)
	if err != nil {
		return nil, err
	}
	out := slices.Clone(DefaultCodes)
	for i := range out {
		for _, c := range set {
			if c.Code == out[i].Code {
				out[i].Label, out[i].Description, out[i].SecondReview = c.Label, c.Description, c.SecondReview
				out[i].UpdatedBy, out[i].UpdatedAt = c.UpdatedBy, c.UpdatedAt
			}
		}
	}
	return out, nil
}

// code returns one code of the taxonomy.
func (s *Service) code(ctx context.Context, code string) (civic.ReasonCode, error) {
	cs, err := s.Codes(ctx)
	if err != nil {
		return civic.ReasonCode{}, err
	}
	for _, c := range cs {
		if c.Code == code {
			return c, nil
		}
	}
	if strings.TrimSpace(code) == "" {
		return civic.ReasonCode{}, civic.Invalid("code", "choose a reason code from the policy's list")
	}
	return civic.ReasonCode{}, civic.Invalid("code", "%q is not a reason code of the policy", code)
}

// SetCode renames and describes a code and sets whether its removals need
// a second reviewer. The code and its clause cannot change.
func (s *Service) SetCode(ctx context.Context, actor civic.Actor, code, label, description string, secondReview bool) (*civic.ReasonCode, error) {
	if err := civic.Require(actor, civic.PermModerationConfigure); err != nil {
		return nil, err
	}
	c, err := s.code(ctx, code)
	if err != nil {
		return nil, err
	}
	label, description = strings.TrimSpace(label), strings.TrimSpace(description)
	switch {
	case label == "":
		return nil, civic.Invalid("label", "give the code a label")
	case len(label) > 100:
		return nil, civic.Invalid("label", "the label is longer than 100 characters")
	case len(description) > 2000:
		return nil, civic.Invalid("description", "the description is longer than 2,000 characters")
	}
	c.Label, c.Description, c.SecondReview = label, description, secondReview
	if err := s.update(ctx, actor, func(tx civic.Tx) error { return tx.SetReasonCode(ctx, &c) }); err != nil {
		return nil, err
	}
	return &c, nil
}

// OfficialsNeedSecond reports whether removing a comment that names an
// elected official needs a second reviewer.
func (s *Service) OfficialsNeedSecond(ctx context.Context) (bool, error) {
	v, err := s.store.Setting(ctx, SettingOfficials)
	return v != "false", err
}

// SetOfficialsNeedSecond sets it.
func (s *Service) SetOfficialsNeedSecond(ctx context.Context, actor civic.Actor, on bool) error {
	if err := civic.Require(actor, civic.PermModerationConfigure); err != nil {
		return err
	}
	v := "false"
	if on {
		v = "true"
	}
	return s.update(ctx, actor, func(tx civic.Tx) error { return tx.SetSetting(ctx, SettingOfficials, v) })
}

// HoldPlatforms are the platforms that can hold comments until reviewed:
// YouTube (held for review) and GoToSocial's reply approval, reached
// through the Mastodon API.
var HoldPlatforms = []string{"youtube", "mastodon", "gotosocial"}

// Holds lists the accounts set to hold comments.
func (s *Service) Holds(ctx context.Context, actor civic.Actor) ([]*civic.HoldSetting, error) {
	if err := civic.Require(actor, civic.PermModerationView); err != nil {
		return nil, err
	}
	return s.store.HoldSettings(ctx)
}

// SetHold sets how an account holds comments until reviewed. Only
// accounts on a platform that can hold comments may hold them.
func (s *Service) SetHold(ctx context.Context, actor civic.Actor, account string, mode civic.HoldMode) (*civic.HoldSetting, error) {
	if err := civic.Require(actor, civic.PermModerationConfigure); err != nil {
		return nil, err
	}
	if mode != civic.HoldOff && mode != civic.HoldFlagged && mode != civic.HoldAll {
		return nil, civic.Invalid("mode", "hold is off, flagged or all")
	}
	a, err := s.store.ArchiveAccountByRef(ctx, strings.TrimSpace(account))
	if civic.ErrorKind(err) == civic.KindNotFound {
		return nil, civic.Invalid("account", "no archived account %q", account)
	} else if err != nil {
		return nil, err
	}
	if mode != civic.HoldOff && !slices.Contains(HoldPlatforms, a.Platform) {
		return nil, civic.Invalid("account", "%s cannot hold comments for review; its comments are monitored and their time to review is measured", civic.PlatformName(a.Platform))
	}
	h := &civic.HoldSetting{AccountID: a.ID, Account: a.Ref, Mode: mode}
	if err := s.update(ctx, actor, func(tx civic.Tx) error { return tx.SetHoldSetting(ctx, h) }); err != nil {
		return nil, err
	}
	return h, nil
}
