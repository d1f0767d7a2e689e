package bench

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync/atomic"
	"testing"
)

// BenchmarkClientCost measures the client-side cost (CPU, allocations) of
// one signed request against a server that does no work.
func BenchmarkClientCost(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if r.Method == http.MethodGet {
			w.Header().Set("Content-Length", "4096")
			_, _ = w.Write(make([]byte, 4096))
		}
	}))
	defer srv.Close()
	cfg, _, err := testConfig(srv.URL).normalize()
	if err != nil {
		b.Fatal(err)
	}
	cfg.ObjectSize = 4096
	c, err := newClient(cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer c.close()
	ctx := context.Background()
	buf := make([]byte, readBufSize)
	b.Run("put4k", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.putObject(ctx, "k", 4096); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("get4k", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.getObject(ctx, "k", buf); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestLargeObjectsDoNotAllocateBodies uploads objects far bigger than the
// allowed allocation and checks the client never buffered a whole body.
func TestLargeObjectsDoNotAllocateBodies(t *testing.T) {
	if testing.Short() {
		t.Skip("moves 600 MB")
	}
	var received atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "" {
			w.WriteHeader(403)
			return
		}
		n, _ := io.Copy(io.Discard, r.Body)
		received.Add(n)
		switch {
		case r.Method == http.MethodPost && r.URL.Query().Has("uploads"):
			_, _ = io.WriteString(w, "<InitiateMultipartUploadResult><UploadId>u1</UploadId></InitiateMultipartUploadResult>")
		case r.URL.Query().Has("partNumber"):
			w.Header().Set("ETag", `"e"`)
		}
	}))
	defer srv.Close()
	for _, multipart := range []bool{false, true} {
		cfg := testConfig(srv.URL)
		cfg.ObjectSize = 100 << 20
		cfg.Multipart = multipart
		cfg.PartSize = 40 << 20
		cfg.Concurrency = 2
		cfg.Ops = 3
		received.Store(0)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		res, err := Run(context.Background(), cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		if put := res.Op(OpPut); put.Count != 3 || put.Errors != 0 {
			t.Fatalf("multipart=%v: put %+v %v", multipart, put, res.ErrorSamples)
		}
		if got := received.Load(); got < 3*cfg.ObjectSize {
			t.Fatalf("server received %d bytes", got)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
			t.Errorf("multipart=%v: client allocated %d MiB", multipart, alloc>>20)
		}
	}
}
