package s3api

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/ferrys3/ferry/internal/checksum"
	"github.com/ferrys3/ferry/internal/iam"
	"github.com/ferrys3/ferry/internal/object"
	"github.com/ferrys3/ferry/internal/s3err"
	"github.com/ferrys3/ferry/internal/sigv2"
	"github.com/ferrys3/ferry/internal/sigv4"
)

// authenticate verifies the request signature and resolves the caller in
// the same credential lookup. A request without any authentication is
// anonymous (q.caller nil): only a bucket policy can allow it.
func (q *request) authenticate() error {
	if sigv2.IsPresigned(q.q) {
		return q.authenticateV2()
	}
	auth, err := q.h.verifier.Verify(q.r, q.h.clock.Now())
	if errors.Is(err, sigv4.ErrMissingAuth) {
		q.auth = &sigv4.Auth{Service: "s3", PayloadHash: sigv4.UnsignedPayload}
		return nil
	}
	if err != nil {
		return err
	}
	if auth.Service != "s3" {
		msg := "The authorization header is malformed; incorrect service \"" + auth.Service + "\". This endpoint belongs to \"s3\"."
		if auth.Presigned {
			return s3err.ErrAuthorizationQueryParametersError.With(msg)
		}
		return s3err.ErrAuthorizationHeaderMalformed.With(msg)
	}
	q.auth, q.caller = auth, auth.Identity.(*iam.Caller)
	return nil
}

// authenticateV2 verifies a SigV2 presigned URL (the default of aws-cli
// 1.x `s3 presign` and of botocore's generate_presigned_url).
func (q *request) authenticateV2() error {
	if q.r.Header.Get("Authorization") != "" || q.q.Has("X-Amz-Signature") {
		return s3err.ErrInvalidArgument.With("Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified")
	}
	p, err := sigv2.Parse(q.q)
	if err != nil {
		return s3err.ErrAccessDenied.With("Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters")
	}
	caller, err := q.h.iam.Resolve(q.r.Context(), p.AccessKeyID)
	if errors.Is(err, iam.ErrUnknownKey) {
		return s3err.ErrInvalidAccessKeyID
	}
	if err != nil {
		return err
	}
	if caller.SessionToken != "" && q.q.Get("x-amz-security-token") != caller.SessionToken && q.r.Header.Get("X-Amz-Security-Token") != caller.SessionToken {
		return s3err.ErrInvalidToken
	}
	secret := caller.Secret
	switch err := sigv2.Verify(q.r, p, secret, q.canonicalResource(), q.h.clock.Now()); {
	case errors.Is(err, sigv2.ErrExpired):
		return s3err.ErrAccessDenied.With("Request has expired")
	case err != nil:
		return s3err.ErrSignatureDoesNotMatch
	}
	q.auth = &sigv4.Auth{AccessKeyID: p.AccessKeyID, Service: "s3", Presigned: true, PayloadHash: sigv4.UnsignedPayload}
	q.caller = caller
	return nil
}

// canonicalResource is "/bucket/key" as sent (percent-encoded), for SigV2.
func (q *request) canonicalResource() string {
	raw := q.r.RequestURI
	if u, err := url.ParseRequestURI(raw); err == nil && u.Host != "" {
		raw = u.RequestURI() // absolute-form target (client using ferry as a proxy)
	}
	path, _, _ := strings.Cut(raw, "?")
	if q.virtualHost {
		return "/" + q.bucket + path
	}
	return path
}

// authorizeBucket is kept for handlers that check their bucket first:
// authorize has already decided the request and loaded the bucket.
func (q *request) authorizeBucket() error {
	if q.bkt == nil {
		return s3err.ErrNoSuchBucket
	}
	return nil
}

// body returns the decoded request body, its length (-1 when unknown) and
// the flexible checksum it carries (in a header or a trailer).
func (q *request) body() (io.Reader, int64, object.ChecksumSpec, error) {
	q.auth.MinChunkSize = sigv4.MinChunkSize
	br, err := q.auth.Body(q.r)
	if err != nil {
		return nil, 0, object.ChecksumSpec{}, err
	}
	size := br.DecodedLength()
	if q.auth.IsStreaming() {
		if size < 0 {
			return nil, 0, object.ChecksumSpec{}, s3err.ErrMissingContentLength.With("You must provide the X-Amz-Decoded-Content-Length header for aws-chunked uploads.")
		}
	} else {
		size = q.r.ContentLength
	}
	ck, err := q.checksumSpec(br)
	return &errReader{r: br, br: br, trailerAnnounced: q.r.Header.Get("x-amz-trailer") != ""}, size, ck, err
}

// checksumSpec finds the flexible checksum algorithm and expected value.
func (q *request) checksumSpec(br sigv4.BodyReader) (object.ChecksumSpec, error) {
	var spec object.ChecksumSpec
	hdr := q.r.Header
	for _, alg := range []string{"CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"} {
		if v := hdr.Get(checksum.HeaderName(alg)); v != "" {
			if _, err := checksum.DecodeSum(alg, v); err != nil {
				return spec, s3err.ErrInvalidRequest.With("Value for " + checksum.HeaderName(alg) + " header is invalid.")
			}
			if spec.Algorithm != "" {
				return spec, s3err.ErrInvalidRequest.With("Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
			}
			spec.Algorithm, spec.Value = alg, v
		}
	}
	if t := hdr.Get("x-amz-trailer"); t != "" {
		alg, ok := checksum.FromHeaderName(strings.ToLower(strings.TrimSpace(t)))
		if !ok {
			return spec, s3err.ErrInvalidRequest.With("The value specified in the x-amz-trailer header is not supported")
		}
		if spec.Algorithm != "" && spec.Algorithm != alg {
			return spec, s3err.ErrInvalidRequest.With("Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
		}
		name := http.CanonicalHeaderKey(t)
		spec.Algorithm = alg
		spec.Trailer = func() string {
			tr := br.Trailers()
			if tr == nil {
				return ""
			}
			return tr.Get(name)
		}
	}
	if spec.Algorithm == "" {
		if a := strings.ToUpper(hdr.Get("x-amz-sdk-checksum-algorithm")); a != "" {
			if !checksum.Valid(a) {
				return spec, s3err.ErrInvalidRequest.With("Value for x-amz-sdk-checksum-algorithm header is invalid.")
			}
			spec.Algorithm = a
		}
	}
	return spec, nil
}

// errReader maps body-verification errors to S3 errors as they surface,
// and refuses trailers the request did not announce in x-amz-trailer.
type errReader struct {
	r                io.Reader
	br               sigv4.BodyReader
	trailerAnnounced bool
}

func (e *errReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	switch {
	case err == io.EOF:
		if !e.trailerAnnounced && e.br != nil && len(e.br.Trailers()) > 0 {
			return n, s3err.ErrMalformedTrailer.With("The request contained trailing headers that were not announced in x-amz-trailer.")
		}
	case err != nil:
		err = toS3(err)
	}
	return n, err
}

// readSmallBody reads a configuration or request document (verified).
func (q *request) readSmallBody(limit int64) ([]byte, error) {
	br, err := q.auth.Body(q.r)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(io.LimitReader(&errReader{r: br, br: br, trailerAnnounced: q.r.Header.Get("x-amz-trailer") != ""}, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, s3err.ErrMalformedXML.With("The request body is too large.")
	}
	return b, nil
}
