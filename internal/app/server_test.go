package app

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	blobfs "github.com/ferrys3/ferry/internal/blob/fs"
	"github.com/ferrys3/ferry/internal/sigv4"
)

// syncBuffer is a goroutine-safe output sink.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// TestServerCommandBootstrapAndShutdown runs `ferry server` as a user would:
// first start generates and prints root credentials once and stores them
// 0600; SIGTERM-style cancellation shuts down cleanly; a second start reuses
// the account and prints nothing.
func TestServerCommandBootstrapAndShutdown(t *testing.T) {
	t.Setenv("FERRY_ROOT_ACCESS_KEY_ID", "")
	t.Setenv("FERRY_ROOT_SECRET_ACCESS_KEY", "")
	dir := t.TempDir()
	run := func() (string, string) {
		ctx, cancel := context.WithCancel(context.Background())
		var out, errOut syncBuffer
		done := make(chan int)
		go func() {
			done <- Main(ctx, []string{"server", "--data-dir", dir, "--listen", "127.0.0.1:0", "--log-format", "json"}, &out, &errOut)
		}()
		deadline := time.Now().Add(10 * time.Second)
		for !strings.Contains(errOut.String(), "ferry listening") {
			if time.Now().After(deadline) {
				t.Fatalf("server did not start: %s", errOut.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
		cancel()
		if code := <-done; code != 0 {
			t.Fatalf("exit code %d: %s", code, errOut.String())
		}
		return out.String(), errOut.String()
	}
	out1, log1 := run()
	if !strings.Contains(out1, "AWS_ACCESS_KEY_ID=AKIA") || !strings.Contains(out1, "AWS_SECRET_ACCESS_KEY=") {
		t.Fatalf("first start did not print credentials: %q", out1)
	}
	if !strings.Contains(log1, `"msg":"stopped"`) {
		t.Fatalf("no clean stop in log: %s", log1)
	}
	st, err := os.Stat(filepath.Join(dir, "root-credentials"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("credentials file: %v %v", st, err)
	}
	saved, _ := os.ReadFile(filepath.Join(dir, "root-credentials"))
	if !strings.Contains(out1, string(saved)) {
		t.Fatalf("printed and saved credentials differ")
	}
	if _, err := os.Stat(filepath.Join(dir, "RUNNING")); !os.IsNotExist(err) {
		t.Fatalf("run marker left after clean shutdown")
	}
	out2, _ := run()
	if strings.Contains(out2, "AWS_SECRET_ACCESS_KEY") {
		t.Fatalf("second start printed credentials again: %q", out2)
	}
}

// TestUncleanRestartCollectsOrphans simulates a crash after a blob was made
// durable but before its metadata committed.
func TestUncleanRestartCollectsOrphans(t *testing.T) {
	dir := t.TempDir()
	cfg := &ServerConfig{DataDir: dir, Listen: "127.0.0.1:0", Region: "us-east-1", RootAccessKey: benchKey,
		RootSecretKey: benchSecret, InlineMax: 1024, NoSync: true}
	log := slog.New(slog.DiscardHandler)
	s, err := StartServer(context.Background(), cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	s.Close(time.Second)
	bs, err := blobfs.Open(filepath.Join(dir, "data"), blobfs.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	w, _ := bs.Create(context.Background(), "orphan0000000000")
	w.Write([]byte("half-finished upload"))
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	bs.Close()
	os.WriteFile(filepath.Join(dir, "RUNNING"), []byte("1"), 0o644) // the crash
	s, err = StartServer(context.Background(), cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(s.URL() + "/readyz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("readyz: %v %v", resp, err)
	}
	s.Close(time.Second)
	bs, _ = blobfs.Open(filepath.Join(dir, "data"), blobfs.Options{NoSync: true})
	defer bs.Close()
	if _, err := bs.Size(context.Background(), "orphan0000000000"); err == nil {
		t.Fatal("orphan blob survived an unclean restart")
	}
}

// TestOpsEndpoints: /metrics counts requests by operation and status class
// with latency and byte counters; health endpoints answer; a signed request
// for a bucket named "metrics" still reaches S3.
func TestOpsEndpoints(t *testing.T) {
	cfg := &ServerConfig{DataDir: t.TempDir(), Listen: "127.0.0.1:0", Region: "us-east-1", RootAccessKey: benchKey,
		RootSecretKey: benchSecret, InlineMax: 1024, NoSync: true}
	s, err := StartServer(context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(time.Second)
	get := func(path string) (int, string) {
		resp, err := http.Get(s.URL() + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, _ := get("/healthz"); code != 200 {
		t.Fatalf("healthz %d", code)
	}
	if code, _ := get("/readyz"); code != 200 {
		t.Fatalf("readyz %d", code)
	}
	// An anonymous request reaches S3, which answers as AWS does for a
	// bucket that does not exist.
	if code, body := get("/some-bucket?list-type=2"); code != 404 || !strings.Contains(body, "<Code>NoSuchBucket</Code>") {
		t.Fatalf("anonymous list: %d %s", code, body)
	}
	req, _ := http.NewRequest(http.MethodGet, s.URL()+"/metrics?list-type=2", nil)
	sigv4.Sign(req, sigv4.Credentials{AccessKeyID: benchKey, SecretAccessKey: benchSecret}, "us-east-1", "s3", sigv4.EmptySHA256, time.Now())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 404 || !strings.Contains(string(b), "NoSuchBucket") {
		t.Fatalf("signed request for bucket \"metrics\": %d %s", resp.StatusCode, b)
	}
	_, metrics := get("/metrics")
	for _, want := range []string{
		`ferry_requests_total{api="s3",operation="ListObjectsV2",status="4xx"} 2`,
		`ferry_request_duration_seconds_bucket{api="s3",operation="ListObjectsV2",le="+Inf"} 2`,
		`ferry_response_bytes_total{api="s3",operation="ListObjectsV2"}`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}
