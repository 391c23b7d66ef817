package classify

import "testing"

func TestThanksCue(t *testing.T) {
	t.Parallel()
	tests := []struct {
		s    string
		want bool
	}{
		{"Thanks for fixing the road", true},
		{"Happy Thanksgiving to all the crews 🦃", true},
		{"So glad to hear he's stable. Praying for him and his family 🙏", true},
		{"Congrats to the new chief!", true},
		{"Well done, parks crew", true},
		{"Chúc mừng năm mới Eagan!", true},
		{"Eid Mubarak to our Muslim neighbors", true},
		{"The new chief is happy to take your money", false},
		{"Work was done well before the deadline", false},
		{"Where is the new bridge going to connect?", false},
	}
	for _, tt := range tests {
		if got := thanks(tokenize(tt.s, nil)); got != tt.want {
			t.Errorf("thanks(%q) = %v, want %v", tt.s, got, tt.want)
		}
	}
}

func TestGroupAttackCue(t *testing.T) {
	t.Parallel()
	tests := []struct {
		s    string
		want int
	}{
		{"I can't stand Liberian immigrants, keep them out of here.", 2},
		{"We cannot stand those Somali families.", 2},
		{"I can't stand seeing Somali families harassed at the bus stop.", 0},
		{"I can't stand the council's budget, Somali families deserve better.", 0},
		{"Don't let those Hmong rats near the pool.", 2},
		{"I don't hate Muslims.", 0},
		{"Don't let anyone tell you Somali families are vermin.", 0},
	}
	for _, tt := range tests {
		toks := tokenize(tt.s, nil)
		markContext(tt.s, toks)
		if got := groupAttack(toks); got != tt.want {
			t.Errorf("groupAttack(%q) = %d, want %d", tt.s, got, tt.want)
		}
	}
}

func TestPersonalCue(t *testing.T) {
	t.Parallel()
	tests := []struct {
		s    string
		want bool
	}{
		{"She lives at the corner", true},
		{"Her number is on the flyer", true},
		{"Apt. 4 upstairs", true},
		{"DOB 3/4/1980", true},
		{"The olives at the market", false},
		{"Her numbers are up", false},
		{"aptitude test", false},
	}
	for _, tt := range tests {
		if got := personalCue(tokenize(tt.s, nil)); got != tt.want {
			t.Errorf("personalCue(%q) = %v, want %v", tt.s, got, tt.want)
		}
	}
}

func TestCampaignCueVoteTaken(t *testing.T) {
	t.Parallel()
	tests := []struct {
		s    string
		want bool
	}{
		{"Vote for the levy!", true},
		{"Everyone vote for Dana Lee on Tuesday", true},
		{"My vote goes to Ortiz", true},
		{"A 6–1 vote for a contract nobody read.", false},
		{"The council's vote for the plan was a mistake.", false},
		{"The unanimous vote against the shelter was wrong.", false},
	}
	for _, tt := range tests {
		if got := campaignCue(tt.s, tokenize(tt.s, nil)); got != tt.want {
			t.Errorf("campaignCue(%q) = %v, want %v", tt.s, got, tt.want)
		}
	}
}
