package versioning

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// python describes one interpreter with boto3.
type python struct {
	Exe     string
	Version string
}

const probeBoto3 = `import sys, boto3, botocore; print("python %s, boto3 %s, botocore %s" % (sys.version.split()[0], boto3.__version__, botocore.__version__))`

func findPython(t *testing.T, exe string) python {
	v, err := versionOf(exe, "-c", probeBoto3)
	if err != nil || !strings.Contains(v, "boto3 1.") {
		missing(t, "%s with boto3: %q (%v)", exe, v, err)
	}
	return python{Exe: exe, Version: v}
}

// findPyenvPython is the first python3 on PATH that is not Debian's and
// has boto3.
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

// TestBoto3 runs testdata/versioning_boto3.py with pyenv's python3 and
// Debian's /usr/bin/python3, each against its own server.
func TestBoto3(t *testing.T) {
	t.Parallel()
	script, err := filepath.Abs(filepath.Join("testdata", "versioning_boto3.py"))
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
		{"debian-python3", func(t *testing.T) python { return findPython(t, "/usr/bin/python3") }},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			py := c.find(t)
			t.Logf("interpreter: %s (%s)", py.Exe, py.Version)
			srv := startFerry(t)
			env := append(clientEnv(t), "FERRY_ENDPOINT="+srv.URL, "FERRY_BUCKET_PREFIX=bv")
			r := run(t, env, t.TempDir(), py.Exe, script)
			if r.Code != 0 || !strings.Contains(r.Stdout, "\nPASS\n") {
				t.Fatalf("versioning_boto3.py failed:\n%s", r)
			}
		})
	}
}
