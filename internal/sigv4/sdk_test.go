package sigv4

// Cross-checks against aws-sdk-go-v2: requests signed and presigned by the
// SDK's v4.Signer, and whole S3 client calls, sent over real HTTP(S) to a
// test server that verifies them with this package.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/ferrys3/ferry/internal/checksum"
)

// seen is what the verifying server observed for one request.
type seen struct {
	method, uri string
	auth        *Auth
	err         error
	body        []byte
	trailers    http.Header
}

// verifyingServer verifies every request (buffering and hashing bodies of
// requests without X-Amz-Content-SHA256 for non-s3 services), reads the
// decoded body, records the outcome and answers 200 (403 on failure).
type verifyingServer struct {
	mu   sync.Mutex
	got  []seen
	v    *Verifier
	now  func() time.Time
	resp func(w http.ResponseWriter, r *http.Request)
}

func (s *verifyingServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := seen{method: r.Method, uri: r.RequestURI}
	a, err := s.v.Verify(r, s.now())
	if errors.Is(err, ErrMissingContentSHA256) {
		var ph string
		if ph, err = BufferBody(r, 1<<20); err == nil {
			a, err = s.v.VerifyWithPayloadHash(r, s.now(), ph)
		}
	}
	if err == nil {
		var br BodyReader
		if br, err = a.Body(r); err == nil {
			rec.body, err = io.ReadAll(br)
			rec.trailers = br.Trailers()
		}
	}
	rec.auth, rec.err = a, err
	s.mu.Lock()
	s.got = append(s.got, rec)
	s.mu.Unlock()
	if err != nil {
		http.Error(w, err.Error(), http.StatusForbidden)
		return
	}
	if s.resp != nil {
		s.resp(w, r)
	}
}

func (s *verifyingServer) take() []seen {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.got
	s.got = nil
	return g
}

func newVerifyingServer(t *testing.T, tls bool) (*verifyingServer, *httptest.Server) {
	vs := &verifyingServer{v: NewVerifier(testLookup), now: time.Now}
	var srv *httptest.Server
	if tls {
		srv = httptest.NewTLSServer(vs)
	} else {
		srv = httptest.NewServer(vs)
	}
	t.Cleanup(srv.Close)
	return vs, srv
}

var sdkCreds = aws.Credentials{AccessKeyID: testCreds.AccessKeyID, SecretAccessKey: testCreds.SecretAccessKey}

func hexSHA(b string) string {
	s := sha256.Sum256([]byte(b))
	return hex.EncodeToString(s[:])
}

