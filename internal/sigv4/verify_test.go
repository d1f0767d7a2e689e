package sigv4

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

var (
	testCreds  = Credentials{AccessKeyID: "AKIAEXAMPLEKEY000001", SecretAccessKey: "dummysecretdummysecretdummysecret0001"}
	testLookup = staticLookup(testCreds.AccessKeyID, testCreds.SecretAccessKey)
	testNow    = time.Date(2026, 11, 22, 3, 19, 8, 0, time.UTC)
)

// roundTripTargets are request targets as an AWS CLI would put them on the
// wire: keys with spaces, '+', '%', unicode, bare sub-resource flags,
// repeated parameters, encoded slashes.
var roundTripTargets = []string{
	"/",
	"/bucket",
	"/bucket/key",
	"/bucket/dir/",
	"/src-bucket/sp%20ace%2B%C3%BC%25.txt",
	"/bucket/a%2Fb",
	"/bucket/a+b",
	"/bucket/k!'()*,;=:@$&~._-",
	"/bucket/%E2%9C%93/%F0%9F%98%80",
	"/bucket//double//slash",
	"/bucket/key?uploads",
	"/bucket?versioning",
	"/bucket?versions&prefix=a%20b",
	"/bucket?list-type=2&prefix=up%2F&delimiter=%2F",
	"/bucket?prefix=a+b",
	"/bucket?prefix=a%2Bb",
	"/bucket?a=1&a=2&b&a=0",
	"/bucket?prefix=%E2%9C%93&max-keys=10",
	"/bucket/key?partNumber=1&uploadId=abc%2Bdef%3D%3D",
	"/bucket?x=%zz&y=%",
	"/bucket?tagging=&uploads",
	"/bucket?Z=1&a=1&_=1&~=1",
}

func newReq(method, target, body string) *http.Request {
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	r.Host = "127.0.0.1:8765"
	return r
}

func TestSignVerifyRoundTrip(t *testing.T) {
	v := NewVerifier(testLookup)
	for _, target := range roundTripTargets {
		for _, method := range []string{"GET", "PUT"} {
			t.Run(method+" "+target, func(t *testing.T) {
				r := newReq(method, target, "")
				r.Header.Set("Content-Type", "text/plain")
				r.Header.Set("X-Amz-Meta-Note", "  two   spaces\tand tab  ")
				r.Header.Add("X-Amz-Meta-Multi", "one")
				r.Header.Add("X-Amz-Meta-Multi", "two")
				Sign(r, testCreds, "us-east-1", "s3", EmptySHA256, testNow)
				a, err := v.Verify(r, testNow.Add(time.Minute))
				if err != nil {
					t.Fatal(err)
				}
				if a.AccessKeyID != testCreds.AccessKeyID || a.Region != "us-east-1" || a.Service != "s3" ||
					a.Date != "20261122" || a.PayloadHash != EmptySHA256 || a.Presigned {
					t.Errorf("auth = %+v", a)
				}
				// Any other region and a non-s3 service verify too (the key
				// derives from the scope).
				Sign(r, testCreds, "eu-west-3", "iam", EmptySHA256, testNow)
				if _, err := v.Verify(r, testNow); err != nil {
					t.Fatalf("iam/eu-west-3: %v", err)
				}
			})
		}
	}
}

