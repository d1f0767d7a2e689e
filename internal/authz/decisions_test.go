package authz

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/ferrys3/ferry/internal/policy"
)

// decisionCase is one entry of testdata/decisions.json.
type decisionCase struct {
	Name     string `json:"name"`
	Identity struct {
		Anonymous     bool     `json:"anonymous"`
		Account       string   `json:"account"`
		ARN           string   `json:"arn"`
		RoleARN       string   `json:"role_arn"`
		UserID        string   `json:"user_id"`
		Root          bool     `json:"root"`
		Service       string   `json:"service"`
		Policies      []string `json:"policies"`
		Boundary      string   `json:"boundary"`
		SessionPolicy string   `json:"session_policy"`
	} `json:"identity"`
	Action                 string              `json:"action"`
	Resource               string              `json:"resource"`
	ResourceAccount        string              `json:"resource_account"`
	ResourcePolicy         *string             `json:"resource_policy"`
	RequireResourcePolicy  bool                `json:"require_resource_policy"`
	OwnerOverride          bool                `json:"owner_override"`
	ExtraAllow             bool                `json:"extra_allow"`
	ResourcePolicyDenyOnly bool                `json:"resource_policy_deny_only"`
	Keys                   map[string][]string `json:"keys"`
	Expect                 struct {
		Allowed bool `json:"allowed"`
		Deny    bool `json:"deny"`
	} `json:"expect"`
}

func mustParse(t *testing.T, doc string, opt policy.ParseOption) *policy.Policy {
	t.Helper()
	if doc == "" {
		return nil
	}
	p, err := policy.Parse([]byte(doc), opt)
	if err != nil {
		t.Fatalf("parse %s: %v", doc, err)
	}
	return p
}

func (c *decisionCase) request(t *testing.T) *Request {
	id := &Identity{Anonymous: c.Identity.Anonymous, AccountID: c.Identity.Account, ARN: c.Identity.ARN, RoleARN: c.Identity.RoleARN,
		UserID: c.Identity.UserID, Root: c.Identity.Root, Service: c.Identity.Service,
		Boundary: mustParse(t, c.Identity.Boundary, policy.ForIdentityPolicy()), SessionPolicy: mustParse(t, c.Identity.SessionPolicy, policy.ForIdentityPolicy())}
	for i, doc := range c.Identity.Policies {
		id.Policies = append(id.Policies, NamedPolicy{Name: "policy" + string(rune('1'+i)), Policy: mustParse(t, doc, policy.ForIdentityPolicy())})
	}
	r := &Request{Identity: id, Action: c.Action, Resource: c.Resource, ResourceAccount: c.ResourceAccount,
		RequireResourcePolicy: c.RequireResourcePolicy, OwnerOverride: c.OwnerOverride, ExtraAllow: c.ExtraAllow,
		ResourcePolicyDenyOnly: c.ResourcePolicyDenyOnly, Keys: c.Keys}
	if c.ResourcePolicy != nil {
		opt := policy.ForBucketPolicy()
		if c.RequireResourcePolicy {
			opt = policy.ForTrustPolicy()
		}
		r.ResourcePolicy = mustParse(t, *c.ResourcePolicy, opt)
	}
	return r
}

func loadDecisions(t testing.TB) []decisionCase {
	b, err := os.ReadFile("testdata/decisions.json")
	if err != nil {
		t.Fatal(err)
	}
	var cs []decisionCase
	if err := json.Unmarshal(b, &cs); err != nil {
		t.Fatal(err)
	}
	return cs
}

// TestDecisions runs the conformance cases: same account, cross account,
// explicit deny, NotAction/NotResource, conditions, policy variables,
// boundaries, session policies, anonymous callers and trust policies.
func TestDecisions(t *testing.T) {
	cs := loadDecisions(t)
	if len(cs) < 60 {
		t.Fatalf("only %d cases", len(cs))
	}
	seen := map[string]bool{}
	for _, c := range cs {
		if seen[c.Name] {
			t.Fatalf("duplicate case name %q", c.Name)
		}
		seen[c.Name] = true
		t.Run(c.Name, func(t *testing.T) {
			d := Authorize(c.request(t))
			if d.Allowed != c.Expect.Allowed || d.Deny != c.Expect.Deny {
				t.Errorf("allowed=%v deny=%v (reason %q), want allowed=%v deny=%v", d.Allowed, d.Deny, d.Reason, c.Expect.Allowed, c.Expect.Deny)
			}
			if d.Reason == "" {
				t.Errorf("no reason given")
			}
		})
	}
}

func TestIsPublic(t *testing.T) {
	for _, c := range []struct {
		doc  string
		want bool
	}{
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`, true},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`, true},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`, false},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}`, false},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"IpAddress":{"aws:SourceIp":"0.0.0.0/0"}}}]}`, true},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"StringEquals":{"aws:PrincipalAccount":"111111111111"}}}]}`, false},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"StringLike":{"aws:PrincipalAccount":"*"}}}]}`, true},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"ArnEquals":{"aws:SourceArn":"arn:aws:s3:::src"}}}]}`, false},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"111111111111"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`, true},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/*"}]}`, false},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b","Condition":{"StringLike":{"s3:prefix":"public/*"}}}]}`, true},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"StringNotEquals":{"aws:PrincipalAccount":"111111111111"}}}]}`, true},
	} {
		p, err := policy.Parse([]byte(c.doc), policy.ForBucketPolicy())
		if err != nil {
			t.Fatalf("%s: %v", c.doc, err)
		}
		if got := IsPublic(p); got != c.want {
			t.Errorf("IsPublic(%s) = %v, want %v", c.doc, got, c.want)
		}
	}
}
