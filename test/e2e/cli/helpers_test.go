// Package cli runs real S3 clients (two AWS CLI versions and two boto3
// versions) against an in-process ferry server and checks what they print
// and the bytes they move.
//
// Clients are optional on a developer machine: a clients.Missing one skips its
// subtest. Set FERRY_E2E_REQUIRE_CLIENTS=1 (CI) to turn a clients.Missing client
// into a failure.
package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferrys3/ferry/internal/app"
)

const (
	accessKey = "AKIAEXAMPLEKEY000001"
	secretKey = "dummysecretdummysecretdummysecret0001"
	region    = "us-east-1"

	// cmdTimeout bounds one client invocation.
	cmdTimeout = 3 * time.Minute
)

// slowCommand: invocations that take longer are logged (FERRY_E2E_SLOW=2s to
// see more).
var slowCommand = func() time.Duration {
	if d, err := time.ParseDuration(os.Getenv("FERRY_E2E_SLOW")); err == nil {
		return d
	}
	return 10 * time.Second
}()

// ---------------------------------------------------------------------------
// In-process server

// lockedBuffer collects the server's debug log for failure reports.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

type ferry struct {
	URL string
	log *lockedBuffer
}

// startFerry starts one server for the test; it stops when the test ends.
// On failure the tail of the server's debug log (one line per request) is
// printed, which names the S3 operation, status and error code of every call.
func startFerry(t *testing.T, regionName string) *ferry {
	t.Helper()
	logs := &lockedBuffer{}
	cfg := &app.ServerConfig{
		DataDir: t.TempDir(), Listen: "127.0.0.1:0", Region: regionName,
		LogLevel: "debug", LogFormat: "text",
		RootAccessKey: accessKey, RootSecretKey: secretKey,
		InlineMax: 128 << 10, NoSync: true,
	}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv, err := app.StartServer(context.Background(), cfg, logger)
	if err != nil {
		t.Fatalf("start ferry: %v", err)
	}
	f := &ferry{URL: srv.URL(), log: logs}
	t.Cleanup(func() {
		if err := srv.Close(10 * time.Second); err != nil {
			t.Errorf("close ferry: %v", err)
		}
		if dump := os.Getenv("FERRY_E2E_DUMP_LOG") == "1"; t.Failed() || dump {
			lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
			if len(lines) > 60 && !dump {
				lines = lines[len(lines)-60:]
			}
			t.Logf("ferry debug log (last %d lines):\n%s", len(lines), strings.Join(lines, "\n"))
		}
	})
	return f
}

// ---------------------------------------------------------------------------
// Client discovery

// ---------------------------------------------------------------------------
// Running commands

type result struct {
	Stdout, Stderr string
	Code           int
	Args           []string
}

func (r result) String() string {
	return fmt.Sprintf("command: %q\nexit: %d\nstdout:\n%s\nstderr:\n%s", r.Args, r.Code, r.Stdout, r.Stderr)
}

func run(t *testing.T, env []string, dir, exe string, args ...string) result {
	t.Helper()
	return runStdin(t, env, dir, nil, exe, args...)
}

// runStdin runs exe with stdin (nil: no input) and collects its output.
func runStdin(t *testing.T, env []string, dir string, stdin []byte, exe string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Env = env
	cmd.Dir = dir
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	if d := time.Since(start); d > slowCommand {
		t.Logf("slow command (%v): %q", d.Round(time.Millisecond), args)
	}
	r := result{Stdout: stdout.String(), Stderr: stderr.String(), Args: append([]string{exe}, args...)}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		r.Code = ee.ExitCode()
	default:
		t.Fatalf("run %q: %v", r.Args, err)
	}
	if ctx.Err() != nil {
		t.Fatalf("timed out after %v:\n%s", cmdTimeout, r)
	}
	return r
}

// ---------------------------------------------------------------------------
// Files and data

var (
	bigOnce sync.Once
	bigPath string
	bigDir  string
	bigErr  error
)

// bigFile returns a 50 MiB pseudo-random file shared by all tests.
func bigFile(t *testing.T) string {
	t.Helper()
	bigOnce.Do(func() {
		bigDir, bigErr = os.MkdirTemp("", "ferry-e2e-cli-")
		if bigErr != nil {
			return
		}
		bigPath = filepath.Join(bigDir, "big-50MiB.bin")
		bigErr = os.WriteFile(bigPath, randomBytes(50<<20, 50), 0o644)
	})
	if bigErr != nil {
		t.Fatal(bigErr)
	}
	return bigPath
}

func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8), 1, 2, 3}))
	b := make([]byte, n)
	for i := 0; i+8 <= n; i += 8 {
		v := r.Uint64()
		for j := 0; j < 8; j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	for i := n - n%8; i < n; i++ {
		b[i] = byte(r.Uint32())
	}
	return b
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func sha256File(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// treeDigest maps each regular file under root (slash-separated relative
// path) to the sha256 of its content.
func treeDigest(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			rel, _ := filepath.Rel(root, p)
			out[filepath.ToSlash(rel)] = sha256File(t, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func compareTrees(t *testing.T, want, got string) {
	t.Helper()
	w, g := treeDigest(t, want), treeDigest(t, got)
	for k, v := range w {
		switch gv, ok := g[k]; {
		case !ok:
			t.Errorf("tree %s: clients.Missing %q", got, k)
		case gv != v:
			t.Errorf("tree %s: %q differs (sha256 %s, want %s)", got, k, gv, v)
		}
	}
	for k := range g {
		if _, ok := w[k]; !ok {
			t.Errorf("tree %s: unexpected file %q", got, k)
		}
	}
}

func sortedKeys[M ~map[string]V, V any](m M) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// httpGet fetches a URL and returns status and body.
// httpGet fetches url with curl, as a user handed a presigned URL would.
func httpGet(t *testing.T, url string) (int, []byte) {
	t.Helper()
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Fatalf("curl is required to fetch presigned URLs: %v", err)
	}
	out := filepath.Join(t.TempDir(), "body")
	cmd := exec.Command(curl, "-sS", "-g", "--path-as-is", "--max-time", "60", "-o", out, "-w", "%{http_code}", url)
	status, err := cmd.Output()
	if err != nil {
		t.Fatalf("curl %s: %v", url, err)
	}
	code, err := strconv.Atoi(strings.TrimSpace(string(status)))
	if err != nil {
		t.Fatalf("curl %s: status %q", url, status)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("curl %s: %v", url, err)
	}
	return code, b
}

func mustJSON(t *testing.T, r result, v any) {
	t.Helper()
	if strings.TrimSpace(r.Stdout) == "" {
		// CLI v2 prints nothing for an empty result (e.g. a list with no
		// Contents after pagination); the zero value stands for it.
		return
	}
	if err := json.Unmarshal([]byte(r.Stdout), v); err != nil {
		t.Fatalf("decode JSON output: %v\n%s", err, r)
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	if bigDir != "" {
		os.RemoveAll(bigDir)
	}
	os.Exit(code)
}
