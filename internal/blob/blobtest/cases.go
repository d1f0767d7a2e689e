package blobtest

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"sync"
	"testing"
	"testing/iotest"

	"github.com/ferrys3/ferry/internal/blob"
)

func testRoundTrip(t *testing.T, open func(*testing.T, string) blob.Store) {
	s := open(t, t.TempDir())
	data := Data(1, 1000)
	Put(t, s, "obj1", data)
	if n, err := s.Size(ctx, "obj1"); err != nil || n != 1000 {
		t.Fatalf("Size = %d, %v; want 1000", n, err)
	}
	rc, err := s.Open(ctx, "obj1", 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	if err := iotest.TestReader(rc, data); err != nil {
		t.Error(err)
	}
	if err := rc.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	// Readers are independent of each other.
	r1, err1 := s.Open(ctx, "obj1", 0, -1)
	r2, err2 := s.Open(ctx, "obj1", 500, -1)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	defer r1.Close()
	defer r2.Close()
	a, b := make([]byte, 10), make([]byte, 10)
	io.ReadFull(r1, a)
	io.ReadFull(r2, b)
	io.ReadFull(r1, b)
	if !bytes.Equal(b, data[10:20]) {
		t.Errorf("interleaved readers interfere")
	}
}

func testRanges(t *testing.T, open func(*testing.T, string) blob.Store) {
	s := open(t, t.TempDir())
	data := Data(2, 1000)
	Put(t, s, "r", data)
	for _, tc := range []struct{ off, n, from, to int64 }{
		{0, -1, 0, 1000},
		{0, 1000, 0, 1000},
		{0, 10, 0, 10},
		{0, 1, 0, 1},
		{100, 200, 100, 300},
		{999, 1, 999, 1000},
		{500, -1, 500, 1000},
		{500, 0, 500, 500},
		{0, 0, 0, 0},
		{990, 100, 990, 1000}, // past the end: clamped
		{0, 1 << 40, 0, 1000},
		{1000, -1, 1000, 1000}, // offset == size: empty
		{1000, 0, 1000, 1000},
		{1000, 5, 1000, 1000},
	} {
		got := Get(t, s, "r", tc.off, tc.n)
		if !bytes.Equal(got, data[tc.from:tc.to]) {
			t.Errorf("Open(%d, %d): got %d bytes, want data[%d:%d]", tc.off, tc.n, len(got), tc.from, tc.to)
		}
	}
	for _, off := range []int64{1001, 1 << 40, -1} {
		rc, err := s.Open(ctx, "r", off, -1)
		if err == nil {
			rc.Close()
			t.Errorf("Open(offset %d) of a 1000-byte blob: no error", off)
		} else if errors.Is(err, blob.ErrNotFound) {
			t.Errorf("Open(offset %d) = ErrNotFound, want a range error", off)
		}
	}
}

func testEmpty(t *testing.T, open func(*testing.T, string) blob.Store) {
	s := open(t, t.TempDir())
	Put(t, s, "empty", nil)
	if n, err := s.Size(ctx, "empty"); err != nil || n != 0 {
		t.Fatalf("Size = %d, %v", n, err)
	}
	if b := Get(t, s, "empty", 0, -1); len(b) != 0 {
		t.Errorf("read %d bytes", len(b))
	}
	if b := Get(t, s, "empty", 0, 10); len(b) != 0 {
		t.Errorf("read %d bytes", len(b))
	}
	wantWalk(t, s, "empty")
}

func testNotFound(t *testing.T, open func(*testing.T, string) blob.Store) {
	s := open(t, t.TempDir())
	wantNotFound(t, s, "missing")
	if err := s.Delete(ctx, "missing"); err != nil {
		t.Errorf("Delete(missing) = %v", err)
	}
	wantWalk(t, s)
}

func testUncommitted(t *testing.T, open func(*testing.T, string) blob.Store) {
	s := open(t, t.TempDir())
	w, err := s.Create(ctx, "pending")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(Data(3, 3<<20)); err != nil {
		t.Fatal(err)
	}
	wantNotFound(t, s, "pending")
	wantWalk(t, s)
	if err := w.Abort(); err != nil {
		t.Fatalf("Abort: %v", err)
	}
	wantNotFound(t, s, "pending")
	wantWalk(t, s)

	// Aborting a writer for an id that exists leaves the old blob alone.
	Put(t, s, "kept", []byte("old"))
	w, err = s.Create(ctx, "kept")
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("new bytes"))
	if err := w.Abort(); err != nil {
		t.Fatal(err)
	}
	if got := Get(t, s, "kept", 0, -1); string(got) != "old" {
		t.Errorf("kept = %q after aborted rewrite", got)
	}
	wantWalk(t, s, "kept")
}

