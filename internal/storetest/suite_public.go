package storetest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/sqlstore"
)

var publicCases = []testCase{
	{"PublicFlagFollowsEveryInput", testPublicFlagInputs},
	{"PublicFlagForged", testPublicFlagForged},
	{"PublicFlagForgedManyMatches", testPublicFlagForgedManyMatches},
	{"PublicFlagRandomized", testPublicFlagRandomized},
	{"PublicAccountsOf", testPublicAccountsOf},
	{"PublicSuperseded", testPublicSuperseded},
}

// portal is an official account with versions, for the public flag's tests.
type portal struct {
	acct    *civic.Account
	vs      map[string]*civic.Version // by platform id
	maint   *civic.User               // holds covert maintainer access
	request *civic.RecordsRequest
}

// seedPublic ingests versions on an account that is not yet official,
// then registers and activates it: the flag must follow the account.
func (f *fixture) seedPublic(t *testing.T) *portal {
	t.Helper()
	base := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	ref := "mastodon:@parks@city.example"
	p := &portal{vs: map[string]*civic.Version{}}
	var vs []*civic.Version
	for i, id := range []string{"post", "classify", "moderate", "redact", "covert", "dispose", "dm"} {
		v := version(ref, id, "zebra "+id, base.Add(time.Duration(i)*time.Minute))
		switch id {
		case "post":
			v.Kind, v.Author = civic.ItemPost, civic.Author{ID: "parks", Handle: "@parks@city.example", Name: "Parks"}
		case "covert":
			v.Author = civic.Author{ID: "9911", Handle: "@River.Fan@social.example", Name: "River"}
		case "dm":
			v.Kind, v.ThreadID = civic.ItemMessage, "dm"
		}
		v.Hash = v.ComputeHash()
		vs = append(vs, v)
		p.vs[id] = v
	}
	f.ingest(t, vs...)
	f.wantPublic(t, "before the account is official")
	dept, admins, req := f.registryFixture(t)
	p.acct = f.account(t, dept.ID, "@parks@city.example", "mastodon", admins, req.ID)
	f.wantPublic(t, "a requested account")
	f.setAccount(t, p.acct, func(a *civic.Account) { a.Status = civic.AccountActive })
	f.wantPublic(t, "activated", "post", "classify", "moderate", "redact", "covert", "dispose")
	c := f.commander(t, "cmdr@city.example")
	approver := f.user(t, "chief@city.example")
	p.maint = f.user(t, "m@city.example", civic.Grant{Role: civic.RoleStaff})
	f.grantCovert(t, c, approver, p.maint, civic.CovertMaintainer)
	p.request = &civic.RecordsRequest{Requester: "A", ReceivedOn: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Kind: civic.RequestData, Description: "a", Scope: []string{"zebra"}, Status: civic.RequestOpen}
	f.update(t, func(tx civic.Tx) error { return tx.CreateRecordsRequest(f.ctx, p.request) })
	return p
}

func (f *fixture) setAccount(t *testing.T, a *civic.Account, mod func(*civic.Account)) {
	t.Helper()
	now := f.clock.Now()
	if a.ApprovedAt == nil {
		a.ApprovedAt, a.ActivatedAt = &now, &now
	}
	mod(a)
	f.update(t, func(tx civic.Tx) error { return tx.UpdateAccount(f.ctx, a, "account.update") })
}

// wantPublic checks that the public search for "zebra" finds exactly the
// versions with these platform ids, that its count says so, and that the
// flag agrees with the rule for every version.
func (f *fixture) wantPublic(t *testing.T, step string, ids ...string) {
	t.Helper()
	vs, total, err := f.s.SearchArchiveTotal(f.ctx, &civic.ArchiveQuery{Terms: []string{"zebra"}, Public: true, Limit: 50})
	if err != nil {
		t.Fatalf("%s: %v", step, err)
	}
	var got []string
	for _, v := range vs {
		got = append(got, v.PlatformID)
	}
	slices.Sort(got)
	slices.Sort(ids)
	if !slices.Equal(got, ids) || total != len(ids) {
		t.Errorf("%s: public search found %v (count %d), want %v", step, got, total, ids)
	}
	if n, err := f.s.CountArchive(f.ctx, &civic.ArchiveQuery{Terms: []string{"zebra"}, Public: true}); err != nil || n != len(ids) {
		t.Errorf("%s: public count %d, %v, want %d", step, n, err, len(ids))
	}
	f.wantFlagsTrue(t, step)
}

