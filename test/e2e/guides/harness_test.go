// Package guides follows the public replication guides (../shared/seeds in
// the design notes) against ferry with the real AWS CLIs: every command as
// the guide writes it, only the endpoint changed, with the accounts created
// by `ferry account create` and used through named profiles.
package guides

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferrys3/ferry/internal/app"
	"github.com/ferrys3/ferry/test/e2e/clients"
)

const (
	operatorKey    = "AKIAOPERATOR00000001"
	operatorSecret = "operatorsecretoperatorsecret0000000001"
	region         = "us-east-1"
	cmdTimeout     = 2 * time.Minute
)

// ferryBin is the ferry binary built once for the package.
var ferryBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "ferry-guides-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ferryBin = filepath.Join(dir, "ferry")
	build := exec.Command("go", "build", "-o", ferryBin, "github.com/ferrys3/ferry/cmd/ferry")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build ferry:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

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

// startFerry starts an in-process server; on failure its debug log tail
// (one line per request, with denial reasons) is printed.
func startFerry(t *testing.T) string {
	t.Helper()
	return startFerryRegions(t, t.TempDir(), region).URL()
}

// startFerryRegions starts an in-process server hosting the regions (the
// first is the default), each on its own 127.0.0.1 port.
func startFerryRegions(t *testing.T, dataDir string, regions ...string) *app.Server {
	t.Helper()
	logs := &lockedBuffer{}
	cfg := &app.ServerConfig{DataDir: dataDir, Listen: "127.0.0.1:0", Region: regions[0], LogLevel: "debug", LogFormat: "text",
		RootAccessKey: operatorKey, RootSecretKey: operatorSecret, InlineMax: 128 << 10, NoSync: true}
	var rs []app.RegionConfig
	for _, r := range regions {
		rs = append(rs, app.RegionConfig{Name: r, Listen: "127.0.0.1:0"})
	}
	if err := cfg.SetRegions(rs); err != nil {
		t.Fatal(err)
	}
	srv, err := app.StartServer(context.Background(), cfg, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatalf("start ferry: %v", err)
	}
	t.Cleanup(func() {
		if err := srv.Close(10 * time.Second); err != nil {
			t.Errorf("close ferry: %v", err)
		}
		if t.Failed() {
			lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
			if len(lines) > 80 {
				lines = lines[len(lines)-80:]
			}
			t.Logf("ferry debug log (last %d lines):\n%s", len(lines), strings.Join(lines, "\n"))
		}
	})
	return srv
}

// account is what `ferry account create NAME --json` prints.
type account struct {
	AccountID       string `json:"AccountId"`
	Name            string `json:"Name"`
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string `json:"SecretAccessKey"`
}

// createAccount runs the admin CLI as the operator would.
func createAccount(t *testing.T, endpoint, name string) account {
	t.Helper()
	env := append(os.Environ(), "FERRY_ROOT_ACCESS_KEY_ID="+operatorKey, "FERRY_ROOT_SECRET_ACCESS_KEY="+operatorSecret)
	r := runCmd(t, env, t.TempDir(), nil, ferryBin, "account", "create", name, "--json", "--endpoint", endpoint)
	if r.Code != 0 {
		t.Fatalf("ferry account create failed:\n%s", r)
	}
	var a account
	if err := json.Unmarshal([]byte(r.Stdout), &a); err != nil || len(a.AccountID) != 12 || a.AccessKeyID == "" {
		t.Fatalf("ferry account create printed %q (%v)", r.Stdout, err)
	}
	return a
}

type result struct {
	Stdout, Stderr string
	Code           int
	Args           []string
}

func (r result) String() string {
	return fmt.Sprintf("command: %q\nexit: %d\nstdout:\n%s\nstderr:\n%s", r.Args, r.Code, r.Stdout, r.Stderr)
}

