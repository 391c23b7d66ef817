package sqlite

import (
	"database/sql/driver"
	"encoding/binary"
	"hash/maphash"

	"modernc.org/sqlite"

	"steward.city/steward/internal/sqlstore"
)

// DigestFunction is the aggregate that sums, modulo 2^64, a keyed hash of
// each of its rows' arguments (text and integers): two multisets of rows
// have the same digest only by a chance of about 2^-64, and since the key
// is drawn when the process starts, nobody who edits the database before
// can arrange one. sqlstore compares the full-text index with one rebuilt
// from the versions through it, in SQLite, without handing every entry to
// Go through database/sql.
const DigestFunction = sqlstore.DigestFunction

// digestSeed keys the digest; it never changes once drawn.
var digestSeed = maphash.MakeSeed()

func init() {
	sqlite.MustRegisterFunction(DigestFunction, &sqlite.FunctionImpl{
		NArgs:         -1,
		Deterministic: true,
		VolatileArgs:  true, // Step hashes its arguments and keeps none
		MakeAggregate: func(sqlite.FunctionContext) (sqlite.AggregateFunction, error) {
			d := &digest{}
			d.h.SetSeed(digestSeed)
			return d, nil
		},
	})
}

type digest struct {
	h   maphash.Hash
	sum uint64
}

func (d *digest) Step(_ *sqlite.FunctionContext, args []driver.Value) error {
	d.h.Reset()
	var b [9]byte
	for _, a := range args {
		switch v := a.(type) {
		case string:
			d.h.WriteByte(1)
			binary.LittleEndian.PutUint64(b[:8], uint64(len(v)))
			d.h.Write(b[:8])
			d.h.WriteString(v)
		case []byte:
			d.h.WriteByte(2)
			binary.LittleEndian.PutUint64(b[:8], uint64(len(v)))
			d.h.Write(b[:8])
			d.h.Write(v)
		case int64:
			b[8] = 3
			binary.LittleEndian.PutUint64(b[:8], uint64(v))
			d.h.Write(b[:])
		case nil:
			d.h.WriteByte(4)
		default:
			d.h.WriteByte(5)
		}
	}
	d.sum += d.h.Sum64()
	return nil
}

func (d *digest) WindowInverse(*sqlite.FunctionContext, []driver.Value) error { return nil }

func (d *digest) WindowValue(*sqlite.FunctionContext) (driver.Value, error) {
	return int64(d.sum), nil
}

func (d *digest) Final(*sqlite.FunctionContext) {}
