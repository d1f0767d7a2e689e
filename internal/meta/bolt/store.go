// Package bolt implements meta.Store on a single bbolt file.
//
// Update transactions are group-committed: one writer goroutine takes the
// first queued Update, drains whatever else is queued at that moment (up to
// Options.MaxBatch), runs them all in one bbolt read-write transaction and
// commits once, so one fsync covers the whole batch. View runs in a bbolt
// read transaction concurrently with the writer.
//
// See layout.go for how the records are keyed.
package bolt

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"go.etcd.io/bbolt"
	bolterr "go.etcd.io/bbolt/errors"

	"github.com/ferrys3/ferry/internal/meta"
)

// Options tunes Open. The zero value is a durable production setting.
type Options struct {
	// NoSync skips fsync on commit. For tests only: a crash may lose
	// committed transactions or corrupt the file.
	NoSync bool
	// InitialMmapSize is the initial size of the read mmap in bytes
	// (default 1 GiB). While the file fits, long readers never stall the
	// writer's remap. It is address space, not memory.
	InitialMmapSize int
	// Timeout bounds the wait for the file lock held by another process
	// (default 10s).
	Timeout time.Duration
	// MaxBatch caps the Update calls committed together (default 256).
	MaxBatch int
}

// Store is a meta.Store backed by bbolt. It is safe for concurrent use.
type Store struct {
	db       *bbolt.DB
	reqs     chan *request
	closing  chan struct{}
	done     chan struct{}
	once     sync.Once
	closeErr error
	maxBatch int

	// commits and committed count transactions and the Updates in them
	// (for benchmarks and tests).
	commits, committed atomic.Uint64
}

var _ meta.Store = (*Store)(nil)

type request struct {
	ctx context.Context
	fn  func(meta.Tx) error
	res chan error
}

// Open opens (creating if needed) the store at path.
func Open(path string, opt Options) (*Store, error) {
	if opt.InitialMmapSize <= 0 {
		opt.InitialMmapSize = 1 << 30
	}
	if opt.Timeout <= 0 {
		opt.Timeout = 10 * time.Second
	}
	if opt.MaxBatch <= 0 {
		opt.MaxBatch = 256
	}
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{
		Timeout:         opt.Timeout,
		NoFreelistSync:  true,
		FreelistType:    bbolt.FreelistMapType,
		InitialMmapSize: opt.InitialMmapSize,
		NoSync:          opt.NoSync,
	})
	if err != nil {
		return nil, fmt.Errorf("meta/bolt: open %s: %w", path, err)
	}
	if err := db.Update(initLayout); err != nil {
		db.Close()
		return nil, fmt.Errorf("meta/bolt: init %s: %w", path, err)
	}
	s := &Store{
		db:       db,
		reqs:     make(chan *request),
		closing:  make(chan struct{}),
		done:     make(chan struct{}),
		maxBatch: opt.MaxBatch,
	}
	go s.writer()
	return s, nil
}

// Close waits for the batch in flight, then closes the file. Update and
// View calls made after Close return meta.ErrClosed. Close is idempotent.
func (s *Store) Close() error {
	s.once.Do(func() {
		close(s.closing)
		<-s.done
		s.closeErr = s.db.Close()
	})
	return s.closeErr
}

func (s *Store) closed() bool {
	select {
	case <-s.closing:
		return true
	default:
		return false
	}
}

