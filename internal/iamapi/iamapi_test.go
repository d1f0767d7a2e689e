package iamapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferrys3/ferry/internal/iam"
	"github.com/ferrys3/ferry/internal/meta/bolt"
	"github.com/ferrys3/ferry/internal/sigv4"
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

type fixture struct {
	t     *testing.T
	srv   *httptest.Server
	ids   *iam.Service
	clock *fakeClock
	root  sigv4.Credentials
	acct  string
}

func newFixture(t *testing.T) *fixture {
	st, err := bolt.Open(filepath.Join(t.TempDir(), "meta.db"), bolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clk := &fakeClock{t: time.Now().UTC()}
	ids := iam.New(st, clk)
	a, err := ids.CreateAccount(context.Background(), "test")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(New(ids, clk, slog.New(slog.NewTextHandler(io.Discard, nil))))
	t.Cleanup(srv.Close)
	return &fixture{t: t, srv: srv, ids: ids, clock: clk, acct: a.AccountID,
		root: sigv4.Credentials{AccessKeyID: a.AccessKeyID, SecretAccessKey: a.SecretAccessKey}}
}

// call sends a Query request signed for service as c.
func (f *fixture) call(c sigv4.Credentials, service string, params map[string]string) (int, string) {
	f.t.Helper()
	form := url.Values{}
	for k, v := range params {
		form.Set(k, v)
	}
	if form.Get("Version") == "" {
		form.Set("Version", map[string]string{"iam": "2010-05-08", "sts": "2011-06-15"}[service])
	}
	body := form.Encode()
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sum := sha256.Sum256([]byte(body))
	sigv4.Sign(req, c, "us-east-1", service, hex.EncodeToString(sum[:]), f.clock.Now())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (f *fixture) ok(c sigv4.Credentials, service string, params map[string]string) string {
	f.t.Helper()
	st, body := f.call(c, service, params)
	if st != 200 {
		f.t.Fatalf("%v: %d %s", params, st, body)
	}
	return body
}

func (f *fixture) fails(c sigv4.Credentials, service string, params map[string]string, status int, code string) string {
	f.t.Helper()
	st, body := f.call(c, service, params)
	if st != status || !strings.Contains(body, "<Code>"+code+"</Code>") {
		f.t.Errorf("%v: want %d %s, got %d %s", params, status, code, st, body)
	}
	return body
}

func between(s, a, b string) string {
	_, rest, _ := strings.Cut(s, a)
	v, _, _ := strings.Cut(rest, b)
	return v
}

const trust = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}, "Action": "sts:AssumeRole"}]}`

func TestRoleDocumentsAndErrors(t *testing.T) {
	f := newFixture(t)
	body := f.ok(f.root, "iam", map[string]string{"Action": "CreateRole", "RoleName": "repl", "Path": "/service-role/", "AssumeRolePolicyDocument": trust})
	if !strings.Contains(body, "<CreateRoleResult><Role><Path>/service-role/</Path><RoleName>repl</RoleName>") ||
		!strings.Contains(body, "<Arn>arn:aws:iam::"+f.acct+":role/service-role/repl</Arn>") {
		t.Errorf("CreateRole: %s", body)
	}
	// Documents come back URL-encoded with %20 for spaces, as IAM does.
	doc := between(body, "<AssumeRolePolicyDocument>", "</AssumeRolePolicyDocument>")
	if strings.Contains(doc, "+") || !strings.Contains(doc, "%20") {
		t.Errorf("trust policy encoding: %s", doc)
	}
	if dec, err := url.PathUnescape(doc); err != nil || dec != trust {
		t.Errorf("trust policy round trip: %q %v", dec, err)
	}
	f.fails(f.root, "iam", map[string]string{"Action": "CreateRole", "RoleName": "REPL", "AssumeRolePolicyDocument": trust}, 409, "EntityAlreadyExists")
	f.fails(f.root, "iam", map[string]string{"Action": "CreateRole", "RoleName": "x"}, 400, "MissingParameter")
	f.fails(f.root, "iam", map[string]string{"Action": "GetRole", "RoleName": "nope"}, 404, "NoSuchEntity")
	f.fails(f.root, "iam", map[string]string{"Action": "PutRolePolicy", "RoleName": "repl", "PolicyName": "p", "PolicyDocument": "{"}, 400, "MalformedPolicyDocument")
	f.fails(f.root, "iam", map[string]string{"Action": "Frobnicate"}, 400, "InvalidAction")
	f.ok(f.root, "iam", map[string]string{"Action": "PutRolePolicy", "RoleName": "repl", "PolicyName": "p",
		"PolicyDocument": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`})
	f.fails(f.root, "iam", map[string]string{"Action": "DeleteRole", "RoleName": "repl"}, 409, "DeleteConflict")
	body = f.ok(f.root, "iam", map[string]string{"Action": "ListRolePolicies", "RoleName": "repl"})
	if !strings.Contains(body, "<PolicyNames><member>p</member></PolicyNames>") {
		t.Errorf("ListRolePolicies: %s", body)
	}
	// Output-less actions answer with ResponseMetadata only.
	body = f.ok(f.root, "iam", map[string]string{"Action": "DeleteRolePolicy", "RoleName": "repl", "PolicyName": "p"})
	if strings.Contains(body, "Result>") || !strings.Contains(body, "<DeleteRolePolicyResponse") {
		t.Errorf("DeleteRolePolicy: %s", body)
	}
	f.ok(f.root, "iam", map[string]string{"Action": "DeleteRole", "RoleName": "repl"})
}

