package checkpoint

import (
	"context"
	"os"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
)

const benchText = "city.example/archive\n1234567\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n2026-11-21T09:30:00Z\naudit 0000000000000000000000000000000000000000000000000000000000000000\n"

// BenchmarkSign measures signing a checkpoint with a key in memory (a key
// file or $STEWARD_CHECKPOINT_KEY), with an external signer (a process
// started for each signature), and cosigning it as a witness.
func BenchmarkSign(b *testing.B) {
	skey, _, _ := GenerateKey("city.example/archive")
	wkey, _, _ := GenerateCosignerKey("witness.example/w1")
	inMemory, _, _ := NewSigner(skey)
	cosigner, _, _ := NewCosigner(wkey, time.Now)
	command, _, err := NewCommandSigner(context.Background(), Command{Args: []string{os.Args[0], "-test.run=^$"}, Env: []string{"STEWARD_TEST_SIGNER_KEY=" + skey}})
	if err != nil {
		b.Fatal(err)
	}
	for _, s := range []struct {
		name   string
		signer note.Signer
	}{{"key", inMemory}, {"command", command}, {"cosign", cosigner}} {
		b.Run(s.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := note.Sign(&note.Note{Text: benchText}, s.signer); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
