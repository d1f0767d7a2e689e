package object

import (
	"context"
	"errors"
	"io"

	"github.com/ferrys3/ferry/internal/meta"
)

// segmentReader streams [start, start+length) of an object made of
// segments, opening each blob only when it is reached.
type segmentReader struct {
	ctx    context.Context
	s      *Service
	segs   []meta.Segment
	inline map[string][]byte
	skip   int64 // bytes still to skip before the selection starts
	left   int64 // bytes still to serve
	cur    io.ReadCloser
}

func (s *Service) newSegmentReader(ctx context.Context, segs []meta.Segment, inline map[string][]byte, start, length int64) io.ReadCloser {
	return &segmentReader{ctx: ctx, s: s, segs: segs, inline: inline, skip: start, left: length}
}

func (r *segmentReader) Read(p []byte) (int, error) {
	for {
		if r.left <= 0 {
			return 0, io.EOF
		}
		if r.cur == nil {
			if err := r.next(); err != nil {
				return 0, err
			}
			continue
		}
		if int64(len(p)) > r.left {
			p = p[:r.left]
		}
		n, err := r.cur.Read(p)
		r.left -= int64(n)
		if err == io.EOF {
			r.cur.Close()
			r.cur = nil
			if n > 0 {
				return n, nil
			}
			continue
		}
		return n, err
	}
}

// WriteTo lets io.Copy hand each blob reader to the destination directly
// (so a file-backed blob can be sent with sendfile).
func (r *segmentReader) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for r.left > 0 {
		if r.cur == nil {
			if err := r.next(); err != nil {
				return total, err
			}
			continue
		}
		if sr, ok := r.cur.(*sliceReader); ok {
			// Inline data: one write, no copy buffer.
			n, err := w.Write(sr.b)
			total += int64(n)
			r.left -= int64(n)
			r.cur = nil
			if err != nil {
				return total, err
			}
			continue
		}
		// Segment readers are opened bounded to what is left, so copy them
		// unwrapped: a file-backed blob keeps its zero-copy path.
		n, err := io.Copy(w, r.cur)
		total += n
		r.left -= n
		r.cur.Close()
		r.cur = nil
		if err != nil {
			return total, err
		}
		if n == 0 && r.left > 0 {
			return total, io.ErrUnexpectedEOF
		}
	}
	return total, nil
}

// next opens the segment holding the next byte to serve.
func (r *segmentReader) next() error {
	for len(r.segs) > 0 {
		sg := r.segs[0]
		r.segs = r.segs[1:]
		if r.skip >= sg.Size {
			r.skip -= sg.Size
			continue
		}
		off := r.skip
		r.skip = 0
		n := min(sg.Size-off, r.left)
		if sg.Inline {
			data := r.inline[sg.BlobID]
			r.cur = &sliceReader{b: data[off : off+n]}
			return nil
		}
		rc, err := r.s.blobs.Open(r.ctx, sg.BlobID, off, n)
		if err != nil {
			return err
		}
		r.cur = rc
		return nil
	}
	return errors.New("object: segments shorter than the object")
}

func (r *segmentReader) Close() error {
	if r.cur != nil {
		return r.cur.Close()
	}
	return nil
}

type sliceReader struct{ b []byte }

func (s *sliceReader) Close() error { return nil }

func (s *sliceReader) Read(p []byte) (int, error) {
	if len(s.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, s.b)
	s.b = s.b[n:]
	return n, nil
}
