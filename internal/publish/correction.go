package publish

import (
	"context"
	"strings"

	"steward.city/steward/internal/civic"
)

// The settings of corrections (PUB-4).
const (
	// CorrectionWordsSetting is the words that mark a correction; empty:
	// "Correction:".
	CorrectionWordsSetting = "publish.correction.words"
	// CorrectionPositionSetting is where the words go: "prefix" (default)
	// or "suffix".
	CorrectionPositionSetting = "publish.correction.position"
	// CorrectionModeSetting is how a correction goes out: "edit" (default:
	// the post is edited where the platform allows it, a reply is posted
	// in its thread elsewhere) or "reply" (always a reply in the thread).
	CorrectionModeSetting = "publish.correction.mode"
)

// DefaultCorrectionWords marks a correction when the city sets no words.
const DefaultCorrectionWords = "Correction:"

// Marker is how a city marks its corrections.
type Marker struct {
	Words  string `json:"words"`
	Suffix bool   `json:"suffix"`
	Reply  bool   `json:"reply"` // always correct by a reply, never by an edit
}

// Mark returns text with the correction's words, unless the author
// already wrote them there.
func (m Marker) Mark(text string) string {
	w := strings.TrimSpace(m.Words)
	if w == "" {
		w = DefaultCorrectionWords
	}
	lt, lw := strings.ToLower(text), strings.ToLower(w)
	if m.Suffix {
		if strings.HasSuffix(lt, lw) {
			return text
		}
		return text + "\n\n" + w
	}
	if strings.HasPrefix(lt, lw) {
		return text
	}
	return w + " " + text
}

// Marker reads the city's correction settings.
func (s *Service) Marker(ctx context.Context) (Marker, error) {
	var m Marker
	var err error
	if m.Words, err = s.store.Setting(ctx, CorrectionWordsSetting); err != nil {
		return m, err
	}
	pos, err := s.store.Setting(ctx, CorrectionPositionSetting)
	if err != nil {
		return m, err
	}
	mode, err := s.store.Setting(ctx, CorrectionModeSetting)
	if err != nil {
		return m, err
	}
	m.Suffix = strings.TrimSpace(pos) == "suffix"
	m.Reply = strings.TrimSpace(mode) == "reply"
	return m, nil
}

// outgoing is the text a draft's current revision sends: a post's text
// with its links; a correction's marked; nothing for a deletion.
func (s *Service) outgoing(ctx context.Context, kind civic.DraftKind, r *civic.DraftRevision) (string, error) {
	switch kind {
	case civic.KindCorrection:
		m, err := s.Marker(ctx)
		if err != nil {
			return "", err
		}
		return m.Mark(Outgoing(r)), nil
	case civic.KindDeletion:
		return "", nil
	}
	return Outgoing(r), nil
}

// CorrectionInput is a correction of a published post: the account it went
// out on (needed only when the draft went out on several) and the
// corrected text. The category is the original's.
type CorrectionInput struct {
	AccountID int64  `json:"account_id"`
	Text      string `json:"text"`
}

// DeletionInput asks for a published post to be deleted, and says why.
type DeletionInput struct {
	AccountID int64  `json:"account_id"`
	Reason    string `json:"reason"`
}

// original returns the publication of a post that a correction or a
// deletion acts on: draft id went out on the account as a post.
func (s *Service) original(ctx context.Context, actor civic.Actor, draftID, accountID int64) (*civic.Draft, *civic.Publication, error) {
	d, err := s.store.Draft(ctx, draftID)
	if err != nil {
		return nil, nil, err
	}
	if d.Kind == civic.KindDeletion {
		return nil, nil, civic.Errorf(civic.KindConflict, "draft %d asks for a deletion: nothing of it was posted", d.ID)
	}
	pubs, err := s.store.Publications(ctx, civic.PublicationFilter{DraftID: d.ID, Status: civic.PublicationPublished})
	if err != nil {
		return nil, nil, err
	}
	var match []*civic.Publication
	for _, p := range pubs {
		if (p.Kind == civic.PublishPost || p.Kind == civic.PublishReply) && (accountID == 0 || p.AccountID == accountID) {
			match = append(match, p)
		}
	}
	switch {
	case len(match) == 0 && len(pubs) == 0:
		if err := s.mayRead(ctx, actor, d); err != nil {
			return nil, nil, err
		}
		return nil, nil, civic.Errorf(civic.KindConflict, "draft %d was never published: revise it instead", d.ID)
	case len(match) == 0 && d.Kind == civic.KindCorrection:
		return nil, nil, civic.Errorf(civic.KindConflict, "draft %d corrected a post by editing it: correct the post's own draft instead", d.ID)
	case len(match) == 0:
		return nil, nil, civic.Invalid("account_id", "draft %d did not go out on account %d", d.ID, accountID)
	case len(match) > 1:
		return nil, nil, civic.Invalid("account_id", "draft %d went out on several accounts: choose one", d.ID)
	}
	acts, err := s.store.Publications(ctx, civic.PublicationFilter{Corrects: match[0].ID, Status: civic.PublicationPublished})
	if err != nil {
		return nil, nil, err
	}
	for _, x := range acts {
		if x.Kind == civic.PublishDelete {
			return nil, nil, civic.Errorf(civic.KindConflict, "the post was deleted through draft %d: it can no longer be corrected", x.DraftID)
		}
	}
	return d, match[0], nil
}

