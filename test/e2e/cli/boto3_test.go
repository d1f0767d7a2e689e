package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferrys3/ferry/test/e2e/clients"
)

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
		find func(*testing.T) clients.Python
	}{
		{"pyenv-python3", clients.FindPyenvPython},
		{"debian-python3", func(t *testing.T) clients.Python { return clients.FindPython(t, "/usr/bin/python3", "1.") }},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			py := c.find(t)
			t.Logf("interpreter: %s (%s)", py.Exe, py.Version)
			srv := startFerry(t, region)
			env := append(clients.Env(t, accessKey, secretKey, region), "FERRY_ENDPOINT="+srv.URL)
			for _, sub := range []struct {
				name  string
				steps []string
			}{
				{"main", nil},
				{"conditional-writes", []string{"conditional_writes"}},
				{"sse-kms", []string{"sse_kms"}},
				{"acl-header", []string{"acl_header"}},
				{"policy-acl", []string{"policy_acl"}},
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
