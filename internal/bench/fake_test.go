package bench

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

const (
	testAKID   = "AKIDBENCH"
	testSecret = "secret/bench+key"
	testRegion = "us-east-1"
)

// fakeS3 is a tiny in-memory S3 that verifies SigV4 signatures by
// re-signing each request with the same inputs.
type fakeS3 struct {
	t      *testing.T
	mu     sync.Mutex
	bucket map[string]bool
	obj    map[string][]byte // "bucket/key" -> data
	up     map[string]map[int][]byte
	nextID int

	// counters (under mu)
	authFailures []string
	bodyFailures []string
	puts         int   // single PUTs
	putBytes     int64 // bytes received by single PUTs
	parts        int
	partBytes    int64
	completes    int
	aborts       int
	gets         int
	getBytes     int64
	lists        int
	deletes      int
	hashes       map[string]int // X-Amz-Content-Sha256 kinds: "unsigned", "sha256", "empty"

	failGet     func(key string) bool // inject 500s
	badPartETag int                   // answer this part number with a wrong ETag

	// Versioning and replication (see replicateTo).
	versioned    map[string]bool       // buckets whose writes get a version id
	ver          map[string]string     // "bucket/key" -> version id
	rules        map[string]fakeRule   // source bucket -> replication rule
	heads        int                   // object HEADs
	versionPages int                   // ListObjectVersions pages served
	listPage     int                   // if > 0, ListObjectVersions page size
	failHead     func(key string) bool // inject 500s on object HEADs
}

// fakeRule copies every write into dst after delay, unless skip says no.
type fakeRule struct {
	dst   string
	delay time.Duration
	skip  func(key string) bool
}

// replicateTo creates src and dst as versioned buckets and replicates every
// write into src to dst after delay (never if skip(key)).
func (f *fakeS3) replicateTo(src, dst string, delay time.Duration, skip func(key string) bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, b := range []string{src, dst} {
		f.bucket[b] = true
		f.versioned[b] = true
	}
	f.rules[src] = fakeRule{dst: dst, delay: delay, skip: skip}
}

// store saves a written object, gives it a version id in a versioned bucket
// and schedules its replication.
func (f *fakeS3) store(w http.ResponseWriter, bucket, key string, data []byte) {
	name := bucket + "/" + key
	f.obj[name] = data
	if !f.versioned[bucket] {
		return
	}
	f.nextID++
	vid := fmt.Sprintf("v%06d+/=", f.nextID) // needs query escaping
	f.ver[name] = vid
	w.Header().Set("X-Amz-Version-Id", vid)
	rule, ok := f.rules[bucket]
	if !ok || rule.skip != nil && rule.skip(key) {
		return
	}
	time.AfterFunc(rule.delay, func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.bucket[rule.dst] {
			f.obj[rule.dst+"/"+key] = data
			f.ver[rule.dst+"/"+key] = vid // replicas keep the version id
		}
	})
}

func newFakeS3(t *testing.T) (*fakeS3, *httptest.Server) {
	f := &fakeS3{t: t, bucket: map[string]bool{}, obj: map[string][]byte{},
		up: map[string]map[int][]byte{}, hashes: map[string]int{},
		versioned: map[string]bool{}, ver: map[string]string{}, rules: map[string]fakeRule{}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *fakeS3) checkAuth(r *http.Request, body []byte) error {
	auth := r.Header.Get("Authorization")
	if auth == "" {
		return fmt.Errorf("no Authorization header")
	}
	if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential="+testAKID+"/") {
		return fmt.Errorf("bad Authorization %q", auth)
	}
	hash := r.Header.Get("X-Amz-Content-Sha256")
	switch hash {
	case "":
		return fmt.Errorf("no X-Amz-Content-Sha256")
	case unsignedPayload:
		f.hashes["unsigned"]++
	case emptySHA256:
		f.hashes["empty"]++
		if len(body) != 0 {
			return fmt.Errorf("empty-body hash with %d byte body", len(body))
		}
	default:
		f.hashes["sha256"]++
		sum := sha256.Sum256(body)
		if hex.EncodeToString(sum[:]) != hash {
			return fmt.Errorf("payload hash mismatch")
		}
	}
	when, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil {
		return err
	}
	_, sh, ok := strings.Cut(auth, "SignedHeaders=")
	if !ok {
		return fmt.Errorf("no SignedHeaders")
	}
	sh, _, _ = strings.Cut(sh, ",")
	if !strings.Contains(";"+sh+";", ";x-amz-content-sha256;") {
		return fmt.Errorf("x-amz-content-sha256 not signed: %s", sh)
	}
	req, err := http.NewRequest(r.Method, "http://"+r.Host+r.URL.RequestURI(), nil)
	if err != nil {
		return err
	}
	for _, h := range strings.Split(sh, ";") {
		if h != "host" && h != "content-length" {
			req.Header[http.CanonicalHeaderKey(h)] = r.Header.Values(h)
		}
	}
	req.ContentLength = r.ContentLength
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	creds := aws.Credentials{AccessKeyID: testAKID, SecretAccessKey: testSecret}
	if err := signer.SignHTTP(context.Background(), creds, req, hash, "s3", testRegion, when); err != nil {
		return err
	}
	if got := req.Header.Get("Authorization"); got != auth {
		return fmt.Errorf("signature mismatch for %s %s", r.Method, r.URL.RequestURI())
	}
	return nil
}

