package sigv4

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

var sentinels = []error{ErrMissingAuth, ErrInvalidAccessKeyID, ErrSignatureMismatch, ErrRequestTimeTooSkewed,
	ErrExpiredPresign, ErrMalformedAuth, ErrMalformedPresign, ErrMissingDate, ErrUnsupportedAlgorithm,
	ErrContentSHA256Mismatch, ErrInvalidContentSHA256, ErrMissingContentSHA256, ErrIncompleteBody,
	ErrMalformedChunk, ErrInvalidChunkSize, ErrChunkSignatureMismatch, ErrMissingSecurityToken, ErrInvalidSecurityToken}

func isSentinel(err error) bool {
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

// FuzzVerify: arbitrary Authorization header, path, query and dates never
// panic, always yield a package sentinel, and never authenticate without
// the right signature.
func FuzzVerify(f *testing.F) {
	r := newReq("GET", "/src-bucket/sp%20ace%2B%C3%BC%25.txt?versioning&prefix=up%2F", "")
	Sign(r, testCreds, "us-east-1", "s3", EmptySHA256, testNow)
	path, query := rawTarget(r)
	f.Add(r.Header.Get("Authorization"), path, query, r.Header.Get("X-Amz-Date"), EmptySHA256)
	u := Presign(newReq("PUT", "/b/k%20x?uploads", ""), testCreds, "us-east-1", "s3", testNow, 3600e9)
	pu, _ := url.Parse(u)
	f.Add("", pu.EscapedPath(), pu.RawQuery, "", "")
	f.Add("AWS4-HMAC-SHA256 Credential=a/b/c/d/aws4_request,SignedHeaders=host,Signature="+strings.Repeat("0", 64), "/", "", "20261122T031908Z", UnsignedPayload)
	f.Add("AWS AKID:sig", "/", "AWSAccessKeyId=x&Signature=y", "", "")
	f.Add("", "/", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=99999999999999999999", "", StreamingPayload)
	f.Fuzz(func(t *testing.T, authz, path, query, amzDate, contentSHA string) {
		r := &http.Request{
			Method:     "GET",
			URL:        &url.URL{Path: path, RawQuery: query},
			RequestURI: path + "?" + query,
			Header:     http.Header{},
			Host:       "127.0.0.1:8765",
		}
		if authz != "" {
			r.Header["Authorization"] = []string{authz}
		}
		if amzDate != "" {
			r.Header["X-Amz-Date"] = []string{amzDate}
		}
		if contentSHA != "" {
			r.Header["X-Amz-Content-Sha256"] = []string{contentSHA}
		}
		a, err := Verify(r, testLookup, testNow)
		if err == nil {
			// Only an unmodified seed can verify; its body must then decode.
			if a == nil {
				t.Fatal("nil Auth without error")
			}
			r.Body = http.NoBody
			if br, err := a.Body(r); err == nil {
				io.ReadAll(br)
			}
			return
		}
		if a != nil || !isSentinel(err) {
			t.Fatalf("err %v (auth %v) is not a sentinel", err, a)
		}
	})
}

// fuzzSeed is a fixed Auth to chain chunk signatures from.
func fuzzSeed(mode string) *Auth {
	return &Auth{AccessKeyID: testCreds.AccessKeyID, Region: "us-east-1", Service: "s3", Date: "20261122",
		AmzDate: "20261122T031908Z", Signature: strings.Repeat("ab", 32), PayloadHash: mode,
		key: SigningKey(testCreds.SecretAccessKey, "20261122", "us-east-1", "s3")}
}

var fuzzModes = []string{StreamingPayload, StreamingPayloadTrailer, StreamingUnsignedPayloadTrailer}

// FuzzChunkedReader: arbitrary bodies never panic, never yield more bytes
// than the declared decoded length, end cleanly only with exactly that
// length, and fail only with package sentinels.
func FuzzChunkedReader(f *testing.F) {
	tr := http.Header{"X-Amz-Checksum-Crc32": {"DUoRhQ=="}}
	f.Add([]byte(helloWire), uint8(2), int64(11), uint8(0))
	f.Add(EncodeChunked([]byte("hello world"), 3, nil), uint8(2), int64(-1), uint8(1))
	f.Add(SignChunked([]byte("hello world"), 4, fuzzSeed(StreamingPayload), nil), uint8(0), int64(11), uint8(2))
	f.Add(SignChunked([]byte("hello world"), 0, fuzzSeed(StreamingPayloadTrailer), tr), uint8(1), int64(11), uint8(3))
	f.Add(SignChunked(bytes.Repeat([]byte("z"), 1000), 300, fuzzSeed(StreamingPayload), nil), uint8(0), int64(1000), uint8(7))
	f.Add([]byte("ffffffff;chunk-signature=00\r\n"), uint8(0), int64(-1), uint8(0))
	f.Fuzz(func(t *testing.T, body []byte, modeSel uint8, declared int64, readSel uint8) {
		mode := fuzzModes[int(modeSel)%len(fuzzModes)]
		seed := fuzzSeed(mode)
		var signer *chainSigner
		if mode != StreamingUnsignedPayloadTrailer {
			signer = &chainSigner{key: seed.key, amzDate: seed.AmzDate, scope: seed.Scope(), prev: seed.Signature}
		}
		if declared < -1 {
			declared = -1
		}
		cr := newChunkedReader(bytes.NewReader(body), declared, signer, mode != StreamingPayload)
		buf := make([]byte, 1+int(readSel)*37)
		var total int64
		var err error
		for range len(body) + 10 {
			var n int
			n, err = cr.Read(buf)
			if n < 0 || n > len(buf) {
				t.Fatalf("Read returned %d for a %d-byte buffer", n, len(buf))
			}
			total += int64(n)
			if declared >= 0 && total > declared {
				t.Fatalf("returned %d bytes, declared %d", total, declared)
			}
			if total > int64(len(body)) {
				t.Fatalf("returned %d bytes from a %d-byte body", total, len(body))
			}
			if err != nil {
				break
			}
		}
		switch {
		case err == io.EOF:
			if declared >= 0 && total != declared {
				t.Fatalf("clean EOF after %d bytes, declared %d", total, declared)
			}
		case err == nil:
			t.Fatal("reader made no progress")
		case !isSentinel(err):
			t.Fatalf("error %v is not a sentinel", err)
		}
		if cr.br.Size() != readBufSize {
			t.Fatal("read buffer grew")
		}
	})
}