// mayCorrect returns the grant under which actor corrects or deletes a post
// of an account: the actor's own active grant (PPL-2), or for the
// Communications coordinator without one, the grant the post was published
// under. Anyone else is forbidden, or told the draft is not found when
// they may not even read it.
func (s *Service) mayCorrect(ctx context.Context, actor civic.Actor, orig *civic.Draft, p *civic.Publication) (*civic.Poster, *civic.Account, error) {
	if !actor.IsUser() {
		return nil, nil, civic.Errorf(civic.KindForbidden, "only a signed-in poster corrects a post")
	}
	a, err := s.store.Account(ctx, p.AccountID)
	if err != nil {
		return nil, nil, err
	}
	g, gerr := s.grantFor(ctx, actor.UserID, a, s.now())
	if gerr == nil {
		return g, a, nil
	}
	if actor.Has(civic.RoleCommunications) {
		for _, x := range orig.Accounts {
			if x.AccountID == a.ID {
				return &civic.Poster{ID: x.GrantID}, a, nil
			}
		}
	}
	if err := s.mayRead(ctx, actor, orig); err != nil {
		return nil, nil, err
	}
	return nil, nil, gerr
}

// Correct writes a correction of a post Steward published (PUB-4): a
// draft of kind correction, for the post's account, with the corrected
// text. It is screened, submitted, reviewed and approved like any draft;
// publishing it edits the post with the correction's words where the
// platform edits, and replies in the post's thread elsewhere.
func (s *Service) Correct(ctx context.Context, actor civic.Actor, draftID int64, in CorrectionInput) (*civic.Draft, error) {
	if err := civic.Require(actor, civic.PermSignedIn); err != nil {
		return nil, err
	}
	orig, p, err := s.original(ctx, actor, draftID, in.AccountID)
	if err != nil {
		return nil, err
	}
	g, a, err := s.mayCorrect(ctx, actor, orig, p)
	if err != nil {
		return nil, err
	}
	ts := []target{{acct: a, grant: g}}
	r, err := s.check(ctx, civic.KindCorrection, actor.UserID, DraftInput{Text: in.Text, Category: orig.Current.Category}, ts, s.now())
	if err != nil {
		return nil, err
	}
	if sameText(r.Text, orig.Current.Text) {
		return nil, civic.Invalid("text", "the correction says the same as the post: change what was wrong")
	}
	if _, err := s.screen(ctx, r, ts); err != nil {
		return nil, err
	}
	r.AuthorID = actor.UserID
	d := &civic.Draft{AuthorID: actor.UserID, Kind: civic.KindCorrection, Corrects: p.ID, Status: civic.DraftOpen, Current: r,
		Accounts: []civic.DraftAccount{{AccountID: a.ID, GrantID: g.ID}}}
	if err := s.store.Update(ctx, actor, func(tx civic.Tx) error { return tx.CreateDraft(ctx, d) }); err != nil {
		return nil, err
	}
	return s.store.Draft(ctx, d.ID)
}

// RequestDeletion asks for a post Steward published to be deleted on its
// platform (PUB-4). The reason is required; the request waits at once for
// an approval by someone else under the account's rule (an account whose
// rule needs no approval still needs one by the Communications
// coordinator): no one deletes an official post alone. Publishing the
// approved request deletes the post; the archive keeps it, marked deleted.
func (s *Service) RequestDeletion(ctx context.Context, actor civic.Actor, draftID int64, in DeletionInput) (*civic.Draft, error) {
	if err := civic.Require(actor, civic.PermSignedIn); err != nil {
		return nil, err
	}
	orig, p, err := s.original(ctx, actor, draftID, in.AccountID)
	if err != nil {
		return nil, err
	}
	g, a, err := s.mayCorrect(ctx, actor, orig, p)
	if err != nil {
		return nil, err
	}
	reason := strings.TrimSpace(in.Reason)
	if reason == "" {
		return nil, civic.Invalid("reason", "say why the post must be deleted")
	}
	pending, err := s.store.Drafts(ctx, civic.DraftFilter{AccountID: a.ID})
	if err != nil {
		return nil, err
	}
	for _, x := range pending {
		if x.Kind == civic.KindDeletion && x.Corrects == p.ID && x.Status != civic.DraftRefused && x.Status != civic.DraftFailed {
			return nil, civic.Errorf(civic.KindConflict, "draft %d already asks to delete this post", x.ID)
		}
	}
	r := &civic.DraftRevision{Text: reason, Category: orig.Current.Category, Media: []civic.DraftMedia{}, Links: []string{}, AuthorID: actor.UserID}
	d := &civic.Draft{AuthorID: actor.UserID, Kind: civic.KindDeletion, Corrects: p.ID, Status: civic.DraftInReview, Current: r,
		Accounts: []civic.DraftAccount{{AccountID: a.ID, GrantID: g.ID}}}
	err = s.store.Update(ctx, actor, func(tx civic.Tx) error {
		if err := tx.CreateDraft(ctx, d); err != nil {
			return err
		}
		return s.notifyApprovers(ctx, tx, d)
	})
	if err != nil {
		return nil, err
	}
	return s.store.Draft(ctx, d.ID)
}

// correctionTargets checks again that actor may correct the post a
// correction or deletion request d acts on, and returns its account.
func (s *Service) correctionTargets(ctx context.Context, actor civic.Actor, d *civic.Draft) ([]target, error) {
	p, err := s.store.Publication(ctx, d.Corrects)
	if err != nil {
		return nil, err
	}
	orig, err := s.store.Draft(ctx, p.DraftID)
	if err != nil {
		return nil, err
	}
	g, a, err := s.mayCorrect(ctx, actor, orig, p)
	if err != nil {
		return nil, err
	}
	return []target{{acct: a, grant: g}}, nil
}

// CanCorrect reports whether actor may correct, or ask to delete, the post
// that publication p of draft d made (pages offer the forms only then).
func (s *Service) CanCorrect(ctx context.Context, actor civic.Actor, d *civic.Draft, p *civic.Publication) bool {
	_, _, err := s.mayCorrect(ctx, actor, d, p)
	return err == nil
}
