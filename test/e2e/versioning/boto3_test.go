package versioning

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferrys3/ferry/test/e2e/clients"
)

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
		find func(*testing.T) clients.Python
	}{
		{"pyenv-python3", clients.FindPyenvPython},
		{"debian-python3", func(t *testing.T) clients.Python { return clients.FindPython(t, "/usr/bin/python3", "1.") }},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			py := c.find(t)
			t.Logf("interpreter: %s (%s)", py.Exe, py.Version)
			srv := startFerry(t)
			env := append(clients.Env(t, accessKey, secretKey, region), "FERRY_ENDPOINT="+srv.URL, "FERRY_BUCKET_PREFIX=bv")
			r := run(t, env, t.TempDir(), py.Exe, script)
			if r.Code != 0 || !strings.Contains(r.Stdout, "\nPASS\n") {
				t.Fatalf("versioning_boto3.py failed:\n%s", r)
			}
		})
	}
}
