// Package fs is a blob.Store on the local filesystem.
//
// Layout under the store directory:
//
//	LOCK              flock(2)ed while a Store has the directory open
//	blobs/<xx>/<id>   committed blobs; xx = 2 hex digits of FNV-1a(id)
//	tmp/<random>      blobs being written; emptied by Open
//
// A blob is written to tmp/, then Commit flushes it, fdatasyncs it, renames
// it to blobs/xx/id and fsyncs blobs/xx, so a name under blobs/ always
// refers to complete, durable data. The 256 shard directories are created
// (and blobs/ fsynced) once, by Open.
//
// Deletes are not fsynced: after a crash a deleted blob may reappear, and
// the caller's orphan collection (Walk) removes it again.
package fs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/ferrys3/ferry/internal/blob"
)

// ErrRange is returned (wrapped) by Store.Open for an offset before the
// start or beyond the end of the blob. (A candidate for package blob.)
var ErrRange = errors.New("blob: offset out of range")

// Options configure a Store.
type Options struct {
	// NoSync skips fdatasync/fsync: commits are atomic but not durable
	// across a power failure. For tests.
	NoSync bool
}

// Store is a filesystem blob.Store. It is safe for concurrent use.
type Store struct {
	dir, blobs, tmp string
	noSync          bool
	lock            *os.File
}

var _ blob.Store = (*Store)(nil)

const shards = 256

// Open opens (creating if needed) the store in dir, removing every leftover
// temporary file. Only one Store may have dir open at a time.
func Open(dir string, opt Options) (*Store, error) {
	s := &Store{
		dir:    dir,
		blobs:  filepath.Join(dir, "blobs"),
		tmp:    filepath.Join(dir, "tmp"),
		noSync: opt.NoSync,
	}
	for _, d := range []string{dir, s.blobs, s.tmp} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	lock, err := lockDir(filepath.Join(dir, "LOCK"))
	if err != nil {
		return nil, err
	}
	s.lock = lock
	if err := s.init(); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) init() error {
	ents, err := os.ReadDir(s.tmp)
	if err != nil {
		return err
	}
	for _, e := range ents {
		if err := os.RemoveAll(filepath.Join(s.tmp, e.Name())); err != nil {
			return fmt.Errorf("blob/fs: removing leftover: %w", err)
		}
	}
	for i := range shards {
		if err := os.Mkdir(filepath.Join(s.blobs, shardName(byte(i))), 0o755); err != nil && !errors.Is(err, os.ErrExist) {
			return err
		}
	}
	if s.noSync {
		return nil
	}
	// Make the directories themselves durable: shards in blobs/, blobs/
	// and tmp/ in dir. Cheap when nothing changed.
	for _, d := range []string{s.blobs, s.dir} {
		if err := syncDir(d); err != nil {
			return err
		}
	}
	return nil
}

// Close releases the directory lock. Writers and readers still open keep
// working on their files, but a writer's Commit after a new Store has
// opened the directory fails (its temporary file is gone).
func (s *Store) Close() error {
	if s.lock == nil {
		return nil
	}
	err := unlockDir(s.lock)
	s.lock = nil
	return err
}

// Dir returns the store directory.
func (s *Store) Dir() string { return s.dir }

func shardName(b byte) string {
	const hex = "0123456789abcdef"
	return string([]byte{hex[b>>4], hex[b&15]})
}

// path returns the final path of a blob.
func (s *Store) path(id string) string {
	h := uint32(2166136261) // FNV-1a
	for i := 0; i < len(id); i++ {
		h ^= uint32(id[i])
		h *= 16777619
	}
	return filepath.Join(s.blobs, shardName(byte(h^h>>8^h>>16^h>>24)), id)
}

// validID reports whether id can be used as a file name on every platform
// we care about.
func validID(id string) bool {
	return id != "" && len(id) <= 255 && id != "." && id != ".." &&
		!strings.ContainsAny(id, "/\\\x00")
}

func checkID(id string) error {
	if !validID(id) {
		return fmt.Errorf("blob/fs: invalid blob id %q", id)
	}
	return nil
}

// Create starts writing blob id.
func (s *Store) Create(ctx context.Context, id string) (blob.Writer, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := checkID(id); err != nil {
		return nil, err
	}
	return s.newWriter(id)
}

