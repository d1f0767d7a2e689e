package bench

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

const (
	emptySHA256     = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	unsignedPayload = "UNSIGNED-PAYLOAD"
	patternSize     = 1 << 20 // request bodies repeat this random buffer
	readBufSize     = 256 << 10
	userAgent       = "ferry-bench"
)

// client is a minimal SigV4 S3 client: plain net/http, path-style URLs.
type client struct {
	hc       *http.Client
	tr       *http.Transport
	signer   *v4.Signer
	creds    aws.Credentials
	region   string
	endpoint string // as configured, used as the base for NewRequest
	scheme   string
	host     string
	basePath string // endpoint path without trailing slash (decoded)
	baseRaw  string // same, escaped
	bucket   string

	unsigned bool
	pattern  []byte // random content; bodies are pattern repeated
	objSize  int64
	objHash  string // payload hash of a whole ObjectSize body
}

func newClient(cfg Config) (*client, error) {
	u, err := url.Parse(cfg.Endpoint)
	if err != nil {
		return nil, err
	}
	conns := 2*cfg.Concurrency + 4
	tr := &http.Transport{
		Proxy: nil, // benchmark the endpoint itself, never an environment proxy
		DialContext: (&net.Dialer{
			Timeout:   10 * time.Second,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		TLSClientConfig:     &tls.Config{InsecureSkipVerify: cfg.Insecure}, //nolint:gosec // opt-in flag
		TLSHandshakeTimeout: 10 * time.Second,
		ForceAttemptHTTP2:   false, // S3 is HTTP/1.1; custom dialer+TLS config keep h2 off
		DisableCompression:  true,
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		IdleConnTimeout:     90 * time.Second,
		WriteBufferSize:     64 << 10,
		ReadBufferSize:      64 << 10,
	}
	c := &client{
		hc: &http.Client{
			Transport: tr,
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse // S3 redirects mean wrong region/endpoint
			},
		},
		tr:       tr,
		signer:   v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true }),
		creds:    aws.Credentials{AccessKeyID: cfg.AccessKeyID, SecretAccessKey: cfg.SecretAccessKey, SessionToken: cfg.SessionToken},
		region:   cfg.Region,
		endpoint: cfg.Endpoint,
		scheme:   u.Scheme,
		host:     u.Host,
		basePath: strings.TrimRight(u.Path, "/"),
		baseRaw:  strings.TrimRight(u.EscapedPath(), "/"),
		bucket:   cfg.Bucket,
		unsigned: cfg.UnsignedPayload,
		pattern:  make([]byte, patternSize),
		objSize:  cfg.ObjectSize,
	}
	var seed [32]byte
	for i := 0; i < len(seed); i += 8 {
		binary.LittleEndian.PutUint64(seed[i:], rand.Uint64())
	}
	_, _ = rand.NewChaCha8(seed).Read(c.pattern)
	c.objHash = c.computeHash(0, cfg.ObjectSize)
	return c, nil
}

func (c *client) close() { c.tr.CloseIdleConnections() }

// payloadHash returns the X-Amz-Content-SHA256 value for the pattern body
// starting at pattern offset start with n bytes.
func (c *client) payloadHash(start, n int64) string {
	if start == 0 && n == c.objSize {
		return c.objHash
	}
	return c.computeHash(start, n)
}

func (c *client) computeHash(start, n int64) string {
	switch {
	case n == 0:
		return emptySHA256
	case c.unsigned || n > SignedPayloadLimit:
		return unsignedPayload
	}
	h := sha256.New()
	_, _ = io.Copy(h, c.body(start, n))
	return hex.EncodeToString(h.Sum(nil))
}

// body returns a reader of n bytes of the repeated pattern from offset start.
func (c *client) body(start, n int64) *patternReader {
	return &patternReader{pat: c.pattern, pos: int(start % int64(len(c.pattern))), remaining: n}
}

// patternReader streams a repeated buffer without allocating the body.
type patternReader struct {
	pat       []byte
	pos       int
	remaining int64
}

func (r *patternReader) Read(p []byte) (int, error) {
	if r.remaining <= 0 {
		return 0, io.EOF
	}
	n := 0
	for len(p) > 0 && r.remaining > 0 {
		chunk := r.pat[r.pos:]
		if int64(len(chunk)) > r.remaining {
			chunk = chunk[:r.remaining]
		}
		m := copy(p, chunk)
		n += m
		p = p[m:]
		r.advance(m)
	}
	return n, nil
}

