package bench

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
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
			if err := c.putObject(ctx, "k", 4096); err != nil {
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
