package civic

// ArchiveReader reads the archive of captured posts and comments (REC-*).
type ArchiveReader interface{}

// ArchiveWriter changes the archive; each write records its audit event.
type ArchiveWriter interface{}
