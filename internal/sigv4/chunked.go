package sigv4

import (
	"bufio"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"strings"
)

// aws-chunked limits. A signed chunk line is at most ~100 bytes
// ("<16 hex>;chunk-signature=<64 hex>") and a checksum trailer under 80.
// MinChunkSize is the smallest aws-chunked data chunk S3 accepts, except
// for the last one.
const MinChunkSize = 8192

const (
	maxChunkLine   = 256
	maxTrailerLine = 512
	maxTrailers    = 16
	// maxChunkSize is the largest chunk accepted: S3's single-PUT limit.
	maxChunkSize = 5 << 30
	readBufSize  = 4096

	trailerSignatureName = "x-amz-trailer-signature"
	chunkSignatureExt    = "chunk-signature="
)

// chainSigner computes the chained signatures of aws-chunked chunks and
// trailers, each over the previous one (starting from the seed signature).
type chainSigner struct {
	key     []byte
	amzDate string
	scope   string
	prev    string
	mac     hash.Hash
}

// sign returns the next signature in the chain for kind
// ("AWS4-HMAC-SHA256-PAYLOAD" with the empty hash and the chunk data hash,
// or "AWS4-HMAC-SHA256-TRAILER" with the trailer hash) without advancing.
func (s *chainSigner) sign(kind string, sum []byte) string {
	if s.mac == nil {
		s.mac = hmac.New(sha256.New, s.key)
	}
	s.mac.Reset()
	var buf [512]byte
	b := append(buf[:0], kind...)
	b = append(b, '\n')
	b = append(b, s.amzDate...)
	b = append(b, '\n')
	b = append(b, s.scope...)
	b = append(b, '\n')
	b = append(b, s.prev...)
	b = append(b, '\n')
	if kind == "AWS4-HMAC-SHA256-PAYLOAD" {
		b = append(b, EmptySHA256...)
		b = append(b, '\n')
	}
	b = hex.AppendEncode(b, sum)
	s.mac.Write(b)
	var out [sha256.Size]byte
	return hex.EncodeToString(s.mac.Sum(out[:0]))
}

func (s *chainSigner) chunkSig(dataSum []byte) string {
	return s.sign("AWS4-HMAC-SHA256-PAYLOAD", dataSum)
}
func (s *chainSigner) trailerSig(trailerSum []byte) string {
	return s.sign("AWS4-HMAC-SHA256-TRAILER", trailerSum)
}

// verify checks got against the next signature and advances the chain.
func (s *chainSigner) verify(want string, got string, what string) error {
	if subtle.ConstantTimeCompare([]byte(want), []byte(got)) != 1 {
		return fmt.Errorf("%w: %s", ErrChunkSignatureMismatch, what)
	}
	s.prev = want
	return nil
}

// chunkedReader decodes an aws-chunked body, verifying chunk signatures if
// signer is set, reading trailers if trailer is set. Memory is bounded by
// the 4 KiB read buffer; chunk data is streamed to the caller.
type chunkedReader struct {
	br       *bufio.Reader
	signer   *chainSigner
	trailer  bool
	declared int64
	decoded  int64

	inData    bool
	remaining int64
	chunkHash hash.Hash
	wantSig   string
	nchunks   int
	prevSize  int64 // size of the previous data chunk
	minChunk  int64 // smallest non-last chunk accepted (0: any)

	trailers http.Header
	err      error // sticky; io.EOF once the body is complete
}

func newChunkedReader(body io.Reader, declared int64, signer *chainSigner, trailer bool) *chunkedReader {
	c := &chunkedReader{
		br:       bufio.NewReaderSize(body, readBufSize),
		signer:   signer,
		trailer:  trailer,
		declared: declared,
		trailers: http.Header{},
	}
	if signer != nil {
		c.chunkHash = sha256.New()
	}
	return c
}

func (c *chunkedReader) Trailers() http.Header { return c.trailers }
func (c *chunkedReader) DecodedLength() int64  { return c.declared }

func (c *chunkedReader) Read(p []byte) (int, error) {
	for c.err == nil {
		if !c.inData {
			c.err = c.readChunkHeader()
			continue
		}
		if len(p) == 0 {
			return 0, nil
		}
		n := len(p)
		if int64(n) > c.remaining {
			n = int(c.remaining)
		}
		n, err := c.br.Read(p[:n])
		if n > 0 {
			if c.chunkHash != nil {
				c.chunkHash.Write(p[:n])
			}
			c.remaining -= int64(n)
			c.decoded += int64(n)
		}
		if c.remaining == 0 {
			c.err = c.endChunk()
		} else if err != nil {
			c.err = bodyErr(err, "in chunk data")
		}
		return n, c.err
	}
	return 0, c.err
}

// bodyErr maps a premature end of the underlying body to ErrIncompleteBody;
// other read errors pass through.
func bodyErr(err error, where string) error {
	if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: body ended %s", ErrIncompleteBody, where)
	}
	return err
}

// readLine reads one CRLF-terminated line of at most max bytes.
func (c *chunkedReader) readLine(max int, what string) (string, error) {
	line, err := c.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull || len(line) > max+2 {
		return "", fmt.Errorf("%w: %s line longer than %d bytes", ErrMalformedChunk, what, max)
	}
	if err != nil {
		return "", bodyErr(err, "in "+what+" line")
	}
	if len(line) < 2 || line[len(line)-2] != '\r' {
		return "", fmt.Errorf("%w: %s line not terminated by CRLF", ErrMalformedChunk, what)
	}
	return string(line[:len(line)-2]), nil
}

