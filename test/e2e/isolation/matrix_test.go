// Package isolation proves account isolation for every S3 operation: with
// two accounts, an operation on the other account's bucket is denied until
// the bucket policy grants exactly its action, and denied again when the
// policy grants everything but that action.
package isolation

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ferrys3/ferry/internal/adminapi"
	"github.com/ferrys3/ferry/internal/app"
	"github.com/ferrys3/ferry/internal/sigv4"
)

const (
	operatorKey    = "AKIAOPERATOR00000002"
	operatorSecret = "operatorsecretoperatorsecret0000000002"
)

type env struct {
	t      *testing.T
	url    string
	owner  sigv4.Credentials
	other  sigv4.Credentials
	ownerA string
	otherA string
}

func start(t *testing.T) *env {
	cfg := &app.ServerConfig{DataDir: t.TempDir(), Listen: "127.0.0.1:0", Region: "us-east-1", LogLevel: "error", LogFormat: "text",
		RootAccessKey: operatorKey, RootSecretKey: operatorSecret, InlineMax: 128 << 10, NoSync: true}
	srv, err := app.StartServer(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close(5 * time.Second) })
	admin := &adminapi.Client{Endpoint: srv.URL(), Credentials: sigv4.Credentials{AccessKeyID: operatorKey, SecretAccessKey: operatorSecret}}
	a, err := admin.CreateAccount(context.Background(), "owner")
	if err != nil {
		t.Fatal(err)
	}
	b, err := admin.CreateAccount(context.Background(), "other")
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, url: srv.URL(),
		owner: sigv4.Credentials{AccessKeyID: a.AccessKeyID, SecretAccessKey: a.SecretAccessKey}, ownerA: a.AccountID,
		other: sigv4.Credentials{AccessKeyID: b.AccessKeyID, SecretAccessKey: b.SecretAccessKey}, otherA: b.AccountID}
}

type response struct {
	status int
	body   string
	header http.Header
}

