package bench

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

const s3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/"

// bytesRequest fills a request with an in-memory, fully signed body.
func bytesRequest(method, key, query string, b []byte) *request {
	sum := sha256.Sum256(b)
	return &request{
		method: method, key: key, query: query,
		body: bytes.NewReader(b), bodySize: int64(len(b)),
		getBody: func() io.Reader { return bytes.NewReader(b) },
		hash:    hex.EncodeToString(sum[:]),
	}
}

// discard drains and closes a (small) response body.
func discard(resp *http.Response) {
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}

func statusOf(err error) (int, string) {
	var se *s3Error
	if errors.As(err, &se) {
		return se.Status, se.Code
	}
	return 0, ""
}

// ensureBucket makes sure the bucket exists; it reports whether it created it.
func (c *client) ensureBucket(ctx context.Context) (bool, error) {
	resp, err := c.do(ctx, &request{method: http.MethodHead})
	if err == nil {
		discard(resp)
		return false, nil
	}
	// 404: create it. 403: HEAD carries no error code, so let CreateBucket
	// either succeed (no ListBucket permission) or explain the failure.
	if st, _ := statusOf(err); st != http.StatusNotFound && st != http.StatusForbidden {
		return false, fmt.Errorf("bench: head bucket: %w", err)
	}
	var body []byte
	if c.region != "" && c.region != "us-east-1" {
		body = []byte(`<CreateBucketConfiguration xmlns="` + s3Namespace + `"><LocationConstraint>` +
			c.region + `</LocationConstraint></CreateBucketConfiguration>`)
	}
	resp, err = c.do(ctx, bytesRequest(http.MethodPut, "", "", body))
	if err != nil {
		if _, code := statusOf(err); code == "BucketAlreadyOwnedByYou" {
			return false, nil
		}
		return false, fmt.Errorf("bench: create bucket: %w", err)
	}
	discard(resp)
	return true, nil
}

// headBucket checks that the bucket exists and is accessible.
func (c *client) headBucket(ctx context.Context) error {
	resp, err := c.do(ctx, &request{method: http.MethodHead})
	if err != nil {
		return err
	}
	discard(resp)
	return nil
}

// putObject uploads size bytes of the pattern in a single PUT and returns
// the x-amz-version-id of the new object ("" if the bucket is unversioned).
func (c *client) putObject(ctx context.Context, key string, size int64) (string, error) {
	r := &request{method: http.MethodPut, key: key, hash: c.payloadHash(0, size)}
	if size > 0 {
		r.body, r.bodySize = c.body(0, size), size
		r.getBody = func() io.Reader { return c.body(0, size) }
	}
	resp, err := c.do(ctx, r)
	if err != nil {
		return "", err
	}
	discard(resp)
	return resp.Header.Get("X-Amz-Version-Id"), nil
}

// headVersion issues HEAD /bucket/key?versionId=version; nil means 200.
func (c *client) headVersion(ctx context.Context, key, version string) error {
	resp, err := c.do(ctx, &request{method: http.MethodHead, key: key, query: "versionId=" + url.QueryEscape(version)})
	if err != nil {
		return err
	}
	discard(resp)
	return nil
}

// deleteVersion permanently deletes one version (or delete marker) of key.
func (c *client) deleteVersion(ctx context.Context, key, version string) error {
	resp, err := c.do(ctx, &request{method: http.MethodDelete, key: key, query: "versionId=" + url.QueryEscape(version)})
	if err != nil {
		return err
	}
	discard(resp)
	return nil
}

// versionsQuery is one ListObjectVersions page request.
func versionsQuery(prefix, keyMarker, versionMarker string) string {
	v := url.Values{"max-keys": {"1000"}}
	if prefix != "" {
		v.Set("prefix", prefix)
	}
	if keyMarker != "" {
		v.Set("key-marker", keyMarker)
		if versionMarker != "" {
			v.Set("version-id-marker", versionMarker)
		}
	}
	return "versions&" + v.Encode()
}

// objectVersion is a version or delete marker in a ListObjectVersions page.
type objectVersion struct {
	Key       string
	VersionID string `xml:"VersionId"`
}

