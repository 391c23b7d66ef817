package cli

import (
	"errors"
	"math"
	"strconv"
	"strings"
)

// parseSize reads a size in bytes written as a whole number with an
// optional unit: B, KB, MB, GB or TB, each 1024 times the one before
// (2GB is 2,147,483,648 bytes). Case and a space before the unit do not
// matter.
func parseSize(s string) (int64, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	mult := int64(1)
	for i, u := range []string{"KB", "MB", "GB", "TB"} {
		if strings.HasSuffix(s, u) {
			s, mult = strings.TrimSuffix(s, u), int64(1)<<(10*(i+1))
			break
		}
	}
	if mult == 1 {
		s = strings.TrimSuffix(s, "B")
	}
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n < 0 {
		return 0, errors.New("not a size")
	}
	if n > math.MaxInt64/mult {
		return 0, errors.New("too large")
	}
	return n * mult, nil
}