// wantFlagsTrue fails when archive_public disagrees with the rule.
func (f *fixture) wantFlagsTrue(t *testing.T, step string) {
	t.Helper()
	ms, err := f.s.(*sqlstore.Store).CheckPublic(f.ctx, 10)
	if err != nil || len(ms) > 0 {
		t.Errorf("%s: flag and rule disagree: %v, %v", step, ms, err)
	}
}

func testPublicFlagInputs(t *testing.T, f *fixture) {
	p := f.seedPublic(t)
	all := []string{"post", "classify", "moderate", "redact", "covert", "dispose"}
	without := func(drop ...string) []string {
		return slices.DeleteFunc(slices.Clone(all), func(s string) bool { return slices.Contains(drop, s) })
	}
	classify := func(id string, class civic.Class) {
		c := &civic.Classification{VersionID: p.vs[id].ID, Class: class, Reason: "posted publicly"}
		if class == civic.ClassPrivate {
			c.Statute, c.Reason = "13.43", "personnel data"
		}
		f.update(t, func(tx civic.Tx) error { return tx.Classify(f.ctx, []*civic.Classification{c}) })
	}
	// A clerk's classification, both ways, and of a message.
	classify("classify", civic.ClassPrivate)
	f.wantPublic(t, "classified private", without("classify")...)
	classify("classify", civic.ClassPublic)
	classify("dm", civic.ClassPublic)
	f.wantPublic(t, "classified public again, and the message public", append(slices.Clone(all), "dm")...)
	classify("dm", civic.ClassPrivate)
	f.wantPublic(t, "the message private again", all...)

	// A moderation decision counts once final, and no longer once reversed.
	v := p.vs["moderate"]
	r := &civic.Review{ItemID: v.ItemID, VersionID: v.ID, AccountID: v.AccountID, Labels: []string{"private_info"}, Scores: map[string]float64{}, Source: "screening", CapturedAt: v.CapturedAt}
	f.update(t, func(tx civic.Tx) error { return tx.QueueReview(f.ctx, r) })
	d := &civic.ModerationDecision{ReviewID: r.ID, ItemID: v.ItemID, Action: civic.DecisionRemove, Code: "private_info", Note: "address", Status: civic.DecisionPending,
		DecidedByID: p.maint.ID, NeedsSecond: true}
	f.update(t, func(tx civic.Tx) error { return tx.CreateDecision(f.ctx, d) })
	f.wantPublic(t, "a pending decision", all...)
	now := f.clock.Now()
	d.Status, d.FinalAt = civic.DecisionFinal, &now
	f.update(t, func(tx civic.Tx) error { return tx.UpdateDecision(f.ctx, d) })
	f.wantPublic(t, "a final private_info removal", without("moderate")...)
	d.Status, d.ReversedAt, d.ReversedBy = civic.DecisionReversed, &now, "suite"
	f.update(t, func(tx civic.Tx) error { return tx.UpdateDecision(f.ctx, d) })
	f.wantPublic(t, "the removal reversed", all...)

	// A redaction.
	f.update(t, func(tx civic.Tx) error {
		return tx.AddRedaction(f.ctx, &civic.Redaction{RequestID: p.request.ID, VersionID: p.vs["redact"].ID, Start: 0, End: 5, Reason: "13.356"})
	})
	f.wantPublic(t, "redacted", without("redact")...)

	// A covert profile registered after its comment was archived: the
	// comment's author names it on an instance, in other case.
	f.update(t, func(tx civic.Tx) error {
		return tx.CreateCovertProfile(f.ctx, &civic.CovertProfile{SiteName: "Mastodon", SiteURL: "https://social.example/", Username: "river.fan", ScreenName: "River", MaintainerID: p.maint.ID, Purpose: "p"})
	})
	f.wantPublic(t, "a covert profile registered", without("redact", "covert")...)

	// A disposition.
	dv := p.vs["dispose"]
	run := &civic.DispositionRun{AsOf: f.clock.Now()}
	f.update(t, func(tx civic.Tx) error {
		return tx.CreateDispositionRun(f.ctx, run, []*civic.DispositionEntry{{ItemID: dv.ItemID, Account: dv.Account, Kind: civic.ItemComment, PlatformID: "dispose",
			FirstCapture: dv.CapturedAt, LastCapture: dv.CapturedAt, Versions: 1, Class: "transitory", EligibleAt: dv.CapturedAt}})
	})
	f.update(t, func(tx civic.Tx) error {
		if _, err := tx.ApproveDispositionRun(f.ctx, run.ID); err != nil {
			return err
		}
		_, _, err := tx.ExecuteDispositionBatch(f.ctx, run.ID, 0, 10)
		return err
	})
	f.wantPublic(t, "disposed", without("redact", "covert", "dispose")...)

	// The official account: suspended and retired stay public; another
	// handle, or an account no longer official, hides every version.
	rest := without("redact", "covert", "dispose")
	f.setAccount(t, p.acct, func(a *civic.Account) { a.Status = civic.AccountSuspended })
	f.wantPublic(t, "suspended", rest...)
	f.setAccount(t, p.acct, func(a *civic.Account) { a.Handle = "@parks2@city.example" })
	f.wantPublic(t, "handle changed")
	f.setAccount(t, p.acct, func(a *civic.Account) { a.Handle = "@Parks@City.example" })
	f.wantPublic(t, "handle changed back, in other case", rest...)
	f.setAccount(t, p.acct, func(a *civic.Account) { a.Status = civic.AccountWithdrawn })
	f.wantPublic(t, "withdrawn")
	f.setAccount(t, p.acct, func(a *civic.Account) { a.Status = civic.AccountRetired })
	f.wantPublic(t, "retired", rest...)

	// A new version of a public item is flagged as it is ingested; one of
	// the item the decision would have made private is not.
	nv := version(p.vs["post"].Account, "post", "zebra post edited", p.vs["post"].CapturedAt.Add(time.Hour))
	nv.Kind, nv.Author = civic.ItemPost, p.vs["post"].Author
	nv.Hash = nv.ComputeHash()
	f.ingest(t, nv)
	f.wantPublic(t, "a new version", append(slices.Clone(rest), "post")...)
}

