package sigv4

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Sign signs r in place with an Authorization header, as of time t. It sets
// X-Amz-Date, X-Amz-Content-SHA256 (for service "s3"; other services sign
// payloadHash without sending it), X-Amz-Security-Token when c has a
// session token, and Authorization. It signs host, every x-amz-* header
// present, and content-type and content-md5 when present. payloadHash is a
// hex SHA-256 of the body or a payload mode (UnsignedPayload,
// StreamingPayload, ...); "" means the empty body.
//
// The returned Auth carries the signing key and seed signature, for
// NewChunkSigner when payloadHash is StreamingPayload or
// StreamingPayloadTrailer.
func Sign(r *http.Request, c Credentials, region, service, payloadHash string, t time.Time) *Auth {
	return SignWithHeaders(r, c, region, service, payloadHash, t, nil)
}

// SignWithHeaders is Sign that also signs the named extra headers
// (lower-case, e.g. "content-encoding", "content-length", "range",
// "transfer-encoding"), whether or not they are present.
func SignWithHeaders(r *http.Request, c Credentials, region, service, payloadHash string, t time.Time, extra []string) *Auth {
	t = t.UTC()
	amzDate := t.Format(amzDateFormat)
	if payloadHash == "" {
		payloadHash = EmptySHA256
	}
	r.Header.Del("Authorization")
	r.Header.Set("X-Amz-Date", amzDate)
	if service == "s3" {
		r.Header.Set("X-Amz-Content-Sha256", payloadHash)
	}
	if c.SessionToken != "" {
		r.Header.Set("X-Amz-Security-Token", c.SessionToken)
	}
	a := &Auth{
		AccessKeyID:   c.AccessKeyID,
		Region:        region,
		Service:       service,
		Date:          amzDate[:8],
		SignedHeaders: signedHeaderNames(r, extra),
		PayloadHash:   payloadHash,
		SessionToken:  c.SessionToken,
		AmzDate:       amzDate,
		Time:          t.Truncate(time.Second),
		key:           SigningKey(c.SecretAccessKey, amzDate[:8], region, service),
	}
	path, rawQuery := rawTarget(r)
	creq := canonicalRequest(r, canonicalURI(path, service), canonicalQuery(parseQuery(rawQuery), ""), a.SignedHeaders, payloadHash)
	a.Signature = signHex(a.key, stringToSign(amzDate, a.Scope(), creq))
	r.Header.Set("Authorization", algorithm+" Credential="+c.AccessKeyID+"/"+a.Scope()+
		", SignedHeaders="+strings.Join(a.SignedHeaders, ";")+", Signature="+a.Signature)
	return a
}

// signedHeaderNames lists host, the x-amz-* headers present, content-type
// and content-md5 if present, and extra; sorted and unique.
func signedHeaderNames(r *http.Request, extra []string) []string {
	hs := []string{"host"}
	for k := range r.Header {
		lk := strings.ToLower(k)
		if strings.HasPrefix(lk, "x-amz-") || lk == "content-type" || lk == "content-md5" {
			hs = append(hs, lk)
		}
	}
	for _, e := range extra {
		hs = append(hs, strings.ToLower(e))
	}
	slices.Sort(hs)
	return slices.Compact(hs)
}

// isPresignParam reports the query parameters Presign sets; existing ones
// are replaced.
func isPresignParam(k string) bool {
	switch k {
	case "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires",
		"X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Security-Token":
		return true
	}
	return false
}

// Presign returns a presigned URL for r (method, URL, headers) valid for
// expires from t. It signs host plus any x-amz-*, content-type and
// content-md5 headers on r, which the URL's user must then send as well.
// The payload hash is r's X-Amz-Content-SHA256 header if set, else
// UNSIGNED-PAYLOAD for "s3" and the empty-body hash for other services.
// The query is emitted in canonical (sorted, RFC 3986) form. r is not
// modified.
func Presign(r *http.Request, c Credentials, region, service string, t time.Time, expires time.Duration) string {
	t = t.UTC()
	amzDate := t.Format(amzDateFormat)
	scope := amzDate[:8] + "/" + region + "/" + service + "/" + scopeTerminator
	signed := signedHeaderNames(r, nil)
	payload := r.Header.Get("X-Amz-Content-Sha256")
	if payload == "" {
		payload = EmptySHA256
		if service == "s3" {
			payload = UnsignedPayload
		}
	}
	path, rawQuery := rawTarget(r)
	ps := slices.DeleteFunc(parseQuery(rawQuery), func(p queryParam) bool {
		return isPresignParam(p.key)
	})
	ps = append(ps,
		queryParam{"X-Amz-Algorithm", algorithm},
		queryParam{"X-Amz-Credential", c.AccessKeyID + "/" + scope},
		queryParam{"X-Amz-Date", amzDate},
		queryParam{"X-Amz-Expires", strconv.FormatInt(int64(expires/time.Second), 10)},
		queryParam{"X-Amz-SignedHeaders", strings.Join(signed, ";")},
	)
	if c.SessionToken != "" {
		ps = append(ps, queryParam{"X-Amz-Security-Token", c.SessionToken})
	}
	q := canonicalQuery(ps, "")
	creq := canonicalRequest(r, canonicalURI(path, service), q, signed, payload)
	sig := signHex(SigningKey(c.SecretAccessKey, amzDate[:8], region, service), stringToSign(amzDate, scope, creq))
	scheme, host := "http", r.Host
	if r.URL != nil {
		if r.URL.Scheme != "" {
			scheme = r.URL.Scheme
		}
		if host == "" {
			host = r.URL.Host
		}
	}
	if path == "" {
		path = "/"
	}
	return scheme + "://" + host + path + "?" + q + "&X-Amz-Signature=" + sig
}
