// Package sigv2 verifies AWS Signature Version 2 presigned (query-string)
// URLs for S3: what aws-cli 1.x `s3 presign` and botocore's
// generate_presigned_url produce by default. Header-signed SigV2 requests
// are not supported.
package sigv2

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Errors, tested with errors.Is.
var (
	ErrMalformed         = errors.New("sigv2: malformed presigned query parameters")
	ErrExpired           = errors.New("sigv2: presigned request has expired")
	ErrSignatureMismatch = errors.New("sigv2: signature does not match")
)

// IsPresigned reports whether q carries SigV2 query authentication.
func IsPresigned(q url.Values) bool {
	return q.Has("AWSAccessKeyId") && q.Has("Signature")
}

// Params are the authentication parameters of a presigned URL.
type Params struct {
	AccessKeyID string
	Expires     int64 // unix seconds
	Signature   string
}

// Parse reads the authentication parameters.
func Parse(q url.Values) (*Params, error) {
	p := &Params{AccessKeyID: q.Get("AWSAccessKeyId"), Signature: q.Get("Signature")}
	exp, err := strconv.ParseInt(q.Get("Expires"), 10, 64)
	if err != nil || p.AccessKeyID == "" || p.Signature == "" || len(q["Signature"]) != 1 || len(q["AWSAccessKeyId"]) != 1 {
		return nil, fmt.Errorf("%w: AWSAccessKeyId, Expires and Signature are required once each", ErrMalformed)
	}
	p.Expires = exp
	return p, nil
}

// Verify checks p against r. resource is the canonical resource path:
// "/bucket/key" as sent on the wire (percent-encoded), whatever the
// addressing style.
func Verify(r *http.Request, p *Params, secret, resource string, now time.Time) error {
	want := Signature(secret, StringToSign(r, p.Expires, resource))
	if subtle.ConstantTimeCompare([]byte(want), []byte(p.Signature)) != 1 {
		return ErrSignatureMismatch
	}
	if now.Unix() > p.Expires {
		return ErrExpired
	}
	return nil
}

// Signature is base64(HMAC-SHA1(secret, stringToSign)).
func Signature(secret, stringToSign string) string {
	m := hmac.New(sha1.New, []byte(secret))
	m.Write([]byte(stringToSign))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// subresources are the query parameters that are part of the canonical
// resource (botocore's HmacV1Auth.QSAOfInterest).
var subresources = map[string]bool{
	"accelerate": true, "acl": true, "cors": true, "defaultObjectAcl": true, "location": true, "logging": true,
	"partNumber": true, "policy": true, "requestPayment": true, "torrent": true, "versioning": true, "versionId": true,
	"versions": true, "website": true, "uploads": true, "uploadId": true, "response-content-type": true,
	"response-content-language": true, "response-expires": true, "response-cache-control": true,
	"response-content-disposition": true, "response-content-encoding": true, "delete": true, "lifecycle": true,
	"tagging": true, "restore": true, "storageClass": true, "notification": true, "replication": true,
	"analytics": true, "metrics": true, "inventory": true, "select": true, "select-type": true, "object-lock": true,
}

// StringToSign builds the SigV2 string to sign for a presigned request.
func StringToSign(r *http.Request, expires int64, resource string) string {
	var b strings.Builder
	b.WriteString(r.Method + "\n")
	b.WriteString(r.Header.Get("Content-MD5") + "\n")
	b.WriteString(r.Header.Get("Content-Type") + "\n")
	b.WriteString(strconv.FormatInt(expires, 10) + "\n")
	var amz []string
	for name, vs := range r.Header {
		if l := strings.ToLower(name); strings.HasPrefix(l, "x-amz-") {
			amz = append(amz, l+":"+strings.TrimSpace(strings.Join(vs, ",")))
		}
	}
	sort.Strings(amz)
	for _, h := range amz {
		b.WriteString(h + "\n")
	}
	b.WriteString(resource)
	b.WriteString(canonicalSubresources(r.URL.RawQuery))
	return b.String()
}

func canonicalSubresources(rawQuery string) string {
	var pairs [][2]string
	for _, kv := range strings.Split(rawQuery, "&") {
		if kv == "" {
			continue
		}
		k, v, hasV := strings.Cut(kv, "=")
		k, err := url.QueryUnescape(k)
		if err != nil || !subresources[k] {
			continue
		}
		if hasV {
			if dv, err := url.QueryUnescape(v); err == nil {
				v = dv
			}
			pairs = append(pairs, [2]string{k, "=" + v})
		} else {
			pairs = append(pairs, [2]string{k, ""})
		}
	}
	if len(pairs) == 0 {
		return ""
	}
	sort.SliceStable(pairs, func(i, j int) bool { return pairs[i][0] < pairs[j][0] })
	parts := make([]string, len(pairs))
	for i, p := range pairs {
		parts[i] = p[0] + p[1]
	}
	return "?" + strings.Join(parts, "&")
}

// Presign returns r's URL with SigV2 query authentication (for tests and
// tools). resource is as for Verify.
func Presign(r *http.Request, accessKeyID, secret, resource string, expires time.Time) string {
	sig := Signature(secret, StringToSign(r, expires.Unix(), resource))
	u := *r.URL
	q := u.RawQuery
	if q != "" {
		q += "&"
	}
	u.RawQuery = q + "AWSAccessKeyId=" + url.QueryEscape(accessKeyID) + "&Expires=" + strconv.FormatInt(expires.Unix(), 10) +
		"&Signature=" + url.QueryEscape(sig)
	return u.String()
}
