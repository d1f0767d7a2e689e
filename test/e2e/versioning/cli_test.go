package versioning

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferrys3/ferry/test/e2e/clients"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// session runs one CLI against one server.
type session struct {
	t        *testing.T
	cli      clients.AWSCLI
	env      []string
	endpoint string
	dir      string
}

func (s *session) run(args ...string) result {
	s.t.Helper()
	if s.cli.EndpointFlag {
		args = append([]string{"--endpoint-url", s.endpoint}, args...)
	}
	return run(s.t, s.env, s.dir, s.cli.Exe, args...)
}

// ok runs a command that must succeed.
func (s *session) ok(args ...string) result {
	s.t.Helper()
	r := s.run(args...)
	if r.Code != 0 {
		s.t.Fatalf("command failed:\n%s", r)
	}
	return r
}

// json runs a command that must succeed and decodes its JSON output.
func (s *session) json(v any, args ...string) result {
	s.t.Helper()
	r := s.ok(append(args, "--output", "json")...)
	mustJSON(s.t, r, v)
	return r
}

func (s *session) file(name string, data []byte) string {
	s.t.Helper()
	p := filepath.Join(s.dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		s.t.Fatal(err)
	}
	return p
}

// CLI JSON shapes.
type versioningOut struct {
	Status    *string
	MFADelete *string
}

type putOut struct {
	ETag      string
	VersionId string
}

type cliVersion struct {
	Key          string
	VersionId    string
	IsLatest     bool
	ETag         string
	Size         int64
	LastModified string
}

type cliMarker struct {
	Key          string
	VersionId    string
	IsLatest     bool
	LastModified string
}

type listVersionsOut struct {
	Versions       []cliVersion
	DeleteMarkers  []cliMarker
	CommonPrefixes []struct{ Prefix string }
	NextToken      string
}

type headOut struct {
	ETag          string
	VersionId     string
	ContentLength int64
	DeleteMarker  bool
}

// TestCLI runs the versioning flow with each AWS CLI, each against its own
// server. The steps share state and run in order.
func TestCLI(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		find func(*testing.T) clients.AWSCLI
	}{{"debian-v2.9", clients.FindDebianCLI}, {"pyenv-v1", clients.FindV1CLI}} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			cli := c.find(t)
			t.Logf("client: %s (%s)", cli.Exe, cli.Version)
			srv := startFerry(t)
			s := &session{t: t, cli: cli, env: clients.Env(t, accessKey, secretKey, region), endpoint: srv.URL, dir: t.TempDir()}
			if !cli.EndpointFlag {
				s.env = append(s.env, "AWS_ENDPOINT_URL="+srv.URL)
			}
			// The flow and the pagination check use separate buckets and
			// overlap to keep the run short.
			t.Run("flow", func(t *testing.T) {
				t.Parallel()
				cliFlow(t, s)
			})
			t.Run("pagination", func(t *testing.T) {
				t.Parallel()
				c := *s
				c.t = t
				cliPagination(t, &c, srv)
			})
		})
	}
}

