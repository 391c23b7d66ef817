package storetest

// registryCases test the registry's store methods.
var registryCases = []testCase{}
