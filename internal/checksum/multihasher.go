package checksum

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"hash"
)

// block is the slice size MultiHasher feeds to each hash in turn, so that a
// large Write is hashed while it is still in cache rather than streamed from
// memory once per algorithm.
const block = 32 << 10

// MultiHasher is an io.Writer that computes, in one pass over the data, the
// MD5 (always: it is the ETag), optionally the SHA-256 (for
// X-Amz-Content-SHA256 checks) and any set of checksum algorithms. When both
// SHA-256 and the SHA256 checksum are wanted, one hash serves both.
//
// Accessors may be called at any time and report the digest of everything
// written so far. A MultiHasher is not safe for concurrent use.
type MultiHasher struct {
	md5    hash.Hash
	sha256 hash.Hash
	sums   map[string]hash.Hash
	algs   []string
	all    []hash.Hash // distinct hashes to feed, md5 first
	n      int64
}

// NewMultiHasher returns a MultiHasher computing MD5, SHA-256 if withSHA256,
// and the listed checksum algorithms (duplicates are ignored).
func NewMultiHasher(withSHA256 bool, algs ...string) (*MultiHasher, error) {
	m := &MultiHasher{md5: md5.New(), sums: make(map[string]hash.Hash, len(algs))}
	m.all = append(m.all, m.md5)
	if withSHA256 {
		m.sha256 = sha256.New()
		m.all = append(m.all, m.sha256)
	}
	for _, alg := range algs {
		if _, dup := m.sums[alg]; dup {
			continue
		}
		if alg == SHA256 && m.sha256 != nil {
			m.sums[alg] = m.sha256
			m.algs = append(m.algs, alg)
			continue
		}
		h, err := New(alg)
		if err != nil {
			return nil, err
		}
		if alg == SHA256 {
			m.sha256 = h
		}
		m.sums[alg] = h
		m.algs = append(m.algs, alg)
		m.all = append(m.all, h)
	}
	return m, nil
}

// Write feeds p to every hash. It never fails.
func (m *MultiHasher) Write(p []byte) (int, error) {
	n := len(p)
	m.n += int64(n)
	if len(m.all) == 1 {
		m.md5.Write(p)
		return n, nil
	}
	for len(p) > 0 {
		b := p
		if len(b) > block {
			b = b[:block]
		}
		for _, h := range m.all {
			h.Write(b)
		}
		p = p[len(b):]
	}
	return n, nil
}

// Size returns the number of bytes written.
func (m *MultiHasher) Size() int64 { return m.n }

// MD5 returns the raw MD5 digest.
func (m *MultiHasher) MD5() []byte { return m.md5.Sum(nil) }

// MD5Hex returns the lower-case hex MD5 (an S3 ETag without quotes).
func (m *MultiHasher) MD5Hex() string { return hex.EncodeToString(m.md5.Sum(nil)) }

// SHA256Hex returns the lower-case hex SHA-256, or "" if it is not computed.
func (m *MultiHasher) SHA256Hex() string {
	if m.sha256 == nil {
		return ""
	}
	return hex.EncodeToString(m.sha256.Sum(nil))
}

// Algorithms returns the checksum algorithms computed, in the order given.
func (m *MultiHasher) Algorithms() []string { return append([]string(nil), m.algs...) }

// Has reports whether alg is computed.
func (m *MultiHasher) Has(alg string) bool { _, ok := m.sums[alg]; return ok }

// Sum returns alg's raw digest; ok is false if alg is not computed.
func (m *MultiHasher) Sum(alg string) (sum []byte, ok bool) {
	h, ok := m.sums[alg]
	if !ok {
		return nil, false
	}
	return h.Sum(nil), true
}

// Checksum returns alg's value in wire form (base64); ok is false if alg is
// not computed.
func (m *MultiHasher) Checksum(alg string) (value string, ok bool) {
	s, ok := m.Sum(alg)
	if !ok {
		return "", false
	}
	return Encode(s), true
}
