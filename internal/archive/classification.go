package archive

import (
	"context"

	"steward.city/steward/internal/civic"
)

// Classify records the clerk's classification of an item's versions under
// the Data Practices Act: of version versionID, or of every version when it
// is 0. It needs records.manage (the clerk). The versions never change: the
// classification is kept beside them, each change with its audit event,
// and the classifications before it stay as the item's history.
func (s *Service) Classify(ctx context.Context, actor civic.Actor, itemID, versionID int64, c civic.Classification) ([]*civic.Classification, error) {
	if err := civic.Require(actor, civic.PermRecordsManage); err != nil {
		return nil, err
	}
	c.Normalize()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	vs, err := s.store.ArchiveVersions(ctx, itemID)
	if err != nil {
		return nil, err
	}
	if len(vs) == 0 {
		return nil, civic.Errorf(civic.KindNotFound, "item not found")
	}
	var cs []*civic.Classification
	for _, v := range vs {
		if versionID == 0 || v.ID == versionID {
			cc := c
			cc.ItemID, cc.VersionID = itemID, v.ID
			cs = append(cs, &cc)
		}
	}
	if len(cs) == 0 {
		return nil, civic.Invalid("version_id", "version %d is not a version of item %d", versionID, itemID)
	}
	if err := s.update(ctx, actor, func(tx civic.Tx) error { return tx.Classify(ctx, cs) }); err != nil {
		return nil, err
	}
	return cs, nil
}

// Classification is an item's classification as staff read it: for each
// version, the one in force (nil: never public, because the account is not
// a registered official account or the version is a covert profile's), and
// the clerk's changes, oldest first.
type Classification struct {
	InForce map[int64]*civic.Classification
	History []*civic.Classification
}

// Classifications returns an item's classification; it needs archive.view.
func (s *Service) Classifications(ctx context.Context, actor civic.Actor, itemID int64) (*Classification, error) {
	if err := civic.Require(actor, civic.PermArchiveView); err != nil {
		return nil, err
	}
	vs, err := s.store.ArchiveVersions(ctx, itemID)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(vs))
	for i, v := range vs {
		ids[i] = v.ID
	}
	in, err := s.store.PublicClasses(ctx, ids)
	if err != nil {
		return nil, err
	}
	h, err := s.store.Classifications(ctx, itemID)
	if err != nil {
		return nil, err
	}
	return &Classification{InForce: in, History: h}, nil
}
