package checksum

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
)

// ErrInvalidPart is returned when a part checksum has the wrong size or a
// part has a negative length.
var ErrInvalidPart = errors.New("checksum: invalid part checksum")

// Composite computes S3's COMPOSITE multipart checksum: the algorithm's
// digest of the concatenated raw part digests, base64-encoded, followed by
// "-" and the number of parts ("abcd==-3"). partSums are the raw (decoded)
// part digests in part order.
func Composite(alg string, partSums [][]byte) (string, error) {
	h, err := New(alg)
	if err != nil {
		return "", err
	}
	n := Size(alg)
	for i, s := range partSums {
		if len(s) != n {
			return "", fmt.Errorf("%w: part %d has %d bytes, %s needs %d", ErrInvalidPart, i+1, len(s), alg, n)
		}
		h.Write(s)
	}
	return Encode(h.Sum(nil)) + "-" + strconv.Itoa(len(partSums)), nil
}

// PartCRC is one part's CRC (big-endian bytes, as decoded from its
// x-amz-checksum-* value) and its length in bytes.
type PartCRC struct {
	Sum  []byte
	Size int64
}

// CombineCRC computes S3's FULL_OBJECT checksum for a CRC algorithm: the CRC
// the whole object would have had, derived from the parts' CRCs and lengths
// alone (zlib's crc32_combine method, generalised to 64-bit CRCs). The result
// is base64 with no part-count suffix. Zero parts yield the CRC of the empty
// string.
func CombineCRC(alg string, parts []PartCRC) (string, error) {
	sum, err := CombineCRCSum(alg, parts)
	if err != nil {
		return "", err
	}
	return Encode(sum), nil
}

// CombineCRCSum is CombineCRC returning the raw big-endian digest.
func CombineCRCSum(alg string, parts []PartCRC) ([]byte, error) {
	var width uint
	var poly uint64
	switch alg {
	case CRC32:
		width, poly = 32, 0xedb88320
	case CRC32C:
		width, poly = 32, 0x82f63b78
	case CRC64NVME:
		width, poly = 64, nvmePoly
	default:
		if Valid(alg) {
			return nil, fmt.Errorf("%w: %s cannot be combined (not a CRC)", ErrUnknownAlgorithm, alg)
		}
		return nil, fmt.Errorf("%w: %q", ErrUnknownAlgorithm, alg)
	}
	nb := int(width / 8)
	var crc uint64
	for i, p := range parts {
		if len(p.Sum) != nb {
			return nil, fmt.Errorf("%w: part %d has %d bytes, %s needs %d", ErrInvalidPart, i+1, len(p.Sum), alg, nb)
		}
		if p.Size < 0 {
			return nil, fmt.Errorf("%w: part %d has negative size %d", ErrInvalidPart, i+1, p.Size)
		}
		var c uint64
		if width == 32 {
			c = uint64(binary.BigEndian.Uint32(p.Sum))
		} else {
			c = binary.BigEndian.Uint64(p.Sum)
		}
		crc = combine(crc, c, p.Size, width, poly)
	}
	if width == 32 {
		return binary.BigEndian.AppendUint32(nil, uint32(crc)), nil
	}
	return binary.BigEndian.AppendUint64(nil, crc), nil
}

// combine returns CRC(A||B) from crc1 = CRC(A), crc2 = CRC(B) and len(B),
// for a reflected CRC of the given width whose init and xorout are all ones
// (true for CRC32, CRC32C and CRC64NVME): crc1 * x^(8*len2) mod P, xor crc2.
func combine(crc1, crc2 uint64, len2 int64, width uint, poly uint64) uint64 {
	if len2 == 0 {
		return crc1 ^ crc2
	}
	return multModP(xPow8N(uint64(len2), width, poly), crc1, width, poly) ^ crc2
}

// multModP multiplies a and b modulo P in the reflected representation,
// where the top bit is the x^0 coefficient.
func multModP(a, b uint64, width uint, poly uint64) uint64 {
	if a == 0 {
		return 0
	}
	m := uint64(1) << (width - 1)
	var p uint64
	for {
		if a&m != 0 {
			p ^= b
			if a&(m-1) == 0 {
				break
			}
		}
		m >>= 1
		if b&1 != 0 {
			b = b>>1 ^ poly
		} else {
			b >>= 1
		}
	}
	return p
}

// xPow8N returns x^(8n) mod P by square-and-multiply.
func xPow8N(n uint64, width uint, poly uint64) uint64 {
	p := uint64(1) << (width - 1)  // x^0
	sq := uint64(1) << (width - 9) // x^8
	for n > 0 {
		if n&1 != 0 {
			p = multModP(sq, p, width, poly)
		}
		n >>= 1
		if n > 0 {
			sq = multModP(sq, sq, width, poly)
		}
	}
	return p
}
