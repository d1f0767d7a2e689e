// Package sigv4 implements AWS Signature Version 4 for S3 and the other
// services ferry speaks: request verification (Authorization header and
// presigned query), payload verification and aws-chunked decoding
// (signed, unsigned and trailer variants), and the signing side used by
// tests, the load generator and ferry's own client code.
//
// Canonicalisation follows what AWS CLIs and SDKs actually send (see
// shared/reference/cli-protocols.md §3 and §6): the canonical URI is the
// path exactly as sent (no second encoding for service "s3"), the query is
// decoded and re-encoded RFC 3986 and sorted, header values are trimmed with
// inner whitespace runs collapsed, host is r.Host, and transfer-encoding /
// content-length are rebuilt from r.TransferEncoding / r.ContentLength when
// Go's server has moved them out of r.Header.
//
// The package is pure: no I/O other than reading request bodies handed to
// it, no global mutable state.
package sigv4

import (
	"strings"
	"time"
)

const (
	// algorithm is the only signing algorithm supported.
	algorithm = "AWS4-HMAC-SHA256"
	// amzDateFormat is the X-Amz-Date layout (ISO 8601 basic, UTC).
	amzDateFormat = "20060102T150405Z"
	// scopeTerminator ends every credential scope.
	scopeTerminator = "aws4_request"

	// MaxSkew is the largest accepted difference between a request's date
	// and the server clock.
	MaxSkew = 15 * time.Minute
	// MaxPresignExpires is the largest X-Amz-Expires, in seconds (7 days).
	MaxPresignExpires = 604800
)

// Payload hash values of X-Amz-Content-SHA256 besides a hex SHA-256.
const (
	UnsignedPayload                 = "UNSIGNED-PAYLOAD"
	StreamingPayload                = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	StreamingPayloadTrailer         = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
	StreamingUnsignedPayloadTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
	// EmptySHA256 is hex(sha256("")).
	EmptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
)

// Credentials are an access key pair, with a session token for temporary
// credentials. Identity is opaque to this package: whatever the lookup
// attaches (the principal behind the key) is returned in Auth.Identity, so
// a server resolves a credential once per request.
type Credentials struct {
	AccessKeyID, SecretAccessKey, SessionToken string
	Identity                                   any
}

// Lookup returns the secret for an access key; it returns
// ErrInvalidAccessKeyID (possibly wrapped) if the key is unknown. Other
// errors are passed through by Verify unchanged.
type Lookup func(accessKeyID string) (secret string, err error)

// CredentialLookup is the richer lookup for NewCredentialVerifier: when the
// returned SessionToken is non-empty the request must carry exactly that
// X-Amz-Security-Token.
type CredentialLookup func(accessKeyID string) (Credentials, error)

// Auth is a verified (or, from Sign, freshly signed) request's
// authentication.
type Auth struct {
	// MinChunkSize, when set by the caller before Body, is the smallest
	// aws-chunked data chunk accepted except the last (S3: MinChunkSize).
	MinChunkSize int64

	AccessKeyID string
	// Identity is Credentials.Identity of the verified key.
	Identity any
	Region   string
	Service  string
	Date     string // yyyymmdd of the credential scope
	// SignedHeaders are the lower-case signed header names, as listed.
	SignedHeaders []string
	Signature     string // hex request signature (the seed for aws-chunked)
	// PayloadHash is the payload hash the signature covers: a hex SHA-256
	// or one of UnsignedPayload, StreamingPayload, StreamingPayloadTrailer,
	// StreamingUnsignedPayloadTrailer.
	PayloadHash  string
	Presigned    bool
	SessionToken string // X-Amz-Security-Token, if any

	AmzDate string        // the request timestamp as signed (yyyymmddThhmmssZ)
	Time    time.Time     // AmzDate parsed
	Expires time.Duration // presigned only: X-Amz-Expires

	key []byte // signing key, for chunk and trailer signatures
	// payloadTrusted is set when the caller supplied PayloadHash
	// (VerifyWithPayloadHash) after hashing the body itself.
	payloadTrusted bool
}

// Scope returns the credential scope "date/region/service/aws4_request".
func (a *Auth) Scope() string {
	return a.Date + "/" + a.Region + "/" + a.Service + "/" + scopeTerminator
}

// IsStreaming reports whether the payload is aws-chunked encoded.
func (a *Auth) IsStreaming() bool { return isStreaming(a.PayloadHash) }

func isStreaming(ph string) bool {
	return ph == StreamingPayload || ph == StreamingPayloadTrailer || ph == StreamingUnsignedPayloadTrailer
}

// isHexSHA256 reports whether s is 64 hex digits (either case).
func isHexSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if _, ok := unhex(s[i]); !ok {
			return false
		}
	}
	return true
}

// validPayloadHash reports whether s is an acceptable X-Amz-Content-SHA256.
func validPayloadHash(s string) bool {
	return s == UnsignedPayload || isStreaming(s) || isHexSHA256(s)
}

// isLowerHex64 reports whether s is a 64-digit lower-case hex signature.
func isLowerHex64(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// parseCredential splits "AKID/yyyymmdd/region/service/aws4_request".
func parseCredential(a *Auth, s string) bool {
	parts := strings.Split(s, "/")
	if len(parts) != 5 || parts[4] != scopeTerminator {
		return false
	}
	for _, p := range parts[:4] {
		if p == "" {
			return false
		}
	}
	if _, err := time.Parse("20060102", parts[1]); err != nil || len(parts[1]) != 8 {
		return false
	}
	a.AccessKeyID, a.Date, a.Region, a.Service = parts[0], parts[1], parts[2], parts[3]
	return true
}

// maxSignedHeaders bounds the SignedHeaders list.
const maxSignedHeaders = 128

// parseSignedHeaders splits "host;x-amz-date"; names must be lower-case
// header tokens, unique, and include host.
func parseSignedHeaders(s string) ([]string, bool) {
	if s == "" {
		return nil, false
	}
	hs := strings.Split(s, ";")
	if len(hs) > maxSignedHeaders {
		return nil, false
	}
	host := false
	for i, h := range hs {
		if h == "" {
			return nil, false
		}
		for j := 0; j < len(h); j++ {
			c := h[j]
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
				return nil, false
			}
		}
		for _, prev := range hs[:i] {
			if prev == h {
				return nil, false
			}
		}
		if h == "host" {
			host = true
		}
	}
	return hs, host
}
