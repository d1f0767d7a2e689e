// Package checksum implements the S3 "flexible checksum" family
// (x-amz-checksum-crc32, -crc32c, -crc64nvme, -sha1, -sha256): hash
// constructors, header-name mapping, the value encoding, a MultiHasher that
// computes MD5 and any set of checksums in one pass, and the multipart
// combinations (COMPOSITE and, for the CRCs, FULL_OBJECT).
//
// The package is pure: it holds no mutable state and performs no I/O.
package checksum

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"strings"
)

// Algorithm names as S3 spells them in x-amz-checksum-algorithm and
// x-amz-sdk-checksum-algorithm.
const (
	CRC32     = "CRC32"
	CRC32C    = "CRC32C"
	CRC64NVME = "CRC64NVME"
	SHA1      = "SHA1"
	SHA256    = "SHA256"
)

// HeaderPrefix is the common prefix of the checksum value headers.
const HeaderPrefix = "x-amz-checksum-"

// ErrUnknownAlgorithm is returned for an algorithm name outside the family.
var ErrUnknownAlgorithm = errors.New("checksum: unknown algorithm")

// ErrInvalidValue is returned by DecodeSum for a value that is not the
// base64 encoding of a digest of the algorithm's size.
var ErrInvalidValue = errors.New("checksum: invalid checksum value")

// Algorithms returns the supported algorithm names in a stable order.
func Algorithms() []string {
	return []string{CRC32, CRC32C, CRC64NVME, SHA1, SHA256}
}

// Valid reports whether alg is one of the supported algorithm names
// (exact, upper-case spelling as used on the wire).
func Valid(alg string) bool {
	switch alg {
	case CRC32, CRC32C, CRC64NVME, SHA1, SHA256:
		return true
	}
	return false
}

// IsCRC reports whether alg is one of the CRC algorithms (those that support
// FULL_OBJECT multipart checksums).
func IsCRC(alg string) bool {
	return alg == CRC32 || alg == CRC32C || alg == CRC64NVME
}

// Size returns the digest size in bytes of alg, or 0 if alg is unknown.
func Size(alg string) int {
	switch alg {
	case CRC32, CRC32C:
		return 4
	case CRC64NVME:
		return 8
	case SHA1:
		return sha1.Size
	case SHA256:
		return sha256.Size
	}
	return 0
}

// New returns a new hash for alg. CRC sums are the big-endian bytes of the
// CRC value, as S3 encodes them.
func New(alg string) (hash.Hash, error) {
	switch alg {
	case CRC32:
		return crc32.NewIEEE(), nil
	case CRC32C:
		return crc32.New(castagnoli()), nil
	case CRC64NVME:
		return newCRC64NVME(), nil
	case SHA1:
		return sha1.New(), nil
	case SHA256:
		return sha256.New(), nil
	}
	return nil, fmt.Errorf("%w: %q", ErrUnknownAlgorithm, alg)
}

// HeaderName returns the value header for alg ("x-amz-checksum-crc32"), or
// "" if alg is unknown.
func HeaderName(alg string) string {
	if !Valid(alg) {
		return ""
	}
	return HeaderPrefix + strings.ToLower(alg)
}

// FromHeaderName maps a checksum value header name (any case) back to its
// algorithm. x-amz-checksum-algorithm, x-amz-checksum-type and
// x-amz-checksum-mode are not value headers and yield ok == false.
func FromHeaderName(h string) (alg string, ok bool) {
	if len(h) <= len(HeaderPrefix) || !strings.EqualFold(h[:len(HeaderPrefix)], HeaderPrefix) {
		return "", false
	}
	alg = strings.ToUpper(h[len(HeaderPrefix):])
	if !Valid(alg) {
		return "", false
	}
	return alg, true
}

// Encode returns the wire form of a digest: standard base64 with padding.
func Encode(sum []byte) string {
	return base64.StdEncoding.EncodeToString(sum)
}

// DecodeSum decodes a checksum value as sent in a header or trailer and
// checks that it has alg's digest size.
func DecodeSum(alg, value string) ([]byte, error) {
	n := Size(alg)
	if n == 0 {
		return nil, fmt.Errorf("%w: %q", ErrUnknownAlgorithm, alg)
	}
	b, err := base64.StdEncoding.Strict().DecodeString(value)
	if err != nil || len(b) != n {
		return nil, fmt.Errorf("%w: %s value %q", ErrInvalidValue, alg, value)
	}
	return b, nil
}

// Sum hashes data with alg and returns the raw digest.
func Sum(alg string, data []byte) ([]byte, error) {
	h, err := New(alg)
	if err != nil {
		return nil, err
	}
	h.Write(data)
	return h.Sum(nil), nil
}

// castagnoli returns the (stdlib-cached) Castagnoli table.
func castagnoli() *crc32.Table { return crc32.MakeTable(crc32.Castagnoli) }
