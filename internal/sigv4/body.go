package sigv4

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"strconv"
)

// BodyReader reads a request's decoded payload.
type BodyReader interface {
	io.Reader
	// Trailers returns the aws-chunked trailing headers (canonical keys,
	// e.g. "X-Amz-Checksum-Crc32"); valid after Read returned io.EOF, empty
	// for non-trailer payloads.
	Trailers() http.Header
	// DecodedLength returns the payload length the client declared
	// (X-Amz-Decoded-Content-Length for aws-chunked, else Content-Length),
	// or -1 if unknown. The readers enforce it.
	DecodedLength() int64
}

// Body wraps r.Body according to the payload mode and returns the reader
// of the decoded payload:
//   - hex SHA-256: bytes pass through; at EOF the reader returns
//     ErrContentSHA256Mismatch instead of io.EOF if the hash differs;
//   - UNSIGNED-PAYLOAD: pass-through;
//   - STREAMING-AWS4-HMAC-SHA256-PAYLOAD: aws-chunked, every chunk signature
//     verified in a chain from the seed (request) signature;
//   - STREAMING-UNSIGNED-PAYLOAD-TRAILER: aws-chunked with trailing headers;
//   - STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER: signed chunks plus a
//     signed trailer (x-amz-trailer-signature).
//
// Chunk data is streamed to the caller as it arrives, before the chunk's
// signature (checked when the chunk ends) is known, so a caller must
// discard everything it read when Read returns an error other than
// io.EOF. Framing errors are ErrMalformedChunk, a body that ends early or
// whose decoded length differs from X-Amz-Decoded-Content-Length is
// ErrIncompleteBody.
//
// Body may be called on a nil *Auth for anonymous requests: it then follows
// X-Amz-Content-SHA256 if present (signed streaming modes are refused with
// ErrMissingAuth, since there is no key to check them with).
func (a *Auth) Body(r *http.Request) (BodyReader, error) {
	body := r.Body
	if body == nil {
		body = http.NoBody
	}
	var mode string
	trusted := false
	if a != nil {
		mode, trusted = a.PayloadHash, a.payloadTrusted
	} else {
		mode = r.Header.Get("X-Amz-Content-Sha256")
		if mode != "" && !validPayloadHash(mode) {
			return nil, fmt.Errorf("%w: %q", ErrInvalidContentSHA256, clip(mode))
		}
	}
	switch {
	case mode == "" || mode == UnsignedPayload || trusted:
		return &plainReader{r: body, length: r.ContentLength}, nil
	case isHexSHA256(mode):
		want, _ := hex.DecodeString(mode)
		return &hashReader{plainReader: plainReader{r: body, length: r.ContentLength}, h: sha256.New(), want: want}, nil
	}
	declared := int64(-1)
	if v := r.Header.Get("X-Amz-Decoded-Content-Length"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("%w: invalid X-Amz-Decoded-Content-Length %q", ErrMalformedChunk, clip(v))
		}
		declared = n
	}
	switch mode {
	case StreamingUnsignedPayloadTrailer:
		cr := newChunkedReader(body, declared, nil, true)
		if a != nil {
			cr.minChunk = a.MinChunkSize
		}
		return cr, nil
	case StreamingPayload, StreamingPayloadTrailer:
		if a == nil || a.key == nil {
			return nil, fmt.Errorf("%w: %s needs a signed request", ErrMissingAuth, mode)
		}
		s := &chainSigner{key: a.key, amzDate: a.AmzDate, scope: a.Scope(), prev: a.Signature}
		cr := newChunkedReader(body, declared, s, mode == StreamingPayloadTrailer)
		cr.minChunk = a.MinChunkSize
		return cr, nil
	}
	return nil, fmt.Errorf("%w: %q", ErrInvalidContentSHA256, clip(mode))
}

// plainReader passes the body through.
type plainReader struct {
	r      io.Reader
	length int64
}

func (p *plainReader) Read(b []byte) (int, error) { return p.r.Read(b) }
func (p *plainReader) Trailers() http.Header      { return http.Header{} }
func (p *plainReader) DecodedLength() int64       { return p.length }

// hashReader passes the body through and checks its SHA-256 at EOF.
type hashReader struct {
	plainReader
	h    hash.Hash
	want []byte
	err  error
}

func (h *hashReader) Read(b []byte) (int, error) {
	if h.err != nil {
		return 0, h.err
	}
	n, err := h.r.Read(b)
	h.h.Write(b[:n])
	if err == io.EOF {
		if got := h.h.Sum(nil); !bytes.Equal(got, h.want) {
			err = fmt.Errorf("%w: body hashes to %x", ErrContentSHA256Mismatch, got)
		}
		h.err = err
	} else if err != nil {
		h.err = err
	}
	return n, err
}

// BufferBody reads r.Body completely (at most max bytes), replaces it with
// an in-memory copy, and returns the body's hex SHA-256: the payload hash
// for VerifyWithPayloadHash on Query/JSON protocol requests, which carry no
// X-Amz-Content-SHA256. A longer body yields ErrBodyTooLarge.
func BufferBody(r *http.Request, max int64) (payloadHash string, err error) {
	if r.Body == nil || r.Body == http.NoBody {
		return EmptySHA256, nil
	}
	defer r.Body.Close()
	b, err := io.ReadAll(io.LimitReader(r.Body, max+1))
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			err = fmt.Errorf("%w: %v", ErrIncompleteBody, err)
		}
		return "", err
	}
	if int64(len(b)) > max {
		return "", fmt.Errorf("%w: more than %d bytes", ErrBodyTooLarge, max)
	}
	r.Body = io.NopCloser(bytes.NewReader(b))
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}
