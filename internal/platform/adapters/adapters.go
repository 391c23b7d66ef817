// Package adapters lists every network adapter Steward has, built from one
// platform.Config, by the platform name used in civic.Platforms.
package adapters

import (
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/platform"
	"steward.city/steward/internal/platform/bluesky"
	"steward.city/steward/internal/platform/facebook"
	"steward.city/steward/internal/platform/instagram"
	"steward.city/steward/internal/platform/linkedin"
	"steward.city/steward/internal/platform/mastodon"
	"steward.city/steward/internal/platform/nextdoor"
	"steward.city/steward/internal/platform/threads"
	"steward.city/steward/internal/platform/tiktok"
	"steward.city/steward/internal/platform/x"
	"steward.city/steward/internal/platform/youtube"
)

// All returns an adapter for each network Steward can capture, by name.
func All(c platform.Config) map[string]civic.Platform {
	return map[string]civic.Platform{
		mastodon.Name: mastodon.New(c),
		"facebook":    facebook.New(c),
		"instagram":   instagram.New(c),
		"x":           x.New(c),
		"youtube":     youtube.New(c),
		"threads":     threads.New(c),
		"bluesky":     bluesky.New(c),
		"linkedin":    linkedin.New(c),
		"nextdoor":    nextdoor.New(c),
		"tiktok":      tiktok.New(c),
	}
}
