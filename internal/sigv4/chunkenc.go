package sigv4

import (
	"crypto/sha256"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// ChunkSigner produces signed aws-chunked framing for a request signed
// (Sign) with payload hash StreamingPayload or StreamingPayloadTrailer:
//
//	<hex size>;chunk-signature=<sig>\r\n<data>\r\n ...
//	0;chunk-signature=<sig>\r\n
//	\r\n                                   (StreamingPayload)
//	name:value\r\n... x-amz-trailer-signature:<sig>\r\n\r\n   (…-TRAILER)
//
// Each signature chains from the previous one, the first from the seed
// (request) signature. Use AppendChunk for each non-empty chunk, then
// AppendFinal once.
type ChunkSigner struct {
	cs      chainSigner
	trailer bool
}

// NewChunkSigner returns a ChunkSigner chained from seed, the Auth that
// Sign returned (or that Verify returned, to re-encode a body).
func NewChunkSigner(seed *Auth) *ChunkSigner {
	return &ChunkSigner{
		cs:      chainSigner{key: seed.key, amzDate: seed.AmzDate, scope: seed.Scope(), prev: seed.Signature},
		trailer: seed.PayloadHash == StreamingPayloadTrailer,
	}
}

// Signature returns the latest signature in the chain.
func (s *ChunkSigner) Signature() string { return s.cs.prev }

// AppendChunk appends the framed, signed chunk for data to dst. Empty data
// would end the stream: use AppendFinal instead.
func (s *ChunkSigner) AppendChunk(dst, data []byte) []byte {
	sum := sha256.Sum256(data)
	sig := s.cs.chunkSig(sum[:])
	s.cs.prev = sig
	dst = strconv.AppendInt(dst, int64(len(data)), 16)
	dst = append(dst, ";"+chunkSignatureExt...)
	dst = append(dst, sig...)
	dst = append(dst, "\r\n"...)
	dst = append(dst, data...)
	return append(dst, "\r\n"...)
}

// AppendFinal appends the final zero-length chunk and the end of the body:
// for a StreamingPayloadTrailer seed the trailers (lower-case names, sorted)
// and their x-amz-trailer-signature; otherwise trailers must be empty.
func (s *ChunkSigner) AppendFinal(dst []byte, trailers http.Header) []byte {
	empty := sha256.Sum256(nil)
	sig := s.cs.chunkSig(empty[:])
	s.cs.prev = sig
	dst = append(dst, "0;"+chunkSignatureExt...)
	dst = append(dst, sig...)
	dst = append(dst, "\r\n"...)
	if !s.trailer && len(trailers) == 0 {
		return append(dst, "\r\n"...)
	}
	var canon []byte
	for _, kv := range trailerLines(trailers) {
		dst = append(dst, kv+"\r\n"...)
		canon = append(canon, kv+"\n"...)
	}
	tsum := sha256.Sum256(canon)
	tsig := s.cs.trailerSig(tsum[:])
	s.cs.prev = tsig
	dst = append(dst, trailerSignatureName+":"...)
	dst = append(dst, tsig...)
	return append(dst, "\r\n\r\n"...)
}

// trailerLines renders trailers as sorted "name:value" lines.
func trailerLines(trailers http.Header) []string {
	var lines []string
	for k, vs := range trailers {
		for _, v := range vs {
			lines = append(lines, strings.ToLower(k)+":"+strings.TrimSpace(v))
		}
	}
	slices.Sort(lines)
	return lines
}

// SignChunked encodes payload as a signed aws-chunked body in chunks of
// chunkSize bytes (the last one shorter; chunkSize <= 0 means one chunk),
// chained from seed. Trailers are included (and signed) when seed's mode
// is StreamingPayloadTrailer.
func SignChunked(payload []byte, chunkSize int, seed *Auth, trailers http.Header) []byte {
	s := NewChunkSigner(seed)
	if chunkSize <= 0 {
		chunkSize = max(len(payload), 1)
	}
	out := make([]byte, 0, len(payload)+(len(payload)/chunkSize+2)*90+200)
	for p := payload; len(p) > 0; {
		n := min(len(p), chunkSize)
		out = s.AppendChunk(out, p[:n])
		p = p[n:]
	}
	return s.AppendFinal(out, trailers)
}

// EncodeChunked encodes payload as an unsigned aws-chunked body (for
// STREAMING-UNSIGNED-PAYLOAD-TRAILER) in chunks of chunkSize bytes
// (chunkSize <= 0 means one chunk), ending with the trailers:
//
//	b\r\nhello world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n
func EncodeChunked(payload []byte, chunkSize int, trailers http.Header) []byte {
	if chunkSize <= 0 {
		chunkSize = max(len(payload), 1)
	}
	out := make([]byte, 0, len(payload)+(len(payload)/chunkSize+2)*12+200)
	for p := payload; len(p) > 0; {
		n := min(len(p), chunkSize)
		out = strconv.AppendInt(out, int64(n), 16)
		out = append(out, "\r\n"...)
		out = append(out, p[:n]...)
		out = append(out, "\r\n"...)
		p = p[n:]
	}
	out = append(out, "0\r\n"...)
	for _, kv := range trailerLines(trailers) {
		out = append(out, kv+"\r\n"...)
	}
	return append(out, "\r\n"...)
}
