package cli

import "testing"

func TestParseSize(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in   string
		want int64
		bad  bool
	}{
		{in: "0", want: 0},
		{in: "1024", want: 1024},
		{in: "512B", want: 512},
		{in: "64kb", want: 64 << 10},
		{in: "500MB", want: 500 << 20},
		{in: "2GB", want: 2 << 30},
		{in: " 2 GB ", want: 2 << 30},
		{in: "1TB", want: 1 << 40},
		{in: "8388607TB", want: 8388607 << 40},
		{in: "8388608TB", bad: true}, // past int64
		{in: "", bad: true},
		{in: "GB", bad: true},
		{in: "-1", bad: true},
		{in: "1.5GB", bad: true},
		{in: "2GiB", bad: true},
		{in: "2 gigs", bad: true},
		{in: "0x10", bad: true},
	} {
		got, err := parseSize(c.in)
		if c.bad != (err != nil) || got != c.want {
			t.Errorf("parseSize(%q) = %d, %v; want %d (bad: %v)", c.in, got, err, c.want, c.bad)
		}
	}
}
