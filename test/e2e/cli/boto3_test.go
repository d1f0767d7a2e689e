package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// python describes one interpreter with boto3.
type python struct {
	Exe     string
	Version string // "python X, boto3 Y, botocore Z"
}

const probeBoto3 = `import sys, boto3, botocore; print("python %s, boto3 %s, botocore %s" % (sys.version.split()[0], boto3.__version__, botocore.__version__))`

func findPython(t *testing.T, exe, want string) python {
	v, err := versionOf(exe, "-c", probeBoto3)
	if err != nil || !strings.Contains(v, "boto3 "+want) {
		missing(t, "%s with boto3 %s*: %q (%v)", exe, want, v, err)
	}
	return python{Exe: exe, Version: v}
}

// findPyenvPython is the first python3 on PATH that is not Debian's, with a
// modern boto3 (1.36 or later sends CRC32 checksums by default).
func findPyenvPython(t *testing.T) python {
	var tried []string
	for _, p := range findOnPath("python3") {
		if real, _ := filepath.EvalSymlinks(p); strings.HasPrefix(real, "/usr/bin/") {
			continue
		}
		exe := resolvePyenvShim(p)
		v, err := versionOf(exe, "-c", probeBoto3)
		tried = append(tried, exe+": "+v)
		if err == nil && strings.Contains(v, "boto3 1.") {
			return python{Exe: exe, Version: v}
		}
	}
	missing(t, "no python3 with boto3 on PATH apart from /usr/bin/python3 (pip install boto3); tried %q", tried)
	panic("unreachable")
}

// TestBoto3 runs testdata/boto3_e2e.py with pyenv's python3 (modern boto3)
// and Debian's /usr/bin/python3 (python3-boto3 1.26).
//
// "main" runs every regular step and stops at the first failed check. The
// other subtests each run one check of AWS behaviour on its own.
func TestBoto3(t *testing.T) {
	t.Parallel()
	script, err := filepath.Abs(filepath.Join("testdata", "boto3_e2e.py"))
	if err != nil {
		t.Fatal(err)
	}
	// Read it here so that go test's result cache notices edits.
	if _, err := os.ReadFile(script); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		find func(*testing.T) python
	}{
		{"pyenv-python3", findPyenvPython},
		{"debian-python3", func(t *testing.T) python { return findPython(t, "/usr/bin/python3", "1.") }},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			py := c.find(t)
			t.Logf("interpreter: %s (%s)", py.Exe, py.Version)
			srv := startFerry(t, region)
			env := append(clientEnv(t), "FERRY_ENDPOINT="+srv.URL)
			for _, sub := range []struct {
				name  string
				steps []string
			}{
				{"main", nil},
				{"conditional-writes", []string{"conditional_writes"}},
				{"sse-kms", []string{"sse_kms"}},
				{"acl-header", []string{"acl_header"}},
			} {
				t.Run(sub.name, func(t *testing.T) {
					args := append([]string{script}, sub.steps...)
					r := run(t, append(env, "FERRY_BUCKET_PREFIX=boto-"+strings.ReplaceAll(sub.name, "-", "")), t.TempDir(), py.Exe, args...)
					if r.Code != 0 || !strings.Contains(r.Stdout, "\nPASS\n") {
						t.Fatalf("boto3_e2e.py %s failed:\n%s", strings.Join(sub.steps, " "), r)
					}
					// Notes and skipped parts are part of the result.
					for _, line := range strings.Split(r.Stdout, "\n") {
						if strings.Contains(line, "note:") || strings.HasPrefix(line, "python ") {
							t.Log(line)
						}
					}
				})
			}
		})
	}
}
