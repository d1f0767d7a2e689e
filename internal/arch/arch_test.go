// Package arch checks the layering rules of docs/architecture.md with
// `go list -deps`: front ends never touch storage, services never import
// HTTP server code, pure leaves do no I/O, only app imports implementations.
package arch

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

const mod = "github.com/ferrys3/ferry/internal/"

type pkg struct {
	ImportPath string
	Imports    []string
	Deps       []string
}

func list(t *testing.T) map[string]pkg {
	t.Helper()
	out, err := exec.Command("go", "list", "-json", "github.com/ferrys3/ferry/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	pkgs := map[string]pkg{}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		pkgs[p.ImportPath] = p
	}
	return pkgs
}

func short(p string) string { return strings.TrimPrefix(p, mod) }

func TestLayering(t *testing.T) {
	pkgs := list(t)
	frontEnds := []string{"s3api", "adminapi", "iamapi", "ctlapi"}
	services := []string{"object", "iam", "replication", "batch", "inventory"}
	leaves := []string{"sigv4", "sigv2", "policy", "s3err", "s3xml", "versionid", "clock", "checksum", "replconf", "authz", "ctlxml", "manifest", "inventoryconf"}
	implementations := []string{"meta/bolt", "blob/fs", "blob/regional"}
	forbid := func(from []string, to []string, why string) {
		for _, f := range from {
			p, ok := pkgs[mod+f]
			if !ok {
				t.Errorf("package %s missing", f)
				continue
			}
			for _, d := range p.Imports {
				for _, x := range to {
					exact := strings.HasPrefix(x, "=")
					if exact && d == x[1:] || !exact && (d == x || strings.HasPrefix(d, x+"/")) {
						t.Errorf("%s imports %s: %s", f, short(d), why)
					}
				}
			}
		}
	}
	var implPaths []string
	for _, i := range implementations {
		implPaths = append(implPaths, mod+i)
	}
	forbid(frontEnds, []string{mod + "meta", mod + "blob"}, "front ends call services, never storage")
	forbid(services, []string{"net/http/httptest"}, "services do not serve HTTP")
	forbid(append(append(frontEnds, services...), leaves...), implPaths, "only app imports implementations")
	forbid(leaves, []string{"=os", "=net", "=net/http/httptest", mod + "meta", mod + "blob"}, "pure leaves do no I/O")
	for _, s := range services {
		for _, d := range pkgs[mod+s].Deps {
			if d == "net/http" {
				t.Errorf("%s depends on net/http", s)
			}
		}
	}
}

func TestNoInitFunctions(t *testing.T) {
	out, err := exec.Command("grep", "-rln", "--include=*.go", "^func init()", "../../internal", "../../cmd").CombinedOutput()
	if err == nil {
		t.Errorf("init() functions are not allowed (no registration side effects):\n%s", out)
	}
}