func TestSDKSignHTTP(t *testing.T) {
	vs, srv := newVerifyingServer(t, false)
	signer := v4.NewSigner()
	s3opt := func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true }
	for _, target := range roundTripTargets {
		for _, method := range []string{"GET", "PUT"} {
			body := ""
			if method == "PUT" {
				body = "hello world"
			}
			req, err := http.NewRequest(method, srv.URL+target, strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			ph := hexSHA(body)
			req.Header.Set("X-Amz-Content-Sha256", ph)
			req.Header.Set("Content-Type", "text/plain")
			req.Header.Set("X-Amz-Meta-Note", "  two   spaces  ")
			req.Header.Set("X-Amz-Meta-Unicode", "caf\u00e9")
			if method == "GET" {
				req.Header.Set("Range", "bytes=0-9")
			}
			if err := signer.SignHTTP(context.Background(), sdkCreds, req, ph, "s3", "us-east-1", time.Now(), s3opt); err != nil {
				t.Fatal(err)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			msg, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			g := vs.take()
			if resp.StatusCode != 200 || len(g) != 1 || g[0].err != nil {
				t.Errorf("%s %s: %d %s", method, target, resp.StatusCode, msg)
				continue
			}
			if string(g[0].body) != body {
				t.Errorf("%s %s: body %q", method, target, g[0].body)
			}
		}
	}
}

func TestSDKSignHTTPOtherServices(t *testing.T) {
	vs, srv := newVerifyingServer(t, false)
	signer := v4.NewSigner()
	tests := []struct{ method, service, target, body string }{
		{"POST", "iam", "/", "Action=ListUsers&Version=2010-05-08"},
		{"POST", "sts", "/", "Action=GetCallerIdentity&Version=2011-06-15"},
		{"POST", "kms", "/", `{"KeyId":"alias/x"}`},
		{"GET", "iam", "/?Action=ListUsers&Version=2010-05-08&PathPrefix=%2Fdiv%2F", ""},
		{"GET", "execute-api", "/stage/a%20b/c%2Bd/%C3%BC", ""}, // double-encoded by the SDK
	}
	for _, tc := range tests {
		req, _ := http.NewRequest(tc.method, srv.URL+tc.target, strings.NewReader(tc.body))
		if tc.body != "" {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
		}
		if err := signer.SignHTTP(context.Background(), sdkCreds, req, hexSHA(tc.body), tc.service, "us-east-1", time.Now()); err != nil {
			t.Fatal(err)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		msg, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		g := vs.take()
		if resp.StatusCode != 200 || len(g) != 1 || string(g[0].body) != tc.body {
			t.Errorf("%s %s %s: %d %s", tc.service, tc.method, tc.target, resp.StatusCode, msg)
		}
	}
}

func TestSDKPresignHTTP(t *testing.T) {
	vs, srv := newVerifyingServer(t, false)
	signer := v4.NewSigner()
	s3opt := func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true }
	withToken := sdkCreds
	withToken.SessionToken = "session/token+value="
	vs.v = NewCredentialVerifier(func(id string) (Credentials, error) {
		return Credentials{AccessKeyID: id, SecretAccessKey: testCreds.SecretAccessKey}, nil
	})
	for _, creds := range []aws.Credentials{sdkCreds, withToken} {
		for _, target := range roundTripTargets {
			for _, method := range []string{"GET", "PUT"} {
				req, _ := http.NewRequest(method, srv.URL+target, nil)
				// The S3 presign client sets the expiry before signing.
				q := req.URL.Query()
				q.Set("X-Amz-Expires", "900")
				req.URL.RawQuery = q.Encode()
				if method == "PUT" {
					req.Header.Set("X-Amz-Meta-Owner", "someone")
					req.Header.Set("Content-Type", "application/octet-stream")
					req.Header.Set("X-Amz-Expected-Bucket-Owner", "123456789012") // hoisted into the query
				}
				u, hdr, err := signer.PresignHTTP(context.Background(), creds, req, UnsignedPayload, "s3", "eu-central-1",
					time.Now(), s3opt)
				if err != nil {
					t.Fatal(err)
				}
				use, _ := http.NewRequest(method, u, strings.NewReader("payload"))
				for k, vs := range hdr {
					if k != "Host" {
						use.Header[k] = vs
					}
				}
				resp, err := srv.Client().Do(use)
				if err != nil {
					t.Fatal(err)
				}
				msg, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				g := vs.take()
				if resp.StatusCode != 200 || len(g) != 1 || !g[0].auth.Presigned {
					t.Errorf("%s %s (token %v): %d %s\nurl %s", method, target, creds.SessionToken != "", resp.StatusCode, msg, u)
					continue
				}
				if g[0].auth.SessionToken != creds.SessionToken {
					t.Errorf("session token %q", g[0].auth.SessionToken)
				}
			}
		}
	}
}

// TestSDKS3Client drives the real S3 client against the verifying server,
// over http (signed payload hashes) and https (where the SDK sends
// aws-chunked bodies with a trailing checksum).
func TestSDKS3Client(t *testing.T) {
	for _, tls := range []bool{false, true} {
		t.Run(fmt.Sprintf("tls=%v", tls), func(t *testing.T) {
			vs, srv := newVerifyingServer(t, tls)
			vs.resp = func(w http.ResponseWriter, r *http.Request) {
				switch {
				case r.Method == "PUT":
					w.Header().Set("ETag", `"d41d8cd98f00b204e9800998ecf8427e"`)
				case r.URL.Query().Has("list-type"):
					w.Header().Set("Content-Type", "application/xml")
					io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><KeyCount>0</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>`)
				case r.Method == "GET":
					io.WriteString(w, "object data")
				}
			}
			client := s3.New(s3.Options{
				Region:       "us-east-1",
				BaseEndpoint: aws.String(srv.URL),
				UsePathStyle: true,
				HTTPClient:   srv.Client(),
				Retryer:      aws.NopRetryer{},
				Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
					return sdkCreds, nil
				}),
			})
			ctx := context.Background()
			keys := []string{"plain.txt", "sp ace+ü%.txt", "dir/sub/k~!'()*", "a%2Fb", "ünïcødé/ключ/鍵"}
			payload := strings.Repeat("0123456789abcdef", 70_000) // ~1.1 MiB: several aws chunks
			for _, key := range keys {
				_, err := client.PutObject(ctx, &s3.PutObjectInput{
					Bucket: aws.String("src-bucket"), Key: aws.String(key), Body: strings.NewReader(payload),
					Metadata: map[string]string{"note": "a  b"}, ContentType: aws.String("text/plain"),
				})
				if err != nil {
					t.Errorf("PutObject %q: %v", key, err)
				}
				// Over https an unseekable body makes the SDK stream it
				// (aws-chunked with a trailing checksum).
				if tls {
					_, err = client.PutObject(ctx, &s3.PutObjectInput{
						Bucket: aws.String("src-bucket"), Key: aws.String(key), Body: struct{ io.Reader }{strings.NewReader(payload)},
						ContentLength: aws.Int64(int64(len(payload))), ChecksumAlgorithm: "CRC64NVME",
					})
					if err != nil {
						t.Errorf("PutObject (stream) %q: %v", key, err)
					}
				}
				if _, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("src-bucket"), Key: aws.String(key),
					Range: aws.String("bytes=0-3")}); err != nil {
					t.Errorf("GetObject %q: %v", key, err)
				}
			}
			if _, err := client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("src-bucket"),
				Prefix: aws.String("sp ace+ü/"), Delimiter: aws.String("/")}); err != nil {
				t.Errorf("ListObjectsV2: %v", err)
			}
			modes := map[string]int{}
			checkedTrailers := 0
			for _, g := range vs.take() {
				if g.err != nil {
					t.Errorf("%s %s: %v", g.method, g.uri, g.err)
					continue
				}
				modes[g.auth.PayloadHash[:min(len(g.auth.PayloadHash), 20)]]++
				if g.method != "PUT" {
					continue
				}
				if string(g.body) != payload {
					t.Errorf("PUT %s: decoded %d bytes", g.uri, len(g.body))
				}
				for name, vals := range g.trailers {
					alg, ok := checksum.FromHeaderName(name)
					if !ok {
						t.Errorf("unexpected trailer %s", name)
						continue
					}
					want, _ := checksum.Sum(alg, g.body)
					if vals[0] != checksum.Encode(want) {
						t.Errorf("trailer %s = %s, body has %s", name, vals[0], checksum.Encode(want))
					}
					checkedTrailers++
				}
			}
			t.Logf("payload modes seen: %v; %d trailing checksums checked", modes, checkedTrailers)
			if tls && (modes[StreamingUnsignedPayloadTrailer[:20]] == 0 || checkedTrailers == 0) {
				t.Error("the SDK sent no aws-chunked trailer uploads")
			}
		})
	}
}

// TestWireOwnSigner sends requests signed by Sign over a real connection:
// a signed transfer-encoding (Go's server strips the header), and a signed
// aws-chunked upload with Expect: 100-continue.
func TestWireOwnSigner(t *testing.T) {
	vs, srv := newVerifyingServer(t, false)
	payload := []byte(strings.Repeat("x", 200_000))

	// Unknown length: Go's client sends Transfer-Encoding: chunked.
	req, _ := http.NewRequest("PUT", srv.URL+"/src-bucket/sp%20ace%2B%C3%BC%25.txt", struct{ io.Reader }{strings.NewReader(string(payload))})
	req.TransferEncoding = []string{"chunked"}
	SignWithHeaders(req, testCreds, "us-east-1", "s3", UnsignedPayload, time.Now(), []string{"transfer-encoding"})
	if !strings.Contains(req.Header.Get("Authorization"), "transfer-encoding") {
		t.Fatal("transfer-encoding not signed")
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if g := vs.take(); resp.StatusCode != 200 || len(g) != 1 || len(g[0].body) != len(payload) {
		t.Fatalf("transfer-encoding: %d %+v", resp.StatusCode, g)
	}

	// Signed aws-chunked, 64 KiB chunks, with a signed trailer.
	for _, mode := range []string{StreamingPayload, StreamingPayloadTrailer} {
		req, _ = http.NewRequest("PUT", srv.URL+"/src-bucket/chunked.bin", nil)
		req.Header.Set("Content-Encoding", "aws-chunked")
		req.Header.Set("X-Amz-Decoded-Content-Length", fmt.Sprint(len(payload)))
		req.Header.Set("Expect", "100-continue")
		var tr http.Header
		if mode == StreamingPayloadTrailer {
			req.Header.Set("X-Amz-Trailer", "x-amz-checksum-crc32")
			tr = crcTrailer(payload)
		}
		seed := SignWithHeaders(req, testCreds, "us-east-1", "s3", mode, time.Now(), []string{"content-encoding", "content-length"})
		body := SignChunked(payload, 64<<10, seed, tr)
		req.Body = io.NopCloser(strings.NewReader(string(body)))
		req.ContentLength = int64(len(body))
		// content-length was signed before it was known: re-sign now.
		seed = SignWithHeaders(req, testCreds, "us-east-1", "s3", mode, seed.Time, []string{"content-encoding", "content-length"})
		body = SignChunked(payload, 64<<10, seed, tr)
		req.Body = io.NopCloser(strings.NewReader(string(body)))
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		msg, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		g := vs.take()
		if resp.StatusCode != 200 || len(g) != 1 || string(g[0].body) != string(payload) {
			t.Fatalf("%s: %d %s", mode, resp.StatusCode, msg)
		}
		if mode == StreamingPayloadTrailer && g[0].trailers.Get("X-Amz-Checksum-Crc32") != tr.Get("X-Amz-Checksum-Crc32") {
			t.Fatalf("trailers %v", g[0].trailers)
		}
	}
}
