package civic

// RegistryReader reads the registry of official accounts (ACC-*, PPL-2,
// PPL-4, PPL-5, CVT-*, CND-1).
type RegistryReader interface{}

// RegistryWriter changes the registry; each write records its audit event.
type RegistryWriter interface{}
