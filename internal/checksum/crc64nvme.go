package checksum

import (
	"encoding/binary"
	"hash"
	"sync"
)

// nvmePoly is the CRC-64/NVME polynomial in reversed (LSB-first) form, the
// form hash/crc64 uses. Check value: CRC("123456789") = 0xae8b14860a799888.
const nvmePoly = 0x9a6c9329ac4bc9b5

// nvmeTables is the slicing-by-8 lookup table, built once on first use and
// never modified afterwards (immutable data, not state). hash/crc64 only keeps
// fast tables for ISO and ECMA and rebuilds a slicing table on every large
// write for other polynomials, which is why CRC64NVME has its own digest.
var nvmeTables = sync.OnceValue(func() *[8][256]uint64 {
	t := new([8][256]uint64)
	for i := range 256 {
		crc := uint64(i)
		for range 8 {
			if crc&1 == 1 {
				crc = crc>>1 ^ nvmePoly
			} else {
				crc >>= 1
			}
		}
		t[0][i] = crc
	}
	for i := range 256 {
		crc := t[0][i]
		for j := 1; j < 8; j++ {
			crc = t[0][crc&0xff] ^ crc>>8
			t[j][i] = crc
		}
	}
	return t
})

type crc64nvme struct {
	crc uint64
	tab *[8][256]uint64
}

func newCRC64NVME() hash.Hash64 { return &crc64nvme{tab: nvmeTables()} }

func (d *crc64nvme) Size() int      { return 8 }
func (d *crc64nvme) BlockSize() int { return 1 }
func (d *crc64nvme) Reset()         { d.crc = 0 }
func (d *crc64nvme) Sum64() uint64  { return d.crc }
func (d *crc64nvme) Sum(in []byte) []byte {
	return binary.BigEndian.AppendUint64(in, d.crc)
}

func (d *crc64nvme) Write(p []byte) (int, error) {
	d.crc = updateNVME(d.crc, d.tab, p)
	return len(p), nil
}

func updateNVME(crc uint64, t *[8][256]uint64, p []byte) uint64 {
	crc = ^crc
	for len(p) >= 8 {
		crc ^= binary.LittleEndian.Uint64(p)
		crc = t[7][crc&0xff] ^
			t[6][crc>>8&0xff] ^
			t[5][crc>>16&0xff] ^
			t[4][crc>>24&0xff] ^
			t[3][crc>>32&0xff] ^
			t[2][crc>>40&0xff] ^
			t[1][crc>>48&0xff] ^
			t[0][crc>>56]
		p = p[8:]
	}
	for _, v := range p {
		crc = t[0][byte(crc)^v] ^ crc>>8
	}
	return ^crc
}
