package iam

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferrys3/ferry/internal/authz"
	"github.com/ferrys3/ferry/internal/meta"
	"github.com/ferrys3/ferry/internal/meta/bolt"
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newFakeService(t *testing.T) (*Service, *fakeClock) {
	st, err := bolt.Open(filepath.Join(t.TempDir(), "meta.db"), bolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	c := &fakeClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	return New(st, c), c
}

func code(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	if err == nil {
		return ""
	}
	return "other: " + err.Error()
}

const (
	s3Trust   = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	readOnly  = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	denyWrite = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:PutObject","Resource":"*"}]}`
)

func TestEntitiesAndPolicies(t *testing.T) {
	ctx := context.Background()
	s, _ := newFakeService(t)
	a, err := s.CreateAccount(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	acct := a.AccountID
	role, err := s.CreateEntity(ctx, acct, EntityInput{Kind: meta.KindRole, Name: "repl", Path: "/service-role/", TrustPolicy: s3Trust})
	if err != nil || EntityARN(role) != "arn:aws:iam::"+acct+":role/service-role/repl" || !strings.HasPrefix(role.ID, "AROA") || role.MaxSessionDuration != 3600 {
		t.Fatalf("create role: %+v %v", role, err)
	}
	for _, c := range []struct {
		name string
		in   EntityInput
		want string
	}{
		{"duplicate (case-insensitive)", EntityInput{Kind: meta.KindRole, Name: "REPL", TrustPolicy: s3Trust}, CodeEntityAlreadyExists},
		{"bad name", EntityInput{Kind: meta.KindRole, Name: "a b", TrustPolicy: s3Trust}, CodeValidation},
		{"bad path", EntityInput{Kind: meta.KindRole, Name: "r2", Path: "x", TrustPolicy: s3Trust}, CodeValidation},
		{"trust with Resource", EntityInput{Kind: meta.KindRole, Name: "r3", TrustPolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Resource":"*"}]}`}, CodeMalformedPolicy},
		{"trust not JSON", EntityInput{Kind: meta.KindRole, Name: "r4", TrustPolicy: `nope`}, CodeMalformedPolicy},
		{"session too long", EntityInput{Kind: meta.KindRole, Name: "r5", TrustPolicy: s3Trust, MaxSessionDuration: 50000}, CodeValidation},
	} {
		if _, err := s.CreateEntity(ctx, acct, c.in); code(err) != c.want {
			t.Errorf("%s: got %v, want %s", c.name, err, c.want)
		}
	}
	if err := s.PutInlinePolicy(ctx, acct, meta.KindRole, "repl", "p", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}`); code(err) != CodeMalformedPolicy {
		t.Errorf("identity policy with Principal: %v", err)
	}
	if err := s.PutInlinePolicy(ctx, acct, meta.KindRole, "repl", "p", readOnly); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteEntity(ctx, acct, meta.KindRole, "repl"); code(err) != CodeDeleteConflict {
		t.Errorf("delete role with inline policy: %v", err)
	}
	mp, err := s.CreatePolicy(ctx, acct, "deny-write", "/", "", denyWrite, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AttachPolicy(ctx, acct, meta.KindRole, "repl", PolicyARN(mp)); err != nil {
		t.Fatal(err)
	}
	if err := s.DeletePolicy(ctx, PolicyARN(mp)); code(err) != CodeDeleteConflict {
		t.Errorf("delete attached policy: %v", err)
	}
	if err := s.DeleteInlinePolicy(ctx, acct, meta.KindRole, "repl", "P"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteEntity(ctx, acct, meta.KindRole, "repl"); code(err) != CodeDeleteConflict {
		t.Errorf("delete role with attached policy: %v", err)
	}
	// Versions: at most five, the default cannot be deleted.
	for i := 0; i < 4; i++ {
		if _, err := s.CreatePolicyVersion(ctx, PolicyARN(mp), readOnly, i == 3); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.CreatePolicyVersion(ctx, PolicyARN(mp), readOnly, false); code(err) != CodeLimitExceeded {
		t.Errorf("sixth version: %v", err)
	}
	p, _ := s.Policy(ctx, PolicyARN(mp))
	if p.DefaultVersion != "v5" || DefaultDocument(p) != readOnly {
		t.Errorf("default version %s", p.DefaultVersion)
	}
	if err := s.DeletePolicyVersion(ctx, PolicyARN(mp), "v5"); code(err) != CodeDeleteConflict {
		t.Errorf("delete default version: %v", err)
	}
	if err := s.DetachPolicy(ctx, acct, meta.KindRole, "repl", PolicyARN(mp)); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteEntity(ctx, acct, meta.KindRole, "repl"); err != nil {
		t.Fatalf("delete bare role: %v", err)
	}
	if err := s.DeletePolicy(ctx, PolicyARN(mp)); code(err) != CodeDeleteConflict {
		t.Errorf("delete policy with versions: %v", err)
	}
	// Users: keys, groups and their policies reach the identity.
	if _, err := s.CreateEntity(ctx, acct, EntityInput{Kind: meta.KindUser, Name: "alice"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateEntity(ctx, acct, EntityInput{Kind: meta.KindGroup, Name: "readers"}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddUserToGroup(ctx, acct, "readers", "alice"); err != nil {
		t.Fatal(err)
	}
	if err := s.PutInlinePolicy(ctx, acct, meta.KindGroup, "readers", "read", readOnly); err != nil {
		t.Fatal(err)
	}
	if err := s.AttachPolicy(ctx, acct, meta.KindUser, "alice", "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"); err != nil {
		t.Fatal(err)
	}
	k, err := s.CreateAccessKey(ctx, acct, "alice")
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.Resolve(ctx, k.ID)
	if err != nil || c.Root() || c.ARN() != "arn:aws:iam::"+acct+":user/alice" || len(c.Identity.Policies) != 2 {
		t.Fatalf("resolve alice: %+v %v", c, err)
	}
	if err := s.DeleteEntity(ctx, acct, meta.KindGroup, "readers"); code(err) != CodeDeleteConflict {
		t.Errorf("delete group with members: %v", err)
	}
	if err := s.DeleteEntity(ctx, acct, meta.KindUser, "alice"); code(err) != CodeDeleteConflict {
		t.Errorf("delete user with keys: %v", err)
	}
	if _, err := s.CreateAccessKey(ctx, acct, "alice"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateAccessKey(ctx, acct, "alice"); code(err) != CodeLimitExceeded {
		t.Errorf("third key: %v", err)
	}
	if err := s.UpdateAccessKey(ctx, acct, "alice", k.ID, "Inactive"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Resolve(ctx, k.ID); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("inactive key resolves: %v", err)
	}
}

func TestAssumeRole(t *testing.T) {
	ctx := context.Background()
	s, clk := newFakeService(t)
	a, _ := s.CreateAccount(ctx, "a")
	b, _ := s.CreateAccount(ctx, "b")
	trust := `{"Version":"2012-10-17","Statement":[
	 {"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"sts:AssumeRole"},
	 {"Effect":"Allow","Principal":{"AWS":"` + b.AccountID + `"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"xyz"}}}]}`
	role, err := s.CreateEntity(ctx, a.AccountID, EntityInput{Kind: meta.KindRole, Name: "repl", TrustPolicy: trust})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PutInlinePolicy(ctx, a.AccountID, meta.KindRole, "repl", "read", readOnly); err != nil {
		t.Fatal(err)
	}
	arn := EntityARN(role)
	service := &authz.Identity{Service: "s3.amazonaws.com"}
	sess, _, err := s.AssumeRole(ctx, service, AssumeRoleInput{RoleARN: arn, SessionName: "s3-replication"})
	if err != nil {
		t.Fatalf("S3 assumes the role: %v", err)
	}
	if sess.ARN != "arn:aws:sts::"+a.AccountID+":assumed-role/repl/s3-replication" || !strings.HasPrefix(sess.AccessKeyID, "ASIA") ||
		!sess.Expires.Equal(clk.Now().Add(time.Hour)) {
		t.Fatalf("session: %+v", sess)
	}
	c, err := s.Resolve(ctx, sess.AccessKeyID)
	if err != nil || c.SessionToken != sess.SessionToken || c.Identity.RoleARN != arn || c.ARN() != sess.ARN || len(c.Identity.Policies) != 1 {
		t.Fatalf("resolve session: %+v %v", c, err)
	}
	// Batch Operations is not trusted; nor is account b's root without
	// the external ID; with it, b may assume the role.
	if _, _, err := s.AssumeRole(ctx, &authz.Identity{Service: "batchoperations.s3.amazonaws.com"}, AssumeRoleInput{RoleARN: arn, SessionName: "batch"}); code(err) != CodeAccessDenied {
		t.Errorf("untrusted service: %v", err)
	}
	bRoot := &authz.Identity{AccountID: b.AccountID, Root: true, ARN: "arn:aws:iam::" + b.AccountID + ":root", UserID: b.AccountID}
	if _, _, err := s.AssumeRole(ctx, bRoot, AssumeRoleInput{RoleARN: arn, SessionName: "cross"}); code(err) != CodeAccessDenied {
		t.Errorf("cross-account without external ID: %v", err)
	}
	if _, _, err := s.AssumeRole(ctx, bRoot, AssumeRoleInput{RoleARN: arn, SessionName: "cross", ExternalID: "xyz"}); err != nil {
		t.Errorf("cross-account with external ID: %v", err)
	}
	for _, in := range []AssumeRoleInput{
		{RoleARN: arn, SessionName: "x"},
		{RoleARN: arn, SessionName: "ok", DurationSeconds: 100},
		{RoleARN: arn, SessionName: "ok", DurationSeconds: 7200}, // over the role's MaxSessionDuration
		{RoleARN: "arn:aws:iam::" + a.AccountID + ":user/repl", SessionName: "ok"},
	} {
		if _, _, err := s.AssumeRole(ctx, service, in); code(err) != CodeValidation {
			t.Errorf("%+v: %v", in, err)
		}
	}
	if _, _, err := s.AssumeRole(ctx, service, AssumeRoleInput{RoleARN: "arn:aws:iam::" + a.AccountID + ":role/nope", SessionName: "ok"}); code(err) != CodeAccessDenied {
		t.Errorf("missing role: %v", err)
	}
	// Expiry: the key stops resolving, and the sweeper deletes it.
	clk.add(time.Hour)
	if _, err := s.Resolve(ctx, sess.AccessKeyID); code(err) != CodeExpiredToken {
		t.Errorf("expired session: %v", err)
	}
	n, err := s.ExpireSessions(ctx, 100)
	if err != nil || n != 2 {
		t.Errorf("ExpireSessions = %d, %v; want the two sessions", n, err)
	}
	if _, err := s.Resolve(ctx, sess.AccessKeyID); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("swept session: %v", err)
	}
}

func TestCheckPassRole(t *testing.T) {
	ctx := context.Background()
	s, _ := newFakeService(t)
	a, _ := s.CreateAccount(ctx, "a")
	b, _ := s.CreateAccount(ctx, "b")
	role, err := s.CreateEntity(ctx, a.AccountID, EntityInput{Kind: meta.KindRole, Name: "repl", Path: "/service-role/", TrustPolicy: s3Trust})
	if err != nil {
		t.Fatal(err)
	}
	arn := EntityARN(role)
	root := &authz.Identity{AccountID: a.AccountID, Root: true, ARN: "arn:aws:iam::" + a.AccountID + ":root"}
	if err := s.CheckPassRole(ctx, root, arn); err != nil {
		t.Errorf("root: %v", err)
	}
	if _, err := s.CreateEntity(ctx, a.AccountID, EntityInput{Kind: meta.KindUser, Name: "ops"}); err != nil {
		t.Fatal(err)
	}
	k, _ := s.CreateAccessKey(ctx, a.AccountID, "ops")
	ops, _ := s.Resolve(ctx, k.ID)
	if err := s.CheckPassRole(ctx, ops.Identity, arn); code(err) != CodeAccessDenied {
		t.Errorf("user without iam:PassRole: %v", err)
	}
	if err := s.PutInlinePolicy(ctx, a.AccountID, meta.KindUser, "ops", "pass",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::*:role/service-role/*"}]}`); err != nil {
		t.Fatal(err)
	}
	ops, _ = s.Resolve(ctx, k.ID)
	if err := s.CheckPassRole(ctx, ops.Identity, arn); err != nil {
		t.Errorf("user with iam:PassRole: %v", err)
	}
	other := &authz.Identity{AccountID: b.AccountID, Root: true, ARN: "arn:aws:iam::" + b.AccountID + ":root"}
	if err := s.CheckPassRole(ctx, other, arn); code(err) != CodeAccessDenied {
		t.Errorf("another account's root: %v", err)
	}
	if err := s.CheckPassRole(ctx, root, "arn:aws:iam::"+a.AccountID+":role/repl"); code(err) != CodeAccessDenied {
		t.Errorf("wrong path: %v", err)
	}
}
