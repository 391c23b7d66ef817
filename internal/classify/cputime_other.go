//go:build !unix

package classify

import "time"

// cpuTime is not measured on this system: speed is then wall-clock only.
func cpuTime() (time.Duration, bool) { return 0, false }