func s3err(w http.ResponseWriter, status int, code string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<Error><Code>%s</Code><Message>fake</Message></Error>", code)
}

func (f *fakeS3) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		s3err(w, 400, "IncompleteBody")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.checkAuth(r, body); err != nil {
		f.authFailures = append(f.authFailures, err.Error())
		s3err(w, 403, "SignatureDoesNotMatch")
		return
	}
	if r.ContentLength >= 0 && int64(len(body)) != r.ContentLength {
		f.bodyFailures = append(f.bodyFailures, fmt.Sprintf("%s: %d of %d", r.URL, len(body), r.ContentLength))
	}
	bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	q := r.URL.Query()
	if key == "" {
		f.serveBucket(w, r, bucket, q.Get("list-type") == "2")
		return
	}
	if !f.bucket[bucket] {
		s3err(w, 404, "NoSuchBucket")
		return
	}
	name := bucket + "/" + key
	switch {
	case r.Method == http.MethodPost && q.Has("uploads"):
		f.nextID++
		id := fmt.Sprintf("up/%d+x=y", f.nextID) // needs query escaping
		f.up[id] = map[int][]byte{}
		fmt.Fprintf(w, "<InitiateMultipartUploadResult><Bucket>%s</Bucket><Key>%s</Key><UploadId>%s</UploadId></InitiateMultipartUploadResult>",
			bucket, key, id)
	case r.Method == http.MethodPut && q.Has("uploadId"):
		parts, ok := f.up[q.Get("uploadId")]
		n, _ := strconv.Atoi(q.Get("partNumber"))
		if !ok || n < 1 {
			s3err(w, 404, "NoSuchUpload")
			return
		}
		parts[n] = body
		f.parts++
		f.partBytes += int64(len(body))
		w.Header().Set("ETag", etag(body))
		if n == f.badPartETag {
			w.Header().Set("ETag", `"bogus"`)
		}
	case r.Method == http.MethodPost && q.Has("uploadId"):
		f.complete(w, name, q.Get("uploadId"), body)
	case r.Method == http.MethodDelete && q.Has("uploadId"):
		delete(f.up, q.Get("uploadId"))
		f.aborts++
		w.WriteHeader(204)
	case r.Method == http.MethodPut:
		f.store(w, bucket, key, body)
		f.puts++
		f.putBytes += int64(len(body))
		w.Header().Set("ETag", etag(body))
	case r.Method == http.MethodGet:
		data, ok := f.obj[name]
		if !ok {
			s3err(w, 404, "NoSuchKey")
			return
		}
		if f.failGet != nil && f.failGet(key) {
			s3err(w, 500, "InternalError")
			return
		}
		f.gets++
		f.getBytes += int64(len(data))
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
		w.Write(data)
	case r.Method == http.MethodHead:
		f.heads++
		if f.failHead != nil && f.failHead(key) {
			w.WriteHeader(500)
			return
		}
		data, ok := f.obj[name]
		if !ok || q.Has("versionId") && f.ver[name] != q.Get("versionId") {
			w.WriteHeader(404)
			return
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	case r.Method == http.MethodDelete:
		if q.Has("versionId") && f.ver[name] != q.Get("versionId") {
			w.WriteHeader(204) // no such version: nothing to do
			return
		}
		delete(f.obj, name)
		delete(f.ver, name)
		f.deletes++
		w.WriteHeader(204)
	default:
		s3err(w, 405, "MethodNotAllowed")
	}
}

func etag(b []byte) string {
	sum := md5.Sum(b)
	return `"` + hex.EncodeToString(sum[:]) + `"`
}