// do sends a signed request (anonymous when c is nil).
func (e *env) do(c *sigv4.Credentials, method, target string, hdr map[string]string, body []byte) response {
	e.t.Helper()
	req, err := http.NewRequest(method, e.url+target, bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	if len(body) > 0 && req.Header.Get("Content-MD5") == "" {
		sum := md5.Sum(body)
		req.Header.Set("Content-MD5", base64.StdEncoding.EncodeToString(sum[:]))
	}
	if c != nil {
		sum := sha256.Sum256(body)
		sigv4.Sign(req, *c, "us-east-1", "s3", hex.EncodeToString(sum[:]), time.Now())
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, body: string(b), header: resp.Header}
}

func (e *env) must(c *sigv4.Credentials, method, target string, hdr map[string]string, body []byte) response {
	e.t.Helper()
	r := e.do(c, method, target, hdr, body)
	if r.status >= 300 {
		e.t.Fatalf("%s %s: %d %s", method, target, r.status, r.body)
	}
	return r
}

// op is one S3 operation as the matrix sends it to bucket "shared".
type op struct {
	name    string
	actions []string // what the bucket policy must grant
	method  string
	target  string
	header  map[string]string
	body    string
	// ownerOnly operations answer 405 to other accounts even when granted.
	ownerOnly bool
	// perKey operations answer 200 and report denials per key.
	perKey bool
}

// denied reports whether r is a refusal of the operation.
func denied(o op, r response) bool {
	if o.perKey {
		return r.status == 200 && strings.Contains(r.body, "<Code>AccessDenied</Code>")
	}
	return r.status == 403
}

const tagging = `<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>`

func operations(uploadID string) []op {
	up := "uploadId=" + uploadID
	return []op{
		{name: "HeadBucket", actions: []string{"s3:ListBucket"}, method: "HEAD", target: "/shared"},
		{name: "GetBucketLocation", actions: []string{"s3:GetBucketLocation"}, method: "GET", target: "/shared?location"},
		{name: "ListObjects", actions: []string{"s3:ListBucket"}, method: "GET", target: "/shared"},
		{name: "ListObjectsV2", actions: []string{"s3:ListBucket"}, method: "GET", target: "/shared?list-type=2"},
		{name: "ListObjectVersions", actions: []string{"s3:ListBucketVersions"}, method: "GET", target: "/shared?versions"},
		{name: "ListMultipartUploads", actions: []string{"s3:ListBucketMultipartUploads"}, method: "GET", target: "/shared?uploads"},
		{name: "GetBucketVersioning", actions: []string{"s3:GetBucketVersioning"}, method: "GET", target: "/shared?versioning"},
		{name: "PutBucketVersioning", actions: []string{"s3:PutBucketVersioning"}, method: "PUT", target: "/shared?versioning",
			body: `<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>`},
		{name: "GetBucketTagging", actions: []string{"s3:GetBucketTagging"}, method: "GET", target: "/shared?tagging"},
		{name: "PutBucketTagging", actions: []string{"s3:PutBucketTagging"}, method: "PUT", target: "/shared?tagging", body: tagging},
		{name: "DeleteBucketTagging", actions: []string{"s3:PutBucketTagging"}, method: "DELETE", target: "/shared?tagging"},
		{name: "GetBucketPolicy", actions: []string{"s3:GetBucketPolicy"}, method: "GET", target: "/shared?policy", ownerOnly: true},
		{name: "GetBucketPolicyStatus", actions: []string{"s3:GetBucketPolicyStatus"}, method: "GET", target: "/shared?policyStatus"},
		{name: "GetPublicAccessBlock", actions: []string{"s3:GetBucketPublicAccessBlock"}, method: "GET", target: "/shared?publicAccessBlock"},
		{name: "PutPublicAccessBlock", actions: []string{"s3:PutBucketPublicAccessBlock"}, method: "PUT", target: "/shared?publicAccessBlock",
			body: `<PublicAccessBlockConfiguration><BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>true</IgnorePublicAcls><BlockPublicPolicy>true</BlockPublicPolicy><RestrictPublicBuckets>true</RestrictPublicBuckets></PublicAccessBlockConfiguration>`},
		{name: "GetBucketOwnershipControls", actions: []string{"s3:GetBucketOwnershipControls"}, method: "GET", target: "/shared?ownershipControls"},
		{name: "PutBucketOwnershipControls", actions: []string{"s3:PutBucketOwnershipControls"}, method: "PUT", target: "/shared?ownershipControls",
			body: `<OwnershipControls><Rule><ObjectOwnership>BucketOwnerEnforced</ObjectOwnership></Rule></OwnershipControls>`},
		{name: "GetBucketAcl", actions: []string{"s3:GetBucketAcl"}, method: "GET", target: "/shared?acl"},
		{name: "GetBucketReplication", actions: []string{"s3:GetReplicationConfiguration"}, method: "GET", target: "/shared?replication"},
		{name: "PutBucketReplication", actions: []string{"s3:PutReplicationConfiguration"}, method: "PUT", target: "/shared?replication",
			body: `<ReplicationConfiguration><Role>arn:aws:iam::111122223333:role/r</Role><Rule><Status>Enabled</Status><Prefix></Prefix>` +
				`<Destination><Bucket>arn:aws:s3:::no-such-destination</Bucket></Destination></Rule></ReplicationConfiguration>`},
		{name: "DeleteBucketReplication", actions: []string{"s3:PutReplicationConfiguration"}, method: "DELETE", target: "/shared?replication"},
		{name: "DeleteObjects", actions: []string{"s3:DeleteObject"}, method: "POST", target: "/shared?delete", perKey: true,
			body: `<Delete><Object><Key>scratch/gone</Key></Object></Delete>`},
		{name: "PutObject", actions: []string{"s3:PutObject"}, method: "PUT", target: "/shared/scratch/put", body: "data"},
		{name: "CopyObject", actions: []string{"s3:PutObject", "s3:GetObject"}, method: "PUT", target: "/shared/scratch/copy",
			header: map[string]string{"x-amz-copy-source": "/shared/obj"}},
		{name: "GetObject", actions: []string{"s3:GetObject"}, method: "GET", target: "/shared/obj"},
		{name: "HeadObject", actions: []string{"s3:GetObject"}, method: "HEAD", target: "/shared/obj"},
		{name: "DeleteObject", actions: []string{"s3:DeleteObject"}, method: "DELETE", target: "/shared/scratch/gone"},
		{name: "GetObjectTagging", actions: []string{"s3:GetObjectTagging"}, method: "GET", target: "/shared/obj?tagging"},
		{name: "PutObjectTagging", actions: []string{"s3:PutObjectTagging"}, method: "PUT", target: "/shared/obj?tagging", body: tagging},
		{name: "DeleteObjectTagging", actions: []string{"s3:DeleteObjectTagging"}, method: "DELETE", target: "/shared/scratch/put?tagging"},
		{name: "GetObjectAcl", actions: []string{"s3:GetObjectAcl"}, method: "GET", target: "/shared/obj?acl"},
		{name: "CreateMultipartUpload", actions: []string{"s3:PutObject"}, method: "POST", target: "/shared/scratch/mpu?uploads"},
		{name: "UploadPart", actions: []string{"s3:PutObject"}, method: "PUT", target: "/shared/mpu?partNumber=1&" + up, body: "part"},
		{name: "UploadPartCopy", actions: []string{"s3:PutObject", "s3:GetObject"}, method: "PUT", target: "/shared/mpu?partNumber=2&" + up,
			header: map[string]string{"x-amz-copy-source": "/shared/obj"}},
		{name: "ListParts", actions: []string{"s3:ListMultipartUploadParts"}, method: "GET", target: "/shared/mpu?" + up},
		{name: "AbortMultipartUpload", actions: []string{"s3:AbortMultipartUpload"}, method: "DELETE", target: "/shared/other-mpu?uploadId=nosuchupload"},
	}
}

// grant writes the bucket policy (as the owner): allow (or, with not, allow
// everything except) actions to the other account's root.
func (e *env) grant(actions []string, not bool) {
	e.t.Helper()
	key := "Action"
	if not {
		key = "NotAction"
	}
	quoted := `"` + strings.Join(actions, `","`) + `"`
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + e.otherA + `:root"},"` + key +
		`":[` + quoted + `],"Resource":["arn:aws:s3:::shared","arn:aws:s3:::shared/*"]}]}`
	e.must(&e.owner, "PUT", "/shared?policy", nil, []byte(doc))
}

func TestIsolationMatrix(t *testing.T) {
	e := start(t)
	e.must(&e.owner, "PUT", "/shared", nil, nil)
	e.must(&e.other, "PUT", "/others-bucket", nil, nil)
	e.must(&e.owner, "PUT", "/shared/obj", nil, []byte("object body"))
	var init struct {
		UploadID string `xml:"UploadId"`
	}
	r := e.must(&e.owner, "POST", "/shared/mpu?uploads", nil, nil)
	if err := xml.Unmarshal([]byte(r.body), &init); err != nil || init.UploadID == "" {
		t.Fatalf("create upload: %v %s", err, r.body)
	}
	for _, o := range operations(init.UploadID) {
		t.Run(o.name, func(t *testing.T) {
			e.t = t
			defer func() { e.t = nil }()
			send := func(c *sigv4.Credentials) response { return e.do(c, o.method, o.target, o.header, []byte(o.body)) }
			e.must(&e.owner, "DELETE", "/shared?policy", nil, nil)
			if r := send(&e.other); !denied(o, r) {
				t.Errorf("other account without a policy: %d %s", r.status, r.body)
			}
			if r := send(nil); !denied(o, r) {
				t.Errorf("anonymous: %d %s", r.status, r.body)
			}
			e.grant(o.actions, true)
			if r := send(&e.other); !denied(o, r) {
				t.Errorf("other account granted everything but %v: %d %s", o.actions, r.status, r.body)
			}
			e.grant(o.actions, false)
			r := send(&e.other)
			switch {
			case o.ownerOnly && r.status != http.StatusMethodNotAllowed:
				t.Errorf("other account granted %v on an owner-only operation: want 405, got %d %s", o.actions, r.status, r.body)
			case !o.ownerOnly && (denied(o, r) || r.status >= 500):
				t.Errorf("other account granted %v: %d %s", o.actions, r.status, r.body)
			}
			e.must(&e.owner, "DELETE", "/shared?policy", nil, nil)
			if r := send(&e.owner); denied(o, r) || r.status >= 500 {
				t.Errorf("owner: %d %s", r.status, r.body)
			}
			// The owner account has no rights in the other account's bucket.
			target := strings.Replace(o.target, "/shared", "/others-bucket", 1)
			if r := e.do(&e.owner, o.method, target, o.header, []byte(o.body)); r.status != 403 && !(o.perKey && denied(o, r)) {
				t.Errorf("owner on the other account's bucket: %d %s", r.status, r.body)
			}
		})
	}
}
