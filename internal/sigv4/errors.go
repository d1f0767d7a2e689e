package sigv4

import (
	"errors"
	"fmt"
)

// Sentinel errors. Verify, Body and the body readers return them wrapped
// with details (fmt.Errorf("%w: ...")); test with errors.Is. The S3 error a
// server would normally answer with is noted on each.
var (
	// ErrMissingAuth: the request carries no SigV4 authentication at all
	// (anonymous). Not a failure by itself.
	ErrMissingAuth = errors.New("sigv4: request carries no authentication")
	// ErrInvalidAccessKeyID: Lookup does not know the access key
	// (InvalidAccessKeyId, 403). Lookup implementations return it too.
	ErrInvalidAccessKeyID = errors.New("sigv4: unknown access key id")
	// ErrSignatureMismatch: the request signature is wrong
	// (SignatureDoesNotMatch, 403). See *SignatureMismatchError.
	ErrSignatureMismatch = errors.New("sigv4: signature does not match")
	// ErrRequestTimeTooSkewed: the request time is more than 15 minutes from
	// the server's (RequestTimeTooSkewed, 403).
	ErrRequestTimeTooSkewed = errors.New("sigv4: request time too skewed")
	// ErrExpiredPresign: a presigned URL's X-Amz-Date+X-Amz-Expires is past
	// (AccessDenied "Request has expired", 403).
	ErrExpiredPresign = errors.New("sigv4: presigned request has expired")
	// ErrMalformedAuth: the Authorization header cannot be parsed, or the
	// request has both header and query authentication
	// (AuthorizationHeaderMalformed, 400).
	ErrMalformedAuth = errors.New("sigv4: malformed authorization header")
	// ErrMalformedPresign: presigned query parameters missing or invalid,
	// e.g. X-Amz-Expires outside 1..604800
	// (AuthorizationQueryParametersError, 400).
	ErrMalformedPresign = errors.New("sigv4: malformed presigned query parameters")
	// ErrMissingDate: header authentication without a valid X-Amz-Date or
	// Date header (AccessDenied, 403).
	ErrMissingDate = errors.New("sigv4: missing or invalid x-amz-date/date")
	// ErrUnsupportedAlgorithm: not AWS4-HMAC-SHA256 (SigV2 "AWS ", SigV4A
	// "AWS4-ECDSA-P256-SHA256", ...) (InvalidArgument / InvalidRequest, 400).
	ErrUnsupportedAlgorithm = errors.New("sigv4: unsupported signing algorithm")
	// ErrContentSHA256Mismatch: the body does not hash to
	// X-Amz-Content-SHA256 (XAmzContentSHA256Mismatch, 400).
	ErrContentSHA256Mismatch = errors.New("sigv4: body does not match x-amz-content-sha256")
	// ErrInvalidContentSHA256: X-Amz-Content-SHA256 is neither a hex SHA-256
	// nor a known payload mode (InvalidArgument, 400).
	ErrInvalidContentSHA256 = errors.New("sigv4: invalid x-amz-content-sha256")
	// ErrMissingContentSHA256: an "s3" header-signed request without
	// X-Amz-Content-SHA256, or (other services) a request with a body whose
	// hash the caller did not supply (InvalidRequest, 400). For Query/JSON
	// protocol requests use BufferBody and VerifyWithPayloadHash. It wraps
	// ErrInvalidContentSHA256, so callers that only know that one still
	// answer 400.
	ErrMissingContentSHA256 = fmt.Errorf("%w: header missing", ErrInvalidContentSHA256)
	// ErrIncompleteBody: the body ended early or its decoded length differs
	// from X-Amz-Decoded-Content-Length (IncompleteBody, 400).
	ErrIncompleteBody = errors.New("sigv4: incomplete body")
	// ErrMalformedChunk: aws-chunked framing is invalid (InvalidRequest /
	// IncompleteBody, 400).
	ErrMalformedChunk = errors.New("sigv4: malformed aws-chunked encoding")

	// ErrInvalidChunkSize: a chunk other than the last is smaller than
	// MinChunkSize, which S3 refuses.
	ErrInvalidChunkSize = errors.New("sigv4: only the last chunk may be smaller than 8192 bytes")
	// ErrChunkSignatureMismatch: an aws-chunked chunk or trailer signature is
	// wrong (SignatureDoesNotMatch, 403).
	ErrChunkSignatureMismatch = errors.New("sigv4: chunk signature does not match")
	// ErrMissingSecurityToken: the credentials are temporary (the lookup
	// returned a session token) but the request carries no
	// X-Amz-Security-Token (InvalidToken / AccessDenied, 403).
	ErrMissingSecurityToken = errors.New("sigv4: missing security token")
	// ErrInvalidSecurityToken: the request's X-Amz-Security-Token differs
	// from the one the lookup returned (InvalidToken, 400).
	ErrInvalidSecurityToken = errors.New("sigv4: invalid security token")
	// ErrBodyTooLarge: BufferBody's limit was exceeded.
	ErrBodyTooLarge = errors.New("sigv4: body too large to buffer")
)

// SignatureMismatchError is the detailed form of ErrSignatureMismatch: the
// canonical request and string to sign the server computed, which S3
// includes in its SignatureDoesNotMatch error document. errors.Is(err,
// ErrSignatureMismatch) holds for it.
type SignatureMismatchError struct {
	CanonicalRequest  string
	StringToSign      string
	SignatureProvided string
	AccessKeyID       string
}

func (e *SignatureMismatchError) Error() string { return ErrSignatureMismatch.Error() }

// Unwrap returns ErrSignatureMismatch.
func (e *SignatureMismatchError) Unwrap() error { return ErrSignatureMismatch }

// ChunkSizeError reports the first aws-chunked chunk smaller than the
// minimum that was not the last; errors.Is(err, ErrInvalidChunkSize) holds.
type ChunkSizeError struct {
	Chunk int   // 1-based chunk number
	Size  int64 // its size in bytes
}

func (e *ChunkSizeError) Error() string {
	return fmt.Sprintf("%v: chunk %d has %d bytes", ErrInvalidChunkSize, e.Chunk, e.Size)
}

// Is makes errors.Is(err, ErrInvalidChunkSize) true.
func (e *ChunkSizeError) Is(target error) bool { return target == ErrInvalidChunkSize }