func runCmd(t *testing.T, env []string, dir string, stdin []byte, exe string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Env, cmd.Dir = env, dir
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
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

// shell is one AWS CLI with named profiles, run in a scratch directory
// that holds the guide's JSON files.
type shell struct {
	t        *testing.T
	cli      clients.AWSCLI
	env      []string
	endpoint string
	dir      string
}

// newShell writes the profiles into the CLI's credentials file.
func newShell(t *testing.T, cli clients.AWSCLI, endpoint string, profiles map[string]account) *shell {
	return newRegionShell(t, cli, endpoint, region, profiles)
}

// newRegionShell is a shell whose default region and endpoint are one
// region's.
func newRegionShell(t *testing.T, cli clients.AWSCLI, endpoint, region string, profiles map[string]account) *shell {
	env := clients.Env(t, "unused", "unused-secret", region)
	var creds strings.Builder
	for name, a := range profiles {
		fmt.Fprintf(&creds, "[%s]\naws_access_key_id = %s\naws_secret_access_key = %s\n\n", name, a.AccessKeyID, a.SecretAccessKey)
	}
	for _, kv := range env {
		if p, ok := strings.CutPrefix(kv, "AWS_SHARED_CREDENTIALS_FILE="); ok {
			if err := os.WriteFile(p, []byte(creds.String()), 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	// The endpoint plugin (tools/awscli) strips the account-id host label
	// the CLIs put on S3 Control requests (111122223333.127.0.0.1 does not
	// resolve): CLI v2 loads it from cli_legacy_plugin_path, v1 from
	// PYTHONPATH.
	plugins := pluginDir(t)
	cfgLines := "[plugins]\nlocalendpoint = awscli_localendpoint\n"
	if cli.EndpointFlag {
		cfgLines += "cli_legacy_plugin_path = " + plugins + "\n"
	} else {
		env = append(env, "PYTHONPATH="+plugins)
	}
	for _, kv := range env {
		if p, ok := strings.CutPrefix(kv, "AWS_CONFIG_FILE="); ok {
			if err := os.WriteFile(p, []byte(cfgLines), 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Profiles must win over the placeholder keys clients.Env sets.
	env = withoutVars(env, "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
	if !cli.EndpointFlag {
		env = append(env, "AWS_ENDPOINT_URL="+endpoint)
	}
	return &shell{t: t, cli: cli, env: env, endpoint: endpoint, dir: t.TempDir()}
}

func withoutVars(env []string, names ...string) []string {
	var out []string
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		keep := true
		for _, n := range names {
			keep = keep && k != n
		}
		if keep {
			out = append(out, kv)
		}
	}
	return out
}

// withSession returns a shell that uses temporary credentials instead of
// profiles.
func (s *shell) withSession(keyID, secret, token string) *shell {
	c := *s
	c.env = append(append([]string{}, s.env...), "AWS_ACCESS_KEY_ID="+keyID, "AWS_SECRET_ACCESS_KEY="+secret, "AWS_SESSION_TOKEN="+token)
	return &c
}

func (s *shell) run(args ...string) result {
	s.t.Helper()
	if s.cli.EndpointFlag {
		args = append([]string{"--endpoint-url", s.endpoint}, args...)
	}
	return runCmd(s.t, s.env, s.dir, nil, s.cli.Exe, args...)
}

// ok runs a command that must succeed.
func (s *shell) ok(args ...string) result {
	s.t.Helper()
	r := s.run(args...)
	if r.Code != 0 {
		s.t.Fatalf("command failed:\n%s", r)
	}
	return r
}

// json runs a command that must succeed and decodes what it prints.
func (s *shell) json(v any, args ...string) {
	s.t.Helper()
	r := s.ok(append(args, "--output", "json")...)
	if err := json.Unmarshal([]byte(r.Stdout), v); err != nil {
		s.t.Fatalf("decode output: %v\n%s", err, r)
	}
}

// denied runs a command that the service must refuse with code.
func (s *shell) refused(code string, args ...string) {
	s.t.Helper()
	r := s.run(args...)
	if r.Code == 0 || !strings.Contains(r.Stderr, code) {
		s.t.Errorf("want the service to refuse with %s, got:\n%s", code, r)
	}
}

// file writes one of the guide's JSON files into the working directory.
func (s *shell) file(name, text string) {
	s.t.Helper()
	if err := os.WriteFile(filepath.Join(s.dir, name), []byte(text), 0o644); err != nil {
		s.t.Fatal(err)
	}
}

// read returns a file of the working directory.
func (s *shell) read(name string) string {
	s.t.Helper()
	b, err := os.ReadFile(filepath.Join(s.dir, name))
	if err != nil {
		s.t.Fatal(err)
	}
	return string(b)
}

// waitFor polls cond for up to 30 seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// waitStatus polls a head-object command until ReplicationStatus is want
// (failing early on any other final status) and returns the last output.
func waitStatus(t *testing.T, sh *shell, headArgs []string, want string) {
	t.Helper()
	var last string
	waitFor(t, "ReplicationStatus "+want, func() bool {
		var h struct{ ReplicationStatus string }
		sh.json(&h, headArgs...)
		last = h.ReplicationStatus
		if last != want && last != "PENDING" && !(want == "FAILED" && last == "") {
			t.Fatalf("ReplicationStatus %q, want %s", last, want)
		}
		return last == want
	})
}

// ferryCmd runs the ferry admin CLI with the operator keys.
func ferryCmd(t *testing.T, endpoint string, args ...string) result {
	t.Helper()
	env := append(os.Environ(), "FERRY_ROOT_ACCESS_KEY_ID="+operatorKey, "FERRY_ROOT_SECRET_ACCESS_KEY="+operatorSecret,
		"FERRY_ENDPOINT="+endpoint)
	return runCmd(t, env, t.TempDir(), nil, ferryBin, args...)
}

// pluginDir is the repository's tools/awscli directory.
func pluginDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("../../../tools/awscli")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}
