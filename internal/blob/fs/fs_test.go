package fs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/ferrys3/ferry/internal/blob"
	"github.com/ferrys3/ferry/internal/blob/blobtest"
)

var ctx = context.Background()

func openStore(t testing.TB, dir string, opt Options) *Store {
	t.Helper()
	s, err := Open(dir, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	blobtest.Run(t, func(t *testing.T, dir string) blob.Store {
		return openStore(t, dir, Options{NoSync: true})
	})
}

func TestConformanceSync(t *testing.T) {
	if testing.Short() {
		t.Skip("fsyncs")
	}
	blobtest.Run(t, func(t *testing.T, dir string) blob.Store {
		return openStore(t, dir, Options{})
	})
}

func TestLayout(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir, Options{})
	blobtest.Put(t, s, "abc", []byte("hello"))
	p := s.path("abc")
	rel, _ := filepath.Rel(dir, p)
	if dir, file := filepath.Split(rel); len(filepath.Base(dir)) != 2 || file != "abc" ||
		filepath.Dir(filepath.Dir(rel)) != "blobs" {
		t.Errorf("blob at %s", rel)
	}
	if b, err := os.ReadFile(p); err != nil || string(b) != "hello" {
		t.Errorf("file = %q, %v", b, err)
	}
	// Shards spread.
	seen := map[string]bool{}
	for i := range 1000 {
		seen[filepath.Dir(s.path(strconv.Itoa(i)))] = true
	}
	if len(seen) < 200 {
		t.Errorf("1000 ids in %d shards", len(seen))
	}
}

func TestTmpCleanedAndNothingVisibleBeforeCommit(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir, Options{NoSync: true})
	w, err := s.Create(ctx, "x")
	if err != nil {
		t.Fatal(err)
	}
	w.Write(bytes.Repeat([]byte("a"), 3<<20))
	if _, err := os.Stat(s.path("x")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("final name exists before Commit: %v", err)
	}
	if ents, _ := os.ReadDir(filepath.Join(dir, "tmp")); len(ents) != 1 {
		t.Fatalf("tmp holds %d files, want 1", len(ents))
	}
	os.WriteFile(filepath.Join(dir, "tmp", "junk"), []byte("junk"), 0o644)
	os.MkdirAll(filepath.Join(dir, "tmp", "sub", "dir"), 0o755)
	s.Close()

	s2 := openStore(t, dir, Options{NoSync: true})
	if ents, _ := os.ReadDir(filepath.Join(dir, "tmp")); len(ents) != 0 {
		t.Fatalf("tmp holds %d entries after Open", len(ents))
	}
	// The stale writer can no longer commit: its temporary file is gone.
	if err := w.Commit(); err == nil {
		t.Errorf("stale writer committed")
	}
	if _, err := s2.Size(ctx, "x"); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("Size = %v", err)
	}
}

func TestLock(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir, Options{NoSync: true})
	if s2, err := Open(dir, Options{NoSync: true}); err == nil {
		s2.Close()
		t.Fatal("second Open of a locked dir succeeded")
	}
	s.Close()
	s.Close()
	openStore(t, dir, Options{NoSync: true})
}

func TestRangeError(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{NoSync: true})
	blobtest.Put(t, s, "r", []byte("0123456789"))
	if _, err := s.Open(ctx, "r", 11, -1); !errors.Is(err, ErrRange) {
		t.Errorf("err = %v, want ErrRange", err)
	}
	for _, id := range []string{"", ".", "..", "a/b", "a\\b", "a\x00b"} {
		if _, err := s.Open(ctx, id, 0, -1); err == nil || errors.Is(err, blob.ErrNotFound) {
			t.Errorf("Open(%q) = %v", id, err)
		}
	}
}

func TestWriterTo(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{NoSync: true})
	data := blobtest.Data(1, 1<<20+7)
	blobtest.Put(t, s, "w", data)
	rc, err := s.Open(ctx, "w", 100, 500000)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if _, ok := rc.(io.WriterTo); !ok {
		t.Fatal("reader is not an io.WriterTo")
	}
	if r := rc.(*Reader).Remaining(); r != 500000 {
		t.Errorf("Remaining = %d", r)
	}
	// To an *os.File (copy_file_range) ...
	out, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	if n, err := io.Copy(out, rc); err != nil || n != 500000 {
		t.Fatalf("io.Copy = %d, %v", n, err)
	}
	if b, _ := os.ReadFile(out.Name()); !bytes.Equal(b, data[100:500100]) {
		t.Errorf("copied bytes differ")
	}
	if n, err := io.Copy(io.Discard, rc); n != 0 || err != nil {
		t.Errorf("second copy = %d, %v", n, err)
	}
}

// TestHTTP serves ranges over a real TCP connection, the sendfile path.
func TestHTTP(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{NoSync: true})
	data := blobtest.Data(2, 5<<20+3)
	blobtest.Put(t, s, "h", data)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		off, _ := strconv.ParseInt(r.URL.Query().Get("off"), 10, 64)
		n, _ := strconv.ParseInt(r.URL.Query().Get("n"), 10, 64)
		rc, err := s.Open(r.Context(), "h", off, n)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		defer rc.Close()
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Length", strconv.FormatInt(rc.(*Reader).Remaining(), 10))
		io.Copy(w, rc)
	}))
	defer srv.Close()
	for _, r := range [][2]int64{{0, -1}, {1, 300}, {4 << 20, -1}, {12345, 3 << 20}} {
		resp, err := http.Get(fmt.Sprintf("%s/?off=%d&n=%d", srv.URL, r[0], r[1]))
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		end := int64(len(data))
		if r[1] >= 0 {
			end = r[0] + r[1]
		}
		if err != nil || !bytes.Equal(got, data[r[0]:end]) {
			t.Errorf("range %v: %d bytes, %v", r, len(got), err)
		}
	}
}

// BenchmarkWrite64MiB: one 64 MiB blob in 1 MiB writes, then a durable Commit.
func BenchmarkWrite64MiB(b *testing.B) {
	benchWrite(b, 64<<20, 1<<20)
}

// BenchmarkWrite64MiB32K: the same, arriving in 32 KiB writes (io.Copy from
// a request body).
func BenchmarkWrite64MiB32K(b *testing.B) {
	benchWrite(b, 64<<20, 32<<10)
}

// BenchmarkSmallCommit: a 4 KiB blob, create+write+durable commit.
func BenchmarkSmallCommit(b *testing.B) {
	benchWrite(b, 4<<10, 4<<10)
}

func benchWrite(b *testing.B, size, chunk int) {
	dir := os.Getenv("BLOB_BENCH_DIR") // default: a temporary directory
	if dir == "" {
		dir = b.TempDir()
	} else {
		dir, _ = os.MkdirTemp(dir, "bench")
		defer os.RemoveAll(dir)
	}
	s := openStore(b, dir, Options{})
	buf := blobtest.Data(9, chunk)
	b.SetBytes(int64(size))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		id := "bench-" + strconv.Itoa(i)
		w, err := s.Create(ctx, id)
		if err != nil {
			b.Fatal(err)
		}
		for n := 0; n < size; n += chunk {
			if _, err := w.Write(buf); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Commit(); err != nil {
			b.Fatal(err)
		}
		if size > 1<<20 { // keep the disk from filling; not timed
			b.StopTimer()
			s.Delete(ctx, id)
			b.StartTimer()
		}
	}
}
