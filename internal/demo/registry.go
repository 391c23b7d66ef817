package demo

import (
	"context"
	"strconv"

	"steward.city/steward/internal/civic"
)

// seedRegistry adds the demo city's official accounts, a waiting request,
// a request to post, the Police approval chain and one covert profile.
// people and users are keyed by name and by e-mail address.
func seedRegistry(ctx context.Context, tx civic.Tx, depts map[string]int64, people map[string]*civic.Person, users map[string]*civic.User) error {
	comms, director, staff, sic := users["communications@demo-city.example"], users["director@demo-city.example"], users["staff@demo-city.example"], users["sic@demo-city.example"]
	if err := tx.SetApprovalChain(ctx, depts["police"], []civic.ApprovalStep{
		{Label: "Department director", Role: civic.RoleDirector},
		{Label: "Police Administration", Role: civic.RoleDirector, DepartmentID: depts["police"]},
		{Label: "Communications", Role: civic.RoleCommunications},
	}); err != nil {
		return err
	}
	existing := []struct {
		dept, platform, handle, name, url, purpose string
		status                                     civic.AccountStatus
		reason                                     string
		admins                                     []string
	}{
		{"parks", "instagram", "@cityparks", "City Parks and Recreation", "https://www.instagram.com/cityparks", "Park events, closures and programs", civic.AccountActive, "", []string{"Sam Whitefeather", "Jordan Okafor"}},
		{"communications", "facebook", "CityOfDemo", "City of Demo", "https://www.facebook.com/CityOfDemo", "The city's main page: announcements and emergencies", civic.AccountActive, "", []string{"Jordan Okafor", "Avery Lindqvist"}},
		{"parks", "mastodon", "@parks@demo-city.example", "Demo City Parks", "https://demo-city.example/@parks", "Park openings, closures and programs, on the fediverse", civic.AccountActive, "", []string{"Sam Whitefeather", "Jordan Okafor"}},
		{"public-works", "facebook", "DemoCityPublicWorks", "Demo City Public Works", "https://www.facebook.com/DemoCityPublicWorks", "Street work, repairs and closures", civic.AccountActive, "", []string{"Maria Santos", "Jordan Okafor"}},
		{"library", "x", "@demolibrary", "Demo Public Library", "https://x.com/demolibrary", "Library news", civic.AccountRetired, "Replaced by the library's newsletter; records stay in the archive", []string{"Omar Haddad", "Jordan Okafor"}},
	}
	var parks *civic.Account
	for _, e := range existing {
		a := &civic.Account{DepartmentID: depts[e.dept], Platform: e.platform, Handle: e.handle, DisplayName: e.name, URL: e.url, Purpose: e.purpose,
			Audience: "Residents and visitors", Categories: []string{"announcements", "information"}, WebsiteURL: "https://www.demo-city.example/",
			ProfileText: "Official account of the City of Demo. In an emergency call 9-1-1.", RequestedBy: comms.ID}
		for _, n := range e.admins {
			a.AdminIDs = append(a.AdminIDs, people[n].ID)
		}
		if err := tx.CreateAccount(ctx, a); err != nil {
			return err
		}
		now := tx.Now()
		a.Status, a.ApprovedAt, a.ActivatedAt, a.StatusReason = civic.AccountActive, &now, &now, "in use before Steward; inventoried by Communications"
		a.ProfileWebsite, a.ProfileEmergency = "https://www.demo-city.example/", "In an emergency call 9-1-1."
		a.ProfileCheckedAt = &now
		if err := tx.UpdateAccount(ctx, a, "account.inventory"); err != nil {
			return err
		}
		if e.status == civic.AccountRetired {
			a.Status, a.StatusReason, a.EndedAt = e.status, e.reason, &now
			if err := tx.UpdateAccount(ctx, a, "account.retire"); err != nil {
				return err
			}
		}
		if e.handle == "@cityparks" {
			parks = a
		}
	}
	waiting := &civic.Account{DepartmentID: depts["public-works"], Platform: "nextdoor", Handle: "Demo Public Works", DisplayName: "City of Demo Public Works",
		Purpose: "Street work, snow plowing and water main notices by neighborhood", Audience: "Residents by neighborhood", Categories: []string{"announcements", "safety"},
		AdminIDs: []int64{people["Maria Santos"].ID, people["Jordan Okafor"].ID}, WebsiteURL: "https://www.demo-city.example/public-works",
		ProfileText: "Official City of Demo Public Works. Comments are public records. In an emergency call 9-1-1.", RequestedBy: comms.ID}
	if err := tx.CreateAccount(ctx, waiting); err != nil {
		return err
	}
	if err := tx.Notify(ctx, &civic.Notification{UserID: director.ID, Kind: "approval_waiting", Message: "The request for Demo Public Works on nextdoor waits for your approval (Department director).", Link: "/accounts/" + itoa(waiting.ID)}); err != nil {
		return err
	}
	if err := tx.CreatePoster(ctx, &civic.Poster{AccountID: parks.ID, UserID: staff.ID, Reason: "I run the summer programs and post their schedules."}); err != nil {
		return err
	}
	if err := tx.CreateContract(ctx, &civic.Contract{Platform: "instagram", Title: "Terms of Use", Version: "2024-07", URL: "https://help.instagram.com/581066165581870",
		AcceptedBy: "Jordan Okafor", Authority: "Communications", AcceptedOn: tx.Now().AddDate(-1, -2, 0), ReviewOn: tx.Now().AddDate(0, -2, 0), AccountIDs: []int64{parks.ID}}); err != nil {
		return err
	}
	for _, f := range []civic.Follow{
		{AccountID: parks.ID, Handle: "@mnparks", Name: "Minnesota State Parks", Kind: civic.FollowGovernment},
		{AccountID: parks.ID, Handle: "@demo_gazette", Name: "Demo Gazette", Kind: civic.FollowMedia},
		{AccountID: parks.ID, Handle: "@vote_for_pat", Name: "Pat for Council", Kind: civic.FollowReview, Note: "a campaign account: unfollow?"},
	} {
		if err := tx.PutFollow(ctx, &f); err != nil {
			return err
		}
	}
	pv := &civic.PolicyVersion{Slug: "social-media", Title: "Social Media Policy", Version: "2026-01", URL: "https://www.demo-city.example/policies/social-media"}
	if err := tx.PublishPolicy(ctx, pv); err != nil {
		return err
	}
	if err := tx.Acknowledge(ctx, &civic.Acknowledgement{PolicyVersionID: pv.ID, PersonID: comms.PersonID}); err != nil {
		return err
	}
	hr := users["hr@demo-city.example"]
	if err := tx.CreateConductCase(ctx, &civic.ConductCase{PersonID: people["Officer Lee Tran"].ID, OpenedBy: hr.ID,
		Summary: "Posted details of an open investigation on a personal account while identifying as an officer."}); err != nil {
		return err
	}
	return tx.CreateCovertProfile(ctx, &civic.CovertProfile{SiteName: "Facebook", SiteURL: "https://www.facebook.com/", Username: "river.fan.2219", ScreenName: "Riley Fan",
		MaintainerID: sic.ID, Purpose: "Investigating online sales of stolen catalytic converters"})
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }
