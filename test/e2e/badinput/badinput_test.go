package badinput

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ferrys3/ferry/internal/s3xml"
	"github.com/ferrys3/ferry/internal/sigv4"
)

const (
	victimBody = "0123456789" // fixture/victim, 10 bytes
	newBody    = "replacement body"
)

func crc32b64(b []byte) string {
	var s [4]byte
	binary.BigEndian.PutUint32(s[:], crc32.ChecksumIEEE(b))
	return base64.StdEncoding.EncodeToString(s[:])
}

// fixture is the state every case starts from (and must leave unchanged).
type fixture struct {
	s            *server
	uploadID     string // fixture/mpu, parts 1 and 2 (small)
	etag1, etag2 string
	big          []byte // fixture/big, blob-backed
	account      string // the caller's account ID (canonical user ID)
}

func setup(t *testing.T) *fixture {
	s := startServer(t)
	f := &fixture{s: s}
	s.mustOK(t, http.MethodPut, "/fixture", nil, nil)
	s.mustOK(t, http.MethodPut, "/full", nil, nil)
	s.mustOK(t, http.MethodPut, "/fixture/victim", []byte(victimBody), map[string]string{"Content-Type": "text/plain", "x-amz-meta-origin": "fixture"})
	s.mustOK(t, http.MethodPut, "/fixture/empty", []byte{}, nil)
	f.big = bytes.Repeat([]byte("0123456789abcdef"), 200<<10/16)
	s.mustOK(t, http.MethodPut, "/fixture/big", f.big, nil)
	s.mustOK(t, http.MethodPut, "/full/x", []byte("x"), nil)
	var init s3xml.InitiateMultipartUploadResult
	r := s.mustOK(t, http.MethodPost, "/fixture/mpu?uploads", nil, nil)
	if err := xmlUnmarshal(r.body, &init); err != nil {
		t.Fatal(err)
	}
	f.uploadID = init.UploadID
	f.etag1 = s.mustOK(t, http.MethodPut, "/fixture/mpu?partNumber=1&uploadId="+f.uploadID, []byte("part-one"), nil).header.Get("ETag")
	f.etag2 = s.mustOK(t, http.MethodPut, "/fixture/mpu?partNumber=2&uploadId="+f.uploadID, []byte("part-two"), nil).header.Get("ETag")
	// A bucket policy on fixture (so a refused PutBucketPolicy visibly keeps
	// it), and "writer": ACLs enabled (ObjectWriter), a public object, then
	// BlockPublicAcls on.
	var lb s3xml.ListAllMyBucketsResult
	s.decode(t, "/", &lb)
	f.account = lb.Owner.ID
	pol := []byte(fixturePolicy(f.account, "fixture/*"))
	s.mustOK(t, http.MethodPut, "/fixture?policy", pol, map[string]string{"Content-MD5": md5b64(pol)})
	s.mustOK(t, http.MethodPut, "/writer", nil, map[string]string{"x-amz-object-ownership": "ObjectWriter"})
	s.mustOK(t, http.MethodDelete, "/writer?publicAccessBlock", nil, nil)
	s.mustOK(t, http.MethodPut, "/writer/pub", []byte("p"), map[string]string{"x-amz-acl": "public-read"})
	s.mustOK(t, http.MethodPut, "/writer?acl", nil, map[string]string{"x-amz-acl": "log-delivery-write"})
	pab := []byte("<PublicAccessBlockConfiguration><BlockPublicAcls>true</BlockPublicAcls></PublicAccessBlockConfiguration>")
	s.mustOK(t, http.MethodPut, "/writer?publicAccessBlock", pab, map[string]string{"Content-MD5": md5b64(pab)})
	return f
}

func fixturePolicy(account, resource string) string {
	return `{"Version":"2012-10-17","Statement":[{"Sid":"owner","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account +
		`:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::` + resource + `"}]}`
}

// badCase is one malformed request.
type badCase struct {
	name     string
	send     func(t *testing.T, f *fixture) result
	statuses []int
	codes    []string // accepted codes; empty: any
	message  string   // exact Message, when AWS's is known
	check    func(t *testing.T, f *fixture, r result, doc errorDoc)
}

func st(s ...int) []int          { return s }
func codes(c ...string) []string { return c }

// putReq signs a PUT of body to target with extra headers.
func putReq(t *testing.T, f *fixture, target string, body []byte, hdr map[string]string) *http.Request {
	return f.s.signed(t, http.MethodPut, target, body, hdr)
}

// chunked builds an aws-chunked PUT. mode is a streaming payload mode;
// trailers are sent (and, for the signed trailer mode, signed); mutate may
// corrupt the encoded body; declared overrides X-Amz-Decoded-Content-Length
// (-1: the true length, -2: no header).
func chunked(t *testing.T, f *fixture, target, mode string, payload []byte, chunk int, trailers http.Header,
	declared int, mutate func([]byte) []byte) *http.Request {
	t.Helper()
	req := f.s.newRequest(t, http.MethodPut, target, nil)
	if declared == -1 {
		declared = len(payload)
	}
	req.Header.Set("Content-Encoding", "aws-chunked")
	if declared >= 0 {
		req.Header.Set("X-Amz-Decoded-Content-Length", strconv.Itoa(declared))
	}
	if len(trailers) > 0 {
		for k := range trailers {
			req.Header.Set("X-Amz-Trailer", strings.ToLower(k))
		}
	}
	auth := sigv4.Sign(req, creds, region, "s3", mode, time.Now())
	var body []byte
	if mode == sigv4.StreamingUnsignedPayloadTrailer {
		body = sigv4.EncodeChunked(payload, chunk, trailers)
	} else {
		body = sigv4.SignChunked(payload, chunk, auth, trailers)
	}
	if mutate != nil {
		body = mutate(body)
	}
	req.Body = http.NoBody
	if len(body) > 0 {
		req.Body = nopCloser{bytes.NewReader(body)}
	}
	req.ContentLength = int64(len(body))
	return req
}

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }

// flipHex changes the hex character at i in s.
func flipHex(s string, i int) string {
	c := s[i]
	r := byte('0')
	if c == '0' {
		r = '1'
	}
	return s[:i] + string(r) + s[i+1:]
}

func deleteBody(keys ...string) []byte {
	var b strings.Builder
	b.WriteString("<Delete>")
	for _, k := range keys {
		fmt.Fprintf(&b, "<Object><Key>%s</Key></Object>", k)
	}
	b.WriteString("</Delete>")
	return []byte(b.String())
}

func completeBody(parts ...string) []byte { // "n:etag"
	var b strings.Builder
	b.WriteString("<CompleteMultipartUpload>")
	for _, p := range parts {
		n, etag, _ := strings.Cut(p, ":")
		fmt.Fprintf(&b, "<Part><PartNumber>%s</PartNumber><ETag>%s</ETag></Part>", n, etag)
	}
	b.WriteString("</CompleteMultipartUpload>")
	return []byte(b.String())
}

