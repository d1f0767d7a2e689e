package fs

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
)

// bufSize is the write buffer. Writes of at least bufSize bytes arriving
// with an empty buffer go straight to the file, so a caller already writing
// big chunks pays no copy.
const bufSize = 1 << 20

var bufPool = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, bufSize) }}

var (
	errCommitted = errors.New("blob/fs: writer already committed")
	errAborted   = errors.New("blob/fs: writer aborted")
)

type state uint8

const (
	writing state = iota
	committed
	aborted
)

// writer is the blob.Writer of a Store. Not safe for concurrent use.
type writer struct {
	s       *Store
	id      string
	f       *os.File
	tmp     string
	bw      *bufio.Writer
	state   state
	cleanup runtime.Cleanup
}

func (s *Store) newWriter(id string) (*writer, error) {
	f, err := os.CreateTemp(s.tmp, "blob-*")
	if err != nil {
		return nil, err
	}
	bw := bufPool.Get().(*bufio.Writer)
	w0 := &fileWriter{f: f, hint: !s.noSync}
	bw.Reset(w0)
	w := &writer{s: s, id: id, f: f, tmp: f.Name(), bw: bw}
	// A writer dropped without Commit or Abort would leave its temporary
	// file until the next Open; remove it when the writer is collected.
	w.cleanup = runtime.AddCleanup(w, func(tmp string) { os.Remove(tmp) }, w.tmp)
	return w, nil
}

func (w *writer) Write(p []byte) (int, error) {
	switch w.state {
	case committed:
		return 0, errCommitted
	case aborted:
		return 0, errAborted
	}
	return w.bw.Write(p)
}

// Commit flushes, fdatasyncs, renames into place and fsyncs the directory.
// On error the blob is discarded (as by Abort).
func (w *writer) Commit() error {
	switch w.state {
	case committed:
		return errCommitted
	case aborted:
		return errAborted
	}
	if err := w.commit(); err != nil {
		w.Abort()
		return fmt.Errorf("blob/fs: commit %q: %w", w.id, err)
	}
	w.state = committed
	w.release()
	return nil
}

func (w *writer) commit() error {
	if err := w.bw.Flush(); err != nil {
		return err
	}
	if !w.s.noSync {
		if err := fdatasync(w.f); err != nil {
			return err
		}
	}
	err := w.f.Close()
	w.f = nil
	if err != nil {
		return err
	}
	final := w.s.path(w.id)
	if err := os.Rename(w.tmp, final); err != nil {
		return err
	}
	w.tmp = "" // gone; the name may be reused by another writer
	if !w.s.noSync {
		if err := syncDir(filepath.Dir(final)); err != nil {
			// Not durable, so not committed: take it back. (The rename
			// consumed the temporary file, so Abort has nothing to do.)
			os.Remove(final)
			return err
		}
	}
	return nil
}

// Abort discards the blob. It does nothing after Commit or a first Abort.
func (w *writer) Abort() error {
	if w.state != writing {
		return nil
	}
	w.state = aborted
	var err error
	if w.f != nil {
		err = w.f.Close()
		w.f = nil
	}
	if w.tmp != "" {
		if rerr := os.Remove(w.tmp); rerr != nil && !errors.Is(rerr, os.ErrNotExist) && err == nil {
			err = rerr
		}
	}
	w.release()
	return err
}

func (w *writer) release() {
	w.cleanup.Stop()
	w.bw.Reset(nil) // drop any unflushed bytes and the file
	bufPool.Put(w.bw)
	w.bw = nil
}

// writebackChunk is how much written data accumulates before the kernel is
// asked to start writing it back (see startWriteback).
const writebackChunk = 8 << 20

// fileWriter writes to the temporary file, starting writeback every
// writebackChunk bytes so Commit's fdatasync has little left to do.
type fileWriter struct {
	f       *os.File
	hint    bool
	off, wb int64 // bytes written; bytes handed to writeback
}

func (fw *fileWriter) Write(p []byte) (int, error) {
	n, err := fw.f.Write(p)
	fw.off += int64(n)
	if fw.hint && fw.off-fw.wb >= writebackChunk {
		startWriteback(fw.f, fw.wb, fw.off-fw.wb)
		fw.wb = fw.off
	}
	return n, err
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
