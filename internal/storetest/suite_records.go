package storetest

// recordsCases test the records requests' store methods.
var recordsCases = []testCase{}