func (f *fakeS3) serveBucket(w http.ResponseWriter, r *http.Request, bucket string, list bool) {
	switch {
	case r.Method == http.MethodHead:
		if !f.bucket[bucket] {
			w.WriteHeader(404)
		}
	case r.Method == http.MethodPut:
		if f.bucket[bucket] {
			s3err(w, 409, "BucketAlreadyOwnedByYou")
			return
		}
		f.bucket[bucket] = true
	case r.Method == http.MethodGet && r.URL.Query().Has("versions"):
		f.listVersions(w, r, bucket)
	case r.Method == http.MethodGet && list:
		if !f.bucket[bucket] {
			s3err(w, 404, "NoSuchBucket")
			return
		}
		f.lists++
		q := r.URL.Query()
		prefix, after := q.Get("prefix"), q.Get("continuation-token")
		maxKeys, _ := strconv.Atoi(q.Get("max-keys"))
		var keys []string
		for name := range f.obj {
			k := strings.TrimPrefix(name, bucket+"/")
			if strings.HasPrefix(name, bucket+"/") && strings.HasPrefix(k, prefix) && k > after {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		truncated := len(keys) > maxKeys
		if truncated {
			keys = keys[:maxKeys]
		}
		var b strings.Builder
		fmt.Fprintf(&b, "<ListBucketResult><Name>%s</Name><IsTruncated>%v</IsTruncated>", bucket, truncated)
		if truncated {
			fmt.Fprintf(&b, "<NextContinuationToken>%s</NextContinuationToken>", keys[len(keys)-1])
		}
		for _, k := range keys {
			b.WriteString("<Contents><Key>")
			xml.EscapeText(&b, []byte(k))
			fmt.Fprintf(&b, "</Key><Size>%d</Size></Contents>", len(f.obj[bucket+"/"+k]))
		}
		b.WriteString("</ListBucketResult>")
		io.WriteString(w, b.String())
	default:
		s3err(w, 405, "MethodNotAllowed")
	}
}

func (f *fakeS3) complete(w http.ResponseWriter, name, id string, body []byte) {
	parts, ok := f.up[id]
	if !ok {
		s3err(w, 404, "NoSuchUpload")
		return
	}
	var req completeUpload
	if err := xml.Unmarshal(body, &req); err != nil || len(req.Parts) == 0 {
		s3err(w, 400, "MalformedXML")
		return
	}
	var data []byte
	for i, p := range req.Parts {
		b, ok := parts[p.PartNumber]
		if p.PartNumber != i+1 || !ok || etag(b) != p.ETag {
			// Real S3 may report errors with status 200 here.
			fmt.Fprint(w, "<Error><Code>InvalidPart</Code></Error>")
			return
		}
		data = append(data, b...)
	}
	delete(f.up, id)
	bucket, key, _ := strings.Cut(name, "/")
	f.store(w, bucket, key, data)
	f.completes++
	fmt.Fprintf(w, "<CompleteMultipartUploadResult><ETag>%s</ETag></CompleteMultipartUploadResult>", etag(data))
}

// listVersions serves ListObjectVersions; every stored object has exactly
// one version (its version id, or "null" in an unversioned bucket).
func (f *fakeS3) listVersions(w http.ResponseWriter, r *http.Request, bucket string) {
	if !f.bucket[bucket] {
		s3err(w, 404, "NoSuchBucket")
		return
	}
	f.versionPages++
	q := r.URL.Query()
	prefix, after := q.Get("prefix"), q.Get("key-marker")
	maxKeys, _ := strconv.Atoi(q.Get("max-keys"))
	if f.listPage > 0 {
		maxKeys = f.listPage
	}
	var keys []string
	for name := range f.obj {
		k, ok := strings.CutPrefix(name, bucket+"/")
		if ok && strings.HasPrefix(k, prefix) && k > after {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	truncated := len(keys) > maxKeys
	if truncated {
		keys = keys[:maxKeys]
	}
	version := func(k string) string {
		if v, ok := f.ver[bucket+"/"+k]; ok {
			return v
		}
		return "null"
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<ListVersionsResult xmlns="%s"><Name>%s</Name><IsTruncated>%v</IsTruncated>`, s3Namespace, bucket, truncated)
	if truncated {
		last := keys[len(keys)-1]
		b.WriteString("<NextKeyMarker>")
		xml.EscapeText(&b, []byte(last))
		b.WriteString("</NextKeyMarker><NextVersionIdMarker>")
		xml.EscapeText(&b, []byte(version(last)))
		b.WriteString("</NextVersionIdMarker>")
	}
	for _, k := range keys {
		b.WriteString("<Version><Key>")
		xml.EscapeText(&b, []byte(k))
		b.WriteString("</Key><VersionId>")
		xml.EscapeText(&b, []byte(version(k)))
		fmt.Fprintf(&b, "</VersionId><IsLatest>true</IsLatest><Size>%d</Size></Version>", len(f.obj[bucket+"/"+k]))
	}
	b.WriteString("</ListVersionsResult>")
	io.WriteString(w, b.String())
}

// objects returns the stored objects of bucket under prefix.
func (f *fakeS3) objects(bucket, prefix string) map[string][]byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string][]byte{}
	for name, b := range f.obj {
		if k, ok := strings.CutPrefix(name, bucket+"/"); ok && strings.HasPrefix(k, prefix) {
			out[k] = b
		}
	}
	return out
}

func (f *fakeS3) checkClean(t *testing.T) {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.authFailures) > 0 {
		t.Errorf("%d auth failures, first: %s", len(f.authFailures), f.authFailures[0])
	}
	if len(f.bodyFailures) > 0 {
		t.Errorf("%d short bodies, first: %s", len(f.bodyFailures), f.bodyFailures[0])
	}
}