// parseChunkSize parses 1..16 hex digits.
func parseChunkSize(s string) (int64, bool) {
	if s == "" || len(s) > 16 {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		d, ok := unhex(s[i])
		if !ok {
			return 0, false
		}
		n = n<<4 | uint64(d)
	}
	if n > maxChunkSize {
		return 0, false
	}
	return int64(n), true
}

func (c *chunkedReader) readChunkHeader() error {
	line, err := c.readLine(maxChunkLine, "chunk size")
	if err != nil {
		return err
	}
	sizeStr, ext, hasExt := strings.Cut(line, ";")
	size, ok := parseChunkSize(sizeStr)
	if !ok {
		return fmt.Errorf("%w: bad chunk size %q", ErrMalformedChunk, clip(sizeStr))
	}
	if c.signer != nil {
		sig, ok := strings.CutPrefix(ext, chunkSignatureExt)
		if !hasExt || !ok || !isLowerHex64(sig) {
			return fmt.Errorf("%w: chunk %d lacks a valid chunk-signature", ErrMalformedChunk, c.nchunks+1)
		}
		c.wantSig = sig
	}
	if c.declared >= 0 && size > c.declared-c.decoded {
		return fmt.Errorf("%w: chunks carry more than the %d bytes declared in X-Amz-Decoded-Content-Length",
			ErrIncompleteBody, c.declared)
	}
	if size > 0 && c.nchunks > 0 && c.prevSize < c.minChunk {
		return &ChunkSizeError{Chunk: c.nchunks, Size: c.prevSize}
	}
	c.nchunks++
	c.prevSize = size
	if size == 0 {
		return c.finish()
	}
	c.remaining, c.inData = size, true
	if c.chunkHash != nil {
		c.chunkHash.Reset()
	}
	return nil
}

// endChunk consumes the CRLF after chunk data and checks the signature.
func (c *chunkedReader) endChunk() error {
	c.inData = false
	var crlf [2]byte
	if _, err := io.ReadFull(c.br, crlf[:]); err != nil {
		return bodyErr(err, "after chunk data")
	}
	if crlf != [2]byte{'\r', '\n'} {
		return fmt.Errorf("%w: chunk %d data not followed by CRLF (chunk size wrong?)", ErrMalformedChunk, c.nchunks)
	}
	if c.signer != nil {
		var sum [sha256.Size]byte
		want := c.signer.chunkSig(c.chunkHash.Sum(sum[:0]))
		return c.signer.verify(want, c.wantSig, fmt.Sprintf("chunk %d", c.nchunks))
	}
	return nil
}

// finish handles the final zero-length chunk, the trailers and the end.
func (c *chunkedReader) finish() error {
	if c.signer != nil {
		empty := sha256.Sum256(nil)
		want := c.signer.chunkSig(empty[:])
		if err := c.signer.verify(want, c.wantSig, "final chunk"); err != nil {
			return err
		}
	}
	if c.trailer {
		if err := c.readTrailers(); err != nil {
			return err
		}
	} else {
		line, err := c.readLine(maxChunkLine, "final")
		if err != nil {
			return err
		}
		if line != "" {
			return fmt.Errorf("%w: unexpected %q after the final chunk (trailers need a -TRAILER payload mode)",
				ErrMalformedChunk, clip(line))
		}
	}
	if c.declared >= 0 && c.decoded != c.declared {
		return fmt.Errorf("%w: decoded %d bytes, X-Amz-Decoded-Content-Length is %d", ErrIncompleteBody, c.decoded, c.declared)
	}
	// Nothing may follow the terminating CRLF.
	if _, err := c.br.ReadByte(); err == nil {
		return fmt.Errorf("%w: data after the final chunk", ErrMalformedChunk)
	} else if err != io.EOF {
		return err
	}
	return io.EOF
}

func (c *chunkedReader) readTrailers() error {
	var signed []byte // "name:value\n" per trailer, for the trailer signature
	sawSig := false
	count := 0
	for {
		line, err := c.readLine(maxTrailerLine, "trailer")
		if err != nil {
			return err
		}
		if line == "" {
			break
		}
		if sawSig {
			return fmt.Errorf("%w: trailer after %s", ErrMalformedChunk, trailerSignatureName)
		}
		name, value, ok := strings.Cut(line, ":")
		name = strings.ToLower(strings.TrimSpace(name))
		value = strings.TrimSpace(value)
		if !ok || name == "" || strings.ContainsAny(name, " \t") {
			return fmt.Errorf("%w: bad trailer %q", ErrMalformedChunk, clip(line))
		}
		if c.signer != nil && name == trailerSignatureName {
			if !isLowerHex64(value) {
				return fmt.Errorf("%w: bad %s", ErrMalformedChunk, trailerSignatureName)
			}
			want := c.signer.trailerSig(sha256Sum(signed))
			if err := c.signer.verify(want, value, "trailer"); err != nil {
				return err
			}
			sawSig = true
			continue
		}
		if count++; count > maxTrailers {
			return fmt.Errorf("%w: more than %d trailers", ErrMalformedChunk, maxTrailers)
		}
		c.trailers.Add(name, value)
		if c.signer != nil {
			signed = append(append(append(append(signed, name...), ':'), value...), '\n')
		}
	}
	if c.signer != nil && !sawSig {
		return fmt.Errorf("%w: missing %s", ErrMalformedChunk, trailerSignatureName)
	}
	return nil
}

func sha256Sum(b []byte) []byte {
	s := sha256.Sum256(b)
	return s[:]
}
