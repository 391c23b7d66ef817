package civic

// RecordsReader reads data requests and their productions (REC-2, REC-5, REC-6).
type RecordsReader interface{}

// RecordsWriter changes data requests; each write records its audit event.
type RecordsWriter interface{}
