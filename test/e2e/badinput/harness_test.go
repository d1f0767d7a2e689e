package badinput

import (
	"bufio"
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ferrys3/ferry/internal/app"
	"github.com/ferrys3/ferry/internal/s3xml"
	"github.com/ferrys3/ferry/internal/sigv4"
)

const (
	accessKey = "AKIAEXAMPLEKEY000001"
	secretKey = "dummysecretdummysecretdummysecret0001"
	region    = "us-east-1"
)

var creds = sigv4.Credentials{AccessKeyID: accessKey, SecretAccessKey: secretKey}

// server is one running ferry for a test.
type server struct {
	srv      *app.Server
	endpoint string // http://127.0.0.1:port
	host     string // 127.0.0.1:port
	dataDir  string
}

func startServer(t *testing.T) *server {
	t.Helper()
	dir := t.TempDir()
	cfg := &app.ServerConfig{DataDir: dir, Listen: "127.0.0.1:0", Region: region, LogLevel: "info", LogFormat: "text",
		RootAccessKey: accessKey, RootSecretKey: secretKey, InlineMax: 128 << 10, NoSync: true}
	srv, err := app.StartServer(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close(10 * time.Second) })
	return &server{srv: srv, endpoint: srv.URL(), host: strings.TrimPrefix(srv.URL(), "http://"), dataDir: dir}
}

func sha256hex(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }
func md5b64(b []byte) string    { s := md5.Sum(b); return base64.StdEncoding.EncodeToString(s[:]) }
func md5hex(b []byte) string    { s := md5.Sum(b); return hex.EncodeToString(s[:]) }

// newRequest builds an unsigned request; target is the escaped path and
// query ("/bucket/key?x=y") sent as is.
func (s *server) newRequest(t *testing.T, method, target string, body []byte) *http.Request {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, s.endpoint+target, rd)
	if err != nil {
		t.Fatalf("NewRequest %s %s: %v", method, target, err)
	}
	return req
}

// signed builds a request signed with the body's SHA-256 as payload hash;
// hdr is set before signing.
func (s *server) signed(t *testing.T, method, target string, body []byte, hdr map[string]string) *http.Request {
	t.Helper()
	req := s.newRequest(t, method, target, body)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	sigv4.Sign(req, creds, region, "s3", sha256hex(body), time.Now())
	return req
}

// result is a response, read completely.
type result struct {
	status int
	header http.Header
	body   []byte
	method string
}

func do(t *testing.T, req *http.Request) result {
	t.Helper()
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	return result{status: resp.StatusCode, header: resp.Header, body: b, method: req.Method}
}

// rawSend writes head (request line and headers, without the final CRLF)
// and body on a fresh connection, half-closes it and reads the response.
// ok is false when the server closed the connection without answering.
func (s *server) rawSend(t *testing.T, head string, body []byte) (res result, ok bool) {
	t.Helper()
	c, err := net.Dial("tcp", s.host)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, head+"\r\n"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write(body); err != nil {
		t.Fatal(err)
	}
	_ = c.(*net.TCPConn).CloseWrite()
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return result{}, false
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return result{status: resp.StatusCode, header: resp.Header, body: b}, true
}

// rawHead renders req's request line and headers (for rawSend), with
// Content-Length cl.
func rawHead(req *http.Request, cl int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\n", req.Method, req.URL.RequestURI(), req.Host)
	keys := make([]string, 0, len(req.Header))
	for k := range req.Header {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		for _, v := range req.Header[k] {
			fmt.Fprintf(&b, "%s: %s\r\n", k, v)
		}
	}
	fmt.Fprintf(&b, "Content-Length: %d\r\nConnection: close\r\n", cl)
	return b.String()
}

// errorDoc is the S3 error document.
type errorDoc struct {
	XMLName    xml.Name `xml:"Error"`
	Code       string   `xml:"Code"`
	Message    string   `xml:"Message"`
	RequestID  string   `xml:"RequestId"`
	HostID     string   `xml:"HostId"`
	Key        string   `xml:"Key"`
	BucketName string   `xml:"BucketName"`
	Resource   string   `xml:"Resource"`
	// InvalidChunkSizeError details.
	Chunk        string `xml:"Chunk"`
	BadChunkSize string `xml:"BadChunkSize"`
}

// checkError asserts that r is an S3 error with one of the statuses and
// codes (any code when codes is empty) and returns its document. Every
// error carries x-amz-request-id; non-HEAD errors have an XML body whose
// RequestId equals it; HEAD errors have no body.
func checkError(t *testing.T, r result, statuses []int, codes []string) errorDoc {
	t.Helper()
	var doc errorDoc
	if !slices.Contains(statuses, r.status) {
		t.Errorf("status %d, want one of %v; body: %s", r.status, statuses, clip(r.body))
	}
	rid := r.header.Get("x-amz-request-id")
	if rid == "" {
		t.Errorf("no x-amz-request-id header")
	}
	if r.method == http.MethodHead {
		if len(r.body) != 0 {
			t.Errorf("HEAD error has a body: %s", clip(r.body))
		}
		return doc
	}
	if err := xml.Unmarshal(r.body, &doc); err != nil {
		t.Errorf("error body is not an <Error> document (%v): %s", err, clip(r.body))
		return doc
	}
	if ct := r.header.Get("Content-Type"); ct != "application/xml" {
		t.Errorf("Content-Type %q, want application/xml", ct)
	}
	if doc.Code == "" || doc.Message == "" || doc.RequestID == "" {
		t.Errorf("error document lacks Code, Message or RequestId: %s", clip(r.body))
	}
	if strings.HasPrefix(doc.Message, "sigv4:") || strings.Contains(doc.Message, "sigv4: ") {
		// AWS messages are prose ("The authorization header is malformed;
		// ..."), never Go error strings.
		t.Errorf("Message leaks an internal Go error: %q", doc.Message)
	}
	if doc.RequestID != rid {
		t.Errorf("RequestId %q differs from x-amz-request-id %q", doc.RequestID, rid)
	}
	if len(codes) > 0 && !slices.Contains(codes, doc.Code) {
		t.Errorf("Code %q, want one of %v (message %q)", doc.Code, codes, doc.Message)
	}
	return doc
}

