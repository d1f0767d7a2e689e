package s3api

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/ferrys3/ferry/internal/iam"
	"github.com/ferrys3/ferry/internal/object"
	"github.com/ferrys3/ferry/internal/s3err"
	"github.com/ferrys3/ferry/internal/sigv4"
)

// request is one S3 request in flight.
type request struct {
	h       *Handler
	w       http.ResponseWriter
	r       *http.Request
	q       url.Values
	id      string
	op      string
	bucket  string
	key     string
	auth    *sigv4.Auth
	caller  *iam.Caller    // nil for anonymous requests
	bkt     *object.Bucket // the request's bucket, once authorize loaded it
	errCode string
	// virtualHost is set when the bucket came from the Host header.
	virtualHost bool
}

func (q *request) serve() {
	if err := q.parse(); err != nil {
		q.fail(err)
		return
	}
	handler := q.route() // names the operation for logs and metrics
	if err := q.authenticate(); err != nil {
		q.fail(err)
		return
	}
	if handler == nil {
		q.fail(s3err.ErrNotImplemented.With("The operation is not supported by this server."))
		return
	}
	if err := q.authorize(); err != nil {
		q.fail(err)
		return
	}
	if err := handler(q); err != nil {
		q.fail(err)
	}
}

// parse extracts bucket and key from the Host (virtual-hosted style) or
// the path, decoding the path exactly once ("+" stays "+").
func (q *request) parse() error {
	if headerBytes(q.r) > MaxHeaderBytes {
		return s3err.ErrRequestHeaderSectionTooLarge.WithExtra("MaxSizeAllowed", strconv.Itoa(MaxHeaderBytes))
	}
	var err error
	q.q, err = url.ParseQuery(q.r.URL.RawQuery)
	if err != nil {
		return s3err.ErrInvalidURI.With("Couldn't parse the specified URI.")
	}
	path := q.r.URL.Path // already decoded once by net/http
	host := strings.ToLower(hostOnly(q.r.Host))
	for _, d := range q.h.domains {
		if b, ok := strings.CutSuffix(host, "."+d); ok && b != "" {
			q.bucket, q.virtualHost = b, true
			q.key = strings.TrimPrefix(path, "/")
			return nil
		}
	}
	path = strings.TrimPrefix(path, "/")
	q.bucket, q.key, _ = strings.Cut(path, "/")
	return nil
}

// headerBytes is the size of the request line and header section.
func headerBytes(r *http.Request) int {
	n := len(r.Method) + len(r.RequestURI) + len(r.Host) + 16
	for k, vs := range r.Header {
		for _, v := range vs {
			n += len(k) + len(v) + 4
		}
	}
	return n
}

func hostOnly(h string) string {
	if strings.HasPrefix(h, "[") {
		if i := strings.Index(h, "]"); i > 0 {
			return h[1:i]
		}
	}
	if i := strings.LastIndexByte(h, ':'); i >= 0 {
		return h[:i]
	}
	return h
}

// fail renders err as an S3 error response.
func (q *request) fail(err error) {
	e := toS3(err)
	if e.Code == "InternalError" {
		q.h.log.Error("internal error", "id", q.id, "op", q.op, "err", err)
	}
	if e.Resource == "" {
		e.Resource = q.r.URL.Path
	}
	q.errCode = e.Code
	for k, v := range e.Header {
		q.w.Header().Set(k, v)
	}
	status := e.Status()
	if q.r.Method == http.MethodHead || status == http.StatusNotModified {
		q.w.WriteHeader(status) // no body, as AWS answers
		return
	}
	q.w.Header().Set("Content-Type", "application/xml")
	q.w.WriteHeader(status)
	_, _ = q.w.Write(e.Marshal(q.id, q.h.hostID))
}

// detail is what err adds to the sentinel it wraps, for client messages.
func detail(err, sentinel error) string {
	d := strings.TrimPrefix(err.Error(), sentinel.Error())
	d = strings.TrimPrefix(d, ": ")
	if d == "" {
		return "the request is malformed"
	}
	return d
}

// toS3 maps any error to the S3 catalog, in one place.
func toS3(err error) *s3err.Error {
	var e *s3err.Error
	if errors.As(err, &e) {
		c := *e
		return &c
	}
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		return s3err.ErrIncompleteBody
	case errors.Is(err, sigv4.ErrMissingAuth):
		return s3err.ErrAccessDenied.With("Access Denied")
	case errors.Is(err, sigv4.ErrInvalidAccessKeyID):
		return s3err.ErrInvalidAccessKeyID
	case errors.Is(err, sigv4.ErrSignatureMismatch), errors.Is(err, sigv4.ErrChunkSignatureMismatch):
		return s3err.ErrSignatureDoesNotMatch
	case errors.Is(err, sigv4.ErrRequestTimeTooSkewed):
		return s3err.ErrRequestTimeTooSkewed
	case errors.Is(err, sigv4.ErrExpiredPresign):
		return s3err.ErrAccessDenied.With("Request has expired")
	case errors.Is(err, sigv4.ErrMissingDate):
		return s3err.ErrAccessDenied.With("AWS authentication requires a valid Date or x-amz-date header")
	case errors.Is(err, sigv4.ErrMalformedAuth):
		d := detail(err, sigv4.ErrMalformedAuth)
		if strings.Contains(d, "only one auth mechanism") {
			return s3err.ErrInvalidArgument.With("Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified")
		}
		return s3err.ErrAuthorizationHeaderMalformed.With("The authorization header is malformed; " + d)
	case errors.Is(err, sigv4.ErrMalformedPresign):
		return s3err.ErrAuthorizationQueryParametersError.With(detail(err, sigv4.ErrMalformedPresign))
	case errors.Is(err, sigv4.ErrUnsupportedAlgorithm):
		return s3err.ErrInvalidArgument.With("Unsupported Authorization Type")
	case errors.Is(err, sigv4.ErrContentSHA256Mismatch):
		return s3err.ErrXAmzContentSHA256Mismatch
	case errors.Is(err, sigv4.ErrMissingContentSHA256):
		return s3err.ErrInvalidRequest.With("Missing required header for this request: x-amz-content-sha256")
	case errors.Is(err, sigv4.ErrInvalidSecurityToken):
		return s3err.ErrInvalidToken
	case errors.Is(err, sigv4.ErrBodyTooLarge):
		return s3err.ErrEntityTooLarge
	case errors.Is(err, sigv4.ErrInvalidContentSHA256):
		return s3err.ErrInvalidArgument.With("x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid sha256 value.")
	case errors.Is(err, sigv4.ErrInvalidChunkSize):
		e := s3err.ErrInvalidChunkSize
		var cs *sigv4.ChunkSizeError
		if errors.As(err, &cs) {
			e = e.WithExtra("Chunk", strconv.Itoa(cs.Chunk)).WithExtra("BadChunkSize", strconv.FormatInt(cs.Size, 10))
		}
		return e
	case errors.Is(err, sigv4.ErrIncompleteBody), errors.Is(err, sigv4.ErrMalformedChunk):
		return s3err.ErrIncompleteBody
	case errors.Is(err, sigv4.ErrMissingSecurityToken):
		return s3err.ErrInvalidArgument.With("Security token is missing")
	}
	var ie *iam.Error
	if errors.As(err, &ie) && ie.Code == iam.CodeExpiredToken {
		return s3err.ErrExpiredToken
	}
	return s3err.ErrInternalError
}