// listVersions pages through ListObjectVersions under prefix and calls fn
// for each object version and delete marker, in listing order.
func (c *client) listVersions(ctx context.Context, prefix string, fn func(v objectVersion, deleteMarker bool)) error {
	type listResult struct {
		IsTruncated         bool
		NextKeyMarker       string
		NextVersionIDMarker string          `xml:"NextVersionIdMarker"`
		Versions            []objectVersion `xml:"Version"`
		DeleteMarkers       []objectVersion `xml:"DeleteMarker"`
	}
	keyMarker, versionMarker := "", ""
	for {
		resp, err := c.do(ctx, &request{method: http.MethodGet, query: versionsQuery(prefix, keyMarker, versionMarker)})
		if err != nil {
			return err
		}
		var lr listResult
		err = xml.NewDecoder(resp.Body).Decode(&lr)
		discard(resp)
		if err != nil {
			return fmt.Errorf("list versions /%s: %w", c.bucket, err)
		}
		for _, v := range lr.Versions {
			fn(v, false)
		}
		for _, v := range lr.DeleteMarkers {
			fn(v, true)
		}
		if !lr.IsTruncated {
			return nil
		}
		if lr.NextKeyMarker == "" || lr.NextKeyMarker == keyMarker && lr.NextVersionIDMarker == versionMarker {
			return fmt.Errorf("list versions /%s: truncated page without a new marker", c.bucket)
		}
		keyMarker, versionMarker = lr.NextKeyMarker, lr.NextVersionIDMarker
	}
}

// countReplicas counts the keys under prefix that have at least one object
// version (delete markers do not count). A key with several versions counts
// once, so a duplicated replica cannot make a backlog look drained early.
func (c *client) countReplicas(ctx context.Context, prefix string) (int64, error) {
	var n int64
	last, first := "", true
	err := c.listVersions(ctx, prefix, func(v objectVersion, deleteMarker bool) {
		if deleteMarker || !first && v.Key == last {
			return
		}
		n++
		last, first = v.Key, false
	})
	return n, err
}

// getObject downloads key into buf (discarding it) and returns the body size.
func (c *client) getObject(ctx context.Context, key string, buf []byte) (int64, error) {
	resp, err := c.do(ctx, &request{method: http.MethodGet, key: key})
	if err != nil {
		return 0, err
	}
	n, err := drain(resp.Body, buf)
	if err == nil && resp.ContentLength >= 0 && n != resp.ContentLength {
		err = fmt.Errorf("GET /%s/%s: short body: %d of %d bytes", c.bucket, key, n, resp.ContentLength)
	}
	return n, err
}

// listObjects issues one ListObjectsV2 call; only the status is checked.
func (c *client) listObjects(ctx context.Context, query string, buf []byte) (int64, error) {
	resp, err := c.do(ctx, &request{method: http.MethodGet, query: query})
	if err != nil {
		return 0, err
	}
	return drain(resp.Body, buf)
}

func listQuery(prefix, token string) string {
	v := url.Values{"list-type": {"2"}, "max-keys": {"1000"}}
	if prefix != "" {
		v.Set("prefix", prefix)
	}
	if token != "" {
		v.Set("continuation-token", token)
	}
	return v.Encode()
}

func (c *client) deleteObject(ctx context.Context, key string) error {
	resp, err := c.do(ctx, &request{method: http.MethodDelete, key: key})
	if err != nil {
		return err
	}
	discard(resp)
	return nil
}

// existingSizes lists every key under prefix with its size.
func (c *client) existingSizes(ctx context.Context, prefix string) (map[string]int64, error) {
	type listResult struct {
		IsTruncated           bool
		NextContinuationToken string
		Contents              []struct {
			Key  string
			Size int64
		}
	}
	out := map[string]int64{}
	token := ""
	for {
		resp, err := c.do(ctx, &request{method: http.MethodGet, query: listQuery(prefix, token)})
		if err != nil {
			return nil, err
		}
		var lr listResult
		err = xml.NewDecoder(resp.Body).Decode(&lr)
		discard(resp)
		if err != nil {
			return nil, fmt.Errorf("list /%s: %w", c.bucket, err)
		}
		for _, o := range lr.Contents {
			out[o.Key] = o.Size
		}
		if !lr.IsTruncated || lr.NextContinuationToken == "" {
			return out, nil
		}
		token = lr.NextContinuationToken
	}
}

// partFunc observes each UploadPart request of a multipart upload.
type partFunc func(size int64, d time.Duration, err error)

type completedPart struct {
	PartNumber int
	ETag       string
}