// View runs fn in a read transaction.
func (s *Store) View(ctx context.Context, fn func(meta.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.closed() {
		return meta.ErrClosed
	}
	err := s.db.View(func(btx *bbolt.Tx) error { return fn(&tx{btx: btx}) })
	if errors.Is(err, bolterr.ErrDatabaseNotOpen) {
		return meta.ErrClosed
	}
	return err
}

// Update queues fn for the writer and waits until its batch is durable.
// ctx is honoured while waiting in the queue; once the writer has taken
// the request, Update waits for the outcome.
func (s *Store) Update(ctx context.Context, fn func(meta.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.closed() {
		return meta.ErrClosed
	}
	r := &request{ctx: ctx, fn: fn, res: make(chan error, 1)}
	select {
	case s.reqs <- r:
	case <-ctx.Done():
		return ctx.Err()
	case <-s.closing:
		return meta.ErrClosed
	}
	return <-r.res
}

func (s *Store) writer() {
	defer close(s.done)
	batch := make([]*request, 0, s.maxBatch)
	for {
		select {
		case r := <-s.reqs:
			batch = append(batch[:0], r)
		case <-s.closing:
			return
		}
	drain:
		for len(batch) < s.maxBatch {
			select {
			case r := <-s.reqs:
				batch = append(batch, r)
			default:
				break drain
			}
		}
		s.commit(batch)
		clear(batch)
	}
}

// commit runs the batch in one transaction. A fn that fails after writing
// forces a rollback; it gets its error and the rest are rerun in a fresh
// transaction. A fn that fails without writing leaves the transaction
// usable; its error is delivered once the others are committed (or the
// commit error if the commit fails, since what it read never became
// durable).
func (s *Store) commit(batch []*request) {
	pending := make([]*request, 0, len(batch))
	for _, r := range batch {
		if err := r.ctx.Err(); err != nil {
			r.res <- err
			continue
		}
		pending = append(pending, r)
	}
	results := make([]error, len(pending))
	for len(pending) > 0 {
		btx, err := s.db.Begin(true)
		if err != nil {
			for _, r := range pending {
				r.res <- fmt.Errorf("meta/bolt: begin: %w", err)
			}
			return
		}
		failed := -1
		for i, r := range pending {
			t := &tx{btx: btx}
			results[i] = runFn(t, r.fn)
			if results[i] != nil && t.dirty {
				failed = i
				break
			}
		}
		if failed >= 0 {
			_ = btx.Rollback()
			pending[failed].res <- results[failed]
			pending = append(pending[:failed], pending[failed+1:]...)
			results = results[:len(pending)]
			continue
		}
		if err := btx.Commit(); err != nil {
			err = fmt.Errorf("meta/bolt: commit: %w", err)
			for _, r := range pending {
				r.res <- err
			}
			return
		}
		s.commits.Add(1)
		s.committed.Add(uint64(len(pending)))
		for i, r := range pending {
			r.res <- results[i]
		}
		return
	}
}

// Stats are counters since Open.
type Stats struct {
	Commits      uint64        // group commits
	Updates      uint64        // Update calls they made durable
	PagesWritten uint64        // pages written by commits
	WriteTime    time.Duration // spent writing and syncing them
}

// Stats returns the store's counters.
func (s *Store) Stats() Stats {
	st := s.db.Stats()
	return Stats{Commits: s.commits.Load(), Updates: s.committed.Load(),
		PagesWritten: uint64(st.TxStats.GetWrite()), WriteTime: st.TxStats.GetWriteTime()}
}

// runFn runs fn, turning a panic into an error (the transaction is then
// treated as written to, so it is rolled back).
func runFn(t *tx, fn func(meta.Tx) error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			t.dirty = true
			err = fmt.Errorf("meta/bolt: panic in Update: %v\n%s", p, debug.Stack())
		}
	}()
	return fn(t)
}

// tx implements meta.Tx on a bbolt transaction. dirty records whether fn
// wrote anything, so a failing read-only fn needs no rollback.
type tx struct {
	btx   *bbolt.Tx
	dirty bool
}

var _ meta.Tx = (*tx)(nil)

func (t *tx) put(b *bbolt.Bucket, k, v []byte) error {
	t.dirty = true
	if err := b.Put(k, v); err != nil {
		return fmt.Errorf("meta/bolt: put: %w", err)
	}
	return nil
}

func (t *tx) del(b *bbolt.Bucket, k []byte) error {
	t.dirty = true
	if err := b.Delete(k); err != nil {
		return fmt.Errorf("meta/bolt: delete: %w", err)
	}
	return nil
}

// delPrefix deletes every key of b starting with prefix.
func (t *tx) delPrefix(b *bbolt.Bucket, prefix []byte) error {
	var keys [][]byte
	c := b.Cursor()
	for k, _ := c.Seek(prefix); k != nil && hasPrefix(k, prefix); k, _ = c.Next() {
		keys = append(keys, clone(k))
	}
	for _, k := range keys {
		if err := t.del(b, k); err != nil {
			return err
		}
	}
	return nil
}
