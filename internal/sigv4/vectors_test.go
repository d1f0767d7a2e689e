package sigv4

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ferrys3/ferry/internal/checksum"
)

// Credentials of AWS's published examples.
const (
	suiteKeyID  = "AKIDEXAMPLE"
	suiteSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" // aws-sig-v4-test-suite
	s3KeyID     = "AKIAIOSFODNN7EXAMPLE"
	s3Secret    = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" // S3 API reference examples
)

func staticLookup(pairs ...string) Lookup {
	m := map[string]string{}
	for i := 0; i+1 < len(pairs); i += 2 {
		m[pairs[i]] = pairs[i+1]
	}
	return func(id string) (string, error) {
		s, ok := m[id]
		if !ok {
			return "", ErrInvalidAccessKeyID
		}
		return s, nil
	}
}

var vectorLookup = staticLookup(suiteKeyID, suiteSecret, s3KeyID, s3Secret)

func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(amzDateFormat, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

// TestPublishedVectors verifies requests exactly as AWS publishes them in
// the SigV4 test suite and the S3 API reference ("Examples: Signature
// Calculations").
func TestPublishedVectors(t *testing.T) {
	const suiteAuth = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature="
	const s3Cred = "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
	tests := []struct {
		name, method, target, host, body, now string
		headers                               [][2]string
	}{
		{"get-vanilla", "GET", "/", "example.amazonaws.com", "", "20150830T123600Z", [][2]string{
			{"X-Amz-Date", "20150830T123600Z"},
			{"Authorization", suiteAuth + "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"}}},
		{"get-vanilla-query-order-key-case", "GET", "/?Param2=value2&Param1=value1", "example.amazonaws.com", "", "20150830T123600Z", [][2]string{
			{"X-Amz-Date", "20150830T123600Z"},
			{"Authorization", suiteAuth + "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"}}},
		{"post-vanilla", "POST", "/", "example.amazonaws.com", "", "20150830T123600Z", [][2]string{
			{"X-Amz-Date", "20150830T123600Z"},
			{"Authorization", suiteAuth + "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"}}},
		{"s3-get-object", "GET", "/test.txt", "examplebucket.s3.amazonaws.com", "", "20130524T000000Z", [][2]string{
			{"Range", "bytes=0-9"},
			{"X-Amz-Content-Sha256", EmptySHA256},
			{"X-Amz-Date", "20130524T000000Z"},
			{"Authorization", s3Cred + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"}}},
		{"s3-put-object", "PUT", "/test%24file.text", "examplebucket.s3.amazonaws.com", "Welcome to Amazon S3.", "20130524T000000Z", [][2]string{
			{"Date", "Fri, 24 May 2013 00:00:00 GMT"},
			{"X-Amz-Date", "20130524T000000Z"},
			{"X-Amz-Storage-Class", "REDUCED_REDUNDANCY"},
			{"X-Amz-Content-Sha256", "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072"},
			{"Authorization", s3Cred + "SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class, Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"}}},
		{"s3-get-bucket-lifecycle", "GET", "/?lifecycle", "examplebucket.s3.amazonaws.com", "", "20130524T000000Z", [][2]string{
			{"X-Amz-Date", "20130524T000000Z"},
			{"X-Amz-Content-Sha256", EmptySHA256},
			{"Authorization", s3Cred + "SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"}}},
		{"s3-list-objects", "GET", "/?max-keys=2&prefix=J", "examplebucket.s3.amazonaws.com", "", "20130524T000000Z", [][2]string{
			{"X-Amz-Date", "20130524T000000Z"},
			{"X-Amz-Content-Sha256", EmptySHA256},
			{"Authorization", s3Cred + "SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"}}},
		{"s3-presigned-get", "GET", "/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404",
			"examplebucket.s3.amazonaws.com", "", "20130524T120000Z", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, tc.target, strings.NewReader(tc.body))
			r.Host = tc.host
			for _, h := range tc.headers {
				r.Header.Set(h[0], h[1])
			}
			a, err := Verify(r, vectorLookup, mustTime(t, tc.now))
			if err != nil {
				var sm *SignatureMismatchError
				if errors.As(err, &sm) {
					t.Logf("canonical request:\n%s\nstring to sign:\n%s", sm.CanonicalRequest, sm.StringToSign)
				}
				t.Fatal(err)
			}
			body, err := a.Body(r)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(body)
			if err != nil || string(got) != tc.body {
				t.Fatalf("body %q, %v", got, err)
			}
			// A one-digit change of the signature must not verify.
			if h := r.Header.Get("Authorization"); h != "" {
				r.Header.Set("Authorization", h[:len(h)-1]+string("10"[h[len(h)-1]&1]))
				if _, err := Verify(r, vectorLookup, mustTime(t, tc.now)); !errors.Is(err, ErrSignatureMismatch) {
					t.Fatalf("altered signature: %v", err)
				}
			}
		})
	}
}

// awsStreamingRequest is the S3 API reference's aws-chunked example: 65 KiB
// of 'a' in a 64 KiB and a 1 KiB chunk, with and without a signed trailer.
type awsStreamingExample struct {
	mode, signedHeaders, seed string
	chunkSigs                 [3]string
	trailer, trailerSig       string
}

var (
	awsStreaming = awsStreamingExample{
		mode:          StreamingPayload,
		signedHeaders: "content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class",
		seed:          "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9",
		chunkSigs: [3]string{
			"ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
			"0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
			"b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
		},
	}
	awsStreamingTrailer = awsStreamingExample{
		mode:          StreamingPayloadTrailer,
		signedHeaders: "content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class;x-amz-trailer",
		seed:          "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e",
		chunkSigs: [3]string{
			"b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2",
			"1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7",
			"2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992",
		},
		trailer:    "x-amz-checksum-crc32c:sOO8/Q==",
		trailerSig: "d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435",
	}
	awsChunk1 = strings.Repeat("a", 65536)
	awsChunk2 = strings.Repeat("a", 1024)
)

func (e awsStreamingExample) body() string {
	b := "10000;chunk-signature=" + e.chunkSigs[0] + "\r\n" + awsChunk1 + "\r\n" +
		"400;chunk-signature=" + e.chunkSigs[1] + "\r\n" + awsChunk2 + "\r\n" +
		"0;chunk-signature=" + e.chunkSigs[2] + "\r\n"
	if e.trailer != "" {
		b += e.trailer + "\r\n" + "x-amz-trailer-signature:" + e.trailerSig + "\r\n"
	}
	return b + "\r\n"
}

func (e awsStreamingExample) request(body string) *http.Request {
	r := httptest.NewRequest("PUT", "/examplebucket/chunkObject.txt", strings.NewReader(body))
	r.Host = "s3.amazonaws.com"
	r.Header.Set("X-Amz-Date", "20130524T000000Z")
	r.Header.Set("X-Amz-Storage-Class", "REDUCED_REDUNDANCY")
	r.Header.Set("X-Amz-Content-Sha256", e.mode)
	r.Header.Set("Content-Encoding", "aws-chunked")
	r.Header.Set("X-Amz-Decoded-Content-Length", "66560")
	r.Header.Set("Content-Length", "66824")
	if e.trailer != "" {
		r.Header.Set("X-Amz-Trailer", "x-amz-checksum-crc32c")
	}
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "+
		"SignedHeaders="+e.signedHeaders+", Signature="+e.seed)
	return r
}

func TestPublishedStreamingVectors(t *testing.T) {
	now := mustTime(t, "20130524T000100Z")
	for _, e := range []awsStreamingExample{awsStreaming, awsStreamingTrailer} {
		t.Run(e.mode, func(t *testing.T) {
			r := e.request(e.body())
			a, err := Verify(r, vectorLookup, now)
			if err != nil {
				t.Fatalf("seed signature: %v", err)
			}
			br, err := a.Body(r)
			if err != nil {
				t.Fatal(err)
			}
			if br.DecodedLength() != 66560 {
				t.Errorf("DecodedLength %d", br.DecodedLength())
			}
			got, err := io.ReadAll(br)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if string(got) != awsChunk1+awsChunk2 {
				t.Fatalf("decoded %d bytes", len(got))
			}
			if e.trailer != "" {
				v := br.Trailers().Get("x-amz-checksum-crc32c")
				h, _ := checksum.New(checksum.CRC32C)
				h.Write(got)
				if v != "sOO8/Q==" || checksum.Encode(h.Sum(nil)) != v {
					t.Errorf("trailer %q, crc32c of data %s", v, checksum.Encode(h.Sum(nil)))
				}
			}
			// Our signer must reproduce the documented chain exactly.
			if enc := SignChunked(got, 65536, a, trailerHeader(e.trailer)); string(enc) != e.body() {
				t.Errorf("SignChunked does not reproduce the documented body")
			}
		})
	}
}

func trailerHeader(line string) http.Header {
	if line == "" {
		return nil
	}
	k, v, _ := strings.Cut(line, ":")
	return http.Header{k: {v}}
}