func clip(b []byte) string {
	if len(b) > 600 {
		return string(b[:600]) + "..."
	}
	return string(b)
}

// mustOK performs a signed request that must succeed.
func (s *server) mustOK(t *testing.T, method, target string, body []byte, hdr map[string]string) result {
	t.Helper()
	r := do(t, s.signed(t, method, target, body, hdr))
	if r.status/100 != 2 {
		t.Fatalf("%s %s: %d %s", method, target, r.status, clip(r.body))
	}
	return r
}

func (s *server) decode(t *testing.T, target string, v any) {
	t.Helper()
	r := s.mustOK(t, http.MethodGet, target, nil, nil)
	if err := xml.Unmarshal(r.body, v); err != nil {
		t.Fatalf("GET %s: %v: %s", target, err, clip(r.body))
	}
}

// snapshot renders everything a client can observe (buckets, objects with
// their bytes and headers, uploads with their parts) plus the blob files
// on disk, for before/after comparison.
func (s *server) snapshot(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	var lb s3xml.ListAllMyBucketsResult
	s.decode(t, "/", &lb)
	for _, bk := range lb.Buckets {
		fmt.Fprintf(&b, "bucket %s\n", bk.Name)
		// Versioning state, every version and marker, and bucket tags.
		fmt.Fprintf(&b, "  versioning %s\n", s.mustOK(t, http.MethodGet, "/"+bk.Name+"?versioning", nil, nil).body)
		fmt.Fprintf(&b, "  versions %s\n", s.mustOK(t, http.MethodGet, "/"+bk.Name+"?versions&encoding-type=url", nil, nil).body)
		tg := do(t, s.signed(t, http.MethodGet, "/"+bk.Name+"?tagging", nil, nil))
		if tg.status != http.StatusOK {
			tg.body = nil // error bodies carry a fresh request ID
		}
		fmt.Fprintf(&b, "  tagging %d %s\n", tg.status, tg.body)
		// Policy, Block Public Access, Object Ownership and the bucket ACL.
		for _, sub := range []string{"policy", "publicAccessBlock", "ownershipControls", "acl"} {
			r := do(t, s.signed(t, http.MethodGet, "/"+bk.Name+"?"+sub, nil, nil))
			if r.status != http.StatusOK {
				r.body = nil
			}
			fmt.Fprintf(&b, "  %s %d %s\n", sub, r.status, r.body)
		}
		var l s3xml.ListBucketResult
		s.decode(t, "/"+bk.Name+"?list-type=2&encoding-type=url", &l)
		for _, o := range l.Contents {
			r := s.mustOK(t, http.MethodGet, "/"+bk.Name+"/"+o.Key, nil, nil)
			var meta []string
			for k, v := range r.header {
				lk := strings.ToLower(k)
				if strings.HasPrefix(lk, "x-amz-meta-") || lk == "content-type" || lk == "x-amz-tagging-count" || lk == "etag" {
					meta = append(meta, lk+"="+strings.Join(v, ","))
				}
			}
			slices.Sort(meta)
			fmt.Fprintf(&b, "  object %s etag=%s size=%d md5=%s %v\n", o.Key, o.ETag, o.Size, md5hex(r.body), meta)
			fmt.Fprintf(&b, "    tags %s\n", s.mustOK(t, http.MethodGet, "/"+bk.Name+"/"+o.Key+"?tagging", nil, nil).body)
			fmt.Fprintf(&b, "    acl %s\n", s.mustOK(t, http.MethodGet, "/"+bk.Name+"/"+o.Key+"?acl", nil, nil).body)
		}
		var lu s3xml.ListMultipartUploadsResult
		s.decode(t, "/"+bk.Name+"?uploads", &lu)
		for _, u := range lu.Uploads {
			var lp s3xml.ListPartsResult
			s.decode(t, "/"+bk.Name+"/"+u.Key+"?uploadId="+u.UploadID, &lp)
			fmt.Fprintf(&b, "  upload %s %s\n", u.Key, u.UploadID)
			for _, p := range lp.Parts {
				fmt.Fprintf(&b, "    part %d %s %d\n", p.PartNumber, p.ETag, p.Size)
			}
		}
	}
	n := 0
	_ = filepath.WalkDir(filepath.Join(s.dataDir, "data"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			n++
		}
		return nil
	})
	fmt.Fprintf(&b, "blob files %d\n", n)
	return b.String()
}

func xmlUnmarshal(b []byte, v any) error { return xml.Unmarshal(b, v) }
