package storetest

import "testing"

func TestConformance(t *testing.T) { Run(t) }