// testPublicFlagForged is the insider's attack: someone who can write the
// database marks a private version public, or a public one not.
func testPublicFlagForged(t *testing.T, f *fixture) {
	p := f.seedPublic(t)
	s := f.s.(*sqlstore.Store)
	all := []string{"post", "classify", "moderate", "redact", "covert", "dispose"}
	forgeExec(t, s, `INSERT INTO archive_public (version_id) VALUES (?)`, p.vs["dm"].ID)
	vs, total, err := f.s.SearchArchiveTotal(f.ctx, &civic.ArchiveQuery{Terms: []string{"zebra"}, Public: true, Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		if v.ID == p.vs["dm"].ID {
			t.Fatal("a forged flag put a direct message on a public page")
		}
	}
	if len(vs) != len(all) {
		t.Errorf("page of %d versions, want %d", len(vs), len(all))
	}
	// The count is the table's: it includes the forged row, which is why
	// CheckPublic (steward verify) must name it.
	if total != len(all)+1 {
		t.Logf("count %d", total)
	}
	ms, err := s.CheckPublic(f.ctx, 10)
	if err != nil || len(ms) != 1 || ms[0].VersionID != p.vs["dm"].ID || !ms[0].Shown {
		t.Errorf("CheckPublic after a forged flag = %v, %v", ms, err)
	}
	forgeExec(t, s, `DELETE FROM archive_public WHERE version_id IN (?, ?)`, p.vs["dm"].ID, p.vs["post"].ID)
	ms, err = s.CheckPublic(f.ctx, 10)
	if err != nil || len(ms) != 1 || ms[0].VersionID != p.vs["post"].ID || ms[0].Shown {
		t.Errorf("CheckPublic after a deleted flag = %v, %v", ms, err)
	}
	if err := s.RebuildPublic(f.ctx); err != nil {
		t.Fatal(err)
	}
	f.wantPublic(t, "rebuilt", all...)
}

// testPublicFlagRandomized flips the rule's per-item inputs at random and
// compares the flag with the rule after each change.
func testPublicFlagRandomized(t *testing.T, f *fixture) {
	p := f.seedPublic(t)
	r := rand.New(rand.NewPCG(7, 7))
	ids := []string{"post", "classify", "moderate", "redact", "covert", "dispose", "dm"}
	for i := range 30 {
		v := p.vs[ids[r.IntN(len(ids))]]
		switch r.IntN(3) {
		case 0:
			c := &civic.Classification{VersionID: v.ID, Class: civic.ClassPublic, Reason: "r"}
			if r.IntN(2) == 0 {
				c.Class, c.Statute = civic.ClassPrivate, "13.43"
			}
			f.update(t, func(tx civic.Tx) error { return tx.Classify(f.ctx, []*civic.Classification{c}) })
		case 1:
			rv := &civic.Review{ItemID: v.ItemID, VersionID: v.ID, AccountID: v.AccountID, Labels: []string{"private_info"}, Scores: map[string]float64{}, Source: "screening", CapturedAt: v.CapturedAt}
			now := f.clock.Now()
			d := &civic.ModerationDecision{ReviewID: 0, ItemID: v.ItemID, Action: []civic.DecisionAction{civic.DecisionHide, civic.DecisionKeep}[r.IntN(2)],
				Code: []string{"private_info", "spam"}[r.IntN(2)], Note: "n", Status: civic.DecisionFinal, DecidedByID: p.maint.ID, FinalAt: &now}
			f.update(t, func(tx civic.Tx) error {
				if err := tx.QueueReview(f.ctx, rv); err != nil {
					return err
				}
				d.ReviewID = rv.ID
				return tx.CreateDecision(f.ctx, d)
			})
		case 2:
			status := []civic.AccountStatus{civic.AccountActive, civic.AccountSuspended, civic.AccountWithdrawn}[r.IntN(3)]
			f.setAccount(t, p.acct, func(a *civic.Account) { a.Status = status })
		}
		f.wantFlagsTrue(t, fmt.Sprintf("step %d", i))
	}
}

// testPublicAccountsOf checks that the accounts a page of search results
// names (PublicAccountsOf) are those PublicAccounts lists, through every
// state of the account and a covert profile that names it.
func testPublicAccountsOf(t *testing.T, f *fixture) {
	p := f.seedPublic(t)
	aid := p.vs["post"].AccountID
	check := func(step string, want bool) {
		t.Helper()
		all, err := f.s.PublicAccounts(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		var listed *civic.PublicAccount
		for _, a := range all {
			if a.ArchiveID == aid {
				listed = a
			}
		}
		of, err := f.s.PublicAccountsOf(f.ctx, []int64{aid, aid + 1000})
		if err != nil {
			t.Fatal(err)
		}
		got := of[aid]
		switch {
		case len(of) > 1 || of[aid+1000] != nil:
			t.Errorf("%s: an archive account that does not exist is named: %v", step, of)
		case want != (listed != nil) || want != (got != nil):
			t.Errorf("%s: listed %v, of %v, want shown %v", step, listed, got, want)
		case want && fmt.Sprint(*listed) != fmt.Sprint(*got):
			t.Errorf("%s: PublicAccountsOf %+v, PublicAccounts %+v", step, *got, *listed)
		}
	}
	check("active", true)
	f.setAccount(t, p.acct, func(a *civic.Account) { a.Status = civic.AccountRetired })
	check("retired", true)
	f.setAccount(t, p.acct, func(a *civic.Account) { a.Status = civic.AccountApproved })
	check("approved, not yet active", false)
	f.setAccount(t, p.acct, func(a *civic.Account) { a.Status = civic.AccountActive })
	check("active again", true)
	if of, err := f.s.PublicAccountsOf(f.ctx, nil); err != nil || len(of) != 0 {
		t.Errorf("no ids: %v, %v", of, err)
	}
	// A covert profile whose username is the account's handle: the
	// account is a covert one and appears nowhere.
	f.update(t, func(tx civic.Tx) error {
		return tx.CreateCovertProfile(f.ctx, &civic.CovertProfile{SiteName: "Mastodon", SiteURL: "https://city.example/", Username: "PARKS", ScreenName: "P", MaintainerID: p.maint.ID, Purpose: "p"})
	})
	check("named by a covert profile", false)
}

// testPublicFlagForgedManyMatches is testPublicFlagForged where the word
// has many matches, so that the page is found newest first through the
// day windows (and by relevance, also in a time range) rather than by reading a few matches: a
// forged flag on the newest match, a direct message, still never shows
// it, on any page.
func testPublicFlagForgedManyMatches(t *testing.T, f *fixture) {
	p := f.seedPublic(t)
	s := f.s.(*sqlstore.Store)
	base := p.vs["post"].CapturedAt
	var vs []*civic.Version
	for i := range 260 {
		v := version(p.vs["post"].Account, fmt.Sprintf("old%d", i), fmt.Sprintf("zebra crossing report %d", i), base.Add(-time.Duration(i+1)*time.Hour))
		v.Hash = v.ComputeHash()
		vs = append(vs, v)
	}
	f.ingest(t, vs...)
	forgeExec(t, s, `INSERT INTO archive_public (version_id) VALUES (?)`, p.vs["dm"].ID)
	for _, q := range []civic.ArchiveQuery{
		{Terms: []string{"zebra"}, Public: true, Limit: 10},
		{Terms: []string{"zebra"}, Public: true, Limit: 10, Offset: 10},
		{Terms: []string{"zebra"}, Public: true, Limit: 50, Relevance: true},
		{Terms: []string{"zebra"}, Public: true, Limit: 20, From: base.Add(-48 * time.Hour), Until: base.Add(time.Hour)},
		{Terms: []string{"zebra"}, Public: true, Limit: 20, Relevance: true, From: base.Add(-48 * time.Hour), Until: base.Add(time.Hour)},
	} {
		page, total, err := f.s.SearchArchiveTotal(f.ctx, &q)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range page {
			if v.ID == p.vs["dm"].ID {
				t.Fatalf("%+v: a forged flag put a direct message on a public page", q)
			}
		}
		if len(page) == 0 || total < len(page) {
			t.Errorf("%+v: %d versions, total %d", q, len(page), total)
		}
	}
}

// testPublicSuperseded: a version is an earlier one when another version
// of its item was captured after it, whatever order they were stored in
// (a backfill stores an older version after a newer one), and at the
// same capture time the one stored later counts as later.
func testPublicSuperseded(t *testing.T, f *fixture) {
	base := time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC)
	ref := "mastodon:@works@city.example"
	edited1 := version(ref, "edited", "first words", base)
	edited2 := version(ref, "edited", "second words", base.Add(time.Hour))
	late := version(ref, "backfilled", "newest words", base.Add(2*time.Hour))
	single := version(ref, "single", "only words", base)
	tie1 := version(ref, "tie", "one", base)
	tie2 := version(ref, "tie", "two", base)
	f.ingest(t, edited1, edited2, late, single, tie1)
	early := version(ref, "backfilled", "oldest words", base)
	f.ingest(t, early, tie2) // stored after late, captured before it
	ids := []int64{edited1.ID, edited2.ID, late.ID, single.ID, early.ID, tie1.ID, tie2.ID, 1 << 40}
	got, err := f.s.PublicSuperseded(f.ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int64]bool{edited1.ID: true, early.ID: true, tie1.ID: true}
	if len(got) != len(want) {
		t.Errorf("superseded %v, want %v", got, want)
	}
	for id := range want {
		if !got[id] {
			t.Errorf("version %d has a later version, not reported: %v", id, got)
		}
	}
	if none, err := f.s.PublicSuperseded(f.ctx, nil); err != nil || len(none) != 0 {
		t.Errorf("no versions: %v, %v", none, err)
	}
}
