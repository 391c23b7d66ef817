package strictjson_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"steward.city/steward/internal/strictjson"
)

// apiBody is a typical API request: a records request with its scope.
const apiBody = `{"requester":"A Resident","contact":"resident@example.org","received_on":"2026-11-20","subject":true,` +
	`"description":"All comments on the parks department's posts about the splash pad between June and August, including hidden ones.",` +
	`"scope":["\"splash pad\" account:facebook:springfieldparks from:2026-06-01 to:2026-08-31","\"splash pad\" removed:yes"]}`

type requestInput struct {
	Requester   string   `json:"requester"`
	Contact     string   `json:"contact"`
	ReceivedOn  string   `json:"received_on"`
	Subject     bool     `json:"subject"`
	Description string   `json:"description"`
	Scope       []string `json:"scope"`
}

// BenchmarkDecode decodes a typical API body with Decode (NUL checked in
// every string) and with encoding/json (unknown fields refused), the
// decoder the API used before.
func BenchmarkDecode(b *testing.B) {
	b.Run("strict", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var in requestInput
			if err := strictjson.Decode(bytes.NewReader([]byte(apiBody)), &in); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding_json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var in requestInput
			dec := json.NewDecoder(bytes.NewReader([]byte(apiBody)))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&in); err != nil {
				b.Fatal(err)
			}
		}
	})
}
