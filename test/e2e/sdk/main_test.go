package sdk

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/ferrys3/ferry/internal/app"
	"github.com/ferrys3/ferry/internal/sigv4"
)

const (
	accessKey = "AKIAEXAMPLEKEY000001"
	secretKey = "dummysecretdummysecretdummysecret0001"
	region    = "us-east-1"
)

var creds = sigv4.Credentials{AccessKeyID: accessKey, SecretAccessKey: secretKey}

// env is the server shared by the package's tests; every test works in
// buckets of its own, so tests run in parallel.
var env struct {
	srv      *app.Server
	endpoint string // http://127.0.0.1:port
	tlsURL   string // https://127.0.0.1:port, a TLS relay to the same server
	tlsRoots *x509.CertPool
}

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "ferry-e2e-sdk-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	srv, err := startServer(dir, region)
	if err != nil {
		fmt.Fprintln(os.Stderr, "start server:", err)
		return 1
	}
	defer srv.Close(10 * time.Second)
	env.srv, env.endpoint = srv, srv.URL()
	relay, err := startTLSRelay(strings.TrimPrefix(env.endpoint, "http://"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "start TLS relay:", err)
		return 1
	}
	defer relay.Close()
	env.tlsURL, env.tlsRoots = relay.url, relay.roots
	return m.Run()
}

func startServer(dir, region string) (*app.Server, error) {
	cfg := &app.ServerConfig{DataDir: dir, Listen: "127.0.0.1:0", Region: region, LogLevel: "info", LogFormat: "text",
		RootAccessKey: accessKey, RootSecretKey: secretKey, InlineMax: 128 << 10, NoSync: true}
	return app.StartServer(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
}

// tlsRelay terminates TLS and pipes the plaintext bytes unchanged to the
// server, so the server sees exactly what an HTTPS client sent (the SDK
// only uses trailing checksums over HTTPS).
type tlsRelay struct {
	ln    net.Listener
	url   string
	roots *x509.CertPool
	wg    sync.WaitGroup
}

func startTLSRelay(backend string) (*tlsRelay, error) {
	// Borrow httptest's self-signed certificate (valid for 127.0.0.1).
	ts := httptest.NewUnstartedServer(http.NotFoundHandler())
	ts.StartTLS()
	cert := ts.TLS.Certificates[0]
	roots := x509.NewCertPool()
	roots.AddCert(ts.Certificate())
	ts.Close()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		return nil, err
	}
	r := &tlsRelay{ln: ln, url: "https://" + ln.Addr().String(), roots: roots}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			r.wg.Add(1)
			go func() {
				defer r.wg.Done()
				defer c.Close()
				b, err := net.Dial("tcp", backend)
				if err != nil {
					return
				}
				defer b.Close()
				done := make(chan struct{})
				go func() {
					_, _ = io.Copy(b, c)
					_ = b.(*net.TCPConn).CloseWrite()
					close(done)
				}()
				_, _ = io.Copy(c, b)
				_ = c.Close()
				<-done
			}()
		}
	}()
	return r, nil
}

func (r *tlsRelay) Close() { _ = r.ln.Close() }

// recorder remembers the request headers of the last request per method.
type recorder struct {
	mu   sync.Mutex
	last map[string]http.Header
	rt   http.RoundTripper
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	if r.last == nil {
		r.last = map[string]http.Header{}
	}
	r.last[req.Method] = req.Header.Clone()
	r.mu.Unlock()
	return r.rt.RoundTrip(req)
}

func (r *recorder) Last(method string) http.Header {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last[method]
}

func clientOptions(endpoint string, httpClient aws.HTTPClient, extra ...func(*s3.Options)) *s3.Client {
	cfg := aws.Config{Region: region, Credentials: credentials.NewStaticCredentialsProvider(accessKey, secretKey, ""),
		HTTPClient: httpClient}
	return s3.NewFromConfig(cfg, append([]func(*s3.Options){func(o *s3.Options) {
		o.BaseEndpoint = aws.String(endpoint)
		o.UsePathStyle = true
		o.RetryMaxAttempts = 1 // surface every error as the server sent it
	}}, extra...)...)
}

// newClient is an SDK client talking plain HTTP to the shared server.
func newClient(t testing.TB) *s3.Client {
	t.Helper()
	return clientOptions(env.endpoint, awshttp.NewBuildableClient())
}

// newTLSClient is an SDK client talking HTTPS (through the relay); rec
// records what it sent.
func newTLSClient(t testing.TB) (*s3.Client, *recorder) {
	t.Helper()
	rec := &recorder{rt: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: env.tlsRoots}, ForceAttemptHTTP2: false}}
	return clientOptions(env.tlsURL, &http.Client{Transport: rec}), rec
}

var bucketSeq atomic.Int64

// newBucket creates a fresh bucket for t and returns its name.
func newBucket(t testing.TB, c *s3.Client) string {
	t.Helper()
	name := fmt.Sprintf("sdk-%d-%s", bucketSeq.Add(1), strings.ToLower(strings.NewReplacer("/", "-", "_", "-").Replace(t.Name())))
	if len(name) > 63 {
		name = name[:63]
	}
	name = strings.TrimRight(name, "-.")
	if _, err := c.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatalf("CreateBucket %s: %v", name, err)
	}
	return name
}

// apiCode returns the S3 error code of err ("" if it is not an API error).
func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// httpStatus returns the HTTP status of a failed SDK call (0 if none).
func httpStatus(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// wantAPIError fails t unless err is an API error with code and status.
func wantAPIError(t testing.TB, err error, status int, code string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want %d %s, got success", status, code)
	}
	if got := httpStatus(err); got != status {
		t.Errorf("status = %d, want %d (err %v)", got, status, err)
	}
	if code != "" {
		if got := apiCode(err); got != code {
			t.Errorf("code = %q, want %q (err %v)", got, code, err)
		}
	}
}

func ctx() context.Context { return context.Background() }

func put(t testing.TB, c *s3.Client, bucket, key string, body []byte) *s3.PutObjectOutput {
	t.Helper()
	out, err := c.PutObject(ctx(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytesReader(body)})
	if err != nil {
		t.Fatalf("PutObject %s/%s: %v", bucket, key, err)
	}
	return out
}

func get(t testing.TB, c *s3.Client, bucket, key string) ([]byte, *s3.GetObjectOutput) {
	t.Helper()
	out, err := c.GetObject(ctx(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("GetObject %s/%s: %v", bucket, key, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatalf("read %s/%s: %v", bucket, key, err)
	}
	return b, out
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }

// randomBytes returns n pseudo-random bytes (deterministic per seed).
func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := 0; i+8 <= n; i += 8 {
		v := r.Uint64()
		for j := 0; j < 8; j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	for i := n &^ 7; i < n; i++ {
		b[i] = byte(r.Uint32())
	}
	return b
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
