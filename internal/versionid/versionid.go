// Package versionid generates S3 object version IDs.
//
// An ID is 20 bytes — 8 bytes big-endian Unix nanoseconds, a 4-byte
// big-endian counter and 8 random bytes — encoded as 32 characters of
// unpadded base32hex ("0-9A-V"). The alphabet is in ascending ASCII order
// and every ID has the same length, so comparing IDs as strings (byte
// order) compares them by creation time; IDs from one Generator are
// strictly increasing. IDs are URL-safe and contain no '/' or '+'.
package versionid

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/binary"
	"math"
	"sync"
	"time"

	"github.com/ferrys3/ferry/internal/clock"
)

// Len is the length of every ID.
const Len = 32

const (
	rawLen   = 20
	alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUV"
)

var enc = base32.NewEncoding(alphabet).WithPadding(base32.NoPadding)

// Generator makes IDs. It is safe for concurrent use.
type Generator struct {
	clock clock.Clock

	mu      sync.Mutex
	last    int64  // timestamp (Unix ns) of the previous ID
	counter uint32 // counter of the previous ID
}

// NewGenerator returns a Generator reading time from c (clock.Real{} if nil).
func NewGenerator(c clock.Clock) *Generator {
	if c == nil {
		c = clock.Real{}
	}
	return &Generator{clock: c, last: -1}
}

// New returns a new ID and the time encoded in it. The time is the clock's
// time truncated to the nanosecond, except when the clock reads at or before
// the previous ID's time (same nanosecond, clock stepped back, fixed test
// clock): then the previous time is reused with the counter incremented, so
// the time returned never goes backwards. Times before 1970 encode as 1970.
func (g *Generator) New() (id string, t time.Time) {
	now := g.clock.Now().UnixNano()
	if now < 0 {
		now = 0
	}

	g.mu.Lock()
	switch {
	case now > g.last:
		g.last, g.counter = now, 0
	case g.counter < math.MaxUint32:
		g.counter++
	default: // 2^32 IDs in one nanosecond: borrow the next nanosecond
		g.last++
		g.counter = 0
	}
	ts, ctr := g.last, g.counter
	g.mu.Unlock()

	var b [rawLen]byte
	binary.BigEndian.PutUint64(b[0:8], uint64(ts))
	binary.BigEndian.PutUint32(b[8:12], ctr)
	rand.Read(b[12:]) // never returns an error (crypto/rand, Go ≥ 1.24)
	return enc.EncodeToString(b[:]), time.Unix(0, ts).UTC()
}

// decode returns the raw bytes of a well-formed ID.
func decode(id string) (b [rawLen]byte, ok bool) {
	if len(id) != Len {
		return b, false
	}
	// Check the alphabet ourselves: encoding/base32 silently skips '\r'
	// and '\n', which would let non-canonical strings through.
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('0' <= c && c <= '9' || 'A' <= c && c <= 'V') {
			return b, false
		}
	}
	n, err := enc.Decode(b[:], []byte(id))
	if err != nil || n != rawLen {
		return b, false
	}
	if b[0]&0x80 != 0 { // timestamp must fit in an int64
		return b, false
	}
	return b, true
}

// Valid reports whether id is a well-formed generated ID. It does not
// accept "null"; callers handle the null version themselves.
func Valid(id string) bool {
	_, ok := decode(id)
	return ok
}

// Time returns the creation time encoded in id (UTC), and false if id is
// not Valid.
func Time(id string) (time.Time, bool) {
	b, ok := decode(id)
	if !ok {
		return time.Time{}, false
	}
	return time.Unix(0, int64(binary.BigEndian.Uint64(b[0:8]))).UTC(), true
}
