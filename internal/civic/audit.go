package civic

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"time"
)

// Change describes one state change for the audit log: what was done to
// which object, and the object before and after (JSON, nil when absent).
type Change struct {
	Action     string // "department.create", "user.set_roles", "auth.sign_in"…
	ObjectType string // "department", "person", "user", "token", "session"
	ObjectID   string
	Before     any
	After      any
}

// AuditEvent is one link of the audit chain. Hash is the SHA-256 of the
// event's fields and PrevHash, so altering, removing or inserting an event
// breaks the chain at that point.
type AuditEvent struct {
	Seq        int64           `json:"seq"`
	Time       time.Time       `json:"time"`
	ActorID    int64           `json:"actor_id"`
	Actor      string          `json:"actor"`
	Action     string          `json:"action"`
	ObjectType string          `json:"object_type"`
	ObjectID   string          `json:"object_id"`
	Before     json.RawMessage `json:"before"`
	After      json.RawMessage `json:"after"`
	PrevHash   string          `json:"prev_hash"`
	Hash       string          `json:"hash"`
}

// GenesisHash is the PrevHash of the first event.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// ComputeHash returns the hex SHA-256 of e's content and PrevHash. Each field
// is written with its length so that no two events share an encoding.
func (e *AuditEvent) ComputeHash() string {
	h := sha256.New()
	field := func(s string) {
		h.Write([]byte(strconv.Itoa(len(s))))
		h.Write([]byte{':'})
		h.Write([]byte(s))
		h.Write([]byte{'\n'})
	}
	field("steward-audit-v1")
	field(strconv.FormatInt(e.Seq, 10))
	field(e.Time.UTC().Format(time.RFC3339Nano))
	field(strconv.FormatInt(e.ActorID, 10))
	field(e.Actor)
	field(e.Action)
	field(e.ObjectType)
	field(e.ObjectID)
	field(string(e.Before))
	field(string(e.After))
	field(e.PrevHash)
	return hex.EncodeToString(h.Sum(nil))
}

// AuditFilter selects audit events for display. Zero fields match all.
type AuditFilter struct {
	ActorID    int64
	Action     string // exact action, or a prefix ending in "." ("user.")
	ObjectType string
	ObjectID   string
	Since      time.Time
	Until      time.Time
	BeforeSeq  int64 // page backwards from this sequence number (exclusive)
	Limit      int
	// HideObjectTypes leaves out events about these object types: covert
	// profiles for everyone but SIC commanders (see HiddenObjectTypes).
	HideObjectTypes []string
}
