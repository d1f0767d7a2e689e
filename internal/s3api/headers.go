package s3api

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ferrys3/ferry/internal/checksum"
	"github.com/ferrys3/ferry/internal/object"
	"github.com/ferrys3/ferry/internal/s3err"
)

// standardHeaders are stored with the object and returned on GET/HEAD.
var standardHeaders = []string{"Cache-Control", "Content-Disposition", "Content-Encoding", "Content-Language", "Expires", "x-amz-website-redirect-location"}

// MaxHeaderBytes bounds the request header section, as S3 does (8 KiB of
// user metadata plus room for everything else).
const MaxHeaderBytes = 16 << 10

// refuseUnsupportedWrite rejects write headers asking for behaviour ferry
// does not provide yet, rather than storing the object without it.
func refuseUnsupportedWrite(h http.Header) error {
	if v := h.Get("x-amz-server-side-encryption"); v != "" {
		return s3err.ErrNotImplemented.With("Server-side encryption (x-amz-server-side-encryption: "+v+") is not supported yet; the object was not stored.").
			WithExtra("Header", "x-amz-server-side-encryption")
	}
	if h.Get("x-amz-server-side-encryption-customer-algorithm") != "" {
		return s3err.ErrNotImplemented.With("Server-side encryption with customer-provided keys is not supported; the object was not stored.").
			WithExtra("Header", "x-amz-server-side-encryption-customer-algorithm")
	}
	for name := range h {
		if strings.HasPrefix(strings.ToLower(name), "x-amz-object-lock-") {
			return s3err.ErrInvalidRequest.With("Bucket is missing Object Lock Configuration")
		}
	}
	return nil
}

// refuseSSECRead rejects SSE-C key headers on reads: no ferry object is
// encrypted with a customer key.
func refuseSSECRead(h http.Header) error {
	if h.Get("x-amz-server-side-encryption-customer-algorithm") != "" {
		return s3err.ErrInvalidRequest.With("The encryption parameters are not applicable to this object.")
	}
	return nil
}

// attrsFromHeaders reads object attributes from request headers.
func attrsFromHeaders(h http.Header) (object.Attrs, error) {
	if err := refuseUnsupportedWrite(h); err != nil {
		return object.Attrs{}, err
	}
	a := object.Attrs{ContentType: h.Get("Content-Type"), StorageClass: h.Get("x-amz-storage-class")}
	for _, name := range standardHeaders {
		if v := h.Get(name); v != "" {
			if a.Headers == nil {
				a.Headers = map[string]string{}
			}
			a.Headers[http.CanonicalHeaderKey(name)] = v
		}
	}
	if ce := a.Headers["Content-Encoding"]; ce != "" {
		// aws-chunked is transport framing, not a property of the object.
		if rest := stripAWSChunked(ce); rest == "" {
			delete(a.Headers, "Content-Encoding")
		} else {
			a.Headers["Content-Encoding"] = rest
		}
	}
	for name, vs := range h {
		lower := strings.ToLower(name)
		if k, ok := strings.CutPrefix(lower, "x-amz-meta-"); ok {
			if a.Metadata == nil {
				a.Metadata = map[string]string{}
			}
			a.Metadata[k] = strings.Join(vs, ",")
		}
	}
	if t := h.Get("x-amz-tagging"); t != "" {
		tags, err := parseTagQuery(t)
		if err != nil {
			return a, err
		}
		a.Tags = tags
	}
	return a, a.Validate()
}

func stripAWSChunked(ce string) string {
	var keep []string
	for _, p := range strings.Split(ce, ",") {
		if p = strings.TrimSpace(p); p != "" && !strings.EqualFold(p, "aws-chunked") {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, ",")
}

// parseTagQuery parses x-amz-tagging ("k1=v1&k2=v2").
func parseTagQuery(s string) (map[string]string, error) {
	vals, err := url.ParseQuery(s)
	if err != nil {
		return nil, s3err.ErrInvalidArgument.With("The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.")
	}
	tags := map[string]string{}
	for k, vs := range vals {
		if len(vs) != 1 {
			return nil, s3err.ErrInvalidTag.With("Cannot provide multiple Tags with the same key")
		}
		tags[k] = vs[0]
	}
	return tags, nil
}

// setObjectHeaders writes the headers describing version v; versionID is
// the x-amz-version-id to send ("" for none).
func setObjectHeaders(h http.Header, v *object.Version, versionID string, q url.Values) {
	h.Set("Last-Modified", v.ModTime.UTC().Format(http.TimeFormat))
	h.Set("ETag", `"`+v.ETag+`"`)
	h.Set("Accept-Ranges", "bytes")
	h.Set("Content-Type", v.ContentType)
	for k, val := range v.Headers {
		h.Set(k, val)
	}
	for k, val := range v.Metadata {
		h["X-Amz-Meta-"+k] = []string{val}
	}
	if versionID != "" {
		h.Set("x-amz-version-id", versionID)
	}
	if v.StorageClass != "" && v.StorageClass != "STANDARD" {
		h.Set("x-amz-storage-class", v.StorageClass)
	}
	if len(v.Tags) > 0 {
		h.Set("x-amz-tagging-count", strconv.Itoa(len(v.Tags)))
	}
	if v.PartsCount > 0 {
		h.Set("x-amz-mp-parts-count", strconv.Itoa(v.PartsCount))
	}
	if v.ReplicationStatus != "" {
		h.Set("x-amz-replication-status", v.ReplicationStatus)
	}
	overrides := map[string]string{"response-content-type": "Content-Type", "response-content-language": "Content-Language",
		"response-expires": "Expires", "response-cache-control": "Cache-Control",
		"response-content-disposition": "Content-Disposition", "response-content-encoding": "Content-Encoding"}
	for qp, hn := range overrides {
		if val := q.Get(qp); val != "" {
			h.Set(hn, val)
		}
	}
}

// setChecksumHeaders echoes stored checksums.
func setChecksumHeaders(h http.Header, sums map[string]string, typ string) {
	algs := make([]string, 0, len(sums))
	for a := range sums {
		algs = append(algs, a)
	}
	sort.Strings(algs)
	for _, a := range algs {
		h.Set(checksum.HeaderName(a), sums[a])
	}
	if typ != "" && len(sums) > 0 {
		h.Set("x-amz-checksum-type", typ)
	}
}

// conditions reads If-* (or x-amz-copy-source-if-* with prefix) headers.
func conditions(h http.Header, prefix string) (object.Conditions, error) {
	c := object.Conditions{IfMatch: h.Get(prefix + "If-Match"), IfNoneMatch: h.Get(prefix + "If-None-Match")}
	var err error
	if c.IfModifiedSince, err = httpDate(h.Get(prefix + "If-Modified-Since")); err != nil {
		return c, nil // S3 ignores an unparseable date
	}
	c.IfUnmodifiedSince, _ = httpDate(h.Get(prefix + "If-Unmodified-Since"))
	return c, nil
}

func httpDate(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := http.ParseTime(s)
	if err != nil {
		t, err = time.Parse(time.RFC3339, s)
	}
	return t, err
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
