package manifest

import (
	"bytes"
	"io"
)

// Buffered returns a writer for a CreateFunc that collects an object's
// bytes and hands them to put when closed (for stores that take whole
// objects).
func Buffered(put func(body []byte) error) io.WriteCloser { return &buffered{put: put} }

type buffered struct {
	buf bytes.Buffer
	put func([]byte) error
}

func (b *buffered) Write(p []byte) (int, error) { return b.buf.Write(p) }
func (b *buffered) Close() error                { return b.put(b.buf.Bytes()) }
