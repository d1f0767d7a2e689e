package object

import (
	"io"
	"sync"
	"sync/atomic"
)

// Large bodies are copied through a small pipeline so that reading the
// request, hashing (MD5 and any checksum) and writing the blob overlap on
// different cores instead of taking turns in one goroutine.
const (
	pipeBufSize = 512 << 10
	pipeDepth   = 4
	// pipeMin is the smallest body worth a pipeline.
	pipeMin = 2 << 20
)

type pipeBuf struct {
	b    []byte
	n    int
	refs atomic.Int32
}

// bufPool recycles pipeline buffers across requests.
type bufPool struct{ p sync.Pool }

func newBufPool() *bufPool {
	return &bufPool{p: sync.Pool{New: func() any { return &pipeBuf{b: make([]byte, pipeBufSize)} }}}
}

// pipeCopy copies exactly size bytes (or until src ends) from src to both
// w and h, returning the bytes read and the first error of any stage.
func (bp *bufPool) pipeCopy(w, h io.Writer, src io.Reader, size int64) (int64, error) {
	free := make(chan *pipeBuf, pipeDepth)
	for range pipeDepth {
		free <- bp.p.Get().(*pipeBuf)
	}
	release := func(b *pipeBuf) {
		if b.refs.Add(-1) == 0 {
			free <- b
		}
	}
	toHash, toWrite := make(chan *pipeBuf, pipeDepth), make(chan *pipeBuf, pipeDepth)
	var wg sync.WaitGroup
	var writeErr error
	wg.Add(2)
	go func() { // writer: after an error, keeps draining so buffers return
		defer wg.Done()
		for b := range toWrite {
			if writeErr == nil {
				_, writeErr = w.Write(b.b[:b.n])
			}
			release(b)
		}
	}()
	go func() {
		defer wg.Done()
		for b := range toHash {
			h.Write(b.b[:b.n])
			release(b)
		}
	}()
	var total int64
	var readErr error
	for total < size {
		b := <-free
		want := int64(len(b.b))
		if left := size - total; left < want {
			want = left
		}
		n, err := io.ReadFull(src, b.b[:want])
		if n > 0 {
			b.n = n
			b.refs.Store(2)
			total += int64(n)
			toHash <- b
			toWrite <- b
		} else {
			free <- b
		}
		if err != nil {
			readErr = err
			break
		}
	}
	close(toHash)
	close(toWrite)
	wg.Wait()
	for range pipeDepth {
		bp.p.Put(<-free)
	}
	if readErr == io.ErrUnexpectedEOF || readErr == io.EOF {
		readErr = nil // a short body is reported by the caller's length check
	}
	if readErr != nil {
		return total, readErr
	}
	return total, writeErr
}
