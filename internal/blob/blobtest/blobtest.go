// Package blobtest is the conformance suite for blob.Store implementations.
//
// Beyond blob.go, the suite pins down these behaviours:
//   - Open(id, off, n): off == size gives an empty reader; off > size or
//     off < 0 is an error other than blob.ErrNotFound; off+n past the end
//     (or n < 0) reads to the end; n == 0 gives an empty reader.
//   - A blob is invisible (Open/Size → blob.ErrNotFound, absent from Walk)
//     until Commit returns nil; Abort is idempotent and a no-op after
//     Commit; Commit after Abort and Write after Commit fail.
//   - Create rejects IDs that are empty or contain '/'.
//   - Walk stops at, and returns, the first error from fn.
//   - If the store implements io.Closer, closing it and opening a new store
//     on the same directory shows exactly the committed blobs and leaves no
//     bytes of uncommitted blobs on disk.
package blobtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/ferrys3/ferry/internal/blob"
)

// Run runs the suite. open is called with a fresh directory per subtest
// (and again with the same directory to test reopening); it should register
// any cleanup with t.Cleanup.
func Run(t *testing.T, open func(t *testing.T, dir string) blob.Store) {
	tests := []struct {
		name string
		fn   func(*testing.T, func(*testing.T, string) blob.Store)
	}{
		{"RoundTrip", testRoundTrip},
		{"Ranges", testRanges},
		{"Empty", testEmpty},
		{"NotFound", testNotFound},
		{"Uncommitted", testUncommitted},
		{"WriterStates", testWriterStates},
		{"Delete", testDelete},
		{"Walk", testWalk},
		{"BadIDs", testBadIDs},
		{"Large", testLarge},
		{"Concurrent", testConcurrent},
		{"Reopen", testReopen},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open) })
	}
}

var ctx = context.Background()

// Data returns n deterministic pseudo-random bytes.
func Data(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := 0; i < n; i += 8 {
		v := r.Uint64()
		for j := 0; j < 8 && i+j < n; j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	return b
}

// Put writes data under id and commits it.
func Put(t testing.TB, s blob.Store, id string, data []byte) {
	t.Helper()
	w, err := s.Create(ctx, id)
	if err != nil {
		t.Fatalf("Create(%q): %v", id, err)
	}
	if n, err := w.Write(data); err != nil || n != len(data) {
		w.Abort()
		t.Fatalf("Write(%q) = %d, %v; want %d", id, n, err, len(data))
	}
	if err := w.Commit(); err != nil {
		t.Fatalf("Commit(%q): %v", id, err)
	}
}

// Get reads length bytes of id from offset.
func Get(t testing.TB, s blob.Store, id string, offset, length int64) []byte {
	t.Helper()
	b, err := read(s, id, offset, length)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func read(s blob.Store, id string, offset, length int64) ([]byte, error) {
	rc, err := s.Open(ctx, id, offset, length)
	if err != nil {
		return nil, fmt.Errorf("Open(%q, %d, %d): %w", id, offset, length, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		return nil, fmt.Errorf("read %q: %w", id, err)
	}
	return b, nil
}

func wantNotFound(t *testing.T, s blob.Store, id string) {
	t.Helper()
	if rc, err := s.Open(ctx, id, 0, -1); !errors.Is(err, blob.ErrNotFound) {
		if err == nil {
			rc.Close()
		}
		t.Errorf("Open(%q) err = %v, want ErrNotFound", id, err)
	}
	if _, err := s.Size(ctx, id); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("Size(%q) err = %v, want ErrNotFound", id, err)
	}
}

func walk(t *testing.T, s blob.Store) []string {
	t.Helper()
	var ids []string
	if err := s.Walk(ctx, func(id string) error { ids = append(ids, id); return nil }); err != nil {
		t.Fatalf("Walk: %v", err)
	}
	slices.Sort(ids)
	return ids
}

func wantWalk(t *testing.T, s blob.Store, want ...string) {
	t.Helper()
	want = slices.Sorted(slices.Values(want))
	if got := walk(t, s); !slices.Equal(got, want) {
		t.Errorf("Walk = %q, want %q", got, want)
	}
}
