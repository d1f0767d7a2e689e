package manifest

import (
	"bufio"
	"crypto/md5"
	"encoding/hex"
	"hash"
	"io"
)

// CreateFunc opens a new object for writing under key. The writer calls
// Close on it once the object is complete; an error from Close fails the
// write.
type CreateFunc func(key string) (io.WriteCloser, error)

// tee passes bytes to the object while counting them and taking their MD5.
type tee struct {
	sink io.Writer
	md5  hash.Hash
	n    int64
}

func (t *tee) Write(p []byte) (int, error) {
	n, err := t.sink.Write(p)
	t.md5.Write(p[:n])
	t.n += int64(n)
	return n, err
}

// output is one object being written, through a buffer.
type output struct {
	key    string
	closer io.Closer
	tee    tee
	buf    *bufio.Writer
	rows   int
}

// open starts the object key. buf is reused between objects.
func open(create CreateFunc, key string, buf *bufio.Writer) (*output, error) {
	w, err := create(key)
	if err != nil {
		return nil, err
	}
	o := &output{key: key, closer: w, tee: tee{sink: w, md5: md5.New()}, buf: buf}
	buf.Reset(&o.tee)
	return o, nil
}

// finish flushes and closes the object and returns its size and MD5 (hex).
func (o *output) finish() (size int64, md5hex string, err error) {
	err = o.buf.Flush()
	if cerr := o.closer.Close(); err == nil {
		err = cerr
	}
	return o.tee.n, hex.EncodeToString(o.tee.md5.Sum(nil)), err
}

// abandon closes the object after a failure, ignoring further errors.
func (o *output) abandon() { _ = o.closer.Close() }

// newBuffer is the buffer between the encoder and an object.
func newBuffer() *bufio.Writer { return bufio.NewWriterSize(io.Discard, 64<<10) }
