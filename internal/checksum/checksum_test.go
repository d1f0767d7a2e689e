package checksum

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"hash/crc64"
	"math/rand/v2"
	"strings"
	"testing"
)

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestKnownVectors(t *testing.T) {
	tests := []struct {
		alg, in, hexSum, b64 string
	}{
		{CRC32, "hello world", "0d4a1185", "DUoRhQ=="},
		{CRC32, "123456789", "cbf43926", ""},
		{CRC32, "", "00000000", "AAAAAA=="},
		{CRC32C, "123456789", "e3069283", ""},
		{CRC32C, "hello world", "c99465aa", "yZRlqg=="},
		{CRC64NVME, "123456789", "ae8b14860a799888", ""},
		{CRC64NVME, "", "0000000000000000", "AAAAAAAAAAA="},
		{SHA1, "hello world", "2aae6c35c94fcfb415dbe95f408b9ce91ee846ed", "Kq5sNclPz7QV2+lfQIuc6R7oRu0="},
		{SHA256, "hello world", "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9",
			"uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek="},
	}
	for _, tc := range tests {
		t.Run(tc.alg+"/"+tc.in, func(t *testing.T) {
			got, err := Sum(tc.alg, []byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if want := mustHex(t, tc.hexSum); !bytes.Equal(got, want) {
				t.Fatalf("sum = %x, want %x", got, want)
			}
			if len(got) != Size(tc.alg) {
				t.Fatalf("len %d, Size %d", len(got), Size(tc.alg))
			}
			if tc.b64 != "" && Encode(got) != tc.b64 {
				t.Fatalf("Encode = %s, want %s", Encode(got), tc.b64)
			}
			if _, err := DecodeSum(tc.alg, Encode(got)); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestNamesAndHeaders(t *testing.T) {
	for _, alg := range Algorithms() {
		if !Valid(alg) {
			t.Errorf("Valid(%s) = false", alg)
		}
		h := HeaderName(alg)
		if h != "x-amz-checksum-"+strings.ToLower(alg) {
			t.Errorf("HeaderName(%s) = %s", alg, h)
		}
		for _, hn := range []string{h, strings.ToUpper(h), "X-Amz-Checksum-" + strings.ToLower(alg)} {
			if got, ok := FromHeaderName(hn); !ok || got != alg {
				t.Errorf("FromHeaderName(%s) = %s, %v", hn, got, ok)
			}
		}
		if _, err := New(alg); err != nil {
			t.Errorf("New(%s): %v", alg, err)
		}
	}
	for _, bad := range []string{"", "crc32", "MD5", "CRC64", "SHA512"} {
		if Valid(bad) || HeaderName(bad) != "" {
			t.Errorf("Valid/HeaderName(%q) accepted", bad)
		}
		if _, err := New(bad); !errors.Is(err, ErrUnknownAlgorithm) {
			t.Errorf("New(%q) err = %v", bad, err)
		}
	}
	for _, bad := range []string{"x-amz-checksum-algorithm", "x-amz-checksum-mode", "x-amz-checksum-type",
		"x-amz-checksum-", "x-amz-checksum", "content-md5", "x-amz-checksum-md5"} {
		if alg, ok := FromHeaderName(bad); ok {
			t.Errorf("FromHeaderName(%q) = %s", bad, alg)
		}
	}
	if !IsCRC(CRC64NVME) || IsCRC(SHA1) {
		t.Error("IsCRC")
	}
}

func TestDecodeSum(t *testing.T) {
	if b, err := DecodeSum(CRC32, "DUoRhQ=="); err != nil || hex.EncodeToString(b) != "0d4a1185" {
		t.Fatalf("DecodeSum = %x, %v", b, err)
	}
	for _, bad := range []string{"", "DUoRhQ", "DUoRhQ==x", "AAAAAAAAAAA=", "!!!!"} {
		if _, err := DecodeSum(CRC32, bad); !errors.Is(err, ErrInvalidValue) {
			t.Errorf("DecodeSum(%q) err = %v", bad, err)
		}
	}
	if _, err := DecodeSum("MD5", "AAAA"); !errors.Is(err, ErrUnknownAlgorithm) {
		t.Errorf("unknown alg err = %v", err)
	}
}

// The slicing-by-8 CRC64NVME must agree with hash/crc64's generic code for
// every length and split.
func TestCRC64NVMEMatchesStdlib(t *testing.T) {
	tab := crc64.MakeTable(nvmePoly)
	rng := rand.New(rand.NewPCG(1, 2))
	data := make([]byte, 5000)
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	for _, n := range []int{0, 1, 7, 8, 9, 63, 64, 65, 1000, 2047, 2048, 4999, 5000} {
		want := crc64.Checksum(data[:n], tab)
		h, _ := New(CRC64NVME)
		split := rng.IntN(n + 1)
		h.Write(data[:split])
		h.Write(data[split:n])
		got := binary.BigEndian.Uint64(h.Sum(nil))
		if got != want {
			t.Fatalf("n=%d split=%d: %x want %x", n, split, got, want)
		}
	}
}

func TestCombineCRC(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, alg := range []string{CRC32, CRC32C, CRC64NVME} {
		for trial := range 40 {
			nparts := rng.IntN(6)
			var all []byte
			var parts []PartCRC
			for range nparts {
				size := rng.IntN(3000)
				if trial%5 == 0 {
					size = rng.IntN(3) // include empty and tiny parts
				}
				p := make([]byte, size)
				for i := range p {
					p[i] = byte(rng.Uint32())
				}
				all = append(all, p...)
				s, _ := Sum(alg, p)
				parts = append(parts, PartCRC{Sum: s, Size: int64(size)})
			}
			want, _ := Sum(alg, all)
			got, err := CombineCRC(alg, parts)
			if err != nil {
				t.Fatal(err)
			}
			if got != Encode(want) {
				t.Fatalf("%s trial %d (%d parts): combined %s, want %s", alg, trial, nparts, got, Encode(want))
			}
		}
	}
}

// Large part sizes exercise many squarings; check against a known
// concatenation built from a repeated pattern.
func TestCombineCRCLargePart(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	for _, alg := range []string{CRC32, CRC32C, CRC64NVME} {
		s1, _ := Sum(alg, big)
		s2, _ := Sum(alg, []byte("tail"))
		got, err := CombineCRC(alg, []PartCRC{{s1, int64(len(big))}, {s1, int64(len(big))}, {s2, 4}})
		if err != nil {
			t.Fatal(err)
		}
		want, _ := Sum(alg, append(append(append([]byte{}, big...), big...), "tail"...))
		if got != Encode(want) {
			t.Errorf("%s: %s want %s", alg, got, Encode(want))
		}
	}
}

func TestCombineCRCErrors(t *testing.T) {
	if _, err := CombineCRC(SHA256, nil); !errors.Is(err, ErrUnknownAlgorithm) {
		t.Errorf("SHA256: %v", err)
	}
	if _, err := CombineCRC(CRC32, []PartCRC{{Sum: make([]byte, 8), Size: 1}}); !errors.Is(err, ErrInvalidPart) {
		t.Errorf("wrong size: %v", err)
	}
	if _, err := CombineCRC(CRC32, []PartCRC{{Sum: make([]byte, 4), Size: -1}}); !errors.Is(err, ErrInvalidPart) {
		t.Errorf("negative size: %v", err)
	}
	if got, err := CombineCRC(CRC64NVME, nil); err != nil || got != "AAAAAAAAAAA=" {
		t.Errorf("no parts: %s %v", got, err)
	}
}

func TestComposite(t *testing.T) {
	p1, _ := Sum(CRC32, []byte("hello "))
	p2, _ := Sum(CRC32, []byte("world"))
	whole, _ := Sum(CRC32, append(append([]byte{}, p1...), p2...))
	got, err := Composite(CRC32, [][]byte{p1, p2})
	if err != nil {
		t.Fatal(err)
	}
	if want := Encode(whole) + "-2"; got != want {
		t.Fatalf("Composite = %s want %s", got, want)
	}
	s1 := sha256.Sum256([]byte("a"))
	s2 := sha256.Sum256([]byte("b"))
	s3 := sha256.Sum256(append(s1[:], s2[:]...))
	got, err = Composite(SHA256, [][]byte{s1[:], s2[:]})
	if err != nil || got != base64.StdEncoding.EncodeToString(s3[:])+"-2" {
		t.Fatalf("SHA256 composite = %s %v", got, err)
	}
	if _, err := Composite(SHA1, [][]byte{s1[:]}); !errors.Is(err, ErrInvalidPart) {
		t.Errorf("wrong part size: %v", err)
	}
	if _, err := Composite("NOPE", nil); !errors.Is(err, ErrUnknownAlgorithm) {
		t.Errorf("unknown: %v", err)
	}
}

func TestMultiHasher(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	data := make([]byte, 200_000)
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	for _, withSHA := range []bool{false, true} {
		m, err := NewMultiHasher(withSHA, CRC32, CRC32C, CRC64NVME, SHA1, SHA256, CRC32)
		if err != nil {
			t.Fatal(err)
		}
		for p := data; len(p) > 0; {
			n := min(len(p), 1+rng.IntN(70_000))
			if w, err := m.Write(p[:n]); w != n || err != nil {
				t.Fatal(w, err)
			}
			p = p[n:]
		}
		if m.Size() != int64(len(data)) {
			t.Fatalf("Size = %d", m.Size())
		}
		md := md5.Sum(data)
		if m.MD5Hex() != hex.EncodeToString(md[:]) || !bytes.Equal(m.MD5(), md[:]) {
			t.Fatal("md5 mismatch")
		}
		sh := sha256.Sum256(data)
		if m.SHA256Hex() != hex.EncodeToString(sh[:]) {
			t.Fatalf("sha256 hex %q", m.SHA256Hex())
		}
		if got := m.Algorithms(); len(got) != 5 {
			t.Fatalf("algorithms %v", got)
		}
		for _, alg := range Algorithms() {
			want, _ := Sum(alg, data)
			got, ok := m.Checksum(alg)
			if !ok || got != Encode(want) {
				t.Errorf("%s: %s want %s", alg, got, Encode(want))
			}
		}
	}
	m, _ := NewMultiHasher(false)
	m.Write([]byte("hello world"))
	if m.SHA256Hex() != "" || m.Has(CRC32) {
		t.Error("unrequested hashes present")
	}
	if _, ok := m.Checksum(CRC32); ok {
		t.Error("Checksum of unrequested alg")
	}
	if m.MD5Hex() != "5eb63bbbe01eeed093cb22bb8f5acdc3" {
		t.Errorf("md5 %s", m.MD5Hex())
	}
	if _, err := NewMultiHasher(false, "MD5"); !errors.Is(err, ErrUnknownAlgorithm) {
		t.Errorf("bad alg: %v", err)
	}
}

func benchmarkHash(b *testing.B, newW func() interface{ Write([]byte) (int, error) }) {
	buf := make([]byte, 1<<20)
	b.SetBytes(int64(len(buf)))
	w := newW()
	for b.Loop() {
		w.Write(buf)
	}
}

func BenchmarkCRC64NVME(b *testing.B) {
	benchmarkHash(b, func() interface{ Write([]byte) (int, error) } { h, _ := New(CRC64NVME); return h })
}

func BenchmarkMultiHasherMD5(b *testing.B) {
	benchmarkHash(b, func() interface{ Write([]byte) (int, error) } { m, _ := NewMultiHasher(false); return m })
}

func BenchmarkMultiHasherMD5CRC32SHA256(b *testing.B) {
	benchmarkHash(b, func() interface{ Write([]byte) (int, error) } {
		m, _ := NewMultiHasher(true, CRC32)
		return m
	})
}
