package authz_test

import (
	"encoding/json"
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/ferrys3/ferry/internal/authz"
	"github.com/ferrys3/ferry/internal/policy"
)

// strictKnownBugs makes cases marked "known_bug" fail like any other case,
// for whoever fixes authz.go: go test ./internal/authz -args -authz.strict
var strictKnownBugs = flag.Bool("authz.strict", false, "fail known_bug cases instead of logging them")

type namedDoc struct {
	Name     string `json:"name"`
	Document string `json:"document"`
}

type identityCase struct {
	Anonymous     bool       `json:"anonymous"`
	Account       string     `json:"account"`
	ARN           string     `json:"arn"`
	RoleARN       string     `json:"role_arn"`
	UserID        string     `json:"user_id"`
	Root          bool       `json:"root"`
	Service       string     `json:"service"`
	Policies      []namedDoc `json:"policies"`
	Boundary      *string    `json:"boundary"`
	SessionPolicy *string    `json:"session_policy"`
}

type expectation struct {
	Allowed   bool    `json:"allowed"`
	Deny      bool    `json:"deny"`
	Policy    *string `json:"policy"`
	Statement *string `json:"statement"`
}

type authzCase struct {
	Name                   string              `json:"name"`
	Category               string              `json:"category"`
	Identity               *identityCase       `json:"identity"`
	Action                 string              `json:"action"`
	Resource               string              `json:"resource"`
	ResourceAccount        string              `json:"resource_account"`
	ResourcePolicy         *string             `json:"resource_policy"`
	RequireResourcePolicy  bool                `json:"require_resource_policy"`
	OwnerOverride          bool                `json:"owner_override"`
	ExtraAllow             bool                `json:"extra_allow"`
	ResourcePolicyDenyOnly bool                `json:"resource_policy_deny_only"`
	Keys                   map[string][]string `json:"keys"`
	Expect                 expectation         `json:"expect"`
	KnownBug               string              `json:"known_bug"`
}

type publicCase struct {
	Name     string `json:"name"`
	Policy   string `json:"policy"`
	Public   bool   `json:"public"`
	KnownBug string `json:"known_bug"`
}