// Open returns a reader of length bytes of blob id from offset (length < 0
// or past the end: to the end). offset == size gives an empty reader;
// offset < 0 or > size an error wrapping ErrRange.
//
// The reader implements io.WriterTo by handing an *io.LimitedReader over
// the *os.File to the destination, so io.Copy to a net/http ResponseWriter
// (or a *net.TCPConn, or an *os.File) uses sendfile/copy_file_range.
func (s *Store) Open(ctx context.Context, id string, offset, length int64) (io.ReadCloser, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := checkID(id); err != nil {
		return nil, err
	}
	f, err := os.Open(s.path(id))
	if err != nil {
		return nil, notFound(err, id)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	size := fi.Size()
	if offset < 0 || offset > size {
		f.Close()
		return nil, fmt.Errorf("%w: offset %d, blob %q has %d bytes", ErrRange, offset, id, size)
	}
	n := size - offset
	if length >= 0 && length < n {
		n = length
	}
	if offset > 0 && n > 0 {
		if _, err := f.Seek(offset, io.SeekStart); err != nil {
			f.Close()
			return nil, err
		}
	}
	return &Reader{f: f, lr: io.LimitedReader{R: f, N: n}}, nil
}

// Size returns the size of blob id.
func (s *Store) Size(ctx context.Context, id string) (int64, error) {
	if err := checkID(id); err != nil {
		return 0, err
	}
	fi, err := os.Stat(s.path(id))
	if err != nil {
		return 0, notFound(err, id)
	}
	return fi.Size(), nil
}

// Delete removes blob id; a missing blob is not an error.
func (s *Store) Delete(ctx context.Context, id string) error {
	if err := checkID(id); err != nil {
		return err
	}
	if err := os.Remove(s.path(id)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// Walk calls fn for every committed blob, in no particular order, stopping
// at the first error. fn may delete the blob it is given.
func (s *Store) Walk(ctx context.Context, fn func(id string) error) error {
	for i := range shards {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := s.walkShard(filepath.Join(s.blobs, shardName(byte(i))), fn); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) walkShard(dir string, fn func(id string) error) error {
	d, err := os.Open(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer d.Close()
	for {
		names, err := d.Readdirnames(1024)
		for _, name := range names {
			if validID(name) {
				if err := fn(name); err != nil {
					return err
				}
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func notFound(err error, id string) error {
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%w: %q", blob.ErrNotFound, id)
	}
	return err
}

// Reader is returned by Store.Open.
type Reader struct {
	f  *os.File
	lr io.LimitedReader
}

// Read reads from the blob range.
func (r *Reader) Read(p []byte) (int, error) { return r.lr.Read(p) }

// WriteTo copies the rest of the range to w. The *io.LimitedReader wrapping
// an *os.File is what net.TCPConn.ReadFrom (reached through
// http.ResponseWriter's ReadFrom) and os.File.ReadFrom recognise for
// zero-copy transfer.
func (r *Reader) WriteTo(w io.Writer) (int64, error) { return io.Copy(w, &r.lr) }

// Remaining returns the number of bytes left to read.
func (r *Reader) Remaining() int64 { return r.lr.N }

// Close closes the file.
func (r *Reader) Close() error { return r.f.Close() }

// Link gives blob srcID the second ID dstID with a hard link, durably.
func (s *Store) Link(ctx context.Context, srcID, dstID string) error {
	return s.LinkFrom(ctx, s, srcID, dstID)
}

// LinkFrom hard-links blob srcID of store from (a *Store on the same file
// system) into s as dstID. It returns blob.ErrNotLinkable when that is
// impossible, and blob.ErrNotFound when srcID does not exist.
func (s *Store) LinkFrom(ctx context.Context, from blob.Store, srcID, dstID string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkID(srcID); err != nil {
		return err
	}
	if err := checkID(dstID); err != nil {
		return err
	}
	src, ok := from.(*Store)
	if !ok {
		return blob.ErrNotLinkable
	}
	final := s.path(dstID)
	if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
		return err
	}
	err := os.Link(src.path(srcID), final)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return notFound(err, srcID)
	case errors.Is(err, syscall.EXDEV) || errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.EMLINK):
		return blob.ErrNotLinkable
	case err != nil:
		return err
	}
	if s.noSync {
		return nil
	}
	return syncDir(filepath.Dir(final))
}
