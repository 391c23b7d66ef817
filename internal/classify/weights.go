package classify

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	_ "embed"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"

	"steward.city/steward/internal/civic"
)

// embedded is the trained model, written by "steward train".
//
//go:embed model/model.bin.gz
var embedded []byte

// magic starts a model file; the number is the format's version.
const magic = "steward-classify-2\n"

// Encode writes m in the model file format: gzip of a header (buckets,
// codes, dense features), then thresholds, the fallback ratio, the
// calibration, the precision-recall curves, biases, scales and dense
// weights as little-endian float32 (support counts as uint32), then the
// hashed weights as int8.
func (m *Model) Encode(w io.Writer) error {
	var buf bytes.Buffer
	buf.WriteString(magic)
	for _, v := range []uint32{Buckets, nCodes, nDense} {
		binary.Write(&buf, binary.LittleEndian, v)
	}
	th := make([]float32, nCodes)
	for i, v := range m.thresholds {
		th[i] = float32(v)
	}
	binary.Write(&buf, binary.LittleEndian, th)
	binary.Write(&buf, binary.LittleEndian, float32(m.fallback))
	binary.Write(&buf, binary.LittleEndian, m.platt)
	binary.Write(&buf, binary.LittleEndian, m.curves)
	binary.Write(&buf, binary.LittleEndian, m.support)
	binary.Write(&buf, binary.LittleEndian, m.bias)
	binary.Write(&buf, binary.LittleEndian, m.scale)
	binary.Write(&buf, binary.LittleEndian, m.dense)
	binary.Write(&buf, binary.LittleEndian, m.weights)
	zw, err := gzip.NewWriterLevel(w, gzip.DefaultCompression)
	if err != nil {
		return err
	}
	if _, err := zw.Write(buf.Bytes()); err != nil {
		return err
	}
	return zw.Close()
}

// Decode reads a model written by Encode.
func Decode(data []byte) (*Model, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("model file: %w", err)
	}
	raw, err := io.ReadAll(io.LimitReader(zr, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("model file: %w", err)
	}
	if !bytes.HasPrefix(raw, []byte(magic)) {
		return nil, errors.New("model file: not a steward classifier model")
	}
	r := bytes.NewReader(raw[len(magic):])
	var head [3]uint32
	if err := binary.Read(r, binary.LittleEndian, &head); err != nil {
		return nil, fmt.Errorf("model file: %w", err)
	}
	if head != [3]uint32{Buckets, nCodes, nDense} {
		return nil, fmt.Errorf("model file: shape %v, this build reads %v: retrain with steward train", head, [3]uint32{Buckets, nCodes, nDense})
	}
	sum := sha256.Sum256(data)
	m := &Model{weights: make([]int8, Buckets*nCodes), lex: compileLexicon(), id: hex.EncodeToString(sum[:8])}
	var th [nCodes]float32
	var fb float32
	for _, v := range []any{&th, &fb, &m.platt, &m.curves, &m.support, &m.bias, &m.scale, &m.dense, m.weights} {
		if err := binary.Read(r, binary.LittleEndian, v); err != nil {
			return nil, fmt.Errorf("model file: %w", err)
		}
	}
	if r.Len() != 0 {
		return nil, errors.New("model file: trailing bytes")
	}
	for i, v := range th {
		if math.IsNaN(float64(v)) || v < 0 || v > 1 {
			return nil, fmt.Errorf("model file: threshold of %s is %v", Codes[i], v)
		}
		m.thresholds[i] = float64(v)
	}
	if math.IsNaN(float64(fb)) || fb < 0 || fb > 1 {
		return nil, fmt.Errorf("model file: fallback is %v", fb)
	}
	m.fallback = float64(fb)
	return m, nil
}

// sortEvidence orders evidence by position, then code.
func sortEvidence(ev []civic.Evidence) {
	slices.SortStableFunc(ev, func(a, b civic.Evidence) int {
		if a.Start != b.Start {
			return a.Start - b.Start
		}
		return codeIndex(a.Code) - codeIndex(b.Code)
	})
}

// MemoryBytes is the size of the model's weights in memory.
func (m *Model) MemoryBytes() int {
	return len(m.weights) + 4*(len(m.bias)+len(m.scale)+nDense*nCodes+len(m.thresholds)) + 4
}

// EmbeddedBytes is the size of the model file embedded in the binary.
func EmbeddedBytes() int { return len(embedded) }
