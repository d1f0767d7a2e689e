package sigv4

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/ferrys3/ferry/internal/checksum"
)

const helloWire = "b\r\nhello world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n"

// streamingRequest signs a PUT with an aws-chunked payload mode and returns
// the verified Auth, ready for Body.
func streamingRequest(t testing.TB, mode string, payload []byte, chunkSize int, trailers http.Header) (*http.Request, []byte) {
	t.Helper()
	r := newReq("PUT", "/bucket/big.bin", "")
	r.Header.Set("Content-Encoding", "aws-chunked")
	r.Header.Set("X-Amz-Decoded-Content-Length", strconv.Itoa(len(payload)))
	if len(trailers) > 0 {
		r.Header.Set("X-Amz-Trailer", "x-amz-checksum-crc32")
	}
	seed := SignWithHeaders(r, testCreds, "us-east-1", "s3", mode, testNow, []string{"content-encoding"})
	var body []byte
	if mode == StreamingUnsignedPayloadTrailer {
		body = EncodeChunked(payload, chunkSize, trailers)
	} else {
		body = SignChunked(payload, chunkSize, seed, trailers)
	}
	return r, body
}

// decode verifies r, attaches body and reads the decoded payload through
// wrap (e.g. a one-byte reader).
func decode(t testing.TB, r *http.Request, body []byte, wrap func(io.Reader) io.Reader) ([]byte, BodyReader, error) {
	t.Helper()
	a, err := Verify(r, testLookup, testNow)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	br, err := a.Body(r)
	if err != nil {
		return nil, nil, err
	}
	var rd io.Reader = br
	if wrap != nil {
		rd = wrap(br)
	}
	got, err := io.ReadAll(rd)
	return got, br, err
}

func payloadOf(n int) []byte {
	p := make([]byte, n)
	for i := range p {
		p[i] = byte(i*7 + i>>8)
	}
	return p
}

func crcTrailer(p []byte) http.Header {
	s, _ := checksum.Sum(checksum.CRC32, p)
	return http.Header{"X-Amz-Checksum-Crc32": {checksum.Encode(s)}}
}

func TestUnsignedWireExample(t *testing.T) {
	if got := string(EncodeChunked([]byte("hello world"), 0, http.Header{"x-amz-checksum-crc32": {"DUoRhQ=="}})); got != helloWire {
		t.Fatalf("EncodeChunked = %q", got)
	}
	r := newReq("PUT", "/b/k", "")
	r.Header.Set("X-Amz-Decoded-Content-Length", "11")
	Sign(r, testCreds, "us-east-1", "s3", StreamingUnsignedPayloadTrailer, testNow)
	got, br, err := decode(t, r, []byte(helloWire), nil)
	if err != nil || string(got) != "hello world" {
		t.Fatalf("%q %v", got, err)
	}
	if v := br.Trailers().Get("x-amz-checksum-crc32"); v != "DUoRhQ==" {
		t.Fatalf("trailer %q", v)
	}
	if br.DecodedLength() != 11 {
		t.Fatalf("DecodedLength %d", br.DecodedLength())
	}
}

func TestChunkedRoundTrips(t *testing.T) {
	wraps := map[string]func(io.Reader) io.Reader{
		"plain":   nil,
		"onebyte": iotest.OneByteReader,
		"half":    iotest.HalfReader,
		"dataerr": iotest.DataErrReader,
	}
	for _, mode := range []string{StreamingPayload, StreamingPayloadTrailer, StreamingUnsignedPayloadTrailer} {
		for _, size := range []int{0, 1, 100, 8192, 70_000} {
			for _, chunk := range []int{1, 7, 8192, 65536} {
				if size/chunk > 2000 {
					continue
				}
				payload := payloadOf(size)
				var tr http.Header
				if mode != StreamingPayload {
					tr = crcTrailer(payload)
				}
				for wn, wrap := range wraps {
					r, body := streamingRequest(t, mode, payload, chunk, tr)
					got, br, err := decode(t, r, body, wrap)
					if err != nil || !bytes.Equal(got, payload) {
						t.Fatalf("%s size %d chunk %d %s: %d bytes, %v", mode, size, chunk, wn, len(got), err)
					}
					if tr != nil && br.Trailers().Get("X-Amz-Checksum-Crc32") != tr.Get("X-Amz-Checksum-Crc32") {
						t.Fatalf("trailers %v", br.Trailers())
					}
				}
			}
		}
	}
}

