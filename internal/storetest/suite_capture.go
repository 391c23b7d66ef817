package storetest

// captureCases test platform connections, capture cursors and flags.
var captureCases = []testCase{}