func TestListPagination(t *testing.T) {
	f := newFixture(t)
	for _, n := range []string{"a", "b", "c"} {
		f.ok(f.root, "iam", map[string]string{"Action": "CreateUser", "UserName": n})
	}
	body := f.ok(f.root, "iam", map[string]string{"Action": "ListUsers", "MaxItems": "2"})
	if strings.Count(body, "<member>") != 2 || !strings.Contains(body, "<IsTruncated>true</IsTruncated>") {
		t.Fatalf("first page: %s", body)
	}
	body = f.ok(f.root, "iam", map[string]string{"Action": "ListUsers", "MaxItems": "2", "Marker": between(body, "<Marker>", "</Marker>")})
	if strings.Count(body, "<member>") != 1 || !strings.Contains(body, "<UserName>c</UserName>") || !strings.Contains(body, "<IsTruncated>false</IsTruncated>") {
		t.Fatalf("second page: %s", body)
	}
	f.fails(f.root, "iam", map[string]string{"Action": "ListUsers", "MaxItems": "0"}, 400, "ValidationError")
}

func TestUsersNeedPolicies(t *testing.T) {
	f := newFixture(t)
	f.ok(f.root, "iam", map[string]string{"Action": "CreateUser", "UserName": "alice"})
	body := f.ok(f.root, "iam", map[string]string{"Action": "CreateAccessKey", "UserName": "alice"})
	alice := sigv4.Credentials{AccessKeyID: between(body, "<AccessKeyId>", "</AccessKeyId>"), SecretAccessKey: between(body, "<SecretAccessKey>", "</SecretAccessKey>")}
	body = f.fails(alice, "iam", map[string]string{"Action": "CreateRole", "RoleName": "r", "AssumeRolePolicyDocument": trust}, 403, "AccessDenied")
	if !strings.Contains(body, "User: arn:aws:iam::"+f.acct+":user/alice is not authorized to perform: iam:CreateRole") {
		t.Errorf("denial message: %s", body)
	}
	// GetCallerIdentity needs no permission.
	body = f.ok(alice, "sts", map[string]string{"Action": "GetCallerIdentity"})
	if !strings.Contains(body, "<Arn>arn:aws:iam::"+f.acct+":user/alice</Arn>") || !strings.Contains(body, "<UserId>AIDA") {
		t.Errorf("GetCallerIdentity: %s", body)
	}
	f.ok(f.root, "iam", map[string]string{"Action": "PutUserPolicy", "UserName": "alice", "PolicyName": "roles",
		"PolicyDocument": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:CreateRole","iam:GetRole"],"Resource":"arn:aws:iam::*:role/*"}]}`})
	f.ok(alice, "iam", map[string]string{"Action": "CreateRole", "RoleName": "r", "AssumeRolePolicyDocument": trust})
	f.fails(alice, "iam", map[string]string{"Action": "DeleteRole", "RoleName": "r"}, 403, "AccessDenied")
}

func TestSessions(t *testing.T) {
	f := newFixture(t)
	self := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + f.acct + `:root"},"Action":"sts:AssumeRole"}]}`
	f.ok(f.root, "iam", map[string]string{"Action": "CreateRole", "RoleName": "worker", "AssumeRolePolicyDocument": self})
	body := f.ok(f.root, "sts", map[string]string{"Action": "AssumeRole", "RoleArn": "arn:aws:iam::" + f.acct + ":role/worker", "RoleSessionName": "job-1", "DurationSeconds": "900"})
	sess := sigv4.Credentials{AccessKeyID: between(body, "<AccessKeyId>", "</AccessKeyId>"), SecretAccessKey: between(body, "<SecretAccessKey>", "</SecretAccessKey>"),
		SessionToken: between(body, "<SessionToken>", "</SessionToken>")}
	if !strings.HasPrefix(sess.AccessKeyID, "ASIA") || sess.SessionToken == "" {
		t.Fatalf("AssumeRole: %s", body)
	}
	body = f.ok(sess, "sts", map[string]string{"Action": "GetCallerIdentity"})
	if !strings.Contains(body, "<Arn>arn:aws:sts::"+f.acct+":assumed-role/worker/job-1</Arn>") || !strings.Contains(body, ":job-1</UserId>") {
		t.Errorf("session identity: %s", body)
	}
	// Without its token, or with another, the key is refused.
	noToken := sess
	noToken.SessionToken = ""
	f.fails(noToken, "sts", map[string]string{"Action": "GetCallerIdentity"}, 403, "InvalidClientTokenId")
	forged := sess
	forged.SessionToken = sess.SessionToken[:len(sess.SessionToken)-2] + "xx"
	f.fails(forged, "sts", map[string]string{"Action": "GetCallerIdentity"}, 403, "InvalidClientTokenId")
	// After DurationSeconds the session has expired.
	f.clock.mu.Lock()
	f.clock.t = f.clock.t.Add(901 * time.Second)
	f.clock.mu.Unlock()
	f.fails(sess, "sts", map[string]string{"Action": "GetCallerIdentity"}, 400, "ExpiredToken")
	// Untrusted: a user of the account the trust policy does not name
	// needs its own sts:AssumeRole permission.
	f.ok(f.root, "iam", map[string]string{"Action": "CreateUser", "UserName": "bob"})
	body = f.ok(f.root, "iam", map[string]string{"Action": "CreateAccessKey", "UserName": "bob"})
	bob := sigv4.Credentials{AccessKeyID: between(body, "<AccessKeyId>", "</AccessKeyId>"), SecretAccessKey: between(body, "<SecretAccessKey>", "</SecretAccessKey>")}
	f.fails(bob, "sts", map[string]string{"Action": "AssumeRole", "RoleArn": "arn:aws:iam::" + f.acct + ":role/worker", "RoleSessionName": "bob-session"}, 403, "AccessDenied")
}
