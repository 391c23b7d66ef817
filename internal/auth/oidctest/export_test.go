package oidctest

import "time"

// SetNow replaces the provider's clock, so that tests can expire codes
// without waiting.
func (p *Provider) SetNow(now func() time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.now = now
}