func testWriterStates(t *testing.T, open func(*testing.T, string) blob.Store) {
	s := open(t, t.TempDir())
	w, err := s.Create(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("x"))
	if err := w.Abort(); err != nil {
		t.Fatal(err)
	}
	if err := w.Abort(); err != nil {
		t.Errorf("second Abort = %v", err)
	}
	if err := w.Commit(); err == nil {
		t.Errorf("Commit after Abort succeeded")
	}
	wantNotFound(t, s, "a")

	w, err = s.Create(ctx, "b")
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("hello "))
	w.Write([]byte("world"))
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("more")); err == nil {
		t.Errorf("Write after Commit succeeded")
	}
	if err := w.Abort(); err != nil {
		t.Errorf("Abort after Commit = %v", err)
	}
	if got := Get(t, s, "b", 0, -1); string(got) != "hello world" {
		t.Errorf("b = %q", got)
	}
	wantWalk(t, s, "b")
}

func testDelete(t *testing.T, open func(*testing.T, string) blob.Store) {
	s := open(t, t.TempDir())
	Put(t, s, "d1", []byte("one"))
	Put(t, s, "d2", []byte("two"))
	for range 2 {
		if err := s.Delete(ctx, "d1"); err != nil {
			t.Fatalf("Delete: %v", err)
		}
	}
	wantNotFound(t, s, "d1")
	wantWalk(t, s, "d2")
	if got := Get(t, s, "d2", 0, -1); string(got) != "two" {
		t.Errorf("d2 = %q", got)
	}
	// A reader opened before Delete keeps working.
	rc, err := s.Open(ctx, "d2", 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if err := s.Delete(ctx, "d2"); err != nil {
		t.Fatal(err)
	}
	if b, err := io.ReadAll(rc); err != nil || string(b) != "two" {
		t.Errorf("read after Delete = %q, %v", b, err)
	}
	wantWalk(t, s)
}

func testWalk(t *testing.T, open func(*testing.T, string) blob.Store) {
	s := open(t, t.TempDir())
	var want []string
	for i := range 300 {
		id := fmt.Sprintf("blob-%03d_x.y~Z", i)
		Put(t, s, id, []byte(id))
		want = append(want, id)
	}
	long := string(bytes.Repeat([]byte("L"), 200))
	Put(t, s, long, []byte("long"))
	want = append(want, long)
	wantWalk(t, s, want...)

	stop := errors.New("stop")
	calls := 0
	err := s.Walk(ctx, func(string) error { calls++; return stop })
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("Walk with failing fn = %v after %d calls", err, calls)
	}
	// fn may delete the blob it is visiting.
	if err := s.Walk(ctx, func(id string) error { return s.Delete(ctx, id) }); err != nil {
		t.Fatal(err)
	}
	wantWalk(t, s)
}

func testBadIDs(t *testing.T, open func(*testing.T, string) blob.Store) {
	s := open(t, t.TempDir())
	for _, id := range []string{"", "a/b", "/abs", "../up"} {
		w, err := s.Create(ctx, id)
		if err == nil {
			w.Abort()
			t.Errorf("Create(%q) succeeded", id)
		}
	}
	wantWalk(t, s)
}

