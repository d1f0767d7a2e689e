package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"sync"
)

func hmacSHA256(key []byte, data string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(data))
	return h.Sum(nil)
}

// SigningKey derives the SigV4 signing key for a scope:
// HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region), service), "aws4_request").
func SigningKey(secret, date, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	return hmacSHA256(k, "aws4_request")
}

// signHex returns hex(HMAC-SHA256(key, msg)).
func signHex(key, msg []byte) string {
	h := hmac.New(sha256.New, key)
	h.Write(msg)
	var sum [sha256.Size]byte
	return hex.EncodeToString(h.Sum(sum[:0]))
}

// keyCacheSize bounds the derived-key cache. Keys are per (secret, day,
// region, service), so a few hundred cover any realistic set of active
// credentials; on overflow the cache is simply emptied.
const keyCacheSize = 512

type keyID struct{ secret, date, region, service string }

// keyCache caches derived signing keys. Only keys that verified a request
// are inserted, so unauthenticated traffic cannot churn it.
type keyCache struct {
	mu sync.Mutex
	m  map[keyID][]byte
}

func (c *keyCache) get(id keyID) []byte {
	c.mu.Lock()
	k := c.m[id]
	c.mu.Unlock()
	return k
}

func (c *keyCache) put(id keyID, key []byte) {
	c.mu.Lock()
	if c.m == nil || len(c.m) >= keyCacheSize {
		c.m = make(map[keyID][]byte, 64)
	}
	c.m[id] = key
	c.mu.Unlock()
}