// Every single-byte change in a signed body must be caught.
func TestSignedChunkTampering(t *testing.T) {
	payload := payloadOf(300)
	for _, mode := range []string{StreamingPayload, StreamingPayloadTrailer} {
		var tr http.Header
		if mode == StreamingPayloadTrailer {
			tr = crcTrailer(payload)
		}
		r, body := streamingRequest(t, mode, payload, 100, tr)
		for i := range body {
			mod := bytes.Clone(body)
			mod[i] ^= 0x01
			got, _, err := decode(t, r, mod, nil)
			if err == nil {
				t.Fatalf("%s: flipped byte %d (%q) accepted", mode, i, body[i])
			}
			if len(got) > len(payload) {
				t.Fatalf("returned %d bytes", len(got))
			}
		}
		// A flipped data byte specifically is a signature mismatch.
		mod := bytes.Clone(body)
		mod[bytes.Index(body, payload[:50])+10] ^= 0x80
		if _, _, err := decode(t, r, mod, nil); !errors.Is(err, ErrChunkSignatureMismatch) {
			t.Fatalf("data flip: %v", err)
		}
	}
}

func TestSignedStructuralTampering(t *testing.T) {
	payload := payloadOf(300)
	r := newReq("PUT", "/bucket/k", "")
	seed := Sign(r, testCreds, "us-east-1", "s3", StreamingPayload, testNow) // no declared length
	body := SignChunked(payload, 100, seed, nil)
	frames := bytes.SplitAfter(body, []byte("\r\n"))
	// frames: hdr1 data1 hdr2 data2 hdr3 data3 final crlf
	join := func(idx ...int) []byte {
		var b []byte
		for _, i := range idx {
			b = append(b, frames[i]...)
		}
		return b
	}
	tests := map[string][]byte{
		"reordered":     join(2, 3, 0, 1, 4, 5, 6, 7),
		"dropped":       join(0, 1, 4, 5, 6, 7),
		"repeated":      join(0, 1, 0, 1, 2, 3, 4, 5, 6, 7),
		"final early":   join(0, 1, 6, 7),
		"bad final":     append(join(0, 1, 2, 3, 4, 5), "0;chunk-signature="+strings.Repeat("0", 64)+"\r\n\r\n"...),
		"trailer":       append(join(0, 1, 2, 3, 4, 5, 6), "x-amz-checksum-crc32:AAAAAA==\r\n\r\n"...),
		"after end":     append(bytes.Clone(body), 'x'),
		"no signature":  append([]byte("64\r\n"), body[bytes.IndexByte(body, '\n')+1:]...),
		"upper hex sig": bytes.Replace(body, frames[0], bytes.ToUpper(frames[0]), 1),
	}
	a, err := Verify(r, testLookup, testNow)
	if err != nil {
		t.Fatal(err)
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if got, err := readBody(a, r); err != nil || !bytes.Equal(got, payload) {
		t.Fatalf("untampered: %v", err)
	}
	for name, b := range tests {
		t.Run(name, func(t *testing.T) {
			r.Body = io.NopCloser(bytes.NewReader(b))
			_, err := readBody(a, r)
			if !errors.Is(err, ErrChunkSignatureMismatch) && !errors.Is(err, ErrMalformedChunk) {
				t.Fatalf("err = %v", err)
			}
		})
	}
}

func readBody(a *Auth, r *http.Request) ([]byte, error) {
	br, err := a.Body(r)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(br)
}

func TestSignedTrailerTampering(t *testing.T) {
	payload := []byte("hello world")
	tr := http.Header{"X-Amz-Checksum-Crc32": {"DUoRhQ=="}}
	r, body := streamingRequest(t, StreamingPayloadTrailer, payload, 0, tr)
	good := string(body)
	sigLine := good[strings.Index(good, "x-amz-trailer-signature:"):]
	tests := map[string]struct {
		body string
		want error
	}{
		"checksum changed":  {strings.Replace(good, "DUoRhQ==", "AAAAAA==", 1), ErrChunkSignatureMismatch},
		"trailer added":     {strings.Replace(good, "DUoRhQ==\r\n", "DUoRhQ==\r\nx-amz-meta-x:1\r\n", 1), ErrChunkSignatureMismatch},
		"trailer dropped":   {strings.Replace(good, "x-amz-checksum-crc32:DUoRhQ==\r\n", "", 1), ErrChunkSignatureMismatch},
		"signature missing": {strings.Replace(good, sigLine, "\r\n", 1), ErrMalformedChunk},
		"signature wrong":   {strings.Replace(good, sigLine, "x-amz-trailer-signature:"+strings.Repeat("1", 64)+"\r\n\r\n", 1), ErrChunkSignatureMismatch},
		"after signature":   {strings.Replace(good, sigLine, sigLine[:len(sigLine)-2]+"x-amz-meta-x:1\r\n\r\n", 1), ErrMalformedChunk},
	}
	if got, br, err := decode(t, r, body, nil); err != nil || string(got) != "hello world" || br.Trailers().Get("x-amz-checksum-crc32") != "DUoRhQ==" {
		t.Fatalf("good: %v", err)
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if _, _, err := decode(t, r, []byte(tc.body), nil); !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

// Truncating a body anywhere is ErrIncompleteBody, never success.
func TestTruncated(t *testing.T) {
	payload := payloadOf(250)
	for _, mode := range []string{StreamingPayload, StreamingPayloadTrailer, StreamingUnsignedPayloadTrailer} {
		r, body := streamingRequest(t, mode, payload, 100, crcTrailerIf(mode, payload))
		for n := 0; n < len(body); n++ {
			got, _, err := decode(t, r, body[:n], nil)
			if !errors.Is(err, ErrIncompleteBody) {
				t.Fatalf("%s cut at %d/%d: err = %v", mode, n, len(body), err)
			}
			if len(got) > len(payload) || !bytes.Equal(got, payload[:len(got)]) {
				t.Fatalf("cut at %d: returned %d wrong bytes", n, len(got))
			}
		}
	}
}

func crcTrailerIf(mode string, p []byte) http.Header {
	if mode == StreamingPayload {
		return nil
	}
	return crcTrailer(p)
}

func TestDecodedLengthMismatch(t *testing.T) {
	for _, mode := range []string{StreamingPayload, StreamingUnsignedPayloadTrailer} {
		for _, declared := range []string{"10", "12", "0"} {
			r, body := streamingRequest(t, mode, []byte("hello world"), 4, crcTrailerIf(mode, []byte("hello world")))
			r.Header.Set("X-Amz-Decoded-Content-Length", declared)
			SignWithHeaders(r, testCreds, "us-east-1", "s3", mode, testNow, []string{"content-encoding"})
			a, _ := Verify(r, testLookup, testNow)
			if mode == StreamingPayload {
				body = SignChunked([]byte("hello world"), 4, a, nil)
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			got, err := readBody(a, r)
			if !errors.Is(err, ErrIncompleteBody) {
				t.Fatalf("%s declared %s: %v", mode, declared, err)
			}
			if d, _ := strconv.Atoi(declared); len(got) > d {
				t.Fatalf("returned %d bytes beyond the declared %s", len(got), declared)
			}
		}
		r := newReq("PUT", "/b/k", "")
		r.Header.Set("X-Amz-Decoded-Content-Length", "-1")
		a := Sign(r, testCreds, "us-east-1", "s3", mode, testNow)
		if _, err := a.Body(r); !errors.Is(err, ErrMalformedChunk) {
			t.Fatalf("negative declared length: %v", err)
		}
	}
}

func TestMalformedUnsigned(t *testing.T) {
	tests := map[string]string{
		"bad hex":           "zz\r\nhello\r\n0\r\n\r\n",
		"empty size":        "\r\nhello\r\n0\r\n\r\n",
		"size too long":     strings.Repeat("0", 17) + "1\r\nx\r\n0\r\n\r\n",
		"absurd size":       "ffffffffffffffff\r\nx",
		"line too long":     "1;" + strings.Repeat("x", 300) + "\r\nx\r\n0\r\n\r\n",
		"bare LF":           "b\nhello world\n0\n\n",
		"size too small":    "5\r\nhello world\r\n0\r\n\r\n",
		"no CRLF after":     "b\r\nhello worldXX0\r\n\r\n",
		"trailer no colon":  "b\r\nhello world\r\n0\r\nx-amz-checksum-crc32\r\n\r\n",
		"trailer no name":   "b\r\nhello world\r\n0\r\n:DUoRhQ==\r\n\r\n",
		"trailer too long":  "b\r\nhello world\r\n0\r\nx:" + strings.Repeat("A", 600) + "\r\n\r\n",
		"too many trailers": "b\r\nhello world\r\n0\r\n" + strings.Repeat("x-a:1\r\n", 17) + "\r\n",
		"data after end":    helloWire + "junk",
	}
	for name, body := range tests {
		t.Run(name, func(t *testing.T) {
			r := newReq("PUT", "/b/k", "")
			Sign(r, testCreds, "us-east-1", "s3", StreamingUnsignedPayloadTrailer, testNow)
			_, _, err := decode(t, r, []byte(body), nil)
			if !errors.Is(err, ErrMalformedChunk) {
				t.Fatalf("err = %v", err)
			}
		})
	}
	// Extensions are ignored on unsigned chunks.
	r := newReq("PUT", "/b/k", "")
	Sign(r, testCreds, "us-east-1", "s3", StreamingUnsignedPayloadTrailer, testNow)
	if got, _, err := decode(t, r, []byte("B;ext=1\r\nhello world\r\n0\r\n\r\n"), nil); err != nil || string(got) != "hello world" {
		t.Fatalf("extension: %q %v", got, err)
	}
}

// generatedStream yields a signed aws-chunked body of n chunks of size
// chunk without holding more than one frame in memory.
type generatedStream struct {
	s      *ChunkSigner
	data   []byte
	left   int
	frame  []byte
	off    int
	closed bool
}

func (g *generatedStream) Read(p []byte) (int, error) {
	for g.off == len(g.frame) {
		switch {
		case g.left > 0:
			g.frame = g.s.AppendChunk(g.frame[:0], g.data)
			g.left--
		case !g.closed:
			g.frame = g.s.AppendFinal(g.frame[:0], nil)
			g.closed = true
		default:
			return 0, io.EOF
		}
		g.off = 0
	}
	n := copy(p, g.frame[g.off:])
	g.off += n
	return n, nil
}

// A 64 MiB body in 1 MiB chunks streams through with small reads and
// bounded memory (the reader never buffers a chunk).
func TestLargeBodyStreamsBounded(t *testing.T) {
	const chunk, nchunks = 1 << 20, 64
	data := payloadOf(chunk)
	r := newReq("PUT", "/bucket/big.bin", "")
	r.Header.Set("X-Amz-Decoded-Content-Length", strconv.Itoa(chunk*nchunks))
	seed := Sign(r, testCreds, "us-east-1", "s3", StreamingPayload, testNow)
	a, err := Verify(r, testLookup, testNow)
	if err != nil {
		t.Fatal(err)
	}
	gen := &generatedStream{s: NewChunkSigner(seed), data: data, left: nchunks, frame: make([]byte, 0, chunk+200)}
	r.Body = io.NopCloser(gen)
	br, err := a.Body(r)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	buf := make([]byte, 3000)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	n, err := io.CopyBuffer(h, struct{ io.Reader }{br}, buf)
	runtime.ReadMemStats(&after)
	if err != nil || n != chunk*nchunks {
		t.Fatalf("copied %d: %v", n, err)
	}
	want := sha256.New()
	for range nchunks {
		want.Write(data)
	}
	if !bytes.Equal(h.Sum(nil), want.Sum(nil)) {
		t.Fatal("payload differs")
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
		t.Fatalf("allocated %d bytes streaming %d MiB", alloc, nchunks)
	}
}

func TestZeroLengthRead(t *testing.T) {
	r, body := streamingRequest(t, StreamingPayload, []byte("hello"), 0, nil)
	a, _ := Verify(r, testLookup, testNow)
	r.Body = io.NopCloser(bytes.NewReader(body))
	br, _ := a.Body(r)
	if n, err := br.Read(nil); n != 0 || err != nil {
		t.Fatalf("Read(nil) = %d, %v", n, err)
	}
	if got, err := io.ReadAll(br); err != nil || string(got) != "hello" {
		t.Fatalf("%q %v", got, err)
	}
	if n, err := br.Read(make([]byte, 10)); n != 0 || err != io.EOF {
		t.Fatalf("after EOF: %d %v", n, err)
	}
}

// TestMinChunkSize: with S3's minimum set, a small chunk that is not the
// last is refused, and a small last chunk is fine.
func TestMinChunkSize(t *testing.T) {
	payload := bytes.Repeat([]byte("z"), 3*MinChunkSize/2)
	for _, c := range []struct {
		chunk int
		ok    bool
	}{{MinChunkSize, true}, {1000, false}} {
		body := EncodeChunked(payload, c.chunk, nil)
		r := httptest.NewRequest(http.MethodPut, "/b/k", bytes.NewReader(body))
		r.Header.Set("X-Amz-Content-Sha256", StreamingUnsignedPayloadTrailer)
		r.Header.Set("X-Amz-Decoded-Content-Length", strconv.Itoa(len(payload)))
		a := &Auth{PayloadHash: StreamingUnsignedPayloadTrailer, MinChunkSize: MinChunkSize}
		br, err := a.Body(r)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(br)
		if c.ok && (err != nil || !bytes.Equal(got, payload)) {
			t.Errorf("chunk %d: %v", c.chunk, err)
		}
		if !c.ok && !errors.Is(err, ErrInvalidChunkSize) {
			t.Errorf("chunk %d: err %v, want ErrInvalidChunkSize", c.chunk, err)
		}
	}
}