func testLarge(t *testing.T, open func(*testing.T, string) blob.Store) {
	s := open(t, t.TempDir())
	const size = 20<<20 + 13
	data := Data(4, size)
	w, err := s.Create(ctx, "large")
	if err != nil {
		t.Fatal(err)
	}
	// Odd-size writes, smaller and larger than any sensible buffer.
	chunks := []int{1, 7919, 1<<20 + 3, 4095, 3 << 20, 65537, 17}
	for off, i := 0, 0; off < size; i++ {
		n := min(chunks[i%len(chunks)], size-off)
		if m, err := w.Write(data[off : off+n]); err != nil || m != n {
			t.Fatalf("Write = %d, %v", m, err)
		}
		off += n
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	if n, err := s.Size(ctx, "large"); err != nil || n != size {
		t.Fatalf("Size = %d, %v", n, err)
	}
	rc, err := s.Open(ctx, "large", 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	n, err := io.Copy(h, rc)
	rc.Close()
	if err != nil || n != size {
		t.Fatalf("read %d, %v", n, err)
	}
	if sha256.Sum256(data) != [32]byte(h.Sum(nil)) {
		t.Fatalf("sha256 mismatch")
	}
	for _, r := range [][2]int64{{1<<20 - 5, 3<<20 + 11}, {size - 100, -1}, {12345, 1}} {
		got := Get(t, s, "large", r[0], r[1])
		end := int64(size)
		if r[1] >= 0 {
			end = r[0] + r[1]
		}
		if !bytes.Equal(got, data[r[0]:end]) {
			t.Errorf("range %v mismatch", r)
		}
	}
}

func testConcurrent(t *testing.T, open func(*testing.T, string) blob.Store) {
	s := open(t, t.TempDir())
	const workers, per = 16, 4
	var wg sync.WaitGroup
	errs := make(chan error, workers*per)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range per {
				id := fmt.Sprintf("c-%d-%d", w, i)
				data := Data(uint64(w*per+i), (w*per+i)*9973)
				bw, err := s.Create(ctx, id)
				if err != nil {
					errs <- err
					return
				}
				for off := 0; off < len(data); off += 4096 {
					if _, err := bw.Write(data[off:min(off+4096, len(data))]); err != nil {
						errs <- err
						return
					}
				}
				if i == per-1 { // the last one of each worker is aborted
					errs <- bw.Abort()
					continue
				}
				errs <- bw.Commit()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	var want []string
	var rg sync.WaitGroup
	for w := range workers {
		for i := range per - 1 {
			id := fmt.Sprintf("c-%d-%d", w, i)
			want = append(want, id)
			rg.Add(1)
			go func() {
				defer rg.Done()
				got, err := read(s, id, 0, -1)
				if err != nil {
					t.Error(err)
				} else if !bytes.Equal(got, Data(uint64(w*per+i), (w*per+i)*9973)) {
					t.Errorf("%s: content mismatch", id)
				}
			}()
		}
		wantNotFound(t, s, fmt.Sprintf("c-%d-%d", w, per-1))
	}
	rg.Wait()
	wantWalk(t, s, want...)
}

func testReopen(t *testing.T, open func(*testing.T, string) blob.Store) {
	dir := t.TempDir()
	s := open(t, dir)
	c, ok := s.(io.Closer)
	if !ok {
		t.Skip("store does not implement io.Closer")
	}
	data := map[string][]byte{"k1": Data(5, 100), "k2": Data(6, 1<<20+1), "k3": nil}
	var committed int64
	for id, b := range data {
		Put(t, s, id, b)
		committed += int64(len(b))
	}
	Put(t, s, "gone", []byte("deleted"))
	if err := s.Delete(ctx, "gone"); err != nil {
		t.Fatal(err)
	}
	// Leave a writer open with several MiB written (as after a crash).
	pending, err := s.Create(ctx, "pending")
	if err != nil {
		t.Fatal(err)
	}
	pending.Write(Data(7, 5<<20))
	aborted, err := s.Create(ctx, "aborted")
	if err != nil {
		t.Fatal(err)
	}
	aborted.Write(Data(8, 2<<20))
	aborted.Abort()
	if err := c.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	s2 := open(t, dir)
	wantWalk(t, s2, "k1", "k2", "k3")
	for id, b := range data {
		if got := Get(t, s2, id, 0, -1); !bytes.Equal(got, b) {
			t.Errorf("%s: content mismatch after reopen", id)
		}
	}
	wantNotFound(t, s2, "pending")
	wantNotFound(t, s2, "aborted")
	wantNotFound(t, s2, "gone")

	var onDisk int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				onDisk += fi.Size()
			}
		}
		return nil
	})
	if onDisk > committed+64<<10 {
		t.Errorf("%d bytes on disk after reopen, committed blobs hold %d: temporary files left over", onDisk, committed)
	}
	pending.Abort() // a stale writer must not disturb the new store
	wantWalk(t, s2, "k1", "k2", "k3")
}
