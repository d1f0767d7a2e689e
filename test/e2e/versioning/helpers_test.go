// Package versioning checks S3 bucket versioning end to end against an
// in-process ferry server with real clients: the two AWS CLIs (Debian's
// v2.9 and pyenv's v1), aws-sdk-go-v2, and boto3 under two interpreters.
//
// The expected behaviour is AWS's (docs: shared reference "aws-semantics"
// section 1). Clients are optional on a developer machine: a clients.Missing one
// skips its subtest; FERRY_E2E_REQUIRE_CLIENTS=1 turns that into a failure.
//
// The helpers below are copied (trimmed) from test/e2e/cli and test/e2e/sdk,
// whose _test files cannot be imported.
package versioning

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/ferrys3/ferry/internal/app"
)

const (
	accessKey = "AKIAEXAMPLEKEY000001"
	secretKey = "dummysecretdummysecretdummysecret0001"
	region    = "us-east-1"

	cmdTimeout = 2 * time.Minute
)

// ---------------------------------------------------------------------------
// In-process server

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

// startFerry starts one server for t; it stops when t ends. On failure the
// tail of its debug log (one line per request) is printed.
func startFerry(t *testing.T) *ferry {
	t.Helper()
	logs := &lockedBuffer{}
	cfg := &app.ServerConfig{
		DataDir: t.TempDir(), Listen: "127.0.0.1:0", Region: region,
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
// SDK client

func newSDKClient(endpoint string) *s3.Client {
	cfg := aws.Config{Region: region, Credentials: credentials.NewStaticCredentialsProvider(accessKey, secretKey, ""),
		HTTPClient: awshttp.NewBuildableClient()}
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.BaseEndpoint = aws.String(endpoint)
		o.UsePathStyle = true
		o.RetryMaxAttempts = 1 // surface every error as the server sent it
	})
}

func ctx() context.Context { return context.Background() }

// apiCode returns the S3 error code of err ("" if it is not an API error).
func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// httpStatus returns the HTTP status of a failed SDK call (0 if none).
func httpStatus(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// errHeader returns a response header of a failed SDK call.
func errHeader(err error, name string) string {
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.Response != nil && re.Response.Response != nil {
		return re.Response.Header.Get(name)
	}
	return ""
}

// wantAPIError fails t unless err is an API error with status and (if not
// empty) code.
func wantAPIError(t testing.TB, what string, err error, status int, code string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: want %d %s, got success", what, status, code)
		return
	}
	if got := httpStatus(err); got != status {
		t.Errorf("%s: status = %d, want %d (err %v)", what, got, status, err)
	}
	if code != "" {
		if got := apiCode(err); got != code {
			t.Errorf("%s: code = %q, want %q (err %v)", what, got, code, err)
		}
	}
}

// ---------------------------------------------------------------------------
// Client discovery and commands

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
	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Env = env
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
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

func mustJSON(t *testing.T, r result, v any) {
	t.Helper()
	if strings.TrimSpace(r.Stdout) == "" {
		return // the CLIs print nothing for an empty result
	}
	if err := json.Unmarshal([]byte(r.Stdout), v); err != nil {
		t.Fatalf("decode JSON output: %v\n%s", err, r)
	}
}

// ---------------------------------------------------------------------------
// Version IDs

// mutateVersionID changes one character in the middle of a real version id
// to another character that already occurs in it, so the result is
// well-formed (same length, same alphabet) but names no version.
func mutateVersionID(t testing.TB, id string) string {
	t.Helper()
	if len(id) < 3 {
		t.Fatalf("version id %q too short to mutate", id)
	}
	mid := len(id) / 2
	for i := 0; i < len(id); i++ {
		if c := id[i]; c != id[mid] {
			return id[:mid] + string(c) + id[mid+1:]
		}
	}
	t.Fatalf("version id %q has one distinct character; cannot mutate", id)
	return ""
}
