package draftscreen

import "fmt"

// Category is an authorized content category (PUB-1), or None.
type Category string

// Rosemount's authorized content categories, and None: no authorized
// category fits. In the data None marks what has no place on an official
// account as official content: posts of a covert profile's persona ("anyone
// know a good taco spot"), which are investigation, not city content, and
// staff's personal or campaign posts written on a city account.
const (
	Announcement        Category = "announcement"
	CrimePreventionTip  Category = "crime_prevention_tip"
	CommunityEngagement Category = "community_engagement_request"
	RealTimeSafety      Category = "real_time_safety_information"
	InformationSharing  Category = "information_sharing"
	PressRelease        Category = "press_release"
	Recruitment         Category = "recruitment"
	None                Category = "none"
)

// Categories lists every category, None last.
var Categories = []Category{
	Announcement, CrimePreventionTip, CommunityEngagement, RealTimeSafety,
	InformationSharing, PressRelease, Recruitment, None,
}

var categoryNames = map[Category]string{
	Announcement:        "Announcement",
	CrimePreventionTip:  "Crime prevention tip",
	CommunityEngagement: "Community engagement request",
	RealTimeSafety:      "Real-time safety information",
	InformationSharing:  "Information sharing",
	PressRelease:        "Press release",
	Recruitment:         "Recruitment",
	None:                "No authorized category",
}

// Name is the category as the policy writes it.
func (c Category) Name() string { return categoryNames[c] }

// dataCategories maps the data file's category names to the categories.
var dataCategories = map[string]Category{
	"announcement":         Announcement,
	"crime_prevention":     CrimePreventionTip,
	"community_engagement": CommunityEngagement,
	"safety_alert":         RealTimeSafety,
	"information_sharing":  InformationSharing,
	"press_release":        PressRelease,
	"recruitment":          Recruitment,
	"none":                 None,
}

// DataCategory maps a category name of the data file to its category.
func DataCategory(name string) (Category, error) {
	c, ok := dataCategories[name]
	if !ok {
		return "", fmt.Errorf("unknown category %q", name)
	}
	return c, nil
}

func categoryIndex(c Category) int {
	for i, x := range Categories {
		if x == c {
			return i
		}
	}
	return -1
}
