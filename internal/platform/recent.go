package platform

import (
	"slices"

	"steward.city/steward/internal/civic"
)

// NewestFirst sorts posts newest first (a stable sort: posts of the same
// time keep the network's order) and keeps at most limit of them, as
// civic.Publisher.Recent answers.
func NewestFirst(posts []civic.PublishedPost, limit int) []civic.PublishedPost {
	slices.SortStableFunc(posts, func(x, y civic.PublishedPost) int { return y.CreatedAt.Compare(x.CreatedAt) })
	if len(posts) > limit {
		posts = posts[:limit]
	}
	return posts
}