func loadJSON(t testing.TB, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	d := json.NewDecoder(strings.NewReader(string(b)))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func loadCases(t testing.TB) []authzCase {
	var cs []authzCase
	loadJSON(t, "testdata/cases.json", &cs)
	return cs
}

func loadPublicCases(t testing.TB) []publicCase {
	var cs []publicCase
	loadJSON(t, "testdata/public.json", &cs)
	return cs
}

func mustParse(t testing.TB, what, doc string, opts ...policy.ParseOption) *policy.Policy {
	t.Helper()
	p, err := policy.Parse([]byte(doc), opts...)
	if err != nil {
		t.Fatalf("%s does not parse: %v\n%s", what, err, doc)
	}
	return p
}

// request builds the authz.Request a case describes.
func (c *authzCase) request(t testing.TB) *authz.Request {
	t.Helper()
	r := &authz.Request{Action: c.Action, Resource: c.Resource, ResourceAccount: c.ResourceAccount,
		RequireResourcePolicy: c.RequireResourcePolicy, OwnerOverride: c.OwnerOverride,
		ExtraAllow: c.ExtraAllow, ResourcePolicyDenyOnly: c.ResourcePolicyDenyOnly, Keys: c.Keys}
	if c.ResourcePolicy != nil {
		opt := policy.ForBucketPolicy()
		if c.RequireResourcePolicy {
			opt = policy.ForTrustPolicy()
		}
		r.ResourcePolicy = mustParse(t, "resource policy", *c.ResourcePolicy, opt)
	}
	if ci := c.Identity; ci != nil {
		id := &authz.Identity{Anonymous: ci.Anonymous, AccountID: ci.Account, ARN: ci.ARN, RoleARN: ci.RoleARN,
			UserID: ci.UserID, Root: ci.Root, Service: ci.Service}
		for _, np := range ci.Policies {
			id.Policies = append(id.Policies, authz.NamedPolicy{Name: np.Name,
				Policy: mustParse(t, "identity policy "+np.Name, np.Document, policy.ForIdentityPolicy())})
		}
		if ci.Boundary != nil {
			id.Boundary = mustParse(t, "permissions boundary", *ci.Boundary, policy.ForIdentityPolicy())
		}
		if ci.SessionPolicy != nil {
			id.SessionPolicy = mustParse(t, "session policy", *ci.SessionPolicy, policy.ForIdentityPolicy())
		}
		r.Identity = id
	}
	return r
}

// mismatch describes how d differs from the expectation, or "" when it does not.
func (e expectation) mismatch(d authz.Decision) string {
	var diffs []string
	if d.Allowed != e.Allowed {
		diffs = append(diffs, "allowed")
	}
	if d.Deny != e.Deny {
		diffs = append(diffs, "deny")
	}
	if e.Policy != nil && d.Policy != *e.Policy {
		diffs = append(diffs, "policy")
	}
	if e.Statement != nil && d.Statement != *e.Statement {
		diffs = append(diffs, "statement")
	}
	return strings.Join(diffs, ", ")
}

func (e expectation) String() string {
	s := "allowed=" + boolStr(e.Allowed) + " deny=" + boolStr(e.Deny)
	if e.Policy != nil {
		s += " policy=" + *e.Policy
	}
	if e.Statement != nil {
		s += " statement=" + *e.Statement
	}
	return s
}

func describe(d authz.Decision) string {
	return "allowed=" + boolStr(d.Allowed) + " deny=" + boolStr(d.Deny) + " policy=" + d.Policy +
		" statement=" + d.Statement + " reason=" + strconvQuote(d.Reason)
}

func boolStr(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func strconvQuote(s string) string { b, _ := json.Marshal(s); return string(b) }

func TestAuthorizeCases(t *testing.T) {
	cases := loadCases(t)
	bugs := 0
	for i := range cases {
		c := &cases[i]
		t.Run(c.Name, func(t *testing.T) {
			r := c.request(t)
			d := authz.Authorize(r)
			if d.Allowed && d.Deny {
				t.Fatalf("decision both allows and denies: %s", describe(d))
			}
			if d.Reason == "" && !d.Allowed {
				t.Errorf("a refusal without a reason: %s", describe(d))
			}
			// The decision is a pure function of the request.
			if again := authz.Authorize(r); again != d {
				t.Fatalf("second call differs: %s vs %s", describe(again), describe(d))
			}
			diff := c.Expect.mismatch(d)
			switch {
			case diff != "" && c.KnownBug != "" && !*strictKnownBugs:
				bugs++
				t.Logf("KNOWN BUG (%s): want %s, got %s\n  %s", diff, c.Expect, describe(d), c.KnownBug)
			case diff != "":
				t.Errorf("%s differ: want %s, got %s", diff, c.Expect, describe(d))
			case c.KnownBug != "":
				t.Logf("known_bug case now passes; remove its known_bug marker (reason: %q)", d.Reason)
			}
		})
	}
	if bugs > 0 {
		t.Logf("%d known_bug case(s) disagree with AWS; run with -args -authz.strict to fail on them", bugs)
	}
}

func TestCasesFile(t *testing.T) {
	cases := loadCases(t)
	if len(cases) < 60 {
		t.Fatalf("testdata/cases.json has %d cases, want at least 60", len(cases))
	}
	seen := map[string]bool{}
	for _, c := range cases {
		if strings.TrimSpace(c.Name) == "" {
			t.Errorf("a case without a name: %+v", c)
		}
		if seen[c.Name] {
			t.Errorf("duplicate case name %q", c.Name)
		}
		seen[c.Name] = true
		if c.Action == "" || c.Resource == "" {
			t.Errorf("%s: action and resource are required", c.Name)
		}
		if c.Expect.Allowed && c.Expect.Deny {
			t.Errorf("%s: expects both allowed and deny", c.Name)
		}
	}
	pub := loadPublicCases(t)
	if len(pub) < 12 {
		t.Fatalf("testdata/public.json has %d cases, want at least 12", len(pub))
	}
	seen = map[string]bool{}
	for _, c := range pub {
		if seen[c.Name] {
			t.Errorf("duplicate public case name %q", c.Name)
		}
		seen[c.Name] = true
	}
}

func TestIsPublicCases(t *testing.T) {
	for _, c := range loadPublicCases(t) {
		t.Run(c.Name, func(t *testing.T) {
			p := mustParse(t, "bucket policy", c.Policy, policy.ForBucketPolicy())
			got := authz.IsPublic(p)
			switch {
			case got != c.Public && c.KnownBug != "" && !*strictKnownBugs:
				t.Logf("KNOWN BUG: IsPublic = %v, want %v\n  %s", got, c.Public, c.KnownBug)
			case got != c.Public:
				t.Errorf("IsPublic = %v, want %v\n%s", got, c.Public, c.Policy)
			case c.KnownBug != "":
				t.Logf("known_bug case now passes; remove its known_bug marker")
			}
		})
	}
}

func TestIsPublicNil(t *testing.T) {
	if authz.IsPublic(nil) {
		t.Fatal("IsPublic(nil) = true")
	}
}

func TestContextPrincipalType(t *testing.T) {
	for _, tc := range []struct {
		id   *authz.Identity
		want string
	}{
		{nil, "Anonymous"},
		{&authz.Identity{Anonymous: true}, "Anonymous"},
		{&authz.Identity{Service: "s3.amazonaws.com"}, "AWSService"},
		{&authz.Identity{AccountID: "123456789012", ARN: "arn:aws:iam::123456789012:root", Root: true}, "Account"},
		{&authz.Identity{AccountID: "123456789012", ARN: "arn:aws:iam::123456789012:user/alice"}, "User"},
		{&authz.Identity{AccountID: "123456789012", ARN: "arn:aws:sts::123456789012:assumed-role/r/s",
			RoleARN: "arn:aws:iam::123456789012:role/r"}, "AssumedRole"},
	} {
		ctx := authz.Context(&authz.Request{Identity: tc.id, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k",
			ResourceAccount: "123456789012"})
		if ctx.PrincipalType != tc.want {
			t.Errorf("%+v: PrincipalType = %q, want %q", tc.id, ctx.PrincipalType, tc.want)
		}
		if v, ok := ctx.Lookup("aws:ResourceAccount"); !ok || len(v) != 1 || v[0] != "123456789012" {
			t.Errorf("%+v: aws:ResourceAccount = %v, %v", tc.id, v, ok)
		}
	}
}

// TestKeyFunc checks that keys supplied on demand take part in decisions.
func TestKeyFunc(t *testing.T) {
	p := mustParse(t, "bucket policy", `{"Version":"2012-10-17","Statement":[`+
		`{"Sid":"Public","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},`+
		`{"Sid":"TLS","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`,
		policy.ForBucketPolicy())
	for _, secure := range []string{"true", "false"} {
		asked := 0
		r := &authz.Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", ResourceAccount: "123456789012",
			ResourcePolicy: p, KeyFunc: func(key string) ([]string, bool) {
				if strings.EqualFold(key, "aws:SecureTransport") {
					asked++
					return []string{secure}, true
				}
				return nil, false
			}}
		d := authz.Authorize(r)
		if d.Allowed != (secure == "true") || d.Deny != (secure == "false") {
			t.Errorf("aws:SecureTransport=%s: %s", secure, describe(d))
		}
		if asked == 0 {
			t.Errorf("aws:SecureTransport=%s: KeyFunc never asked", secure)
		}
	}
}
