package sigv4

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// benchRequest is a typical CLI GetObject: path-style, signed
// host;x-amz-content-sha256;x-amz-date plus a range.
func benchRequest() (r *http.Request) {
	r = newReq("GET", "/src-bucket/dir/sp%20ace%2B%C3%BC%25.txt?versionId=3HL4kqtJlcpXroDTDmjVBH40Nrjfkd", "")
	r.Header.Set("Range", "bytes=0-1023")
	r.Header.Set("User-Agent", "aws-cli/2.9.19 Python/3.11.2 Linux/6.1.0 source/x86_64.debian.12 prompt/off command/s3api.get-object")
	Sign(r, testCreds, "us-east-1", "s3", EmptySHA256, testNow)
	return r
}

// BenchmarkVerify is the steady state of a server: one Verifier, warm key
// cache.
func BenchmarkVerify(b *testing.B) {
	r := benchRequest()
	v := NewVerifier(testLookup)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(r, testNow); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyParallel measures the Verifier (and its cache mutex)
// under concurrent use.
func BenchmarkVerifyParallel(b *testing.B) {
	r := benchRequest()
	v := NewVerifier(testLookup)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := v.Verify(r, testNow); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkVerifyNoCache derives the signing key every time (the
// package-level Verify).
func BenchmarkVerifyNoCache(b *testing.B) {
	r := benchRequest()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Verify(r, testLookup, testNow); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyPresigned(b *testing.B) {
	u := Presign(newReq("GET", "/src-bucket/key.txt", ""), testCreds, "us-east-1", "s3", testNow, time.Hour)
	r := httptest.NewRequest("GET", u, nil)
	v := NewVerifier(testLookup)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(r, testNow); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkChunkedSigned decodes signed aws-chunked bodies in 64 KiB
// chunks (the common SDK size).
func BenchmarkChunkedSigned(b *testing.B) {
	payload := payloadOf(8 << 20)
	r, body := streamingRequest(b, StreamingPayload, payload, 64<<10, nil)
	a, err := Verify(r, testLookup, testNow)
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 32<<10)
	b.SetBytes(int64(len(payload)))
	for b.Loop() {
		r.Body = io.NopCloser(bytes.NewReader(body))
		br, _ := a.Body(r)
		if _, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{br}, buf); err != nil {
			b.Fatal(err)
		}
	}
}