// WriteTo lets io.Copy hand whole pattern chunks to the writer.
func (r *patternReader) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for r.remaining > 0 {
		chunk := r.pat[r.pos:]
		if int64(len(chunk)) > r.remaining {
			chunk = chunk[:r.remaining]
		}
		m, err := w.Write(chunk)
		total += int64(m)
		r.advance(m)
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

func (r *patternReader) advance(m int) {
	r.pos += m
	r.remaining -= int64(m)
	if r.pos == len(r.pat) {
		r.pos = 0
	}
}

// s3Escape percent-encodes a key the way SigV4 canonical URIs expect:
// everything except unreserved characters and '/'.
func s3Escape(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if 'A' <= ch && ch <= 'Z' || 'a' <= ch && ch <= 'z' || '0' <= ch && ch <= '9' ||
			ch == '-' || ch == '_' || ch == '.' || ch == '~' || ch == '/' {
			b.WriteByte(ch)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[ch>>4])
		b.WriteByte(hexDigits[ch&15])
	}
	return b.String()
}

// url builds the path-style URL of the bucket (key == "") or an object.
func (c *client) url(key, rawQuery string) *url.URL {
	p := c.basePath + "/" + c.bucket
	raw := c.baseRaw + "/" + c.bucket
	if key != "" {
		p += "/" + key
		raw += "/" + s3Escape(key)
	}
	return &url.URL{Scheme: c.scheme, Host: c.host, Path: p, RawPath: raw, RawQuery: rawQuery}
}

// request is one S3 call.
type request struct {
	method   string
	key      string
	query    string
	body     io.Reader // nil for no body
	bodySize int64
	getBody  func() io.Reader // rewinds body for transport retries
	hash     string           // payload hash; "" means empty body
	header   http.Header
}

// do signs and sends req. Non-2xx responses are drained, closed and turned
// into an *s3Error; on success the caller owns resp.Body.
func (c *client) do(ctx context.Context, r *request) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, r.method, c.endpoint, nil)
	if err != nil {
		return nil, err
	}
	req.URL = c.url(r.key, r.query)
	req.Host = req.URL.Host
	for k, v := range r.header {
		req.Header[k] = v
	}
	req.Header.Set("User-Agent", userAgent)
	if r.body != nil {
		req.Body = io.NopCloser(r.body)
		req.ContentLength = r.bodySize
		if r.getBody != nil {
			gb := r.getBody
			req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(gb()), nil }
		}
		if r.bodySize == 0 {
			req.Body = http.NoBody
		}
	}
	hash := r.hash
	if hash == "" {
		hash = emptySHA256
	}
	req.Header.Set("X-Amz-Content-Sha256", hash)
	if err := c.signer.SignHTTP(ctx, c.creds, req, hash, "s3", c.region, time.Now()); err != nil {
		return nil, err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		return nil, c.statusError(r, resp)
	}
	return resp, nil
}

// s3Error is a non-2xx response.
type s3Error struct {
	Method string
	Target string
	Status int
	Code   string
}

func (e *s3Error) Error() string {
	code := e.Code
	if code == "" {
		code = http.StatusText(e.Status)
	}
	return fmt.Sprintf("%s %s: %d %s", e.Method, e.Target, e.Status, code)
}

func (c *client) statusError(r *request, resp *http.Response) error {
	defer resp.Body.Close()
	head, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20)) // keep the connection if cheap
	target := "/" + c.bucket
	if r.key != "" {
		target += "/" + r.key
	}
	if r.query != "" {
		q := r.query
		if i := strings.IndexByte(q, '&'); i >= 0 && (strings.HasPrefix(q, "list-type") || strings.HasPrefix(q, "versions&")) {
			q = q[:i]
		}
		target += "?" + q
	}
	return &s3Error{Method: r.method, Target: target, Status: resp.StatusCode, Code: xmlField(head, "Code")}
}

// xmlField extracts the text of the first <name>...</name> in b.
func xmlField(b []byte, name string) string {
	open := []byte("<" + name + ">")
	i := bytes.Index(b, open)
	if i < 0 {
		return ""
	}
	rest := b[i+len(open):]
	j := bytes.Index(rest, []byte("</"+name+">"))
	if j < 0 {
		return ""
	}
	return string(rest[:j])
}

// drain reads and discards a response body using buf, returning its length.
func drain(body io.ReadCloser, buf []byte) (int64, error) {
	defer body.Close()
	var n int64
	for {
		m, err := body.Read(buf)
		n += int64(m)
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}