func TestBadInput(t *testing.T) {
	f := setup(t)
	payload := []byte(newBody)
	big := bytes.Repeat([]byte("z"), 300<<10)

	cases := []badCase{
		// --- authentication -------------------------------------------------
		{name: "auth/BadSignature", statuses: st(403), codes: codes("SignatureDoesNotMatch"),
			send: func(t *testing.T, f *fixture) result {
				req := putReq(t, f, "/fixture/victim", payload, nil)
				a := req.Header.Get("Authorization")
				req.Header.Set("Authorization", flipHex(a, len(a)-7))
				return do(t, req)
			}},
		{name: "auth/BadSignatureHEAD", statuses: st(403),
			send: func(t *testing.T, f *fixture) result {
				req := f.s.signed(t, http.MethodHead, "/fixture/victim", nil, nil)
				a := req.Header.Get("Authorization")
				req.Header.Set("Authorization", flipHex(a, len(a)-1))
				return do(t, req)
			}},
		{name: "auth/BodyChangedAfterSigning", statuses: st(400, 403), codes: codes("XAmzContentSHA256Mismatch", "SignatureDoesNotMatch"),
			send: func(t *testing.T, f *fixture) result {
				req := putReq(t, f, "/fixture/victim", payload, nil)
				other := []byte(strings.ToUpper(newBody))
				req.Body, req.ContentLength = nopCloser{bytes.NewReader(other)}, int64(len(other))
				return do(t, req)
			}},
		{name: "auth/UnknownAccessKey", statuses: st(403), codes: codes("InvalidAccessKeyId"),
			send: func(t *testing.T, f *fixture) result {
				req := f.s.newRequest(t, http.MethodPut, "/fixture/victim", payload)
				sigv4.Sign(req, sigv4.Credentials{AccessKeyID: "AKIAUNKNOWNKEY000000", SecretAccessKey: secretKey}, region, "s3", sha256hex(payload), time.Now())
				return do(t, req)
			}},
		{name: "auth/Anonymous", statuses: st(403), codes: codes("AccessDenied"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, f.s.newRequest(t, http.MethodPut, "/fixture/victim", payload))
			}},
		{name: "auth/AnonymousGET", statuses: st(403), codes: codes("AccessDenied"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, f.s.newRequest(t, http.MethodGet, "/fixture/victim", nil))
			}},
		{name: "auth/DateSkewedPast", statuses: st(403), codes: codes("RequestTimeTooSkewed"),
			send: func(t *testing.T, f *fixture) result {
				req := f.s.newRequest(t, http.MethodPut, "/fixture/victim", payload)
				sigv4.Sign(req, creds, region, "s3", sha256hex(payload), time.Now().Add(-20*time.Minute))
				return do(t, req)
			}},
		{name: "auth/DateSkewedFuture", statuses: st(403), codes: codes("RequestTimeTooSkewed"),
			send: func(t *testing.T, f *fixture) result {
				req := f.s.newRequest(t, http.MethodPut, "/fixture/victim", payload)
				sigv4.Sign(req, creds, region, "s3", sha256hex(payload), time.Now().Add(20*time.Minute))
				return do(t, req)
			}},
		// AWS: 400 AuthorizationHeaderMalformed "The authorization header is
		// malformed; the Credential is mal-formed; expecting
		// "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request"."
		{name: "auth/MalformedCredential", statuses: st(400), codes: codes("AuthorizationHeaderMalformed"),
			send: func(t *testing.T, f *fixture) result {
				req := putReq(t, f, "/fixture/victim", payload, nil)
				a := req.Header.Get("Authorization")
				i, j := strings.Index(a, "Credential="), strings.Index(a, ",")
				req.Header.Set("Authorization", a[:i]+"Credential="+accessKey+"/garbage"+a[j:])
				return do(t, req)
			}},
		// AWS: 400 AuthorizationHeaderMalformed "... the authorization header
		// requires three components: Credential, SignedHeaders, and Signature."
		{name: "auth/MissingSignatureComponent", statuses: st(400), codes: codes("AuthorizationHeaderMalformed"),
			send: func(t *testing.T, f *fixture) result {
				req := putReq(t, f, "/fixture/victim", payload, nil)
				a := req.Header.Get("Authorization")
				req.Header.Set("Authorization", a[:strings.LastIndex(a, ",")])
				return do(t, req)
			}},
		// AWS: 400 AuthorizationHeaderMalformed "... incorrect service "iam".
		// This endpoint belongs to "s3"."
		{name: "auth/WrongServiceInScope", statuses: st(400), codes: codes("AuthorizationHeaderMalformed"),
			send: func(t *testing.T, f *fixture) result {
				req := f.s.newRequest(t, http.MethodPut, "/fixture/victim", payload)
				req.Header.Set("X-Amz-Content-Sha256", sha256hex(payload))
				sigv4.Sign(req, creds, region, "iam", sha256hex(payload), time.Now())
				return do(t, req)
			}},
		// AWS: 403 AccessDenied "AWS authentication requires a valid Date or
		// x-amz-date header".
		{name: "auth/MissingDate", statuses: st(403), codes: codes("AccessDenied"),
			send: func(t *testing.T, f *fixture) result {
				req := putReq(t, f, "/fixture/victim", payload, nil)
				req.Header.Del("X-Amz-Date")
				return do(t, req)
			}},
		// AWS: 400 InvalidArgument "Unsupported Authorization Type".
		{name: "auth/UnsupportedScheme", statuses: st(400), codes: codes("InvalidArgument"),
			send: func(t *testing.T, f *fixture) result {
				req := f.s.newRequest(t, http.MethodPut, "/fixture/victim", payload)
				req.Header.Set("Authorization", "Bearer abc.def.ghi")
				return do(t, req)
			}},
		// AWS: 400 InvalidArgument "Only one auth mechanism allowed; only the
		// X-Amz-Algorithm query parameter, Signature query string parameter or
		// the Authorization header should be specified".
		{name: "auth/HeaderAndQueryAuth", statuses: st(400), codes: codes("InvalidArgument"),
			send: func(t *testing.T, f *fixture) result {
				pre := f.s.newRequest(t, http.MethodPut, "/fixture/victim", nil)
				u := sigv4.Presign(pre, creds, region, "s3", time.Now(), time.Hour)
				req, _ := http.NewRequest(http.MethodPut, u, bytes.NewReader(payload))
				sigv4.Sign(req, creds, region, "s3", sha256hex(payload), time.Now())
				return do(t, req)
			}},

		// --- presigned URLs -------------------------------------------------
		{name: "presign/TamperedPath", statuses: st(403), codes: codes("SignatureDoesNotMatch"),
			send: func(t *testing.T, f *fixture) result {
				pre := f.s.newRequest(t, http.MethodPut, "/fixture/victim", nil)
				u := sigv4.Presign(pre, creds, region, "s3", time.Now(), time.Hour)
				u = strings.Replace(u, "/fixture/victim?", "/fixture/other?", 1)
				req, _ := http.NewRequest(http.MethodPut, u, bytes.NewReader(payload))
				return do(t, req)
			}},
		{name: "presign/TamperedQuery", statuses: st(403), codes: codes("SignatureDoesNotMatch"),
			send: func(t *testing.T, f *fixture) result {
				pre := f.s.newRequest(t, http.MethodGet, "/fixture/victim", nil)
				u := sigv4.Presign(pre, creds, region, "s3", time.Now(), time.Hour)
				req, _ := http.NewRequest(http.MethodGet, u+"&response-content-type=text%2Fhtml", nil)
				return do(t, req)
			}},
		{name: "presign/Expired", statuses: st(403), codes: codes("AccessDenied"), message: "Request has expired",
			send: func(t *testing.T, f *fixture) result {
				pre := f.s.newRequest(t, http.MethodPut, "/fixture/victim", nil)
				u := sigv4.Presign(pre, creds, region, "s3", time.Now().Add(-2*time.Hour), time.Hour)
				req, _ := http.NewRequest(http.MethodPut, u, bytes.NewReader(payload))
				return do(t, req)
			}},
		{name: "presign/ExpiresTooLong", statuses: st(400), codes: codes("AuthorizationQueryParametersError"),
			send: func(t *testing.T, f *fixture) result {
				pre := f.s.newRequest(t, http.MethodPut, "/fixture/victim", nil)
				u := sigv4.Presign(pre, creds, region, "s3", time.Now(), 604801*time.Second)
				req, _ := http.NewRequest(http.MethodPut, u, bytes.NewReader(payload))
				return do(t, req)
			}},
		// Any region in the credential scope is accepted (ferry serves clients
		// configured for any region); test/e2e/sdk checks that.
		{name: "presign/MissingSignature", statuses: st(400, 403), codes: codes("AuthorizationQueryParametersError", "AccessDenied"),
			send: func(t *testing.T, f *fixture) result {
				pre := f.s.newRequest(t, http.MethodPut, "/fixture/victim", nil)
				u := sigv4.Presign(pre, creds, region, "s3", time.Now(), time.Hour)
				u = u[:strings.Index(u, "&X-Amz-Signature=")]
				req, _ := http.NewRequest(http.MethodPut, u, bytes.NewReader(payload))
				return do(t, req)
			}},

		// --- payload integrity ----------------------------------------------
		{name: "payload/WrongContentSHA256", statuses: st(400), codes: codes("XAmzContentSHA256Mismatch"),
			send: func(t *testing.T, f *fixture) result {
				req := f.s.newRequest(t, http.MethodPut, "/fixture/victim", payload)
				sigv4.Sign(req, creds, region, "s3", sha256hex([]byte("something else")), time.Now())
				return do(t, req)
			}},
		{name: "payload/WrongContentSHA256Blob", statuses: st(400), codes: codes("XAmzContentSHA256Mismatch"),
			send: func(t *testing.T, f *fixture) result {
				req := f.s.newRequest(t, http.MethodPut, "/fixture/victim", big)
				sigv4.Sign(req, creds, region, "s3", sha256hex([]byte("something else")), time.Now())
				return do(t, req)
			}},
		{name: "payload/InvalidContentSHA256", statuses: st(400), codes: codes("InvalidArgument"),
			send: func(t *testing.T, f *fixture) result {
				req := f.s.newRequest(t, http.MethodPut, "/fixture/victim", payload)
				sigv4.Sign(req, creds, region, "s3", "not-a-hash", time.Now())
				return do(t, req)
			}},
		{name: "payload/WrongContentMD5", statuses: st(400), codes: codes("BadDigest"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, putReq(t, f, "/fixture/victim", payload, map[string]string{"Content-MD5": md5b64([]byte("other"))}))
			}},
		{name: "payload/WrongContentMD5Blob", statuses: st(400), codes: codes("BadDigest"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, putReq(t, f, "/fixture/victim", big, map[string]string{"Content-MD5": md5b64([]byte("other"))}))
			}},
		{name: "payload/NonBase64ContentMD5", statuses: st(400), codes: codes("InvalidDigest"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, putReq(t, f, "/fixture/victim", payload, map[string]string{"Content-MD5": "!!not base64!!"}))
			}},
		{name: "payload/ShortContentMD5", statuses: st(400), codes: codes("InvalidDigest"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, putReq(t, f, "/fixture/victim", payload, map[string]string{"Content-MD5": base64.StdEncoding.EncodeToString([]byte("short"))}))
			}},
		{name: "payload/WrongChecksumCRC32", statuses: st(400), codes: codes("BadDigest"),
			message: "The CRC32 you specified did not match the calculated checksum.",
			send: func(t *testing.T, f *fixture) result {
				return do(t, putReq(t, f, "/fixture/victim", payload, map[string]string{"x-amz-checksum-crc32": crc32b64([]byte("other"))}))
			}},
		{name: "payload/WrongChecksumCRC32Blob", statuses: st(400), codes: codes("BadDigest"),
			message: "The CRC32 you specified did not match the calculated checksum.",
			send: func(t *testing.T, f *fixture) result {
				return do(t, putReq(t, f, "/fixture/victim", big, map[string]string{"x-amz-checksum-crc32": crc32b64([]byte("other"))}))
			}},
		// AWS: 400 InvalidRequest "Value for x-amz-checksum-crc32 header is invalid."
		{name: "payload/MalformedChecksumCRC32", statuses: st(400), codes: codes("InvalidRequest"),
			message: "Value for x-amz-checksum-crc32 header is invalid.",
			send: func(t *testing.T, f *fixture) result {
				return do(t, putReq(t, f, "/fixture/victim", payload, map[string]string{"x-amz-checksum-crc32": "not-base64!"}))
			}},
		{name: "payload/TwoChecksumHeaders", statuses: st(400), codes: codes("InvalidRequest"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, putReq(t, f, "/fixture/victim", payload, map[string]string{"x-amz-checksum-crc32": crc32b64(payload),
					"x-amz-checksum-sha256": "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="}))
			}},

		// --- aws-chunked ----------------------------------------------------
		{name: "chunked/TruncatedBody", statuses: st(400), codes: codes("IncompleteBody"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, chunked(t, f, "/fixture/victim", sigv4.StreamingPayload, big, 64<<10, nil, -1,
					func(b []byte) []byte { return b[:len(b)-200] }))
			}},
		{name: "chunked/TruncatedSmallBody", statuses: st(400), codes: codes("IncompleteBody"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, chunked(t, f, "/fixture/victim", sigv4.StreamingPayload, payload, 0, nil, -1,
					func(b []byte) []byte { return b[:len(b)-90] }))
			}},
		{name: "chunked/BadChunkSignature", statuses: st(403), codes: codes("SignatureDoesNotMatch"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, chunked(t, f, "/fixture/victim", sigv4.StreamingPayload, big, 64<<10, nil, -1, func(b []byte) []byte {
					i := bytes.Index(b, []byte("chunk-signature=")) + len("chunk-signature=") + 5
					b[i] = flipHex(string(b[i:i+1]), 0)[0]
					return b
				}))
			}},
		{name: "chunked/BadFinalChunkSignature", statuses: st(403), codes: codes("SignatureDoesNotMatch"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, chunked(t, f, "/fixture/victim", sigv4.StreamingPayload, payload, 0, nil, -1, func(b []byte) []byte {
					i := bytes.LastIndex(b, []byte("chunk-signature=")) + len("chunk-signature=")
					b[i] = flipHex(string(b[i:i+1]), 0)[0]
					return b
				}))
			}},
		{name: "chunked/ChunkDataAltered", statuses: st(403), codes: codes("SignatureDoesNotMatch"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, chunked(t, f, "/fixture/victim", sigv4.StreamingPayload, payload, 0, nil, -1, func(b []byte) []byte {
					i := bytes.Index(b, payload)
					b[i] ^= 0x20
					return b
				}))
			}},
		{name: "chunked/DecodedLengthTooLarge", statuses: st(400), codes: codes("IncompleteBody"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, chunked(t, f, "/fixture/victim", sigv4.StreamingPayload, payload, 0, nil, len(payload)+5, nil))
			}},
		{name: "chunked/DecodedLengthTooSmall", statuses: st(400), codes: codes("IncompleteBody"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, chunked(t, f, "/fixture/victim", sigv4.StreamingPayload, big, 64<<10, nil, len(big)-5, nil))
			}},
		{name: "chunked/UnsignedWrongTrailerChecksum", statuses: st(400), codes: codes("BadDigest"),
			message: "The CRC32 you specified did not match the calculated checksum.",
			send: func(t *testing.T, f *fixture) result {
				return do(t, chunked(t, f, "/fixture/victim", sigv4.StreamingUnsignedPayloadTrailer, payload, 0,
					http.Header{"x-amz-checksum-crc32": {crc32b64([]byte("other"))}}, -1, nil))
			}},
		{name: "chunked/UnsignedWrongTrailerChecksumBlob", statuses: st(400), codes: codes("BadDigest"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, chunked(t, f, "/fixture/victim", sigv4.StreamingUnsignedPayloadTrailer, big, 64<<10,
					http.Header{"x-amz-checksum-crc32": {crc32b64([]byte("other"))}}, -1, nil))
			}},
		{name: "chunked/SignedWrongTrailerChecksum", statuses: st(400), codes: codes("BadDigest"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, chunked(t, f, "/fixture/victim", sigv4.StreamingPayloadTrailer, big, 64<<10,
					http.Header{"x-amz-checksum-crc32": {crc32b64([]byte("other"))}}, -1, nil))
			}},
		{name: "chunked/SignedTrailerTampered", statuses: st(403), codes: codes("SignatureDoesNotMatch"),
			send: func(t *testing.T, f *fixture) result {
				good := crc32b64(payload)
				bad := crc32b64([]byte("other"))
				return do(t, chunked(t, f, "/fixture/victim", sigv4.StreamingPayloadTrailer, payload, 0,
					http.Header{"x-amz-checksum-crc32": {good}}, -1, func(b []byte) []byte {
						return bytes.Replace(b, []byte(good), []byte(bad), 1) // same length, signature now wrong
					}))
			}},
		// The client announced a trailing checksum (x-amz-trailer) but sent
		// none. AWS: 400 MalformedTrailerError (as versitygw's AWS-derived
		// integration tests expect).
		{name: "chunked/AnnouncedTrailerMissing", statuses: st(400), codes: codes("MalformedTrailerError"),
			send: func(t *testing.T, f *fixture) result {
				req := chunked(t, f, "/fixture/victim", sigv4.StreamingUnsignedPayloadTrailer, payload, 0, nil, -1, nil)
				req.Header.Set("X-Amz-Trailer", "x-amz-checksum-crc32")
				return do(t, req)
			}},
		// Signed aws-chunked: every chunk but the last must be at least 8 KiB.
		// AWS: 400 InvalidChunkSizeError "Only the last chunk is allowed to
		// have a size less than 8192 bytes".
		// (AWS enforces the same for STREAMING-UNSIGNED-PAYLOAD-TRAILER, and
		// adds <Chunk> and <BadChunkSize>.)
		{name: "chunked/SmallNonLastChunk", statuses: st(400), codes: codes("InvalidChunkSizeError"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, chunked(t, f, "/fixture/victim", sigv4.StreamingPayload, bytes.Repeat([]byte("c"), 5000), 1000, nil, -1, nil))
			},
			check: checkChunkSizeError},
		{name: "chunked/SmallNonLastChunkUnsigned", statuses: st(400), codes: codes("InvalidChunkSizeError"),
			send: func(t *testing.T, f *fixture) result {
				data := bytes.Repeat([]byte("c"), 5000)
				return do(t, chunked(t, f, "/fixture/victim", sigv4.StreamingUnsignedPayloadTrailer, data, 1000,
					http.Header{"x-amz-checksum-crc32": {crc32b64(data)}}, -1, nil))
			},
			check: checkChunkSizeError},
		{name: "chunked/GarbageFraming", statuses: st(400),
			send: func(t *testing.T, f *fixture) result {
				return do(t, chunked(t, f, "/fixture/victim", sigv4.StreamingPayload, payload, 0, nil, -1,
					func([]byte) []byte { return []byte("zz;chunk-signature=nope\r\ngarbage\r\n") }))
			}},
		{name: "chunked/GarbageFramingUnsigned", statuses: st(400),
			send: func(t *testing.T, f *fixture) result {
				return do(t, chunked(t, f, "/fixture/victim", sigv4.StreamingUnsignedPayloadTrailer, payload, 0,
					http.Header{"x-amz-checksum-crc32": {crc32b64(payload)}}, -1,
					func(b []byte) []byte { return bytes.Replace(b, []byte("\r\n"), []byte("\n"), 1) }))
			}},
		{name: "chunked/TrailingGarbage", statuses: st(400),
			send: func(t *testing.T, f *fixture) result {
				return do(t, chunked(t, f, "/fixture/victim", sigv4.StreamingPayload, payload, 0, nil, -1,
					func(b []byte) []byte { return append(b, "extra"...) }))
			}},
		// AWS: 411 MissingContentLength when X-Amz-Decoded-Content-Length is absent.
		{name: "chunked/MissingDecodedLength", statuses: st(411), codes: codes("MissingContentLength"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, chunked(t, f, "/fixture/victim", sigv4.StreamingUnsignedPayloadTrailer, payload, 0,
					http.Header{"x-amz-checksum-crc32": {crc32b64(payload)}}, -2, nil))
			}},
		{name: "chunked/MissingDecodedLengthSigned", statuses: st(411), codes: codes("MissingContentLength"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, chunked(t, f, "/fixture/victim", sigv4.StreamingPayload, payload, 0, nil, -2, nil))
			}},
		// A trailer the client did not announce in x-amz-trailer. AWS: 400
		// MalformedTrailerError.
		{name: "chunked/UnannouncedTrailer", statuses: st(400), codes: codes("MalformedTrailerError"),
			send: func(t *testing.T, f *fixture) result {
				req := chunked(t, f, "/fixture/victim", sigv4.StreamingUnsignedPayloadTrailer, payload, 0,
					http.Header{"x-amz-checksum-crc32": {crc32b64([]byte("other"))}}, -1, nil)
				req.Header.Del("X-Amz-Trailer") // x-amz-trailer is signed: sign again without it
				sigv4.Sign(req, creds, region, "s3", sigv4.StreamingUnsignedPayloadTrailer, time.Now())
				return do(t, req)
			}},
		// AWS: 400 InvalidRequest "Value for x-amz-checksum-crc32 trailing
		// header is invalid." for a value that is not a base64 CRC32.
		{name: "chunked/MalformedTrailerChecksum", statuses: st(400), codes: codes("InvalidRequest"),
			message: "Value for x-amz-checksum-crc32 trailing header is invalid.",
			send: func(t *testing.T, f *fixture) result {
				return do(t, chunked(t, f, "/fixture/victim", sigv4.StreamingUnsignedPayloadTrailer, payload, 0,
					http.Header{"x-amz-checksum-crc32": {"not-a-crc"}}, -1, nil))
			}},

		// --- sizes and documents --------------------------------------------
		{name: "size/MetadataTooLarge", statuses: st(400), codes: codes("MetadataTooLarge"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, putReq(t, f, "/fixture/victim", payload, map[string]string{"x-amz-meta-big": strings.Repeat("m", 2100)}))
			}},
		{name: "size/MetadataTooLargeManyKeys", statuses: st(400), codes: codes("MetadataTooLarge"),
			send: func(t *testing.T, f *fixture) result {
				h := map[string]string{}
				for i := range 30 {
					h[fmt.Sprintf("x-amz-meta-k%02d", i)] = strings.Repeat("v", 70)
				}
				return do(t, putReq(t, f, "/fixture/victim", payload, h))
			}},
		{name: "size/MetadataTooLargeMultipart", statuses: st(400), codes: codes("MetadataTooLarge"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, f.s.signed(t, http.MethodPost, "/fixture/victim?uploads", nil, map[string]string{"x-amz-meta-big": strings.Repeat("m", 2100)}))
			}},
		// Header sections over 16 KiB: Go's server answers 431 (plain text)
		// past its limit; ferry should refuse everything above 16 KiB.
		{name: "size/HeaderSection17KiB", statuses: st(400, 431),
			send: func(t *testing.T, f *fixture) result {
				req := putReq(t, f, "/fixture/victim", payload, nil)
				req.Header.Set("X-Padding", strings.Repeat("p", 17<<10))
				return do(t, req)
			}},
		{name: "size/HeaderSection64KiB", statuses: st(400, 431),
			send: func(t *testing.T, f *fixture) result {
				req := putReq(t, f, "/fixture/victim", payload, nil)
				for i := range 8 {
					req.Header.Set(fmt.Sprintf("X-Padding-%d", i), strings.Repeat("p", 8<<10))
				}
				return do(t, req)
			}},
		{name: "xml/DeleteObjectsMalformed", statuses: st(400), codes: codes("MalformedXML"),
			send: func(t *testing.T, f *fixture) result {
				body := []byte("<Delete><Object><Key>victim</Key></Object>")
				return do(t, f.s.signed(t, http.MethodPost, "/fixture?delete", body, map[string]string{"Content-MD5": md5b64(body)}))
			}},
		{name: "xml/DeleteObjectsWrongRoot", statuses: st(400), codes: codes("MalformedXML"),
			send: func(t *testing.T, f *fixture) result {
				body := []byte("<Remove><Object><Key>victim</Key></Object></Remove>")
				return do(t, f.s.signed(t, http.MethodPost, "/fixture?delete", body, map[string]string{"Content-MD5": md5b64(body)}))
			}},
		{name: "xml/DeleteObjectsEmpty", statuses: st(400), codes: codes("MalformedXML"),
			send: func(t *testing.T, f *fixture) result {
				body := []byte("<Delete></Delete>")
				return do(t, f.s.signed(t, http.MethodPost, "/fixture?delete", body, map[string]string{"Content-MD5": md5b64(body)}))
			}},
		{name: "xml/DeleteObjectsNoDigest", statuses: st(400), codes: codes("InvalidRequest"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, f.s.signed(t, http.MethodPost, "/fixture?delete", deleteBody("victim"), nil))
			}},
		{name: "xml/DeleteObjectsWrongMD5", statuses: st(400), codes: codes("BadDigest"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, f.s.signed(t, http.MethodPost, "/fixture?delete", deleteBody("victim"), map[string]string{"Content-MD5": md5b64([]byte("x"))}))
			}},
		{name: "xml/DeleteObjects1001Keys", statuses: st(400), codes: codes("MalformedXML"),
			send: func(t *testing.T, f *fixture) result {
				keys := []string{"victim", "empty", "big"}
				for i := len(keys); i < 1001; i++ {
					keys = append(keys, fmt.Sprintf("k%04d", i))
				}
				body := deleteBody(keys...)
				return do(t, f.s.signed(t, http.MethodPost, "/fixture?delete", body, map[string]string{"Content-MD5": md5b64(body)}))
			}},
		{name: "xml/CompleteMalformed", statuses: st(400), codes: codes("MalformedXML"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, f.s.signed(t, http.MethodPost, "/fixture/mpu?uploadId="+f.uploadID, []byte("<CompleteMultipartUpload><Part>"), nil))
			}},
		{name: "xml/CompleteNoParts", statuses: st(400), codes: codes("MalformedXML"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, f.s.signed(t, http.MethodPost, "/fixture/mpu?uploadId="+f.uploadID, []byte("<CompleteMultipartUpload></CompleteMultipartUpload>"), nil))
			}},
		{name: "xml/CompleteTrailingGarbage", statuses: st(400), codes: codes("MalformedXML"),
			send: func(t *testing.T, f *fixture) result {
				body := append(completeBody("1:"+f.etag1), "<x/>"...)
				return do(t, f.s.signed(t, http.MethodPost, "/fixture/mpu?uploadId="+f.uploadID, body, nil))
			}},
		{name: "xml/PutTaggingMalformed", statuses: st(400), codes: codes("MalformedXML"),
			send: func(t *testing.T, f *fixture) result {
				body := []byte("<Tagging><TagSet><Tag><Key>a</Key>")
				return do(t, f.s.signed(t, http.MethodPut, "/fixture/victim?tagging", body, map[string]string{"Content-MD5": md5b64(body)}))
			}},
		{name: "xml/CreateBucketMalformed", statuses: st(400), codes: codes("MalformedXML"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, f.s.signed(t, http.MethodPut, "/newbucket", []byte("<CreateBucketConfiguration><LocationConstraint>"), nil))
			}},

		// --- versioning and tags ----------------------------------------------
		{name: "versioning/BogusStatus", statuses: st(400), codes: codes("MalformedXML"),
			send: putVersioning("<VersioningConfiguration><Status>Bogus</Status></VersioningConfiguration>", true)},
		{name: "versioning/Malformed", statuses: st(400), codes: codes("MalformedXML"),
			send: putVersioning("<VersioningConfiguration><Status>Enabled", true)},
		{name: "versioning/NoDigest", statuses: st(400), codes: codes("InvalidRequest"),
			send: putVersioning("<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>", false)},
		{name: "versioning/MfaDelete", statuses: st(400), codes: codes("InvalidRequest"),
			send: putVersioning("<VersioningConfiguration><Status>Enabled</Status><MfaDelete>Enabled</MfaDelete></VersioningConfiguration>", true)},
		{name: "version/GarbageID", statuses: st(400), codes: codes("InvalidArgument"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, f.s.signed(t, http.MethodGet, "/fixture/victim?versionId=garbage%21", nil, nil))
			}},
		{name: "version/DeleteGarbageID", statuses: st(400), codes: codes("InvalidArgument"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, f.s.signed(t, http.MethodDelete, "/fixture/victim?versionId=%2F%2F", nil, nil))
			}},
		{name: "tag/DuplicateKeys", statuses: st(400), codes: codes("InvalidTag"),
			send: putTagging("<Tagging><TagSet><Tag><Key>a</Key><Value>1</Value></Tag><Tag><Key>a</Key><Value>2</Value></Tag></TagSet></Tagging>")},
		{name: "tag/ValueTooLong", statuses: st(400), codes: codes("InvalidTag"),
			send: putTagging("<Tagging><TagSet><Tag><Key>a</Key><Value>" + strings.Repeat("v", 257) + "</Value></Tag></TagSet></Tagging>")},
		{name: "tag/KeyTooLong", statuses: st(400), codes: codes("InvalidTag"),
			send: putTagging("<Tagging><TagSet><Tag><Key>" + strings.Repeat("k", 129) + "</Key><Value>v</Value></Tag></TagSet></Tagging>")},
		{name: "tag/AWSPrefix", statuses: st(400), codes: codes("InvalidTag"),
			send: putTagging("<Tagging><TagSet><Tag><Key>aws:x</Key><Value>v</Value></Tag></TagSet></Tagging>")},
		{name: "tag/ElevenTags", statuses: st(400), codes: codes("BadRequest"),
			send: func(t *testing.T, f *fixture) result {
				var b strings.Builder
				b.WriteString("<Tagging><TagSet>")
				for i := range 11 {
					fmt.Fprintf(&b, "<Tag><Key>k%d</Key><Value>v</Value></Tag>", i)
				}
				b.WriteString("</TagSet></Tagging>")
				return putTagging(b.String())(t, f)
			}},
		{name: "tag/HeaderDuplicateKeys", statuses: st(400), codes: codes("InvalidTag"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, f.s.signed(t, http.MethodPut, "/fixture/victim", []byte("new"), map[string]string{"x-amz-tagging": "a=1&a=2"}))
			}},

		// --- names ----------------------------------------------------------
		{name: "name/BucketUPPER", statuses: st(400), codes: codes("InvalidBucketName"), send: createBucket("UPPER")},
		{name: "name/BucketUnderscore", statuses: st(400), codes: codes("InvalidBucketName"), send: createBucket("a_b")},
		{name: "name/BucketTooShort", statuses: st(400), codes: codes("InvalidBucketName"), send: createBucket("ab")},
		{name: "name/Bucket64Chars", statuses: st(400), codes: codes("InvalidBucketName"), send: createBucket(strings.Repeat("b", 64))},
		{name: "name/BucketIPAddress", statuses: st(400), codes: codes("InvalidBucketName"), send: createBucket("192.168.1.1")},
		{name: "name/BucketLeadingHyphen", statuses: st(400), codes: codes("InvalidBucketName"), send: createBucket("-ab")},
		{name: "name/BucketTrailingDot", statuses: st(400), codes: codes("InvalidBucketName"), send: createBucket("abc.")},
		{name: "name/BucketDoubleDot", statuses: st(400), codes: codes("InvalidBucketName"), send: createBucket("a..b")},
		{name: "name/KeyDotDot", statuses: st(400), codes: codes("InvalidArgument"), send: putKey("/fixture/..")},
		{name: "name/KeyDotDotSegment", statuses: st(400), codes: codes("InvalidArgument"), send: putKey("/fixture/a/../b")},
		{name: "name/KeyDotSegment", statuses: st(400), codes: codes("InvalidArgument"), send: putKey("/fixture/./x")},
		{name: "name/KeyNUL", statuses: st(400), codes: codes("InvalidArgument"), send: putKey("/fixture/a%00b")},
		{name: "name/KeyInvalidUTF8", statuses: st(400), codes: codes("InvalidArgument"), send: putKey("/fixture/a%FFb")},
		{name: "name/KeyTooLong", statuses: st(400), codes: codes("KeyTooLongError"), send: putKey("/fixture/" + strings.Repeat("k", 1025))},
		{name: "name/KeyTooLongMultibyte", statuses: st(400), codes: codes("KeyTooLongError"), send: putKey("/fixture/" + strings.Repeat("%C3%A9", 513))},
		{name: "name/MultipartKeyDotDot", statuses: st(400), codes: codes("InvalidArgument"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, f.s.signed(t, http.MethodPost, "/fixture/a/../b?uploads", nil, nil))
			}},
		{name: "name/CopyDestinationNUL", statuses: st(400), codes: codes("InvalidArgument"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, f.s.signed(t, http.MethodPut, "/fixture/a%00b", nil, map[string]string{"x-amz-copy-source": "/fixture/victim"}))
			}},

		// --- ranges ---------------------------------------------------------
		{name: "range/PastEnd", statuses: st(416), codes: codes("InvalidRange"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, f.s.signed(t, http.MethodGet, "/fixture/victim", nil, map[string]string{"Range": "bytes=100-200"}))
			},
			check: func(t *testing.T, f *fixture, r result, doc errorDoc) {
				if cr := r.header.Get("Content-Range"); cr != "bytes */10" {
					t.Errorf("Content-Range %q, want bytes */10", cr)
				}
			}},
		{name: "range/StartAtSize", statuses: st(416), codes: codes("InvalidRange"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, f.s.signed(t, http.MethodGet, "/fixture/victim", nil, map[string]string{"Range": "bytes=10-"}))
			}},
		{name: "range/EmptyObject", statuses: st(416), codes: codes("InvalidRange"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, f.s.signed(t, http.MethodGet, "/fixture/empty", nil, map[string]string{"Range": "bytes=0-0"}))
			},
			check: func(t *testing.T, f *fixture, r result, doc errorDoc) {
				if cr := r.header.Get("Content-Range"); cr != "bytes */0" {
					t.Errorf("Content-Range %q, want bytes */0", cr)
				}
			}},
		{name: "range/EmptyObjectOpenEnded", statuses: st(416), codes: codes("InvalidRange"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, f.s.signed(t, http.MethodGet, "/fixture/empty", nil, map[string]string{"Range": "bytes=0-"}))
			}},
		{name: "range/PastEndHEAD", statuses: st(416),
			send: func(t *testing.T, f *fixture) result {
				return do(t, f.s.signed(t, http.MethodHead, "/fixture/victim", nil, map[string]string{"Range": "bytes=100-200"}))
			}},

		// --- missing things and state conflicts -----------------------------
		{name: "missing/Bucket", statuses: st(404), codes: codes("NoSuchBucket"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, f.s.signed(t, http.MethodGet, "/nobucket/victim", nil, nil))
			},
			check: func(t *testing.T, f *fixture, r result, doc errorDoc) {
				if doc.BucketName != "nobucket" {
					t.Errorf("BucketName %q", doc.BucketName)
				}
			}},
		{name: "missing/BucketList", statuses: st(404), codes: codes("NoSuchBucket"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, f.s.signed(t, http.MethodGet, "/nobucket?list-type=2", nil, nil))
			}},
		{name: "missing/BucketPut", statuses: st(404), codes: codes("NoSuchBucket"),
			send: func(t *testing.T, f *fixture) result { return do(t, putReq(t, f, "/nobucket/k", payload, nil)) }},
		{name: "missing/Key", statuses: st(404), codes: codes("NoSuchKey"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, f.s.signed(t, http.MethodGet, "/fixture/no%20such/key", nil, nil))
			},
			check: func(t *testing.T, f *fixture, r result, doc errorDoc) {
				if doc.Key != "no such/key" {
					t.Errorf("<Key> %q, want %q", doc.Key, "no such/key")
				}
			}},
		{name: "missing/KeyHEAD", statuses: st(404),
			send: func(t *testing.T, f *fixture) result {
				return do(t, f.s.signed(t, http.MethodHead, "/fixture/nokey", nil, nil))
			}},
		{name: "missing/BucketHEAD", statuses: st(404),
			send: func(t *testing.T, f *fixture) result {
				return do(t, f.s.signed(t, http.MethodHead, "/nobucket", nil, nil))
			}},
		{name: "missing/CopySource", statuses: st(404), codes: codes("NoSuchKey"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, f.s.signed(t, http.MethodPut, "/fixture/victim", nil, map[string]string{"x-amz-copy-source": "/fixture/nokey"}))
			}},
		{name: "missing/CopySourceBucket", statuses: st(404), codes: codes("NoSuchBucket"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, f.s.signed(t, http.MethodPut, "/fixture/victim", nil, map[string]string{"x-amz-copy-source": "/nobucket/x"}))
			}},
		{name: "state/DeleteBucketNotEmpty", statuses: st(409), codes: codes("BucketNotEmpty"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, f.s.signed(t, http.MethodDelete, "/full", nil, nil))
			}},
		{name: "state/DeleteBucketWithUpload", statuses: st(409), codes: codes("BucketNotEmpty"),
			send: func(t *testing.T, f *fixture) result {
				// "fixture" has objects and an upload.
				return do(t, f.s.signed(t, http.MethodDelete, "/fixture", nil, nil))
			}},
		{name: "state/DeleteMissingBucket", statuses: st(404), codes: codes("NoSuchBucket"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, f.s.signed(t, http.MethodDelete, "/nobucket", nil, nil))
			}},
		{name: "mpu/CompleteWrongETag", statuses: st(400), codes: codes("InvalidPart"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, f.s.signed(t, http.MethodPost, "/fixture/mpu?uploadId="+f.uploadID,
					completeBody(`1:"0123456789abcdef0123456789abcdef"`), nil))
			}},
		{name: "mpu/CompleteUnknownPart", statuses: st(400), codes: codes("InvalidPart"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, f.s.signed(t, http.MethodPost, "/fixture/mpu?uploadId="+f.uploadID, completeBody("7:"+f.etag1), nil))
			}},
		{name: "mpu/CompletePartsOutOfOrder", statuses: st(400), codes: codes("InvalidPartOrder"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, f.s.signed(t, http.MethodPost, "/fixture/mpu?uploadId="+f.uploadID, completeBody("2:"+f.etag2, "1:"+f.etag1), nil))
			}},
		{name: "mpu/CompleteDuplicatePart", statuses: st(400), codes: codes("InvalidPartOrder"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, f.s.signed(t, http.MethodPost, "/fixture/mpu?uploadId="+f.uploadID, completeBody("1:"+f.etag1, "1:"+f.etag1), nil))
			}},
		{name: "mpu/CompleteSmallNonLastPart", statuses: st(400), codes: codes("EntityTooSmall"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, f.s.signed(t, http.MethodPost, "/fixture/mpu?uploadId="+f.uploadID, completeBody("1:"+f.etag1, "2:"+f.etag2), nil))
			}},
		{name: "mpu/CompleteUnknownUpload", statuses: st(404), codes: codes("NoSuchUpload"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, f.s.signed(t, http.MethodPost, "/fixture/mpu?uploadId=nosuchupload", completeBody("1:"+f.etag1), nil))
			}},
		{name: "mpu/UploadPartUnknownUpload", statuses: st(404), codes: codes("NoSuchUpload"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, putReq(t, f, "/fixture/mpu?partNumber=1&uploadId=nosuchupload", payload, nil))
			}},
		{name: "mpu/UploadPartOtherKey", statuses: st(404), codes: codes("NoSuchUpload"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, putReq(t, f, "/fixture/victim?partNumber=1&uploadId="+f.uploadID, payload, nil))
			}},
		{name: "mpu/UploadPartNumberZero", statuses: st(400), codes: codes("InvalidArgument"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, putReq(t, f, "/fixture/mpu?partNumber=0&uploadId="+f.uploadID, payload, nil))
			}},
		{name: "mpu/UploadPartNumber10001", statuses: st(400), codes: codes("InvalidArgument"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, putReq(t, f, "/fixture/mpu?partNumber=10001&uploadId="+f.uploadID, payload, nil))
			}},
		{name: "mpu/UploadPartWrongMD5", statuses: st(400), codes: codes("BadDigest"),
			send: func(t *testing.T, f *fixture) result {
				// Replacing part 1 with a corrupt body must keep the old part.
				return do(t, putReq(t, f, "/fixture/mpu?partNumber=1&uploadId="+f.uploadID, payload, map[string]string{"Content-MD5": md5b64([]byte("x"))}))
			}},
		{name: "mpu/UploadPartChunkedBadSignature", statuses: st(403), codes: codes("SignatureDoesNotMatch"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, chunked(t, f, "/fixture/mpu?partNumber=2&uploadId="+f.uploadID, sigv4.StreamingPayload, big, 64<<10, nil, -1,
					func(b []byte) []byte {
						i := bytes.LastIndex(b, []byte("chunk-signature=")) - 100 // inside the last data chunk
						b[i] ^= 1
						return b
					}))
			}},
		{name: "mpu/AbortUnknownUpload", statuses: st(404), codes: codes("NoSuchUpload"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, f.s.signed(t, http.MethodDelete, "/fixture/mpu?uploadId=nosuchupload", nil, nil))
			}},

		// --- arguments ------------------------------------------------------
		{name: "arg/MaxKeysNotInteger", statuses: st(400), codes: codes("InvalidArgument"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, f.s.signed(t, http.MethodGet, "/fixture?list-type=2&max-keys=abc", nil, nil))
			}},
		{name: "arg/BadContinuationToken", statuses: st(400), codes: codes("InvalidArgument"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, f.s.signed(t, http.MethodGet, "/fixture?list-type=2&continuation-token=%21%21", nil, nil))
			}},
		{name: "arg/BadEncodingType", statuses: st(400), codes: codes("InvalidArgument"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, f.s.signed(t, http.MethodGet, "/fixture?list-type=2&encoding-type=base64", nil, nil))
			}},
		{name: "arg/BadMetadataDirective", statuses: st(400), codes: codes("InvalidArgument"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, f.s.signed(t, http.MethodPut, "/fixture/victim", nil, map[string]string{"x-amz-copy-source": "/fixture/big",
					"x-amz-metadata-directive": "MERGE"}))
			}},
		{name: "arg/BadCopySource", statuses: st(400), codes: codes("InvalidArgument"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, f.s.signed(t, http.MethodPut, "/fixture/victim", nil, map[string]string{"x-amz-copy-source": "fixture"}))
			}},
		{name: "arg/CopyIfMatchFails", statuses: st(412), codes: codes("PreconditionFailed"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, f.s.signed(t, http.MethodPut, "/fixture/victim", nil, map[string]string{"x-amz-copy-source": "/fixture/big",
					"x-amz-copy-source-if-match": `"0123456789abcdef0123456789abcdef"`}))
			}},
		{name: "arg/PutIfMatchFailsGET", statuses: st(412), codes: codes("PreconditionFailed"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, f.s.signed(t, http.MethodGet, "/fixture/victim", nil, map[string]string{"If-Match": `"nope"`}))
			}},
		{name: "arg/BadStorageClass", statuses: st(400), codes: codes("InvalidStorageClass"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, putReq(t, f, "/fixture/victim", payload, map[string]string{"x-amz-storage-class": "FROZEN"}))
			}},
		{name: "arg/TooManyTags", statuses: st(400), codes: codes("BadRequest", "InvalidTag"),
			send: func(t *testing.T, f *fixture) result {
				var tags []string
				for i := range 11 {
					tags = append(tags, fmt.Sprintf("k%d=v", i))
				}
				return do(t, putReq(t, f, "/fixture/victim", payload, map[string]string{"x-amz-tagging": strings.Join(tags, "&")}))
			}},
		{name: "arg/CreateBucketWrongRegion", statuses: st(400), codes: codes("IllegalLocationConstraintException", "InvalidLocationConstraint"),
			send: func(t *testing.T, f *fixture) result {
				body := []byte("<CreateBucketConfiguration><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>")
				return do(t, f.s.signed(t, http.MethodPut, "/newbucket", body, nil))
			}},

		// --- bucket policy ---------------------------------------------------
		{name: "policy/NotJSON", statuses: st(400), codes: codes("MalformedPolicy"),
			message: "Policies must be valid JSON and the first byte must be '{'", send: putDoc("/fixture?policy", "Version: 2012-10-17")},
		{name: "policy/InvalidJSON", statuses: st(400), codes: codes("MalformedPolicy"),
			message: "This policy contains invalid Json", send: putDoc("/fixture?policy", `{"Version":"2012-10-17",`)},
		{name: "policy/MissingStatement", statuses: st(400), codes: codes("MalformedPolicy"),
			message: "Missing required field Statement", send: putDoc("/fixture?policy", `{"Version":"2012-10-17"}`)},
		{name: "policy/MissingVersion", statuses: st(400), codes: codes("MalformedPolicy"),
			message: "The policy must contain a valid version string",
			send:    putDoc("/fixture?policy", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::fixture/*"}]}`)},
		{name: "policy/OtherBucketResource", statuses: st(400), codes: codes("MalformedPolicy"), message: "Policy has invalid resource",
			send: func(t *testing.T, f *fixture) result {
				return putDoc("/fixture?policy", fixturePolicy(f.account, "full/*"))(t, f)
			}},
		{name: "policy/WildcardResource", statuses: st(400), codes: codes("MalformedPolicy"), message: "Policy has invalid resource",
			send: func(t *testing.T, f *fixture) result {
				return putDoc("/fixture?policy", fixturePolicy(f.account, "*"))(t, f)
			}},
		{name: "policy/BadAction", statuses: st(400), codes: codes("MalformedPolicy"), message: "Policy has invalid action",
			send: func(t *testing.T, f *fixture) result {
				return putDoc("/fixture?policy", strings.Replace(fixturePolicy(f.account, "fixture/*"), "s3:GetObject", "iam:CreateUser", 1))(t, f)
			}},
		{name: "policy/Over20KiB", statuses: st(400), codes: codes("MalformedPolicy"), message: "Policy exceeds the maximum allowed document size.",
			send: func(t *testing.T, f *fixture) result {
				doc := strings.Replace(fixturePolicy(f.account, "fixture/*"), `"Statement"`, strings.Repeat(" ", 20<<10)+`"Statement"`, 1)
				return putDoc("/fixture?policy", doc)(t, f)
			}},
		{name: "policy/UnknownRole", statuses: st(400), codes: codes("MalformedPolicy"), message: "Invalid principal in policy",
			send: func(t *testing.T, f *fixture) result {
				doc := strings.Replace(fixturePolicy(f.account, "fixture/*"), `"Principal":{"AWS":"arn:aws:iam::`+f.account+`:root"}`,
					`"Principal":{"AWS":"arn:aws:iam::`+f.account+`:role/NoSuchRole"}`, 1)
				if !strings.Contains(doc, "NoSuchRole") {
					t.Fatalf("fixture policy shape changed: %s", doc)
				}
				return putDoc("/fixture?policy", doc)(t, f)
			}},
		{name: "policy/UnknownAccount", statuses: st(400), codes: codes("MalformedPolicy"), message: "Invalid principal in policy",
			send: func(t *testing.T, f *fixture) result {
				doc := strings.Replace(fixturePolicy(f.account, "fixture/*"), `"Principal":{"AWS":"arn:aws:iam::`+f.account+`:root"}`,
					`"Principal":{"AWS":"999999999999"}`, 1)
				if !strings.Contains(doc, "999999999999") {
					t.Fatalf("fixture policy shape changed: %s", doc)
				}
				return putDoc("/fixture?policy", doc)(t, f)
			}},
		{name: "policy/PublicBlocked", statuses: st(403), codes: codes("AccessDenied"),
			send: putDoc("/fixture?policy", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::fixture/*"}]}`)},
		{name: "policy/NoDigest", statuses: st(400), codes: codes("InvalidRequest"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, f.s.signed(t, http.MethodPut, "/fixture?policy", []byte(fixturePolicy(f.account, "fixture")), nil))
			}},
		{name: "policy/NoSuchBucket", statuses: st(404), codes: codes("NoSuchBucket"),
			send: func(t *testing.T, f *fixture) result {
				return putDoc("/nosuchbucket?policy", fixturePolicy(f.account, "nosuchbucket"))(t, f)
			}},

		// --- Block Public Access and Object Ownership -----------------------
		{name: "pab/NotXML", statuses: st(400), codes: codes("MalformedXML"), send: putDoc("/fixture?publicAccessBlock", "BlockPublicAcls=false")},
		{name: "pab/WrongRoot", statuses: st(400), codes: codes("MalformedXML"),
			send: putDoc("/fixture?publicAccessBlock", "<PublicAccessBlock><BlockPublicAcls>false</BlockPublicAcls></PublicAccessBlock>")},
		{name: "pab/NotBoolean", statuses: st(400), codes: codes("MalformedXML"),
			send: putDoc("/fixture?publicAccessBlock", "<PublicAccessBlockConfiguration><BlockPublicAcls>maybe</BlockPublicAcls></PublicAccessBlockConfiguration>")},
		{name: "ownership/InvalidValue", statuses: st(400), codes: codes("MalformedXML"),
			send: putDoc("/fixture?ownershipControls", "<OwnershipControls><Rule><ObjectOwnership>Everyone</ObjectOwnership></Rule></OwnershipControls>")},
		{name: "ownership/TwoRules", statuses: st(400), codes: codes("MalformedXML"),
			send: putDoc("/fixture?ownershipControls", "<OwnershipControls><Rule><ObjectOwnership>ObjectWriter</ObjectOwnership></Rule>"+
				"<Rule><ObjectOwnership>BucketOwnerPreferred</ObjectOwnership></Rule></OwnershipControls>")},
		{name: "ownership/NoRule", statuses: st(400), codes: codes("MalformedXML"), send: putDoc("/fixture?ownershipControls", "<OwnershipControls/>")},
		{name: "ownership/Truncated", statuses: st(400), codes: codes("MalformedXML"),
			send: putDoc("/fixture?ownershipControls", "<OwnershipControls><Rule><ObjectOwnership>ObjectWriter")},
		{name: "ownership/CreateBucketInvalid", statuses: st(400), codes: codes("InvalidArgument"),
			message: "Invalid x-amz-object-ownership header: Everyone",
			send: func(t *testing.T, f *fixture) result {
				return do(t, f.s.signed(t, http.MethodPut, "/newbucket", nil, map[string]string{"x-amz-object-ownership": "Everyone"}))
			}},

		// --- ACLs -------------------------------------------------------------
		// fixture has ACLs disabled (BucketOwnerEnforced, the default).
		{name: "acl/PutObjectPublicReadEnforced", statuses: st(400), codes: codes("AccessControlListNotSupported"),
			message: "The bucket does not allow ACLs",
			send: func(t *testing.T, f *fixture) result {
				return do(t, putReq(t, f, "/fixture/victim", payload, map[string]string{"x-amz-acl": "public-read"}))
			}},
		{name: "acl/PutObjectGrantHeaderEnforced", statuses: st(400), codes: codes("AccessControlListNotSupported"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, putReq(t, f, "/fixture/victim", payload, map[string]string{"x-amz-grant-read": `id="` + f.account + `"`}))
			}},
		{name: "acl/CopyObjectPublicReadEnforced", statuses: st(400), codes: codes("AccessControlListNotSupported"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, f.s.signed(t, http.MethodPut, "/fixture/victim", nil, map[string]string{"x-amz-copy-source": "/fixture/big", "x-amz-acl": "public-read"}))
			}},
		{name: "acl/CreateUploadPublicReadEnforced", statuses: st(400), codes: codes("AccessControlListNotSupported"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, f.s.signed(t, http.MethodPost, "/fixture/new?uploads", nil, map[string]string{"x-amz-acl": "public-read"}))
			}},
		{name: "acl/PutObjectAclEnforced", statuses: st(400), codes: codes("AccessControlListNotSupported"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, f.s.signed(t, http.MethodPut, "/fixture/victim?acl", nil, map[string]string{"x-amz-acl": "authenticated-read"}))
			}},
		{name: "acl/PutBucketAclEnforced", statuses: st(400), codes: codes("AccessControlListNotSupported"),
			send: func(t *testing.T, f *fixture) result {
				return putDoc("/fixture?acl", aclBody(f.account, f.account, `<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>http://acs.amazonaws.com/groups/global/AllUsers</URI></Grantee><Permission>READ</Permission></Grant>`))(t, f)
			}},
		{name: "acl/CreateBucketPublicReadEnforced", statuses: st(400), codes: codes("InvalidBucketAclWithObjectOwnership"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, f.s.signed(t, http.MethodPut, "/newbucket", nil, map[string]string{"x-amz-acl": "public-read"}))
			}},
		{name: "acl/CreateBucketPublicReadBlocked", statuses: st(403), codes: codes("AccessDenied"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, f.s.signed(t, http.MethodPut, "/newbucket", nil, map[string]string{"x-amz-acl": "public-read", "x-amz-object-ownership": "ObjectWriter"}))
			}},
		// writer has ACLs enabled and BlockPublicAcls on.
		{name: "acl/PutObjectPublicBlocked", statuses: st(403), codes: codes("AccessDenied"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, putReq(t, f, "/writer/pub", payload, map[string]string{"x-amz-acl": "public-read-write"}))
			}},
		{name: "acl/PutObjectAclPublicBlocked", statuses: st(403), codes: codes("AccessDenied"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, f.s.signed(t, http.MethodPut, "/writer/pub?acl", nil, map[string]string{"x-amz-grant-read": `uri="http://acs.amazonaws.com/groups/global/AuthenticatedUsers"`}))
			}},
		{name: "acl/NoACLGiven", statuses: st(400), codes: codes("MissingSecurityHeader"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, f.s.signed(t, http.MethodPut, "/writer/pub?acl", nil, nil))
			}},
		{name: "acl/InvalidCannedACL", statuses: st(400), codes: codes("InvalidArgument"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, f.s.signed(t, http.MethodPut, "/writer/pub?acl", nil, map[string]string{"x-amz-acl": "world-writable"}))
			}},
		{name: "acl/CannedAndGrants", statuses: st(400), codes: codes("InvalidRequest"),
			message: "Specifying both Canned ACLs and Header Grants is not allowed",
			send: func(t *testing.T, f *fixture) result {
				return do(t, f.s.signed(t, http.MethodPut, "/writer/pub?acl", nil, map[string]string{"x-amz-acl": "private", "x-amz-grant-read": `id="` + f.account + `"`}))
			}},
		{name: "acl/HeaderAndBody", statuses: st(400), codes: codes("UnexpectedContent"),
			send: func(t *testing.T, f *fixture) result {
				body := []byte(aclBody(f.account, f.account, ""))
				return do(t, f.s.signed(t, http.MethodPut, "/writer/pub?acl", body, map[string]string{"x-amz-acl": "private", "Content-MD5": md5b64(body)}))
			}},
		{name: "acl/BodyWithoutOwner", statuses: st(400), codes: codes("MalformedACLError"),
			send: putDoc("/writer/pub?acl", "<AccessControlPolicy><AccessControlList/></AccessControlPolicy>")},
		{name: "acl/BodyBadPermission", statuses: st(400), codes: codes("MalformedACLError"),
			send: func(t *testing.T, f *fixture) result {
				return putDoc("/writer/pub?acl", aclBody(f.account, f.account, `<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>`+f.account+`</ID></Grantee><Permission>EVERYTHING</Permission></Grant>`))(t, f)
			}},
		{name: "acl/BodyWrongOwner", statuses: st(400), codes: codes("InvalidArgument"), message: "Invalid id",
			send: func(t *testing.T, f *fixture) result {
				return putDoc("/writer/pub?acl", aclBody("999999999999", f.account, ""))(t, f)
			}},
		{name: "acl/UnknownGrantee", statuses: st(400), codes: codes("InvalidArgument"), message: "Invalid id",
			send: func(t *testing.T, f *fixture) result {
				return do(t, f.s.signed(t, http.MethodPut, "/writer/pub?acl", nil, map[string]string{"x-amz-grant-read": `id="999999999999"`}))
			}},
		{name: "acl/GrantByEmail", statuses: st(400), codes: codes("UnresolvableGrantByEmailAddress"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, f.s.signed(t, http.MethodPut, "/writer/pub?acl", nil, map[string]string{"x-amz-grant-read": `emailAddress="someone@example.com"`}))
			}},
		{name: "acl/MalformedGrantHeader", statuses: st(400), codes: codes("InvalidArgument"),
			send: func(t *testing.T, f *fixture) result {
				return do(t, f.s.signed(t, http.MethodPut, "/writer/pub?acl", nil, map[string]string{"x-amz-grant-read": `everyone`}))
			}},
		// writer's bucket ACL grants the log-delivery group.
		{name: "acl/OwnershipEnforcedWithGrants", statuses: st(400), codes: codes("InvalidBucketAclWithObjectOwnership"),
			send: putDoc("/writer?ownershipControls", "<OwnershipControls><Rule><ObjectOwnership>BucketOwnerEnforced</ObjectOwnership></Rule></OwnershipControls>")},
	}

	outer := t
	seen := map[string]bool{}
	for _, tc := range cases {
		if seen[tc.name] {
			t.Fatalf("duplicate case %s", tc.name)
		}
		seen[tc.name] = true
		t.Run(tc.name, func(t *testing.T) {
			before := f.s.snapshot(t)
			r := tc.send(t, f)
			var doc errorDoc
			if r.status == http.StatusRequestHeaderFieldsTooLarge {
				// Go's net/http answered before ferry saw the request: plain
				// text, no S3 error document.
				t.Logf("net/http answered 431 (no S3 error document)")
			} else {
				doc = checkError(t, r, tc.statuses, tc.codes)
			}
			if tc.message != "" && doc.Message != tc.message {
				t.Errorf("Message %q, want %q", doc.Message, tc.message)
			}
			if tc.check != nil {
				tc.check(t, f, r, doc)
			}
			if after := f.s.snapshot(t); after != before {
				t.Errorf("state changed by a rejected request:\nbefore:\n%s\nafter:\n%s", before, after)
				f = setup(outer) // later cases start from a clean fixture
			}
		})
	}
}

func createBucket(name string) func(t *testing.T, f *fixture) result {
	return func(t *testing.T, f *fixture) result {
		return do(t, f.s.signed(t, http.MethodPut, "/"+url.PathEscape(name), nil, nil))
	}
}

func putKey(target string) func(t *testing.T, f *fixture) result {
	return func(t *testing.T, f *fixture) result {
		return do(t, f.s.signed(t, http.MethodPut, target, []byte(newBody), nil))
	}
}

func checkChunkSizeError(t *testing.T, f *fixture, r result, doc errorDoc) {
	if doc.Code == "InvalidChunkSizeError" && (doc.Chunk != "1" || doc.BadChunkSize != "1000") {
		t.Errorf("<Chunk> %q <BadChunkSize> %q, want 1 and 1000", doc.Chunk, doc.BadChunkSize)
	}
}

func putVersioning(body string, digest bool) func(t *testing.T, f *fixture) result {
	return func(t *testing.T, f *fixture) result {
		var h map[string]string
		if digest {
			h = map[string]string{"Content-MD5": md5b64([]byte(body))}
		}
		return do(t, f.s.signed(t, http.MethodPut, "/fixture?versioning", []byte(body), h))
	}
}

func putTagging(body string) func(t *testing.T, f *fixture) result {
	return func(t *testing.T, f *fixture) result {
		return do(t, f.s.signed(t, http.MethodPut, "/fixture/victim?tagging", []byte(body), map[string]string{"Content-MD5": md5b64([]byte(body))}))
	}
}

// putDoc PUTs a configuration document with its Content-MD5.
func putDoc(target, body string) func(t *testing.T, f *fixture) result {
	return func(t *testing.T, f *fixture) result {
		return do(t, f.s.signed(t, http.MethodPut, target, []byte(body), map[string]string{"Content-MD5": md5b64([]byte(body))}))
	}
}

// aclBody is an AccessControlPolicy with Owner owner: the grantee's
// FULL_CONTROL plus more grants.
func aclBody(owner, grantee, more string) string {
	return `<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Owner><ID>` + owner + `</ID></Owner><AccessControlList>` +
		`<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>` + grantee +
		`</ID></Grantee><Permission>FULL_CONTROL</Permission></Grant>` + more + `</AccessControlList></AccessControlPolicy>`
}
