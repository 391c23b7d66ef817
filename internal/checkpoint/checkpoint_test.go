package checkpoint

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
)

// TestMain lets the test binary act as an external signer (Command): with
// STEWARD_TEST_SIGNER_KEY set it answers one request and exits.
func TestMain(m *testing.M) {
	if skey := os.Getenv("STEWARD_TEST_SIGNER_KEY"); skey != "" {
		switch os.Getenv("STEWARD_TEST_SIGNER_MODE") {
		case "fail":
			fmt.Fprintln(os.Stderr, "the key service refused: quota exceeded")
			os.Exit(3)
		case "slow":
			time.Sleep(10 * time.Second)
		case "other-key":
			if os.Args[len(os.Args)-1] == "sign" {
				other, _, _ := GenerateKey("steward-archive")
				skey = other
			}
		}
		if err := Answer(skey, os.Args[len(os.Args)-1], os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestParse(t *testing.T) {
	t.Parallel()
	root := "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
	audit := "audit " + strings.Repeat("ab", 32)
	cases := []struct {
		text string
		ok   bool
	}{
		{"city.example/archive\n12\n" + root + "\n", true},
		{"city.example/archive\n0\n" + root + "\n2026-11-21T09:30:00Z\n" + audit + "\n", true},
		{"city.example/archive\n12\n" + root, false},          // no final newline
		{"city.example/archive\n12\n", false},                 // no root
		{"\n12\n" + root + "\n", false},                       // empty origin
		{"city.example/archive\n012\n" + root + "\n", false},  // leading zero
		{"city.example/archive\n-1\n" + root + "\n", false},   // negative
		{"city.example/archive\n1e3\n" + root + "\n", false},  // not decimal
		{"city.example/archive\n12\nAAAA\n", false},           // short root
		{"city.example/archive\n12\n" + root + "\n\n", false}, // empty extension line
		{"city.example/archive\n12\n" + root + "\naudit 12\n", false},
		{"city.example/archive\n12\n" + root + "\naudit " + strings.Repeat("AB", 32) + "\n", false},
	}
	for _, c := range cases {
		b, err := Parse(c.text)
		if (err == nil) != c.ok {
			t.Errorf("Parse(%q) = %v, want ok %v", c.text, err, c.ok)
			continue
		}
		if err == nil && b.Text() != c.text {
			t.Errorf("Parse(%q).Text() = %q", c.text, b.Text())
		}
	}
	b, _ := Parse(cases[1].text)
	if h, ok := b.AuditHead(); !ok || h != strings.Repeat("ab", 32) {
		t.Errorf("AuditHead = %q, %v", h, ok)
	}
	if _, ok := (&Body{}).AuditHead(); ok {
		t.Error("a body without the line has an audit head")
	}
}

// TestKnownVectors checks key parsing and signature checking against
// published vectors: the C2SP signed-note example key, and a real
// checkpoint of Certificate Transparency's staging log "arche2025h1"
// cosigned by the public witness remora.n621.de (cosignature/v1).
func TestKnownVectors(t *testing.T) {
	t.Parallel()
	name, pub, err := PublicKey("example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k")
	if err != nil || name != "example.com/foo" || hex.EncodeToString(pub) != "e932791ae6e7a840a46164c904786426d5e7821dd8b29a00d61cae72afdd4da4" {
		t.Fatalf("C2SP example key: %q %x %v", name, pub, err)
	}
	const remora = "remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2"
	v, err := NewCosignatureVerifier(remora)
	if err != nil {
		t.Fatal(err)
	}
	if v.Name() != "remora.n621.de" || v.KeyHash() != 0xda77ade7 {
		t.Fatalf("remora key: %s %08x", v.Name(), v.KeyHash())
	}
	msg, err := os.ReadFile("testdata/cosigned-ct-checkpoint.txt")
	if err != nil {
		t.Fatal(err)
	}
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		t.Fatalf("the witness's cosignature does not verify: %v", err)
	}
	if len(n.Sigs) != 1 || n.Sigs[0].Name != "remora.n621.de" {
		t.Fatalf("verified signatures: %+v", n.Sigs)
	}
	if at, ok := CosignatureTime(n.Sigs[0]); !ok || at.Year() < 2025 {
		t.Errorf("cosignature time %v, %v", at, ok)
	}
	b, err := Parse(n.Text)
	if err != nil || b.Size != 1432088532 || b.Origin != "arche2025h1.staging.ct.transparency.dev" {
		t.Fatalf("Parse: %+v, %v", b, err)
	}
	forged := bytes.Replace(msg, []byte("1432088532"), []byte("1432088533"), 1)
	if _, err := note.Open(forged, note.VerifierList(v)); err == nil {
		t.Error("the cosignature verifies over another tree size")
	}
	names := SignerNames(msg)
	if len(names) != 6 || names[4] != "remora.n621.de" {
		t.Errorf("SignerNames = %q", names)
	}
	// A log key is not a witness key, and the reverse.
	if _, err := NewCosignatureVerifier("example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"); err == nil {
		t.Error("a type 0x01 key was taken as a witness key")
	}
	if _, _, err := PublicKey(remora); err == nil {
		t.Error("a type 0x04 key was taken as a log key")
	}
}

// TestCosignRoundTrip signs a checkpoint as the log and cosigns it as a
// witness: each verifier accepts its own signature and ignores the other,
// and the cosignature covers the extension lines and states the time.
func TestCosignRoundTrip(t *testing.T) {
	t.Parallel()
	skey, vkey, err := GenerateKey("city.example/archive")
	if err != nil {
		t.Fatal(err)
	}
	log, gotV, err := NewSigner(skey)
	if err != nil || gotV != vkey {
		t.Fatalf("NewSigner: %v (%s, want %s)", err, gotV, vkey)
	}
	wkey, wvkey, err := GenerateCosignerKey("witness.example/w1")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC)
	w, gotW, err := NewCosigner(wkey, func() time.Time { return at })
	if err != nil || gotW != wvkey {
		t.Fatalf("NewCosigner: %v", err)
	}
	text := "city.example/archive\n3\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\naudit " + strings.Repeat("0", 64) + "\n"
	msg, err := note.Sign(&note.Note{Text: text}, log, w)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := Open(msg, vkey); err != nil || b.Size != 3 {
		t.Fatalf("Open with the log key: %+v, %v", b, err)
	}
	wv, err := NewCosignatureVerifier(wvkey)
	if err != nil {
		t.Fatal(err)
	}
	n, err := note.Open(msg, note.VerifierList(wv))
	if err != nil || len(n.Sigs) != 1 {
		t.Fatalf("Open with the witness key: %v", err)
	}
	if got, ok := CosignatureTime(n.Sigs[0]); !ok || !got.Equal(at) {
		t.Errorf("cosignature time = %v, want %v", got, at)
	}
	altered := bytes.Replace(msg, []byte("audit 0"), []byte("audit 1"), 1)
	if _, err := note.Open(altered, note.VerifierList(wv)); err == nil {
		t.Error("the cosignature does not cover the audit line")
	}
	_, otherV, _ := GenerateKey("city.example/archive")
	if _, err := Open(msg, otherV); err == nil {
		t.Error("Open accepted a checkpoint signed by another key of the same name")
	}
	if _, _, err := NewSigner(wkey); err == nil {
		t.Error("a witness key was taken as a checkpoint key")
	}
	bad := strings.Replace(skey, "+", "+x", 3)
	if _, _, err := NewSigner(bad); err == nil {
		t.Error("NewSigner accepted a malformed key")
	}
}

// TestCommandSigner runs this test binary as an external signer through
// the protocol, and checks that a signer that fails, is slow or answers
// with another key signs nothing.
func TestCommandSigner(t *testing.T) {
	t.Parallel()
	skey, vkey, err := GenerateKey("city.example/archive")
	if err != nil {
		t.Fatal(err)
	}
	cmd := func(mode string, timeout time.Duration) Command {
		return Command{Args: []string{os.Args[0], "-test.run=^$"}, Timeout: timeout,
			Env: []string{"STEWARD_TEST_SIGNER_KEY=" + skey, "STEWARD_TEST_SIGNER_MODE=" + mode}}
	}
	ctx := context.Background()
	s, got, err := NewCommandSigner(ctx, cmd("", 0))
	if err != nil || got != vkey {
		t.Fatalf("NewCommandSigner = %q, %v; want %q", got, err, vkey)
	}
	text := "city.example/archive\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"
	msg, err := note.Sign(&note.Note{Text: text}, s)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(msg, vkey); err != nil {
		t.Fatalf("the external signer's checkpoint does not verify: %v", err)
	}
	if _, _, err := NewCommandSigner(ctx, cmd("fail", 0)); err == nil || !strings.Contains(err.Error(), "quota exceeded") {
		t.Errorf("a failing signer: %v", err)
	}
	if _, _, err := NewCommandSigner(ctx, cmd("slow", 200*time.Millisecond)); err == nil || !strings.Contains(err.Error(), "no answer within") {
		t.Errorf("a slow signer: %v", err)
	}
	liar, _, err := NewCommandSigner(ctx, cmd("other-key", 0))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := note.Sign(&note.Note{Text: text}, liar); err == nil || !strings.Contains(err.Error(), "does not verify") {
		t.Errorf("a signer answering with another key: %v", err)
	}
	var out bytes.Buffer
	if err := Answer(skey, "decrypt", nil, &out); err == nil {
		t.Error("Answer accepted an unknown request")
	}
	if err := Answer(skey, "sign", bytes.NewReader(make([]byte, MaxSignedMessage+1)), &out); err == nil {
		t.Error("Answer signed an overlong message")
	}
}
