package civic

// CaptureReader reads platform connections, capture cursors and capture
// flags (REC-1, MOD-4, PUB-5, ACC-3, ACC-7).
type CaptureReader interface {
}

// CaptureWriter changes them; each write records its audit event.
type CaptureWriter interface {
}