// TestTamperingRejected changes one thing at a time in a signed request.
func TestTamperingRejected(t *testing.T) {
	const target = "/bucket/key%20a?partNumber=1&uploadId=x%2By"
	sign := func() *http.Request {
		r := newReq("PUT", target, "")
		r.Header.Set("X-Amz-Meta-A", "b")
		r.Header.Set("Content-Type", "text/plain")
		Sign(r, testCreds, "us-east-1", "s3", UnsignedPayload, testNow)
		return r
	}
	setTarget := func(r *http.Request, t string) {
		r.RequestURI = t
		r.URL, _ = url.ParseRequestURI(t)
	}
	tests := []struct {
		name   string
		tamper func(r *http.Request)
	}{
		{"path", func(r *http.Request) { setTarget(r, strings.Replace(target, "key", "kez", 1)) }},
		{"path encoding", func(r *http.Request) { setTarget(r, strings.Replace(target, "%20", "%2520", 1)) }},
		{"query value", func(r *http.Request) { setTarget(r, strings.Replace(target, "partNumber=1", "partNumber=2", 1)) }},
		{"query %2B to +", func(r *http.Request) { setTarget(r, strings.Replace(target, "%2B", "+", 1)) }},
		{"query added", func(r *http.Request) { setTarget(r, target+"&acl") }},
		{"query dropped", func(r *http.Request) { setTarget(r, "/bucket/key%20a?partNumber=1") }},
		{"method", func(r *http.Request) { r.Method = "POST" }},
		{"host", func(r *http.Request) { r.Host = "127.0.0.1:8766" }},
		{"signed header", func(r *http.Request) { r.Header.Set("X-Amz-Meta-A", "c") }},
		{"signed header dropped", func(r *http.Request) { r.Header.Del("Content-Type") }},
		{"signed header second value", func(r *http.Request) { r.Header.Add("X-Amz-Meta-A", "c") }},
		{"payload hash", func(r *http.Request) { r.Header.Set("X-Amz-Content-Sha256", EmptySHA256) }},
		{"date within skew", func(r *http.Request) { r.Header.Set("X-Amz-Date", "20261122T031909Z") }},
		{"signature", func(r *http.Request) {
			h := r.Header.Get("Authorization")
			r.Header.Set("Authorization", h[:len(h)-2]+"00")
		}},
		{"region", func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "us-east-1", "us-east-2", 1))
		}},
		{"signed headers list", func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "content-type;", "", 1))
		}},
	}
	if _, err := Verify(sign(), testLookup, testNow); err != nil {
		t.Fatalf("untampered: %v", err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := sign()
			tc.tamper(r)
			_, err := Verify(r, testLookup, testNow)
			if !errors.Is(err, ErrSignatureMismatch) {
				t.Fatalf("err = %v, want ErrSignatureMismatch", err)
			}
			var sm *SignatureMismatchError
			if !errors.As(err, &sm) || sm.CanonicalRequest == "" || !strings.HasPrefix(sm.StringToSign, algorithm+"\n") {
				t.Errorf("no canonical request in %#v", err)
			}
		})
	}
}