type completeUpload struct {
	XMLName xml.Name        `xml:"CompleteMultipartUpload"`
	Xmlns   string          `xml:"xmlns,attr"`
	Parts   []completedPart `xml:"Part"`
}

// putMultipart uploads size bytes as a multipart upload with parts of
// partSize. Parts are uploaded by up to maxPar goroutines; each part request
// additionally holds a slot of sem, which bounds part uploads run-wide.
//
// It returns the x-amz-version-id of the completed object ("" if unversioned).
func (c *client) putMultipart(ctx context.Context, key string, size, partSize int64, maxPar int,
	sem chan struct{}, onPart partFunc) (string, error) {
	resp, err := c.do(ctx, &request{method: http.MethodPost, key: key, query: "uploads"})
	if err != nil {
		return "", err
	}
	head, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	discard(resp)
	if err != nil {
		return "", err
	}
	uploadID := xmlField(head, "UploadId")
	if uploadID == "" {
		return "", fmt.Errorf("POST /%s/%s?uploads: no UploadId in response", c.bucket, key)
	}
	idQuery := "uploadId=" + url.QueryEscape(uploadID)

	nparts := int(partCount(size, partSize))
	parts := make([]completedPart, nparts)
	var (
		next    atomic.Int64
		failed  atomic.Bool
		errOnce sync.Once
		partErr error
		wg      sync.WaitGroup
	)
	workers := min(maxPar, nparts)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !failed.Load() {
				i := int(next.Add(1) - 1)
				if i >= nparts {
					return
				}
				start := int64(i) * partSize
				n := min(partSize, size-start)
				if sem != nil {
					select {
					case sem <- struct{}{}:
					case <-ctx.Done():
						errOnce.Do(func() { partErr = ctx.Err() })
						failed.Store(true)
						return
					}
				}
				t0 := time.Now()
				etag, err := c.uploadPart(ctx, key, idQuery, i+1, start, n)
				if sem != nil {
					<-sem
				}
				if onPart != nil {
					onPart(n, time.Since(t0), err)
				}
				if err != nil {
					errOnce.Do(func() { partErr = err })
					failed.Store(true)
					return
				}
				parts[i] = completedPart{PartNumber: i + 1, ETag: etag}
			}
		}()
	}
	wg.Wait()
	var version string
	if partErr == nil {
		version, partErr = c.completeMultipart(ctx, key, idQuery, parts)
	}
	if partErr != nil {
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if resp, err := c.do(actx, &request{method: http.MethodDelete, key: key, query: idQuery}); err == nil {
			discard(resp)
		}
		return "", partErr
	}
	return version, nil
}

func (c *client) uploadPart(ctx context.Context, key, idQuery string, num int, start, n int64) (string, error) {
	r := &request{
		method: http.MethodPut, key: key,
		query: "partNumber=" + strconv.Itoa(num) + "&" + idQuery,
		hash:  c.payloadHash(start, n),
	}
	if n > 0 {
		r.body, r.bodySize = c.body(start, n), n
		r.getBody = func() io.Reader { return c.body(start, n) }
	}
	resp, err := c.do(ctx, r)
	if err != nil {
		return "", err
	}
	discard(resp)
	etag := resp.Header.Get("ETag")
	if etag == "" {
		return "", fmt.Errorf("PUT /%s/%s?partNumber=%d: no ETag in response", c.bucket, key, num)
	}
	return etag, nil
}

func (c *client) completeMultipart(ctx context.Context, key, idQuery string, parts []completedPart) (string, error) {
	body, err := xml.Marshal(completeUpload{Xmlns: s3Namespace, Parts: parts})
	if err != nil {
		return "", err
	}
	r := bytesRequest(http.MethodPost, key, idQuery, body)
	r.header = http.Header{"Content-Type": {"application/xml"}}
	resp, err := c.do(ctx, r)
	if err != nil {
		return "", err
	}
	// S3 may answer 200 and still report an error in the body.
	head, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	discard(resp)
	if err != nil {
		return "", err
	}
	if bytes.Contains(head, []byte("<Error>")) {
		return "", &s3Error{Method: http.MethodPost, Target: "/" + c.bucket + "/" + key + "?uploadId",
			Status: resp.StatusCode, Code: xmlField(head, "Code")}
	}
	return resp.Header.Get("X-Amz-Version-Id"), nil
}
