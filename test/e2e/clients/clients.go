// Package clients finds the real S3 clients the end-to-end suites drive
// (Debian's AWS CLI v2, the AWS CLI v1 on PATH, boto3 under pyenv's and
// Debian's python3) and gives each run a private, clean environment.
package clients

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Required reports whether a missing client is a failure (CI) rather than
// a skip: FERRY_E2E_REQUIRE_CLIENTS=1.
func Required() bool { return os.Getenv("FERRY_E2E_REQUIRE_CLIENTS") == "1" }

// Missing skips (or, in CI, fails) a test whose client is not installed.
func Missing(t *testing.T, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if Required() {
		t.Fatalf("client Missing (FERRY_E2E_REQUIRE_CLIENTS=1): %s", msg)
	}
	t.Skipf("client Missing: %s (set FERRY_E2E_REQUIRE_CLIENTS=1 to fail instead)", msg)
}

// clientHome is a private HOME with empty AWS config and credentials files,
// so nothing on the machine leaks into a run.
func Env(t *testing.T, accessKey, secretKey, region string) []string {
	t.Helper()
	home := t.TempDir()
	cfg := filepath.Join(home, "aws-config")
	creds := filepath.Join(home, "aws-credentials")
	for _, p := range []string{cfg, creds} {
		if err := os.WriteFile(p, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "AWS_") || k == "HOME" || strings.HasSuffix(strings.ToUpper(k), "_PROXY") ||
			k == "BOTO_CONFIG" || k == "PYTHONPATH" || k == "PYTHONHOME" {
			continue
		}
		env = append(env, kv)
	}
	return append(env,
		"HOME="+home,
		"AWS_ACCESS_KEY_ID="+accessKey,
		"AWS_SECRET_ACCESS_KEY="+secretKey,
		"AWS_DEFAULT_REGION="+region,
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_PAGER=",
		"AWS_CONFIG_FILE="+cfg,
		"AWS_SHARED_CREDENTIALS_FILE="+creds,
		"PYTHONIOENCODING=utf-8",
		"LC_ALL=C.UTF-8",
	)
}

// VersionOf runs `exe args...` and returns its combined output.
func VersionOf(exe string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Env = append(os.Environ(), "AWS_PAGER=", "HOME="+os.TempDir())
	out, err := cmd.CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

// FindOnPath returns every executable called name on PATH, in order.
func FindOnPath(name string) []string {
	var out []string
	seen := map[string]bool{}
	for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			real, err := filepath.EvalSymlinks(p)
			if err != nil {
				real = p
			}
			if !seen[real] {
				seen[real] = true
				out = append(out, p)
			}
		}
	}
	return out
}

// ResolvePyenvShim turns a pyenv shim into the executable it would run, so
// that each call does not pay for pyenv's bash dispatch (about 0.5 s of CPU).
// Anything else is returned unchanged.
func ResolvePyenvShim(p string) string {
	b, err := os.ReadFile(p)
	if err != nil || len(b) > 4096 || !bytes.Contains(b, []byte(`libexec/pyenv" exec`)) {
		return p
	}
	root := filepath.Dir(filepath.Dir(p))
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "export PYENV_ROOT="); ok {
			root = strings.Trim(v, `"'`)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(root, "libexec", "pyenv"), "which", filepath.Base(p))
	cmd.Env = append(os.Environ(), "PYENV_ROOT="+root)
	out, err := cmd.Output()
	if real := strings.TrimSpace(string(out)); err == nil && real != "" {
		if _, err := os.Stat(real); err == nil {
			return real
		}
	}
	return p
}

// AWSCLI describes one AWS CLI installation.
type AWSCLI struct {
	Name    string // subtest name
	Exe     string
	Version string
	// EndpointFlag: the CLI needs --endpoint-url (2.9 ignores AWS_ENDPOINT_URL).
	// Otherwise AWS_ENDPOINT_URL is used, so that path is exercised too.
	EndpointFlag bool
	// ErrExit is the exit status of an s3api call the service rejected.
	ErrExit int
}

func FindDebianCLI(t *testing.T) AWSCLI {
	const exe = "/usr/bin/aws"
	if _, err := os.Stat(exe); err != nil {
		Missing(t, "Debian AWS CLI v2 %s not installed (apt-get install awscli)", exe)
	}
	v, err := VersionOf(exe, "--version")
	if err != nil || !strings.HasPrefix(v, "aws-cli/2.") {
		Missing(t, "%s --version = %q (%v), want aws-cli/2.x", exe, v, err)
	}
	return AWSCLI{Name: "debian-v2.9", Exe: exe, Version: v, EndpointFlag: true, ErrExit: 254}
}

func FindV1CLI(t *testing.T) AWSCLI {
	var tried []string
	for _, p := range FindOnPath("aws") {
		if real, _ := filepath.EvalSymlinks(p); real == "/usr/bin/aws" {
			continue
		}
		exe := ResolvePyenvShim(p)
		v, err := VersionOf(exe, "--version")
		tried = append(tried, fmt.Sprintf("%s: %q", exe, v))
		if err == nil && strings.HasPrefix(v, "aws-cli/1.") {
			return AWSCLI{Name: "pyenv-v1", Exe: exe, Version: v, ErrExit: 255}
		}
	}
	Missing(t, "no aws-cli 1.x on PATH (pip install awscli); tried %v", tried)
	panic("unreachable")
}

// Python describes one interpreter with boto3.
type Python struct {
	Exe     string
	Version string // "Python X, boto3 Y, botocore Z"
}

// ProbeBoto3 prints the interpreter, boto3 and botocore versions.
const ProbeBoto3 = `import sys, boto3, botocore; print("Python %s, boto3 %s, botocore %s" % (sys.version.split()[0], boto3.__version__, botocore.__version__))`

func FindPython(t *testing.T, exe, want string) Python {
	v, err := VersionOf(exe, "-c", ProbeBoto3)
	if err != nil || !strings.Contains(v, "boto3 "+want) {
		Missing(t, "%s with boto3 %s*: %q (%v)", exe, want, v, err)
	}
	return Python{Exe: exe, Version: v}
}

// FindPyenvPython is the first python3 on PATH that is not Debian's, with a
// modern boto3 (1.36 or later sends CRC32 checksums by default).
func FindPyenvPython(t *testing.T) Python {
	var tried []string
	for _, p := range FindOnPath("python3") {
		if real, _ := filepath.EvalSymlinks(p); strings.HasPrefix(real, "/usr/bin/") {
			continue
		}
		exe := ResolvePyenvShim(p)
		v, err := VersionOf(exe, "-c", ProbeBoto3)
		tried = append(tried, exe+": "+v)
		if err == nil && strings.Contains(v, "boto3 1.") {
			return Python{Exe: exe, Version: v}
		}
	}
	Missing(t, "no python3 with boto3 on PATH apart from /usr/bin/python3 (pip install boto3); tried %q", tried)
	panic("unreachable")
}