func cliFlow(t *testing.T, s0 *session) {
	const bucket, key = "vbkt", "doc.txt"
	bodies := [][]byte{[]byte("version one\n"), []byte("version two, longer\n"), []byte("version three: the newest\n")}
	var puts []putOut   // in write order
	var markerID string // delete marker made by `aws s3 rm`

	step := func(name string, fn func(t *testing.T, s *session)) bool {
		return t.Run(name, func(t *testing.T) {
			c := *s0
			c.t = t
			fn(t, &c)
		})
	}

	if !step("new-bucket-unversioned", func(t *testing.T, s *session) {
		s.ok("s3api", "create-bucket", "--bucket", bucket)
		var v versioningOut
		r := s.json(&v, "s3api", "get-bucket-versioning", "--bucket", bucket)
		if v.Status != nil {
			t.Errorf("get-bucket-versioning on a new bucket: Status = %q, want no Status (empty output)\n%s", *v.Status, r)
		}
		if out := strings.TrimSpace(r.Stdout); out != "" && out != "{}" {
			t.Errorf("get-bucket-versioning on a new bucket printed %q, want nothing", out)
		}
	}) {
		return
	}

	if !step("enable", func(t *testing.T, s *session) {
		r := s.ok("s3api", "put-bucket-versioning", "--bucket", bucket, "--versioning-configuration", "Status=Enabled")
		if strings.TrimSpace(r.Stdout) != "" {
			t.Errorf("put-bucket-versioning printed %q, want nothing", r.Stdout)
		}
		var v versioningOut
		r = s.json(&v, "s3api", "get-bucket-versioning", "--bucket", bucket)
		if v.Status == nil || *v.Status != "Enabled" {
			t.Errorf("get-bucket-versioning after Enabled: want {\"Status\": \"Enabled\"}\n%s", r)
		}
	}) {
		return
	}

	if !step("three-puts", func(t *testing.T, s *session) {
		seen := map[string]bool{}
		for i, b := range bodies {
			f := s.file(fmt.Sprintf("body%d", i), b)
			var p putOut
			r := s.json(&p, "s3api", "put-object", "--bucket", bucket, "--key", key, "--body", f)
			if p.VersionId == "" || p.VersionId == "null" {
				t.Fatalf("put-object %d into an Enabled bucket: VersionId = %q, want a fresh id\n%s", i, p.VersionId, r)
			}
			if seen[p.VersionId] {
				t.Fatalf("put-object %d: VersionId %q repeats an earlier one", i, p.VersionId)
			}
			seen[p.VersionId] = true
			puts = append(puts, p)
		}
	}) {
		return
	}

	step("list-three-versions", func(t *testing.T, s *session) {
		var l listVersionsOut
		r := s.json(&l, "s3api", "list-object-versions", "--bucket", bucket)
		if len(l.Versions) != 3 {
			t.Fatalf("list-object-versions: %d Versions, want 3\n%s", len(l.Versions), r)
		}
		if len(l.DeleteMarkers) != 0 {
			t.Errorf("list-object-versions: unexpected DeleteMarkers %+v", l.DeleteMarkers)
		}
		for i, v := range l.Versions {
			want := puts[len(puts)-1-i] // newest first
			if v.Key != key || v.VersionId != want.VersionId || v.ETag != want.ETag {
				t.Errorf("Versions[%d] = %s %s %s, want %s %s %s (newest first)", i, v.Key, v.VersionId, v.ETag, key, want.VersionId, want.ETag)
			}
			if v.IsLatest != (i == 0) {
				t.Errorf("Versions[%d].IsLatest = %v, want %v", i, v.IsLatest, i == 0)
			}
			if wantSize := int64(len(bodies[len(bodies)-1-i])); v.Size != wantSize {
				t.Errorf("Versions[%d].Size = %d, want %d", i, v.Size, wantSize)
			}
		}
	})

	step("get-oldest-version", func(t *testing.T, s *session) {
		out := filepath.Join(s.dir, "oldest.out")
		var h headOut
		r := s.json(&h, "s3api", "get-object", "--bucket", bucket, "--key", key, "--version-id", puts[0].VersionId, out)
		if h.VersionId != puts[0].VersionId {
			t.Errorf("get-object --version-id: VersionId = %q, want %q\n%s", h.VersionId, puts[0].VersionId, r)
		}
		got, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, bodies[0]) {
			t.Errorf("get-object --version-id <oldest> body = %q, want %q", got, bodies[0])
		}
	})

	if !step("rm-creates-delete-marker", func(t *testing.T, s *session) {
		r := s.ok("s3", "rm", "s3://"+bucket+"/"+key)
		if want := "delete: s3://" + bucket + "/" + key; !strings.Contains(r.Stdout, want) {
			t.Errorf("s3 rm stdout = %q, want %q", r.Stdout, want)
		}
		var l listVersionsOut
		r = s.json(&l, "s3api", "list-object-versions", "--bucket", bucket)
		if len(l.DeleteMarkers) != 1 {
			t.Fatalf("after s3 rm: %d DeleteMarkers, want 1\n%s", len(l.DeleteMarkers), r)
		}
		m := l.DeleteMarkers[0]
		if m.Key != key || !m.IsLatest || m.VersionId == "" || m.VersionId == "null" {
			t.Errorf("delete marker = %+v, want Key %q, IsLatest true, a fresh VersionId", m, key)
		}
		markerID = m.VersionId
		if len(l.Versions) != 3 {
			t.Errorf("after s3 rm: %d Versions, want the 3 versions kept\n%s", len(l.Versions), r)
		}
		for i, v := range l.Versions {
			if v.IsLatest {
				t.Errorf("after s3 rm: Versions[%d] (%s) IsLatest true, want false (the marker is latest)", i, v.VersionId)
			}
		}
	}) {
		return
	}

	step("head-after-rm-404", func(t *testing.T, s *session) {
		r := s.run("s3api", "head-object", "--bucket", bucket, "--key", key)
		if r.Code != s.cli.ErrExit || !strings.Contains(r.Stderr, "404") || !strings.Contains(r.Stderr, "Not Found") {
			t.Errorf("head-object on a key whose latest version is a delete marker: want exit %d and \"(404) ... Not Found\", got:\n%s", s.cli.ErrExit, r)
		}
	})

	step("ls-hides-deleted-key", func(t *testing.T, s *session) {
		r := s.run("s3", "ls", "s3://"+bucket+"/")
		if (r.Code != 0 && r.Code != 1) || strings.Contains(r.Stdout, key) {
			t.Errorf("s3 ls after s3 rm: want the key gone, got:\n%s", r)
		}
	})

	step("delete-marker-restores", func(t *testing.T, s *session) {
		if markerID == "" {
			t.Skip("no delete marker id from an earlier step")
		}
		var d struct {
			DeleteMarker bool
			VersionId    string
		}
		r := s.json(&d, "s3api", "delete-object", "--bucket", bucket, "--key", key, "--version-id", markerID)
		if !d.DeleteMarker || d.VersionId != markerID {
			t.Errorf("delete-object --version-id <marker>: want {\"DeleteMarker\": true, \"VersionId\": %q}\n%s", markerID, r)
		}
		var h headOut
		r = s.json(&h, "s3api", "head-object", "--bucket", bucket, "--key", key)
		newest := puts[len(puts)-1]
		if h.ETag != newest.ETag || h.VersionId != newest.VersionId {
			t.Errorf("head-object after removing the marker: ETag %s VersionId %s, want %s %s\n%s", h.ETag, h.VersionId, newest.ETag, newest.VersionId, r)
		}
		var l listVersionsOut
		r = s.json(&l, "s3api", "list-object-versions", "--bucket", bucket)
		if len(l.DeleteMarkers) != 0 || len(l.Versions) != 3 || !l.Versions[0].IsLatest {
			t.Errorf("after removing the marker: want 3 Versions (first IsLatest) and no DeleteMarkers\n%s", r)
		}
		if r := s.ok("s3", "ls", "s3://"+bucket+"/"); !strings.Contains(r.Stdout, key) {
			t.Errorf("s3 ls after removing the marker does not show %q:\n%s", key, r)
		}
	})

	step("suspend-null-versions", func(t *testing.T, s *session) {
		s.ok("s3api", "put-bucket-versioning", "--bucket", bucket, "--versioning-configuration", "Status=Suspended")
		var v versioningOut
		r := s.json(&v, "s3api", "get-bucket-versioning", "--bucket", bucket)
		if v.Status == nil || *v.Status != "Suspended" {
			t.Errorf("get-bucket-versioning after Suspended: want {\"Status\": \"Suspended\"}\n%s", r)
		}
		const key2 = "suspended.txt"
		var last putOut
		for i, b := range [][]byte{[]byte("null one"), []byte("null two, replaces one")} {
			f := s.file(fmt.Sprintf("null%d", i), b)
			r := s.json(&last, "s3api", "put-object", "--bucket", bucket, "--key", key2, "--body", f)
			if last.VersionId != "null" {
				t.Errorf("put-object %d into a Suspended bucket: VersionId = %q, want \"null\"\n%s", i, last.VersionId, r)
			}
		}
		var l listVersionsOut
		r = s.json(&l, "s3api", "list-object-versions", "--bucket", bucket, "--prefix", key2)
		if len(l.Versions) != 1 || l.Versions[0].VersionId != "null" || !l.Versions[0].IsLatest || l.Versions[0].ETag != last.ETag {
			t.Errorf("list-object-versions --prefix %s: want exactly one null version (IsLatest, ETag %s)\n%s", key2, last.ETag, r)
		}
		if len(l.DeleteMarkers) != 0 {
			t.Errorf("unexpected DeleteMarkers for %s: %+v", key2, l.DeleteMarkers)
		}
		l = listVersionsOut{}
		r = s.json(&l, "s3api", "list-object-versions", "--bucket", bucket, "--prefix", key)
		if len(l.Versions) != 3 {
			t.Fatalf("old versions of %s after suspending: %d, want 3\n%s", key, len(l.Versions), r)
		}
		for i, v := range l.Versions {
			if want := puts[len(puts)-1-i]; v.VersionId != want.VersionId || v.ETag != want.ETag {
				t.Errorf("old Versions[%d] = %s %s, want %s %s (untouched)", i, v.VersionId, v.ETag, want.VersionId, want.ETag)
			}
		}
	})

	step("bogus-status-malformed", func(t *testing.T, s *session) {
		r := s.run("s3api", "put-bucket-versioning", "--bucket", bucket, "--versioning-configuration", "Status=Bogus")
		if r.Code != s.cli.ErrExit || !strings.Contains(r.Stderr, "MalformedXML") {
			t.Errorf("put-bucket-versioning Status=Bogus: want exit %d and MalformedXML, got:\n%s", s.cli.ErrExit, r)
		}
		var v versioningOut
		r = s.json(&v, "s3api", "get-bucket-versioning", "--bucket", bucket)
		if v.Status == nil || *v.Status != "Suspended" {
			t.Errorf("a rejected put-bucket-versioning changed the state:\n%s", r)
		}
	})
}

