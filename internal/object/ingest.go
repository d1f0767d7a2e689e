package object

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"hash"
	"io"

	"github.com/ferrys3/ferry/internal/checksum"
	"github.com/ferrys3/ferry/internal/meta"
	"github.com/ferrys3/ferry/internal/s3err"
)

// ChecksumSpec says which flexible checksum a body carries and where the
// expected value comes from.
type ChecksumSpec struct {
	Algorithm string // CRC32, CRC32C, CRC64NVME, SHA1, SHA256; "" for none
	Value     string // expected base64 value from a header; "" when sent as a trailer
	// Trailer returns the trailer value once the body has been read.
	Trailer func() string
}

// ingested is a body that has been received, hashed and stored.
type ingested struct {
	seg       meta.Segment
	inline    []byte // data to store inline in the commit transaction
	size      int64
	md5       []byte
	checksums map[string]string
	rawSum    []byte // the flexible checksum as bytes, for composite checksums
}

func (d *ingested) etag() string { return hex.EncodeToString(d.md5) }

// ingest reads body (size bytes when size >= 0) into a new blob or inline
// buffer, verifying Content-MD5 and the flexible checksum. On error nothing
// remains stored.
func (s *Service) ingest(ctx context.Context, region string, body io.Reader, size int64, contentMD5 string, ck ChecksumSpec) (*ingested, error) {
	var wantMD5 []byte
	if contentMD5 != "" {
		b, err := base64.StdEncoding.DecodeString(contentMD5)
		if err != nil || len(b) != md5.Size {
			return nil, s3err.ErrInvalidDigest
		}
		wantMD5 = b
	}
	if size > MaxPutSize {
		return nil, s3err.ErrEntityTooLarge.WithExtra("ProposedSize", itoa(size)).WithExtra("MaxSizeAllowed", itoa(MaxPutSize))
	}
	if size < 0 {
		return nil, s3err.ErrMissingContentLength
	}
	var ckHash hash.Hash
	if ck.Algorithm != "" {
		h, err := checksum.New(ck.Algorithm)
		if err != nil {
			return nil, s3err.ErrInvalidRequest.With("Value for x-amz-checksum-algorithm header is invalid.")
		}
		ckHash = h
	}
	md := md5.New()
	hashes := io.Writer(md)
	if ckHash != nil {
		hashes = io.MultiWriter(md, ckHash)
	}
	d := &ingested{}
	src := io.LimitReader(body, size)
	if size <= s.inlineMax {
		buf := make([]byte, size)
		if _, err := io.ReadFull(src, buf); err != nil {
			return nil, bodyErr(err)
		}
		if err := expectEOF(body); err != nil {
			return nil, err
		}
		hashes.Write(buf)
		d.inline = buf
		d.seg = meta.Segment{BlobID: s.newInlineID(), Size: size, Inline: true}
	} else {
		id := s.newBlobID(region)
		w, err := s.blobs.Create(ctx, id)
		if err != nil {
			return nil, internal(err)
		}
		var n int64
		if size >= pipeMin {
			n, err = s.bufs.pipeCopy(w, hashes, src, size)
		} else {
			n, err = io.Copy(io.MultiWriter(w, hashes), src)
		}
		if err == nil && n != size {
			err = s3err.ErrIncompleteBody
		}
		if err == nil {
			err = expectEOF(body)
		}
		if err != nil {
			_ = w.Abort()
			return nil, bodyErr(err)
		}
		if err := w.Commit(); err != nil {
			return nil, internal(err)
		}
		d.seg = meta.Segment{BlobID: id, Size: size}
	}
	d.size = size
	d.md5 = md.Sum(nil)
	if err := d.verify(wantMD5, ck, ckHash); err != nil {
		s.discard(ctx, d)
		return nil, err
	}
	return d, nil
}

func (d *ingested) verify(wantMD5 []byte, ck ChecksumSpec, h hash.Hash) error {
	if wantMD5 != nil && !bytes.Equal(wantMD5, d.md5) {
		return s3err.ErrBadDigest
	}
	if h == nil {
		return nil
	}
	d.rawSum = h.Sum(nil)
	got := base64.StdEncoding.EncodeToString(d.rawSum)
	want := ck.Value
	if want == "" && ck.Trailer != nil {
		want = ck.Trailer()
		if want == "" {
			return s3err.ErrMalformedTrailer.With("The request announced a " + ck.Algorithm + " trailer in x-amz-trailer but did not send it.")
		}
		if _, err := checksum.DecodeSum(ck.Algorithm, want); err != nil {
			return s3err.ErrInvalidRequest.With("Value for " + checksum.HeaderName(ck.Algorithm) + " trailing header is invalid.")
		}
	}
	if want != "" && want != got {
		return s3err.ErrBadDigest.With("The " + ck.Algorithm + " you specified did not match the calculated checksum.")
	}
	d.checksums = map[string]string{ck.Algorithm: got}
	return nil
}

// discard removes an ingested body that will not be committed.
func (s *Service) discard(ctx context.Context, d *ingested) {
	if d != nil && !d.seg.Inline {
		s.deleteBlobs(ctx, []string{d.seg.BlobID})
	}
}

// expectEOF fails when the body carries more bytes than declared, and
// surfaces errors the body reader reports only at its end (signature or
// trailer checks).
func expectEOF(body io.Reader) error {
	var one [1]byte
	for {
		n, err := body.Read(one[:])
		if n > 0 {
			return s3err.ErrIncompleteBody.With("The request body is longer than the declared length.")
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return bodyErr(err)
		}
	}
}

func bodyErr(err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return s3err.ErrIncompleteBody
	}
	return internal(err)
}