func TestVerifyErrors(t *testing.T) {
	signed := func(mod func(r *http.Request)) *http.Request {
		r := newReq("GET", "/bucket/key", "")
		Sign(r, testCreds, "us-east-1", "s3", EmptySHA256, testNow)
		if mod != nil {
			mod(r)
		}
		return r
	}
	setAuth := func(v string) func(r *http.Request) {
		return func(r *http.Request) { r.Header.Set("Authorization", v) }
	}
	replAuth := func(old, new string) func(r *http.Request) {
		return func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), old, new, 1))
		}
	}
	sig := strings.Repeat("a", 64)
	cred := "Credential=AKIAEXAMPLEKEY000001/20261122/us-east-1/s3/aws4_request"
	tests := []struct {
		name string
		r    *http.Request
		now  time.Time
		want error
	}{
		{"anonymous", newReq("GET", "/bucket/key", ""), testNow, ErrMissingAuth},
		{"unknown key", signed(replAuth("AKIAEXAMPLEKEY000001", "AKIAUNKNOWN")), testNow, ErrInvalidAccessKeyID},
		{"skew past", signed(nil), testNow.Add(16 * time.Minute), ErrRequestTimeTooSkewed},
		{"skew future", signed(nil), testNow.Add(-16 * time.Minute), ErrRequestTimeTooSkewed},
		{"sigv2", signed(setAuth("AWS AKIAEXAMPLEKEY000001:abc=")), testNow, ErrUnsupportedAlgorithm},
		{"sigv4a", signed(replAuth("AWS4-HMAC-SHA256", "AWS4-ECDSA-P256-SHA256")), testNow, ErrUnsupportedAlgorithm},
		{"sigv2 presign", newReq("GET", "/b/k?AWSAccessKeyId=AK&Expires=1&Signature=x", ""), testNow, ErrUnsupportedAlgorithm},
		{"empty header", signed(setAuth("")), testNow, ErrMalformedAuth},
		{"two headers", signed(func(r *http.Request) { r.Header.Add("Authorization", r.Header.Get("Authorization")) }), testNow, ErrMalformedAuth},
		{"no components", signed(setAuth("AWS4-HMAC-SHA256")), testNow, ErrMalformedAuth},
		{"no signature", signed(setAuth("AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host")), testNow, ErrMalformedAuth},
		{"short signature", signed(setAuth("AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host, Signature=abc")), testNow, ErrMalformedAuth},
		{"upper signature", signed(setAuth("AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host, Signature=" + strings.ToUpper(sig))), testNow, ErrMalformedAuth},
		{"dup component", signed(setAuth("AWS4-HMAC-SHA256 " + cred + ", " + cred + ", SignedHeaders=host, Signature=" + sig)), testNow, ErrMalformedAuth},
		{"unknown component", signed(setAuth("AWS4-HMAC-SHA256 " + cred + ", Foo=1, SignedHeaders=host, Signature=" + sig)), testNow, ErrMalformedAuth},
		{"no host signed", signed(setAuth("AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=x-amz-date, Signature=" + sig)), testNow, ErrMalformedAuth},
		{"upper signed header", signed(setAuth("AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=Host, Signature=" + sig)), testNow, ErrMalformedAuth},
		{"dup signed header", signed(setAuth("AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host;host, Signature=" + sig)), testNow, ErrMalformedAuth},
		{"bad terminator", signed(replAuth("aws4_request", "aws5_request")), testNow, ErrMalformedAuth},
		{"short credential", signed(replAuth("/s3/aws4_request", "/aws4_request")), testNow, ErrMalformedAuth},
		{"bad scope date", signed(replAuth("/20261122/", "/2026112x/")), testNow, ErrMalformedAuth},
		{"scope date differs", signed(replAuth("/20261122/", "/20261121/")), testNow, ErrMalformedAuth},
		{"no date", signed(func(r *http.Request) { r.Header.Del("X-Amz-Date") }), testNow, ErrMissingDate},
		{"bad date", signed(func(r *http.Request) { r.Header.Set("X-Amz-Date", "2026-11-22") }), testNow, ErrMissingDate},
		{"bad content sha", signed(func(r *http.Request) { r.Header.Set("X-Amz-Content-Sha256", "abc") }), testNow, ErrInvalidContentSHA256},
		{"sigv4a streaming", signed(func(r *http.Request) {
			r.Header.Set("X-Amz-Content-Sha256", "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD")
		}), testNow, ErrInvalidContentSHA256},
		{"s3 without content sha", signed(func(r *http.Request) { r.Header.Del("X-Amz-Content-Sha256") }), testNow, ErrMissingContentSHA256},
		{"header and query", signed(func(r *http.Request) {
			r.URL.RawQuery = "X-Amz-Signature=" + sig
			r.RequestURI = "/bucket/key?" + r.URL.RawQuery
		}), testNow, ErrMalformedAuth},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, err := Verify(tc.r, testLookup, tc.now)
			if !errors.Is(err, tc.want) || a != nil {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestSkewBoundaries(t *testing.T) {
	for _, d := range []time.Duration{-15 * time.Minute, -time.Minute, 0, 14 * time.Minute, 15 * time.Minute} {
		r := newReq("GET", "/b", "")
		Sign(r, testCreds, "us-east-1", "s3", "", testNow)
		if _, err := Verify(r, testLookup, testNow.Add(d)); err != nil {
			t.Errorf("skew %v: %v", d, err)
		}
	}
}

// With only a Date header (no X-Amz-Date) the request time comes from Date.
func TestDateHeaderOnly(t *testing.T) {
	r2 := newReq("GET", "/bucket/key", "")
	r2.Header.Set("Date", testNow.Format(http.TimeFormat))
	r2.Header.Set("X-Amz-Content-Sha256", EmptySHA256)
	key := SigningKey(testCreds.SecretAccessKey, "20261122", "us-east-1", "s3")
	signed := []string{"date", "host", "x-amz-content-sha256"}
	creq := canonicalRequest(r2, "/bucket/key", "", signed, EmptySHA256)
	sig := signHex(key, stringToSign("20261122T031908Z", "20261122/us-east-1/s3/aws4_request", creq))
	r2.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIAEXAMPLEKEY000001/20261122/us-east-1/s3/aws4_request,SignedHeaders=date;host;x-amz-content-sha256,Signature="+sig)
	got, err := Verify(r2, testLookup, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if got.AmzDate != "20261122T031908Z" || !got.Time.Equal(testNow) {
		t.Errorf("date %s %v", got.AmzDate, got.Time)
	}
}

func TestTransferEncodingSigned(t *testing.T) {
	r := newReq("PUT", "/bucket/key", "")
	r.TransferEncoding = []string{"chunked"}
	r.ContentLength = -1
	r.Header.Set("Content-Encoding", "aws-chunked")
	SignWithHeaders(r, testCreds, "us-east-1", "s3", StreamingUnsignedPayloadTrailer, testNow,
		[]string{"transfer-encoding", "content-encoding"})
	if !strings.Contains(r.Header.Get("Authorization"), "transfer-encoding") {
		t.Fatal("transfer-encoding not signed")
	}
	// Go's server leaves Transfer-Encoding out of r.Header.
	if _, err := Verify(r, testLookup, testNow); err != nil {
		t.Fatal(err)
	}
	// A header-carried value (client-side requests) is used as is.
	r.Header.Set("Transfer-Encoding", "chunked")
	if _, err := Verify(r, testLookup, testNow); err != nil {
		t.Fatal(err)
	}
	r.Header.Del("Transfer-Encoding")
	r.TransferEncoding = nil
	if _, err := Verify(r, testLookup, testNow); !errors.Is(err, ErrSignatureMismatch) {
		t.Fatalf("transfer-encoding removed: %v", err)
	}
}

func TestContentLengthSigned(t *testing.T) {
	r := newReq("PUT", "/bucket/key", "hello")
	SignWithHeaders(r, testCreds, "us-east-1", "s3", "", testNow, []string{"content-length"})
	if _, err := Verify(r, testLookup, testNow); err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Content-Length", "5")
	if _, err := Verify(r, testLookup, testNow); err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Content-Length", "6")
	if _, err := Verify(r, testLookup, testNow); !errors.Is(err, ErrSignatureMismatch) {
		t.Fatalf("content-length changed: %v", err)
	}
}

func TestKeyCacheBounded(t *testing.T) {
	v := NewVerifier(testLookup)
	for i := range keyCacheSize + 10 {
		r := newReq("GET", "/b", "")
		Sign(r, testCreds, fmt.Sprintf("region-%d", i), "s3", "", testNow)
		if _, err := v.Verify(r, testNow); err != nil {
			t.Fatal(err)
		}
		if _, err := v.Verify(r, testNow); err != nil { // from the cache
			t.Fatal(err)
		}
	}
	if n := len(v.keys.m); n > keyCacheSize || n == 0 {
		t.Fatalf("cache size %d", n)
	}
	// Failed verifications do not populate it.
	v = NewVerifier(testLookup)
	r := newReq("GET", "/b", "")
	Sign(r, testCreds, "us-east-1", "s3", "", testNow)
	r.Host = "elsewhere"
	if _, err := v.Verify(r, testNow); !errors.Is(err, ErrSignatureMismatch) {
		t.Fatal(err)
	}
	if len(v.keys.m) != 0 {
		t.Fatal("failed verification cached a key")
	}
}

func TestPayloadHashBody(t *testing.T) {
	const body = "Welcome to Amazon S3."
	const sum = "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072"
	tests := []struct {
		name, hash, body string
		want             error
	}{
		{"hex ok", sum, body, nil},
		{"hex upper ok", strings.ToUpper(sum), body, nil},
		{"hex mismatch", sum, body + "!", ErrContentSHA256Mismatch},
		{"empty ok", EmptySHA256, "", nil},
		{"empty body, other hash", sum, "", ErrContentSHA256Mismatch},
		{"empty hash, body", EmptySHA256, "x", ErrContentSHA256Mismatch},
		{"unsigned", UnsignedPayload, body, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newReq("PUT", "/b/k", tc.body)
			Sign(r, testCreds, "us-east-1", "s3", tc.hash, testNow)
			a, err := Verify(r, testLookup, testNow)
			if err != nil {
				t.Fatal(err)
			}
			br, err := a.Body(r)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(iotest.OneByteReader(br))
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if string(got) != tc.body {
				t.Fatalf("body %q", got)
			}
			if br.DecodedLength() != int64(len(tc.body)) {
				t.Errorf("DecodedLength %d", br.DecodedLength())
			}
		})
	}
}

// The Query protocol (IAM, STS) sends no X-Amz-Content-SHA256: the caller
// buffers the body and supplies its hash.
func TestQueryProtocolBody(t *testing.T) {
	const form = "Action=ListUsers&Version=2010-05-08"
	r := newReq("POST", "/", form)
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	h := sha256Hex([]byte(form))
	Sign(r, testCreds, "us-east-1", "iam", h, testNow)
	v := NewVerifier(testLookup)
	if _, err := v.Verify(r, testNow); !errors.Is(err, ErrMissingContentSHA256) {
		t.Fatalf("without hash: %v", err)
	}
	ph, err := BufferBody(r, 1<<20)
	if err != nil || ph != h {
		t.Fatalf("BufferBody %s %v", ph, err)
	}
	a, err := v.VerifyWithPayloadHash(r, testNow, ph)
	if err != nil {
		t.Fatal(err)
	}
	br, _ := a.Body(r)
	if got, err := io.ReadAll(br); err != nil || string(got) != form {
		t.Fatalf("body %q %v", got, err)
	}
	// A different body hashes differently and fails the signature.
	r2 := newReq("POST", "/", form+"&Marker=x")
	r2.Header = r.Header.Clone()
	ph2, _ := BufferBody(r2, 1<<20)
	if _, err := v.VerifyWithPayloadHash(r2, testNow, ph2); !errors.Is(err, ErrSignatureMismatch) {
		t.Fatalf("other body: %v", err)
	}
	if _, err := BufferBody(newReq("POST", "/", form), 5); !errors.Is(err, ErrBodyTooLarge) {
		t.Fatalf("limit: %v", err)
	}
	if _, err := v.VerifyWithPayloadHash(r, testNow, "nothex"); !errors.Is(err, ErrInvalidContentSHA256) {
		t.Fatalf("bad supplied hash: %v", err)
	}
}

func TestAnonymousBody(t *testing.T) {
	var a *Auth
	r := newReq("PUT", "/b/k", string(EncodeChunked([]byte("hello world"), 4, http.Header{"X-Amz-Checksum-Crc32": {"DUoRhQ=="}})))
	r.Header.Set("X-Amz-Content-Sha256", StreamingUnsignedPayloadTrailer)
	br, err := a.Body(r)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(br)
	if err != nil || string(got) != "hello world" || br.Trailers().Get("X-Amz-Checksum-Crc32") != "DUoRhQ==" {
		t.Fatalf("%q %v %v", got, err, br.Trailers())
	}
	r.Header.Set("X-Amz-Content-Sha256", StreamingPayload)
	if _, err := a.Body(r); !errors.Is(err, ErrMissingAuth) {
		t.Fatalf("signed streaming anonymous: %v", err)
	}
	r.Header.Set("X-Amz-Content-Sha256", "junk")
	if _, err := a.Body(r); !errors.Is(err, ErrInvalidContentSHA256) {
		t.Fatalf("junk: %v", err)
	}
	r = newReq("PUT", "/b/k", "plain")
	br, _ = a.Body(r)
	if got, _ := io.ReadAll(br); string(got) != "plain" {
		t.Fatal(string(got))
	}
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
