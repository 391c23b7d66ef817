package storetest

// archiveCases test the archive's store methods.
var archiveCases = []testCase{}