// cliPagination: 5 keys x 3 versions walked with --max-items 4
// --page-size 2 and --starting-token collects every (key, version) once,
// in order. The versions are written with the Go SDK to keep the test fast.
func cliPagination(t *testing.T, s *session, srv *ferry) {
	const bucket = "vpages"
	c := newSDKClient(srv.URL)
	if _, err := c.CreateBucket(ctx(), &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	s.ok("s3api", "put-bucket-versioning", "--bucket", bucket, "--versioning-configuration", "Status=Enabled")
	var want []string // "key version", list order
	for k := 0; k < 5; k++ {
		key := fmt.Sprintf("k%d", k)
		var ids []string
		for v := 0; v < 3; v++ {
			out, err := c.PutObject(ctx(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key),
				Body: strings.NewReader(fmt.Sprintf("%s v%d", key, v))})
			if err != nil {
				t.Fatalf("PutObject %s: %v", key, err)
			}
			ids = append(ids, aws.ToString(out.VersionId))
		}
		for v := 2; v >= 0; v-- {
			want = append(want, key+" "+ids[v])
		}
	}
	var got []string
	token := ""
	listCalls := strings.Count(srv.log.String(), " op=ListObjectVersions ")
	pages := 0
	for page := 0; ; page++ {
		pages++
		if page > 10 {
			t.Fatalf("pagination does not end; collected so far %q", got)
		}
		args := []string{"s3api", "list-object-versions", "--bucket", bucket, "--max-items", "4", "--page-size", "2"}
		if token != "" {
			args = append(args, "--starting-token", token)
		}
		var l listVersionsOut
		r := s.json(&l, args...)
		if len(l.Versions) > 4 {
			t.Errorf("page %d: %d Versions, want at most 4 (--max-items 4)\n%s", page, len(l.Versions), r)
		}
		for _, v := range l.Versions {
			got = append(got, v.Key+" "+v.VersionId)
		}
		if l.NextToken == "" {
			break
		}
		token = l.NextToken
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("paginated list-object-versions:\n got  %q\n want %q", got, want)
	}
	if pages != 4 {
		t.Errorf("--max-items 4 over 15 versions took %d invocations, want 4", pages)
	}
	// --page-size 2: at least 8 requests with max-keys=2 for 15 versions.
	if n := strings.Count(srv.log.String(), " op=ListObjectVersions ") - listCalls; n < 8 {
		t.Errorf("server saw %d ListObjectVersions requests, want at least 8 (--page-size 2 over 15 versions)", n)
	}
}
